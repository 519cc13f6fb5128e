"""Accuracy measures for the History: prediction and labels in, a fraction in [0, 1] out.

Every measure takes a prediction and labels of the same, non-empty shape: labels (N,) against a prediction
(N, K) would broadcast into a plausible but meaningless fraction, so they raise instead. Labels must be
finite numbers. A prediction may be NaN or infinite (a diverged network gives one): the accuracies count
such a sample as wrong (NumPy's argmax would put a NaN row's "largest" entry at position 0, and a chance-
level accuracy would hide the divergence); R² of such a prediction is undefined and raises.
"""

import numpy as np

from rnnreg.validation import as_float_array, check_finite_number


def _matching(function, prediction, labels, labels_name="labels"):
    """Both as float arrays of the same non-empty shape, the labels finite; anything else raises ValueError."""
    prediction = as_float_array(f"{function} prediction", prediction)
    labels = _finite(f"{function} {labels_name}", labels)
    if prediction.shape != labels.shape:
        raise ValueError(
            f"{function} prediction and {labels_name} must have the same shape, got {prediction.shape} and "
            f"{labels.shape}"
        )
    if prediction.size == 0:
        raise ValueError(f"{function} got an empty prediction of shape {prediction.shape}: nothing to measure")
    return prediction, labels


def _finite(name, values):
    array = as_float_array(name, values)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers, got {array.size - np.count_nonzero(np.isfinite(array))} "
                         "NaN or infinite entries")
    return array


def accuracy(prediction, labels):
    """Fraction of samples whose largest prediction is at the one-hot label's position.

    Shapes: (N, K) or (N, T, K) for both; sequences count every time step as a sample.

    A sample whose prediction holds NaN or infinity counts as wrong.

    Raises
    ------
    ValueError
        Shapes that differ, an empty prediction, or labels with NaN or infinite entries.
    """
    prediction, labels = _matching("accuracy", prediction, labels)
    right = np.argmax(prediction, axis=-1) == np.argmax(labels, axis=-1)
    return float(np.mean(right & np.isfinite(prediction).all(axis=-1)))


def binary_accuracy(prediction, labels, threshold=0.5):
    """Fraction of elements on the same side of ``threshold`` as their 0/1 target (sigmoid outputs).

    Shapes: any matching shapes, such as (N, 1) for the memory task read out by ``LastTimeStep``.
    An element whose prediction is NaN or infinite counts as wrong.

    Raises
    ------
    TypeError, ValueError
        Shapes that differ, an empty prediction, labels with NaN or infinite entries, or a threshold that is
        not a finite number.
    """
    threshold = check_finite_number("binary_accuracy threshold", threshold)
    prediction, labels = _matching("binary_accuracy", prediction, labels)
    # NaN > threshold is False, which would count a NaN as a right answer to every 0 target.
    right = (prediction > threshold) == (labels > threshold)
    return float(np.mean(right & np.isfinite(prediction)))


def r_squared(prediction, targets):
    """Coefficient of determination R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)², for value targets.

    1 is a perfect fit; 0 is no better than always answering the mean of the targets; it can be negative.
    Shapes: any matching shapes; every element counts.

    Raises
    ------
    ValueError
        Shapes that differ, no targets, NaN or infinite entries, or constant targets (Σ(y − ȳ)² = 0: R² is
        undefined, a division by zero would give NaN or −∞).
    """
    prediction, targets = _matching("r_squared", prediction, targets, "targets")
    _finite("r_squared prediction", prediction)
    spread = np.sum((targets - targets.mean()) ** 2)
    if spread == 0:
        raise ValueError(
            f"r_squared is undefined for constant targets (all {float(targets.flat[0])!r}): Σ(y − ȳ)² is 0"
        )
    return float(1 - np.sum((prediction - targets) ** 2) / spread)
