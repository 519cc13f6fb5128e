"""Lesson 02, dropout: the two dashboards (controls, and a render that calls ``rnnreg.viz``).

The experiments are in ``rnnreg.lessons.dropout``:

- ``DropoutPhaseDashboard`` sends one batch of hidden activations through a dropout layer (``dropout_phases``)
  and shows the batch before dropout and in the chosen phase on one colour scale (fixed per rate, so the
  phases compare; the units the mask dropped are crossed grey cells, never mistaken for the ReLU's zeros),
  and the train phase averaged over many masks against the test phase.
- ``DropoutOverfittingDashboard`` compares a dropout rate with no dropout on the overfitting set over the
  lesson's five seeds (``overfitting_runs``): training and validation loss over training (median and range),
  and every seed's final losses.

The exercise's ``Dropout(probability)`` takes p, the fraction of units KEPT; the controls speak of the drop
rate 1 − p (PyTorch's ``nn.Dropout(p)`` takes the drop rate) and show p next to it.
"""

import ipywidgets as widgets
import numpy as np

from rnnreg.lessons.dropout import (
    PLACEMENTS,
    SCALINGS,
    changes,
    dropout_phases,
    overfitting_finding,
    overfitting_runs,
    phases_finding,
)
from rnnreg.validation import check_choice
from rnnreg.viz import (
    plot_dropout_batch,
    plot_mask_average,
    plot_seed_loss_curves,
    plot_seed_pairs,
)
from rnnreg.viz.style import new_figure
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import FINE_STEPS, Dashboard, round_up

__all__ = ["DropoutOverfittingDashboard", "DropoutPhaseDashboard", "colour_top"]

PHASES = ("train", "test")
SCALING_LABELS = {
    "inverted": "inverted: ÷p while training",
    "mistake": "no scaling (the mistake)",
    "original": "×p at test (original)",
}
PLACEMENT_LABELS = {"inputs and hidden": "inputs and hidden units", "hidden": "hidden units only"}
LOSS_LIMITS = (0.0, 1.5)  # holds every setting's curves after the first evaluations, and every final loss


def colour_top(view):
    """The colour scale's top for a rate: 95th percentile of the positive inputs ÷ p, rounded up.

    It depends on the batch and the rate only, not on the phase or the scaling rule, so the pictures of both
    phases and all three rules compare colour for colour; kept units divided by p while training light up.
    """
    inputs = view["inputs"]
    positive = inputs[inputs > 0]
    typical = float(np.quantile(positive, 0.95)) if positive.size else 1.0
    return round_up(typical / view["keep_probability"], FINE_STEPS)


def _batch_title(view, phase):
    p = view["keep_probability"]
    formulas = {
        ("inverted", "train"): "y = x·M / p", ("inverted", "test"): "y = x",
        ("mistake", "train"): "y = x·M", ("mistake", "test"): "y = x",
        ("original", "train"): "y = x·M", ("original", "test"): f"y = {p:.2f}·x",
    }
    kept = f", kept {view['kept']} of {view['units']}" if phase == "train" else ""
    return f"{phase.capitalize()} phase: {formulas[view['scaling'], phase]}\n(mean {view['means'][phase]:.3f}{kept})"


class DropoutPhaseDashboard(Dashboard):
    """The same batch through dropout while training and at test time, for a drop rate and a scaling rule.

    Left: the batch before dropout (a hidden layer after its ReLU); middle: the batch in the chosen phase, on the
    same colour scale, the dropped units crossed grey cells; right: the train phase averaged over many masks
    against the test output. Nothing is trained, so every control answers at once.
    """

    title = "Dropout: a random mask while training, the identity at test time"
    palette_colors = 128

    def __init__(self, *, seed=0, repeats=400, presenter=False):
        self.seed, self.repeats = seed, repeats
        super().__init__(presenter=presenter)

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
        return new_figure(1, 3, height=4.4, width=10.5, width_ratios=(1, 1.15, 1))

    def compute(self, params):
        phase = check_choice("phase", params["phase"], PHASES)
        view = dropout_phases(params["rate"], params["scaling"], repeats=self.repeats, seed=self.seed)
        return {**view, "phase": phase}

    def render(self, view):
        input_ax, batch_ax, average_ax = self.axes
        phase, top = view["phase"], colour_top(view)
        plot_dropout_batch(view["inputs"], vmax=top, ax=input_ax, colorbar=False,
                           title=f"Before dropout (mean {view['means']['input']:.3f})")
        dropped = ~view["mask"] if phase == "train" else None
        plot_dropout_batch(view["outputs"][phase], dropped=dropped, vmax=top, ax=batch_ax,
                           title=_batch_title(view, phase))
        plot_mask_average(view["outputs"]["test"], view["average_train"], ax=average_ax, repeats=view["repeats"],
                          limit=round_up(float(view["inputs"].max()) * 1.1, FINE_STEPS))
        self.set_finding(phases_finding(view))

    def summary(self, view):
        means = view["means"]
        return (f"{view['phase']} phase | kept {view['kept']} of {view['units']} units (keep probability p = "
                f"{view['keep_probability']:.2f}) | mean activation: input {means['input']:.3f}, train phase "
                f"{means['train']:.3f} (averaged over {view['repeats']} masks {means['average_train']:.3f}), test "
                f"phase {means['test']:.3f} | test phase returns the input unchanged: "
                f"{'yes' if view['test_is_identity'] else 'no'}")


def _losses(runs, index=slice(None)):
    """{"train": ..., "validation": ...} cross-entropy of every seed: whole curves, or one evaluation (index)."""
    return {part: runs.curves(f"{part}_loss")[:, index] for part in ("train", "validation")}


class DropoutOverfittingDashboard(Dashboard):
    """A drop rate against no dropout on the overfitting set, over five seeds: loss curves and every seed's final loss.

    Each seed draws the data set, the initial weights and the masks. Runs are cached (``overfitting_runs``):
    the baseline trains once, a new rate trains its five seeds.
    """

    title = "Dropout against overfitting: 30 training samples, 60 features, 64 hidden units, 5 seeds"
    palette_colors = 128

    def build_controls(self):
        return {
            "rate": ctl.dropout_rate_slider(0.5),
            "where": widgets.ToggleButtons(
                options=[(PLACEMENT_LABELS[name], name) for name in PLACEMENTS], value="inputs and hidden",
                description="dropout on", style=ctl.STYLE,
            ),
        }

    def build_axes(self):
        return new_figure(1, 2, height=4.8, width=10.5, width_ratios=(3, 2))

    def compute(self, params):
        where = check_choice("where", params["where"], PLACEMENTS)
        return {"dropped": overfitting_runs(params["rate"], where), "baseline": overfitting_runs(0.0)}

    def render(self, data):
        dropped, baseline = data["dropped"], data["baseline"]
        curve_ax, pair_ax = self.axes
        label = "no dropout" if dropped.rate == 0 else f"dropout {dropped.rate:.2f}"
        plot_seed_loss_curves(baseline.steps, _losses(baseline), _losses(dropped), label=label, ax=curve_ax,
                              ylim=LOSS_LIMITS)
        plot_seed_pairs(_losses(baseline, -1), _losses(dropped, -1), label=label, ax=pair_ax, ylim=LOSS_LIMITS)
        self.set_finding(overfitting_finding(dropped, baseline))

    def summary(self, data):
        dropped, baseline = data["dropped"], data["baseline"]
        change = changes(dropped, baseline)
        seeds = len(baseline.seeds)

        def medians(field, digits):
            return (f"{baseline.final(field).median:.{digits}f} → {dropped.final(field).median:.{digits}f}")

        return (f"{dropped.label()} against no dropout, medians of {seeds} seeds: validation loss "
                f"{medians('validation_loss', 3)} (lower in {int(np.sum(change['validation loss'].values < 0))} of "
                f"{seeds}), train loss {medians('train_loss', 3)}, validation accuracy "
                f"{medians('validation_accuracy', 3)} (higher in "
                f"{int(np.sum(change['validation accuracy'].values > 0))} of {seeds})")
