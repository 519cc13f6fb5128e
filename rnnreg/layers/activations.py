"""Element-wise activations and SoftMax.

Each caches its output (or its input, for ReLU) in ``forward`` because that is all ``backward`` needs.
"""

import numpy as np

from rnnreg.layers.base import BaseLayer
from rnnreg.validation import as_float_array, check_error_shape, check_input, require_forward


def sigmoid(z, out=None):
    """Logistic function σ(z) = 1 / (1 + e^(−z)), without overflow for large |z|.

    With e = e^(−|z|) (an exponent ≤ 0, so nothing overflows) it is σ(z) = 1 / (1 + e) for z ≥ 0 and
    σ(z) = e / (1 + e) for z < 0 (multiply numerator and denominator by e^z); both tails keep full
    relative precision (σ(−40) ≈ 4.2e-18, not 0), and one exponential serves both. The dtype of ``z``
    is kept; ``out`` (which may be ``z`` itself) receives the result.
    """
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    e = np.abs(z, out=np.empty_like(z))
    np.negative(e, out=e)
    np.exp(e, out=e)
    # The numerator, 1 where z ≥ 0 and e where z < 0, as max(e, [z ≥ 0]): e ≤ 1 always (NaN stays NaN).
    # The indicator is written straight into the result array (no boolean temporary, no cast in maximum).
    numerator = np.greater_equal(z, 0, out=np.empty_like(z) if out is None else out)
    np.maximum(e, numerator, out=numerator)
    e += 1  # the denominator 1 + e
    numerator /= e
    return numerator


class _ElementwiseActivation(BaseLayer):
    """An activation applied element by element; accepts any shape."""

    def __init__(self):
        super().__init__()
        self._cached = None

    def _checked_error(self, error_tensor):
        require_forward(self, self._cached)
        return check_error_shape(self, error_tensor, self._cached.shape)


class ReLU(_ElementwiseActivation):
    """y = max(0, x);  dL/dx = E ⊙ [x > 0].  Shapes: any -> same."""

    def forward(self, input_tensor):
        self._cached = as_float_array("ReLU input_tensor", input_tensor)
        return np.maximum(self._cached, 0)

    def backward(self, error_tensor):
        error = self._checked_error(error_tensor)
        return error * (self._cached > 0)


class TanH(_ElementwiseActivation):
    """y = tanh(x);  dL/dx = E ⊙ (1 − y²).  Shapes: any -> same."""

    def forward(self, input_tensor):
        self._cached = np.tanh(as_float_array("TanH input_tensor", input_tensor))
        return self._cached

    def backward(self, error_tensor):
        error = self._checked_error(error_tensor)
        return error * (1 - self._cached**2)


class Sigmoid(_ElementwiseActivation):
    """y = 1 / (1 + e^−x);  dL/dx = E ⊙ y (1 − y).  Shapes: any -> same."""

    def forward(self, input_tensor):
        self._cached = sigmoid(as_float_array("Sigmoid input_tensor", input_tensor))
        return self._cached

    def backward(self, error_tensor):
        error = self._checked_error(error_tensor)
        return error * self._cached * (1 - self._cached)


class SoftMax(_ElementwiseActivation):
    """Row-wise softmax: ŷ_k = e^{x_k − max x} / Σ_j e^{x_j − max x}.

    Subtracting the row maximum changes nothing mathematically and keeps e^x from overflowing.
    backward: dL/dx = ŷ ⊙ (E − Σ_j E_j ŷ_j), row by row.

    Shapes: (N, K) -> (N, K).
    """

    def forward(self, input_tensor):
        logits = check_input(self, input_tensor, [("batch", "classes")])
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        self._cached = shifted / shifted.sum(axis=1, keepdims=True)
        return self._cached

    def backward(self, error_tensor):
        error = self._checked_error(error_tensor)
        return self._cached * (error - np.add.reduce(error * self._cached, axis=1, keepdims=True))
