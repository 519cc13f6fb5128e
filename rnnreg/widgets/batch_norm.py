"""Lesson 03, batch normalization: batch statistics while training, moving averages at test time.

Two experiments, each a pure function (seeded, plain data out) with a dashboard on top:

- ``train_batch_norm`` trains a small classifier on the RAW Iris measurements (not standardised, so the
  statistics BatchNorm estimates are the centimetres of the data) with a ``BatchNormalization`` layer
  first, records its batch and moving statistics at every step (``BatchNormRecorder``) and returns the
  trained weights. ``phase_view`` then runs one fixed batch of test flowers through the trained network in
  both phases, never training: the train phase normalises with that batch's own mean and variance, the
  test phase with the moving averages. ``BatchNormDashboard`` shows both; its phase and channel controls
  reuse the trained network.
- ``compare_training_speed`` trains the same MLP on the 8 x 8 digits with and without BatchNorm after each
  hidden layer, for the loss curves of ``BatchNormSpeedDashboard``.

``batch_mates_experiment`` shows the classic mistake (``BatchStatisticsAtTestTime``): normalising with the
statistics of the test batch makes one flower's prediction depend on the flowers it is batched with.

The exercise's conventions hold throughout: the moving averages start at the first batch's statistics and
follow μ ← a μ + (1 − a) μ_B with a = ``momentum`` (0.8 by default; PyTorch's ``momentum=0.1`` is the weight
of the NEW batch, i.e. a = 0.9), variances are the biased (ddof = 0) ones and ε = 1e-10.
"""

import dataclasses
import functools

import ipywidgets as widgets
import numpy as np

from rnnreg import (
    Adam,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    FullyConnected,
    He,
    NeuralNetwork,
    ReLU,
    Sgd,
    SoftMax,
)
from rnnreg.data import IRIS_CLASS_NAMES, IRIS_FEATURE_NAMES, ArrayDataLayer, digits_data_layer, load_iris
from rnnreg.layers.variants import BatchStatisticsAtTestTime
from rnnreg.lessons.experiment import check_choice, check_positive_int, read_only, seeded
from rnnreg.training import BatchNormRecorder, accuracy, fit
from rnnreg.viz import COLORS, plot_batch_norm_statistics, plot_comparison_curves
from rnnreg.viz.style import new_figure
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard, animate, limits_and_labels, round_up

__all__ = [
    "BatchNormDashboard",
    "BatchNormSpeedDashboard",
    "TrainedBatchNorm",
    "batch_mates_experiment",
    "build_iris_network",
    "compare_training_speed",
    "phase_view",
    "train_batch_norm",
]

PHASES = ("train", "test")
BATCH_SIZES = (2, 4, 8, 16, 32)
MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
ITERATIONS = 150
HIDDEN_UNITS = 16
LEARNING_RATE = 3e-2
TEST_FRACTION = 0.2

SPEED_LEARNING_RATE = 1e-3
SPEED_BATCH_SIZES = (16, 32, 64)
SPEED_EPOCHS = 3
SPEED_WIDTH = 32
WITH, WITHOUT = "with BatchNorm", "without BatchNorm"
SPEED_COLORS = {WITH: COLORS["batch"], WITHOUT: COLORS["none"]}


# ------------------------------------------------------------------------------------ the Iris experiment


def build_iris_network(batch_norm=True, momentum=0.8, learning_rate=LEARNING_RATE, *, seed=0,
                       normalization=BatchNormalization):
    """BatchNorm(4) → FC(4, 16) → ReLU → FC(16, 3) → SoftMax with Adam(η); ``batch_norm=False`` leaves out the first.

    ``normalization`` is the class of the first layer (``BatchStatisticsAtTestTime`` builds the mistake).
    The weights are He-initialized from NumPy's global state seeded with ``seed`` (restored afterwards).
    """
    with seeded(seed):
        net = NeuralNetwork(Adam(learning_rate, 0.9, 0.999), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        layers = [normalization(len(IRIS_FEATURE_NAMES), momentum)] if batch_norm else []
        layers += [FullyConnected(len(IRIS_FEATURE_NAMES), HIDDEN_UNITS), ReLU(),
                   FullyConnected(HIDDEN_UNITS, len(IRIS_CLASS_NAMES)), SoftMax()]
        for layer in layers:
            net.append_layer(layer)
    return net


@dataclasses.dataclass(frozen=True)
class TrainedBatchNorm:
    """What ``train_batch_norm`` returns (cached by the dashboards: treat it as read-only).

    Attributes
    ----------
    settings : dict
        The arguments it was trained with.
    snapshot : list of dict
        ``NeuralNetwork.snapshot()`` of the trained net (moving statistics included), arrays read-only.
    history : History
    recorder : BatchNormRecorder
        Batch and moving statistics of the BatchNorm layer (index 0) at every step; no layers without BatchNorm.
    data_mean, data_variance : ndarray, shape (C,)
        Mean and biased variance of every measurement over the training set: what the moving averages estimate.
    test_inputs, test_labels : ndarray, shapes (N_test, C) and (N_test, K)
        The held-out flowers (raw centimetres, one-hot labels).
    train_accuracy, test_accuracy : float
        Of the trained net in the test phase (moving statistics).
    """

    settings: dict
    snapshot: list
    history: object
    recorder: object
    data_mean: np.ndarray
    data_variance: np.ndarray
    test_inputs: np.ndarray
    test_labels: np.ndarray
    train_accuracy: float
    test_accuracy: float

    @property
    def batch_norm(self):
        return self.settings["batch_norm"]

    def final_statistics(self):
        """``(moving_mean, moving_variance)`` after training, shape (C,) each; None without BatchNorm."""
        if not self.batch_norm:
            return None
        return tuple(np.array(self.snapshot[0][name]) for name in ("moving_mean", "moving_variance"))

    def network(self, normalization=BatchNormalization):
        """A fresh network holding the trained weights and moving statistics (the cached arrays stay untouched)."""
        settings = self.settings
        net = build_iris_network(settings["batch_norm"], settings["momentum"], settings["learning_rate"],
                                 seed=settings["seed"], normalization=normalization)
        net.restore(self.snapshot)
        return net


def train_batch_norm(batch_norm=True, momentum=0.8, batch_size=16, *, iterations=ITERATIONS,
                     learning_rate=LEARNING_RATE, seed=0, data=None):
    """Train the Iris classifier for ``iterations`` steps of ``batch_size`` flowers; record BatchNorm's statistics.

    Parameters
    ----------
    batch_norm : bool
        With a BatchNormalization layer in front (True) or without (False).
    momentum : float
        a in [0, 1], the weight the old moving average keeps (the exercise's 0.8 by default).
    batch_size : int
        Flowers per training step, >= 1.
    iterations : int
        Training steps (the data layer wraps around its 120 training flowers as often as needed).
    learning_rate : float
        Adam's η, finite and > 0.
    seed : int
        Seeds the split, the shuffling and the initial weights.
    data : tuple (features (N, 4), labels (N,)), optional
        Other measurements to use instead of the raw Iris data (four features, three classes).

    Returns
    -------
    TrainedBatchNorm

    Raises
    ------
    ValueError
        A bad batch size, momentum, learning rate or data set, or training that diverged.
    """
    batch_size = check_positive_int("batch size", batch_size)
    features, labels = load_iris() if data is None else data
    layer = ArrayDataLayer(features, labels, batch_size, num_classes=len(IRIS_CLASS_NAMES),
                           test_fraction=TEST_FRACTION, rng=np.random.default_rng(seed))
    net = build_iris_network(batch_norm, momentum, learning_rate, seed=seed)
    net.data_layer = layer
    recorder = BatchNormRecorder()
    try:
        history = fit(net, epochs=1, steps_per_epoch=iterations, recorders=[recorder])
    except RuntimeError as error:  # divergence: the message names the step
        raise ValueError(str(error)) from error
    train_inputs, train_labels = layer.get_train_set()
    test_inputs, test_labels = layer.get_test_set()
    train_accuracy = accuracy(net.test(train_inputs), train_labels)
    test_accuracy = accuracy(net.test(test_inputs), test_labels) if len(test_inputs) else float("nan")
    settings = {"batch_norm": bool(batch_norm), "momentum": float(momentum), "batch_size": batch_size,
                "iterations": iterations, "learning_rate": float(learning_rate), "seed": seed}
    data_mean, data_variance = train_inputs.mean(axis=0), train_inputs.var(axis=0)
    read_only([data_mean, data_variance, test_inputs, test_labels])
    return TrainedBatchNorm(
        settings=settings, snapshot=read_only(net.snapshot()), history=history, recorder=recorder,
        data_mean=data_mean, data_variance=data_variance, test_inputs=test_inputs, test_labels=test_labels,
        train_accuracy=float(train_accuracy), test_accuracy=float(test_accuracy),
    )


def _forward(net, inputs, phase):
    """Run ``inputs`` through ``net`` in ``phase``; return (output, the first layer's output). Nothing is learned."""
    net.phase = phase
    first = None
    output = inputs
    for index, layer in enumerate(net.layers):
        output = layer.forward(output)
        if index == 0:
            first = output
    return output, first


def shown_batch(trained, batch_size=None, *, seed=0):
    """Indices into the test set of the batch the dashboard compares: ``batch_size`` flowers, a seeded choice."""
    size = trained.settings["batch_size"] if batch_size is None else check_positive_int("batch size", batch_size)
    count = len(trained.test_inputs)
    if count == 0:
        raise ValueError("the data set has no test flowers to show; use more data")
    return np.sort(np.random.default_rng(seed).permutation(count)[: min(size, count)])


def phase_view(trained, phase="test", *, seed=0):
    """One batch of test flowers through the trained net in both phases; ``phase`` is the one the lesson looks at.

    The batch holds as many flowers as a training batch (at most the whole test set), chosen with ``seed``.
    The train phase normalises with this batch's own mean and variance, the test phase with the moving
    averages; nothing is trained (the network is a fresh copy).

    Returns
    -------
    dict
        ``phase``; ``indices`` (B,) into the test set, ``inputs`` (B, C), ``labels`` (B, K);
        ``probabilities`` {phase: (B, K)}; ``batch_accuracy`` {phase: float}; ``largest_change``, the
        largest |difference| of a class probability between the phases; and with BatchNorm
        ``normalized`` {phase: (B, C)} (the BatchNorm layer's output) and ``statistics``
        {phase: (mean (C,), variance (C,))}, the statistics each phase normalised with.
    """
    check_choice("phase", phase, PHASES)
    indices = shown_batch(trained, seed=seed)
    inputs, labels = trained.test_inputs[indices], trained.test_labels[indices]
    view = {"phase": phase, "indices": indices, "inputs": inputs, "labels": labels,
            "probabilities": {}, "batch_accuracy": {}, "normalized": None, "statistics": None}
    if trained.batch_norm:
        view["normalized"], view["statistics"] = {}, {}
    for name in PHASES:
        net = trained.network()  # a fresh copy per phase: the train phase moves the copy's moving averages
        probabilities, first = _forward(net, inputs, name)
        view["probabilities"][name] = probabilities
        view["batch_accuracy"][name] = float(accuracy(probabilities, labels))
        if trained.batch_norm:
            layer = net.layers[0]
            view["normalized"][name] = first
            used = (layer.batch_mean, layer.batch_variance) if name == "train" else trained.final_statistics()
            view["statistics"][name] = tuple(np.array(statistic) for statistic in used)
    view["largest_change"] = float(np.max(np.abs(view["probabilities"]["train"] - view["probabilities"]["test"])))
    return view


def variance_ratio(trained, channel):
    """Moving variance / training-set variance of ``channel`` after training (None without BatchNorm)."""
    if not trained.batch_norm:
        return None
    _, moving_variance = trained.final_statistics()
    return float(moving_variance[channel] / trained.data_variance[channel])


def batch_variance_ratio(trained, channel):
    """The batch variances of ``channel`` averaged over training, divided by the training-set variance.

    The biased variance of B flowers is on average (B − 1)/B times the variance of the data they come from
    (0.5 at B = 2), so small batches underestimate it, and so does the moving average of them. None without
    BatchNorm.
    """
    if not trained.batch_norm:
        return None
    values = np.asarray(trained.recorder.batch_variance[0].values)[:, channel]
    return float(np.mean(values) / trained.data_variance[channel])


def batch_mates_experiment(trained, flower=0):
    """The mistake of normalising with the test batch's statistics (``BatchStatisticsAtTestTime``), measured.

    Parameters
    ----------
    trained : TrainedBatchNorm
        Trained with BatchNorm.
    flower : int
        Index into the test set of the flower whose prediction is followed.

    Returns
    -------
    dict
        ``species``: its true species; ``correct``: its class probabilities from the correct layer (moving
        statistics), the same in any batch; ``with_own_species`` and ``with_other_species``: from the
        mistaken layer when it shares a batch with the other test flowers of its own species or with those
        of the other two species; ``alone_outputs`` (N_test, C): the mistaken layer's output for every test
        flower sent alone (a batch of one: x − μ_B = 0, so the output is β whatever the flower);
        ``beta`` (C,); ``alone_predictions`` (N_test,): the predicted class of every flower sent alone;
        ``alone_distinct``: how many different predictions that gives (1: every flower gets the same answer);
        ``correct_test_accuracy`` and ``alone_test_accuracy``.
    """
    if not trained.batch_norm:
        raise ValueError("batch_mates_experiment needs a network trained with BatchNorm (batch_norm=True)")
    inputs, labels = trained.test_inputs, trained.test_labels
    if not 0 <= flower < len(inputs):
        raise ValueError(f"flower must be an index into the {len(inputs)} test flowers, got {flower!r}")
    species = np.argmax(labels, axis=1)
    own = np.flatnonzero(species == species[flower])
    other = np.concatenate([[flower], np.flatnonzero(species != species[flower])])
    correct_net = trained.network()
    wrong_net = trained.network(normalization=BatchStatisticsAtTestTime)
    position_in_own = int(np.flatnonzero(own == flower)[0])
    alone = [_forward(wrong_net, inputs[index : index + 1], "test") for index in range(len(inputs))]
    alone_outputs = np.array([first[0] for _, first in alone])
    alone_predictions = np.array([int(np.argmax(probabilities[0])) for probabilities, _ in alone])
    return {
        "species": IRIS_CLASS_NAMES[species[flower]],
        "correct": correct_net.test(inputs[flower : flower + 1])[0],
        "with_own_species": wrong_net.test(inputs[own])[position_in_own],
        "with_other_species": wrong_net.test(inputs[other])[0],
        "alone_outputs": alone_outputs,
        "beta": np.array(trained.snapshot[0]["bias"]),
        "alone_predictions": alone_predictions,
        "alone_distinct": len(set(alone_predictions.tolist())),
        "correct_test_accuracy": float(accuracy(correct_net.test(inputs), labels)),
        "alone_test_accuracy": float(np.mean(alone_predictions == species)),
    }


def batch_norm_finding(trained, view, channel):
    """The sentence the figure's title states, from computed numbers."""
    if not trained.batch_norm:
        return f"Without BatchNorm both phases compute the same; test accuracy {trained.test_accuracy:.2f}"
    batch = trained.settings["batch_size"]
    return (f"Batch of {batch}: variances average {batch_variance_ratio(trained, channel):.2f}× the data's; "
            f"phases differ by up to {view['largest_change']:.2f}")


def _draw_message(ax, text):
    ax.clear()
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, transform=ax.transAxes)


def _normalisation_lines(view, channel):
    """{phase: (raw values, BatchNorm outputs, legend label)} of the channel, sorted by raw value."""
    raw = view["inputs"][:, channel]
    order = np.argsort(raw, kind="stable")
    lines = {}
    for name in PHASES:
        mean, variance = (statistic[channel] for statistic in view["statistics"][name])
        what = "batch" if name == "train" else "moving"
        lines[name] = (raw[order], view["normalized"][name][order, channel],
                       f"{name} phase: {what} μ {mean:.2f}, σ² {variance:.3f}")
    return lines


def _draw_normalisations(ax, trained, view, channel):
    """The channel's BatchNorm output against its raw value: one straight line per phase, the chosen one solid."""
    ax.clear()
    raw = view["inputs"][:, channel]
    for name, (x, y, label) in _normalisation_lines(view, channel).items():
        ax.plot(x, y, color=COLORS[name], marker="o" if name == "train" else "s", markersize=8, label=label,
                **_line_style(name, view["phase"]))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"{IRIS_FEATURE_NAMES[channel]}, raw")
    ax.set_ylabel("BatchNorm output")
    ax.set_title(f"The same {len(raw)} test flowers, two normalisations")
    ax.legend(loc="upper left", fontsize=12)


def _line_style(name, phase):
    """The chosen phase's line solid and thick, the other dashed and faint."""
    chosen = name == phase
    return {"linewidth": 2.6 if chosen else 1.4, "linestyle": "-" if chosen else "--", "alpha": 1.0 if chosen else 0.55}


def _bar_alpha(name, phase):
    return 1.0 if name == phase else 0.4


def _show_phase(line_ax, output_ax, view):
    """Restyle what ``_draw_normalisations`` and ``_draw_probabilities`` drew for the phase ``view`` shows."""
    for line, name in zip(line_ax.lines, PHASES, strict=False):  # the last line is the zero line
        line.set(**_line_style(name, view["phase"]))
    if line_ax.lines:  # none while BatchNorm is off
        line_ax.legend(loc="upper left", fontsize=12)
    for bars, name in zip(output_ax.containers, PHASES, strict=True):
        for bar in bars:
            bar.set_alpha(_bar_alpha(name, view["phase"]))
    output_ax.legend(loc="lower left", fontsize=12)


def _bar_heights(view):
    """{phase: (probability of the true species for every flower of the batch, legend label)}."""
    true_class = np.argmax(view["labels"], axis=1)
    flowers = np.arange(len(true_class))
    return {name: (view["probabilities"][name][flowers, true_class],
                   f"{name} phase (batch accuracy {view['batch_accuracy'][name]:.2f})") for name in PHASES}


def _draw_bars(ax, view):
    """The bars of ``_draw_probabilities`` (the Axes' limits are left to the caller)."""
    positions = np.arange(len(view["labels"]))
    width = 0.4
    for offset, (name, (values, label)) in zip((-width / 2, width / 2), _bar_heights(view).items(), strict=True):
        ax.bar(positions + offset, values, width, color=COLORS[name], alpha=_bar_alpha(name, view["phase"]),
               label=label)


def _update_bars(ax, view):
    """The bars ``_draw_bars`` drew, given new heights in place if the batch has as many flowers, else redrawn."""
    heights = _bar_heights(view)
    if [len(container) for container in ax.containers] != [len(values) for values, _ in heights.values()]:
        for container in list(ax.containers):
            container.remove()
        _draw_bars(ax, view)
        return
    for container, (values, label) in zip(ax.containers, heights.values(), strict=True):
        container.set_label(label)
        for bar, value in zip(container, values, strict=True):
            bar.set_height(value)


def _draw_probabilities(ax, view):
    """Probability of the true species for every flower of the batch, in both phases."""
    ax.clear()
    count = len(view["labels"])
    positions = np.arange(count)
    _draw_bars(ax, view)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("flower of the batch")
    ax.set_ylabel("probability of the true species")
    if count <= 16:
        ax.set_xticks(positions)
    ax.set_title("Network output on that batch")
    ax.legend(loc="lower left", fontsize=12)


class BatchNormDashboard(Dashboard):
    """BatchNorm on/off, its momentum and the batch size retrain; the phase and the measurement do not.

    Top: the batch statistics of one measurement at every training step (thin) and the moving averages
    (thick) that the test phase uses, against the training set's own mean and variance (dashed). Bottom: one
    batch of test flowers in both phases, through the BatchNorm layer (left) and the whole net (right).
    """

    title = "BatchNorm: batch statistics while training, moving averages at test time"

    def __init__(self, *, seed=0, iterations=ITERATIONS, data=None):
        self.seed, self.iterations, self.data = seed, iterations, data
        self.trainings = 0
        self._train = functools.lru_cache(maxsize=32)(self._train_uncached)
        self._shown = self._static_shown = None  # (settings, channel) of the animated and of the static artists
        self._keys = {}  # (settings, channel) -> its static key, from its full draw
        super().__init__()

    def _train_uncached(self, batch_norm, momentum, batch_size):
        self.trainings += 1
        return train_batch_norm(batch_norm, momentum, batch_size, iterations=self.iterations, seed=self.seed,
                                data=self.data)

    def build_controls(self):
        return {
            "batch_norm": ctl.checkbox("BatchNorm layer", True),
            "momentum": widgets.SelectionSlider(
                options=[(f"{value:g}", value) for value in MOMENTA], value=0.8,
                description="momentum a (old average kept)", continuous_update=False, style=ctl.STYLE,
                layout=ctl.LAYOUT,
            ),
            "batch_size": widgets.SelectionSlider(
                options=list(BATCH_SIZES), value=16, description="batch size", continuous_update=False,
                style=ctl.STYLE, layout=ctl.LAYOUT,
            ),
            "phase": ctl.phase_buttons("test"),
            "channel": widgets.Dropdown(
                options=[(name, index) for index, name in enumerate(IRIS_FEATURE_NAMES)], value=2,
                description="measurement", style=ctl.STYLE,
            ),
        }

    def build_axes(self):
        return new_figure(2, 2, height=8.0, width=10.5)

    def compute(self, params):
        trained = self._train(bool(params["batch_norm"]), float(params["momentum"]), int(params["batch_size"]))
        return {"trained": trained, "view": phase_view(trained, params["phase"], seed=self.seed),
                "channel": int(params["channel"])}

    def render(self, data):
        """Everything for a new training or measurement; only the animated artists where its background is kept.

        The static artists (the statistics panels, axes, ticks, labels) depend on the training and the
        measurement alone. Going back to one whose background is still kept (``background_kept``) updates
        only the phase lines, the bars and their legends, in the limits that setting's full draw chose: the
        rest of the figure may still show another setting, which the restored background covers.
        """
        trained, view, channel = data["trained"], data["view"], data["channel"]
        line_ax, output_ax = self.axes[1]
        shown = (tuple(sorted(trained.settings.items())), channel)
        key = self._keys.get(shown)
        if self._static_shown != shown and not (self.background_kept(key) and self._same_panels(trained)):
            self._draw_training(trained, view, channel)
            self._static_shown = shown
            self._keys[shown] = (shown, limits_and_labels(*self.axes.ravel()))
        elif self._shown != shown:
            self._draw_phases(trained, view, channel, key)
        else:  # only the phase changed: the rest of the picture stays
            _show_phase(line_ax, output_ax, view)
        self._shown = shown
        # Everything else stays for a training and a measurement: the static background (``static_key``).
        animate(*line_ax.lines[:len(PHASES)], line_ax.get_legend(), *output_ax.patches, output_ax.get_legend())
        self.set_finding(batch_norm_finding(trained, view, channel))

    def static_key(self, data):
        return self._keys[self._shown]

    def _same_panels(self, trained):
        """Whether the figure has the panels ``trained`` needs (BatchNorm on or off, as the static artists show)."""
        return dict(self._static_shown[0])["batch_norm"] == trained.batch_norm

    def _draw_phases(self, trained, view, channel, key):
        """Only the animated artists of the bottom panels, in the limits under ``key`` (the full draw's)."""
        line_ax, output_ax = self.axes[1]
        if trained.batch_norm:
            for line, (x, y, label) in zip(line_ax.lines, _normalisation_lines(view, channel).values(),
                                           strict=False):  # the last line is the zero line
                line.set(data=(x, y), label=label)
        _update_bars(output_ax, view)
        for ax, (xlim, ylim, *_) in zip((line_ax, output_ax), key[1][2:], strict=True):
            ax.set(xlim=xlim, ylim=ylim)
        _show_phase(line_ax, output_ax, view)

    def _draw_training(self, trained, view, channel):
        """Every panel again, for a new training or measurement."""
        (mean_ax, variance_ax), (line_ax, output_ax) = self.axes
        if trained.batch_norm:
            plot_batch_norm_statistics(trained.recorder, 0, channel=channel, axes=(mean_ax, variance_ax))
            for ax, value, quantity in ((mean_ax, trained.data_mean, "mean"),
                                        (variance_ax, trained.data_variance, "variance")):
                ax.axhline(value[channel], color="black", linestyle=":", linewidth=2,
                           label=f"training-set {quantity} {value[channel]:.3g}")
                ax.set_ylabel(f"{quantity} of {IRIS_FEATURE_NAMES[channel].split(' (')[0]}")
                ax.legend(fontsize=12, loc="best")
            _draw_normalisations(line_ax, trained, view, channel)
        else:
            for ax in (mean_ax, variance_ax, line_ax):
                _draw_message(ax, "BatchNorm is off:\nno statistics are kept,\nand both phases compute the same.")
        _draw_probabilities(output_ax, view)

    def summary(self, data):
        trained, view, channel = data["trained"], data["view"], data["channel"]
        phase = view["phase"]
        scores = (f"accuracy on the shown batch: {view['batch_accuracy'][phase]:.2f} in the {phase} phase; "
                  f"test accuracy {trained.test_accuracy:.3f} (test phase)")
        if not trained.batch_norm:
            return f"no BatchNorm: the phase changes nothing | {scores}"
        moving_mean, moving_variance = trained.final_statistics()
        used = "this batch's own statistics" if phase == "train" else "the moving averages"
        name = IRIS_FEATURE_NAMES[channel].split(" (")[0]
        return (f"{phase} phase normalises with {used} | {name}: moving mean {moving_mean[channel]:.3f} vs "
                f"data {trained.data_mean[channel]:.3f}, moving variance {moving_variance[channel]:.3f} vs data "
                f"{trained.data_variance[channel]:.3f} (batch variances average "
                f"{batch_variance_ratio(trained, channel):.2f}× the data's) | {scores}")


# ----------------------------------------------------------------------------------- training speed


def build_digits_network(batch_norm, learning_rate, *, width=SPEED_WIDTH, seed=0):
    """FC(64, W) → [BatchNorm] → ReLU → FC(W, W) → [BatchNorm] → ReLU → FC(W, 10) → SoftMax, plain SGD(η)."""
    with seeded(seed):
        net = NeuralNetwork(Sgd(learning_rate), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        size = 64
        for _ in range(2):
            net.append_layer(FullyConnected(size, width))
            if batch_norm:
                net.append_layer(BatchNormalization(width))
            net.append_layer(ReLU())
            size = width
        net.append_layer(FullyConnected(size, 10))
        net.append_layer(SoftMax())
    return net


def compare_training_speed(learning_rate=SPEED_LEARNING_RATE, batch_size=32, *, epochs=SPEED_EPOCHS, seed=0):
    """Train the same digits MLP with and without BatchNorm (same data order, same first weights); return both runs.

    Returns
    -------
    dict {label: dict}
        For ``"with BatchNorm"`` and ``"without BatchNorm"``: ``steps`` (S,), ``epoch_of_step`` (S,) the epochs
        done after each step (1/B of an epoch per step for B batches), ``loss`` (S,) the data loss per
        sample of every training step, ``epochs`` (E,) and ``validation_accuracy`` (E,) per finished epoch,
        ``diverged`` (None, or the message of the step where the loss became infinite), ``history``.
    """
    batch_size = check_positive_int("batch size", batch_size)
    runs = {}
    for label, batch_norm in ((WITH, True), (WITHOUT, False)):
        net = build_digits_network(batch_norm, learning_rate, seed=seed)
        # drop_last: every step sees batch_size digits, so the loss per sample of every step compares
        net.data_layer = digits_data_layer(batch_size, flatten=True, validation_fraction=0.2, drop_last=True,
                                           rng=np.random.default_rng(seed))
        kept = {}

        def keep(state, kept=kept):
            kept["history"] = state.history

        diverged = None
        try:
            history = fit(net, epochs=epochs, callbacks=[keep])
        except RuntimeError as error:  # divergence: keep the steps before it
            history, diverged = kept.get("history"), str(error)
            if history is None:
                raise ValueError(f"{label}: {error}") from error
        steps_per_epoch = len(net.data_layer.get_train_set()[0]) // batch_size  # drop_last
        runs[label] = {
            "steps": history.step_array("step"),
            "epoch_of_step": (history.step_array("step") + 1) / steps_per_epoch,
            "loss": history.step_array("data_loss") / batch_size,
            "epochs": history.epoch_array("epoch") + 1,
            "validation_accuracy": history.epoch_array("validation_accuracy"),
            "diverged": diverged,
            "history": history,
        }
    return runs


def final_accuracy(run):
    """The validation accuracy after the last finished epoch (NaN when training diverged before the first)."""
    values = run["validation_accuracy"]
    return float(values[-1]) if values.size else float("nan")


def speed_finding(runs):
    with_bn, without = final_accuracy(runs[WITH]), final_accuracy(runs[WITHOUT])
    epochs = max(runs[WITH]["epochs"].size, runs[WITHOUT]["epochs"].size)
    if runs[WITHOUT]["diverged"] and not runs[WITH]["diverged"]:
        return f"Without BatchNorm training diverged; with it: validation accuracy {with_bn:.2f}"
    return f"After {epochs} epochs: validation accuracy {with_bn:.2f} with BatchNorm, {without:.2f} without"


class BatchNormSpeedDashboard(Dashboard):
    """The same MLP on the digits, with and without BatchNorm: who learns faster at this learning rate?"""

    title = "BatchNorm speeds up training: the same network, the same data, with and without it"

    def __init__(self, *, seed=0, epochs=SPEED_EPOCHS):
        self.seed, self.epochs = seed, epochs
        super().__init__()

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
        return compare_training_speed(params["learning_rate"], params["batch_size"], epochs=self.epochs, seed=self.seed)

    def render(self, runs):
        loss_ax, accuracy_ax = self.axes
        # Loss against epochs, like the accuracy: batch sizes compare at the same amount of data seen, and
        # the axis (0 to the last epoch) stays the same for every setting.
        plot_comparison_curves({label: (run["epoch_of_step"], run["loss"]) for label, run in runs.items()},
                               ax=loss_ax, xlabel="epoch (one point per training step)", ylabel="loss per sample",
                               colors=SPEED_COLORS, title="Training loss")
        loss_ax.set_xlim(0, self.epochs)
        loss_ax.set_xticks(np.arange(self.epochs + 1))
        plot_comparison_curves({label: (run["epochs"], run["validation_accuracy"]) for label, run in runs.items()},
                               ax=accuracy_ax, xlabel="epoch", ylabel="validation accuracy", colors=SPEED_COLORS,
                               title="Validation accuracy", log_y=False)
        accuracy_ax.set_ylim(0, 1.02)
        accuracy_ax.set_xticks(np.arange(1, self.epochs + 1))
        if loss_ax.get_yscale() == "linear":  # a round top, the same for most settings
            losses = np.concatenate([run["loss"] for run in runs.values()])
            loss_ax.set_ylim(0, round_up(float(np.max(losses[np.isfinite(losses)], initial=1.0)) * 1.05))
        for ax in self.axes:
            animate(*ax.lines, ax.get_legend())
        self.set_finding(speed_finding(runs))

    def static_key(self, runs):
        return limits_and_labels(*self.axes)

    def summary(self, runs):
        parts = []
        for label, run in runs.items():
            text = f"{label}: validation accuracy {final_accuracy(run):.3f}, last loss {run['loss'][-1]:.3f}"
            parts.append(text + (" (diverged)" if run["diverged"] else ""))
        return " | ".join(parts)
