"""Lesson 01's dashboards: L1, proximal L1 or L2 of strength α, and where an optimizer applies L2.

Controls and pictures only: the experiments (``train_regularized`` over seeds, the sentences they support)
are in ``rnnreg.lessons.regularizers``, the drawing in ``rnnreg.viz``. Each setting trains every seed of the
dashboard (5 by default, about 0.1 s each) and keeps them: going back to a setting is instant, and a sweep
the notebook already trained (``alpha_sweep``) can be handed over so that its settings are not trained again.

- ``RegularizerDashboard``: the weight histogram of all seeds against no regularization, train and
  validation accuracy with their spread over seeds, and the size of each input feature's first-layer weights.
- ``L2RulesDashboard``: decoupled weight decay (the exercise's rule) against L2 added to the gradient, each
  with its own α, under SGD, momentum or Adam: ‖W‖₂ and the validation loss over training.
"""


import numpy as np
from matplotlib.figure import Figure

from rnnreg.lessons.claims import SEEDS
from rnnreg.lessons.regularizers import (
    LEARNING_RATES,
    OPTIMIZERS,
    RULE_LABELS,
    RULES,
    STEPS,
    SWEEP_LABELS,
    THRESHOLD,
    check_alpha,
    make_regularizer,
    regularizer_finding,
    rules_finding,
    train_over_seeds,
)
from rnnreg.validation import check_choice, check_positive_number
from rnnreg.viz import COLORS, plot_feature_sizes, plot_seed_bands, plot_weight_histograms
from rnnreg.viz.style import DPI, new_figure
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard

__all__ = ["L2RulesDashboard", "RegularizerDashboard"]

REGULARIZER_CHOICES = ("none", "L1", "L1 proximal", "L2")
# From "off" to far too much for η = 0.02 (the lesson's U curve): the α grids of the lesson's sweep are on it.
STRENGTHS = (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
RULE_STRENGTHS = (1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
HISTOGRAM_BINS = 61
HISTOGRAM_REACHES = (0.5, 1.5, 3.0, 6.0, 12.0)  # fixed x-limits: the first that holds every weight shown
FEATURE_LIMITS = (1e-3, 2.0)  # mean |w| per feature, log scale: He's starting size (≈ 0.15) sits in the middle


def _sweep_runs(sweep, optimizer):
    """{(regularizer, α, into_gradient): runs} of an ``alpha_sweep`` under ``optimizer``, or {} for another one."""
    if sweep is None or sweep.settings["optimizer"] != optimizer:
        return {}
    runs = {}
    for (label, alpha), trained in sweep.runs.items():
        regularizer, into_gradient = SWEEP_LABELS[label]
        runs[("none", 0.0, False) if alpha == 0 else (regularizer, alpha, into_gradient)] = trained
    return runs


def _seed_rows(runs, values):
    """(S, M) array of ``values(run)`` for each run."""
    return np.array([values(run) for run in runs])


class RegularizerDashboard(Dashboard):
    """L1 (subgradient or proximal) or L2 of strength α on the overfitting set, over seeds.

    Top left: the histogram of all weights of every seed against no regularization (black), log scale.
    Top right: train and validation accuracy while training (median and the band of all seeds), with no
    regularization's validation accuracy in black. Bottom: each input feature's mean |w| in the first layer,
    on a fixed log axis; only features 0-3 carry the class.
    """

    title = "L1 against L2 on a small, noisy data set: sparse weights or small weights (every seed shown)"
    palette_colors = 128

    def __init__(self, *, seeds=SEEDS, steps=STEPS, threshold=THRESHOLD, data=None, sweep=None, presenter=False):
        self.seeds, self.steps, self.threshold, self.data = tuple(seeds), steps, threshold, data
        self.trainings = 0
        self._runs = {}
        if data is None and steps == STEPS and sweep is not None and sweep.seeds == self.seeds:
            learning_rate = sweep.settings["learning_rate"]
            self._runs = {(regularizer, alpha, learning_rate): runs
                          for (regularizer, alpha, _), runs in _sweep_runs(sweep, "SGD").items()}
        super().__init__(presenter=presenter)

    def _trained(self, regularizer, alpha, learning_rate):
        key = (regularizer, alpha, learning_rate)
        if key not in self._runs:
            self.trainings += 1
            self._runs[key] = train_over_seeds(regularizer, alpha, seeds=self.seeds, learning_rate=learning_rate,
                                               steps=self.steps, data=self.data)
        return self._runs[key]

    def build_controls(self):
        return {
            "regularizer": ctl.regularizer_buttons("L1", REGULARIZER_CHOICES),
            "alpha": ctl.strength_slider(values=STRENGTHS, value=0.1),
            "learning_rate": ctl.learning_rate_slider(LEARNING_RATES["SGD"], -3, -1,
                                                      description="learning rate η (SGD)"),
        }

    def build_axes(self):
        figure = Figure(figsize=(10.5, 8.6), dpi=DPI, layout="constrained")
        axes = figure.subplot_mosaic([["histogram", "accuracy"], ["features", "features"]])
        return figure, axes

    def compute(self, params):
        learning_rate = check_positive_number("learning rate", params["learning_rate"])
        regularizer = check_choice("regularizer", params["regularizer"], REGULARIZER_CHOICES)
        alpha = check_alpha(params["alpha"])
        if regularizer == "none" or alpha == 0:
            regularizer, alpha = "none", 0.0  # "none" and α = 0 ("off") are the same network: train it once
        elif regularizer != "L1 proximal":
            make_regularizer(regularizer, alpha)
        return {"runs": self._trained(regularizer, alpha, learning_rate),
                "baseline": self._trained("none", 0.0, learning_rate)}

    def render(self, data):
        runs, baseline = data["runs"], data["baseline"]
        regularized = runs is not baseline
        name = runs[0].settings["regularizer"] if regularized else "none"
        colour = COLORS["L1" if name.startswith("L1") else name]
        sets = {"none": np.concatenate([run.all_weights() for run in baseline])}
        if regularized:
            sets[name] = np.concatenate([run.all_weights() for run in runs])
        largest = max(float(np.max(np.abs(weights))) for weights in sets.values())
        reach = next((limit for limit in HISTOGRAM_REACHES if largest <= limit), largest)
        plot_weight_histograms(sets, ax=self.axes["histogram"], threshold=self.threshold, bins=HISTOGRAM_BINS,
                               log=True, reach=reach, colors={name: colour})
        self.axes["histogram"].set_title(f"All weights of {len(runs)} seeds, bias rows included")

        steps = runs[0].steps
        curves = {"train": (steps, _seed_rows(runs, lambda r: r.train_accuracies)),
                  "validation": (steps, _seed_rows(runs, lambda r: r.validation_accuracies))}
        if regularized:
            curves["validation, no regularization"] = (steps, _seed_rows(baseline, lambda r: r.validation_accuracies))
        plot_seed_bands(curves, ax=self.axes["accuracy"], ylabel="accuracy (fraction correct)", ylim=(0.4, 1.02),
                        colors={"validation, no regularization": COLORS["none"]},
                        styles={"validation, no regularization": {"linestyle": ":", "linewidth": 2.4}},
                        title="Accuracy: median, band over all seeds")

        plot_feature_sizes(_seed_rows(runs, lambda r: r.feature_sizes()),
                           reference=_seed_rows(baseline, lambda r: r.feature_sizes()) if regularized else None,
                           informative=runs[0].informative, label=name, color=colour, ax=self.axes["features"],
                           ylim=FEATURE_LIMITS, title="Size of each input feature's first-layer weights")
        self.set_finding(regularizer_finding(runs, baseline, self.threshold))

    def summary(self, data):
        runs, baseline = data["runs"], data["baseline"]

        def median(values):
            return float(np.median(values))

        return (f"medians of {len(runs)} seeds: train accuracy {median([r.train_accuracy for r in runs]):.3f}, "
                f"validation {median([r.validation_accuracy for r in runs]):.3f} "
                f"(without regularization {median([r.validation_accuracy for r in baseline]):.3f}) | validation loss "
                f"{median([r.validation_loss for r in runs]):.3f} (without: "
                f"{median([r.validation_loss for r in baseline]):.3f}) | |w| ≤ {self.threshold:g}: "
                f"{median([r.near_zero_fraction(self.threshold) for r in runs]):.1%}, exactly 0: "
                f"{median([r.exact_zero_fraction() for r in runs]):.1%} | ‖W‖₂ "
                f"{median([r.weight_norm() for r in runs]):.2f}")


class L2RulesDashboard(Dashboard):
    """Decoupled weight decay against "L2 added to the gradient", each with its own α, under SGD, momentum or Adam.

    Left: ‖W‖₂ of all weights during training for both rules and without regularization. Right: the
    validation loss. Median and the band of all seeds. Under plain SGD at the same α the two rules are the
    same update, so their curves coincide.
    """

    title = "Where the L2 term enters: decoupled weight decay against L2 in the gradient, each at its own α"
    palette_colors = 128

    def __init__(self, *, seeds=SEEDS[:3], steps=STEPS, data=None, sweep=None, alphas=None, presenter=False):
        self.seeds, self.steps, self.data = tuple(seeds), steps, data
        self.alphas = dict.fromkeys(RULES, 1.0) if alphas is None else {rule: alphas[rule] for rule in RULES}
        self.trainings = 0
        self._runs = {}
        if data is None and steps == STEPS and sweep is not None and sweep.seeds[: len(self.seeds)] == self.seeds:
            count = len(self.seeds)
            self._runs = {(sweep.settings["optimizer"], *key): runs[:count]
                          for key, runs in _sweep_runs(sweep, sweep.settings["optimizer"]).items()}
        super().__init__(presenter=presenter)

    def _trained(self, optimizer, regularizer, alpha, into_gradient):
        key = (optimizer, regularizer, alpha, into_gradient)
        if key not in self._runs:
            self.trainings += 1
            self._runs[key] = train_over_seeds(regularizer, alpha, seeds=self.seeds, optimizer=optimizer,
                                               into_gradient=into_gradient, steps=self.steps, data=self.data)
        return self._runs[key]

    def build_controls(self):
        return {
            "optimizer": ctl.choice_buttons("optimizer", OPTIMIZERS, "Adam"),
            "alpha_decoupled": ctl.strength_slider("α, decoupled", values=RULE_STRENGTHS,
                                                   value=self.alphas["decoupled"]),
            "alpha_gradient": ctl.strength_slider("α, in the gradient", values=RULE_STRENGTHS,
                                                  value=self.alphas["into gradient"]),
        }

    def build_axes(self):
        return new_figure(1, 2, height=5.0, width=10.5)

    def compute(self, params):
        optimizer = check_choice("optimizer", params["optimizer"], OPTIMIZERS)
        alphas = {"decoupled": check_alpha(params["alpha_decoupled"]),
                  "into gradient": check_alpha(params["alpha_gradient"])}
        runs = {rule: self._trained(optimizer, "L2", alphas[rule], rule == "into gradient") for rule in RULES}
        runs["none"] = self._trained(optimizer, "none", 0.0, False)
        return runs

    def render(self, runs):
        norm_ax, loss_ax = self.axes
        labels = {rule: f"{RULE_LABELS[rule]}, α = {runs[rule][0].settings['alpha']:g}" for rule in RULES}
        labels["none"] = "no regularization"
        # Both rules are L2 (its colour); the line style tells them apart, and under SGD the dashes lie on the line.
        styles = {labels["decoupled"]: {"linestyle": "-", "linewidth": 4.0},
                  labels["into gradient"]: {"linestyle": "--", "linewidth": 2.2, "marker": "D", "markersize": 5},
                  labels["none"]: {"linestyle": ":", "linewidth": 2.4}}
        colors = {labels["decoupled"]: COLORS["L2"], labels["into gradient"]: COLORS["L2"],
                  labels["none"]: COLORS["none"]}
        steps = runs["none"][0].steps
        plot_seed_bands({labels[key]: (steps, _seed_rows(runs[key], lambda r: r.norms)) for key in labels},
                        ax=norm_ax, ylabel="‖W‖₂ of all weights", ylim=(0, 15), styles=styles, colors=colors,
                        title="Size of the weights")
        plot_seed_bands({labels[key]: (steps, _seed_rows(runs[key], lambda r: r.validation_losses)) for key in labels},
                        ax=loss_ax, ylabel="validation loss per sample", ylim=(0.2, 1.4), styles=styles,
                        colors=colors, title=f"Validation loss (median, band: {len(self.seeds)} seeds)")
        norm_ax.legend(fontsize=12, loc="upper right")
        loss_ax.get_legend().remove()
        self.set_finding(rules_finding(runs))

    def summary(self, runs):
        parts = [f"{RULE_LABELS.get(rule, 'no regularization')}: median ‖W‖₂ "
                 f"{np.median([r.weight_norm() for r in runs[rule]]):.3f}, validation loss "
                 f"{np.median([r.validation_loss for r in runs[rule]]):.3f}" for rule in (*RULES, "none")]
        return " | ".join(parts)
