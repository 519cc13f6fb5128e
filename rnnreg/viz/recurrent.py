"""Recurrent layers: hidden states and LSTM gates over time, gradients flowing back, predicted sequences."""

import numpy as np

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
from rnnreg.viz.style import COLORS, DIVERGING_CMAP, SEQUENTIAL_CMAP, projector_style

__all__ = ["plot_gate_activations", "plot_gradient_norms", "plot_hidden_states", "plot_sequence_predictions"]

GATES = ("forget", "input", "candidate", "output")
GATE_SYMBOLS = {"forget": "f_t", "input": "i_t", "candidate": "c̃_t", "output": "o_t"}
SATURATION = 0.9
INPUT_GREY = "#9A9A9A"


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
    attach_colorbar(figure, ax, image, colorbar_label)
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
        Per model, ‖dL/dh_t‖₂ for t = 1 … T, shape (T,), non-negative and finite: a layer's
        ``hidden_gradient_norms`` after ``backward``, or ``RecurrentRecorder.hidden_gradient_norms[i].values[-1]``.
        Labels "Elman" and "LSTM" take their concept colours.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes (cleared first); by default a new projector-sized figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The title states, per model, the ratio ‖dL/dh_1‖ / ‖dL/dh_T‖: the share of the gradient at the last
    step that is left at the first step. Zero norms cannot be drawn on the log scale and leave gaps.
    """
    check_mapping(norms, "norms", "(T,) array")
    curves = {}
    for label, values in norms.items():
        array = as_float_array(values, f"norms[{label!r}]", ndim=1)
        if np.any(array < 0):
            raise ValueError(f"norms[{label!r}] must be non-negative (they are norms), got minimum {array.min():g}")
        curves[label] = array
    labels = list(curves)

    with projector_style():
        figure, ax = prepare_axes(ax)
        for label, color in zip(labels, assign_colors(labels), strict=True):
            array = curves[label]
            drawable = np.where(array > 0, array, np.nan)
            ax.plot(np.arange(1, array.size + 1), drawable, color=color, marker="o" if array.size <= 30 else None,
                    label=label)
        if any(np.any(array > 0) for array in curves.values()):
            ax.set_yscale("log")
        ax.set_xlabel("time step t")
        ax.set_ylabel("‖dL/dh_t‖₂ (log scale)")
        ax.set_title(gradient_norms_title(labels, curves))
        legend_if_several(ax)
    return figure


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
