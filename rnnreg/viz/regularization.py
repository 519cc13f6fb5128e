"""Lesson 01's pictures over seeds: a measure against α (the U curve), curves with seed bands, weight size per feature.

Every function shows the spread of the seeds it is given (a band from the smallest to the largest value, and
the median as the line or the filled steps), because a claim the lesson makes rests on all of them, not on one run.
"""

import numpy as np

from rnnreg.viz._common import as_float_array, assign_colors, check_axis_limits, check_mapping, prepare_axes
from rnnreg.viz.style import COLORS, projector_style

__all__ = ["plot_alpha_curves", "plot_feature_sizes", "plot_seed_bands"]


def _seed_table(values, name, width=None):
    """``values`` as a (S, M) float array (one row per seed), M checked against ``width`` when given."""
    table = as_float_array(values, name, ndim=2)
    if width is not None and table.shape[1] != width:
        raise ValueError(f"{name} must have one column per x value ({width}), got shape {table.shape}")
    return table


def _off_position(alpha_grids):
    """Where α = 0 ("off") goes on the log axis: one decade left of the smallest α > 0 of all grids."""
    positive = np.concatenate([alphas[alphas > 0] for alphas in alpha_grids])
    if positive.size == 0:
        raise ValueError("curves must hold at least one α > 0 to draw on a log axis")
    return 10.0 ** (np.floor(np.log10(positive.min())) - 1)


def plot_alpha_curves(curves, *, ax=None, ylabel="validation loss per sample", lower_is_better=True,
                      reference=None, title=None):
    """A measure against the regularization strength α, one curve per regularizer, over seeds.

    Parameters
    ----------
    curves : dict {str: (alphas, values)}
        Per label (e.g. "L1", "L2"): ``alphas`` of shape (A,), values >= 0 in increasing order (0 means no
        regularizer, drawn as "off" one decade left of the smallest α > 0), and ``values`` of shape (S, A):
        one row per seed.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    ylabel : str
        What ``values`` measure.
    lower_is_better : bool
        Whether the best α is the one with the lowest median (a loss) or the highest (an accuracy).
    reference : (float, str), optional
        A horizontal line and its legend label, e.g. ``(np.log(2), "says 50 : 50 (ln 2)")``.
    title : str, optional
        By default the title names each curve's best α (median over the seeds).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The line is the median over the seeds, the band spans the smallest to the largest seed, the small dots
    are the seeds; a star marks each curve's best α by the median.
    """
    check_mapping(curves, "curves", "(alphas, values) pair")
    prepared = {}
    for label, pair in curves.items():
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise TypeError(f"curves[{label!r}] must be an (alphas, values) pair, got {type(pair).__name__}")
        alphas = as_float_array(pair[0], f"curves[{label!r}] alphas", ndim=1)
        if np.any(alphas < 0) or np.any(np.diff(alphas) <= 0):
            raise ValueError(f"curves[{label!r}] alphas must be >= 0 and increasing, got {alphas.tolist()}")
        prepared[label] = (alphas, _seed_table(pair[1], f"curves[{label!r}] values", alphas.size))
    labels = list(prepared)
    off = _off_position([alphas for alphas, _ in prepared.values()])
    best_alphas = {}

    with projector_style():
        figure, ax = prepare_axes(ax)
        ax.set_xscale("log")
        for label, color in zip(labels, assign_colors(labels), strict=True):
            alphas, values = prepared[label]
            x = np.where(alphas > 0, alphas, off)
            median = np.median(values, axis=0)
            ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2, linewidth=0)
            ax.plot(x, median, color=color, marker="o", markersize=6, label=f"{label}: median of {len(values)} seeds")
            for row in values:
                ax.plot(x, row, color=color, linestyle="none", marker=".", markersize=5, alpha=0.7)
            best = int(np.argmin(median) if lower_is_better else np.argmax(median))
            best_alphas[label] = alphas[best]
            ax.plot(x[best], median[best], color=color, marker="*", markersize=20, markeredgecolor="black",
                    linestyle="none")
        if reference is not None:
            value, text = reference
            ax.axhline(float(value), color=COLORS["none"], linestyle=":", linewidth=1.8, label=text)
        ticks = sorted({off, *np.concatenate([alphas[alphas > 0] for alphas, _ in prepared.values()])})
        ax.set_xticks(ticks, ["off" if tick == off else f"{tick:g}" for tick in ticks])
        ax.minorticks_off()
        ax.set_xlabel("regularization strength α (log scale)")
        ax.set_ylabel(ylabel)
        if title is None:
            best_text = ", ".join(f"{label} at α = {alpha:g}" for label, alpha in best_alphas.items())
            title = f"Too little and too much both lose; best median: {best_text} (band: all seeds)"
        ax.set_title(title)
        ax.legend(fontsize=12, loc="best")
    return figure


def plot_seed_bands(curves, *, ax=None, xlabel="training step", ylabel="", ylim=None, styles=None, colors=None,
                    title=""):
    """Curves over x with their spread over seeds: the median as a line, the smallest to largest seed as a band.

    Parameters
    ----------
    curves : dict {str: (x, values)}
        Per label, ``x`` of shape (M,) and ``values`` of shape (S, M), one row per seed.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    xlabel, ylabel, title : str
    ylim : (float, float), optional
        Fixed limits, so that pictures of several settings compare at a glance.
    styles : dict {str: dict}, optional
        Extra ``plot`` options per label (line style, marker).
    colors : dict {str: colour}, optional
        A colour per label; by default the concept colours ("train", "validation", "L1", ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    ylim = None if ylim is None else check_axis_limits(ylim, "ylim")
    check_mapping(curves, "curves", "(x, values) pair")
    styles, labels = styles or {}, list(curves)
    with projector_style():
        figure, ax = prepare_axes(ax)
        for label, color in zip(labels, assign_colors(labels, colors), strict=True):
            x = as_float_array(curves[label][0], f"curves[{label!r}] x", ndim=1)
            values = _seed_table(curves[label][1], f"curves[{label!r}] values", x.size)
            ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2, linewidth=0)
            ax.plot(x, np.median(values, axis=0), color=color, label=label, **styles.get(label, {}))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_title(title)
        ax.legend(fontsize=12, loc="best")
    return figure


def plot_feature_sizes(sizes, *, reference=None, informative=4, label="regularized", color=None, ax=None,
                       ylim=(1e-3, 1.0), title=""):
    """Mean |w| of each input feature's first-layer weights, over seeds, on a fixed log axis.

    Parameters
    ----------
    sizes : array_like, shape (S, D)
        Per seed and input feature, the mean |w| of that feature's first-layer weights.
    reference : array_like, shape (S', D), optional
        The same for a reference run (no regularization), drawn as the steps of its median.
    informative : int
        The first ``informative`` features carry the class (a grey band marks them).
    label : str
        Legend label of the median steps (the concept colour is used when it names one: "L1", "L2", "none").
    color : colour, optional
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    ylim : (float, float)
        Fixed log-scale limits. Values below the lower limit (exact zeros among them) are drawn as small
        triangles on the bottom edge.
    title : str

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The filled steps are the median over the seeds, the dots are the seeds: absolute sizes, not divided by a layer
    average, so that a picture where every weight is tiny looks tiny.
    """
    sizes = _seed_table(sizes, "sizes")
    if np.any(sizes < 0):
        raise ValueError("sizes must be >= 0 (mean |w| per feature)")
    count = sizes.shape[1]
    if reference is not None:
        reference = _seed_table(reference, "reference", count)
    low, high = check_axis_limits(ylim, "ylim")
    if low <= 0:  # a log axis
        raise ValueError(f"ylim must be (low, high) with 0 < low < high, got {ylim!r}")
    color = color if color is not None else assign_colors([label])[0]
    features = np.arange(count)

    with projector_style():
        figure, ax = prepare_axes(ax)
        ax.set_yscale("log")
        ax.axvspan(-0.5, informative - 0.5, color="#DDDDDD", zorder=0, label=f"the {informative} informative features")
        median = np.median(sizes, axis=0)
        # One filled step outline instead of a bar per feature: the same picture, a fraction of the drawing time.
        ax.stairs(np.where(median > low, median, low), np.arange(count + 1) - 0.5, baseline=low, fill=True,
                  color=color, alpha=0.8, label=f"{label}: median of {len(sizes)} seeds")
        seeds_x = np.repeat(features[None, :], len(sizes), axis=0)
        shown = sizes > low
        ax.plot(seeds_x[shown], sizes[shown], linestyle="none", marker=".", markersize=4, color="black", alpha=0.6,
                label="each seed")
        if np.any(~shown):
            ax.plot(seeds_x[~shown], np.full(np.count_nonzero(~shown), low * 1.15), linestyle="none", marker="v",
                    markersize=5, color=color, label=f"below {low:g} (exactly 0 among them)")
        if reference is not None:
            ax.stairs(np.median(reference, axis=0), np.arange(count + 1) - 0.5, color=COLORS["none"], linewidth=1.8,
                      baseline=None, label="no regularization (median)")
        ax.set_xlim(-0.5, count - 0.5)
        ax.set_ylim(low, high)
        ax.minorticks_off()  # a decade per tick is enough to read, and minor ticks cost a large part of a redraw
        ax.set_xlabel(f"input feature (features 0–{informative - 1} carry the class, the others are noise)")
        ax.set_ylabel("mean |w| of its first-layer weights")
        ax.set_title(title)
        ax.legend(fontsize=12, loc="upper right", ncol=2)
    return figure
