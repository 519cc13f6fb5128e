"""BatchNorm: the noisy statistics of each batch against the smooth moving averages the test phase uses."""

import numbers

import numpy as np

from rnnreg.viz._common import (
    as_float_array,
    format_scientific,
    layer_label,
    layer_series,
    prepare_axes_grid,
)
from rnnreg.viz.style import COLORS, projector_style

__all__ = ["plot_batch_norm_statistics", "plot_channel_statistics"]

STATISTICS = ("batch_mean", "batch_variance", "moving_mean", "moving_variance")


def _spread(values):
    """Standard deviation over the finite entries (0 for fewer than two)."""
    finite = values[np.isfinite(values)]
    return float(np.std(finite)) if finite.size > 1 else 0.0


def plot_batch_norm_statistics(recorder, layer_index, *, channel=0, axes=None):
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

    with projector_style():
        figure, (mean_ax, variance_ax) = prepare_axes_grid(axes, 1, 2, height=4.5)
        for ax, quantity in ((mean_ax, "mean"), (variance_ax, "variance")):
            batch = values[f"batch_{quantity}"][:, channel]
            moving = values[f"moving_{quantity}"][:, channel]
            ax.plot(steps, batch, color=COLORS["batch"], linewidth=1.2, alpha=0.85, label=f"batch {quantity}")
            ax.plot(steps, moving, color=COLORS["moving"], linewidth=3.2, label=f"moving {quantity}")
            ax.set_xlabel("training step")
            ax.set_ylabel(f"{quantity} of channel {channel}")
            ax.set_title(
                f"{quantity.capitalize()}: batch varies ±{format_scientific(_spread(batch), 2)}, "
                f"moving ±{format_scientific(_spread(moving), 2)}"
            )
        mean_ax.legend()
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
