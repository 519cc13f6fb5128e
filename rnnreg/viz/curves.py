"""Training curves: the two parts of the loss per step, train against validation per epoch, runs side by side."""

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from rnnreg.validation import check_choice
from rnnreg.viz._common import (
    NEUTRAL_GREY,
    as_float_array,
    assign_colors,
    check_axes,
    check_mapping,
    format_scientific,
    legend_if_several,
    prepare_axes,
    prepare_axes_grid,
    use_log_scale,
)
from rnnreg.viz.style import COLORS, projector_style

__all__ = [
    "plot_comparison_curves",
    "plot_early_stopping",
    "plot_live_training",
    "plot_loss_curves",
    "plot_train_validation",
]

METRICS = ("accuracy", "loss")


def _history_array(history, table, field):
    getter = getattr(history, f"{table}_array", None)
    if not callable(getter):
        raise TypeError(
            f"history must be a History from rnnreg.training.fit (with {table}_array()), got {type(history).__name__}"
        )
    return np.asarray(getter(field), dtype=float)


def plot_loss_curves(history, *, ax=None, title=None):
    """The data loss and the regularization loss of every training step, and their sum.

    Parameters
    ----------
    history : History
        From ``rnnreg.training.fit``; reads the per-step fields ``step``, ``data_loss`` and
        ``regularization_loss``, each of shape (S,) for S steps (S >= 1).
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    title : str, optional
        Instead of the default title (the last step's two values), e.g. a shorter one for a narrow panel.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The losses are summed over the batch (the exercise's convention), as ``NeuralNetwork.forward`` returns
    them. Without a regularizer (the regularization loss is 0 at every step) only the data loss is drawn.
    The y-axis is logarithmic when the plotted values span two decades or more.

    The regularization loss is what the regularizer's ``norm`` reports (α Σ w² for L2), and the dashed line
    is the sum the network reports; neither is a loss the updates descend. L2's update α w is the gradient of
    α/2 Σ w², half the reported norm, and the optimizers apply it as a shrinkage outside momentum and Adam's
    moments (decoupled weight decay): with those, the update is not the gradient of any fixed loss.
    """
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
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
            ax.plot(steps, total, color=NEUTRAL_GREY, linewidth=1.4, linestyle="--", label="sum of the two")
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
        if title is not None:
            ax.set_title(title)
        legend_if_several(ax)
    return figure


def _last_finite(values):
    finite = np.flatnonzero(np.isfinite(values))
    return None if finite.size == 0 else (int(finite[-1]), float(values[finite[-1]]))


def plot_train_validation(history, metric="accuracy", *, ax=None, title=None):
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
    title : str, optional
        Instead of the default title (the final values and the gap), e.g. a shorter one for a narrow panel.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The gap is train − validation for accuracy and validation − train for the loss, so a positive gap
    means overfitting either way. When early stopping set ``history.best_epoch``, a dotted line marks it.
    """
    check_choice("metric", metric, METRICS)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
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
        if title is not None:
            ax.set_title(title)
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


def _seed_curves(values, name):
    array = as_float_array(values, name, ndim=2, finite=False)
    if array.shape[0] < 1 or array.shape[1] < 2:
        raise ValueError(f"{name} must hold at least one seed of at least 2 epochs (S, E), got shape {array.shape}")
    return array


def _epoch_indices(values, name, seeds, epochs):
    array = np.asarray(values)
    whole = np.issubdtype(array.dtype, np.number) and np.all(np.isfinite(array)) and np.all(array == np.round(array))
    if array.shape != (seeds,) or not whole:
        raise ValueError(f"{name} must hold one whole epoch number per seed ({seeds}), got {values!r}")
    array = array.astype(np.int64)
    if np.any(array < 0) or np.any(array >= epochs):
        raise ValueError(f"{name} must be epochs in [0, {epochs - 1}], got {array.tolist()}")
    return array


def _epoch_range(epochs):
    low, high = int(np.min(epochs)), int(np.max(epochs))
    return f"epoch {low}" if low == high else f"epochs {low}–{high}"


def plot_early_stopping(train_loss, validation_loss, best_epochs, stop_epochs, *, axes=None):
    """Early stopping over seeds: every seed's validation and training loss, where it stopped, what it kept.

    Parameters
    ----------
    train_loss, validation_loss : array_like, shape (S, E)
        Per seed (S >= 1) and epoch (E >= 2), the loss per sample of a run trained for all E epochs.
    best_epochs : array_like of int, shape (S,)
        Per seed, the epoch early stopping restored (``history.best_epoch``, 0-based).
    stop_epochs : array_like of int, shape (S,)
        Per seed, the last epoch early stopping trained (0-based).
    axes : sequence of 2 matplotlib Axes, optional
        Draw into these (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Left, the validation loss (linear axis, where its turn shows); right, the training loss (logarithmic: a
    memorising network's training loss falls by decades). One thin line per seed, in the validation and the
    train colour. On each validation curve a dot marks the restored epoch and a bar the epoch where early
    stopping stopped; on the training curves a bar marks the stop too. The titles state what the arrays
    show: the epochs of the validation minima, whether every seed's validation loss ends more than 5 %
    above its minimum, whether every training loss ends below its value at the stop, and the stop epochs.
    """
    train = _seed_curves(train_loss, "train_loss")
    validation = _seed_curves(validation_loss, "validation_loss")
    if train.shape != validation.shape:
        raise ValueError(f"train_loss and validation_loss must have the same shape, got {train.shape} and "
                         f"{validation.shape}")
    seeds, epochs = validation.shape
    best = _epoch_indices(best_epochs, "best_epochs", seeds, epochs)
    stop = _epoch_indices(stop_epochs, "stop_epochs", seeds, epochs)
    x, rows = np.arange(epochs), np.arange(seeds)
    runs = "1 seed" if seeds == 1 else f"{seeds} seeds"
    lowest = np.nanargmin(validation, axis=1)
    rising = bool(np.all(validation[:, -1] > 1.05 * validation[rows, lowest]))
    falling = bool(np.all(train[:, -1] < train[rows, stop]))

    with projector_style():
        figure, (validation_ax, train_ax) = prepare_axes_grid(axes, 1, 2, height=4.5)
        for ax, curves, color, what in ((validation_ax, validation, COLORS["validation"], "validation loss"),
                                        (train_ax, train, COLORS["train"], "training loss")):
            for seed in range(seeds):
                ax.plot(x, curves[seed], color=color, linewidth=1.3, alpha=0.8,
                        label=f"{what} ({runs})" if seed == 0 else None)
            ax.plot(stop, curves[rows, stop], linestyle="none", marker="|", markersize=16, markeredgewidth=2.5,
                    color="black", label="early stopping stopped", zorder=3)
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss per sample")
        validation_ax.plot(best, validation[rows, best], linestyle="none", marker="o", markersize=8,
                           color=COLORS["validation"], markeredgecolor="black", label="restored (best) epoch",
                           zorder=4)
        if np.any(train > 0):  # a log axis of no positive value is empty: losses of exactly 0 stay linear
            train_ax.set_yscale("log")
        validation_ax.set_title(f"Validation: lowest at {_epoch_range(lowest)}{', then rising' if rising else ''}")
        train_ax.set_title("Training loss keeps falling" if falling else "Training loss")
        validation_ax.legend(loc="best")
        train_ax.legend(loc="upper right")
        figure.suptitle(f"Early stopping stopped at {_epoch_range(stop)} of {epochs}")
    return figure


def _three_axes(axes):
    if isinstance(axes, Axes) or not isinstance(axes, Sequence | np.ndarray):
        raise TypeError(f"axes must be None or a sequence of 3 matplotlib Axes, got {type(axes).__name__}")
    axes = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(axes) != 3:
        raise ValueError(f"axes must hold exactly 3 matplotlib Axes, got {len(axes)}")
    for position, ax in enumerate(axes):
        check_axes(ax, f"axes[{position}]")
    return axes


def _placeholder(ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=NEUTRAL_GREY)


def plot_live_training(history, weights, initial_weights, *, axes=None, weights_label="weight value", title=None):
    """A run trained step by step: the two parts of the loss, the accuracies, one layer's weights now and at the start.

    Parameters
    ----------
    history : History
        The run's record: per step ``step``, ``data_loss`` and ``regularization_loss``; per evaluation
        ``epoch`` (passes over the training set, may be fractional), ``train_accuracy`` and
        ``validation_accuracy``. It may be empty (nothing trained yet).
    weights, initial_weights : array_like
        One layer's weights now and at the start (any shape, flattened); non-finite entries of ``weights``
        (a diverged run) are left out.
    axes : sequence of 3 matplotlib Axes, optional
        Draw into these (cleared first); by default a new figure 11 inches wide.
    weights_label : str
        The x-axis label of the histogram.
    title : str, optional
        The figure's title (e.g. the run's numbers); by default none.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The left panel is ``plot_loss_curves``, the middle one ``plot_train_validation`` (accuracy), each with a
    short title; the right one overlays the histogram of ``weights`` (filled, in the L2 colour) on the
    outline of ``initial_weights`` over shared bins, titled with both root mean squares.
    """
    now = as_float_array(weights, "weights", finite=False, drawable=False).ravel()
    start = as_float_array(initial_weights, "initial_weights").ravel()
    if start.size == 0:
        raise ValueError("initial_weights must hold at least one weight")
    if not isinstance(weights_label, str):
        raise TypeError(f"weights_label must be a string, got {type(weights_label).__name__}")
    finite = now[np.isfinite(now)]

    # Weights blown up by a diverging step still draw (their squares may overflow).
    with projector_style(), np.errstate(over="ignore", invalid="ignore"):
        if axes is None:
            figure, (loss_ax, accuracy_ax, weight_ax) = prepare_axes_grid(None, 1, 3, height=4.6, width=11.0)
        else:  # each panel below clears its own Axes: clearing twice would double the cost of a live picture
            loss_ax, accuracy_ax, weight_ax = _three_axes(axes)
            figure = prepare_axes(weight_ax, name="axes[2]")[0]
        if _history_array(history, "step", "step").size:
            plot_loss_curves(history, ax=loss_ax, title="loss per step")
        else:
            prepare_axes(loss_ax, name="axes[0]")
            _placeholder(loss_ax, "no steps yet")
            loss_ax.set_title("loss per step")
        if _history_array(history, "epoch", "epoch").size:
            plot_train_validation(history, "accuracy", ax=accuracy_ax, title="accuracy (test phase)")
            accuracy_ax.set_xlabel("epoch (passes over the training set)")
        else:
            prepare_axes(accuracy_ax, name="axes[1]")
            _placeholder(accuracy_ax, "no evaluation yet")
            accuracy_ax.set_title("accuracy (test phase)")

        limit = float(np.max(np.abs(np.concatenate([start, finite])))) or 1.0
        edges = np.linspace(-limit, limit, int(np.clip(start.size // 8, 10, 40)) + 1)
        weight_ax.stairs(np.histogram(finite, edges)[0], edges, fill=True, color=COLORS["L2"], alpha=0.7, label="now")
        weight_ax.stairs(np.histogram(start, edges)[0], edges, color=NEUTRAL_GREY, linewidth=1.8, label="start")
        weight_ax.set_xlabel(weights_label)
        weight_ax.set_ylabel("number of weights")
        weight_ax.grid(False)
        rms_start = float(np.sqrt(np.mean(np.square(start))))
        rms_now = float(np.sqrt(np.mean(np.square(finite)))) if finite.size else float("nan")
        weight_ax.set_title(f"weight RMS {rms_start:.3f} → {rms_now:.3g}")
        handles, labels = weight_ax.get_legend_handles_labels()
        weight_ax.legend(handles[::-1], labels[::-1], loc="upper right")  # "start" first: read in time order
        if title is not None:
            figure.suptitle(title)
    return figure
