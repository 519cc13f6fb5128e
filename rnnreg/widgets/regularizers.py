"""Lesson 01, L1 and L2 regularization: sparse against small weights, and how the optimizer applies the penalty.

Two experiments, each a pure function (seeded, plain data out) with a dashboard on top:

- ``train_regularized`` trains FullyConnected(60, 32) → ReLU → FullyConnected(32, 2) → SoftMax on
  ``overfitting_set`` (30 training samples, 60 features of which only the first 4 carry the class) with an
  L1 or L2 regularizer of strength α, or none, and returns the final weights, the History and the numbers
  the lesson states (train and validation accuracy, the fraction of near-zero weights, how large the
  first-layer weights of the informative and of the noise features are). ``RegularizerDashboard`` shows
  the weight histogram against the unregularized run, the accuracy curves and the weight size per input.
- ``compare_l2_rules`` trains the same net with L2 applied both ways the library offers: the exercise's
  shrinkage outside the optimizer (decoupled weight decay, ``add_regularizer(reg)``) and "L2 added to the
  gradient" (``add_regularizer(reg, into_gradient=True)``), under plain SGD, SGD with momentum or Adam,
  recording the norm of the weights at every step. ``L2RulesDashboard`` shows the two norm curves: one
  curve under SGD, two different ones under momentum and Adam.

The exercise's conventions hold: L2's ``norm`` is α Σ w² while its ``calculate_gradient`` is α w (the
gradient of α/2 Σ w²); L1's are α Σ |w| and α sign(w). "Weights" here are every entry of a layer's
``weights`` array, bias row included, because that is what the regularizer shrinks (as ``SparsityRecorder``
counts them); the per-feature picture uses the first layer's weight rows only.
"""

import dataclasses
import functools
import math
import numbers

import numpy as np
from matplotlib.figure import Figure

from rnnreg import (
    Adam,
    Constant,
    CrossEntropyLoss,
    FullyConnected,
    He,
    L1Regularizer,
    L2Regularizer,
    NeuralNetwork,
    ReLU,
    Sgd,
    SgdWithMomentum,
    SoftMax,
)
from rnnreg.lessons.experiment import check_choice, read_only, seeded
from rnnreg.lessons.overfitting import check_steps, overfitting_data_layer, verb
from rnnreg.training import WeightNormRecorder, fit
from rnnreg.viz import COLORS, plot_weight_histograms
from rnnreg.viz.style import DPI, new_figure
from rnnreg.viz.weights import weight_histograms
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard, animate, limits_and_labels, round_up

__all__ = [
    "L2RulesDashboard",
    "RegularizedRun",
    "RegularizerDashboard",
    "build_network",
    "compare_l2_rules",
    "make_regularizer",
    "train_regularized",
]

REGULARIZERS = ("none", "L1", "L2")
OPTIMIZERS = ("SGD", "momentum", "Adam")
# Step sizes that fit the overfitting set in STEPS full-batch updates (the loss is summed over the 30 samples).
# Momentum's velocity adds up to 1/(1 − μ) = 10 steps, so its η is SGD's divided by 10: the same data step.
LEARNING_RATES = {"SGD": 1e-2, "momentum": 1e-3, "Adam": 3e-3}
MOMENTUM = 0.9
ADAM_RHO = 0.999
HIDDEN_UNITS = 32
STEPS = 300
STEPS_PER_EPOCH = 15
# Near zero: |w| <= 0.01, about a twentieth of a typical starting weight (He: σ = √(2/60) ≈ 0.18). L1 under SGD
# does not reach exactly 0: each step moves a weight by η·α·sign(w), so it jitters around 0 by about η·α.
THRESHOLD = 1e-2
HISTOGRAM_BINS = 60
RULES = ("decoupled", "into gradient")
RULE_LABELS = {"decoupled": "decoupled (the exercise's rule)", "into gradient": "added to the gradient"}


# --------------------------------------------------------------------------------------- the experiment


def make_regularizer(name, alpha):
    """``L1Regularizer(alpha)``, ``L2Regularizer(alpha)``, or None for "none" (and for α = 0, "off")."""
    check_choice("regularizer", name, REGULARIZERS)
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"regularization strength α must be a finite number >= 0, got {alpha!r}")
    if name == "none" or alpha == 0:
        return None
    return (L1Regularizer if name == "L1" else L2Regularizer)(float(alpha))


def make_optimizer(optimizer, learning_rate):
    check_choice("optimizer", optimizer, OPTIMIZERS)
    if optimizer == "SGD":
        return Sgd(learning_rate)
    if optimizer == "momentum":
        return SgdWithMomentum(learning_rate, MOMENTUM)
    return Adam(learning_rate, MOMENTUM, ADAM_RHO)


def build_network(regularizer="none", alpha=0.0, learning_rate=None, *, optimizer="SGD", into_gradient=False,
                  num_features=60, num_classes=2, hidden_units=HIDDEN_UNITS, seed=0):
    """FC(D, 32) → ReLU → FC(32, K) → SoftMax with the optimizer and regularizer asked for (He weights, zero biases).

    The weights are drawn from NumPy's global state seeded with ``seed`` (the caller's state is restored).
    """
    learning_rate = LEARNING_RATES[check_choice("optimizer", optimizer, OPTIMIZERS)] if learning_rate is None \
        else learning_rate
    template = make_optimizer(optimizer, learning_rate)
    template.add_regularizer(make_regularizer(regularizer, alpha), into_gradient=into_gradient)
    with seeded(seed):
        net = NeuralNetwork(template, He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        for layer in (FullyConnected(num_features, hidden_units), ReLU(), FullyConnected(hidden_units, num_classes),
                      SoftMax()):
            net.append_layer(layer)
    return net


@dataclasses.dataclass(frozen=True)
class RegularizedRun:
    """What ``train_regularized`` returns (cached by the dashboards: treat it as read-only).

    Attributes
    ----------
    settings : dict
        The arguments it was trained with.
    history : History
        Per step and per epoch (train and validation accuracy after every ``STEPS_PER_EPOCH`` steps).
    weights : tuple of ndarray
        The final ``weights`` of each FullyConnected layer, bias row last: (D + 1, H) and (H + 1, K), read-only.
    informative : int
        How many leading input features carry the class (4 in ``overfitting_set``).
    train_accuracy, validation_accuracy : float
        Of the trained net, in the test phase.
    norm_steps, norms : ndarray, shape (M,)
        The Euclidean norm of all weights together, √(Σ over layers of Σ w²), after each recorded step.
    """

    settings: dict
    history: object
    weights: tuple
    informative: int
    train_accuracy: float
    validation_accuracy: float
    norm_steps: np.ndarray
    norms: np.ndarray

    @property
    def gap(self):
        """Train accuracy − validation accuracy: how much the net learned that does not generalise."""
        return self.train_accuracy - self.validation_accuracy

    def all_weights(self):
        """Every weight the regularizer acts on, as one flat array (a copy)."""
        return np.concatenate([array.ravel() for array in self.weights])

    def near_zero_fraction(self, threshold=THRESHOLD):
        """The fraction of weights with |w| <= ``threshold``."""
        values = self.all_weights()
        return float(np.count_nonzero(np.abs(values) <= threshold)) / values.size

    def weight_norm(self):
        """‖W‖₂ of all weights together after training."""
        return float(np.sqrt(sum(np.sum(np.square(array)) for array in self.weights)))

    def feature_sizes(self):
        """Per input feature d, the mean |w| of its first-layer weights (row d, bias row excluded), shape (D,)."""
        return np.abs(self.weights[0][:-1]).mean(axis=1)

    def informative_ratio(self):
        """Mean |w| of the informative features' rows divided by that of the noise features' rows."""
        sizes = self.feature_sizes()
        noise = float(sizes[self.informative:].mean()) if sizes.size > self.informative else float("nan")
        return float(sizes[: self.informative].mean()) / noise if noise > 0 else float("inf")


def train_regularized(regularizer="L1", alpha=0.1, learning_rate=None, *, optimizer="SGD", into_gradient=False,
                      steps=STEPS, steps_per_epoch=STEPS_PER_EPOCH, seed=0, data=None, informative=4):
    """Train the small MLP on ``overfitting_set`` with a regularizer; return the numbers and arrays the lesson shows.

    Parameters
    ----------
    regularizer : {"none", "L1", "L2"}
    alpha : float
        Strength α >= 0 (0 means no regularizer).
    learning_rate : float, optional
        η > 0; by default ``LEARNING_RATES[optimizer]``.
    optimizer : {"SGD", "momentum", "Adam"}
        Plain SGD, SGD with momentum 0.9, or Adam (β₁ 0.9, β₂ 0.999).
    into_gradient : bool
        False (the exercise's rule): shrink the weights outside the optimizer. True: add the regularizer's
        gradient to the data gradient before momentum or Adam's moments see it.
    steps, steps_per_epoch : int
        Full-batch updates in all, and between two evaluations (one "epoch" of the History).
    seed : int
        Seeds the data (``overfitting_set(rng=seed)``) and the initial weights.
    data : tuple, optional
        ``(train_inputs, train_labels, validation_inputs, validation_labels)`` to use instead.
    informative : int
        How many leading features carry the class (for ``RegularizedRun.informative_ratio``).

    Returns
    -------
    RegularizedRun

    Raises
    ------
    ValueError
        A bad setting or data set, or training that diverged (the message names the step).
    """
    steps, steps_per_epoch = check_steps(steps, steps_per_epoch)
    layer = overfitting_data_layer(seed, data)
    train_inputs, train_labels = layer.get_train_set()
    net = build_network(regularizer, alpha, learning_rate, optimizer=optimizer, into_gradient=into_gradient,
                        num_features=train_inputs.shape[1], num_classes=train_labels.shape[1], seed=seed)
    net.data_layer = layer
    recorder = WeightNormRecorder()
    try:
        with seeded(seed):
            history = fit(net, epochs=steps // steps_per_epoch, steps_per_epoch=steps_per_epoch, recorders=[recorder])
    except RuntimeError as error:  # divergence: the message names the step
        raise ValueError(f"{error} (learning rate {net.optimizer.learning_rate:g})") from error
    norm_steps = np.asarray(recorder.l2[0].steps, dtype=float)
    norms = np.sqrt(sum(np.square(np.asarray(series.values, dtype=float)) for series in recorder.l2.values()))
    weights = tuple(np.array(layer.weights) for layer in net.trainable_layers())
    settings = {"regularizer": regularizer, "alpha": float(alpha), "learning_rate": net.optimizer.learning_rate,
                "optimizer": optimizer, "into_gradient": bool(into_gradient), "steps": steps, "seed": seed}
    return RegularizedRun(
        settings=settings, history=history, weights=read_only(weights), informative=int(informative),
        train_accuracy=float(history.epochs["train_accuracy"][-1]),
        validation_accuracy=float(history.epochs["validation_accuracy"][-1]),
        norm_steps=read_only(norm_steps), norms=read_only(norms),
    )


def regularizer_finding(run, baseline, threshold=THRESHOLD):
    """The sentence the figure's title states, from computed numbers."""
    name, alpha = run.settings["regularizer"], run.settings["alpha"]
    before, after = baseline.validation_accuracy, run.validation_accuracy
    if name == "none" or alpha == 0:
        return (f"No regularization: train accuracy {run.train_accuracy:.2f} but validation {after:.2f} "
                f"(gap {run.gap:.2f}): the net memorises noise")
    if name == "L1":
        return (f"L1 (α = {alpha:g}) drives {run.near_zero_fraction(threshold):.0%} of weights to near zero and "
                f"{verb(before, after)} validation accuracy {before:.2f} → {after:.2f}")
    return (f"L2 (α = {alpha:g}) shrinks all weights (‖W‖₂ {baseline.weight_norm():.1f} → {run.weight_norm():.1f}) "
            f"and {verb(before, after)} validation accuracy {before:.2f} → {after:.2f}")


# ------------------------------------------------------------------------------------------ dashboard (a)


def _accuracy_curves(run, baseline):
    """(x, y) of the train and validation accuracy, and of the unregularized validation accuracy if it differs."""
    steps = run.history.epoch_array("step") + 1
    curves = [(steps, run.history.epoch_array(f"{split}_accuracy")) for split in ("train", "validation")]
    if run is not baseline:
        curves.append((baseline.history.epoch_array("step") + 1, baseline.history.epoch_array("validation_accuracy")))
    return curves


def _accuracy_title(run):
    return f"Train {run.train_accuracy:.2f}, validation {run.validation_accuracy:.2f}: gap {run.gap:.2f}"


def _draw_accuracy(ax, run, baseline):
    """Train and validation accuracy at every evaluation, with the unregularized validation curve dotted."""
    ax.clear()
    styles = [{"color": COLORS["train"], "marker": "o", "markersize": 4, "label": "train"},
              {"color": COLORS["validation"], "marker": "o", "markersize": 4, "label": "validation"},
              {"color": COLORS["validation"], "linestyle": ":", "linewidth": 2.4,
               "label": "validation, no regularization"}]
    for (x, y), style in zip(_accuracy_curves(run, baseline), styles, strict=False):
        ax.plot(x, y, **style)
    # The legend sits above 1.0, where no accuracy reaches, and stays in the background.
    ax.set_ylim(0.4, 1.2)
    ax.set_yticks(np.arange(0.4, 1.01, 0.1))
    ax.set_xlabel("training step")
    ax.set_ylabel("accuracy (fraction correct)")
    ax.set_title(_accuracy_title(run))
    ax.legend(fontsize=12, loc="upper center", ncol=2, columnspacing=0.8, handlelength=1.6)


def _feature_view(run, baseline):
    """Per input feature, mean |w| ÷ the layer's average: (of ``run``, of ``baseline``), the bar label and title."""
    sizes, reference = run.feature_sizes(), baseline.feature_sizes()
    label = _shown_name(run)  # α is in the finding: a legend that stays for every α stays in the background
    title = (f"First layer: informative features' weights {run.informative_ratio():.1f}× the noise features' "
             f"(no regularization: {baseline.informative_ratio():.1f}×)")
    return sizes / sizes.mean(), reference / reference.mean(), label, title


def _draw_feature_sizes(ax, run, baseline):
    """Mean |w| of each input feature's first-layer weights ÷ the layer's average, against no regularization."""
    ax.clear()
    sizes, reference, label, title = _feature_view(run, baseline)
    features = np.arange(sizes.size)
    ax.axvspan(-0.5, run.informative - 0.5, color="#DDDDDD", zorder=0,
               label=f"the {run.informative} informative features")
    ax.bar(features, sizes, width=0.8, color=COLORS[_shown_name(run)], label=label)
    if run is not baseline:
        ax.stairs(reference, np.arange(sizes.size + 1) - 0.5, color=COLORS["none"], linewidth=1.8,
                  label="no regularization")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xlim(-0.5, sizes.size - 0.5)
    ax.set_xlabel("input feature (features 0–3 carry the class, the others are noise)")
    ax.set_ylabel("mean |w| ÷ layer average")
    ax.set_title(title)
    ax.legend(fontsize=12, loc="upper right")


def _update_accuracy(ax, run, baseline):
    """New curves for the lines ``_draw_accuracy`` made (the same ones: regularized or not did not change)."""
    for line, curve in zip(ax.lines, _accuracy_curves(run, baseline), strict=True):
        line.set_data(*curve)
    ax.relim()
    ax.autoscale_view()
    ax.set_title(_accuracy_title(run))


def _update_feature_sizes(ax, run, baseline):
    """New bar heights (and colour) and reference steps for what ``_draw_feature_sizes`` made."""
    sizes, reference, label, title = _feature_view(run, baseline)
    bars = ax.containers[0]
    for bar, size in zip(bars, sizes, strict=True):
        bar.set_height(size)
        bar.set_facecolor(COLORS[_shown_name(run)])
    bars.set_label(label)
    if run is not baseline:
        ax.patches[-1].set_data(reference)  # the stairs, made last
    ax.set_title(title)
    ax.legend(fontsize=12, loc="upper right")


def _update_histograms(ax, sets, threshold):
    """New steps and legend labels for what ``plot_weight_histograms`` drew for the same sets of weights."""
    arrays = {label: np.ravel(weights) for label, weights in sets.items()}
    edges, shares, _, legend_labels = weight_histograms(arrays, HISTOGRAM_BINS, threshold)
    for steps, label in zip(ax.patches, arrays, strict=True):
        steps.set_data(shares[label], edges)
        steps.set_label(legend_labels[label])


def _shown_name(run):
    """"none" for no regularizer or α = 0, else "L1" / "L2"."""
    return run.settings["regularizer"] if run.settings["alpha"] > 0 else "none"


class RegularizerDashboard(Dashboard):
    """L1 or L2 of strength α on the overfitting set: what happens to the weights and to validation accuracy.

    Top left: the histogram of all weights against the unregularized run (black). Top right: train and
    validation accuracy per evaluation, with the unregularized validation curve dotted. Bottom: how large the
    first-layer weights of each input feature are; only features 0-3 carry the class.
    """

    title = "L1 against L2 on a small, noisy data set: sparse weights or small weights"
    palette_colors = 128

    def __init__(self, *, seed=0, steps=STEPS, threshold=THRESHOLD, data=None):
        self.seed, self.steps, self.threshold, self.data = seed, steps, threshold, data
        self.trainings = 0
        self._train = functools.lru_cache(maxsize=64)(self._train_uncached)
        super().__init__()

    def _train_uncached(self, regularizer, alpha, learning_rate):
        self.trainings += 1
        return train_regularized(regularizer, alpha, learning_rate, steps=self.steps, seed=self.seed, data=self.data)

    def build_controls(self):
        return {
            "regularizer": ctl.regularizer_buttons("L1"),
            "alpha": ctl.strength_slider(value=0.1),
            "learning_rate": ctl.learning_rate_slider(LEARNING_RATES["SGD"], -3, -1,
                                                      description="learning rate η (SGD)"),
        }

    def build_axes(self):
        figure = Figure(figsize=(10.5, 8.2), dpi=DPI, layout="constrained")
        axes = figure.subplot_mosaic([["histogram", "accuracy"], ["features", "features"]])
        return figure, axes

    def compute(self, params):
        learning_rate = params["learning_rate"]
        if not isinstance(learning_rate, numbers.Real) or not np.isfinite(learning_rate) or learning_rate <= 0:
            raise ValueError(f"learning rate must be a finite number > 0, got {learning_rate!r}")
        regularizer = params["regularizer"]
        if make_regularizer(regularizer, params["alpha"]) is None:  # also rejects a bad setting before training
            regularizer = "none"  # "none" and α = 0 ("off") are the same network: train it once
        alpha = float(params["alpha"]) if regularizer != "none" else 0.0
        run = self._train(regularizer, alpha, float(learning_rate))
        baseline = self._train("none", 0.0, float(learning_rate))
        return {"run": run, "baseline": baseline}

    def render(self, data):
        run, baseline = data["run"], data["baseline"]
        name = _shown_name(run)
        sets = {"none": baseline.all_weights()}
        if name != "none":
            sets[name] = run.all_weights()
        ax = self.axes["histogram"]
        if getattr(self, "_histogram_sets", None) == list(sets):  # the same artists: give them new data
            _update_histograms(ax, sets, self.threshold)
        else:
            self._histogram_sets = list(sets)
            plot_weight_histograms(sets, ax=ax, threshold=self.threshold, bins=HISTOGRAM_BINS)
            ax.set_yscale("log")
            ax.set_ylabel("fraction of weights (log scale)")
            ax.set_title("All weights, bias rows included")
        ax.legend(fontsize=12, loc="upper right")
        regularized = run is not baseline
        if getattr(self, "_regularized", None) == regularized:  # the same artists: give them new data
            _update_accuracy(self.axes["accuracy"], run, baseline)
            _update_feature_sizes(self.axes["features"], run, baseline)
        else:
            self._regularized = regularized
            _draw_accuracy(self.axes["accuracy"], run, baseline)
            _draw_feature_sizes(self.axes["features"], run, baseline)
        # Round limits, the same for most settings: the background stays, and pictures compare.
        reach = max(float(np.max(np.abs(weights))) for weights in sets.values())
        ax.set_xlim(-round_up(reach), round_up(reach))
        ax.set_ylim(bottom=10.0 ** math.floor(math.log10(ax.get_ylim()[0])), top=1.0)
        features = self.axes["features"]
        sizes, reference, _, _ = _feature_view(run, baseline)  # ratios from 1.25 (none) to about 7 (L1, α 0.3)
        features.set_ylim(0, round_up(max(sizes.max(), reference.max()) * 1.05, steps=(2.5,)))
        for each in self.axes.values():
            animate(*each.lines, *each.patches[1:] if each is features else each.patches,
                    each.title if each is not ax else None, each.get_legend() if each is ax else None)
        self.set_finding(regularizer_finding(run, baseline, self.threshold))

    def static_key(self, data):
        return limits_and_labels(*self.axes.values()), data["run"] is data["baseline"], _shown_name(data["run"])

    def summary(self, data):
        run, baseline = data["run"], data["baseline"]
        zeros, zeros_before = run.near_zero_fraction(self.threshold), baseline.near_zero_fraction(self.threshold)
        return (f"train accuracy {run.train_accuracy:.3f}, validation {run.validation_accuracy:.3f} "
                f"(gap {run.gap:.3f}; without regularization {baseline.validation_accuracy:.3f}, gap "
                f"{baseline.gap:.3f}) | near-zero weights (|w| ≤ {self.threshold:g}): "
                f"{zeros:.1%} (without: {zeros_before:.1%})"
                f" | ‖W‖₂ {run.weight_norm():.2f}")


# --------------------------------------------------------------------------------------- coupled or not


def compare_l2_rules(optimizer="Adam", alpha=1.0, *, steps=STEPS, seed=0, data=None):
    """Train with L2 of strength α applied both ways, under one optimizer; also train without regularization.

    Returns
    -------
    dict {label: RegularizedRun}
        ``"decoupled"``: the exercise's shrinkage w ← w − η α w outside the optimizer (decoupled weight
        decay); ``"into gradient"``: g ← g + α w before the optimizer's step; ``"none"``: no regularizer.
        The same data, the same first weights, the same order of steps.
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    runs = {
        rule: train_regularized("L2", alpha, optimizer=optimizer, into_gradient=rule == "into gradient",
                                steps=steps, seed=seed, data=data)
        for rule in RULES
    }
    runs["none"] = train_regularized("none", 0.0, optimizer=optimizer, steps=steps, seed=seed, data=data)
    return runs


def largest_weight_difference(first, second):
    """max |w₁ − w₂| over all weights of two runs of the same network."""
    return float(max(np.max(np.abs(a - b)) for a, b in zip(first.weights, second.weights, strict=True)))


def rules_finding(runs):
    """The sentence the figure's title states, from computed numbers."""
    decoupled, coupled = runs["decoupled"], runs["into gradient"]
    optimizer = decoupled.settings["optimizer"]
    difference = largest_weight_difference(decoupled, coupled)
    if optimizer == "SGD":
        return f"Plain SGD: both rules give the same weights (largest difference {difference:.0e})"
    what = f"Momentum {MOMENTUM:g}" if optimizer == "momentum" else "Adam"
    return (f"{what}: final ‖W‖₂ {coupled.weight_norm():.2f} with L2 in the gradient, "
            f"{decoupled.weight_norm():.2f} decoupled (none: {runs['none'].weight_norm():.2f})")


class L2RulesDashboard(Dashboard):
    """The exercise's decoupled weight decay against "L2 added to the gradient", under SGD, momentum or Adam.

    Left: ‖W‖₂ of all weights at every step for both rules and without regularization. Right: validation
    accuracy per evaluation. Under plain SGD the two rules are the same update, so their curves coincide.
    """

    title = "Where the L2 term enters: decoupled weight decay against L2 in the gradient"
    palette_colors = 128

    def __init__(self, *, seed=0, steps=STEPS, data=None):
        self.seed, self.steps, self.data = seed, steps, data
        self.trainings = 0
        self._train = functools.lru_cache(maxsize=64)(self._train_uncached)
        super().__init__()

    def _train_uncached(self, optimizer, alpha, rule):
        self.trainings += 1
        if rule == "none":
            return train_regularized("none", 0.0, optimizer=optimizer, steps=self.steps, seed=self.seed,
                                     data=self.data)
        return train_regularized("L2", alpha, optimizer=optimizer, into_gradient=rule == "into gradient",
                                 steps=self.steps, seed=self.seed, data=self.data)

    def build_controls(self):
        return {
            "optimizer": ctl.choice_buttons("optimizer", OPTIMIZERS, "Adam"),
            "alpha": ctl.strength_slider("L2 strength α", values=(1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0, 10.0), value=1.0),
        }

    def build_axes(self):
        return new_figure(1, 2, height=4.8, width=10.5)

    def compute(self, params):
        optimizer = check_choice("optimizer", params["optimizer"], OPTIMIZERS)
        alpha = params["alpha"]
        make_regularizer("L2", alpha)
        runs = {rule: self._train(optimizer, float(alpha), rule) for rule in RULES}
        runs["none"] = self._train(optimizer, 0.0, "none")
        return runs

    def render(self, runs):
        norm_ax, accuracy_ax = self.axes
        for ax in self.axes:
            ax.clear()
        # Both rules are L2 (its colour); the line style tells them apart, and under SGD the dashes lie on the line.
        styles = {"decoupled": {"linestyle": "-", "linewidth": 4.0},
                  "into gradient": {"linestyle": "--", "linewidth": 2.2, "marker": "D", "markersize": 6}}
        for rule in RULES:
            run = runs[rule]
            steps = run.history.epoch_array("step") + 1
            norm_ax.plot(run.norm_steps + 1, run.norms, color=COLORS["L2"], label=RULE_LABELS[rule],
                         markevery=max(1, run.norm_steps.size // 12), **styles[rule])
            accuracy_ax.plot(steps, run.history.epoch_array("validation_accuracy"), color=COLORS["L2"],
                             label=RULE_LABELS[rule], **styles[rule])
        none = runs["none"]
        norm_ax.plot(none.norm_steps + 1, none.norms, color=COLORS["none"], linestyle=":", linewidth=2.4,
                     label="no regularization")
        accuracy_ax.plot(none.history.epoch_array("step") + 1, none.history.epoch_array("validation_accuracy"),
                         color=COLORS["none"], linestyle=":", linewidth=2.4, label="no regularization")
        norm_ax.set_xlabel("training step")
        norm_ax.set_ylabel("‖W‖₂ of all weights")
        norm_ax.set_ylim(0, round_up(max(float(np.max(run.norms)) for run in runs.values()) * 1.05))
        norm_ax.set_title("Size of the weights")
        norm_ax.legend(fontsize=12, loc="lower left")
        accuracy_ax.set_xlabel("training step")
        accuracy_ax.set_ylabel("validation accuracy")
        accuracy_ax.set_ylim(0.4, 1.0)
        accuracy_ax.set_title("Validation accuracy")
        accuracy_ax.legend(fontsize=12, loc="lower right")
        for ax in self.axes:
            animate(*ax.lines, ax.get_legend())
        self.set_finding(rules_finding(runs))

    def static_key(self, runs):
        return limits_and_labels(*self.axes)

    def summary(self, runs):
        parts = [f"{RULE_LABELS[rule]}: ‖W‖₂ {runs[rule].weight_norm():.3f}, validation accuracy "
                 f"{runs[rule].validation_accuracy:.3f}" for rule in RULES]
        parts.append(f"no regularization: ‖W‖₂ {runs['none'].weight_norm():.3f}, validation accuracy "
                     f"{runs['none'].validation_accuracy:.3f}")
        difference = largest_weight_difference(runs["decoupled"], runs["into gradient"])
        parts.append(f"largest weight difference between the rules {difference:.1e}")
        return " | ".join(parts)
