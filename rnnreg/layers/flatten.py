"""Flatten: turn images (or any per-sample tensor) into vectors for a fully connected layer."""

import math

from rnnreg.layers.base import BaseLayer
from rnnreg.validation import check_error_shape, check_input, require_forward


class Flatten(BaseLayer):
    """Reshape (N, d1, d2, ...) to (N, d1·d2·...) in forward and back in backward.

    Shapes: forward (N, C, Y, X) -> (N, C·Y·X); backward the reverse.
    """

    def __init__(self):
        super().__init__()
        self._input_shape = None

    def forward(self, input_tensor):
        tensor = check_input(self, input_tensor)
        if tensor.ndim < 1:
            raise ValueError(f"Flatten expected input_tensor of shape (batch, ...), got a scalar {tensor!r}")
        self._input_shape = tensor.shape
        return tensor.reshape(tensor.shape[0], -1)

    def backward(self, error_tensor):
        require_forward(self, self._input_shape)
        flat_shape = (self._input_shape[0], math.prod(self._input_shape[1:]))
        error = check_error_shape(self, error_tensor, flat_shape)
        return error.reshape(self._input_shape)
