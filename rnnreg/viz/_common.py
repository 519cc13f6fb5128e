"""Helpers shared by the figure modules: axes handling, input checks, number formatting, colours.

Every public plot function follows one pattern::

    with projector_style():
        figure, ax = prepare_axes(ax)        # a new projector-sized Figure, or the caller's Axes, cleared
        ...draw...
    return figure

Colour bars are drawn into an inset Axes of the heatmap's Axes (``attach_colorbar``). ``Axes.clear()`` drops
inset Axes, so redrawing the same Axes never piles up colour bars, and no bookkeeping is needed.
"""

import numbers
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes

from rnnreg.viz.style import COLORS, OKABE_ITO, new_figure

# Palette order for series that are not one of the concepts in COLORS (yellow last: weak on white).
PALETTE = [
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish purple"],
    OKABE_ITO["sky blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
]

# The largest |value| a figure draws: an axis over ±1e308 overflows (its span is infinite), and matplotlib's
# path code squares coordinates; no quantity of the lessons comes near it.
MAX_DRAWABLE = 1e100

# The most histogram bins (or grid cells a side) a figure takes: more is no picture a projector shows, and
# 10**9 of them would exhaust memory instead of drawing.
MAX_BINS = 1000

# The sum of two plotted parts (e.g. the total loss): neutral, so it takes no concept's colour.
NEUTRAL_GREY = "#6E6E6E"


# ------------------------------------------------------------------------------------------------ axes


def _restyle(ax):
    """Give an Axes the caller made the current (projector) look that ``new_figure``'s Axes get.

    ``Axes.clear()`` inside ``projector_style()`` resets fonts and the grid, but matplotlib re-creates the
    ticks lazily at draw time, outside the style; tick parameters stored on the Axis survive that.
    """
    rc = mpl.rcParams
    for side, spine in ax.spines.items():
        spine.set_visible(rc.get(f"axes.spines.{side}", True))
    ax.tick_params(axis="x", which="both", labelsize=rc["xtick.labelsize"])
    ax.tick_params(axis="y", which="both", labelsize=rc["ytick.labelsize"])
    ax.tick_params(which="both", grid_alpha=rc["grid.alpha"])


def check_axes(ax, name):
    if not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def prepare_axes(ax, *, name="ax", height=4.5):
    """``(figure, ax)``: a new projector-sized figure when ``ax`` is None, else ``ax`` cleared and its figure."""
    if ax is None:
        return new_figure(height=height)
    check_axes(ax, name)
    ax.clear()
    _restyle(ax)
    return ax.figure, ax


def prepare_axes_grid(axes, nrows, ncols, *, name="axes", height=4.5, **subplot_options):
    """``(figure, [ax, ...])`` with ``nrows * ncols`` Axes: a new figure, or the caller's Axes cleared."""
    count = nrows * ncols
    if axes is None:
        figure, grid = new_figure(nrows, ncols, height=height, **subplot_options)
        return figure, list(np.ravel(grid))
    if isinstance(axes, Axes) or not isinstance(axes, Sequence | np.ndarray):
        raise TypeError(f"{name} must be None or a sequence of {count} matplotlib Axes, got {type(axes).__name__}")
    axes = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(axes) != count:
        raise ValueError(f"{name} must hold exactly {count} matplotlib Axes, got {len(axes)}")
    for position, ax in enumerate(axes):
        check_axes(ax, f"{name}[{position}]")
    for ax in axes:
        ax.clear()
        _restyle(ax)
    return axes[0].figure, axes


def attach_colorbar(figure, ax, mappable, label):
    """A colour bar in an inset Axes just right of ``ax`` (removed again by ``ax.clear()``)."""
    cax = ax.inset_axes([1.02, 0.0, 0.025, 1.0])
    colorbar = figure.colorbar(mappable, cax=cax)
    colorbar.set_label(label)
    return colorbar


def legend_if_several(ax, **options):
    """A legend only when the Axes holds more than one labelled series."""
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) > 1:
        ax.legend(**options)


def use_log_scale(*arrays, decades=2.0):
    """True when the positive finite values of ``arrays`` span at least ``decades`` powers of ten."""
    values = np.concatenate([np.ravel(np.asarray(array, dtype=float)) for array in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size < 2:
        return False
    return bool(np.log10(values.max()) - np.log10(values.min()) >= decades)


# --------------------------------------------------------------------------------------------- colours


def assign_colors(labels, overrides=None):
    """One colour per label: ``overrides`` first, then the concept colours of COLORS, then unused palette ones."""
    overrides = {} if overrides is None else overrides
    concept = {key.lower(): value for key, value in COLORS.items()}
    chosen = {}
    for label in labels:
        if label in overrides:
            chosen[label] = overrides[label]
        elif str(label).lower() in concept:
            chosen[label] = concept[str(label).lower()]
    used = {str(color).lower() for color in chosen.values()}
    free = [color for color in PALETTE if color.lower() not in used] or PALETTE
    position = 0
    for label in labels:
        if label not in chosen:
            chosen[label] = free[position % len(free)]
            position += 1
    return [chosen[label] for label in labels]


# ---------------------------------------------------------------------------------------------- checks


def as_float_array(value, name, *, ndim=None, finite=True, drawable=True):
    """``value`` as a float ndarray (a new array), with ``ndim`` (an int or a tuple of allowed ones) checked.

    Raises TypeError for anything but numbers, ValueError for an empty array, NaN or infinity (unless
    ``finite`` is False) and numbers beyond ``MAX_DRAWABLE`` (unless ``drawable`` is False: the caller draws
    such values its own way, as the live picture does the weights of a diverged run).
    """
    if isinstance(value, str | bytes | Mapping):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__} ({error})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{n}-D" for n in allowed)
            raise ValueError(f"{name} must be a {wanted} array, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    finite_entries = np.isfinite(array)
    if finite and not np.all(finite_entries):
        bad = int(np.count_nonzero(~finite_entries))
        raise ValueError(f"{name} must hold finite numbers only, got {bad} NaN or infinite value(s)")
    largest = float(np.max(np.abs(array[finite_entries]), initial=0.0))
    if drawable and largest > MAX_DRAWABLE:
        raise ValueError(
            f"{name} must hold numbers of magnitude up to {MAX_DRAWABLE:g} (matplotlib cannot scale an axis "
            f"beyond), got one of magnitude {largest:g}"
        )
    return array


def check_axis_limits(value, name):
    """``value`` as ``(low, high)``: two finite numbers within ``MAX_DRAWABLE``, low < high (an empty range or a
    reversed one would draw nothing, or the curves upside down)."""
    try:
        low, high = (float(limit) for limit in value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {value!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and -MAX_DRAWABLE <= low < high <= MAX_DRAWABLE):
        raise ValueError(f"{name} must be (low, high) with finite low < high, got {value!r}")
    return low, high


def check_mapping(value, name, what):
    """A non-empty dict-like ``value`` with string labels (``what`` says what its values are)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict {{label: {what}}}, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must hold at least one {{label: {what}}} entry, got an empty dict")
    for label in value:
        if not isinstance(label, str):
            raise TypeError(f"{name} labels must be strings, got {label!r} ({type(label).__name__})")
    return value


def recorder_series(recorder, attribute, name, recorder_class):
    """``recorder.<attribute>``, a dict {layer index: BoundedSeries}, or a TypeError naming what was expected."""
    series = getattr(recorder, attribute, None)
    if not isinstance(series, Mapping):
        raise TypeError(f"{name} must be a {recorder_class} (with a {attribute!r} dict), got {type(recorder).__name__}")
    return series


def layer_series(recorder, attribute, layer_index, name, recorder_class):
    """The BoundedSeries of ``layer_index`` in ``recorder.<attribute>``, with a helpful error when absent or empty."""
    series = recorder_series(recorder, attribute, name, recorder_class)
    if isinstance(layer_index, bool) or not isinstance(layer_index, numbers.Integral):
        raise TypeError(f"layer_index must be an integer index into network.layers, got {layer_index!r}")
    if layer_index not in series:
        available = sorted(series)
        hint = f"recorded layers: {available}" if available else "it has recorded no layer yet (train first)"
        raise ValueError(f"layer_index {layer_index} is not recorded by this {recorder_class}; {hint}")
    entries = series[layer_index]
    if len(entries) == 0:
        raise ValueError(f"{recorder_class} has no entries for layer {layer_index} yet; record a training run first")
    return entries


def layer_label(recorder, layer_index):
    labels = getattr(recorder, "labels", None) or {}
    return labels.get(layer_index, f"layers[{layer_index}]")


# ------------------------------------------------------------------------------------------ formatting


def format_percent(fraction):
    """62% / 0.4% / 99.7%: never rounds a non-zero share to 0% or an incomplete one to 100%."""
    percent = 100.0 * float(fraction)
    if 0 < percent < 1 or 99 < percent < 100:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def format_scientific(value, digits=2):
    """A compact number: 0.48, 12.3, 1.2e-4 (no padded exponent); "n/a" for NaN (a ratio of two zeros)."""
    value = float(value)
    if not np.isfinite(value):
        return "n/a" if np.isnan(value) else f"{value}"
    if value == 0 or 1e-2 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}e{int(exponent)}"


def format_threshold(threshold):
    """1e-3 rather than 0.001: thresholds read best as powers of ten."""
    return format_scientific(threshold, digits=2) if threshold else "0"
