"""Lesson 04's dashboards: what they draw, which controls retrain, and how they reject a bad setting."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with

from rnnreg.lessons.recurrent import MODELS, train_memory_task
from rnnreg.widgets import ClippingDashboard
from rnnreg.widgets.recurrent import DELAYS, GradientFlowDashboard, MemoryTaskDashboard


@pytest.fixture(scope="module")
def dashboard():
    return MemoryTaskDashboard()


def test_memory_dashboard_draws_its_default_state(dashboard):
    assert bytes(dashboard.image.value).startswith(b"\x89PNG")
    assert dashboard.last_error is None
    status = dashboard.status.value
    assert status.startswith("delay 40, truncated BPTT off (full BPTT), seed 0")
    assert "Elman: R²" in status and "LSTM: R²" in status
    assert dashboard.figure.get_suptitle().startswith("Delay 40:")
    assert dashboard.figure.get_suptitle().endswith(", seed 0")
    assert repr(dashboard).startswith("MemoryTaskDashboard(")


def test_the_title_states_what_the_scores_of_the_seed_show(dashboard):
    dashboard.set(delay=DELAYS[0])
    results = dashboard.last_data["results"]
    scores = {model: results[model].score for model in MODELS}
    assert min(scores.values()) > 0.5  # two steps: both recall, whatever the machine
    assert dashboard.figure.get_suptitle() == (
        f"Delay {DELAYS[0]}: both recall the number (Elman R² {scores['Elman']:.2f}, LSTM R² {scores['LSTM']:.2f})"
        ", seed 0"
    )
    assert dashboard.status.value.startswith(f"delay {DELAYS[0]},")


def test_the_model_toggle_redraws_without_training(dashboard):
    misses = train_memory_task.cache_info().misses
    picture = dashboard.image.value
    dashboard.controls["model"].value = "LSTM" if dashboard.controls["model"].value == "Elman" else "Elman"
    chosen = dashboard.last_data["model"]
    assert dashboard.axes[0].get_title().startswith(f"{chosen} hidden states")
    assert dashboard.image.value != picture
    assert train_memory_task.cache_info().misses == misses


def test_truncation_and_seed_retrain_both_models(dashboard):
    dashboard.set(delay=5, truncation=5, seed=1)
    results = dashboard.last_data["results"]
    assert all(results[model].settings["truncation"] == 5 for model in MODELS)
    assert all(results[model].settings["seed"] == 1 for model in MODELS)
    assert "truncated BPTT the last 5 steps, seed 1" in dashboard.status.value
    # one picture, redrawn in place: the same three panels, a fixed time axis
    assert len(dashboard.figure.axes) == 3  # the colour bar is an inset of the heatmap's Axes
    assert dashboard.axes[0].get_xlim() == (0.5, 11.5)
    assert [ax.get_title() for ax in dashboard.axes[1:]] == ["Recall on held-out sequences", "Training loss"]


def test_a_broken_setting_shows_a_message_instead_of_raising(dashboard):
    picture = dashboard.image.value
    refresh_with(dashboard, {"model": "GRU", "delay": 10, "truncation": 0, "seed": 0})
    assert "Cannot show this setting" in dashboard.status.value
    assert "model must be one of" in dashboard.status.value
    assert dashboard.image.value == picture


def test_an_empty_data_set_shows_a_message():
    empty = MemoryTaskDashboard(num_sequences=0)
    assert "Cannot show this setting" in empty.status.value
    assert "num_sequences" in empty.status.value


def test_gradient_flow_dashboard_follows_delay_and_forget_bias():
    flow = GradientFlowDashboard(seeds=(0, 1, 2))
    assert bytes(flow.image.value).startswith(b"\x89PNG")
    assert "over 61 steps" in flow.status.value
    assert flow.last_data["norms"]["Elman"].shape == (3, 61)
    lstm_ratio = flow.last_data["ratios"]["LSTM"]
    flow.controls["forget_bias"].value = 0.0
    assert flow.last_data["ratios"]["LSTM"] < 1e-3 * lstm_ratio
    assert "σ(bias) ≈ 0.500" in flow.status.value
    flow.controls["delay"].value = 100
    assert "over 101 steps" in flow.status.value
    assert flow.figure.get_suptitle().startswith("Delay 100, forget bias 0:")
    assert flow.figure.get_suptitle().endswith("as much gradient at step 1 (median)")
    refresh_with(flow, {"delay": 0, "forget_bias": 1.0})
    assert "Cannot show this setting" in flow.status.value


def test_clipping_dashboard_shows_both_runs_over_seeds():
    clipping = ClippingDashboard(seeds=(0, 1))
    assert bytes(clipping.image.value).startswith(b"\x89PNG")
    runs = clipping.last_data["runs"]
    assert list(runs) == ["without clipping", "clipped at 1"]
    assert all(len(seeds) == 2 for seeds in runs.values())
    assert all(run.settings["optimizer"] == "SGD" and run.settings["spectral_radius"] == 3.0
               for seeds in runs.values() for run in seeds)
    assert clipping.figure.get_suptitle().startswith("Spectral radius 3: median R² without clipping")
    assert "SGD η = 0.1, 2 seeds" in clipping.status.value
    misses = train_memory_task.cache_info().misses
    clipping.controls["clip_norm"].value = 10.0
    assert train_memory_task.cache_info().misses == misses + 2  # only the clipped runs train again
    assert list(clipping.last_data["runs"]) == ["without clipping", "clipped at 10"]
    clipping.controls["spectral_radius"].value = 0.9
    assert all(run.settings["spectral_radius"] == 0.9 for run in clipping.last_data["runs"]["clipped at 10"])
    norm_ax, loss_ax = clipping.axes
    assert norm_ax.get_yscale() == loss_ax.get_yscale() == "log"
    assert np.isclose(norm_ax.get_lines()[-1].get_ydata()[0], 10.0)  # the clip level
