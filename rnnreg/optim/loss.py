"""Losses, summed over the batch (the exercise's convention): cross-entropy for classes, L2 for values."""

import numpy as np

from rnnreg.validation import as_float_array, require_forward


class CrossEntropyLoss:
    """L = −Σ_n Σ_k y_nk · ln(ŷ_nk + ε) with ε = machine epsilon, summed (not averaged) over the batch.

    ``forward(prediction_tensor, label_tensor)`` takes SoftMax probabilities ŷ and one-hot labels y and
    returns L; ``backward(label_tensor)`` returns dL/dŷ = −y / (ŷ + ε).

    Shapes: prediction and labels (N, K) (any matching shape works); backward returns their shape.

    ε is float64's machine epsilon (about 2.2e-16) whatever the dtype; the error tensor keeps the
    prediction's dtype (float32 predictions give a float32 error; ε is representable in float32).
    """

    epsilon = np.finfo(float).eps

    def __init__(self):
        self._prediction = None

    def forward(self, prediction_tensor, label_tensor):
        prediction = as_float_array("CrossEntropyLoss prediction_tensor", prediction_tensor)
        labels = self._checked_labels(label_tensor, prediction.shape)
        self._prediction = prediction
        return float(-np.sum(labels * np.log(prediction + prediction.dtype.type(self.epsilon))))

    def backward(self, label_tensor):
        require_forward(self, self._prediction)
        prediction = self._prediction
        labels = self._checked_labels(label_tensor, prediction.shape).astype(prediction.dtype, copy=False)
        # ε as a scalar of the prediction's dtype: a float64 NumPy scalar would promote float32 to float64.
        return -labels / (prediction + prediction.dtype.type(self.epsilon))

    def _checked_labels(self, label_tensor, prediction_shape):
        return _checked_labels(self, label_tensor, prediction_shape, "labels must be one-hot with one row per sample")

    def config(self):
        return {}


class L2Loss:
    """L = Σ (ŷ − y)², the sum of squared errors over every element of the batch.

    For regression and sequence targets, such as the outputs of RNN and LSTM (which lie in (0, 1), so
    scale targets into that range). ``backward(label_tensor)`` returns dL/dŷ = 2 (ŷ − y).

    Shapes: prediction and labels of any matching shape, (N, K) or (N, T, K); backward returns that shape,
    in the prediction's dtype.
    """

    def __init__(self):
        self._prediction = None

    def forward(self, prediction_tensor, label_tensor):
        prediction = as_float_array("L2Loss prediction_tensor", prediction_tensor)
        labels = _checked_labels(self, label_tensor, prediction.shape, "targets must match the prediction")
        self._prediction = prediction
        return float(np.sum(np.square(prediction - labels)))

    def backward(self, label_tensor):
        require_forward(self, self._prediction)
        prediction = self._prediction
        labels = _checked_labels(self, label_tensor, prediction.shape, "targets must match the prediction")
        return (2 * (prediction - labels)).astype(prediction.dtype, copy=False)

    def config(self):
        return {}


def _checked_labels(loss, label_tensor, prediction_shape, hint):
    name = type(loss).__name__
    labels = as_float_array(f"{name} label_tensor", label_tensor)
    if labels.shape != prediction_shape:
        raise ValueError(
            f"{name} label_tensor shape {labels.shape} does not match prediction shape {prediction_shape}: {hint}"
        )
    return labels
