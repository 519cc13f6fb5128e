"""Training curves: the two parts of the loss per step, train against validation per epoch, runs side by side."""

import numpy as np

from rnnreg.viz._common import (
    NEUTRAL_GREY,
    as_float_array,
    assign_colors,
    check_choice,
    check_mapping,
    format_scientific,
    legend_if_several,
    prepare_axes,
    use_log_scale,
)
from rnnreg.viz.style import COLORS, projector_style

__all__ = ["plot_comparison_curves", "plot_loss_curves", "plot_train_validation"]

METRICS = ("accuracy", "loss")


def _history_array(history, table, field):
    getter = getattr(history, f"{table}_array", None)
    if not callable(getter):
        raise TypeError(
            f"history must be a History from rnnreg.training.fit (with {table}_array()), got {type(history).__name__}"
        )
    return np.asarray(getter(field), dtype=float)


def plot_loss_curves(history, *, ax=None):
    """The data loss and the regularization loss of every training step, and their sum.

    Parameters
    ----------
    history : History
        From ``rnnreg.training.fit``; reads the per-step fields ``step``, ``data_loss`` and
        ``regularization_loss``, each of shape (S,) for S steps (S >= 1).
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The losses are summed over the batch (the exercise's convention), as ``NeuralNetwork.forward`` returns
    them. Without a regularizer (the regularization loss is 0 at every step) only the data loss is drawn.
    The y-axis is logarithmic when the plotted values span two decades or more.
    """
    steps = _history_array(history, "step", "step")
    if steps.size == 0:
        raise ValueError("history has no training steps yet; plot_loss_curves needs at least one (train first)")
    data_loss = _history_array(history, "step", "data_loss")
    regularization_loss = _history_array(history, "step", "regularization_loss")
    total = data_loss + regularization_loss
    regularized = bool(np.any(np.nan_to_num(regularization_loss) != 0))

    with projector_style():
        figure, ax = prepare_axes(ax)
        series = [data_loss]
        ax.plot(steps, data_loss, color=COLORS["data loss"], linewidth=1.6, label="data loss")
        if regularized:
            ax.plot(
                steps, regularization_loss, color=COLORS["regularization loss"], linewidth=1.6,
                label="regularization loss",
            )
            ax.plot(steps, total, color=NEUTRAL_GREY, linewidth=1.4, linestyle="--", label="sum (total loss)")
            series += [regularization_loss, total]
        if use_log_scale(*series):
            ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel("loss (summed over the batch)")
        last = int(steps[-1])
        if regularized:
            ax.set_title(
                f"At step {last}: data loss {format_scientific(data_loss[-1], 3)}, "
                f"regularization loss {format_scientific(regularization_loss[-1], 3)}"
            )
        else:
            ax.set_title(f"At step {last}: data loss {format_scientific(data_loss[-1], 3)} (no regularization loss)")
        legend_if_several(ax)
    return figure


def _last_finite(values):
    finite = np.flatnonzero(np.isfinite(values))
    return None if finite.size == 0 else (int(finite[-1]), float(values[finite[-1]]))


def plot_train_validation(history, metric="accuracy", *, ax=None):
    """Train against validation ``metric`` per epoch; the title states the final gap.

    Parameters
    ----------
    history : History
        From ``rnnreg.training.fit``; reads the per-epoch fields ``epoch``, ``train_<metric>`` and
        ``validation_<metric>``, each of shape (E,) for E epochs (E >= 1). Without a validation set only the
        train curve is drawn.
    metric : {"accuracy", "loss"}
        Accuracy (fraction correct) or the data loss per sample.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The gap is train − validation for accuracy and validation − train for the loss, so a positive gap
    means overfitting either way. When early stopping set ``history.best_epoch``, a dotted line marks it.
    """
    check_choice(metric, "metric", METRICS)
    epochs = _history_array(history, "epoch", "epoch")
    if epochs.size == 0:
        raise ValueError("history has no finished epochs yet; plot_train_validation needs at least one")
    train = _history_array(history, "epoch", f"train_{metric}")
    validation = _history_array(history, "epoch", f"validation_{metric}")
    last_train = _last_finite(train)
    if last_train is None:
        raise ValueError(
            f"history has no train {metric} (was fit run with metric=None?); try metric='loss' or 'accuracy'"
        )
    last_validation = _last_finite(validation)
    digits = (lambda value: f"{value:.2f}") if metric == "accuracy" else (lambda value: format_scientific(value, 3))

    with projector_style():
        figure, ax = prepare_axes(ax)
        marker = "o" if epochs.size <= 30 else None
        ax.plot(epochs, train, color=COLORS["train"], marker=marker, label=f"train {metric}")
        if last_validation is not None:
            ax.plot(epochs, validation, color=COLORS["validation"], marker=marker, label=f"validation {metric}")
        best_epoch = getattr(history, "best_epoch", None)
        if best_epoch is not None:
            ax.axvline(best_epoch, color=NEUTRAL_GREY, linestyle=":", linewidth=2, label=f"best epoch ({best_epoch})")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy (fraction correct)" if metric == "accuracy" else "loss per sample")
        if metric == "accuracy":
            ax.set_ylim(min(0.0, np.nanmin(np.concatenate([train, validation]))), 1.02)
        elif use_log_scale(train, validation):
            ax.set_yscale("log")
        train_value = last_train[1]
        if last_validation is None:
            ax.set_title(f"Final train {metric} {digits(train_value)} (no validation set)")
        else:
            validation_value = last_validation[1]
            gap = train_value - validation_value if metric == "accuracy" else validation_value - train_value
            ax.set_title(
                f"Final {metric}: train {digits(train_value)}, validation {digits(validation_value)}: "
                f"gap {digits(gap)}"
            )
        legend_if_several(ax)
    return figure


def _check_curve(label, curve):
    if not isinstance(curve, tuple | list) or len(curve) != 2:
        raise TypeError(f"curves[{label!r}] must be a pair (x, y) of 1-D arrays, got {type(curve).__name__}")
    x = as_float_array(curve[0], f"curves[{label!r}] x", ndim=1, finite=False)
    y = as_float_array(curve[1], f"curves[{label!r}] y", ndim=1, finite=False)
    if x.shape != y.shape:
        raise ValueError(f"curves[{label!r}] x and y must have the same length, got {x.shape[0]} and {y.shape[0]}")
    return x, y


def plot_comparison_curves(curves, *, ax=None, xlabel, ylabel, title=None, colors=None, log_y=None):
    """Several runs on one Axes, e.g. ``{"with BatchNorm": (steps, losses), "without": (steps, losses)}``.

    Parameters
    ----------
    curves : dict {str: (x, y)}
        Per label, x and y of shape (P,) each (P may differ between labels). NaN in y leaves a gap.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    xlabel, ylabel : str
        Axis labels, with units ("training step", "loss per sample").
    title : str, optional
        By default the last finite value of every curve ("Last values: with BatchNorm 0.12, without 0.56").
    colors : dict {str: colour}, optional
        Colours for some labels. Otherwise a label that names a concept of ``COLORS`` ("L1", "LSTM",
        "validation", ...) takes its colour, and the other labels take unused palette colours.
    log_y : bool, optional
        Logarithmic y-axis; by default when the positive values span two decades or more.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_mapping(curves, "curves", "(x, y)")
    for name, text in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str) or not text.strip():
            raise TypeError(f"{name} must be a non-empty string naming the axis and its unit, got {text!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
    if colors is not None and not isinstance(colors, dict):
        raise TypeError(f"colors must be a dict {{label: colour}} or None, got {type(colors).__name__}")
    if log_y is not None and not isinstance(log_y, bool):
        raise TypeError(f"log_y must be True, False or None (automatic), got {log_y!r}")
    checked = {label: _check_curve(label, curve) for label, curve in curves.items()}
    labels = list(checked)
    palette = assign_colors(labels, colors)

    with projector_style():
        figure, ax = prepare_axes(ax)
        finals = []
        for label, color in zip(labels, palette, strict=True):
            x, y = checked[label]
            ax.plot(x, y, color=color, label=label)
            last = _last_finite(y)
            if last is not None:
                finals.append(f"{label} {format_scientific(last[1], 3)}")
        if log_y or (log_y is None and use_log_scale(*(y for _, y in checked.values()))):
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title if title is not None else "Last values: " + ", ".join(finals))
        legend_if_several(ax)
    return figure
