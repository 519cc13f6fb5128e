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

Randomness is frozen: NumPy's global random state (and the ``rng`` Generator of any layer that has one)
is restored before every forward pass, so Dropout draws the same mask each time. Layer buffers
(BatchNormalization's moving statistics, a remembered RNN state) are restored too, so every evaluation
starts from the same state. Optimizers are detached while checking, so nothing is updated.
"""

import contextlib
import copy

import numpy as np

from rnnreg.validation import as_float_array


class LinearProbeLoss:
    """The loss L = sum(R * y) with fixed random weights R: every output element gets its own gradient."""

    def __init__(self, output_shape, seed=0):
        self.probe = np.random.default_rng(seed).standard_normal(output_shape)

    def forward(self, prediction_tensor, label_tensor=None):
        return float(np.sum(self.probe * prediction_tensor))

    def backward(self, label_tensor=None):
        return self.probe.copy()


def check_gradients(
    layers, input_tensor, label_tensor=None, loss_layer=None, *, step=1e-5, floor=1e-8, relative_floor=1e-3
):
    """Compare analytical and numerical gradients of ``layers`` and report the error per array.

    Parameters
    ----------
    layers : BaseLayer or list of BaseLayer
        One layer or a stack applied in order.
    input_tensor : array_like
        Input of the first layer; converted to float64.
    label_tensor : array_like, optional
        Labels for ``loss_layer``.
    loss_layer : object, optional
        Anything with ``forward(prediction, label)`` returning a scalar and ``backward(label)``, such as
        ``CrossEntropyLoss``. Without one, a fixed random linear loss ``sum(R * output)`` is used.
    step : float
        The finite-difference step h.
    floor : float
        Smallest denominator of the relative error.
    relative_floor : float
        Smallest denominator as a fraction of the array's largest analytical gradient.

    Returns
    -------
    dict
        ``{"input": err, "layers[0].weights": err, ...}``: the max relative error of each array.
    """
    stack = list(layers) if isinstance(layers, (list, tuple)) else [layers]
    inputs = as_float_array("input_tensor", input_tensor).astype(np.float64)
    with _frozen(stack) as restore:
        restore()
        output = _forward(stack, inputs)
        if loss_layer is None:
            loss_layer = LinearProbeLoss(output.shape)
        loss_layer.forward(output, label_tensor)
        error = loss_layer.backward(label_tensor)
        for layer in reversed(stack):
            error = layer.backward(error)
        analytical = {"input": np.array(error, dtype=np.float64)}
        for index, layer in enumerate(stack):
            for name in layer.parameter_names:
                analytical[f"layers[{index}].{name}"] = np.array(getattr(layer, f"gradient_{name}"), np.float64)

        def loss_of_current_values():
            restore()
            return loss_layer.forward(_forward(stack, inputs), label_tensor)

        def compare(exact, array):
            scale = max(floor, relative_floor * float(np.max(np.abs(exact), initial=0.0)))
            return _compare(exact, array, loss_of_current_values, step, scale)

        report = {"input": compare(analytical["input"], inputs)}
        for index, layer in enumerate(stack):
            for name in layer.parameter_names:
                key = f"layers[{index}].{name}"
                report[key] = compare(analytical[key], getattr(layer, name))
    return report


def _forward(stack, tensor):
    for layer in stack:
        tensor = layer.forward(tensor)
    return tensor


def _compare(analytical, array, loss, step, floor):
    """Perturb ``array`` in place element by element and return the max relative error."""
    if analytical.shape != array.shape:
        raise ValueError(f"gradient of shape {analytical.shape} does not match its array of shape {array.shape}")
    worst = 0.0
    flat = array.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("gradient check needs arrays that can be perturbed in place (contiguous arrays)")
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + step
        upper = loss()
        flat[i] = original - step
        lower = loss()
        flat[i] = original
        numerical = (upper - lower) / (2 * step)
        exact = analytical.reshape(-1)[i]
        scale = max(abs(exact), abs(numerical), floor)
        worst = max(worst, abs(exact - numerical) / scale)
    return worst


@contextlib.contextmanager
def _frozen(stack):
    """Freeze randomness, buffers and optimizers of ``stack``; yield a function that restores them."""
    global_state = np.random.get_state()
    generators = [layer.rng for layer in stack if isinstance(getattr(layer, "rng", None), np.random.Generator)]
    generator_states = [copy.deepcopy(generator.bit_generator.state) for generator in generators]
    buffers = [
        (layer, name, copy.deepcopy(getattr(layer, name, None))) for layer in stack for name in layer.buffer_names
    ]
    optimizers = [(layer, layer.optimizers) for layer in stack if hasattr(layer, "optimizers")]
    for layer, _ in optimizers:
        layer.optimizers = {}

    def restore():
        np.random.set_state(global_state)
        for generator, state in zip(generators, generator_states, strict=True):
            generator.bit_generator.state = copy.deepcopy(state)
        for layer, name, value in buffers:
            setattr(layer, name, copy.deepcopy(value))

    try:
        yield restore
    finally:
        restore()
        for layer, saved in optimizers:
            layer.optimizers = saved
