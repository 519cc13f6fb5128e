"""The fully connected (dense) layer."""

import numpy as np

from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import check_array_shape, check_error_shape, check_input, check_positive_int, require_forward


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
    """

    def __init__(self, input_size, output_size):
        super().__init__()
        self.input_size = check_positive_int("FullyConnected input_size", input_size)
        self.output_size = check_positive_int("FullyConnected output_size", output_size)
        self.weights = np.random.random_sample((self.input_size + 1, self.output_size))
        self.gradient_weights = None
        self._augmented_input = None

    def initialize(self, weights_initializer, bias_initializer):
        """Draw the weight rows and the bias row from the two initializers."""
        shape = (self.input_size, self.output_size)
        weights = weights_initializer.initialize(shape, self.input_size, self.output_size)
        bias = bias_initializer.initialize((1, self.output_size), self.input_size, self.output_size)
        self.weights = np.vstack([weights, bias])

    def forward(self, input_tensor):
        x = check_input(self, input_tensor, [("batch", self.input_size)])
        weights = check_array_shape("FullyConnected", "weights", self.weights, (self.input_size + 1, self.output_size))
        self._augmented_input = np.hstack([x, np.ones((x.shape[0], 1), dtype=x.dtype)])
        return self._augmented_input @ weights

    def backward(self, error_tensor):
        require_forward(self, self._augmented_input)
        error = check_error_shape(self, error_tensor, (self._augmented_input.shape[0], self.output_size))
        error_input = error @ self.weights[:-1].T
        self._apply_update("weights", self._augmented_input.T @ error)
        return error_input

    def config(self):
        return {"input_size": self.input_size, "output_size": self.output_size}
