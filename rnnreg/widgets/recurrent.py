"""Lesson 04, recurrent networks: three dashboards over the experiments of ``rnnreg.lessons.recurrent``.

- ``GradientFlowDashboard``: no training; ‖dL/dh_t‖ of an untrained Elman RNN and LSTM over five
  initialization seeds, as the delay and the LSTM's forget-gate bias change.
- ``MemoryTaskDashboard``: Elman against LSTM on the memory task (recall a number after a delay) at the
  lesson's budget; the delay, truncated BPTT and the seed retrain both models, the model toggle only picks
  whose hidden states the heatmap shows.
- ``ClippingDashboard``: plain SGD on an Elman RNN whose W_hh starts at a chosen spectral radius, without
  clipping and clipped at a chosen norm, over three seeds.

Each ``render`` draws with ``rnnreg.viz`` functions into the dashboard's axes (they clear them first), then
fixes the axis limits so that pictures of two settings compare at a glance.
"""

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, MaxNLocator

from rnnreg.layers.activations import sigmoid
from rnnreg.lessons.claims import SEEDS
from rnnreg.lessons.recurrent import (
    CLIP_NORM,
    EXPLODING,
    FORGET_BIAS,
    HIDDEN_SIZE,
    LONG_DELAY,
    MODELS,
    clipping_runs,
    gradient_ratios,
    initial_gradient_norms,
    recall_finding,
    train_memory_task,
)
from rnnreg.validation import check_choice
from rnnreg.viz import (
    plot_clipping,
    plot_gradient_norms,
    plot_hidden_states,
    plot_memory_losses,
    plot_recall,
)
from rnnreg.viz.style import DPI, new_figure
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard

__all__ = ["ClippingDashboard", "GradientFlowDashboard", "MemoryTaskDashboard"]

DELAYS = (2, 5, 10, 20, 30, LONG_DELAY)
TRUNCATIONS = (0, 5, 10, 20, 30, 40)  # 0: off (full back-propagation through time)
DELAY_RANGE = (5, 100)  # the gradient-flow dashboard's delay slider; its x axis holds the longest sequence
NORM_DECADES = (-9, 1)  # its log axis, as powers of ten, unless a setting's norms reach beyond
SHORT_SEQUENCE = 11  # the memory dashboard's time axis for delays up to 10; longer ones take the longest
RADII = (0.9, 1.5, 3.0)
CLIP_NORMS = (0.1, 0.3, 1.0, 3.0, 10.0)


def decade_limits(arrays, decades):
    """Log-axis limits: 10^low to 10^high for ``decades = (low, high)``, widened by whole decades to hold ``arrays``."""
    values = np.concatenate([np.ravel(array) for array in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    low, high = decades
    if values.size:
        low, high = min(low, math.floor(np.log10(values.min()))), max(high, math.ceil(np.log10(values.max())))
    return 10.0**low, 10.0**high


def _times(factor):
    """3.2×, 45×, 1.8e5×: a factor for a title."""
    if factor < 10:
        return f"{factor:.1f}×"
    if factor < 1000:
        return f"{factor:.0f}×"
    mantissa, exponent = f"{factor:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}×"


# ------------------------------------------------------------------------------- gradients at initialization


class GradientFlowDashboard(Dashboard):
    """No training: how much gradient reaches step 1, for Elman and LSTM, as the delay and the forget bias change."""

    title = "Vanishing gradients at initialization: Elman vs LSTM"

    def __init__(self, *, seeds=SEEDS, hidden_size=HIDDEN_SIZE, presenter=False):
        self.seeds, self.hidden_size = tuple(seeds), hidden_size
        super().__init__(presenter=presenter)

    def build_controls(self):
        return {
            "delay": ctl.int_slider("delay (steps)", 60, min(DELAY_RANGE), max(DELAY_RANGE), step=5),
            "forget_bias": ctl.float_slider("LSTM forget-gate bias", FORGET_BIAS, 0.0, 6.0, 0.5),
        }

    def compute(self, params):
        norms = initial_gradient_norms(int(params["delay"]), float(params["forget_bias"]), seeds=self.seeds,
                                       hidden_size=self.hidden_size)
        ratios = {model: np.median(values) for model, values in gradient_ratios(norms).items()}
        forget_gate = float(sigmoid(np.array(float(params["forget_bias"]))))
        return {"norms": norms, "ratios": ratios, "forget_gate": forget_gate,
                "forget_bias": float(params["forget_bias"]), "delay": int(params["delay"])}

    def render(self, data):
        norms = data["norms"]
        plot_gradient_norms(norms, ax=self.axes)
        self.axes.set_xlim(0, max(DELAY_RANGE) + 2)
        self.axes.set_ylim(*decade_limits(norms.values(), NORM_DECADES))
        ratios = data["ratios"]
        winner = "LSTM" if ratios["LSTM"] > ratios["Elman"] else "Elman"
        factor = ratios[winner] / ratios["Elman" if winner == "LSTM" else "LSTM"]
        self.set_finding(f"Delay {data['delay']}, forget bias {data['forget_bias']:g}: {winner} keeps "
                         f"{_times(factor)} as much gradient at step 1 (median)")

    def summary(self, data):
        ratios = data["ratios"]
        return (f"median ‖dL/dh_1‖ / ‖dL/dh_T‖ over {data['delay'] + 1} steps: Elman {ratios['Elman']:.1e}, "
                f"LSTM {ratios['LSTM']:.1e} | initial forget gate σ(bias) ≈ {data['forget_gate']:.3f}")


# ------------------------------------------------------------------------------------------ the memory task


class MemoryTaskDashboard(Dashboard):
    """Elman against LSTM on the memory task: the delay, truncated BPTT and the seed retrain both models.

    Both models train at the lesson's budget (``rnnreg.lessons.recurrent.BUDGET``), about a second for the
    longest delay; settings seen before come from the cache at once. The model toggle picks whose hidden
    states the heatmap shows; both models' recall and losses are drawn in their colours.
    """

    title = "Elman vs LSTM on the memory task: recall a number after a delay"

    def __init__(self, *, hidden_size=HIDDEN_SIZE, forget_bias=FORGET_BIAS, num_sequences=None, presenter=False):
        self.hidden_size, self.forget_bias = hidden_size, forget_bias
        self.budget = {} if num_sequences is None else {"num_sequences": num_sequences}
        super().__init__(presenter=presenter)

    def build_controls(self):
        return {
            "model": ctl.choice_buttons("hidden states of", MODELS, "Elman"),
            "delay": widgets.SelectionSlider(
                options=list(DELAYS), value=LONG_DELAY, description="delay (steps)", continuous_update=False,
                style=ctl.STYLE, layout=ctl.LAYOUT,
            ),
            "truncation": widgets.SelectionSlider(
                options=[("off", 0), *[(str(value), value) for value in TRUNCATIONS[1:]]], value=0,
                description="truncated BPTT: last k steps", continuous_update=False, style=ctl.STYLE,
                layout=ctl.LAYOUT,
            ),
            "seed": widgets.Dropdown(options=list(SEEDS), value=SEEDS[0], description="seed", style=ctl.STYLE,
                                     layout=widgets.Layout(width="140px")),
        }

    def build_axes(self):
        # The hidden states over the whole width (up to 41 steps), recall and loss below.
        figure = Figure(figsize=(10.5, 8.0), dpi=DPI, layout="constrained")
        grid = figure.add_gridspec(2, 2, height_ratios=(1.0, 1.25))
        axes = (figure.add_subplot(grid[0, :]), figure.add_subplot(grid[1, 0]), figure.add_subplot(grid[1, 1]))
        return figure, axes

    def train(self, model, params):
        return train_memory_task(model, int(params["delay"]), truncation=int(params["truncation"]) or None,
                                 hidden_size=self.hidden_size, forget_bias=self.forget_bias, seed=params["seed"],
                                 **self.budget)

    def compute(self, params):
        check_choice("model", params["model"], MODELS)
        results = {model: self.train(model, params) for model in MODELS}
        return {"model": params["model"], "delay": int(params["delay"]), "seed": params["seed"],
                "results": results}

    def render(self, data):
        results, chosen = data["results"], data["model"]
        states_ax, recall_ax, loss_ax = self.axes
        states = results[chosen].hidden_states
        plot_hidden_states(states, ax=states_ax,
                           title=f"{chosen} hidden states ({np.mean(np.abs(states) > 0.9):.0%} saturated)")
        plot_recall({model: (results[model].targets, results[model].predictions) for model in MODELS},
                    ax=recall_ax, highlight=chosen)
        plot_memory_losses({model: results[model].losses for model in MODELS}, ax=loss_ax)
        # Fixed axes, so that pictures compare: the time axis holds 11 steps (delays up to 10) or the longest
        # sequence, the loss axis whole decades. Few ticks: each is a handful of artists made and drawn anew
        # for every picture, the largest part of a redraw.
        steps = SHORT_SEQUENCE if states.shape[0] <= SHORT_SEQUENCE else max(DELAYS) + 1
        states_ax.set_xlim(0.5, steps + 0.5)
        states_ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # whole time steps
        loss_ax.set_ylim(*decade_limits([results[model].losses for model in MODELS], (-4, 0)))
        loss_ax.yaxis.set_major_locator(LogLocator(numticks=4))
        loss_ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        recall_ax.set_xticks([0, 0.5, 1])
        recall_ax.set_yticks([0, 0.5, 1])
        self.set_finding(f"{recall_finding(data['delay'], results)}, seed {data['seed']}")

    def summary(self, data):
        results = data["results"]
        truncation = results["Elman"].settings["truncation"]
        reach = "off (full BPTT)" if truncation is None else f"the last {truncation} steps"
        parts = [f"delay {data['delay']}, truncated BPTT {reach}, seed {data['seed']}"]
        parts += [f"{model}: R² {results[model].score:.3f}, ‖dL/dh_1‖/‖dL/dh_T‖ {results[model].gradient_ratio:.1e}"
                  for model in MODELS]
        return " | ".join(parts)


# ------------------------------------------------------------------------------------ exploding gradients


class ClippingDashboard(Dashboard):
    """Plain SGD on an Elman RNN whose W_hh starts at a chosen spectral radius: without clipping and clipped.

    Three seeds per setting (the lesson's claims use five), each trained twice: without clipping, and clipped
    at the chosen norm. About a second for a new radius, half of it for a new clipping norm (the runs without
    clipping are cached).
    """

    title = "Exploding gradients and clipping: plain SGD on an Elman RNN"

    def __init__(self, *, seeds=SEEDS[:3], presenter=False):
        self.seeds = tuple(seeds)
        super().__init__(presenter=presenter)

    def build_controls(self):
        return {
            "spectral_radius": widgets.SelectionSlider(
                options=list(RADII), value=EXPLODING["spectral_radius"], description="spectral radius of W_hh",
                continuous_update=False, style=ctl.STYLE, layout=ctl.LAYOUT,
            ),
            "clip_norm": widgets.SelectionSlider(
                options=list(CLIP_NORMS), value=CLIP_NORM, description="clip gradient norm at",
                continuous_update=False, style=ctl.STYLE, layout=ctl.LAYOUT,
            ),
        }

    def build_axes(self):
        return new_figure(1, 2, height=4.8, width=10.5)

    def compute(self, params):
        runs = clipping_runs(self.seeds, clip_norm=float(params["clip_norm"]),
                             spectral_radius=float(params["spectral_radius"]))
        return {"runs": runs, "clip_norm": float(params["clip_norm"]),
                "spectral_radius": float(params["spectral_radius"])}

    def render(self, data):
        runs = data["runs"]
        plot_clipping({label: np.stack([run.step_norms for run in seeds]) for label, seeds in runs.items()},
                      {label: np.stack([run.losses for run in seeds]) for label, seeds in runs.items()},
                      clip_norm=data["clip_norm"], axes=self.axes)
        norm_ax, loss_ax = self.axes
        norm_ax.set_ylim(*decade_limits([run.step_norms for seeds in runs.values() for run in seeds], (-2, 3)))
        loss_ax.set_ylim(*decade_limits([run.losses for seeds in runs.values() for run in seeds], (-3, 0)))
        medians = {label: np.median([run.score for run in seeds]) for label, seeds in runs.items()}
        self.set_finding(f"Spectral radius {data['spectral_radius']:g}: median R² "
                         + ", ".join(f"{label} {score:.2f}" for label, score in medians.items()))

    def summary(self, data):
        parts = []
        for label, seeds in data["runs"].items():
            scores = [run.score for run in seeds]
            parts.append(f"{label}: R² {min(scores):.2f} to {max(scores):.2f}, largest ‖g‖ "
                         f"{max(run.step_norms.max() for run in seeds):.3g}")
        return f"SGD η = {EXPLODING['learning_rate']:g}, {len(self.seeds)} seeds | " + " | ".join(parts)
