"""Lesson 05, "all together": a conv net on the 8 x 8 digits with L2, dropout and BatchNorm, trained live.

Why this dashboard is built differently from the others
-------------------------------------------------------
The other dashboards are pure: ``compute(params)`` trains from scratch for the given settings, so its
result can be cached and going back to a setting shows the same picture. Here the point is to change a
setting WHILE the network trains and watch the run react, so the state (weights, optimizer moments,
BatchNorm statistics, the data order, the record) must survive a control change. That state lives in a
:class:`LiveRun`, and the dashboard has three separate parts instead of a cached ``compute``:

- ``LiveRun.step(n)`` trains ``n`` more steps with ``rnnreg.training.fit`` and appends them to one
  cumulative ``History`` (``LiveRun.configure`` changes L2 strength, keep probability and learning rate
  through ``rnnreg.training``'s setters, which keep weights and optimizer state, so a change acts from the
  next step on; ``LiveRun.reset`` rebuilds the seeded initial network);
- ``LiveFigure.update(data)`` / ``plot_live_state(data)`` draw a snapshot of the record
  (``LiveRun.data()``): they never train, and the same data always give the same picture;
- the dashboard wires them up: moving a control reconfigures the run and redraws; each tick of the
  ``Play`` widget calls ``step(steps_per_tick)``; Reset restarts from the seeded initial network.

Every random choice (initial weights, the split and the order of the batches, the dropout masks) comes
from the seed, and the run owns its random generators, so the same seed and the same sequence of steps
and settings give bit-identical runs, whatever else the notebook draws from NumPy's global state.
"""

import html
import math
import numbers
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnnreg import (
    Adam,
    BatchNormalization,
    Constant,
    Conv,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    FullyConnected,
    He,
    L2Regularizer,
    NeuralNetwork,
    Pooling,
    ReLU,
    SoftMax,
)
from rnnreg.data import digits_data_layer
from rnnreg.lessons.experiment import check_choice, check_positive_int, seeded
from rnnreg.training import (
    Callback,
    History,
    fit,
    set_keep_probability,
    set_learning_rate,
    set_regularization_strength,
)
from rnnreg.viz.style import COLORS, DPI, projector_style
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard, animate, limits_and_labels

# Which trainable arrays the weight histogram can show: label -> index in network.layers.
WEIGHT_LAYERS = {"fully connected": 6, "conv kernels": 0}
NEUTRAL_GREY = "#6E6E6E"


def check_settings(l2_strength, dropout_rate, learning_rate):
    """Validate the three live settings; return them as floats or raise ValueError naming the bad one."""
    checked = []
    for name, value in (("L2 strength α", l2_strength), ("dropout rate", dropout_rate),
                        ("learning rate η", learning_rate)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        checked.append(value)
    l2_strength, dropout_rate, learning_rate = checked
    if l2_strength < 0:
        raise ValueError(f"L2 strength α must be 0 or more, got {l2_strength!r}")
    if not 0 <= dropout_rate < 1:
        raise ValueError(f"dropout rate must be in [0, 1) (1 would drop every unit), got {dropout_rate!r}")
    if learning_rate <= 0:
        raise ValueError(f"learning rate η must be positive (η = 0 would never move a weight), got {learning_rate!r}")
    return l2_strength, dropout_rate, learning_rate


def build_digits_conv_net(l2_strength=1e-2, dropout_rate=0.3, learning_rate=2e-3, *, batch_size=64, seed=0):
    """The lesson's conv net on the digits, seeded, with its own random generators.

    Conv(1, (1, 3, 3), 8) → BatchNormalization(8) → ReLU → Pooling(2, 2) → Flatten → Dropout →
    FullyConnected(128, 10) → SoftMax, trained by Adam(η, 0.9, 0.999) with an L2 regularizer of strength α
    (the exercise's decoupled shrinkage) on every trainable array. The data layer serves 8 x 8 digits with
    20 % held out for validation (and the default 20 % test set); its shuffling and the dropout masks use
    generators made from ``seed``, the He-initialized weights NumPy's global state seeded with ``seed``
    (restored afterwards).
    """
    l2_strength, dropout_rate, learning_rate = check_settings(l2_strength, dropout_rate, learning_rate)
    data_seed, dropout_seed = np.random.SeedSequence(seed).spawn(2)
    with seeded(seed):
        optimizer = Adam(learning_rate, 0.9, 0.999)
        optimizer.add_regularizer(L2Regularizer(l2_strength))
        net = NeuralNetwork(optimizer, He(), Constant(0.1))
        net.data_layer = digits_data_layer(
            batch_size=batch_size, validation_fraction=0.2, rng=np.random.default_rng(data_seed)
        )
        net.loss_layer = CrossEntropyLoss()
        for layer in (
            Conv(1, (1, 3, 3), 8), BatchNormalization(8), ReLU(), Pooling(2, 2), Flatten(),
            Dropout(ctl.keep_probability(dropout_rate), rng=np.random.default_rng(dropout_seed)),
            FullyConnected(8 * 4 * 4, 10), SoftMax(),
        ):
            net.append_layer(layer)
    return net


class _CopyRows(Callback):
    """Copy every step and evaluation row of one ``fit`` call into the run's cumulative History, as it happens.

    Copying at once (rather than after ``fit`` returns) keeps the record complete when a step diverges.
    The ``epoch`` field of the cumulative record counts passes over the training set (fractional for
    evaluations that fall inside an epoch).
    """

    def __init__(self, run):
        self.run = run

    def on_step_end(self, state):
        row = {field: values[-1] for field, values in state.history.steps.items()}
        row["epoch"] = int(self.run.completed_epochs(row["step"] - self.run.first_step))  # the epoch it belongs to
        self.run.history.add_step(**row)

    def on_epoch_end(self, state):
        row = {field: values[-1] for field, values in state.history.epochs.items()}
        row["epoch"] = self.run.completed_epochs(row["step"] + 1 - self.run.first_step)
        self.run.history.add_epoch(**row)


class LiveRun:
    """The training state behind the live dashboard: network, cumulative History, seeded start.

    Parameters
    ----------
    l2_strength, dropout_rate, learning_rate : float
        The starting settings (α >= 0; drop rate in [0, 1); η > 0).
    batch_size : int
    seed : int
        Seeds everything random; ``reset`` starts again from exactly the same network.

    Attributes
    ----------
    network : NeuralNetwork
    history : History
        Every step since the last reset (``step`` counts from 0), and one evaluation row (train and
        validation accuracy) at the end of every ``step(n)`` call.
    settings : dict
        The settings in force: ``l2_strength``, ``dropout_rate``, ``learning_rate``.
    initial_weights : dict
        Copies of the histogram arrays (see ``WEIGHT_LAYERS``) right after (re)building.
    diverged : str or None
        The message of the step that diverged; training refuses to continue until ``reset``.
    """

    def __init__(self, l2_strength=1e-2, dropout_rate=0.3, learning_rate=2e-3, *, batch_size=64, seed=0):
        self.batch_size, self.seed = batch_size, seed
        l2_strength, dropout_rate, learning_rate = check_settings(l2_strength, dropout_rate, learning_rate)
        self.settings = {"l2_strength": l2_strength, "dropout_rate": dropout_rate, "learning_rate": learning_rate}
        self.reset()

    def reset(self):
        """Rebuild the seeded initial network (same weights, data order and masks) with the current settings."""
        self.network = build_digits_conv_net(**self.settings, batch_size=self.batch_size, seed=self.seed)
        self.history = History()
        self.first_step = len(self.network.loss)
        self.diverged = None
        self.initial_weights = self._histogram_arrays()

    def configure(self, l2_strength=None, dropout_rate=None, learning_rate=None):
        """Change settings from the next step on; weights, optimizer state and the record stay as they are.

        All values are checked before anything changes: a rejected value (ValueError) changes nothing.
        """
        new = dict(self.settings)
        for name, value in (("l2_strength", l2_strength), ("dropout_rate", dropout_rate),
                            ("learning_rate", learning_rate)):
            if value is not None:
                new[name] = value
        l2_strength, dropout_rate, learning_rate = check_settings(**new)
        set_regularization_strength(self.network, l2_strength)
        set_keep_probability(self.network, ctl.keep_probability(dropout_rate))
        set_learning_rate(self.network, learning_rate)
        self.settings = {"l2_strength": l2_strength, "dropout_rate": dropout_rate, "learning_rate": learning_rate}

    def step(self, steps=1):
        """Train ``steps`` more steps (one ``fit`` call) and evaluate train and validation accuracy once.

        Raises
        ------
        RuntimeError
            The run diverged now or earlier (the message says what to do); the steps done before it are
            recorded.
        """
        steps = check_positive_int("steps", steps)
        if self.diverged is not None:
            raise RuntimeError(f"{self.diverged} Press Reset to start again.")
        try:
            fit(self.network, epochs=1, steps_per_epoch=steps, callbacks=[_CopyRows(self)])
        except RuntimeError as error:
            cause = error.__cause__ or error  # the network's own message, without fit's per-call epoch count
            self.diverged = f"Training diverged at step {self.steps_done}: {cause}"
            raise RuntimeError(f"{self.diverged} Press Reset to start again.") from error

    @property
    def steps_done(self):
        return self.history.num_steps

    def completed_epochs(self, steps=None):
        """Passes over the training set after ``steps`` steps (default: all steps done), as a float."""
        steps = self.steps_done if steps is None else steps
        return steps / self.network.data_layer.batches_per_epoch

    def _histogram_arrays(self):
        arrays = {}
        for label, index in WEIGHT_LAYERS.items():
            layer = self.network.layers[index]
            weights = layer.weights[:-1] if isinstance(layer, FullyConnected) else layer.weights  # no bias row
            arrays[label] = np.array(weights, copy=True).ravel()
        return arrays

    def data(self):
        """A snapshot for drawing: the History (shared, it only grows), weight copies, settings, counters."""
        return {
            "history": self.history,
            "weights": self._histogram_arrays(),
            "initial_weights": self.initial_weights,
            "settings": dict(self.settings),
            "steps": self.steps_done,
            "epochs": self.completed_epochs(),
            "diverged": self.diverged,
        }


def latest_accuracies(data):
    """``(train_accuracy, validation_accuracy)`` of the last evaluation, or ``(None, None)`` before training."""
    epochs = data["history"].epochs
    if not epochs["step"]:
        return None, None
    return epochs["train_accuracy"][-1], epochs["validation_accuracy"][-1]


def live_finding(data):
    """The sentence the figure's title states, from the record."""
    train, validation = latest_accuracies(data)
    if train is None:
        return "Not trained yet: press ▶ (or call dashboard.step) to train"
    gap = round(train - validation, 2) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0: no "gap -0.00" on screen
    return (
        f"After {data['steps']} steps ({data['epochs']:.1f} epochs): validation accuracy {validation:.2f}, "
        f"train {train:.2f}, gap {gap:+.2f}"
    )


def weight_rms(values):
    """Root mean square of the finite entries of ``values`` (NaN when there are none)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return math.nan
    with np.errstate(over="ignore"):  # weights blown up by a diverging step
        return float(np.sqrt(np.mean(np.square(finite))))


def new_live_figure():
    """A projector-sized Figure with the three Axes of the live picture; call it inside ``projector_style()``.

    The margins are fixed rather than computed by a layout engine: constrained layout measures every
    label on every draw and about doubles the time of each PNG, which a live tick cannot afford.
    """
    figure = Figure(figsize=(11.0, 4.6), dpi=DPI)
    axes = figure.subplots(1, 3)
    figure.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=0.79, wspace=0.34)
    return figure, axes


def _positive_or_nan(values):
    """Zeros (no regularizer) cannot sit on a log axis: leave a gap there instead."""
    return np.where(values > 0, values, np.nan)


def _log_limits(*arrays):
    values = np.concatenate([np.ravel(array) for array in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 0.1, 1000.0
    return float(values.min()) / 1.5, float(values.max()) * 15.0  # a decade of headroom for the legend


class LiveFigure:
    """The live picture, whose artists are made once and then updated in place on every tick.

    Three panels: the data and regularization parts of the loss per step (and their sum), the train and
    validation accuracy at every evaluation (test phase), and a histogram of one layer's weights now
    over their outline at the start. It draws the same concepts in the same colours as
    ``rnnreg.viz.plot_loss_curves``, ``plot_comparison_curves`` and ``plot_weight_histograms``, but does not
    call them: they clear and rebuild their Axes, and rebuilding every tick label on every tick costs more
    than the training steps of the tick. Updating existing artists keeps a tick well under a second.

    Parameters
    ----------
    figure, axes : optional
        A Figure with three Axes to draw into (the dashboard's); by default a new ``new_live_figure()``.
    """

    def __init__(self, figure=None, axes=None):
        with projector_style():
            if figure is None:
                figure, axes = new_live_figure()
            self.figure, self.axes = figure, list(axes)
            self._build()

    def _build(self):
        loss_axes, accuracy_axes, weight_axes = self.axes
        for ax in self.axes:
            ax.clear()
        self.data_line, = loss_axes.plot([], [], color=COLORS["data loss"], linewidth=1.6, label="data loss")
        self.regularization_line, = loss_axes.plot(
            [], [], color=COLORS["regularization loss"], linewidth=1.6, label="regularization loss"
        )
        self.total_line, = loss_axes.plot(
            [], [], color=NEUTRAL_GREY, linewidth=1.4, linestyle="--", label="sum (total loss)"
        )
        loss_axes.set_yscale("log")
        loss_axes.set_xlabel("training step")
        loss_axes.set_ylabel("loss (summed over the batch)")
        loss_axes.set_title("loss per step")
        loss_axes.legend(loc="upper right")

        self.train_line, = accuracy_axes.plot([], [], color=COLORS["train"], marker="o", markersize=4, label="train")
        self.validation_line, = accuracy_axes.plot(
            [], [], color=COLORS["validation"], marker="o", markersize=4, label="validation"
        )
        accuracy_axes.set_ylim(0.0, 1.02)
        accuracy_axes.set_xlabel("training step")
        accuracy_axes.set_ylabel("accuracy (test phase)")
        accuracy_axes.set_title("accuracy")
        accuracy_axes.legend(loc="lower right")

        edges = np.array([-1.0, 1.0])
        self.now_bars = weight_axes.stairs([0.0], edges, fill=True, color=COLORS["L2"], alpha=0.7, label="now")
        self.start_bars = weight_axes.stairs([0.0], edges, color=NEUTRAL_GREY, linewidth=1.8, label="start")
        weight_axes.set_ylabel("number of weights")
        weight_axes.grid(False)
        handles, labels = weight_axes.get_legend_handles_labels()
        weight_axes.legend(handles[::-1], labels[::-1], loc="upper right")  # "start" first: read in time order

        self.placeholders = [
            ax.text(0.5, 0.5, "", ha="center", va="center", transform=ax.transAxes, color=NEUTRAL_GREY)
            for ax in (loss_axes, accuracy_axes)
        ]
        # Fixed positions for titles and axis labels: otherwise matplotlib measures every tick label on every
        # draw to place them, which is a third of the cost of a frame.
        for ax in self.axes:
            ax.set_title(ax.get_title(), y=1.0, pad=8)
            ax.xaxis.set_label_coords(0.5, -0.11)
            ax.yaxis.set_label_coords(-0.19, 0.5)
        self.title = self.figure.suptitle("")

    def update(self, data, weights_shown="fully connected"):
        """Show ``data`` (from ``LiveRun.data()``); returns the Figure."""
        check_choice("weights shown", weights_shown, WEIGHT_LAYERS)
        with projector_style(), np.errstate(over="ignore", invalid="ignore"):  # blown-up weights still draw
            self._update_losses(data["history"])
            self._update_accuracies(data["history"])
            self._update_weights(data, weights_shown)
            self.title.set_text(live_finding(data))
        return self.figure

    def _update_losses(self, history):
        loss_axes = self.axes[0]
        steps = history.step_array("step")
        data_loss = history.step_array("data_loss")
        regularization = history.step_array("regularization_loss")
        total = data_loss + regularization
        self.data_line.set_data(steps, data_loss)
        self.regularization_line.set_data(steps, _positive_or_nan(regularization))
        self.total_line.set_data(steps, total)
        loss_axes.set_xlim(-0.5, max(float(steps[-1]) if steps.size else 0.0, 1.0) + 0.5)
        loss_axes.set_ylim(*_log_limits(data_loss, regularization, total))
        self.placeholders[0].set_text("" if steps.size else "no steps yet")

    def _update_accuracies(self, history):
        accuracy_axes = self.axes[1]
        steps = history.epoch_array("step")
        self.train_line.set_data(steps, history.epoch_array("train_accuracy"))
        self.validation_line.set_data(steps, history.epoch_array("validation_accuracy"))
        first, last = (float(steps[0]), float(steps[-1])) if steps.size else (0.0, 1.0)
        margin = max(0.05 * (last - first), 0.5)
        accuracy_axes.set_xlim(first - margin, last + margin)
        self.placeholders[1].set_text("" if steps.size else "no evaluation yet")

    def _update_weights(self, data, weights_shown):
        weight_axes = self.axes[2]
        now, start = data["weights"][weights_shown], data["initial_weights"][weights_shown]
        finite = now[np.isfinite(now)]
        limit = float(np.max(np.abs(np.concatenate([start, finite])))) or 1.0
        edges = np.linspace(-limit, limit, int(np.clip(start.size // 8, 10, 40)) + 1)
        now_counts, start_counts = np.histogram(finite, edges)[0], np.histogram(start, edges)[0]
        self.now_bars.set_data(now_counts, edges)
        self.start_bars.set_data(start_counts, edges)
        weight_axes.set_xlim(-limit * 1.05, limit * 1.05)
        weight_axes.set_ylim(0.0, 1.1 * max(now_counts.max(), start_counts.max(), 1))
        weight_axes.set_xlabel("FC weight value" if weights_shown == "fully connected" else "conv kernel weight value")
        weight_axes.set_title(f"weight RMS {weight_rms(start):.3f} → {weight_rms(finite):.3g}")


def plot_live_state(data, weights_shown="fully connected"):
    """A new projector-sized Figure of ``data`` (from ``LiveRun.data()``): the static picture of a run."""
    return LiveFigure().update(data, weights_shown)


class LiveTrainingDashboard(Dashboard):
    """Train the digits conv net live; change L2, dropout and the learning rate while it trains.

    Parameters
    ----------
    seed : int
        Seeds the run; Reset starts again from exactly this network.
    steps_per_tick : int
        Training steps per tick of the Play widget (and per ``tick()``).
    interval : int
        Milliseconds between two ticks of the Play widget.
    l2_strength, dropout_rate, learning_rate : float
        Starting settings (also the controls' starting values).

    Notes
    -----
    Unlike the pure dashboards, this one keeps state (see the module docstring): ``refresh`` applies the
    controls to the running network instead of computing a cached result, ``step(n)`` trains and redraws,
    and ``render(data)`` draws a snapshot of the record. The Play widget only drives ``tick``; tests and
    notebooks call ``step`` directly.
    """

    title = "All together: a conv net on the digits with L2, dropout and BatchNorm, trained live"

    def __init__(self, *, seed=0, steps_per_tick=5, interval=700, l2_strength=1e-2, dropout_rate=0.3,
                 learning_rate=2e-3, batch_size=64):
        self._initial = {"l2_strength": l2_strength, "dropout_rate": dropout_rate, "learning_rate": learning_rate}
        self.run = LiveRun(**self._initial, batch_size=batch_size, seed=seed)
        self.steps_per_tick = steps_per_tick
        self.last_tick_seconds = None
        self.clock = time.perf_counter  # replaceable, so tests can drive the tick throttle without sleeping
        self._last_tick_end = -math.inf
        self.play = widgets.Play(
            value=0, min=0, max=10**9, step=1, interval=interval, description="train", show_repeat=False,
        )
        self.reset_button = widgets.Button(description="Reset", tooltip="start again from the seeded initial network")
        self.play_label = widgets.HTML(f"▶ trains {steps_per_tick} steps every {interval} ms")
        super().__init__()
        self.play.observe(self._on_play, names="value")
        self.reset_button.on_click(lambda _button: self.reset())

    # ------------------------------------------------------------------ controls and layout

    def build_controls(self):
        return {
            "l2_strength": ctl.strength_slider("L2 strength α", value=self._initial["l2_strength"]),
            "dropout_rate": ctl.dropout_rate_slider(self._initial["dropout_rate"], maximum=0.9),
            "learning_rate": widgets.FloatText(
                value=self._initial["learning_rate"], description="learning rate η (type, then Enter)",
                continuous_update=False, style=ctl.STYLE, layout=widgets.Layout(width="auto", min_width="280px"),
            ),
            "weights_shown": ctl.choice_buttons("histogram of", list(WEIGHT_LAYERS)),
        }

    def build_axes(self):
        self.live_figure = LiveFigure()
        return self.live_figure.figure, self.live_figure.axes

    @property
    def widget(self):
        """Title, the Play / Reset row, the controls, the picture and the status line."""
        if not hasattr(self, "_widget"):
            header = widgets.HTML(f"<h3>{html.escape(self.title)}</h3>")
            player = widgets.HBox([self.play, self.reset_button, self.play_label])
            controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
            self._widget = widgets.VBox([header, player, controls, self.image, self.status])
        return self._widget

    # ------------------------------------------------------------------ the stateful machinery

    def compute(self, params):
        """Apply ``params`` to the running network (from the next step on) and return the record to draw.

        Not pure, hence never cached: the answer depends on the steps trained so far.
        """
        self.run.configure(
            l2_strength=params["l2_strength"], dropout_rate=params["dropout_rate"],
            learning_rate=params["learning_rate"],
        )
        return self.run.data()

    def refresh(self):
        """A control moved: reconfigure the run (no reset, no training) and redraw; a bad value shows a message."""
        try:
            data = self.compute(self.params())
        except (ValueError, TypeError, RuntimeError) as error:
            self._show_error(error, "Cannot apply this setting:")
            return
        self._redraw(data)

    def step(self, steps=None):
        """Train ``steps`` more steps (default ``steps_per_tick``) and redraw; problems show in the status line."""
        started, steps_before = time.perf_counter(), self.run.steps_done
        try:
            self.run.step(self.steps_per_tick if steps is None else steps)
        except (ValueError, RuntimeError) as error:
            self.play.playing = False
            if self.run.steps_done != steps_before:  # the steps before the failing one are worth showing
                self._redraw(self.run.data())
            self._show_error(error, "Training stopped:")
            return
        self._redraw(self.run.data())
        self.last_tick_seconds = time.perf_counter() - started
        self.status.value += html.escape(f" · last tick {self.last_tick_seconds:.2f} s")

    def tick(self):
        """One tick of the Play widget: ``step(steps_per_tick)``."""
        self.step(self.steps_per_tick)

    def reset(self):
        """Start again from the seeded initial network, keeping the settings in force; redraw."""
        self.run.reset()
        self._redraw(self.run.data())

    def data(self):
        """The current record (``LiveRun.data()``), e.g. for ``plot_live_state``."""
        return self.run.data()

    def render(self, data):
        """Update the picture in place (no Axes is cleared; see ``LiveFigure``)."""
        self.live_figure.update(data, self.controls["weights_shown"].value)
        for ax in self.axes:
            animate(*ax.lines, *ax.patches, *ax.texts, ax.title, ax.get_legend())
        animate(self.live_figure.title)

    def static_key(self, data):
        return limits_and_labels(*self.axes)

    def summary(self, data):
        train, validation = latest_accuracies(data)
        settings = data["settings"]
        scores = "not trained yet" if train is None else (
            f"train accuracy {train:.3f}, validation accuracy {validation:.3f}"
        )
        return (
            f"step {data['steps']} · epoch {data['epochs']:.1f} · {scores} · α = {settings['l2_strength']:g}, "
            f"keep probability {ctl.keep_probability(settings['dropout_rate']):.2f}, η = {settings['learning_rate']:g}"
        )

    def _redraw(self, data):
        self._draw(data)
        self._show(data)

    def _on_play(self, change):
        """A tick of the Play widget: train, unless the tick is a stale one queued behind a slow tick.

        The browser advances the Play widget on its own timer; when a tick takes longer than the interval,
        the advances queue up and would keep training after ⏸. A tick that arrives less than half an
        interval after the previous one ended is such a queued one, and is dropped.
        """
        if change["new"] <= change["old"]:  # the Play widget's stop button rewinds to 0: that is no tick
            return
        if self.clock() - self._last_tick_end < self.play.interval / 2000:
            return
        self.tick()
        self._last_tick_end = self.clock()
