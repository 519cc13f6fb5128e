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

    ``forward`` checks the domain of both, because outside it the formula gives a plausible number or NaN
    instead of an error: the prediction must hold probabilities in [0, 1] (raw scores before SoftMax would
    take the log of a negative number), and every label row must be a distribution, entries >= 0 summing
    to 1 (an all-zero row would silently contribute a loss of 0, class indices instead of one-hot rows a
    meaningless one). Soft labels (label smoothing) are distributions and pass.
    """

    epsilon = np.finfo(float).eps

    def __init__(self):
        self._prediction = None

    def forward(self, prediction_tensor, label_tensor):
        prediction = as_float_array("CrossEntropyLoss prediction_tensor", prediction_tensor)
        labels = self._checked_labels(label_tensor, prediction.shape)
        _check_probabilities(prediction)
        _check_distributions(labels)
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


def _tolerance(array):
    """Rounding room for sums of probabilities: 1e-6, or 100 ulps of 1 in a coarser dtype (float32: 1.2e-5)."""
    return max(1e-6, 100 * float(np.finfo(array.dtype).eps))


def _check_probabilities(prediction):
    """The prediction is SoftMax's output: values in [0, 1].

    NaN passes: it comes from a diverged network, and the training step reports that with its own advice.
    """
    low, high = float(prediction.min()), float(prediction.max())
    if low < 0 or high > 1 + _tolerance(prediction):
        raise ValueError(
            "CrossEntropyLoss prediction_tensor must hold probabilities in [0, 1] (SoftMax's output, not raw "
            f"scores), got values from {low!r} to {high!r}"
        )


def _check_distributions(labels):
    """Every label row (the last axis) is a distribution: finite entries >= 0 that sum to 1."""
    sums = labels.sum(axis=-1)
    distance = np.abs(sums - 1)
    if not np.isfinite(labels).all() or labels.min() < 0 or distance.max() > _tolerance(labels):
        worst = np.unravel_index(np.argmax(distance), sums.shape)
        raise ValueError(
            "CrossEntropyLoss label_tensor rows must be distributions (one-hot rows or soft labels: entries >= 0 "
            f"summing to 1), got entries from {float(labels.min())!r} to {float(labels.max())!r}; row "
            f"{', '.join(map(str, worst))} sums to {float(sums[worst])!r}"
        )


def _checked_labels(loss, label_tensor, prediction_shape, hint):
    name = type(loss).__name__
    labels = as_float_array(f"{name} label_tensor", label_tensor)
    if labels.shape != prediction_shape:
        raise ValueError(
            f"{name} label_tensor shape {labels.shape} does not match prediction shape {prediction_shape}: {hint}"
        )
    return labels
