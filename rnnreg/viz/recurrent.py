"""Recurrent layers: hidden states and LSTM gates over time, gradients flowing back, predicted sequences."""

import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator

from rnnreg.viz._common import (
    as_float_array,
    assign_colors,
    attach_colorbar,
    check_mapping,
    format_scientific,
    legend_if_several,
    prepare_axes,
    prepare_axes_grid,
)
from rnnreg.viz.style import COLORS, DIVERGING_CMAP, OKABE_ITO, SEQUENTIAL_CMAP, projector_style

__all__ = [
    "plot_clipping",
    "plot_gate_activations",
    "plot_gradient_norms",
    "plot_hidden_states",
    "plot_memory_losses",
    "plot_recall",
    "plot_sequence_predictions",
]

GATES = ("forget", "input", "candidate", "output")
GATE_SYMBOLS = {"forget": "f_t", "input": "i_t", "candidate": "c̃_t", "output": "o_t"}
SATURATION = 0.9
INPUT_GREY = "#9A9A9A"
MEAN_ANSWER_LOSS = 1 / 12  # squared error of always answering 0.5 for a number drawn from U[0, 1): its variance
CLIPPING_COLORS = {"without clipping": OKABE_ITO["vermillion"], "clipped": OKABE_ITO["blue"]}


def _log_y(ax):
    """A logarithmic y axis with ticks at the decades only: minor ticks over many decades are clutter (and slow)."""
    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(NullLocator())


def _one_sequence(values, name):
    """(T, H), or (N, T, H) reduced to its first sequence."""
    array = as_float_array(values, name, ndim=(2, 3))
    return array[0] if array.ndim == 3 else array


def _heatmap(figure, ax, values, *, cmap, vmin, vmax, colorbar_label):
    """``values`` (T, H) as an image: x = time step t = 1 … T, y = unit 0 … H−1."""
    steps, units = values.shape
    image = ax.imshow(
        values.T, cmap=cmap, vmin=vmin, vmax=vmax, origin="lower", aspect="auto", interpolation="nearest",
        extent=(0.5, steps + 0.5, -0.5, units - 0.5),
    )
    ax.grid(False)
    colorbar = attach_colorbar(figure, ax, image, colorbar_label)
    colorbar.set_ticks(np.linspace(vmin, vmax, 5))  # -1, -0.5, 0, 0.5, 1 (or 0 … 1): enough to read a colour
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # units are whole numbers
    ax.set_xlabel("time step t")
    ax.set_ylabel("hidden unit")
    return image


def plot_hidden_states(hidden_states, *, ax=None, title=None):
    """Hidden states h_1 … h_T as a heatmap in the tanh range [−1, 1].

    Parameters
    ----------
    hidden_states : array_like, shape (T, H) or (N, T, H)
        E.g. ``RNN.hidden_states`` or ``RecurrentRecorder.hidden_states[i]``; for a batch the first
        sequence is shown.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first; the colour bar is an inset of it); by default a new figure.
    title : str, optional
        By default the share of saturated states (|h| > 0.9) and the mean |h|.

    Returns
    -------
    matplotlib.figure.Figure
    """
    states = _one_sequence(hidden_states, "hidden_states")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
    saturated = float(np.mean(np.abs(states) > SATURATION))
    with projector_style():
        figure, ax = prepare_axes(ax)
        _heatmap(figure, ax, states, cmap=DIVERGING_CMAP, vmin=-1, vmax=1, colorbar_label="hidden state h_t")
        if title is None:
            title = (
                f"Hidden states over {states.shape[0]} steps: {saturated:.0%} saturated (|h| > {SATURATION}), "
                f"mean |h| {np.mean(np.abs(states)):.2f}"
            )
        ax.set_title(title)
    return figure


def plot_gate_activations(gate_activations, *, axes=None):
    """The four LSTM gate activations over time as heatmaps: forget, input, candidate, output.

    Parameters
    ----------
    gate_activations : dict {str: array_like}
        ``{"forget": f, "input": i, "candidate": c̃, "output": o}`` as in ``LSTM.gate_activations`` or
        ``RecurrentRecorder.gate_activations[i]``, each of shape (T, H), or (N, T, H) of which the first
        sequence is shown. The gates lie in [0, 1], the candidate in [−1, 1].
    axes : sequence of 4 matplotlib.axes.Axes, optional
        Draw the four panels into these (cleared first), in the order forget, input, candidate, output; by
        default a new projector-sized 2 x 2 figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each panel's title gives the mean activation. A forget gate near 1 keeps the cell state (and lets the
    gradient through); near 0 it erases it.
    """
    check_mapping(gate_activations, "gate_activations", "(T, H) array")
    missing = [gate for gate in GATES if gate not in gate_activations]
    if missing:
        raise ValueError(f"gate_activations must hold the keys {GATES}, missing {missing}")
    gates = {gate: _one_sequence(gate_activations[gate], f"gate_activations[{gate!r}]") for gate in GATES}
    shapes = {gate: values.shape for gate, values in gates.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"all four gate activations must have the same shape, got {shapes}")

    with projector_style():
        figure, panels = prepare_axes_grid(axes, 2, 2, height=7.5)
        for ax, gate in zip(panels, GATES, strict=True):
            values = gates[gate]
            symbol = GATE_SYMBOLS[gate]
            if gate == "candidate":
                _heatmap(figure, ax, values, cmap=DIVERGING_CMAP, vmin=-1, vmax=1, colorbar_label=symbol)
                ax.set_title(
                    f"Candidate {symbol}: mean {values.mean():.2f}, mean |{symbol}| {np.abs(values).mean():.2f}"
                )
            else:
                _heatmap(figure, ax, values, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1, colorbar_label=symbol)
                ax.set_title(f"{gate.capitalize()} gate {symbol}: mean {values.mean():.2f}")
    return figure


def plot_gradient_norms(norms, *, ax=None):
    """‖dL/dh_t‖ against the time step for several models, on a log scale: do gradients vanish?

    Parameters
    ----------
    norms : dict {str: array_like}
        Per model, ‖dL/dh_t‖₂ for t = 1 … T, non-negative and finite: shape (T,) for one run (a layer's
        ``hidden_gradient_norms`` after ``backward``, or ``RecurrentRecorder.hidden_gradient_norms[i].values[-1]``),
        or (S, T) for S seeds, drawn as the median with the range of the seeds as a band.
        Labels "Elman" and "LSTM" take their concept colours.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The title states, per model, the ratio ‖dL/dh_1‖ / ‖dL/dh_T‖ (its median over the seeds): the share of the
    gradient at the last step that is left at the first step. Zero norms cannot be drawn on the log scale and
    leave gaps.
    """
    check_mapping(norms, "norms", "(T,) or (S, T) array")
    rows = {label: _seed_rows(values, f"norms[{label!r}]") for label, values in norms.items()}
    labels = list(rows)
    with projector_style():
        figure, ax = prepare_axes(ax)
        for label, color in zip(labels, assign_colors(labels), strict=True):
            drawable = np.where(rows[label] > 0, rows[label], np.nan)
            _median_and_band(ax, drawable, color, label)
            if drawable.shape == (1, drawable.shape[1]) and drawable.shape[1] <= 30:
                ax.lines[-1].set_marker("o")  # a short single run: each step a point
        if any(np.any(array > 0) for array in rows.values()):
            _log_y(ax)
        ax.set_xlabel("time step t")
        ax.set_ylabel("‖dL/dh_t‖₂ (log scale)")
        if all(array.shape[0] == 1 for array in rows.values()):
            ax.set_title(gradient_norms_title(labels, {label: array[0] for label, array in rows.items()}))
        else:
            ax.set_title(_median_ratios_title(rows))
        legend_if_several(ax, loc="lower right")
    return figure


def _median_ratios_title(rows):
    """"‖dL/dh_1‖ / ‖dL/dh_61‖, median of 5 seeds: Elman 2.7e-3, LSTM 1.2" (rows: label -> (S, T))."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a norm of 0 at the last step has no ratio: "n/a"
        ratios = {label: float(np.median(array[:, 0] / array[:, -1])) for label, array in rows.items()}
    steps = {array.shape[1] for array in rows.values()}
    head = f"‖dL/dh_1‖ / ‖dL/dh_{steps.pop()}‖" if len(steps) == 1 else "‖dL/dh_1‖ / ‖dL/dh_T‖"
    return f"{head}{_seeds_text(rows)}: " + ", ".join(
        f"{label} {format_scientific(ratio, 2)}" for label, ratio in ratios.items()
    )


def gradient_norms_title(labels, curves):
    """"Elman keeps 1.2e-4 of the gradient from t = 40 back to t = 1, LSTM 0.48" (ratios ‖dL/dh_1‖ / ‖dL/dh_T‖)."""
    ratios = {label: None if curves[label][-1] == 0 else curves[label][0] / curves[label][-1] for label in labels}
    lengths = {label: curves[label].size for label in labels}
    same_length = len(set(lengths.values())) == 1

    def text(label):
        ratio = ratios[label]
        value = "n/a (0 at the last step)" if ratio is None else format_scientific(ratio, 2)
        return value if same_length else f"{value} (T = {lengths[label]})"

    first = labels[0]
    span = f"t = {lengths[first]} back to t = 1" if same_length else "t = T back to t = 1"
    if all(ratio is not None and ratio <= 1 for ratio in ratios.values()):
        title = f"{first} keeps {text(first)} of the gradient from {span}"
        return title + "".join(f", {label} {text(label)}" for label in labels[1:])
    head = f"‖dL/dh_1‖ / ‖dL/dh_{lengths[first] if same_length else 'T'}‖"
    return f"{head}: " + ", ".join(f"{label} {text(label)}" for label in labels)


def _sequence(values, name):
    array = as_float_array(values, name, ndim=(1, 2))
    if array.ndim == 2:
        if array.shape[1] != 1:
            raise ValueError(f"{name} must have shape (T,) or (T, 1): one value per time step, got {array.shape}")
        array = array[:, 0]
    return array


def plot_sequence_predictions(targets, predictions, *, inputs=None, ax=None):
    """One sequence: the targets, the network's predictions and optionally the inputs, against the time step.

    Parameters
    ----------
    targets, predictions : array_like, shape (T,) or (T, 1)
        One value per time step, finite.
    inputs : array_like, shape (T,) or (T, D), optional
        The input sequence, drawn as thin grey lines (one per feature).
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The title states the mean squared error over the T steps, (1/T) Σ_t (ŷ_t − y_t)².
    """
    targets = _sequence(targets, "targets")
    predictions = _sequence(predictions, "predictions")
    if targets.shape != predictions.shape:
        raise ValueError(
            f"targets and predictions must have the same length T, got {targets.size} and {predictions.size}"
        )
    if inputs is not None:
        inputs = as_float_array(inputs, "inputs", ndim=(1, 2))
        if inputs.shape[0] != targets.size:
            raise ValueError(f"inputs must have one row per time step (T = {targets.size}), got shape {inputs.shape}")
        inputs = inputs.reshape(targets.size, -1)
    error = float(np.mean((predictions - targets) ** 2))
    steps = np.arange(1, targets.size + 1)

    with projector_style():
        figure, ax = prepare_axes(ax)
        if inputs is not None:
            for feature in range(inputs.shape[1]):
                ax.plot(steps, inputs[:, feature], color=INPUT_GREY, linewidth=1.0,
                        label="input" if feature == 0 else "_nolegend_")
        ax.plot(steps, targets, color=COLORS["target"], linewidth=2.4, label="target")
        ax.plot(steps, predictions, color=COLORS["prediction"], linewidth=2.4, linestyle="--", label="prediction")
        ax.set_xlabel("time step t")
        ax.set_ylabel("value")
        ax.set_title(f"Prediction against target over {targets.size} steps: mean squared error "
                     f"{format_scientific(error, 3)}")
        legend_if_several(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


# ------------------------------------------------------------------------------------------ over seeds


def _seed_rows(values, name, *, non_negative=True):
    """``values`` as an (S, N) array: one row per seed (a single row for a 1-D input)."""
    array = as_float_array(values, name, ndim=(1, 2))
    array = array[np.newaxis] if array.ndim == 1 else array
    if non_negative and np.any(array < 0):
        raise ValueError(f"{name} must be non-negative, got minimum {array.min():g}")
    return array


def _median_and_band(ax, rows, color, label, *, x=None):
    """The median over the rows (seeds) as a line, the range from the lowest to the highest row as a band."""
    x = np.arange(1, rows.shape[1] + 1) if x is None else x
    if rows.shape[0] > 1:
        ax.fill_between(x, rows.min(axis=0), rows.max(axis=0), color=color, alpha=0.25, linewidth=0)
    ax.plot(x, np.median(rows, axis=0), color=color, label=label)


def _seeds_text(rows_by_label):
    """", median of 5 seeds" when every entry has 5 rows (seeds), "" for single runs."""
    counts = {rows.shape[0] for rows in rows_by_label.values()}
    count = counts.pop() if len(counts) == 1 else None
    return "" if count == 1 else f", median of {count} seeds" if count else ", medians over seeds"


def _check_recall(label, pair):
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise TypeError(f"recalls[{label!r}] must be a pair (targets, predictions), got {type(pair).__name__}")
    targets = as_float_array(pair[0], f"recalls[{label!r}] targets").ravel()
    predictions = as_float_array(pair[1], f"recalls[{label!r}] predictions").ravel()
    if targets.shape != predictions.shape:
        raise ValueError(
            f"recalls[{label!r}] targets and predictions must have the same size, got {targets.size} and "
            f"{predictions.size}"
        )
    return targets, predictions


def plot_recall(recalls, *, ax=None, highlight=None):
    """Recalled against shown numbers of the memory task, per model: perfect recall lies on the diagonal.

    Parameters
    ----------
    recalls : dict {str: (targets, predictions)}
        Per model, the numbers shown at the first step and the numbers the model answered at the end, each
        of shape (N,) or (N, 1), in [0, 1]. Labels "Elman" and "LSTM" take their concept colours.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.
    highlight : str, optional
        A label whose points are drawn larger and on top (the others fade).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The legend gives each model's R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)²; the dashed line is always answering 0.5,
    where R² is about 0.
    """
    check_mapping(recalls, "recalls", "(targets, predictions)")
    pairs = {label: _check_recall(label, pair) for label, pair in recalls.items()}
    if highlight is not None and highlight not in pairs:
        raise ValueError(f"highlight must be one of the labels {list(pairs)} or None, got {highlight!r}")
    labels = list(pairs)
    with projector_style():
        figure, ax = prepare_axes(ax)
        ax.plot([0, 1], [0, 1], color="black", linewidth=1.0, linestyle=":", label="perfect recall")
        ax.axhline(0.5, color="grey", linewidth=1.0, linestyle="--", label="always 0.5 (R² ≈ 0)")
        for label, color in zip(labels, assign_colors(labels), strict=True):
            targets, predictions = pairs[label]
            spread = np.sum((targets - targets.mean()) ** 2)
            score = 1 - np.sum((predictions - targets) ** 2) / spread if spread > 0 else np.nan
            chosen = highlight is None or label == highlight
            ax.scatter(targets, predictions, color=color, s=28 if chosen else 18, alpha=0.95 if chosen else 0.45,
                       zorder=3 if chosen else 2, label=f"{label} (R² {score:.2f})")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("number shown at step 1")
        ax.set_ylabel("number recalled at the end")
        ax.set_title("Recall on held-out sequences")
        ax.legend(loc="upper left")
    return figure


def plot_memory_losses(losses, *, ax=None):
    """Training loss of the memory task per training step, per model (median and range over seeds).

    Parameters
    ----------
    losses : dict {str: array_like}
        Per model, the squared error per sequence of every training step, shape (steps,) for one seed or
        (S, steps) for S seeds, non-negative. Labels that name a concept ("Elman", "LSTM") take its colour.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The y axis is logarithmic; the dashed line 1/12 is the error of always answering 0.5.
    """
    check_mapping(losses, "losses", "(S, steps) array")
    rows = {label: _seed_rows(values, f"losses[{label!r}]") for label, values in losses.items()}
    labels = list(rows)
    with projector_style():
        figure, ax = prepare_axes(ax)
        _draw_losses(ax, rows, assign_colors(labels))
    return figure


def _draw_losses(ax, rows, colors):
    for (label, array), color in zip(rows.items(), colors, strict=True):
        _median_and_band(ax, np.maximum(array, 1e-12), color, label)
    ax.axhline(MEAN_ANSWER_LOSS, color="grey", linewidth=1.0, linestyle="--", label="always 0.5 (1/12)")
    _log_y(ax)
    ax.set_xlabel("training step")
    ax.set_ylabel("squared error per sequence")
    ax.set_title(f"Training loss{_seeds_text(rows)}")
    ax.legend(loc="lower left")


def plot_clipping(step_norms, losses, *, clip_norm, axes=None):
    """Gradient clipping, before and after: the gradient norm of every training step, and the training loss.

    Parameters
    ----------
    step_norms : dict {str: array_like}
        Per run (e.g. "without clipping", "clipped at 1"), the global gradient norm of every training step
        before clipping, shape (S, steps) over S seeds or (steps,), positive.
    losses : dict {str: array_like}
        The same runs' squared error per sequence at every step, same shapes.
    clip_norm : float
        The clipping threshold c, drawn as a line: a clipped run's updates use min(‖g‖, c).
    axes : sequence of 2 matplotlib.axes.Axes, optional
        Draw into these (cleared first): the gradient norms, then the losses; by default a new 1 x 2 figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Labels starting with "without" take vermillion, the others blue; lines are the medians over the seeds,
    bands their range (the seeds' lowest to highest value at each step). Both y axes are logarithmic.
    """
    check_mapping(step_norms, "step_norms", "(S, steps) array")
    check_mapping(losses, "losses", "(S, steps) array")
    if list(step_norms) != list(losses):
        raise ValueError(f"step_norms and losses must name the same runs, got {list(step_norms)} and {list(losses)}")
    if isinstance(clip_norm, bool) or not isinstance(clip_norm, int | float) or not clip_norm > 0:
        raise ValueError(f"clip_norm must be a number > 0, got {clip_norm!r}")
    norms = {label: _seed_rows(values, f"step_norms[{label!r}]") for label, values in step_norms.items()}
    loss_rows = {label: _seed_rows(values, f"losses[{label!r}]") for label, values in losses.items()}
    colors = [CLIPPING_COLORS["without clipping" if label.startswith("without") else "clipped"] for label in norms]
    with projector_style():
        figure, (norm_ax, loss_ax) = prepare_axes_grid(axes, 1, 2, height=4.5)
        for (label, rows), color in zip(norms.items(), colors, strict=True):
            _median_and_band(norm_ax, np.maximum(rows, 1e-12), color, label)
        norm_ax.axhline(clip_norm, color="black", linewidth=1.2, linestyle="--", label=f"clip level c = {clip_norm:g}")
        _log_y(norm_ax)
        norm_ax.set_xlabel("training step")
        norm_ax.set_ylabel("gradient norm ‖g‖ before clipping")
        norm_ax.set_title(f"Gradient norm{_seeds_text(norms)}")
        norm_ax.legend(loc="upper right")
        _draw_losses(loss_ax, loss_rows, colors)
    return figure
