"""Lesson 05, "all together": a conv net on the 8 x 8 digits with L2, dropout and BatchNorm, trained live.

Why this dashboard is built differently from the others
-------------------------------------------------------
The other dashboards are pure: ``compute(params)`` trains from scratch for the given settings, so its
result can be cached and going back to a setting shows the same picture. Here the point is to change a
setting WHILE the network trains and watch the run react, so the state (weights, optimizer moments,
BatchNorm statistics, the data order, the record) must survive a control change. That state lives in a
``rnnreg.lessons.all_together.LiveRun``, and the dashboard has three separate parts instead of a cached
``compute``:

- ``LiveRun.step(n)`` trains ``n`` more steps and appends them to one cumulative ``History``;
  ``LiveRun.configure`` changes L2 strength, keep probability and learning rate from the next step on;
  ``LiveRun.reset`` rebuilds the seeded initial network;
- ``plot_live_state(data)`` and the dashboard's ``render`` draw a snapshot of the record (``LiveRun.data()``)
  with ``rnnreg.viz.plot_live_training``: they never train, and the same data always give the same picture;
- the dashboard wires them up: moving a control reconfigures the run and redraws; each tick of the
  ``Play`` widget calls ``step(steps_per_tick)``; Reset restarts from the seeded initial network.
"""

import html
import math
import time

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnreg.lessons.all_together import (
    WEIGHT_LAYERS,
    LiveRun,
    check_settings,
    latest_accuracies,
    live_finding,
)
from rnnreg.validation import check_choice
from rnnreg.viz import plot_live_training
from rnnreg.viz.style import DPI, projector_style
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard

__all__ = ["LiveTrainingDashboard", "draw_live_state", "new_live_figure", "plot_live_state"]

WEIGHT_AXIS_LABELS = {"fully connected": "FC weight value", "conv kernels": "conv kernel weight value"}


def new_live_figure():
    """A projector-sized Figure with the three Axes of the live picture; call it inside ``projector_style()``.

    The margins are fixed rather than computed by a layout engine: constrained layout measures every
    label on every draw and about doubles the time of each PNG, which a live tick cannot afford.
    """
    figure = Figure(figsize=(11.0, 4.6), dpi=DPI)
    axes = figure.subplots(1, 3)
    figure.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=0.79, wspace=0.34)
    return figure, list(axes)


def draw_live_state(data, weights_shown, axes, *, title=None):
    """``plot_live_training`` of ``data`` (from ``LiveRun.data()``) into ``axes``, with the chosen layer's weights.

    Titles and axis labels then get fixed positions and the log axis no minor ticks: placing them
    automatically measures every tick label on every draw, and minor ticks are dozens of tick objects to
    build for every picture; together about a third of the cost of a picture.
    """
    check_choice("weights shown", weights_shown, WEIGHT_LAYERS)
    figure = plot_live_training(
        data["history"], data["weights"][weights_shown], data["initial_weights"][weights_shown], axes=axes,
        weights_label=WEIGHT_AXIS_LABELS[weights_shown], title=title,
    )
    with projector_style():  # set_title takes its font size from the settings in force
        for ax in axes:
            ax.minorticks_off()
            ax.set_title(ax.get_title(), y=1.0, pad=8)
            ax.xaxis.set_label_coords(0.5, -0.11)
            ax.yaxis.set_label_coords(-0.19, 0.5)
    return figure


def plot_live_state(data, weights_shown="fully connected"):
    """A new projector-sized Figure of ``data`` (from ``LiveRun.data()``): the static picture of a run."""
    with projector_style():
        _, axes = new_live_figure()
    return draw_live_state(data, weights_shown, axes, title=live_finding(data))


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
    presenter : bool
        The lecture-room layout (``rnnreg.widgets.presenter``).

    Notes
    -----
    Unlike the pure dashboards, this one keeps state (see the module docstring): ``refresh`` applies the
    controls to the running network instead of computing a cached result, ``step(n)`` trains and redraws,
    and ``render(data)`` draws a snapshot of the record. The Play widget only drives ``tick``; tests and
    notebooks call ``step`` directly.
    """

    title = "All together: a conv net on the digits with L2, dropout and BatchNorm, trained live"

    def __init__(self, *, seed=0, steps_per_tick=5, interval=700, l2_strength=1e-2, dropout_rate=0.3,
                 learning_rate=2e-3, batch_size=64, presenter=False):
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
        super().__init__(presenter=presenter)
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
        return new_live_figure()

    def toolbar(self):
        """The Play / Reset row, above the controls."""
        return [widgets.HBox([self.play, self.reset_button, self.play_label])]

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

    def check_setting(self, params):
        """The typed-in learning rate (any number) must be one ``LiveRun.configure`` takes: checked before ``set``."""
        check_settings(params["l2_strength"], params["dropout_rate"], params["learning_rate"])

    def refresh(self):
        """A control moved: reconfigure the run (no reset, no training) and redraw; a bad value shows a message."""
        try:
            data = self.compute(self.params())
        except (ValueError, TypeError, RuntimeError) as error:
            self.show_error(error, "Cannot apply this setting:")
            return
        self.show(data)

    def step(self, steps=None):
        """Train ``steps`` more steps (default ``steps_per_tick``) and redraw; problems show in the status line."""
        started, steps_before = time.perf_counter(), self.run.steps_done
        try:
            self.run.step(self.steps_per_tick if steps is None else steps)
        except (ValueError, TypeError, RuntimeError) as error:
            self.play.playing = False
            if self.run.steps_done != steps_before:  # the steps before the failing one are worth showing
                self.show(self.run.data())
            self.show_error(error, "Training stopped:")
            return
        self.show(self.run.data())
        self.last_tick_seconds = time.perf_counter() - started
        self.status.value += html.escape(f" · last tick {self.last_tick_seconds:.2f} s")

    def tick(self):
        """One tick of the Play widget: ``step(steps_per_tick)``."""
        self.step(self.steps_per_tick)

    def reset(self):
        """Start again from the seeded initial network, keeping the settings in force; redraw."""
        self.run.reset()
        self.show(self.run.data())

    def data(self):
        """The current record (``LiveRun.data()``), e.g. for ``plot_live_state``."""
        return self.run.data()

    def render(self, data):
        """Draw ``data`` into the three Axes (``plot_live_training``) and state this run's numbers on top."""
        draw_live_state(data, self.controls["weights_shown"].value, self.axes)
        self.set_finding(live_finding(data))

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
