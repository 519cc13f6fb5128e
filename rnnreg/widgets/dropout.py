"""Lesson 02, dropout: masks, the 1/p scaling, the identity at test time, and dropout against overfitting.

Pure functions (seeded, plain data out) with dashboards on top:

- ``dropout_phases`` sends one batch of hidden activations (16 digit images through a He-initialised
  FullyConnected(64, 32) and a ReLU; nothing is trained) through a dropout layer in the train and in the
  test phase, and averages the train phase over many fresh masks. With inverted dropout (the library's
  ``Dropout``) that average equals the test-phase output, which is the input itself. ``scaling`` also
  builds the two non-inverted variants of ``rnnreg.layers.variants.NonInvertedDropout``: the common mistake
  (no scaling at all, so training sees p·x on average but the test phase passes x) and the original recipe
  (×p at test time). ``DropoutPhaseDashboard`` shows the mask, the batch in the chosen phase, both phases'
  histograms and the average against the test output.
- ``train_with_dropout`` trains FullyConnected(60, 64) → ReLU → Dropout → FullyConnected(64, 2) → SoftMax on
  ``overfitting_set`` (30 training samples, 60 features of which 4 carry the class) with plain SGD and
  returns the train and validation accuracy; ``DropoutOverfittingDashboard`` compares a dropout rate with
  no dropout.
- ``compare_scaling`` trains that net with each of the three scalings and measures what reaches the output
  layer in each phase, for the side-by-side table of the lesson.

The exercise's ``Dropout(probability)`` takes p, the fraction of units KEPT; the controls speak of the drop
rate 1 − p (PyTorch's ``nn.Dropout(p)`` takes the drop rate) and show p next to it.
"""

import dataclasses
import functools
import math
import numbers

import ipywidgets as widgets
import numpy as np

from rnnreg import Constant, CrossEntropyLoss, Dropout, FullyConnected, He, NeuralNetwork, ReLU, Sgd, SoftMax
from rnnreg.data import load_digits
from rnnreg.layers.variants import NonInvertedDropout
from rnnreg.lessons.experiment import check_choice, check_positive_int, read_only, seeded
from rnnreg.lessons.overfitting import check_steps, overfitting_data_layer, verb
from rnnreg.training import fit
from rnnreg.viz import COLORS, plot_dropout_mask, plot_phase_activations
from rnnreg.viz.dropout import phase_activations_title, phase_histograms
from rnnreg.viz.style import new_figure
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import FINE_STEPS, Dashboard, animate, limits_and_labels, round_up

__all__ = [
    "DropoutOverfittingDashboard",
    "DropoutPhaseDashboard",
    "DropoutRun",
    "compare_scaling",
    "dropout_phases",
    "hidden_activations",
    "make_dropout",
    "sweep_rates",
    "train_with_dropout",
]

PHASES = ("train", "test")
SCALINGS = ("inverted", "mistake", "original")
SCALING_LABELS = {
    "inverted": "inverted: ÷p while training",
    "mistake": "no scaling (the mistake)",
    "original": "×p at test (original)",
}
SAMPLES = 16
UNITS = 32
REPEATS = 400
HISTOGRAM_BINS = 40
HIDDEN_UNITS = 64
LEARNING_RATE = 1e-2
STEPS = 300
STEPS_PER_EPOCH = 15
SEEDS = (0, 1, 2, 3, 4)


def check_rate(rate):
    """The drop rate 1 − p as a float in [0, 1); the keep probability p = 1 − rate must stay above 0."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not np.isfinite(rate) or not 0 <= rate < 1:
        raise ValueError(f"dropout rate must be a number in [0, 1) (keep probability 1 − rate > 0), got {rate!r}")
    return float(rate)


def make_dropout(rate, scaling="inverted", rng=None):
    """The dropout layer for a drop ``rate``: ``Dropout(p)`` or a ``NonInvertedDropout(p, ...)``, p = 1 − rate."""
    check_choice("scaling", scaling, SCALINGS)
    probability = ctl.keep_probability(check_rate(rate))
    if scaling == "inverted":
        return Dropout(probability, rng=rng)
    return NonInvertedDropout(probability, scale_at_test=scaling == "original", rng=rng)


# --------------------------------------------------------------------------------- masks and phases


@functools.lru_cache(maxsize=8)
def _activations(samples, units, seed):
    images, _ = load_digits()
    chosen = np.random.default_rng(seed).permutation(len(images))[:samples]
    inputs = images[chosen].reshape(samples, -1) / 16.0
    with seeded(seed):
        layer = FullyConnected(inputs.shape[1], units)
        layer.initialize(He(), Constant(0.0))
    activations = ReLU().forward(layer.forward(inputs))
    return read_only(activations)


def hidden_activations(samples=SAMPLES, units=UNITS, seed=0):
    """Activations (N, H) of a hidden layer: N digit images through a He-initialised FC(64, H) and a ReLU.

    Nothing is trained: the dropout lesson only needs a realistic batch (non-negative, many zeros). The
    same arguments always give the same (read-only) array.
    """
    return _activations(check_positive_int("samples", samples), check_positive_int("units", units), int(seed))


def dropout_phases(rate, scaling="inverted", *, inputs=None, repeats=REPEATS, seed=0):
    """One batch through a dropout layer in both phases, and the train phase averaged over many masks.

    Parameters
    ----------
    rate : float
        Drop rate in [0, 1); the layer keeps each unit with probability p = 1 − rate.
    scaling : {"inverted", "mistake", "original"}
        "inverted": ``Dropout(p)`` (y = x·M/p while training, y = x at test). "mistake":
        ``NonInvertedDropout(p)`` (y = x·M while training, y = x at test). "original":
        ``NonInvertedDropout(p, scale_at_test=True)`` (y = x·M while training, y = p·x at test).
    inputs : array_like, shape (N, H), optional
        The batch; by default ``hidden_activations()``.
    repeats : int
        How many fresh masks the train-phase average uses.
    seed : int
        Seeds the masks (the first one is the mask shown).

    Returns
    -------
    dict
        ``rate``, ``keep_probability``, ``scaling``; ``inputs`` (N, H); ``mask`` (N, H) bool, the first
        training mask; ``outputs`` {"train": (N, H), "test": (N, H)}; ``average_train`` (N, H), the train
        phase averaged over ``repeats`` masks (the first included); ``kept_fraction``; ``means`` {"input",
        "train", "test", "average_train"}: mean activations; ``slope``: the least-squares slope of
        ``average_train`` against ``outputs["test"]`` through 0 (1 when training matches the test phase on
        average); ``test_is_identity``: whether the test phase returned the batch unchanged.
    """
    rate = check_rate(rate)
    check_choice("scaling", scaling, SCALINGS)
    repeats = check_positive_int("repeats", repeats)
    x = hidden_activations(seed=seed) if inputs is None else np.asarray(inputs, dtype=float)
    if x.ndim != 2 or x.size == 0:
        raise ValueError(f"inputs must be a non-empty batch of shape (N, H), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("inputs must hold finite numbers only")
    layer = make_dropout(rate, scaling, rng=np.random.default_rng(seed))
    layer.testing_phase = False
    train = layer.forward(x)
    mask = np.array(layer.mask)
    total = train.copy()
    for _ in range(repeats - 1):
        total += layer.forward(x)
    average = total / repeats
    layer.testing_phase = True
    test = layer.forward(x)
    denominator = float(np.sum(test * test))
    slope = float(np.sum(average * test)) / denominator if denominator > 0 else float("nan")
    return {
        "rate": rate, "keep_probability": layer.probability, "scaling": scaling, "repeats": repeats,
        "inputs": x, "mask": mask, "outputs": {"train": train, "test": test}, "average_train": average,
        "kept_fraction": float(mask.mean()),
        "means": {"input": float(x.mean()), "train": float(train.mean()), "test": float(test.mean()),
                  "average_train": float(average.mean())},
        "slope": slope,
        "test_is_identity": bool(np.array_equal(test, x)),
    }


def phases_finding(view):
    p, slope = view["keep_probability"], view["slope"]
    if view["scaling"] == "inverted":
        return f"Inverted dropout (p = {p:.2f}): training passes on {slope:.2f}× the test output on average"
    if view["scaling"] == "mistake":
        return f"No scaling (p = {p:.2f}): training passes on only {slope:.2f}× what the test phase does"
    return f"Original dropout (p = {p:.2f}): ×p at test, so training passes on {slope:.2f}× the test output"


def _batch_texts(view, phase, vmax):
    """The batch panel's x label and title."""
    p = view["keep_probability"]
    formulas = {
        ("inverted", "train"): "y = x·M / p", ("inverted", "test"): "y = x",
        ("mistake", "train"): "y = x·M", ("mistake", "test"): "y = x",
        ("original", "train"): "y = x·M", ("original", "test"): f"y = {p:.2f}·x",
    }
    title = f"{phase.capitalize()} phase: {formulas[view['scaling'], phase]} (mean {view['outputs'][phase].mean():.3f})"
    return f"unit (colour 0 to {vmax:g} in both phases)", title


def _mask_title(view, phase):
    """The mask panel's title: the kept share while training; at test time every unit passes."""
    if phase == "train":
        return f"Mask: light = kept ({view['kept_fraction']:.0%}), dark = dropped"
    scaled = f", then ×p = {view['keep_probability']:.2f}" if view["scaling"] == "original" else ""
    return f"Test phase: no mask, every unit passes{scaled}"


def _draw_batch(ax, view, phase, vmax):
    """The batch's activations in ``phase`` as an image (same colour scale in both phases)."""
    ax.clear()
    ax.imshow(view["outputs"][phase], cmap="cividis", vmin=0.0, vmax=vmax, aspect="auto", interpolation="nearest")
    ax.grid(False)
    xlabel, title = _batch_texts(view, phase, vmax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("sample in the batch")
    ax.set_title(title)


def _update_batch(ax, view, phase, vmax):
    """New activations and colour scale for the image ``_draw_batch`` made."""
    image = ax.images[0]
    image.set_data(view["outputs"][phase])
    image.set_clim(0.0, vmax)
    xlabel, title = _batch_texts(view, phase, vmax)
    ax.set_xlabel(xlabel)
    ax.set_title(title)


def _average_points(view):
    """Test-phase output and train-phase average of every activation, and the legend label."""
    test, average = view["outputs"]["test"].ravel(), view["average_train"].ravel()
    return test, average, f"average over {view['repeats']} masks (slope {view['slope']:.2f})"


def _draw_average(ax, view, top):
    """Train phase averaged over many masks against the test-phase output, one dot per activation."""
    ax.clear()
    test, average, label = _average_points(view)
    ax.plot([0, top], [0, top], color="black", linewidth=1.2, label="same in both phases")
    ax.scatter(test, average, s=14, color=COLORS["train"], alpha=0.7, label=label)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("test-phase output")
    ax.set_ylabel("train-phase output, averaged")
    ax.set_title("Every activation, both phases")
    ax.legend(fontsize=12, loc="upper left")


def _update_average(ax, view):
    """New points and legend label for what ``_draw_average`` made."""
    test, average, label = _average_points(view)
    points = ax.collections[0]
    points.set_offsets(np.column_stack([test, average]))
    points.set_label(label)
    ax.legend(fontsize=12, loc="upper left")


def _update_histograms(ax, view):
    """New steps, mean lines and title for what ``plot_phase_activations`` drew (the legend stays)."""
    edges, fractions, means = phase_histograms(view["outputs"]["train"], view["outputs"]["test"], HISTOGRAM_BINS)
    for steps, mean_line, phase in zip(ax.patches, ax.lines, PHASES, strict=True):
        steps.set_data(fractions[phase], edges)
        mean_line.set_xdata([means[phase], means[phase]])
    ax.set_title(phase_activations_title(means))


def _draw_histograms(ax, view, top):
    """Both phases' histograms (``plot_phase_activations``) on fixed axes: 0 to ``top``, one sample to all."""
    outputs = view["outputs"]
    plot_phase_activations(outputs["train"], outputs["test"], ax=ax, bins=HISTOGRAM_BINS)
    ax.set_yscale("log")
    ax.set_xlim(-top / 40, top)
    ax.set_ylim(10.0 ** math.floor(math.log10(1 / outputs["train"].size)), 1.0)
    ax.set_ylabel("fraction per bin (log scale)")
    ax.legend(fontsize=12, loc="upper right")


class DropoutPhaseDashboard(Dashboard):
    """The same batch through dropout while training and at test time, for a drop rate and a scaling rule.

    Top: the mask (train phase) and the batch in the chosen phase, on one colour scale. Bottom: histograms of
    both phases with their means, and the train phase averaged over many masks against the test output.
    Nothing is trained, so every control answers at once.
    """

    title = "Dropout: a random mask while training, the identity at test time"
    palette_colors = 128

    def __init__(self, *, seed=0, repeats=REPEATS):
        self.seed, self.repeats = seed, repeats
        super().__init__()

    def build_controls(self):
        return {
            "rate": ctl.dropout_rate_slider(0.5),
            "phase": ctl.phase_buttons("train"),
            "scaling": widgets.ToggleButtons(
                options=[(SCALING_LABELS[name], name) for name in SCALINGS], value="inverted",
                description="scaling", style=ctl.STYLE,
            ),
        }

    def build_axes(self):
        return new_figure(2, 2, height=8.2, width=10.5)

    def compute(self, params):
        phase = check_choice("phase", params["phase"], PHASES)
        view = dropout_phases(params["rate"], params["scaling"], repeats=self.repeats, seed=self.seed)
        return {**view, "phase": phase}

    def render(self, view):
        (mask_ax, batch_ax), (histogram_ax, average_ax) = self.axes
        phase = view["phase"]
        # Round tops, the same for most settings, so the background stays and pictures compare: the colour
        # scale (and the histograms' range) holds both phases; the same batch goes in at every setting.
        vmax = round_up(float(max(view["outputs"]["train"].max(), view["outputs"]["test"].max())))
        mask = view["mask"] if phase == "train" else np.ones_like(view["mask"])  # the test phase keeps every unit
        if getattr(self, "_drawn", False):  # the same artists: give them new data
            mask_ax.images[0].set_data(mask)
            _update_batch(batch_ax, view, phase, vmax)
            _update_histograms(histogram_ax, view)
            histogram_ax.set_xlim(-vmax / 40, vmax)
            _update_average(average_ax, view)
        else:
            self._drawn = True
            plot_dropout_mask(mask, ax=mask_ax, probability=view["keep_probability"])
            mask_ax.get_legend().remove()  # the title says it; a legend outside the Axes squeezes the other column
            _draw_batch(batch_ax, view, phase, vmax)
            _draw_histograms(histogram_ax, view, vmax)
            _draw_average(average_ax, view, round_up(float(view["inputs"].max()) * 1.1, FINE_STEPS))
        mask_ax.set_title(_mask_title(view, phase))
        # The histograms' legend stays in the background: its upper right corner is above every bin far
        # from 0, and both means lie near 0.
        animate(mask_ax.images[0], mask_ax.title, batch_ax.images[0], batch_ax.title, *histogram_ax.lines,
                *histogram_ax.patches, histogram_ax.title, *average_ax.collections, average_ax.get_legend())
        self.set_finding(phases_finding(view))

    def static_key(self, view):
        return limits_and_labels(*self.axes.ravel())

    def summary(self, view):
        means = view["means"]
        return (f"{view['phase']} phase | kept {view['kept_fraction']:.1%} of units (keep probability p = "
                f"{view['keep_probability']:.2f}) | mean activation: input {means['input']:.3f}, train phase "
                f"{means['train']:.3f} (averaged over {view['repeats']} masks {means['average_train']:.3f}), test "
                f"phase {means['test']:.3f} | test phase returns the input unchanged: "
                f"{'yes' if view['test_is_identity'] else 'no'}")


# ------------------------------------------------------------------------------- dropout vs overfitting


def build_dropout_network(rate, scaling="inverted", *, num_features=60, num_classes=2, hidden_units=HIDDEN_UNITS,
                          learning_rate=LEARNING_RATE, seed=0):
    """FC(D, 64) → ReLU → dropout → FC(64, K) → SoftMax, plain SGD; rate 0 leaves the dropout layer out."""
    rate = check_rate(rate)
    with seeded(seed):
        net = NeuralNetwork(Sgd(learning_rate), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        layers = [FullyConnected(num_features, hidden_units), ReLU()]
        if rate > 0:
            layers.append(make_dropout(rate, scaling, rng=np.random.default_rng(seed)))
        layers += [FullyConnected(hidden_units, num_classes), SoftMax()]
        for layer in layers:
            net.append_layer(layer)
    return net


@dataclasses.dataclass(frozen=True)
class DropoutRun:
    """What ``train_with_dropout`` returns (cached by the dashboard: treat it as read-only).

    Attributes
    ----------
    settings : dict
    history : History
        Train and validation accuracy after every ``STEPS_PER_EPOCH`` steps (in the test phase).
    train_accuracy, validation_accuracy : float
        Of the trained net, in the test phase.
    """

    settings: dict
    history: object
    train_accuracy: float
    validation_accuracy: float

    @property
    def gap(self):
        return self.train_accuracy - self.validation_accuracy


def train_with_dropout(rate, *, scaling="inverted", hidden_units=HIDDEN_UNITS, learning_rate=LEARNING_RATE,
                       steps=STEPS, steps_per_epoch=STEPS_PER_EPOCH, seed=0, data=None, network=False):
    """Train the net on ``overfitting_set(rng=seed)`` (or ``data``) with drop rate ``rate``; return a DropoutRun.

    ``network=True`` returns ``(run, net)`` with the trained network as well (for measurements on it).
    Raises ValueError for a bad setting or data set, or when training diverges.
    """
    steps, steps_per_epoch = check_steps(steps, steps_per_epoch)
    layer = overfitting_data_layer(seed, data)
    train_inputs, train_labels = layer.get_train_set()
    net = build_dropout_network(rate, scaling, num_features=train_inputs.shape[1], num_classes=train_labels.shape[1],
                                hidden_units=hidden_units, learning_rate=learning_rate, seed=seed)
    net.data_layer = layer
    try:
        history = fit(net, epochs=steps // steps_per_epoch, steps_per_epoch=steps_per_epoch)
    except RuntimeError as error:
        raise ValueError(f"{error} (learning rate {learning_rate:g})") from error
    settings = {"rate": float(rate), "scaling": scaling, "hidden_units": hidden_units,
                "learning_rate": float(learning_rate), "steps": steps, "seed": seed}
    run = DropoutRun(settings=settings, history=history,
                     train_accuracy=float(history.epochs["train_accuracy"][-1]),
                     validation_accuracy=float(history.epochs["validation_accuracy"][-1]))
    return (run, net) if network else run


def overfitting_finding(run, baseline):
    rate = run.settings["rate"]
    if rate == 0:
        return (f"No dropout: train accuracy {run.train_accuracy:.2f}, validation {run.validation_accuracy:.2f} "
                f"(gap {run.gap:.2f})")
    before, after = baseline.validation_accuracy, run.validation_accuracy
    return (f"Dropout rate {rate:.2f} {verb(before, after)} validation accuracy {before:.2f} → {after:.2f} "
            f"(gap {baseline.gap:.2f} → {run.gap:.2f})")


def _accuracy_curves(run, baseline):
    """(steps, accuracy) of train and validation, and the validation curve without dropout unless run is it."""
    steps = run.history.epoch_array("step") + 1
    curves = [(steps, run.history.epoch_array(f"{metric}_accuracy")) for metric in ("train", "validation")]
    if run is not baseline:
        curves.append((steps, baseline.history.epoch_array("validation_accuracy")))
    return curves


def _draw_accuracy_curves(ax, curves):
    """Train and validation accuracy per evaluation (and the validation curve without dropout, dotted)."""
    ax.clear()
    styles = [{"color": COLORS["train"], "marker": "o", "markersize": 4, "label": "train"},
              {"color": COLORS["validation"], "marker": "o", "markersize": 4, "label": "validation"},
              {"color": COLORS["validation"], "linestyle": ":", "linewidth": 2.4, "label": "validation, no dropout"}]
    for curve, style in zip(curves, styles, strict=False):
        ax.plot(*curve, **style)
    ax.set_ylim(0.4, 1.02)
    ax.set_xlabel("training step")
    ax.set_ylabel("accuracy (fraction correct)")
    ax.legend(fontsize=12, loc="lower right")


def _final_accuracies(run, baseline):
    """{metric: [without dropout, with dropout]}: the bars' heights."""
    return {metric: [getattr(item, f"{metric}_accuracy") for item in (baseline, run)]
            for metric in ("train", "validation")}


def _draw_final_bars(ax, run, baseline):
    """Final train and validation accuracy without and with dropout, each bar labelled with its value."""
    ax.clear()
    positions = np.arange(2)
    for (metric, values), offset in zip(_final_accuracies(run, baseline).items(), (-0.2, 0.2), strict=True):
        bars = ax.bar(positions + offset, values, width=0.4, color=COLORS[metric], label=metric)
        ax.bar_label(bars, labels=[f"{value:.2f}" for value in values], fontsize=12, padding=2)
    ax.set_xticks(positions, ["no dropout", "with dropout"])  # the rate is in the left title
    ax.set_ylim(0.4, 1.2)
    ax.set_yticks(np.arange(0.4, 1.01, 0.1))
    ax.set_ylabel("final accuracy")
    ax.set_title("After training")
    ax.legend(fontsize=12, loc="upper center", ncol=2)


def _update_final_bars(ax, run, baseline):
    """New heights and labels for the bars ``_draw_final_bars`` made."""
    for text in list(ax.texts):
        text.remove()
    for bars, values in zip(ax.containers, _final_accuracies(run, baseline).values(), strict=True):
        for bar, value in zip(bars, values, strict=True):
            bar.set_height(value)
        ax.bar_label(bars, labels=[f"{value:.2f}" for value in values], fontsize=12, padding=2)


class DropoutOverfittingDashboard(Dashboard):
    """A drop rate against no dropout on the overfitting set: accuracy curves and the final train/validation bars."""

    title = "Dropout against overfitting: 30 training samples, 60 features, 64 hidden units"
    palette_colors = 128

    def __init__(self, *, steps=STEPS, data=None):
        self.steps, self.data = steps, data
        self.trainings = 0
        self._train = functools.lru_cache(maxsize=64)(self._train_uncached)
        super().__init__()

    def _train_uncached(self, rate, seed):
        self.trainings += 1
        return train_with_dropout(rate, steps=self.steps, seed=seed, data=self.data)

    def build_controls(self):
        return {
            "rate": ctl.dropout_rate_slider(0.5),
            "seed": ctl.int_slider("data set drawn with seed", 0, min(SEEDS), max(SEEDS)),
        }

    def build_axes(self):
        return new_figure(1, 2, height=4.8, width=10.5, width_ratios=(3, 2))

    def compute(self, params):
        seed = params["seed"]
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        run = self._train(check_rate(params["rate"]), int(seed))
        baseline = self._train(0.0, int(seed))
        return {"run": run, "baseline": baseline}

    def render(self, data):
        run, baseline = data["run"], data["baseline"]
        curve_ax, bar_ax = self.axes
        curves = _accuracy_curves(run, baseline)
        if len(curve_ax.lines) == len(curves):  # the same artists: give them new data
            for line, curve in zip(curve_ax.lines, curves, strict=True):
                line.set_data(*curve)
            _update_final_bars(bar_ax, run, baseline)
        else:
            _draw_accuracy_curves(curve_ax, curves)
            _draw_final_bars(bar_ax, run, baseline)
        curve_ax.set_title(f"Drop rate {run.settings['rate']:.2f} (keep p = {1 - run.settings['rate']:.2f})")
        # The bars' legend stays in the background: it sits above 1.0, where no bar or label reaches.
        animate(*curve_ax.lines, curve_ax.title, curve_ax.get_legend(), *bar_ax.patches, *bar_ax.texts)
        self.set_finding(overfitting_finding(run, baseline))

    def static_key(self, data):
        return limits_and_labels(*self.axes)

    def summary(self, data):
        run, baseline = data["run"], data["baseline"]
        return (f"drop rate {run.settings['rate']:.2f} (keep probability {1 - run.settings['rate']:.2f}): train "
                f"accuracy {run.train_accuracy:.3f}, validation {run.validation_accuracy:.3f}, gap {run.gap:.3f} | "
                f"no dropout: train {baseline.train_accuracy:.3f}, validation {baseline.validation_accuracy:.3f}, "
                f"gap {baseline.gap:.3f}")


def sweep_rates(rates=(0.0, 0.25, 0.5, 0.75), seeds=(0, 1, 2), **options):
    """Train once per drop rate and data seed; return ``{rate: dict}`` with the mean accuracies over the seeds.

    Each entry holds ``train_accuracy``, ``validation_accuracy`` and ``gap`` (means over ``seeds``) and
    ``validation_per_seed`` (a tuple, in the order of ``seeds``). ``options`` go to ``train_with_dropout``.
    """
    if not rates or not seeds:
        raise ValueError("sweep_rates needs at least one rate and one seed")
    table = {}
    for rate in rates:
        runs = [train_with_dropout(check_rate(rate), seed=seed, **options) for seed in seeds]
        table[float(rate)] = {
            "train_accuracy": float(np.mean([run.train_accuracy for run in runs])),
            "validation_accuracy": float(np.mean([run.validation_accuracy for run in runs])),
            "gap": float(np.mean([run.gap for run in runs])),
            "validation_per_seed": tuple(run.validation_accuracy for run in runs),
        }
    return table


# ---------------------------------------------------------------------------------- the three scalings


def compare_scaling(rate=0.5, *, seed=0, repeats=100):
    """Train the overfitting-set net with each scaling rule and measure what reaches its output layer.

    For each of "inverted", "mistake" and "original": ``train_mean``, the mean activation leaving the dropout
    layer for the validation inputs in the train phase, averaged over ``repeats`` masks; ``test_mean``, the
    same in the test phase; ``ratio`` = test_mean / train_mean (1: the next layer sees at test what it was
    trained on); ``validation_accuracy``; ``confidence``, the mean largest class probability at test.
    Returns ``{scaling: dict}``.
    """
    rate = check_rate(rate)
    if rate == 0:
        raise ValueError("compare_scaling needs a dropout rate above 0: at rate 0 the three rules are the same")
    results = {}
    for scaling in SCALINGS:
        run, net = train_with_dropout(rate, scaling=scaling, seed=seed, network=True)
        inputs, _ = net.data_layer.get_validation_set()
        index = next(i for i, layer in enumerate(net.layers) if isinstance(layer, Dropout))
        net.phase = "train"
        hidden = inputs
        for layer in net.layers[:index]:
            hidden = layer.forward(hidden)
        dropout = net.layers[index]
        saved_rng = dropout.rng
        dropout.rng = np.random.default_rng(seed + 1)
        train_mean = float(np.mean([dropout.forward(hidden).mean() for _ in range(repeats)]))
        dropout.rng = saved_rng
        net.phase = "test"
        test_mean = float(dropout.forward(hidden).mean())
        probabilities = net.test(inputs)
        results[scaling] = {
            "train_mean": train_mean, "test_mean": test_mean, "ratio": test_mean / train_mean,
            "validation_accuracy": run.validation_accuracy, "confidence": float(probabilities.max(axis=1).mean()),
        }
    return results
