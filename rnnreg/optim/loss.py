"""Cross-entropy loss on top of SoftMax, summed over the batch (the exercise's convention)."""

import numpy as np

from rnnreg.validation import as_float_array, require_forward


class CrossEntropyLoss:
    """L = −Σ_n Σ_k y_nk · ln(ŷ_nk + ε) with ε = machine epsilon, summed (not averaged) over the batch.

    ``forward(prediction_tensor, label_tensor)`` takes SoftMax probabilities ŷ and one-hot labels y and
    returns L; ``backward(label_tensor)`` returns dL/dŷ = −y / (ŷ + ε).

    Shapes: prediction and labels (N, K) (any matching shape works); backward returns their shape.
    """

    epsilon = np.finfo(float).eps

    def __init__(self):
        self._prediction = None

    def forward(self, prediction_tensor, label_tensor):
        prediction = as_float_array("CrossEntropyLoss prediction_tensor", prediction_tensor)
        labels = self._checked_labels(label_tensor, prediction.shape)
        self._prediction = prediction
        return float(-np.sum(labels * np.log(prediction + self.epsilon)))

    def backward(self, label_tensor):
        require_forward(self, self._prediction)
        labels = self._checked_labels(label_tensor, self._prediction.shape)
        return -labels / (self._prediction + self.epsilon)

    @staticmethod
    def _checked_labels(label_tensor, prediction_shape):
        labels = as_float_array("CrossEntropyLoss label_tensor", label_tensor)
        if labels.shape != prediction_shape:
            raise ValueError(
                f"CrossEntropyLoss label_tensor shape {labels.shape} does not match prediction shape "
                f"{prediction_shape}: labels must be one-hot with one row per sample"
            )
        return labels

    def config(self):
        return {}
