"""BatchNorm: the noisy statistics of each batch against the smooth moving averages the test phase uses.

Also the pictures of lesson 03's experiments: the two phases on one batch (``plot_phase_normalization``,
``plot_phase_probabilities``), small batches over seeds (``plot_batch_size_effect``) and runs of several
seeds side by side (``plot_seed_curves``).
"""

import numbers
from collections.abc import Mapping

import numpy as np

from rnnreg.validation import check_choice
from rnnreg.viz._common import (
    as_float_array,
    assign_colors,
    check_mapping,
    format_scientific,
    layer_label,
    layer_series,
    prepare_axes,
    prepare_axes_grid,
)
from rnnreg.viz.style import COLORS, OKABE_ITO, projector_style

__all__ = [
    "plot_batch_norm_statistics",
    "plot_batch_size_effect",
    "plot_channel_statistics",
    "plot_note",
    "plot_phase_normalization",
    "plot_phase_probabilities",
    "plot_seed_curves",
]

PHASES = ("train", "test")

STATISTICS = ("batch_mean", "batch_variance", "moving_mean", "moving_variance")


def _spread(values):
    """Standard deviation over the finite entries (0 for fewer than two)."""
    finite = values[np.isfinite(values)]
    return float(np.std(finite)) if finite.size > 1 else 0.0


def plot_batch_norm_statistics(recorder, layer_index, *, channel=0, axes=None, samples_seen=None, reference=None,
                               channel_name=None):
    """Mean and variance of one channel over training: per batch (thin) and moving averages (thick).

    Parameters
    ----------
    recorder : BatchNormRecorder
        Reads ``batch_mean``, ``batch_variance``, ``moving_mean`` and ``moving_variance`` of
        ``layer_index``: series with ``steps`` (M,) and ``values`` (M, C). NaN entries (no training-phase
        forward yet) leave gaps.
    layer_index : int
        The BatchNormalization layer's index in ``network.layers``.
    channel : int
        Which of the C channels to show.
    axes : pair of matplotlib.axes.Axes, optional
        Draw the mean into ``axes[0]`` and the variance into ``axes[1]`` (both cleared first); by default a
        new projector-sized figure with the two panels side by side.
    samples_seen : array_like, shape (S,), optional
        Samples seen after every training step (indexed by the recorded steps): the x-axis becomes "samples
        seen", on which runs with different batch sizes compare. By default the x-axis is the training step.
    reference : pair of array_like, shape (C,) each, optional
        ``(mean, variance)`` of the whole training set, drawn as a dotted line: what the moving averages
        estimate.
    channel_name : str, optional
        The channel's name for the y labels (by default "channel <channel>").

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each panel's title gives the spread (standard deviation over the recorded steps) of the batch statistic
    and of its moving average: the moving average is the smoother one.
    """
    series = {name: layer_series(recorder, name, layer_index, "recorder", "BatchNormRecorder") for name in STATISTICS}
    steps = np.asarray(series["batch_mean"].steps, dtype=float)
    values = {
        name: as_float_array(entries.values, f"recorder.{name}[{layer_index}].values", ndim=2, finite=False)
        for name, entries in series.items()
    }
    channels = values["batch_mean"].shape[1]
    if isinstance(channel, bool) or not isinstance(channel, numbers.Integral):
        raise TypeError(f"channel must be an integer in [0, {channels}), got {channel!r}")
    if not 0 <= channel < channels:
        raise ValueError(f"channel must be in [0, {channels}) for {layer_label(recorder, layer_index)}, got {channel}")
    if not np.any(np.isfinite(values["batch_mean"][:, channel])):
        raise ValueError("BatchNormRecorder holds no statistics yet (no training-phase forward before its records)")
    xlabel = "training step"
    if samples_seen is not None:
        samples_seen = as_float_array(samples_seen, "samples_seen", ndim=1)
        if steps.max() >= samples_seen.size:
            raise ValueError(f"samples_seen must hold a value for every recorded step (up to step {steps.max():g}), "
                             f"got {samples_seen.size}")
        steps, xlabel = samples_seen[steps.astype(int)], "samples seen"
    if reference is not None:
        reference = {quantity: as_float_array(value, f"reference[{position}]", ndim=1)
                     for position, (quantity, value) in enumerate(zip(("mean", "variance"), reference, strict=True))}
    name = f"channel {channel}" if channel_name is None else channel_name

    with projector_style():
        figure, (mean_ax, variance_ax) = prepare_axes_grid(axes, 1, 2, height=4.5)
        for ax, quantity in ((mean_ax, "mean"), (variance_ax, "variance")):
            batch = values[f"batch_{quantity}"][:, channel]
            moving = values[f"moving_{quantity}"][:, channel]
            ax.plot(steps, batch, color=COLORS["batch"], linewidth=1.2, alpha=0.85, label=f"batch {quantity}")
            ax.plot(steps, moving, color=COLORS["moving"], linewidth=3.2, label=f"moving {quantity}")
            if reference is not None:
                value = reference[quantity][channel]
                ax.axhline(value, color=OKABE_ITO["black"], linestyle=":", linewidth=2,
                           label=f"training-set {quantity} {format_scientific(value, 3)}")
                ax.legend(fontsize=12, loc="upper right")
            ax.locator_params(nbins=5)  # fewer ticks: each costs time in every redraw of a dashboard
            ax.set_xlabel(xlabel)
            ax.set_ylabel(f"{quantity} of {name}")
            ax.set_title(
                f"{quantity.capitalize()}: batch varies ±{format_scientific(_spread(batch), 2)}, "
                f"moving ±{format_scientific(_spread(moving), 2)}"
            )
        mean_ax.legend(loc="upper right")  # "best" would search hundreds of points at every redraw
        if axes is None:
            figure.suptitle(f"{layer_label(recorder, layer_index)}, channel {channel}: batch vs moving statistics")
    return figure


def plot_channel_statistics(batch_mean, batch_variance, moving_mean, moving_variance, *, axes=None):
    """Per-channel mean and variance of one batch next to the moving averages, at one moment.

    Parameters
    ----------
    batch_mean, batch_variance, moving_mean, moving_variance : array_like, shape (C,)
        μ_B, σ²_B of a batch and the moving averages (e.g. a BatchNormalization layer's attributes of the
        same names); finite, variances non-negative.
    axes : pair of matplotlib.axes.Axes, optional
        Draw the means into ``axes[0]`` and the variances into ``axes[1]`` (both cleared first); by default
        a new projector-sized figure with the two panels side by side.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each panel's title states the largest gap between the batch statistic and its moving average: how
    differently the train phase (batch statistics) and the test phase (moving averages) normalise.
    """
    arrays = {
        name: as_float_array(value, name, ndim=1)
        for name, value in zip(STATISTICS, (batch_mean, batch_variance, moving_mean, moving_variance), strict=True)
    }
    shapes = {name: array.shape for name, array in arrays.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"the four statistics must have the same shape (C,), got {shapes}")
    for name in ("batch_variance", "moving_variance"):
        if np.any(arrays[name] < 0):
            raise ValueError(f"{name} must be non-negative, got minimum {arrays[name].min():g}")
    channels = np.arange(arrays["batch_mean"].size)
    width = 0.4

    with projector_style():
        figure, (mean_ax, variance_ax) = prepare_axes_grid(axes, 1, 2, height=4.5)
        for ax, quantity in ((mean_ax, "mean"), (variance_ax, "variance")):
            batch, moving = arrays[f"batch_{quantity}"], arrays[f"moving_{quantity}"]
            ax.bar(channels - width / 2, batch, width, color=COLORS["batch"], label=f"batch {quantity}")
            ax.bar(channels + width / 2, moving, width, color=COLORS["moving"], label=f"moving {quantity}")
            ax.axhline(0, color="black", linewidth=0.8)
            ax.set_xlabel("channel")
            ax.set_ylabel(quantity if quantity == "mean" else "variance (biased, ddof = 0)")
            if channels.size <= 12:
                ax.set_xticks(channels)
            gaps = np.abs(batch - moving)
            worst = int(np.argmax(gaps))
            ax.set_title(f"{quantity.capitalize()}: largest gap {format_scientific(gaps[worst], 2)} (channel {worst})")
        mean_ax.legend()
    return figure


def plot_note(text, *, ax=None):
    """A panel that holds only ``text`` (e.g. why there is nothing to draw for this setting)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    with projector_style():
        figure, ax = prepare_axes(ax)
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, transform=ax.transAxes)
    return figure


def _phase_pair(value, name):
    """``value`` as {"train": ..., "test": ...}, or a TypeError naming ``name``."""
    if not isinstance(value, Mapping) or set(value) != set(PHASES):
        raise TypeError(f"{name} must be a dict with the keys 'train' and 'test', got {value!r:.80}")
    return value


def _line_style(name, phase):
    """The chosen phase's line solid and thick, the other dashed and faint."""
    chosen = name == phase
    return {"linewidth": 2.6 if chosen else 1.4, "linestyle": "-" if chosen else "--", "alpha": 1.0 if chosen else 0.55}


def plot_phase_normalization(raw, normalized, statistics, phase, *, feature_name="input", ax=None):
    """One channel's BatchNorm output against its raw value, in both phases: one straight line per phase.

    Parameters
    ----------
    raw : array_like, shape (B,)
        The channel's raw values of the B samples of one batch.
    normalized : dict {"train": (B,), "test": (B,)}
        The BatchNorm layer's output for them in each phase, γ (x − μ)/σ + β.
    statistics : dict {"train": (mean, variance), "test": (mean, variance)}
        The numbers each phase normalised with: the batch's own (train) and the moving averages (test).
    phase : {"train", "test"}
        The phase the lesson looks at: its line is solid, the other dashed.
    feature_name : str
        The channel's name, for the x label.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_choice("phase", phase, PHASES)
    raw = as_float_array(raw, "raw", ndim=1)
    normalized = {name: as_float_array(values, f"normalized[{name!r}]", ndim=1)
                  for name, values in _phase_pair(normalized, "normalized").items()}
    for name, values in normalized.items():
        if values.shape != raw.shape:
            raise ValueError(f"normalized[{name!r}] must have the shape of raw {raw.shape}, got {values.shape}")
    statistics = _phase_pair(statistics, "statistics")
    order = np.argsort(raw, kind="stable")
    with projector_style():
        figure, ax = prepare_axes(ax)
        for name in PHASES:
            mean, variance = (float(value) for value in statistics[name])
            what = "batch" if name == "train" else "moving"
            ax.plot(raw[order], normalized[name][order], color=COLORS[name], marker="o" if name == "train" else "s",
                    markersize=8, label=f"{name} phase: {what} μ {mean:.2f}, σ² {variance:.3f}",
                    **_line_style(name, phase))
        ax.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
        ax.locator_params(nbins=5)
        ax.set_xlabel(f"{feature_name}, raw")
        ax.set_ylabel("BatchNorm output")
        ax.set_title(f"The same {raw.size} test samples, two normalisations")
        ax.legend(loc="upper left", fontsize=12)
    return figure


def plot_phase_probabilities(probabilities, accuracies, phase, *, ax=None):
    """The probability of the true class for every sample of one batch, from each phase: two bars per sample.

    Parameters
    ----------
    probabilities : dict {"train": (B,), "test": (B,)}
        Per phase, the network's probability of each sample's true class, in [0, 1].
    accuracies : dict {"train": float, "test": float}
        Per phase, the accuracy on the batch (for the legend).
    phase : {"train", "test"}
        The phase the lesson looks at: its bars are opaque, the other's faint.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_choice("phase", phase, PHASES)
    values = {name: as_float_array(entry, f"probabilities[{name!r}]", ndim=1)
              for name, entry in _phase_pair(probabilities, "probabilities").items()}
    if values["train"].shape != values["test"].shape:
        raise ValueError(f"both phases need one probability per sample, got {values['train'].shape} and "
                         f"{values['test'].shape}")
    for name, entry in values.items():
        if np.any((entry < 0) | (entry > 1)):
            raise ValueError(f"probabilities[{name!r}] must lie in [0, 1], got {entry.min():g} to {entry.max():g}")
    accuracies = _phase_pair(accuracies, "accuracies")
    positions = np.arange(values["train"].size)
    width = 0.4
    with projector_style():
        figure, ax = prepare_axes(ax)
        for offset, name in zip((-width / 2, width / 2), PHASES, strict=True):
            ax.bar(positions + offset, values[name], width, color=COLORS[name], alpha=1.0 if name == phase else 0.4,
                   label=f"{name} phase (batch accuracy {float(accuracies[name]):.2f})")
        ax.set_ylim(0, 1.4)  # room above the bars for the legend
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.set_xlabel("sample of the batch")
        ax.set_ylabel("probability of the true class")
        if positions.size <= 10:
            ax.set_xticks(positions)
        else:
            ax.locator_params(axis="x", nbins=5)
        ax.set_title("Network output on that batch")
        ax.legend(loc="upper left", fontsize=12)
    return figure


def plot_seed_curves(curves, *, ax=None, xlabel, ylabel, title, colors=None, marker=None):
    """Runs of several seeds per label, one thin line each: the spread between seeds is part of the picture.

    Parameters
    ----------
    curves : dict {str: list of (x, y)}
        Per label (e.g. "with BatchNorm"), one pair of 1-D arrays per seed (lengths may differ: a run
        that stopped early is shorter). NaN in y leaves a gap.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    xlabel, ylabel, title : str
    colors : dict {str: colour}, optional
        Colours for some labels (otherwise concept colours, then the palette).
    marker : str, optional
        A marker on every point (for a few points per run, such as one per epoch).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_mapping(curves, "curves", "list of (x, y), one per seed")
    runs = {}
    for label, pairs in curves.items():
        if isinstance(pairs, str | bytes) or not isinstance(pairs, list | tuple) or not pairs:
            raise TypeError(f"curves[{label!r}] must be a non-empty list of (x, y) pairs, one per seed")
        checked = []
        for position, pair in enumerate(pairs):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(f"curves[{label!r}][{position}] must be a pair (x, y) of 1-D arrays")
            x, y = (as_float_array(values, f"curves[{label!r}][{position}] {axis}", finite=False)
                    for values, axis in zip(pair, "xy", strict=True))
            if x.ndim != 1 or x.shape != y.shape:
                raise ValueError(f"curves[{label!r}][{position}]: x and y must be 1-D of one length, got "
                                 f"{x.shape} and {y.shape}")
            checked.append((x, y))
        runs[label] = checked
    palette = assign_colors(list(runs), colors)
    with projector_style():
        figure, ax = prepare_axes(ax)
        for (label, pairs), color in zip(runs.items(), palette, strict=True):
            for position, (x, y) in enumerate(pairs):
                ax.plot(x, y, color=color, linewidth=1.6, alpha=0.75, marker=marker, markersize=6,
                        label=f"{label} ({len(pairs)} seeds)" if position == 0 else None)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=12, loc="best")
    return figure


def plot_batch_size_effect(spread, accuracy, *, axes=None):
    """Small batches over seeds: how noisy their statistics are (left) and what that does to accuracy (right).

    Parameters
    ----------
    spread : dict {int: array_like (seeds,)}
        Per batch size B, the spread of the batch means around the data's mean in units of its standard
        deviation, one value per seed; drawn as dots with the curve 1/√B.
    accuracy : dict {str: dict {int: array_like (seeds,)}}
        Per label ("with BatchNorm", "without BatchNorm"), per batch size, the test accuracy of every seed;
        drawn as dots side by side, with a bar at the median.
    axes : pair of matplotlib.axes.Axes, optional
        Draw into these (cleared first); by default a new projector-sized figure with two panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(spread, Mapping) or not spread:
        raise TypeError("spread must be a non-empty dict {batch size: values per seed}")
    check_mapping(accuracy, "accuracy", "dict {batch size: values per seed}")
    sizes = np.array(sorted(spread), dtype=float)
    if np.any(sizes < 1):
        raise ValueError(f"batch sizes must be >= 1, got {sizes.tolist()}")
    colors = dict(zip(accuracy, assign_colors(list(accuracy), {"with BatchNorm": COLORS["batch"],
                                                                "without BatchNorm": COLORS["none"]}), strict=True))
    with projector_style():
        figure, (spread_ax, accuracy_ax) = prepare_axes_grid(axes, 1, 2, height=4.5)
        for size in sizes:
            values = as_float_array(spread[int(size)], f"spread[{int(size)}]", ndim=1)
            spread_ax.plot(np.full(values.size, size), values, "o", color=COLORS["batch"], markersize=7, alpha=0.7)
        curve = np.geomspace(sizes.min(), sizes.max(), 50)
        spread_ax.plot(curve, 1 / np.sqrt(curve), color=OKABE_ITO["black"], linestyle=":", linewidth=2, label="1/√B")
        spread_ax.set_xscale("log")
        spread_ax.set_xticks(sizes, [f"{int(size)}" for size in sizes])
        spread_ax.minorticks_off()
        spread_ax.set_ylim(0, 1)
        spread_ax.set_xlabel("batch size B")
        spread_ax.set_ylabel("spread of the batch means (in σ)")
        spread_ax.set_title("Small batches: noisy statistics")
        spread_ax.legend(fontsize=12)
        batch_sizes = sorted({size for per_size in accuracy.values() for size in per_size})
        width = 0.8 / len(accuracy)
        for index, (label, per_size) in enumerate(accuracy.items()):
            for position, size in enumerate(batch_sizes):
                if size not in per_size:
                    continue
                values = as_float_array(per_size[size], f"accuracy[{label!r}][{size}]", ndim=1)
                x = position + (index - (len(accuracy) - 1) / 2) * width
                spread_x = x + np.linspace(-0.25, 0.25, values.size) * width
                accuracy_ax.plot(spread_x, values, "o", color=colors[label], markersize=7, alpha=0.8,
                                 label=label if position == 0 else None)
                accuracy_ax.plot([x - 0.35 * width, x + 0.35 * width], [np.median(values)] * 2, color=colors[label],
                                 linewidth=3)
        accuracy_ax.set_xticks(range(len(batch_sizes)), [f"B = {size}" for size in batch_sizes])
        accuracy_ax.set_ylim(0, 1.02)
        accuracy_ax.set_ylabel("test accuracy")
        accuracy_ax.set_title("… and what they do to the test phase")
        accuracy_ax.legend(fontsize=12, loc="lower right")
    return figure
