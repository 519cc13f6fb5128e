"""Element-wise activations and SoftMax.

Each caches its output (or its input, for ReLU) in ``forward`` because that is all ``backward`` needs.
"""

import numpy as np

from rnnreg.layers.base import BaseLayer
from rnnreg.validation import as_float_array, check_error_shape, check_input, require_forward


def sigmoid(z):
    """Logistic function σ(z) = 1 / (1 + e^(−z)), returned as a new array, without overflow for large |z|.

    Written with e = e^(−|z|), whose exponent is ≤ 0 so nothing overflows:

        σ(z) = 1 / (1 + e)  for z ≥ 0,        σ(z) = e / (1 + e)  for z < 0

    (the second is the first with numerator and denominator multiplied by e^z). Both tails keep full
    relative precision (σ(−40) ≈ 4.2e-18, not 0), which the shorter 0.5·(1 + tanh(z/2)) would lose
    for z ≪ 0, and one exponential serves both cases. A NaN stays NaN. The dtype of ``z`` is kept
    (integers become float64).
    """
    z = as_float_array("sigmoid z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1, e) / (1 + e)


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
        self._cached = check_input(self, input_tensor)
        return np.maximum(self._cached, 0)

    def backward(self, error_tensor):
        error = self._checked_error(error_tensor)
        return error * (self._cached > 0)


class TanH(_ElementwiseActivation):
    """y = tanh(x);  dL/dx = E ⊙ (1 − y²).  Shapes: any -> same."""

    def forward(self, input_tensor):
        self._cached = np.tanh(check_input(self, input_tensor))
        return self._cached

    def backward(self, error_tensor):
        error = self._checked_error(error_tensor)
        return error * (1 - self._cached**2)


class Sigmoid(_ElementwiseActivation):
    """y = 1 / (1 + e^−x);  dL/dx = E ⊙ y (1 − y).  Shapes: any -> same."""

    def forward(self, input_tensor):
        self._cached = sigmoid(check_input(self, input_tensor))
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
        return self._cached * (error - (error * self._cached).sum(axis=1, keepdims=True))
