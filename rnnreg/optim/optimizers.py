"""Optimizers: ``calculate_update(weights, gradient)`` returns the updated weights.

Each optimizer keeps its state (velocity, moments) for ONE array; layers give every array its own deep
copy. A regularizer added with ``add_regularizer`` acts as a shrinkage of the pre-update weights, outside
momentum and Adam's moment estimates (the exercise's rule):

    w ← w − η · reg.calculate_gradient(w) + (the optimizer's data-gradient step).

For L2 this is decoupled weight decay (as in SGDW/AdamW). It equals "L2 added to the gradient" only for
plain SGD; under momentum and Adam the two differ. ``add_regularizer(regularizer, into_gradient=True)``
gives the other rule, what most frameworks' ``weight_decay`` does for SGD with momentum and for Adam: the
regularizer's gradient is added to the data gradient before it enters the velocity or the moments,

    g ← g + reg.calculate_gradient(w);   then the optimizer's step with g.

All updates work on arrays and on plain floats, never modify the arrays they are given, and keep the
floating dtype of the weights (float32 stays float32). Weights are floating point: integer or boolean
weights (``np.array([0])``, as the exercise's tests assign) are updated as float64, never truncated back.
Each line of an update is its formula, computed into new arrays: the state (velocity, moments) is replaced
at every step, never changed in place, so an array handed out earlier (``state_arrays``, a plot) keeps its
values.
"""

import numpy as np

from rnnreg.validation import as_float_array, check_bool, check_fraction, check_positive_number


class Optimizer:
    """Base of the optimizers: holds the learning rate and an optional regularizer."""

    state_names = ()  # the keys of ``state_arrays()`` once a step made them: what ``save`` and ``load`` expect

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.regularizer = None
        self.regularize_gradient = False

    @property
    def learning_rate(self):
        """Step size η (finite, > 0); may change between steps without resetting the state."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = check_positive_number(f"{type(self).__name__} learning_rate", value)

    def add_regularizer(self, regularizer, *, into_gradient=False):
        """Attach a regularizer (an object with ``calculate_gradient`` and ``norm``); None removes it.

        Parameters
        ----------
        regularizer : Regularizer or None
        into_gradient : bool
            False (the exercise's rule, default): shrink the weights outside momentum and Adam's moments.
            True: add the regularizer's gradient to the data gradient before the optimizer's step.
        """
        if regularizer is not None and not all(
            callable(getattr(regularizer, method, None)) for method in ("calculate_gradient", "norm")
        ):
            raise TypeError(
                f"regularizer must have calculate_gradient(weights) and norm(weights), got {type(regularizer).__name__}"
            )
        self.regularize_gradient = check_bool("add_regularizer into_gradient", into_gradient)
        self.regularizer = regularizer

    def calculate_update(self, weight_tensor, gradient_tensor):
        """Return the weights after one step; the regularizer shrinks the pre-update weights."""
        name = f"{type(self).__name__}.calculate_update"
        weights = as_float_array(f"{name} weight_tensor", weight_tensor)
        gradient = as_float_array(f"{name} gradient_tensor", gradient_tensor)
        if weights.shape != gradient.shape:
            raise ValueError(
                f"{name}: gradient_tensor shape {gradient.shape} does not match "
                f"weight_tensor shape {weights.shape}"
            )
        if self.regularizer is not None and self.regularize_gradient:
            gradient = gradient + self.regularizer.calculate_gradient(weights)  # g ← g + reg'(w)
        step = self._data_step(gradient)
        if self.regularizer is not None and not self.regularize_gradient:
            # w ← w − η reg'(w) + step: the shrinkage acts on the pre-update weights, outside the state.
            updated = weights - self.learning_rate * self.regularizer.calculate_gradient(weights) + step
        else:
            updated = weights + step
        if isinstance(weight_tensor, np.ndarray):
            return updated.astype(weights.dtype, copy=False)  # float32 weights stay float32
        return updated

    def _data_step(self, gradient):
        """Return the change the data gradient asks for (state is updated here)."""
        raise NotImplementedError

    def config(self):
        """Constructor arguments (JSON-serialisable), used by save/load."""
        return {"learning_rate": self.learning_rate}

    def state_arrays(self):
        """The state to save: a dict of arrays (empty for stateless optimizers)."""
        return {}

    def load_state_arrays(self, arrays):
        """Restore what ``state_arrays`` returned."""

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({arguments})"


class Sgd(Optimizer):
    """Plain stochastic gradient descent: w ← w − η g."""

    def _data_step(self, gradient):
        return -self.learning_rate * gradient


class SgdWithMomentum(Optimizer):
    """SGD with momentum: v ← μ v − η g;  w ← w + v  (v starts at 0).

    Parameters
    ----------
    learning_rate : float
        η > 0.
    momentum_rate : float
        μ in [0, 1).
    """

    state_names = ("velocity",)

    def __init__(self, learning_rate, momentum_rate):
        super().__init__(learning_rate)
        self.momentum_rate = check_fraction(
            "SgdWithMomentum momentum_rate", momentum_rate, low=0, high=1, low_open=False, high_open=True
        )
        self.velocity = None

    def _data_step(self, gradient):
        v = 0.0 if self.velocity is None else self.velocity  # v starts at 0
        self.velocity = self.momentum_rate * v - self.learning_rate * gradient  # v ← μ v − η g
        return self.velocity

    def config(self):
        return {"learning_rate": self.learning_rate, "momentum_rate": self.momentum_rate}

    def state_arrays(self):
        return {} if self.velocity is None else {"velocity": np.array(self.velocity)}

    def load_state_arrays(self, arrays):
        self.velocity = _own_copy(arrays.get("velocity"))


class Adam(Optimizer):
    """Adam with bias correction (t starts at 1) and ε = 1e-8.

    v ← μ v + (1 − μ) g;  r ← ρ r + (1 − ρ) g²;  v̂ = v / (1 − μᵗ);  r̂ = r / (1 − ρᵗ);
    w ← w − η v̂ / (√r̂ + ε).

    Parameters
    ----------
    learning_rate : float
        η > 0.
    mu : float
        β₁, decay of the first moment, in [0, 1).
    rho : float
        β₂, decay of the second moment, in [0, 1).
    """

    epsilon = 1e-8
    state_names = ("first_moment", "second_moment", "step_count")

    def __init__(self, learning_rate, mu, rho):
        super().__init__(learning_rate)
        self.mu = check_fraction("Adam mu", mu, low=0, high=1, low_open=False, high_open=True)
        self.rho = check_fraction("Adam rho", rho, low=0, high=1, low_open=False, high_open=True)
        self.first_moment = None
        self.second_moment = None
        self.step_count = 0

    def _data_step(self, gradient):
        self.step_count += 1
        t = self.step_count
        v = 0.0 if self.first_moment is None else self.first_moment  # v and r start at 0
        r = 0.0 if self.second_moment is None else self.second_moment
        self.first_moment = self.mu * v + (1 - self.mu) * gradient  # v ← μ v + (1 − μ) g
        self.second_moment = self.rho * r + (1 - self.rho) * gradient * gradient  # r ← ρ r + (1 − ρ) g²
        first_corrected = self.first_moment / (1 - self.mu**t)  # v̂ = v / (1 − μᵗ)
        second_corrected = self.second_moment / (1 - self.rho**t)  # r̂ = r / (1 − ρᵗ)
        return -self.learning_rate * first_corrected / (np.sqrt(second_corrected) + self.epsilon)

    def config(self):
        return {"learning_rate": self.learning_rate, "mu": self.mu, "rho": self.rho}

    def state_arrays(self):
        if self.first_moment is None:
            return {}
        return {
            "first_moment": np.array(self.first_moment),
            "second_moment": np.array(self.second_moment),
            "step_count": np.asarray(self.step_count),
        }

    def load_state_arrays(self, arrays):
        self.first_moment = _own_copy(arrays.get("first_moment"))
        self.second_moment = _own_copy(arrays.get("second_moment"))
        self.step_count = int(arrays.get("step_count", 0))


def _own_copy(state):
    """A copy of a loaded state array (or None), so the optimizer never shares an array with its caller."""
    return None if state is None else np.array(state)
