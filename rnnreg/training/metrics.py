"""Accuracy measures for the History: prediction and labels in, a fraction in [0, 1] out."""

import numpy as np


def accuracy(prediction, labels):
    """Fraction of samples whose largest prediction is at the one-hot label's position.

    Shapes: (N, K) or (N, T, K) for both; sequences count every time step as a sample.
    """
    prediction, labels = np.asarray(prediction), np.asarray(labels)
    return float(np.mean(np.argmax(prediction, axis=-1) == np.argmax(labels, axis=-1)))


def binary_accuracy(prediction, labels, threshold=0.5):
    """Fraction of elements on the same side of ``threshold`` as their 0/1 target (sigmoid outputs).

    Shapes: any matching shapes, such as (N, 1) for the memory task read out by ``LastTimeStep``.
    """
    prediction, labels = np.asarray(prediction), np.asarray(labels)
    return float(np.mean((prediction > threshold) == (labels > threshold)))


def r_squared(prediction, targets):
    """Coefficient of determination R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)², for value targets.

    1 is a perfect fit; 0 is no better than always answering the mean of the targets; it can be negative.
    Shapes: any matching shapes; every element counts.
    """
    prediction, targets = np.asarray(prediction), np.asarray(targets)
    return float(1 - np.sum((prediction - targets) ** 2) / np.sum((targets - targets.mean()) ** 2))
