"""Dropout: which units a mask keeps, and what the same batch looks like in the train and the test phase."""

import numbers

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from rnnreg.viz._common import (
    as_float_array,
    check_positive_int,
    format_percent,
    format_scientific,
    legend_if_several,
    prepare_axes,
)
from rnnreg.viz.style import COLORS, projector_style

__all__ = ["plot_dropout_mask", "plot_phase_activations"]

DROPPED_COLOR = "#1F1F1F"
KEPT_COLOR = "#F2F2F2"


def _check_mask(mask):
    array = np.asarray(mask)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"mask must be a boolean array (True = unit kept), got dtype {array.dtype}")
    if array.ndim < 2:
        raise ValueError(f"mask must have shape (N, D) or (N, ...): one row per sample, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"mask must not be empty, got shape {array.shape}")
    if array.dtype.kind != "b":
        if not np.all((array == 0) | (array == 1)):
            raise ValueError("mask must hold booleans (or only 0 and 1): True / 1 = kept, False / 0 = dropped")
        array = array.astype(bool)
    return array.reshape(array.shape[0], -1)


def plot_dropout_mask(mask, *, ax=None, max_rows=32, probability=None):
    """A dropout mask as an image: kept units light, dropped units dark.

    Parameters
    ----------
    mask : array_like of bool, shape (N, D) or (N, ...)
        True where the unit is kept, e.g. ``Dropout.mask`` or ``DropoutMaskRecorder.masks[i]``; every sample
        is flattened to one row (N, D').
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    max_rows : int
        Show at most the first ``max_rows`` samples (the title counts the whole mask).
    probability : float, optional
        The layer's keep probability p (``Dropout.probability``); the title compares the kept share with it.
        Without it the title gives the kept share as the estimate of p.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _check_mask(mask)
    max_rows = check_positive_int(max_rows, "max_rows")
    if probability is not None:
        if isinstance(probability, bool) or not isinstance(probability, numbers.Real):
            raise TypeError(f"probability must be a number in (0, 1] or None, got {type(probability).__name__}")
        if not 0 < probability <= 1:
            raise ValueError(f"probability must be in (0, 1] (the fraction of units kept), got {probability!r}")
    kept = float(rows.mean())
    shown = rows[:max_rows]

    with projector_style():
        figure, ax = prepare_axes(ax)
        ax.imshow(
            shown, cmap=ListedColormap([DROPPED_COLOR, KEPT_COLOR]), vmin=0, vmax=1, aspect="auto",
            interpolation="nearest", extent=(-0.5, shown.shape[1] - 0.5, shown.shape[0] - 0.5, -0.5),
        )
        ax.grid(False)
        ax.set_xlabel(f"unit (of {rows.shape[1]})")
        which = f"first {shown.shape[0]} of {rows.shape[0]}" if shown.shape[0] < rows.shape[0] else f"{rows.shape[0]}"
        ax.set_ylabel(f"sample in the batch ({which})")
        if probability is None:
            ax.set_title(f"Kept {format_percent(kept)} of units (keep probability p ≈ {kept:.2f})")
        else:
            ax.set_title(f"Kept {format_percent(kept)} of units (keep probability p = {probability:.2f})")
        ax.legend(
            handles=[
                Patch(facecolor=KEPT_COLOR, edgecolor="black", label="kept"),
                Patch(facecolor=DROPPED_COLOR, edgecolor="black", label="dropped"),
            ],
            loc="upper left", bbox_to_anchor=(1.01, 1.0),
        )
    return figure


def plot_phase_activations(train_output, test_output, *, ax=None, bins=40):
    """The same batch through a layer in the train and in the test phase: two histograms and their means.

    Parameters
    ----------
    train_output, test_output : array_like, same shape (N, ...)
        The layer's output for one batch in the train phase (``testing_phase = False``) and in the test
        phase, e.g. of a Dropout layer: in the train phase dropped units are 0 and kept ones are divided by p;
        in the test phase the layer is the identity. Finite values.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    bins : int
        Number of bins, shared by both histograms.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Dashed vertical lines mark the two means; the title states them. Inverted dropout keeps the mean
    (in expectation), so the two lines nearly coincide while the histograms differ.
    """
    train = as_float_array(train_output, "train_output")
    test = as_float_array(test_output, "test_output")
    if train.shape != test.shape:
        raise ValueError(
            f"train_output and test_output must come from the same batch (same shape), got {train.shape} and "
            f"{test.shape}"
        )
    bins = check_positive_int(bins, "bins")
    edges, fractions, means = phase_histograms(train, test, bins)

    with projector_style():
        figure, ax = prepare_axes(ax)
        for phase, label in (("train", "train phase (dropout active)"), ("test", "test phase")):
            ax.stairs(fractions[phase], edges, color=COLORS[phase], linewidth=2.2, label=label)
            ax.axvline(means[phase], color=COLORS[phase], linestyle="--", linewidth=2)
        ax.set_xlabel("activation value")
        ax.set_ylabel("fraction of activations per bin")
        ax.set_title(phase_activations_title(means))
        legend_if_several(ax)
    return figure


def phase_histograms(train, test, bins):
    """``(edges, {phase: fraction per bin}, {phase: mean})`` of both phases' activations, on shared bins."""
    edges = np.histogram_bin_edges(np.concatenate([train.ravel(), test.ravel()]), bins=bins)
    outputs = {"train": train, "test": test}
    fractions = {phase: np.histogram(values, bins=edges)[0] / values.size for phase, values in outputs.items()}
    return edges, fractions, {phase: float(values.mean()) for phase, values in outputs.items()}


def phase_activations_title(means):
    """The title of ``plot_phase_activations``: both phases' mean activation."""
    return (f"Mean activation: train phase {format_scientific(means['train'], 3)}, "
            f"test phase {format_scientific(means['test'], 3)}")
