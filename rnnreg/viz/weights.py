"""Weights: distributions side by side, their histogram over training, near-zero fractions and norms per step."""

import numpy as np

from rnnreg.validation import check_bool, check_choice, check_non_negative_number, check_size
from rnnreg.viz._common import (
    MAX_BINS,
    MAX_DRAWABLE,
    as_float_array,
    assign_colors,
    attach_colorbar,
    check_mapping,
    format_percent,
    format_scientific,
    format_threshold,
    layer_label,
    layer_series,
    legend_if_several,
    prepare_axes,
    recorder_series,
    use_log_scale,
)
from rnnreg.viz.style import SEQUENTIAL_CMAP, projector_style

__all__ = ["plot_sparsity_curves", "plot_weight_evolution", "plot_weight_histograms", "plot_weight_norms"]

NORM_KINDS = ("l1", "l2")
NORM_NAMES = {"l1": "‖w‖₁", "l2": "‖w‖₂"}


def near_zero_fraction(weights, threshold):
    """The share of entries with |w| <= ``threshold`` (the rule of ``SparsityRecorder``)."""
    return float(np.count_nonzero(np.abs(weights) <= threshold)) / weights.size


def _zero_centred_edges(values, bins, reach=None):
    """Equal-width bin edges over [−m, m], m = ``reach`` or max |w|, with one bin centred on 0 (``bins`` made odd)."""
    bins = bins if bins % 2 else bins + 1
    reach = float(np.max(np.abs(values))) if reach is None else float(reach)
    if reach == 0:
        reach = 1.0
    return np.linspace(-reach, reach, bins + 1)


def plot_weight_histograms(weights, *, ax=None, bins=60, threshold=1e-3, log=False, reach=None, colors=None):
    """Overlaid step histograms of several weight sets, e.g. ``{"L1": w1, "L2": w2}``.

    Parameters
    ----------
    weights : dict {str: array_like}
        Per label, the weights of one run, any shape (flattened), finite. The sets may differ in size:
        each histogram shows the fraction of its own weights per bin.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    bins : int
        Number of bins (at most ``MAX_BINS``, 1,000), shared by all sets: equal widths over [−m, m] with m
        the largest |w| of all sets, rounded up to an odd number so that one bin is centred on 0 (where L1
        piles weights up).
    threshold : float
        A weight counts as (near) zero when |w| <= ``threshold``, as in ``SparsityRecorder``.
    log : bool
        A logarithmic y-axis (down to the smallest non-empty share), so that a few large weights stay
        visible beside a tall spike at zero.
    reach : float, optional
        Fixed x-limits [−reach, reach] (0 < reach <= ``MAX_DRAWABLE``) and bins over them (weights beyond
        it are left out of the bins); by default the largest |w| of all sets.
    colors : dict {str: colour}, optional
        A colour per label, for labels that do not name a concept ("L1 proximal" in L1's colour).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        Empty weights, NaN or infinity, |w| beyond ``MAX_DRAWABLE`` (1e100; ±1e308 would overflow the axis), or
        ``bins``, ``threshold`` or ``reach`` outside their range.

    Notes
    -----
    Each legend entry states the fraction of near-zero weights of its set; the title names the set with
    the largest fraction. Labels that name a concept ("L1", "L2", "none") take its colour.
    """
    check_mapping(weights, "weights", "array of weights")
    bins = check_size("bins", bins, MAX_BINS)
    threshold = check_non_negative_number("threshold", threshold)
    log = check_bool("log", log)
    if reach is not None and not 0 < check_non_negative_number("reach", reach) <= MAX_DRAWABLE:
        raise ValueError(f"reach must be > 0 and at most {MAX_DRAWABLE:g}, got {reach!r}")
    arrays = {label: as_float_array(values, f"weights[{label!r}]").ravel() for label, values in weights.items()}
    labels = list(arrays)
    edges, shares, fractions, legend_labels = weight_histograms(arrays, bins, threshold, reach)
    zero = f"|w| ≤ {format_threshold(threshold)}"

    with projector_style():
        figure, ax = prepare_axes(ax)
        for label, color in zip(labels, assign_colors(labels, colors), strict=True):
            ax.stairs(shares[label], edges, color=color, linewidth=2.2, label=legend_labels[label])
        ax.set_xlabel("weight value")
        ax.set_ylabel("fraction of weights per bin" + (" (log scale)" if log else ""))
        if log:
            smallest = min(float(np.min(share[share > 0])) for share in shares.values() if np.any(share > 0))
            ax.set_yscale("log")
            # one decade at least: all weights in one bin (a share of 1) would give the empty range [1, 1]
            ax.set_ylim(min(10.0 ** np.floor(np.log10(smallest)), 0.1), 1.0)
            ax.minorticks_off()  # a decade per tick is enough to read, and minor ticks cost a large part of a redraw
        ax.set_xlim(edges[0], edges[-1])
        ranked = sorted(labels, key=lambda label: -fractions[label])
        sparsest = ranked[0]
        title = f"{sparsest}: {format_percent(fractions[sparsest])} of weights with {zero}"
        if len(ranked) > 1:
            others = ", ".join(f"{label}: {format_percent(fractions[label])}" for label in ranked[1:])
            title = f"{sparsest} drives the most weights to zero: {format_percent(fractions[sparsest])} " \
                    f"with {zero} ({others})"
        ax.set_title(title)
        legend_if_several(ax)
    return figure


def weight_histograms(arrays, bins, threshold, reach=None):
    """What ``plot_weight_histograms`` draws for flat ``arrays`` {label: (S,)}: shared edges, and per label the
    fraction of weights per bin, the near-zero fraction and the legend label."""
    edges = _zero_centred_edges(np.concatenate(list(arrays.values())), bins, reach)
    shares = {label: np.histogram(values, bins=edges)[0] / values.size for label, values in arrays.items()}
    fractions = {label: near_zero_fraction(values, threshold) for label, values in arrays.items()}
    zero = f"|w| ≤ {format_threshold(threshold)}"
    legend_labels = {label: f"{label}: {format_percent(fractions[label])} with {zero}" for label in arrays}
    return edges, shares, fractions, legend_labels


def _cell_edges(centres):
    """Edges around increasing ``centres`` (M,) -> (M + 1,): midpoints, half a gap beyond the ends."""
    if centres.size == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = (centres[:-1] + centres[1:]) / 2
    return np.concatenate([[2 * centres[0] - middle[0]], middle, [2 * centres[-1] - middle[-1]]])


def plot_weight_evolution(recorder, layer_index, *, ax=None, bins=50):
    """How one layer's weight distribution changes during training: a histogram per recorded step.

    Parameters
    ----------
    recorder : WeightSnapshotRecorder
        Reads ``recorder.snapshots[layer_index]``: ``steps`` of shape (M,) and ``values`` of shape (M, S),
        S sampled weights at M recorded steps (M >= 1).
    layer_index : int
        The layer's index in ``network.layers`` (a key of ``recorder.snapshots``).
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first; the colour bar is an inset of it); by default a new figure.
    bins : int
        Number of weight-value bins (at most ``MAX_BINS``, 1,000), shared by all steps.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    x is the training step, y the weight value, the colour the number of sampled weights in the bin.
    The title states the standard deviation of the weights at the first and at the last recorded step.
    """
    bins = check_size("bins", bins, MAX_BINS)
    series = layer_series(recorder, "snapshots", layer_index, "recorder", "WeightSnapshotRecorder")
    steps = np.asarray(series.steps, dtype=float)
    values = as_float_array(series.values, f"recorder.snapshots[{layer_index}].values", ndim=2)
    edges = np.histogram_bin_edges(values, bins=bins)
    counts = np.stack([np.histogram(row, bins=edges)[0] for row in values], axis=1)  # (bins, M)
    spread_first, spread_last = float(np.std(values[0])), float(np.std(values[-1]))

    with projector_style():
        figure, ax = prepare_axes(ax)
        mesh = ax.pcolormesh(_cell_edges(steps), edges, counts, cmap=SEQUENTIAL_CMAP, shading="flat")
        ax.grid(False)
        attach_colorbar(figure, ax, mesh, f"sampled weights per bin (of {values.shape[1]})")
        ax.set_xlabel("training step")
        ax.set_ylabel("weight value")
        ax.set_title(
            f"{layer_label(recorder, layer_index)}: weight std {format_scientific(spread_first, 2)} "
            f"at step {int(steps[0])} → {format_scientific(spread_last, 2)} at step {int(steps[-1])}"
        )
    return figure


def plot_sparsity_curves(recorders, *, ax=None):
    """The fraction of near-zero weights over training, one line per run.

    Parameters
    ----------
    recorders : dict {str: SparsityRecorder}
        Per label, a recorder of one run; reads ``recorder.overall`` (``steps`` and ``values`` of shape (M,),
        fractions in [0, 1]) and ``recorder.threshold``.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The y-axis is in percent of all watched weights. The title ranks the runs by their last value.
    """
    check_mapping(recorders, "recorders", "SparsityRecorder")
    curves, thresholds = {}, {}
    for label, recorder in recorders.items():
        overall = getattr(recorder, "overall", None)
        threshold = getattr(recorder, "threshold", None)
        if overall is None or threshold is None or not hasattr(overall, "steps"):
            raise TypeError(
                f"recorders[{label!r}] must be a SparsityRecorder (with overall and threshold), "
                f"got {type(recorder).__name__}"
            )
        if len(overall) == 0:
            raise ValueError(f"recorders[{label!r}] has recorded nothing yet; record a training run first")
        fractions = as_float_array(overall.values, f"recorders[{label!r}].overall.values", ndim=1)
        curves[label] = (np.asarray(overall.steps, dtype=float), fractions)
        thresholds[label] = float(threshold)
    labels = list(curves)
    same_threshold = len(set(thresholds.values())) == 1

    def zero(label):
        return f"|w| ≤ {format_threshold(thresholds[label])}"

    with projector_style():
        figure, ax = prepare_axes(ax)
        for label, color in zip(labels, assign_colors(labels), strict=True):
            steps, fractions = curves[label]
            ax.plot(steps, 100 * fractions, color=color, label=label if same_threshold else f"{label} ({zero(label)})")
        ax.set_xlabel("training step")
        ax.set_ylabel(f"% of weights with {zero(labels[0])}" if same_threshold else "% of near-zero weights")
        ax.set_ylim(-2, 102)
        ranked = sorted(labels, key=lambda label: -curves[label][1][-1])
        best = ranked[0]
        where = zero(best) if same_threshold else "near zero"
        title = f"{best} ends with {format_percent(curves[best][1][-1])} of weights at {where}"
        if len(ranked) > 1:
            title += " (" + ", ".join(f"{label}: {format_percent(curves[label][1][-1])}" for label in ranked[1:]) + ")"
        ax.set_title(title)
        legend_if_several(ax)
    return figure


def plot_weight_norms(recorder, *, kind="l2", ax=None):
    """The norm of every layer's weights over training.

    Parameters
    ----------
    recorder : WeightNormRecorder
        Reads ``recorder.l1`` or ``recorder.l2``: per layer index a series with ``steps`` and ``values`` of
        shape (M,), and ``recorder.labels`` for the legend.
    kind : {"l2", "l1"}
        The Euclidean norm ‖w‖₂ = √(Σ w²) or ‖w‖₁ = Σ |w|.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The title reports the layer whose norm changed most (as a ratio) from the first to the last recorded
    step. The y-axis is logarithmic when the norms span two decades or more.
    """
    check_choice("kind", kind, NORM_KINDS)
    series = recorder_series(recorder, kind, "recorder", "WeightNormRecorder")
    if not series:
        raise ValueError("recorder has no layers: start it on a network with trainable layers and train first")
    curves = {}
    for index, entries in series.items():
        if len(entries) == 0:
            raise ValueError(f"WeightNormRecorder has no entries for layer {index} yet; record a training run first")
        norms = as_float_array(entries.values, f"recorder.{kind}[{index}].values", ndim=1)
        curves[index] = (np.asarray(entries.steps, dtype=float), norms)
    name = NORM_NAMES[kind]

    def change(index):
        first, last = curves[index][1][0], curves[index][1][-1]
        if first == 0 or last == 0:
            return np.inf if first != last else 0.0
        return abs(np.log(last / first))

    with projector_style():
        figure, ax = prepare_axes(ax)
        indices = list(curves)
        labels = [layer_label(recorder, index) for index in indices]
        for index, label, color in zip(indices, labels, assign_colors(labels), strict=True):
            ax.plot(*curves[index], color=color, label=label)
        if use_log_scale(*(norms for _, norms in curves.values())):
            ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel(f"{name} of the weights" + (" (sum of |w|)" if kind == "l1" else " (√ of sum of w²)"))
        most = max(indices, key=change)
        steps, norms = curves[most]
        first, last = norms[0], norms[-1]
        relative = "" if first == 0 else f" ({(last - first) / first:+.0%})"
        prefix = "largest change: " if len(indices) > 1 else ""
        ax.set_title(
            f"{prefix}{layer_label(recorder, most)} {name} {format_scientific(first, 3)} at step {int(steps[0])} "
            f"→ {format_scientific(last, 3)} at step {int(steps[-1])}{relative}"
        )
        legend_if_several(ax)
    return figure
