"""Dropout: which units a mask keeps, what the same batch looks like in each phase, and dropout against overfitting.

- ``plot_dropout_mask``: a mask alone (kept light, dropped dark);
- ``plot_dropout_batch``: a batch of activations on a colour scale, the units a mask dropped drawn as grey
  cells with a cross, so they never look like the ReLU's zeros (the darkest colour);
- ``plot_phase_activations``: both phases' histograms; ``plot_mask_average``: the train phase averaged over
  many masks against the test phase, activation by activation;
- ``plot_seed_loss_curves`` and ``plot_seed_pairs``: training and validation loss of several seeds, without and
  with dropout (median and range over the seeds; every seed's final values).
"""

import numbers

import numpy as np
from matplotlib.colors import ListedColormap, PowerNorm, to_rgba
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from rnnreg.validation import check_positive_int, check_positive_number, check_size
from rnnreg.viz._common import (
    MAX_BINS,
    MAX_DRAWABLE,
    as_float_array,
    attach_colorbar,
    check_axis_limits,
    format_percent,
    format_scientific,
    legend_if_several,
    prepare_axes,
)
from rnnreg.viz.style import COLORS, SEQUENTIAL_CMAP, projector_style

__all__ = [
    "plot_dropout_batch",
    "plot_dropout_mask",
    "plot_mask_average",
    "plot_phase_activations",
    "plot_seed_loss_curves",
    "plot_seed_pairs",
]

DROPPED_COLOR = "#1F1F1F"
KEPT_COLOR = "#F2F2F2"
# In a batch of activations a dropped unit is a light grey cell with a dark cross: no colour of the
# activation scale (cividis runs from dark blue through grey-olive to yellow) is that light and neutral.
DROPPED_CELL = "#D4D4D4"
CROSS_COLOR = "#1F1F1F"
ROUND_STEPS = (1, 2, 5, 10)  # tick spacings: 0.5, 100, 2 rather than 0.4, 80, 1.6


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
    max_rows = check_positive_int("max_rows", max_rows)
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
        Number of bins (at most ``MAX_BINS``, 1,000), shared by both histograms.

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
    bins = check_size("bins", bins, MAX_BINS)
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


def _few_ticks(count):
    """At most five round positions (multiples of 1, 2, 5, 10, ...) from 0 below ``count``."""
    step = next(step for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if count <= 5 * step or step == 1000)
    return np.arange(0, count, step)


def _few_levels(top):
    """0, the top and up to two round values between: a colour bar's ticks (each one costs drawing time)."""
    inside = MaxNLocator(3, steps=ROUND_STEPS).tick_values(0, top)
    return np.unique(np.concatenate([[0.0], inside[(inside > 0) & (inside < top)], [top]]))


def plot_dropout_batch(activations, *, dropped=None, vmax=None, ax=None, title=None, colorbar=True):
    """A batch of activations as an image, one row per sample; the units a mask dropped marked with a cross.

    Parameters
    ----------
    activations : array_like, shape (N, H)
        Finite values, e.g. a hidden layer after its ReLU (many exact zeros) or a dropout layer's output.
    dropped : array_like of bool, shape (N, H), optional
        True where the mask dropped the unit: drawn as a grey cell with a cross instead of its (zero) value,
        so a dropped unit never looks like a ReLU zero.
    vmax : float, optional
        Top of the colour scale (0 at the bottom, a square-root scale in between; larger values take the top
        colour). By default the 95th percentile of the positive values. Pass the same ``vmax`` to pictures
        that are to be compared.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    title : str, optional
    colorbar : bool
        A colour bar beside the image (in an inset Axes, removed again when ``ax`` is cleared).

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = as_float_array(activations, "activations", ndim=2)
    if dropped is not None:
        dropped = np.asarray(dropped)
        if dropped.dtype.kind != "b" or dropped.shape != values.shape:
            raise ValueError(
                f"dropped must be a boolean array of the activations' shape {values.shape}, got dtype "
                f"{dropped.dtype} and shape {dropped.shape}"
            )
    if vmax is None:
        positive = values[values > 0]
        vmax = float(np.quantile(positive, 0.95)) if positive.size else 1.0
    vmax = check_positive_number("vmax", vmax)
    if vmax < 1 / MAX_DRAWABLE:  # the colour scale divides by it
        raise ValueError(f"vmax (by default the 95th percentile of the positive activations) must be at least "
                         f"{1 / MAX_DRAWABLE:g}, got {vmax!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")

    with projector_style():
        figure, ax = prepare_axes(ax)
        # A square-root scale: most activations are small, and on a linear one they would look as dark as
        # the ReLU's zeros.
        image = ax.imshow(values, cmap=SEQUENTIAL_CMAP, norm=PowerNorm(0.5, vmin=0.0, vmax=vmax), aspect="auto",
                          interpolation="nearest")
        explained = "darkest = 0"
        if dropped is not None and dropped.any():
            cells = np.zeros((*values.shape, 4))
            cells[dropped] = to_rgba(DROPPED_CELL)
            ax.imshow(cells, aspect="auto", interpolation="nearest")
            rows, columns = np.nonzero(dropped)
            ax.scatter(columns, rows, marker="x", s=12, linewidths=1.0, color=CROSS_COLOR)
            explained += ", × = dropped by the mask"
        ax.set_xlim(-0.5, values.shape[1] - 0.5)
        ax.set_ylim(values.shape[0] - 0.5, -0.5)
        # A few round ticks: a cell is found by counting from them, and every tick costs drawing time.
        ax.set_xticks(_few_ticks(values.shape[1]))
        ax.set_yticks(_few_ticks(values.shape[0]))
        ax.grid(False)
        ax.set_xlabel(f"unit ({explained})")
        ax.set_ylabel("sample in the batch")
        if title is not None:
            ax.set_title(title)
        if colorbar:
            attach_colorbar(figure, ax, image, f"activation (top: ≥ {vmax:g})").set_ticks(_few_levels(vmax))
    return figure


def plot_mask_average(test_output, average_train, *, ax=None, limit=None, repeats=None):
    """Every activation's train-phase output averaged over many masks against its test-phase output.

    On the diagonal the two phases agree on average (inverted dropout, or ×p at test); the title gives the
    least-squares slope through 0 (1: agreement; p: the mistake of not scaling at all).

    Parameters
    ----------
    test_output, average_train : array_like, same shape
    ax : matplotlib.axes.Axes, optional
    limit : float, optional
        Both axes run from 0 to ``limit`` (by default 1.1 times the largest value).
    repeats : int, optional
        How many masks the average took (for the title).

    Returns
    -------
    matplotlib.figure.Figure
    """
    test = as_float_array(test_output, "test_output").ravel()
    average = as_float_array(average_train, "average_train").ravel()
    if test.shape != average.shape:
        raise ValueError(f"test_output and average_train must have the same size, got {test.size} and {average.size}")
    top = 1.1 * float(max(test.max(), average.max(), 0.0)) or 1.0
    limit = top if limit is None else check_positive_number("limit", limit)
    denominator = float(np.sum(test * test))
    slope = float(np.sum(test * average)) / denominator if denominator > 0 else float("nan")
    masks = "many masks" if repeats is None else f"{check_positive_int('repeats', repeats)} masks"

    with projector_style():
        figure, ax = prepare_axes(ax)
        ax.plot([0, limit], [0, limit], color="black", linewidth=1.2, label="equal in both phases")
        ax.scatter(test, average, s=14, color=COLORS["train"], alpha=0.7)
        ax.set_xlim(0, limit)
        ax.set_ylim(0, limit)
        ax.xaxis.set_major_locator(MaxNLocator(4, steps=ROUND_STEPS))
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=ROUND_STEPS))
        ax.set_xlabel("test-phase output")
        ax.set_ylabel("train-phase output, averaged")
        ax.set_title(f"Train phase averaged over\n{masks}: slope {slope:.2f}")
        ax.legend(loc="upper left")
    return figure


def _seed_curves(mapping, name, points=None):
    """{"train": (S, P), "validation": (S, P)} checked: finite, 2-D, the same shape."""
    if not isinstance(mapping, dict) or set(mapping) != {"train", "validation"}:
        raise TypeError(f"{name} must be a dict with the keys 'train' and 'validation', got {mapping!r:.80}")
    curves = {key: as_float_array(mapping[key], f"{name}[{key!r}]", ndim=(1, 2)) for key in ("train", "validation")}
    curves = {key: np.atleast_2d(value) for key, value in curves.items()}
    if curves["train"].shape != curves["validation"].shape:
        raise ValueError(f"{name}: train and validation must have the same shape, got {curves['train'].shape} and "
                         f"{curves['validation'].shape}")
    if points is not None and curves["train"].shape[1] != points:
        raise ValueError(f"{name} must hold {points} values per seed (one per step), got {curves['train'].shape[1]}")
    return curves


def plot_seed_loss_curves(steps, without, with_dropout, *, label="dropout", ax=None, ylim=None):
    """Training and validation loss over training, without and with dropout: median line and range band over seeds.

    Parameters
    ----------
    steps : array_like, shape (P,)
        The training steps of the evaluations.
    without, with_dropout : dict {"train": (S, P), "validation": (S, P)}
        Loss (e.g. cross-entropy per sample) of every seed at every evaluation. Train blue, validation
        orange; without dropout dotted, with dropout solid.
    label : str
        Names the dropout setting in the legend ("dropout 0.50").
    ax : matplotlib.axes.Axes, optional
    ylim : (float, float), optional
        Fixed y-limits, so pictures of two settings compare.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ylim = None if ylim is None else check_axis_limits(ylim, "ylim")
    steps = as_float_array(steps, "steps", ndim=1)
    series = {"no dropout": (_seed_curves(without, "without", steps.size), ":"),
              label: (_seed_curves(with_dropout, "with_dropout", steps.size), "-")}
    seeds = series[label][0]["train"].shape[0]

    with projector_style():
        figure, ax = prepare_axes(ax)
        for setting, (curves, linestyle) in series.items():
            for part in ("validation", "train"):
                values = curves[part]
                ax.fill_between(steps, values.min(axis=0), values.max(axis=0), color=COLORS[part],
                                alpha=0.12 if linestyle == ":" else 0.22, linewidth=0)
                ax.plot(steps, np.median(values, axis=0), color=COLORS[part], linestyle=linestyle,
                        label=f"{part}, {setting}")
        if ylim is not None:
            ax.set_ylim(*ylim)
        if steps.size > 1:  # one evaluation: matplotlib's own limits around it (a range of width 0 is none)
            ax.set_xlim(steps[0], steps[-1])
        ax.xaxis.set_major_locator(MaxNLocator(4, steps=ROUND_STEPS))
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=ROUND_STEPS))
        ax.set_xlabel("training step")
        ax.set_ylabel("cross-entropy per sample")
        ax.set_title(f"Median and range over {seeds} seeds")
        ax.legend(loc="upper right", fontsize=12)
    return figure


def plot_seed_pairs(without, with_dropout, *, label="dropout", ax=None, ylim=None):
    """Every seed's final training and validation loss without and with dropout, joined seed by seed.

    Parameters
    ----------
    without, with_dropout : dict {"train": (S,), "validation": (S,)}
        One value per seed, the seeds in the same order in both (the same data set per seed).
    label : str
        Names the dropout setting under its column ("dropout 0.50").
    ax : matplotlib.axes.Axes, optional
    ylim : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    ylim = None if ylim is None else check_axis_limits(ylim, "ylim")
    before = {key: value.ravel() for key, value in _seed_curves(without, "without").items()}
    after = {key: value.ravel() for key, value in _seed_curves(with_dropout, "with_dropout").items()}
    if before["train"].shape != after["train"].shape:
        raise ValueError(f"without and with_dropout must hold one value per seed for the same seeds, got "
                         f"{before['train'].size} and {after['train'].size}")
    seeds = before["train"].size

    with projector_style():
        figure, ax = prepare_axes(ax)
        for part in ("validation", "train"):
            for start, end in zip(before[part], after[part], strict=True):
                ax.plot([0, 1], [start, end], color=COLORS[part], linewidth=1.2, alpha=0.6)
            ax.scatter(np.zeros(seeds), before[part], color=COLORS[part], s=40, zorder=3, label=part)
            ax.scatter(np.ones(seeds), after[part], color=COLORS[part], s=40, zorder=3)
        ax.set_xticks([0, 1], ["no dropout", label])
        ax.set_xlim(-0.35, 1.35)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=ROUND_STEPS))
        ax.set_ylabel("cross-entropy per sample")
        ax.set_title(f"After training, each of {seeds} seeds")
        ax.legend(loc="upper right", fontsize=12)
    return figure
