"""Centred-difference gradient checks for any layer or stack of layers.

The analytical gradients a layer computes in ``backward`` are compared with numerical ones,

    dL/dθ_i  ≈  (L(θ + h e_i) - L(θ - h e_i)) / (2 h),

for the input and for every trainable array of every layer, in float64. The report gives, per array,
the largest relative error over its elements,

    max_i |a_i - n_i| / max(|a_i|, |n_i|, floor, relative_floor · max_j |a_j|),

where ``a`` is analytical and ``n`` numerical. The two floors keep elements whose gradient is (nearly) zero
from dividing by rounding noise: an element a thousand times smaller than the array's largest gradient
(BatchNormalization's input gradients, which sum to zero per channel, have many) is measured against that
thousandth instead of against itself.

The numerical side carries rounding noise of about machine-epsilon · |L| / h. When a layer saturates
(tanh or sigmoid units driven far from zero, as U[0, 1) weights on many inputs do) its true gradients can be
smaller than that noise; check such layers with Xavier-initialized weights.

Non-finite gradients fail: an element whose analytical or numerical gradient is NaN or infinite counts as
an error of ``inf``, so a backward that returns NaN is never reported as exact.

Parameters of any dtype are checked in float64. float32 (or integer) parameters are replaced by float64
copies for the check and put back afterwards, and the input is converted to float64. The check asks whether
``backward`` implements the formulas of ``forward``; in float32 the finite difference itself would be wrong:
the perturbed value θ ± h is rounded to float32's spacing (about 6e-8 near 1, a relative error of 0.6 % of
h = 1e-5), and the loss carries rounding noise of eps32 · |L| / h, so correct float32 layers would raise
false alarms of 1e-3 (a larger step trades that for truncation error of order h²). The layers keep the dtype
of their input (DESIGN §3), so they run the same code in float64; the default ``step`` and ``tolerance``
are float64's.

Randomness is frozen: NumPy's global random state (and the ``rng`` Generator of any layer that has one)
is restored before every forward pass, so Dropout draws the same mask each time. Layer buffers
(BatchNormalization's moving statistics, a remembered RNN state) are restored too, so every evaluation
starts from the same state. Optimizers are detached while checking, so nothing is updated.
"""

import contextlib
import copy

import numpy as np

from rnnreg.network import parameter_names
from rnnreg.validation import as_float_array, check_non_negative_number, check_positive_number


class LinearProbeLoss:
    """The loss L = sum(R * y) with fixed random weights R: every output element gets its own gradient."""

    def __init__(self, output_shape, seed=0):
        self.probe = np.random.default_rng(seed).standard_normal(output_shape)

    def forward(self, prediction_tensor, label_tensor=None):
        return float(np.sum(self.probe * prediction_tensor))

    def backward(self, label_tensor=None):
        return self.probe.copy()


class GradientReport(dict):
    """The max relative error per array, ``{"input": err, "layers[0].weights": err, ...}``, and the verdict.

    A plain dict of floats (it prints as one) with three more attributes: ``tolerance``, ``failed`` (the
    names whose error is above the tolerance or not finite, in order) and ``passed`` (no name failed).
    """

    def __init__(self, errors, tolerance):
        super().__init__(errors)
        self.tolerance = tolerance
        # ``not error <= tolerance`` is also True for NaN, which a plain ``error > tolerance`` would pass.
        self.failed = [name for name, error in errors.items() if not error <= tolerance]

    @property
    def passed(self):
        """True when every array's error is finite and at most ``tolerance``."""
        return not self.failed


def check_gradients(
    layers,
    input_tensor,
    label_tensor=None,
    loss_layer=None,
    *,
    step=1e-5,
    floor=1e-8,
    relative_floor=1e-3,
    tolerance=1e-6,
):
    """Compare analytical and numerical gradients of ``layers`` and report the error per array.

    Parameters
    ----------
    layers : BaseLayer or list of BaseLayer
        One layer or a stack applied in order.
    input_tensor : array_like
        Input of the first layer (at least one element); converted to float64.
    label_tensor : array_like, optional
        Labels for ``loss_layer``.
    loss_layer : object, optional
        Anything with ``forward(prediction, label)`` returning a scalar and ``backward(label)``, such as
        ``CrossEntropyLoss``. Without one, a fixed random linear loss ``sum(R * output)`` is used.
    step : float
        The finite-difference step h (finite, > 0). The default suits float64, in which the check runs.
    floor : float
        Smallest denominator of the relative error (finite, > 0).
    relative_floor : float
        Smallest denominator as a fraction of the array's largest analytical gradient (finite, >= 0).
    tolerance : float
        The largest error that passes (finite, > 0); it only decides ``passed`` and ``failed``.

    Returns
    -------
    GradientReport
        A dict ``{"input": err, "layers[0].weights": err, ...}`` of the max relative error of each array
        (``inf`` where a gradient is NaN or infinite), with ``passed``, ``failed`` and ``tolerance``.

    Raises
    ------
    TypeError
        ``step``, ``floor``, ``relative_floor`` or ``tolerance`` is not a real number; ``input_tensor`` is
        not numeric; an entry of ``layers`` or ``loss_layer`` has no ``forward`` and ``backward``; a
        backward returns no array.
    ValueError
        One of those numbers is NaN, infinite or out of its range; ``input_tensor`` is empty; ``layers`` is
        empty; a gradient's shape differs from its array's; the loss is not one number.
    """
    stack = _checked_stack(layers)
    if loss_layer is not None and not all(callable(getattr(loss_layer, m, None)) for m in ("forward", "backward")):
        raise TypeError(
            f"check_gradients loss_layer must have forward(prediction, label) and backward(label), "
            f"got {loss_layer!r} ({type(loss_layer).__name__})"
        )
    step = check_positive_number("check_gradients step", step)
    floor = check_positive_number("check_gradients floor", floor)
    relative_floor = check_non_negative_number("check_gradients relative_floor", relative_floor)
    tolerance = check_positive_number("check_gradients tolerance", tolerance)
    inputs = as_float_array("check_gradients input_tensor", input_tensor).astype(np.float64)
    if inputs.size == 0:
        raise ValueError(f"check_gradients input_tensor must hold at least one value, got shape {inputs.shape}")
    with _frozen(stack) as restore:
        restore()
        output = _forward(stack, inputs)
        if loss_layer is None:
            loss_layer = LinearProbeLoss(output.shape)
        _scalar_loss(loss_layer.forward(output, label_tensor))
        error = loss_layer.backward(label_tensor)
        for index in reversed(range(len(stack))):
            error = _gradient_array(f"layers[{index}].backward()", stack[index].backward(error))
        analytical = {"input": error}
        for index, layer in enumerate(stack):
            for name in parameter_names(layer):
                gradient = getattr(layer, f"gradient_{name}", None)
                analytical[f"layers[{index}].{name}"] = _gradient_array(f"layers[{index}].gradient_{name}", gradient)

        def loss_of_current_values():
            restore()
            return _scalar_loss(loss_layer.forward(_forward(stack, inputs), label_tensor))

        def compare(name, array):
            exact = analytical[name]
            largest = np.max(np.abs(exact), initial=0.0, where=np.isfinite(exact))
            scale = max(floor, relative_floor * float(largest))
            return _compare(name, exact, array, loss_of_current_values, step, scale)

        errors = {"input": compare("input", inputs)}
        for index, layer in enumerate(stack):
            for name in parameter_names(layer):
                errors[f"layers[{index}].{name}"] = compare(f"layers[{index}].{name}", getattr(layer, name))
    return GradientReport(errors, tolerance)


def _checked_stack(layers):
    """``layers`` as a list, each entry checked to be a layer with ``forward`` and ``backward``."""
    stack = list(layers) if isinstance(layers, (list, tuple)) else [layers]
    if not stack:
        raise ValueError("check_gradients layers must hold at least one layer, got an empty list")
    for index, layer in enumerate(stack):
        if not all(callable(getattr(layer, method, None)) for method in ("forward", "backward")):
            raise TypeError(
                f"check_gradients layers[{index}] must be a layer with forward and backward, "
                f"got {layer!r} ({type(layer).__name__})"
            )
    return stack


def _scalar_loss(value):
    """The loss as a float; an array (a loss not summed over the batch) would broadcast, so it is refused."""
    if np.ndim(value) != 0:
        raise ValueError(
            f"check_gradients loss_layer.forward must return one number, got an array of shape {np.shape(value)}"
        )
    return float(value)


def _gradient_array(where, gradient):
    """A gradient as a float64 array; a backward that returned nothing (or no numbers) is a TypeError."""
    if gradient is None:
        raise TypeError(f"check_gradients: {where} returned None instead of a gradient array")
    return as_float_array(f"check_gradients: {where}", gradient).astype(np.float64)


def _forward(stack, tensor):
    for layer in stack:
        tensor = layer.forward(tensor)
    return tensor


def _compare(name, analytical, array, loss, step, floor):
    """Perturb ``array`` in place element by element and return the max relative error (inf if not finite)."""
    if analytical.shape != array.shape:
        raise ValueError(
            f"check_gradients: the gradient of {name} has shape {analytical.shape}, its array {array.shape}"
        )
    flat = array.reshape(-1)
    exact = analytical.reshape(-1)
    worst = 0.0
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + step
        upper = loss()
        flat[i] = original - step
        lower = loss()
        flat[i] = original
        numerical = (upper - lower) / (2 * step)
        if not (np.isfinite(exact[i]) and np.isfinite(numerical)):
            return float("inf")  # a NaN or infinite gradient is as wrong as it gets; max() would drop a NaN
        scale = max(abs(exact[i]), abs(numerical), floor)
        worst = max(worst, abs(exact[i] - numerical) / scale)
    return float(worst)


@contextlib.contextmanager
def _frozen(stack):
    """Freeze randomness, buffers and optimizers of ``stack``; yield a function that restores them.

    Every parameter is swapped for a float64 copy (its own contiguous array, which the check perturbs in
    place) and the layer gets its original array back at the end.
    """
    global_state = np.random.get_state()
    generators = [layer.rng for layer in stack if isinstance(getattr(layer, "rng", None), np.random.Generator)]
    generator_states = [copy.deepcopy(generator.bit_generator.state) for generator in generators]
    buffers = [(layer, name, copy.deepcopy(getattr(layer, name, None)))
               for layer in stack for name in getattr(layer, "buffer_names", ())]
    optimizers = [(layer, layer.optimizers) for layer in stack if hasattr(layer, "optimizers")]
    parameters = [(layer, name, getattr(layer, name)) for layer in stack for name in parameter_names(layer)]

    def restore():
        np.random.set_state(global_state)
        for generator, state in zip(generators, generator_states, strict=True):
            generator.bit_generator.state = copy.deepcopy(state)
        for layer, name, value in buffers:
            setattr(layer, name, copy.deepcopy(value))

    try:
        for layer, _ in optimizers:
            layer.optimizers = {}
        for layer, name, value in parameters:
            setattr(layer, name, np.array(value, dtype=np.float64))
        yield restore
    finally:
        restore()
        for layer, saved in optimizers:
            layer.optimizers = saved
        for layer, name, value in parameters:
            setattr(layer, name, value)
