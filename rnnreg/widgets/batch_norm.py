"""Lesson 03, batch normalization: the two dashboards (controls, compute, render) over ``rnnreg.lessons.batch_norm``.

- ``BatchNormDashboard`` trains the Iris classifier (``train_batch_norm``) for 10 epochs whatever the batch
  size, so batch sizes compare at equal flowers seen, and shows BatchNorm's batch statistics against the
  moving averages, then one batch of test flowers in both phases (``phase_view``). The phase and the
  measurement reuse the trained network; BatchNorm on/off, the momentum, the batch size and the seed retrain.
- ``BatchNormSpeedDashboard`` trains the digits MLP with and without BatchNorm for three seeds
  (``compare_training_speed``; a control change trains six networks, well under a second) and draws every
  seed's curves. The notebook states its claims over five seeds.

The experiments, their conventions and the sentences the lesson prints live in ``rnnreg.lessons.batch_norm``.
"""

import ipywidgets as widgets
import numpy as np

from rnnreg.data import IRIS_FEATURE_NAMES, load_iris
from rnnreg.lessons.batch_norm import (
    BATCH_SIZES,
    DEFAULT_BATCH_SIZE,
    EPOCHS,
    LEARNING_RATE,
    MOMENTA,
    PETAL_LENGTH,
    SPEED_BATCH_SIZES,
    SPEED_EPOCHS,
    SPEED_LEARNING_RATE,
    WITH,
    WITHOUT,
    batch_variance_ratio,
    compare_training_speed,
    phase_view,
    train_batch_norm,
)
from rnnreg.lessons.claims import SEEDS
from rnnreg.viz import COLORS
from rnnreg.viz.batch_norm import (
    plot_batch_norm_statistics,
    plot_note,
    plot_phase_normalization,
    plot_phase_probabilities,
    plot_seed_curves,
)
from rnnreg.viz.style import new_figure
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard

__all__ = ["BatchNormDashboard", "BatchNormSpeedDashboard"]

SPEED_COLORS = {WITH: COLORS["batch"], WITHOUT: COLORS["none"]}
SPEED_SEEDS = SEEDS[:3]
LOSS_LIMITS = (0.03, 50.0)  # log scale: from a trained net's loss to a saturated softmax's (−ln ε ≈ 36)


def _short_name(channel):
    return IRIS_FEATURE_NAMES[channel].split(" (")[0]


def _training_key(settings):
    return (bool(settings["batch_norm"]), float(settings["momentum"]), int(settings["batch_size"]),
            int(settings["seed"]))


def batch_norm_finding(trained, view, channel):
    """The sentence the figure's title states, from computed numbers."""
    if not trained.batch_norm:
        return f"Without BatchNorm both phases compute the same; test accuracy {trained.test_accuracy:.2f}"
    batch = trained.settings["batch_size"]
    return (f"Batch of {batch}: variances average {batch_variance_ratio(trained, channel):.2f}× the data's; "
            f"phases differ by up to {view['largest_change']:.2f}")


class BatchNormDashboard(Dashboard):
    """BatchNorm on/off, its momentum, the batch size and the seed retrain; the phase and the measurement do not.

    Top: the batch statistics of one measurement at every training step (thin) and the moving averages
    (thick) that the test phase uses, against the training set's own mean and variance (dotted), over the
    flowers seen: every batch size trains for the same 10 epochs. Bottom: one batch of test flowers in both
    phases, through the BatchNorm layer (left) and the whole net (right).
    """

    title = "BatchNorm: batch statistics while training, moving averages at test time"

    def __init__(self, *, seed=0, epochs=EPOCHS, data=None, known=(), presenter=False):
        """``known``: ``TrainedBatchNorm`` results the notebook already has (``lesson_runs()``), shown untrained."""
        self.seed, self.epochs, self.data = seed, epochs, data
        features = np.asarray(load_iris()[0] if data is None else data[0], dtype=float)
        self._ranges = [(features[:, channel].min(), features[:, channel].max()) if len(features) else (0.0, 1.0)
                        for channel in range(len(IRIS_FEATURE_NAMES))]
        self.trainings = 0
        self._trained = {}  # every training of this session (about 0.1 MB each): going back is instant
        for trained in known if data is None else ():
            settings = trained.settings
            if settings["epochs"] == epochs and settings["learning_rate"] == LEARNING_RATE:
                self._trained[_training_key(settings)] = trained
        super().__init__(presenter=presenter)

    def _train(self, batch_norm, momentum, batch_size, seed):
        key = _training_key({"batch_norm": batch_norm, "momentum": momentum, "batch_size": batch_size, "seed": seed})
        if key not in self._trained:
            self.trainings += 1
            self._trained[key] = train_batch_norm(batch_norm, momentum, batch_size, epochs=self.epochs, seed=seed,
                                                  data=self.data)
        return self._trained[key]

    def build_controls(self):
        return {
            "batch_norm": ctl.checkbox("BatchNorm layer", True),
            "momentum": widgets.SelectionSlider(
                options=[(f"{value:g}", value) for value in MOMENTA], value=0.8,
                description="momentum a (old average kept)", continuous_update=False, style=ctl.STYLE,
                layout=ctl.LAYOUT,
            ),
            "batch_size": widgets.SelectionSlider(
                options=list(BATCH_SIZES), value=DEFAULT_BATCH_SIZE,
                description=f"batch size ({self.epochs} epochs each)", continuous_update=False, style=ctl.STYLE,
                layout=ctl.LAYOUT,
            ),
            "seed": widgets.Dropdown(options=list(SEEDS), value=self.seed, description="seed", style=ctl.STYLE),
            "phase": ctl.phase_buttons("test"),
            "channel": widgets.Dropdown(
                options=[(name, index) for index, name in enumerate(IRIS_FEATURE_NAMES)], value=PETAL_LENGTH,
                description="measurement", style=ctl.STYLE,
            ),
        }

    def build_axes(self):
        return new_figure(2, 2, height=8.0, width=10.5)

    def compute(self, params):
        seed = int(params["seed"])
        trained = self._train(bool(params["batch_norm"]), float(params["momentum"]), int(params["batch_size"]), seed)
        return {"trained": trained, "view": phase_view(trained, params["phase"], seed=seed),
                "channel": int(params["channel"])}

    def render(self, data):
        trained, view, channel = data["trained"], data["view"], data["channel"]
        (mean_ax, variance_ax), (line_ax, output_ax) = self.axes
        if trained.batch_norm:
            plot_batch_norm_statistics(trained.recorder, 0, channel=channel, axes=(mean_ax, variance_ax),
                                       samples_seen=trained.samples_seen,
                                       reference=(trained.data_mean, trained.data_variance),
                                       channel_name=_short_name(channel))
            # Axes that stay put for a measurement whatever the setting: every batch size covers the same
            # flowers, every batch mean lies within the measurement's range, and no batch's variance exceeds
            # (range / 2)².
            low, high = self._ranges[channel]
            mean_ax.set(xlim=(0, trained.samples_seen[-1]), ylim=(low, high))
            variance_ax.set(xlim=(0, trained.samples_seen[-1]), ylim=(0, ((high - low) / 2) ** 2))
            plot_phase_normalization(view["inputs"][:, channel],
                                     {name: values[:, channel] for name, values in view["normalized"].items()},
                                     {name: tuple(statistic[channel] for statistic in statistics)
                                      for name, statistics in view["statistics"].items()},
                                     view["phase"], feature_name=IRIS_FEATURE_NAMES[channel], ax=line_ax)
        else:
            for ax in (mean_ax, variance_ax, line_ax):
                plot_note("BatchNorm is off:\nno statistics are kept,\nand both phases compute the same.", ax=ax)
        plot_phase_probabilities(view["true_class_probability"], view["batch_accuracy"], view["phase"], ax=output_ax)
        self.set_finding(batch_norm_finding(trained, view, channel))

    def summary(self, data):
        trained, view, channel = data["trained"], data["view"], data["channel"]
        phase = view["phase"]
        scores = (f"accuracy on the shown batch: {view['batch_accuracy'][phase]:.2f} in the {phase} phase; "
                  f"test accuracy {trained.test_accuracy:.3f} (test phase)")
        if not trained.batch_norm:
            return f"no BatchNorm: the phase changes nothing | {scores}"
        moving_mean, moving_variance = trained.final_statistics()
        used = "this batch's own statistics" if phase == "train" else "the moving averages"
        return (f"{phase} phase normalises with {used} | {_short_name(channel)}: moving mean "
                f"{moving_mean[channel]:.3f} vs data {trained.data_mean[channel]:.3f}, moving variance "
                f"{moving_variance[channel]:.3f} vs data {trained.data_variance[channel]:.3f} (batch variances "
                f"average {batch_variance_ratio(trained, channel):.2f}× the data's) | {scores}")


# ----------------------------------------------------------------------------------- training speed


def _speed_key(learning_rate, batch_size):
    """The slider's value and the notebook's η name one setting though their last bits may differ."""
    return (f"{float(learning_rate):.9g}", int(batch_size))


def speed_finding(comparison):
    """The title: the median validation accuracy of both, over the seeds, after the epochs trained."""
    with_bn, without = comparison.final_accuracy(WITH), comparison.final_accuracy(WITHOUT)
    epochs, count = comparison.settings["epochs"], len(comparison.seeds)
    text = (f"After {epochs} epochs ({count} seeds): validation accuracy {with_bn.low:.2f}-{with_bn.high:.2f} "
            f"with BatchNorm, {without.low:.2f}-{without.high:.2f} without")
    diverged = comparison.diverged(WITHOUT)
    return text + (f" ({diverged} diverged)" if diverged else "")


class BatchNormSpeedDashboard(Dashboard):
    """The same MLP on the digits, with and without BatchNorm, three seeds each: who learns faster at this η?"""

    title = "BatchNorm and the learning rate: the same network, the same data, with and without it"

    def __init__(self, *, seeds=SPEED_SEEDS, epochs=SPEED_EPOCHS, known=(), presenter=False):
        """``known``: ``SpeedComparison`` results the notebook already has (over these seeds or more)."""
        self.seeds, self.epochs = tuple(seeds), epochs
        self._known = {_speed_key(comparison.settings["learning_rate"], comparison.settings["batch_size"]):
                       comparison.restricted(self.seeds) for comparison in known
                       if comparison.settings["epochs"] == epochs and set(self.seeds) <= set(comparison.seeds)}
        super().__init__(presenter=presenter)

    def build_controls(self):
        return {
            "learning_rate": ctl.learning_rate_slider(SPEED_LEARNING_RATE, -4, -1, description="learning rate η (SGD)"),
            "batch_size": widgets.SelectionSlider(
                options=list(SPEED_BATCH_SIZES), value=32, description="batch size", continuous_update=False,
                style=ctl.STYLE, layout=ctl.LAYOUT,
            ),
        }

    def build_axes(self):
        return new_figure(1, 2, height=4.6, width=10.5)

    def compute(self, params):
        known = self._known.get(_speed_key(params["learning_rate"], params["batch_size"]))
        if known is not None:
            return known
        return compare_training_speed(params["learning_rate"], params["batch_size"], epochs=self.epochs,
                                      seeds=self.seeds)

    def render(self, comparison):
        loss_ax, accuracy_ax = self.axes
        runs = comparison.runs
        # Loss against epochs, like the accuracy: batch sizes compare at the same amount of data seen.
        plot_seed_curves({label: [(run["epoch_of_step"], run["loss"]) for run in seeds]
                          for label, seeds in runs.items()}, ax=loss_ax,
                         xlabel="epoch (one point per training step)", ylabel="loss per sample",
                         title="Training loss", colors=SPEED_COLORS)
        loss_ax.set(xlim=(0, self.epochs), xticks=np.arange(self.epochs + 1), yscale="log", ylim=LOSS_LIMITS)
        plot_seed_curves({label: [(run["epochs"], run["validation_accuracy"]) for run in seeds]
                          for label, seeds in runs.items()},
                         ax=accuracy_ax, xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy",
                         colors=SPEED_COLORS, marker="o")
        accuracy_ax.set(xlim=(0.8, self.epochs + 0.2), xticks=np.arange(1, self.epochs + 1), ylim=(0, 1.02))
        self.set_finding(speed_finding(comparison))

    def summary(self, comparison):
        parts = []
        for label in (WITH, WITHOUT):
            text = f"{label}: validation accuracy {comparison.final_accuracy(label).describe()}"
            diverged = comparison.diverged(label)
            parts.append(text + (f", {diverged} diverged" if diverged else ""))
        return " | ".join(parts)
