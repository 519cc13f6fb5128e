"""Layers that reshape sequences: many-to-one read-outs for recurrent nets."""

import numpy as np

from rnnreg.layers.base import BaseLayer
from rnnreg.validation import check_error_shape, check_input, require_forward


class LastTimeStep(BaseLayer):
    """Keep only the output of the last time step: a many-to-one read-out after RNN or LSTM.

    Tasks whose answer comes at the end of a sequence (the memory task, the adding problem) put this
    layer on top of a recurrent layer, so the loss sees y_T only. The error of the other steps is zero.

    Shapes
    ------
    forward: (N, T, K) -> (N, K); a single sequence (T, K) -> (1, K).
    backward: (N, K) -> (N, T, K) with zeros at t < T (or (1, K) -> (T, K)).
    """

    def __init__(self):
        super().__init__()
        self._input_shape = None

    def forward(self, input_tensor):
        tensor = check_input(self, input_tensor, [("time", "features"), ("batch", "time", "features")])
        if tensor.shape[-2] == 0:
            raise ValueError(f"LastTimeStep input_tensor has no time steps: shape {tensor.shape}")
        self._input_shape = tensor.shape
        return tensor[..., -1, :].reshape(-1, tensor.shape[-1]).copy()

    def backward(self, error_tensor):
        require_forward(self, self._input_shape)
        batch = 1 if len(self._input_shape) == 2 else self._input_shape[0]
        error = check_error_shape(self, error_tensor, (batch, self._input_shape[-1]))
        full = np.zeros(self._input_shape, dtype=error.dtype)
        full[..., -1, :] = error.reshape(full[..., -1, :].shape)
        return full
