"""Lesson 04, recurrent networks: the Elman cell, memory over time, vanishing gradients, Elman against LSTM.

Pure functions (seeded, plain data out) with dashboards on top:

- ``train_memory_task`` trains an Elman RNN or an LSTM on ``delayed_recall`` (remember the number shown at
  the first step, ``delay`` steps of distractors later) and returns its score (R² on held-out sequences),
  predictions, hidden states, the gradient norm ‖dL/dh_t‖ at every time step and, for the LSTM, its gates.
  Cached with ``functools.lru_cache``: the same arguments give the same (read-only) result at once.
  ``MemoryTaskDashboard`` trains both models for its delay, truncation and clipping settings; the model
  toggle only picks which one's hidden states to show.
- ``initial_gradient_norms`` measures ‖dL/dh_t‖ of both models right after initialization, without
  training, for ``GradientFlowDashboard`` (delay and the LSTM's forget-gate bias).
- ``train_sine_predictor`` fits the Elman cell to ``noisy_sine`` (predict the next value of a wave), the
  first example of the lesson.

Both layers end in a sigmoid, y_t = σ(W_y [h_t, 1]) in (0, 1), so the targets of these tasks lie in (0, 1).
"""

import dataclasses
import functools
import math
import numbers

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rnnreg import LSTM, RNN, Adam, Constant, L2Loss, LastTimeStep, NeuralNetwork, Xavier
from rnnreg.data import ArrayDataLayer, delayed_recall, noisy_sine
from rnnreg.layers.activations import sigmoid
from rnnreg.lessons.experiment import check_choice, read_only, seeded
from rnnreg.training import fit, r_squared
from rnnreg.viz import COLORS, plot_gradient_norms, plot_hidden_states
from rnnreg.viz.recurrent import gradient_norms_title
from rnnreg.viz.style import DPI, FIGURE_WIDTH, new_figure
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard, animate, limits_and_labels

__all__ = [
    "GradientFlowDashboard",
    "MemoryTaskDashboard",
    "TrainedRecurrent",
    "initial_gradient_norms",
    "train_memory_task",
    "train_sine_predictor",
]

MODELS = ("Elman", "LSTM")
HIDDEN_SIZE = 16
FORGET_BIAS = 5.0
DELAYS = (2, 5, 10, 15, 20, 30)
TRUNCATIONS = (0, 5, 10, 20)  # 0: off (full back-propagation through time)
DELAY_RANGE = (5, 100)  # the gradient-flow dashboard's delay slider; its x axis holds the longest sequence
NORM_DECADES = (-9, 1)  # its log axis, as powers of ten, unless a setting's norms reach beyond
SHORT_SEQUENCE = 16  # the memory dashboard's time axis for delays up to 15; longer ones take the longest
LOSS_DECADES = (-4, 0)  # the memory dashboard's loss axis, likewise
RECALL_THRESHOLD = 0.5  # an R² above this counts as "recalls the number" in the titles

# The dashboard's budget: a few hundred updates, well under a second per model.
QUICK = {"num_sequences": 250, "epochs": 1, "steps_per_epoch": 80, "batch_size": 16, "learning_rate": 3e-2}
# The setting tests/test_teaching_claims.py checks: Elman fails at delay 60, LSTM(forget_bias=5) succeeds.
TESTED = {"num_sequences": 600, "epochs": 20, "steps_per_epoch": None, "batch_size": 32, "learning_rate": 1e-2}


def _optional_positive(name, value):
    """None, or a positive number; 0 (a slider's "off") means None."""
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a positive number or off (0 or None), got {value!r}")
    return value


def recurrent_layer(model, input_size, output_size, *, hidden_size=HIDDEN_SIZE, forget_bias=FORGET_BIAS):
    """``RNN(D, H, K)`` for "Elman", ``LSTM(D, H, K, forget_bias=...)`` for "LSTM"."""
    if check_choice("model", model, MODELS) == "Elman":
        return RNN(input_size, hidden_size, output_size)
    return LSTM(input_size, hidden_size, output_size, forget_bias=forget_bias)


@dataclasses.dataclass(frozen=True)
class TrainedRecurrent:
    """What ``train_memory_task`` returns (shared by its cache: every array is read-only).

    Attributes
    ----------
    settings : dict
        The arguments it was trained with.
    history : History
    score : float
        R² of the recalled numbers on the held-out (validation) sequences: 1 is perfect recall, 0 is no
        better than always answering the mean.
    inputs, targets, predictions : ndarray, shapes (N_val, T, 2), (N_val, 1), (N_val, 1)
        The held-out sequences, the numbers to recall and the network's answers.
    hidden_states : ndarray, shape (T, H)
        h_1 … h_T of the first held-out sequence.
    gradient_norms : ndarray, shape (T,)
        ‖dL/dh_t‖₂ on the held-out set after training (full back-propagation through time).
    gates : dict {str: ndarray (T, H)} or None
        The LSTM's forget, input, candidate and output activations on the first held-out sequence.
    clipped_fraction : float
        The share of training steps whose gradient norm was above ``clip_norm`` (0 without clipping).
    """

    settings: dict
    history: object
    score: float
    inputs: np.ndarray
    targets: np.ndarray
    predictions: np.ndarray
    hidden_states: np.ndarray
    gradient_norms: np.ndarray
    gates: dict | None
    clipped_fraction: float

    @property
    def gradient_ratio(self):
        """‖dL/dh_1‖ / ‖dL/dh_T‖: how much of the gradient at the last step reaches the first."""
        return float(self.gradient_norms[0] / self.gradient_norms[-1]) if self.gradient_norms[-1] > 0 else np.nan


def _gradient_norms(layer, inputs, targets):
    """‖dL/dh_t‖ of ``layer`` for ``inputs`` with the memory task's loss, without changing its weights."""
    optimizer, layer.optimizer = layer.optimizer, None  # backward only stores the gradients
    try:
        top, loss = LastTimeStep(), L2Loss()
        loss.forward(top.forward(layer.forward(inputs)), targets)
        layer.backward(top.backward(loss.backward(targets)))
    finally:
        layer.optimizer = optimizer
    return np.array(layer.hidden_gradient_norms)


class _TrainingBatches:
    """The training batches of a data layer, without its evaluation sets: ``fit`` then scores nothing per epoch.

    The score is computed once, after training. This also keeps ``fit`` from scoring the whole training and
    validation sets while truncated BPTT has the recurrent layers memorize: the state carried from one set
    would start the next (and a set of another size than the last batch is rejected).
    """

    def __init__(self, data_layer):
        self.data_layer = data_layer
        self.batches_per_epoch = data_layer.batches_per_epoch

    def next(self):
        return self.data_layer.next()


def train_memory_task(model="Elman", delay=10, *, truncation=None, clip_norm=None, hidden_size=HIDDEN_SIZE,
                      forget_bias=FORGET_BIAS, num_sequences=QUICK["num_sequences"], epochs=QUICK["epochs"],
                      steps_per_epoch=QUICK["steps_per_epoch"], batch_size=QUICK["batch_size"],
                      learning_rate=QUICK["learning_rate"], seed=0, cached=True):
    """Train an Elman RNN or an LSTM to recall a number after ``delay`` steps of distractors; cached.

    ``delayed_recall(num_sequences, delay)`` makes the sequences (80 % train, 20 % held out); the net is the
    recurrent layer (2 inputs, H hidden units, 1 output) and ``LastTimeStep``, trained with ``L2Loss`` and
    Adam(η) from Xavier weights and zero biases by ``fit``. The defaults are the dashboard's quick budget
    (``QUICK``); ``**TESTED`` gives the setting of the teaching-claim tests. Results are cached by their
    settings (``train_memory_task.cache_info()``); ``cached=False`` trains again.

    Parameters
    ----------
    model : {"Elman", "LSTM"}
    delay : int
        Steps between the number and the question (sequences have delay + 1 steps).
    truncation : int, optional
        Truncated back-propagation through time: ``fit`` cuts every sequence into chunks of ``truncation``
        steps from the start and, with one target per sequence, back-propagates through the last chunk only
        (0 or None: full back-propagation through time).
    clip_norm : float, optional
        Clip every step's gradient to this global norm (0 or None: no clipping).
    hidden_size, forget_bias : the layer's H and (LSTM only) forget-gate bias.
    num_sequences, epochs, steps_per_epoch, batch_size, learning_rate : the training budget (Adam's η).
    seed : int
        Seeds the data, the split, the shuffling and the initial weights.
    cached : bool
        False trains again even when the cache holds this setting (the result is the same).

    Returns
    -------
    TrainedRecurrent

    Raises
    ------
    ValueError
        A bad model, delay, budget or learning rate, or training that diverged.
    """
    train = _train_memory_task if cached else _train_memory_task.__wrapped__
    return train(
        check_choice("model", model, MODELS), delay, _optional_positive("truncation", truncation),
        _optional_positive("clip_norm", clip_norm), hidden_size, forget_bias, num_sequences, epochs,
        steps_per_epoch, batch_size, learning_rate, seed,
    )


@functools.lru_cache(maxsize=64)
def _train_memory_task(model, delay, truncation, clip_norm, hidden_size, forget_bias, num_sequences, epochs,
                       steps_per_epoch, batch_size, learning_rate, seed):
    """``train_memory_task`` with every argument given (so that equal settings share one cache entry)."""
    inputs, targets = delayed_recall(num_sequences, delay, rng=seed)
    # The order of the random draws is the one of tests/test_teaching_claims.py (split, initial weights,
    # shuffling, all from NumPy's global state seeded with ``seed``), so TESTED gives the tested numbers.
    with seeded(seed):
        layer = recurrent_layer(model, 2, 1, hidden_size=hidden_size, forget_bias=forget_bias)
        np.random.seed(seed)  # the draws of the layer's constructor are replaced by initialize below
        net = NeuralNetwork(Adam(learning_rate, 0.9, 0.999), Xavier(), Constant(0.0))
        data = ArrayDataLayer(inputs, targets, batch_size, label_type="values", validation_fraction=0.2,
                              test_fraction=0.0)
        net.data_layer = _TrainingBatches(data)
        net.loss_layer = L2Loss()
        net.append_layer(layer)
        net.append_layer(LastTimeStep())
        try:
            history = fit(net, epochs=epochs, steps_per_epoch=steps_per_epoch, truncation=truncation,
                          clip_norm=clip_norm, metric=None)
        except RuntimeError as error:  # divergence: the message names the step
            raise ValueError(str(error)) from error
    held_out, recall = data.get_validation_set()
    if len(held_out) == 0:
        raise ValueError(f"{num_sequences} sequences leave none to hold out; use at least 5")
    predictions = net.test(held_out)
    gates = None
    if model == "LSTM":
        gates = {name: np.array(values[0]) for name, values in layer.gate_activations.items()}
    hidden_states = np.array(layer.hidden_states[0])
    gradient_norms = _gradient_norms(layer, held_out, recall)
    norms = history.step_array("gradient_norm")
    settings = {"model": model, "delay": delay, "truncation": truncation, "clip_norm": clip_norm,
                "hidden_size": hidden_size, "forget_bias": forget_bias if model == "LSTM" else None,
                "num_sequences": num_sequences, "epochs": epochs, "steps_per_epoch": steps_per_epoch,
                "batch_size": batch_size, "learning_rate": learning_rate, "seed": seed}
    return TrainedRecurrent(
        settings=settings, history=history, score=float(r_squared(predictions, recall)),
        inputs=read_only(held_out), targets=read_only(recall), predictions=read_only(predictions),
        hidden_states=read_only(hidden_states), gradient_norms=read_only(gradient_norms),
        gates=read_only(gates), clipped_fraction=float(np.mean(norms > clip_norm)) if clip_norm else 0.0,
    )


train_memory_task.cache_info = _train_memory_task.cache_info
train_memory_task.cache_clear = _train_memory_task.cache_clear


def recall_finding(delay, results):
    """The sentence the memory dashboard's title states, from computed scores."""
    verdicts = {model: results[model].score > RECALL_THRESHOLD for model in MODELS}
    scores = {model: f"R² {results[model].score:.2f}" for model in MODELS}
    if all(verdicts.values()):
        return f"Delay {delay}: both recall the number (Elman {scores['Elman']}, LSTM {scores['LSTM']})"
    if not any(verdicts.values()):
        return f"Delay {delay}: neither recalls the number (Elman {scores['Elman']}, LSTM {scores['LSTM']})"
    good, bad = ("LSTM", "Elman") if verdicts["LSTM"] else ("Elman", "LSTM")
    return f"Delay {delay}: {good} recalls the number ({scores[good]}), {bad} does not ({scores[bad]})"


def _recall_style(result, model, chosen):
    return {"sizes": [28 if model == chosen else 18], "alpha": 0.95 if model == chosen else 0.45,
            "label": f"{model} (R² {result.score:.2f})", "zorder": 3 if model == chosen else 2}


def _draw_recall(ax, results, chosen):
    """Recalled against true numbers of the held-out sequences, per model (perfect recall: the diagonal)."""
    ax.clear()
    ax.plot([0, 1], [0, 1], color="black", linewidth=1.0, linestyle=":", label="perfect recall")
    ax.axhline(0.5, color="grey", linewidth=1.0, linestyle="--", label="always 0.5 (R² = 0)")
    for model in MODELS:
        result = results[model]
        points = ax.scatter(result.targets[:, 0], result.predictions[:, 0], color=COLORS[model])
        points.set(**_recall_style(result, model, chosen))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("number shown at step 1")
    ax.set_ylabel("number recalled at the end")
    ax.set_title("Recall on held-out sequences")
    ax.legend(loc="upper left", fontsize=12)


def _update_recall(ax, results, chosen):
    """New points for the scatters ``_draw_recall`` made; the legend is made again (its markers copy the style)."""
    for points, model in zip(ax.collections, MODELS, strict=True):
        result = results[model]
        points.set_offsets(np.column_stack([result.targets[:, 0], result.predictions[:, 0]]))
        points.set(**_recall_style(result, model, chosen))
    ax.legend(loc="upper left", fontsize=12)


def _loss_curve(result):
    """(training steps, squared error per sequence) of one trained model."""
    history = result.history
    return history.step_array("step"), history.step_array("data_loss") / result.settings["batch_size"]


def _draw_losses(ax, results):
    """Training loss per sequence of both models over the training steps."""
    ax.clear()
    for model in MODELS:
        ax.plot(*_loss_curve(results[model]), color=COLORS[model], linewidth=1.6, label=model)
    ax.axhline(1 / 12, color="grey", linewidth=1.0, linestyle="--", label="always 0.5 (1/12)")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("squared error per sequence")
    ax.set_title("Training loss")
    ax.legend(loc="lower left", fontsize=12)


def _update_states(ax, states, title):
    """New hidden states (T, H) for the heatmap ``plot_hidden_states`` drew into ``ax``."""
    image = ax.images[0]
    image.set_data(states.T)
    image.set_extent((0.5, states.shape[0] + 0.5, -0.5, states.shape[1] - 0.5))
    ax.set_title(title)


class MemoryTaskDashboard(Dashboard):
    """Elman against LSTM on the memory task: the delay, truncated BPTT and gradient clipping retrain both.

    The model toggle picks whose hidden states the heatmap shows; both models' gradient norms, recall and
    losses are drawn in their colours. Each setting trains both models with the quick budget (``QUICK``):
    about a second; settings seen before come from the cache at once.
    """

    title = "Elman vs LSTM on the memory task: recall a number after a delay"

    def __init__(self, *, seed=0, num_sequences=QUICK["num_sequences"], hidden_size=HIDDEN_SIZE,
                 forget_bias=FORGET_BIAS):
        self.seed, self.num_sequences = seed, num_sequences
        self.hidden_size, self.forget_bias = hidden_size, forget_bias
        super().__init__()

    def build_controls(self):
        return {
            "model": ctl.choice_buttons("hidden states of", MODELS, "Elman"),
            "delay": widgets.SelectionSlider(
                options=list(DELAYS), value=10, description="delay (steps)", continuous_update=False,
                style=ctl.STYLE, layout=ctl.LAYOUT,
            ),
            "truncation": widgets.SelectionSlider(
                options=[("off", 0), *[(str(value), value) for value in TRUNCATIONS[1:]]], value=0,
                description="truncated BPTT: chunks of k steps", continuous_update=False, style=ctl.STYLE,
                layout=ctl.LAYOUT,
            ),
            "clip_norm": ctl.clipping_slider(0.0),
        }

    def build_axes(self):
        return new_figure(2, 2, height=8.0, width=10.5)

    def train(self, model, params):
        return train_memory_task(
            model, int(params["delay"]), truncation=int(params["truncation"]) or None,
            clip_norm=float(params["clip_norm"]) or None, hidden_size=self.hidden_size,
            forget_bias=self.forget_bias, num_sequences=self.num_sequences, seed=self.seed,
        )

    def compute(self, params):
        check_choice("model", params["model"], MODELS)
        results = {model: self.train(model, params) for model in MODELS}
        return {"model": params["model"], "delay": int(params["delay"]), "results": results}

    def render(self, data):
        results, chosen = data["results"], data["model"]
        (states_ax, gradient_ax), (recall_ax, loss_ax) = self.axes
        states = results[chosen].hidden_states
        title = f"{chosen} hidden states ({np.mean(np.abs(states) > 0.9):.0%} saturated)"
        norms = {model: results[model].gradient_norms for model in MODELS}
        markers = states.shape[0] <= 30  # plot_gradient_norms marks the steps of short sequences
        if getattr(self, "_markers", None) != markers:  # the first picture, or other kinds of artists
            self._markers = markers
            plot_hidden_states(states, ax=states_ax, title=title)
            plot_gradient_norms(norms, ax=gradient_ax)
            gradient_ax.set_title("Gradient at each step, after training")
            # A fixed place, in the background: the last steps, nearest the loss, get the largest gradients.
            gradient_ax.legend(loc="lower right")
            _draw_recall(recall_ax, results, chosen)
            _draw_losses(loss_ax, results)
        else:
            _update_states(states_ax, states, title)
            for line, model in zip(gradient_ax.lines, MODELS, strict=True):
                line.set_data(np.arange(1, norms[model].size + 1), np.where(norms[model] > 0, norms[model], np.nan))
            _update_recall(recall_ax, results, chosen)
            for line, model in zip(loss_ax.lines, MODELS, strict=False):  # the last line is the 1/12 reference
                line.set_data(*_loss_curve(results[model]))
            loss_ax.relim()
            loss_ax.autoscale_view()  # the x axis (training steps); the y axis is fixed below
        # Fixed axes, so the background stays and pictures compare: the time axes hold 16 steps (delays up
        # to 15) or the longest sequence, the log axes whole decades.
        steps = SHORT_SEQUENCE if states.shape[0] <= SHORT_SEQUENCE else max(DELAYS) + 1
        for ax in (states_ax, gradient_ax):
            ax.set_xlim(0.5, steps + 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # time steps: whole numbers
        gradient_ax.set_ylim(*norm_limits(norms))
        loss_ax.set_ylim(*decade_limits([_loss_curve(results[model])[1] for model in MODELS], LOSS_DECADES))
        animate(states_ax.images[0], states_ax.title, *gradient_ax.lines, *recall_ax.collections,
                recall_ax.get_legend(), *loss_ax.lines[:len(MODELS)], loss_ax.get_legend())
        self.set_finding(recall_finding(data["delay"], results))

    def static_key(self, data):
        return limits_and_labels(*self.axes.ravel()), self._markers

    def summary(self, data):
        results = data["results"]
        settings = results["Elman"].settings
        truncation = "off" if settings["truncation"] is None else f"in chunks of {settings['truncation']} steps"
        parts = [f"delay {data['delay']}, truncated BPTT {truncation}"]
        for model in MODELS:
            result = results[model]
            text = (f"{model}: R² {result.score:.3f}, ‖dL/dh_1‖/‖dL/dh_T‖ {result.gradient_ratio:.1e}")
            if settings["clip_norm"]:
                text += f", {result.clipped_fraction:.0%} of steps clipped at {settings['clip_norm']:g}"
            parts.append(text)
        return " | ".join(parts)


# -------------------------------------------------------------------------- gradients at initialization


def initial_gradient_norms(delay, forget_bias=FORGET_BIAS, *, hidden_size=HIDDEN_SIZE, num_sequences=32, seed=0):
    """‖dL/dh_t‖ per time step of an untrained Elman RNN and LSTM on the memory task (no training).

    Both layers are initialized as the network would (Xavier weights, zero biases; the LSTM's forget-gate
    bias set to ``forget_bias``) from a seeded state, run forward on ``delayed_recall(num_sequences, delay)``
    and back-propagate the squared error of the last step through time.

    Returns
    -------
    dict {"Elman": ndarray (T,), "LSTM": ndarray (T,)}
        T = delay + 1.
    """
    inputs, targets = delayed_recall(num_sequences, delay, rng=seed)
    norms = {}
    for model in MODELS:
        with seeded(seed):
            layer = recurrent_layer(model, 2, 1, hidden_size=hidden_size, forget_bias=forget_bias)
            layer.initialize(Xavier(), Constant(0.0))
        norms[model] = _gradient_norms(layer, inputs, targets)
    return norms


def _times(factor):
    """3.2×, 45×, 1.8e5×: a factor for a title."""
    if factor < 10:
        return f"{factor:.1f}×"
    if factor < 1000:
        return f"{factor:.0f}×"
    mantissa, exponent = f"{factor:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}×"


def gradient_ratios(norms):
    """{model: ‖dL/dh_1‖ / ‖dL/dh_T‖}."""
    return {model: float(values[0] / values[-1]) if values[-1] > 0 else np.nan for model, values in norms.items()}


def decade_limits(arrays, decades):
    """Log-axis limits: 10^low to 10^high for ``decades = (low, high)``, widened by whole decades to hold ``arrays``."""
    values = np.concatenate([np.ravel(array) for array in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    low, high = decades
    if values.size:
        low, high = min(low, math.floor(np.log10(values.min()))), max(high, math.ceil(np.log10(values.max())))
    return 10.0**low, 10.0**high


def norm_limits(norms):
    """Log-axis limits: 10⁻⁹ to 10, the span of most settings, widened by whole decades to hold every norm."""
    return decade_limits(norms.values(), NORM_DECADES)


class GradientFlowDashboard(Dashboard):
    """No training: how much gradient reaches step 1, for Elman and LSTM, as the delay and the forget bias change."""

    title = "Vanishing gradients at initialization: Elman vs LSTM"

    def __init__(self, *, seed=0, hidden_size=HIDDEN_SIZE):
        self.seed, self.hidden_size = seed, hidden_size
        super().__init__()

    def build_controls(self):
        return {
            "delay": ctl.int_slider("delay (steps)", 60, min(DELAY_RANGE), max(DELAY_RANGE), step=5),
            "forget_bias": ctl.float_slider("LSTM forget-gate bias", FORGET_BIAS, 0.0, 6.0, 0.5),
        }

    def compute(self, params):
        norms = initial_gradient_norms(int(params["delay"]), float(params["forget_bias"]),
                                       hidden_size=self.hidden_size, seed=self.seed)
        forget_gate = float(sigmoid(np.array(float(params["forget_bias"]))))
        return {"norms": norms, "ratios": gradient_ratios(norms), "forget_gate": forget_gate,
                "forget_bias": float(params["forget_bias"]), "delay": int(params["delay"])}

    def build_axes(self):
        # Fixed margins, wide enough for tick labels down to 10⁻⁹⁹: a layout engine would have to run for every
        # picture, since the decades (and the width of their labels) change with the delay.
        figure = Figure(figsize=(FIGURE_WIDTH, 4.5), dpi=DPI)
        ax = figure.subplots()
        figure.subplots_adjust(left=0.125, right=0.98, bottom=0.13, top=0.84)
        return figure, ax

    def render(self, data):
        norms = data["norms"]
        markers = data["delay"] + 1 <= 30  # plot_gradient_norms marks the steps of short sequences
        if getattr(self, "_markers", None) != markers:  # the first picture, or other kinds of lines
            self._markers = markers
            plot_gradient_norms(norms, ax=self.axes)
            self.axes.set_xlim(0, max(DELAY_RANGE) + 2)
            animate(*self.axes.lines, self.axes.title, self.axes.get_legend())
        else:
            for line, values in zip(self.axes.lines, norms.values(), strict=True):
                line.set_data(np.arange(1, values.size + 1), np.where(values > 0, values, np.nan))
            self.axes.set_title(gradient_norms_title(list(norms), norms))
        self.axes.set_ylim(*norm_limits(norms))
        ratios = data["ratios"]
        winner = "LSTM" if ratios["LSTM"] > ratios["Elman"] else "Elman"
        factor = ratios[winner] / ratios["Elman" if winner == "LSTM" else "LSTM"]
        self.set_finding(f"Delay {data['delay']}, forget bias {data['forget_bias']:g}: {winner} keeps "
                         f"{_times(factor)} as much of the gradient at step 1")

    def static_key(self, data):
        return self.axes.get_ylim(), self._markers

    def summary(self, data):
        ratios = data["ratios"]
        return (f"‖dL/dh_1‖ / ‖dL/dh_T‖ over {data['delay'] + 1} steps: Elman {ratios['Elman']:.1e}, "
                f"LSTM {ratios['LSTM']:.1e} | initial forget gate σ(bias) ≈ {data['forget_gate']:.3f}")


# -------------------------------------------------------------------------------- the Elman cell on a sine


@functools.lru_cache(maxsize=16)
def train_sine_predictor(model="Elman", *, hidden_size=8, num_sequences=200, length=40, epochs=15,
                         batch_size=20, learning_rate=1e-2, seed=0):
    """Fit an Elman RNN (or an LSTM) to predict the next value of noisy sine waves (many-to-many); cached.

    Returns
    -------
    dict
        ``score``: R² of the predictions on the held-out waves; ``inputs`` (T, 1), ``targets`` (T, 1),
        ``predictions`` (T, 1) and ``hidden_states`` (T, H) of the first held-out wave; ``history``.
        Arrays are read-only.
    """
    inputs, targets = noisy_sine(num_sequences, length, rng=seed)
    with seeded(seed):
        net = NeuralNetwork(Adam(learning_rate, 0.9, 0.999), Xavier(), Constant(0.0))
        net.loss_layer = L2Loss()
        net.append_layer(recurrent_layer(model, 1, 1, hidden_size=hidden_size, forget_bias=1.0))
    net.data_layer = ArrayDataLayer(inputs, targets, batch_size, label_type="values", validation_fraction=0.2,
                                    test_fraction=0.0, rng=np.random.default_rng(seed))
    try:
        history = fit(net, epochs=epochs, metric=r_squared)
    except RuntimeError as error:
        raise ValueError(str(error)) from error
    held_out, held_out_targets = net.data_layer.get_validation_set()
    predictions = net.test(held_out)
    return read_only({
        "score": float(r_squared(predictions, held_out_targets)),
        "inputs": held_out[0], "targets": held_out_targets[0], "predictions": predictions[0],
        "hidden_states": np.array(net.layers[0].hidden_states[0]), "history": history,
    })
