"""The fully connected (dense) layer."""

import numpy as np

from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import (
    check_array_shape,
    check_array_size,
    check_error_shape,
    check_input,
    check_positive_int,
    require_forward,
)


class FullyConnected(TrainableLayer):
    """y = [x, 1] W: an affine map whose bias is the last row of ``weights``.

    Parameters
    ----------
    input_size : int
        D, features per sample.
    output_size : int
        K, outputs per sample.

    Attributes
    ----------
    weights : ndarray, shape (D + 1, K)
        Weight rows followed by the bias row; assignable, and exactly what ``forward`` uses.
    gradient_weights : ndarray, shape (D + 1, K)
        dL/dW from the last ``backward``: [x, 1]ᵀ E.

    Shapes
    ------
    forward: (N, D) -> (N, K);  backward: (N, K) -> (N, D), dL/dx = E W[:D]ᵀ.

    Notes
    -----
    With W = [W_x; b] (D weight rows, then the bias row b), the product [x, 1] W splits into

        y = x W_x + b,    dL/dW_x = xᵀ E,    dL/db = Σ_n E_n,    dL/dx = E W_xᵀ,

    which is what the code computes: the same numbers without building the (N, D + 1) matrix [x, 1].
    Computation runs in the input's floating dtype (float32 inputs stay float32).
    """

    def __init__(self, input_size, output_size):
        super().__init__()
        self.input_size = check_positive_int("FullyConnected input_size", input_size)
        self.output_size = check_positive_int("FullyConnected output_size", output_size)
        shape = check_array_size("FullyConnected", "weights", (self.input_size + 1, self.output_size))
        self.weights = np.random.random_sample(shape)
        self.gradient_weights = None
        self._input = None
        self._weights = None

    def initialize(self, weights_initializer, bias_initializer):
        """Draw the weight rows and the bias row from the two initializers."""
        shape = (self.input_size, self.output_size)
        weights = weights_initializer.initialize(shape, self.input_size, self.output_size)
        bias = bias_initializer.initialize((1, self.output_size), self.input_size, self.output_size)
        self.weights = np.vstack([weights, bias])

    def forward(self, input_tensor):
        x = check_input(self, input_tensor, [("batch", self.input_size)])
        weights = check_array_shape("FullyConnected", "weights", self.weights, (self.input_size + 1, self.output_size))
        weights = weights.astype(x.dtype, copy=False)
        # Our own copy of x: the caller may change their array before backward.
        self._input = x.copy()
        self._weights = weights
        return x @ weights[:-1] + weights[-1]  # y = x W_x + b

    def backward(self, error_tensor):
        require_forward(self, self._input)
        x = self._input
        error = check_error_shape(self, error_tensor, (x.shape[0], self.output_size)).astype(x.dtype, copy=False)
        # dL/dx = E W_xᵀ, with the weights of the forward pass (the update below replaces them).
        error_input = error @ self._weights[:-1].T
        # dL/dW = [dL/dW_x; dL/db] = [xᵀ E; Σ_n E_n]
        gradient_weights = np.vstack([x.T @ error, error.sum(axis=0)])
        self._apply_update("weights", gradient_weights)
        return error_input

    def config(self):
        return {"input_size": self.input_size, "output_size": self.output_size}
