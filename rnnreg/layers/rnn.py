"""Recurrent layers: the machinery RNN and LSTM share, and the Elman RNN itself.

Both layers read a sequence x_1 … x_T, carry a hidden state h_t from step to step and put a small
fully connected output layer with a sigmoid on top of every h_t:

    y_t = σ([h_t, 1] W_y)      (row vectors: [h_t, 1] stacks h_t and the bias's 1).

Time axis and batches.  As in the exercise, a 2-D input ``(T, D)`` is ONE sequence whose first axis is
time. rnnreg also accepts a 3-D input ``(N, T, D)``: a batch of N sequences that run side by side, each
with its own hidden state (no loop over the batch; one matmul per time step for all sequences).

Memory across calls.  With ``memorize = False`` (the default) every ``forward`` starts from h_0 = 0.
With ``memorize = True`` it starts from the state the previous ``forward`` ended with, so a long
sequence can be fed in chunks (truncated back-propagation through time: ``backward`` stops at the start
of the current chunk and treats the carried state as a constant).
"""

import numpy as np

from rnnreg.layers.activations import sigmoid
from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import (
    check_array_shape,
    check_bool,
    check_error_shape,
    check_input,
    check_positive_int,
    describe_shape,
    require_forward,
)


def _read_only_view(array_time_major, single):
    """Turn an internal (T, N, …) array into the (T, …) or (N, T, …) view users see, protected from writes."""
    view = array_time_major[:, 0] if single else array_time_major.transpose(1, 0, *range(2, array_time_major.ndim))
    view.flags.writeable = False
    return view


class RecurrentLayer(TrainableLayer):
    """Shared base of :class:`RNN` and :class:`LSTM`: validation, state handling, output layer, BPTT bookkeeping.

    A subclass sets ``gate_count`` (the number of H-wide column blocks of ``weights``), ``buffer_names``
    (the states carried when ``memorize`` is on; the hidden state comes first) and implements
    ``_forward_steps`` and ``_backward_steps``, the loop over time. Everything else is here.

    Internally all sequences are stored time-major, ``(T, N, …)``, so that each step works on a
    contiguous ``(N, …)`` block; what users see (outputs, records) is batch-major like the input.
    """

    parameter_names = ("weights", "output_weights")
    buffer_names = ("hidden_state",)
    gate_count = 1

    def __init__(self, input_size, hidden_size, output_size, *, memorize=False):
        super().__init__()
        name = type(self).__name__
        self.input_size = check_positive_int(f"{name} input_size", input_size)
        self.hidden_size = check_positive_int(f"{name} hidden_size", hidden_size)
        self.output_size = check_positive_int(f"{name} output_size", output_size)
        self.memorize = memorize
        self.weights = np.random.random_sample(self._weights_shape)
        self.output_weights = np.random.random_sample(self._output_weights_shape)
        self.gradient_weights = None
        self.gradient_output_weights = None
        for state_name in self.buffer_names:
            setattr(self, state_name, None)
        self.hidden_states = None
        self.hidden_gradient_norms = None
        self._cache = None

    # ----------------------------------------------------------------------------------------- properties

    @property
    def memorize(self):
        """bool: True carries the last state of one ``forward`` over to the next (truncated BPTT)."""
        return self._memorize

    @memorize.setter
    def memorize(self, value):
        self._memorize = check_bool(f"{type(self).__name__} memorize", value)

    @property
    def _weights_shape(self):
        return (self.input_size + self.hidden_size + 1, self.gate_count * self.hidden_size)

    @property
    def _output_weights_shape(self):
        return (self.hidden_size + 1, self.output_size)

    # ---------------------------------------------------------------------------------------- public API

    def reset_state(self):
        """Forget the carried state(s): the next ``forward`` starts from zeros whatever ``memorize`` says."""
        for state_name in self.buffer_names:
            setattr(self, state_name, None)

    def initialize(self, weights_initializer, bias_initializer):
        """Initialize both parts exactly as two FullyConnected layers of the same sizes would.

        The recurrent part is a FullyConnected(D + H, G·H) (G = ``gate_count``): ONE call
        ``weights_initializer.initialize((D + H, G·H), D + H, G·H)`` for all its weight rows and
        ``bias_initializer.initialize((1, G·H), D + H, G·H)`` for its bias row. The output part is a
        FullyConnected(H, K): ``(H, K), H, K`` and ``(1, K), H, K``. The calls are made in this order.
        """
        fan_in, fan_out = self.input_size + self.hidden_size, self.gate_count * self.hidden_size
        weights = weights_initializer.initialize((fan_in, fan_out), fan_in, fan_out)
        bias = bias_initializer.initialize((1, fan_out), fan_in, fan_out)
        self.weights = np.vstack([weights, bias])
        hidden, outputs = self.hidden_size, self.output_size
        output_weights = weights_initializer.initialize((hidden, outputs), hidden, outputs)
        output_bias = bias_initializer.initialize((1, outputs), hidden, outputs)
        self.output_weights = np.vstack([output_weights, output_bias])

    def config(self):
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "output_size": self.output_size,
            "memorize": self.memorize,
        }

    def forward(self, input_tensor):
        name = type(self).__name__
        D, H, K = self.input_size, self.hidden_size, self.output_size
        x = check_input(self, input_tensor, [("time", D), ("batch", "time", D)])
        if x.size == 0:
            raise ValueError(
                f"{name} input_tensor must hold at least one sequence of at least one time step, "
                f"got {describe_shape(x.shape)}"
            )
        single = x.ndim == 2
        sequences = x[np.newaxis] if single else x
        N, T = sequences.shape[:2]
        dtype = x.dtype
        # Compute in the input's dtype; for float64 input these are the very arrays the user holds.
        weights = check_array_shape(name, "weights", self.weights, self._weights_shape).astype(dtype, copy=False)
        output_weights = check_array_shape(
            name, "output_weights", self.output_weights, self._output_weights_shape
        ).astype(dtype, copy=False)
        initial_states = self._initial_states(N, dtype, x.shape)

        # Our own time-major copy: the caller may change their array before backward.
        inputs = np.array(sequences.transpose(1, 0, 2), order="C")
        # Input projections of all steps in one matmul: x_t W[:D] + b for every t (G = gate_count · H columns).
        projected = self._work_array("projected", (T, N, self.gate_count * H), dtype)
        np.matmul(inputs.reshape(T * N, D), weights[:D], out=projected.reshape(T * N, -1))
        projected += weights[D + H]
        recurrent = weights[D : D + H]
        hidden, final_states, step_cache = self._forward_steps(projected, recurrent, initial_states)
        outputs = sigmoid(hidden.reshape(T * N, H) @ output_weights[:H] + output_weights[H]).reshape(T, N, K)

        for state_name, state in zip(self.buffer_names, final_states, strict=True):
            setattr(self, state_name, np.array(state[0] if single else state))
        self.hidden_states = _read_only_view(hidden, single)
        self._record(step_cache, single)
        self._cache = {
            "single": single,
            "dtype": dtype,
            "input_shape": x.shape,
            "output_shape": (T, K) if single else (N, T, K),
            "inputs": inputs,
            "weights": weights,
            "output_weights": output_weights,
            "initial_states": initial_states,
            "hidden": hidden,
            "outputs": outputs,
            "steps": step_cache,
        }
        return np.array(outputs[:, 0] if single else outputs.transpose(1, 0, 2), order="C")

    def backward(self, error_tensor):
        require_forward(self, self._cache)
        cache = self._cache
        D, H = self.input_size, self.hidden_size
        error = check_error_shape(self, error_tensor, cache["output_shape"]).astype(cache["dtype"], copy=False)
        error = error[:, np.newaxis] if cache["single"] else error.transpose(1, 0, 2)
        T, N, K = error.shape
        weights, output_weights = cache["weights"], cache["output_weights"]
        hidden, outputs = cache["hidden"], cache["outputs"]

        # Output layer, all steps at once: dz_y = E ⊙ y ⊙ (1 − y).
        output_error = (error * outputs * (1 - outputs)).reshape(T * N, K)
        flat_hidden = hidden.reshape(T * N, H)
        gradient_output_weights = np.empty(self._output_weights_shape, dtype=cache["dtype"])
        gradient_output_weights[:H] = flat_hidden.T @ output_error
        gradient_output_weights[H] = output_error.sum(axis=0)
        # np.dot, not @: for K = 1 this is an outer product, which matmul computes in a slow loop, not BLAS.
        hidden_error = self._work_array("hidden_error", (T, N, H), cache["dtype"])
        np.dot(output_error, output_weights[:H].T, out=hidden_error.reshape(T * N, H))

        # The loop over time (subclass), then the weight gradients of all steps at once.
        projected_error, hidden_gradients = self._backward_steps(hidden_error, weights[D : D + H], cache)
        G = projected_error.shape[2]
        flat_projected_error = projected_error.reshape(T * N, G)
        gradient_weights = np.empty(self._weights_shape, dtype=cache["dtype"])
        np.matmul(cache["inputs"].reshape(T * N, D).T, flat_projected_error, out=gradient_weights[:D])
        # The input of step t is h_{t−1}: h_1 … h_{T−1} for the steps 2 … T, and for step 1 the (carried
        # or zero) initial state.
        np.matmul(hidden[:-1].reshape(-1, H).T, projected_error[1:].reshape(-1, G), out=gradient_weights[D : D + H])
        gradient_weights[D : D + H] += cache["initial_states"][0].T @ projected_error[0]
        np.add.reduce(flat_projected_error, axis=0, out=gradient_weights[D + H])
        input_error = self._input_error(flat_projected_error, weights[:D], cache) if self.needs_input_gradient else None

        self.hidden_gradient_norms = np.sqrt(np.einsum("tnh,tnh->t", hidden_gradients, hidden_gradients))
        self._apply_update("weights", gradient_weights)
        self._apply_update("output_weights", gradient_output_weights)
        return input_error

    # --------------------------------------------------------------------------------------------- helpers

    @staticmethod
    def _input_error(flat_projected_error, input_weights, cache):
        """dL/dx_t = da_t W[:D]ᵀ for all steps in one product, in the layout of the input ((N, T, D) or (N, D))."""
        T, N, _ = cache["hidden"].shape
        input_error = (flat_projected_error @ input_weights.T).reshape(T, N, -1)
        return np.array(input_error[:, 0] if cache["single"] else input_error.transpose(1, 0, 2), order="C")

    def _initial_states(self, batch, dtype, input_shape):
        """The (N, H) states the recurrence starts from: zeros, or with ``memorize`` the carried ones."""
        name, H = type(self).__name__, self.hidden_size
        states = []
        for state_name in self.buffer_names:
            carried = getattr(self, state_name) if self.memorize else None
            if carried is None:
                states.append(np.zeros((batch, H), dtype=dtype))
                continue
            carried = np.asarray(carried)
            if carried.ndim == 1:
                carried = check_array_shape(name, state_name, carried, (H,))[np.newaxis]
            elif carried.ndim == 2 and carried.shape[0] != batch:
                raise ValueError(
                    f"{name} memorize is on and {state_name} carries the state of {carried.shape[0]} sequence(s), "
                    f"but input_tensor of shape {describe_shape(input_shape)} holds {batch}; keep the batch size "
                    f"fixed between calls, or call reset_state() to start again from zeros"
                )
            states.append(check_array_shape(name, state_name, carried, (batch, H)).astype(dtype, copy=False))
        return tuple(states)

    def _forward_steps(self, projected, recurrent, initial_states):
        """Run the recurrence; return hidden (T, N, H), the final states and what backward needs.

        ``projected`` (T, N, G·H) holds x_t W[:D] + b for every step; it is a work array, so what backward
        needs from it must be copied or computed from it.
        """
        raise NotImplementedError

    def _backward_steps(self, hidden_error, recurrent, cache):
        """Back-propagate through time; return dL/d(pre-activation) (T, N, G·H) and dL/dh_t (T, N, H).

        Both results may be work arrays of the layer (``_work_array``): ``backward`` uses them before it returns.
        """
        raise NotImplementedError

    def _record(self, step_cache, single):
        """Store further records of the last forward (LSTM: cell states and gates)."""


class RNN(RecurrentLayer):
    """Elman recurrent layer: a tanh hidden layer fed back into itself, with a sigmoid output layer.

    Forward, for t = 1 … T (h_0 = 0, or the carried state when ``memorize`` is on)::

        h_t = tanh([x_t, h_{t−1}, 1] W_h)          (row vectors times the (D + H + 1, H) matrix W_h)
        y_t = σ([h_t, 1] W_y)

    Backward (full back-propagation through time over the last forward's sequence), with E_t = dL/dy_t::

        dz_t   = E_t ⊙ y_t ⊙ (1 − y_t)                          output pre-activation
        dh_t   = dz_t W_y[:H]ᵀ + da_{t+1} W_h[D:D+H]ᵀ            (da_{T+1} = 0)
        da_t   = dh_t ⊙ (1 − h_t²)                               hidden pre-activation
        dL/dx_t = da_t W_h[:D]ᵀ
        dL/dW_h = Σ_t [x_t, h_{t−1}, 1]ᵀ da_t,    dL/dW_y = Σ_t [h_t, 1]ᵀ dz_t

    Parameters
    ----------
    input_size : int
        D, features per time step.
    hidden_size : int
        H, hidden units.
    output_size : int
        K, outputs per time step; each lies in (0, 1) (scale regression targets, or stack layers on top).
    memorize : bool, optional
        Keyword-only: initial value of the ``memorize`` property (False).

    Attributes
    ----------
    weights : ndarray, shape (D + H + 1, H)
        W_h: rows for x, then rows for h_{t−1}, then the bias row. Assignable; filled with U[0, 1) at
        construction; its shape is checked when ``forward`` uses it.
    output_weights : ndarray, shape (H + 1, K)
        W_y: rows for h_t, then the bias row. Assignable, like ``weights``.
    gradient_weights, gradient_output_weights : ndarray
        dL/dW_h and dL/dW_y of the last ``backward``, summed over all time steps and all sequences.
        ``backward`` updates each array once with its own copy of ``optimizer`` (when one is set).
    memorize : bool
        False (default): every ``forward`` starts from zeros. True: it starts from ``hidden_state``.
    hidden_state : ndarray or None
        The state the last ``forward`` ended with, shape (H,) after a 2-D input and (N, H) after a 3-D
        one; None before the first forward and after ``reset_state()``. Listed in ``buffer_names``.
    hidden_states : ndarray
        Record of h_1 … h_T of the last forward, (T, H) or (N, T, H); read-only.
    hidden_gradient_norms : ndarray, shape (T,)
        After ``backward``: ‖dL/dh_t‖₂ per time step (the total gradient reaching h_t, from y_t and from
        the future). For a batch it is the norm of the whole (N, H) block of step t, i.e. the square root
        of the sum over the sequences of their squared norms. Plot it to see gradients vanish.

    Shapes
    ------
    forward: (T, D) -> (T, K) for one sequence, (N, T, D) -> (N, T, K) for a batch.
    backward: the output's shape -> the input's shape.

    Notes
    -----
    The input projection x_t W_h[:D] of all steps is one (N·T, D) x (D, H) matmul, the output layer
    one (N·T, H) x (H, K) matmul; only the recurrence loops over time. Computation runs in the input's
    dtype (float32 stays float32).
    """

    def _forward_steps(self, projected, recurrent, initial_states):
        hidden = np.empty_like(projected)
        previous = initial_states[0]
        for t in range(projected.shape[0]):
            # Written straight into the record: a_t = h_{t−1} W_hh + (x_t W_hx + b), then tanh in place.
            np.matmul(previous, recurrent, out=hidden[t])
            hidden[t] += projected[t]
            np.tanh(hidden[t], out=hidden[t])
            previous = hidden[t]
        return hidden, (hidden[-1],), {}

    def _backward_steps(self, hidden_error, recurrent, cache):
        hidden = cache["hidden"]
        dtype = hidden.dtype
        derivative = np.multiply(hidden, hidden, out=self._work_array("derivative", hidden.shape, dtype))
        np.subtract(1, derivative, out=derivative)  # tanh'(a_t) = 1 − h_t²
        recurrent_transposed = np.ascontiguousarray(recurrent.T)
        hidden_gradients = self._work_array("hidden_gradients", hidden.shape, dtype)
        projected_error = self._work_array("projected_error", hidden.shape, dtype)
        from_future = np.zeros_like(hidden_error[0])  # reused by every step
        for t in range(hidden_error.shape[0] - 1, -1, -1):
            np.add(hidden_error[t], from_future, out=hidden_gradients[t])
            np.multiply(hidden_gradients[t], derivative[t], out=projected_error[t])
            if t > 0:  # the carried state h_0 is a constant (truncated BPTT)
                np.matmul(projected_error[t], recurrent_transposed, out=from_future)
        return projected_error, hidden_gradients
