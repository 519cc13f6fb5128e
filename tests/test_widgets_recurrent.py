"""Lesson 04's experiments and dashboards: what the lesson claims about recurrent nets, computed and asserted."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with

from rnnreg.widgets.recurrent import (
    DELAYS,
    MODELS,
    GradientFlowDashboard,
    MemoryTaskDashboard,
    gradient_ratios,
    initial_gradient_norms,
    train_memory_task,
    train_sine_predictor,
)


@pytest.fixture(scope="module")
def dashboard():
    return MemoryTaskDashboard()


# ------------------------------------------------------------------------------------- the pure functions


def test_the_elman_score_falls_as_the_delay_grows_while_the_lstm_keeps_recalling():
    # The dashboard's quick budget (the delay slider's shortest and longest settings).
    short, long = train_memory_task("Elman", DELAYS[0]), train_memory_task("Elman", DELAYS[-1])
    assert short.score > 0.9
    assert long.score < 0.3
    assert train_memory_task("LSTM", DELAYS[-1]).score > 0.8


def test_truncation_shorter_than_the_delay_cuts_the_gradient_path_to_the_number():
    full = train_memory_task("LSTM", 20)
    truncated = train_memory_task("LSTM", 20, truncation=5)
    assert full.score > 0.9
    assert truncated.score < 0.3
    assert truncated.settings["truncation"] == 5


def test_clipping_reports_how_often_it_acted():
    assert train_memory_task("Elman", 5).clipped_fraction == 0.0
    tight = train_memory_task("Elman", 5, clip_norm=0.1)
    loose = train_memory_task("Elman", 5, clip_norm=10.0)
    assert tight.clipped_fraction == 1.0
    assert 0.0 <= loose.clipped_fraction < tight.clipped_fraction
    norms = tight.history.step_array("gradient_norm")
    assert np.all(norms > 0.1)


def test_the_result_holds_what_the_dashboard_draws():
    elman, lstm = train_memory_task("Elman", 5), train_memory_task("LSTM", 5)
    steps = 5 + 1
    assert elman.hidden_states.shape == (steps, 16)
    assert elman.gradient_norms.shape == (steps,)
    assert np.all(np.abs(elman.hidden_states) <= 1)
    assert elman.predictions.shape == elman.targets.shape == (50, 1)
    assert elman.gates is None
    assert set(lstm.gates) == {"forget", "input", "candidate", "output"}
    assert lstm.gates["forget"].shape == (steps, 16)
    assert np.isclose(elman.gradient_ratio, elman.gradient_norms[0] / elman.gradient_norms[-1])
    with pytest.raises(ValueError, match="read-only"):
        elman.predictions[0, 0] = 0.0


def test_the_same_settings_give_the_same_result_and_the_cache_answers():
    cached = train_memory_task("Elman", 5)
    assert train_memory_task("Elman", 5) is cached
    again = train_memory_task("Elman", 5, cached=False)
    assert again.score == cached.score
    np.testing.assert_array_equal(again.gradient_norms, cached.gradient_norms)


def test_training_leaves_the_callers_random_state_alone():
    np.random.seed(3)
    expected = np.random.random_sample(3)
    np.random.seed(3)
    train_memory_task("Elman", 2, steps_per_epoch=2, cached=False)
    np.testing.assert_array_equal(np.random.random_sample(3), expected)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model": "GRU"}, "model must be one of"),
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number"),
        ({"num_sequences": 0}, "num_sequences must be a positive integer"),
        ({"clip_norm": -1.0}, "clip_norm must be a positive number or off"),
        ({"delay": 0}, "delay must be a positive integer"),
    ],
    ids=["unknown model", "nan learning rate", "no sequences", "negative clipping", "no delay"],
)
def test_bad_settings_raise_value_errors_that_say_what_is_wrong(arguments, message):
    settings = {"model": "Elman", "delay": 2, **arguments}
    with pytest.raises(ValueError, match=message):
        train_memory_task(settings.pop("model"), settings.pop("delay"), cached=False, **settings)


def test_at_initialization_the_elman_gradient_vanishes_and_the_lstm_forget_bias_keeps_it():
    norms = initial_gradient_norms(60, forget_bias=5.0)
    assert norms["Elman"].shape == norms["LSTM"].shape == (61,)
    ratios = gradient_ratios(norms)
    assert ratios["Elman"] < 1e-2
    assert ratios["LSTM"] > 100 * ratios["Elman"]
    # without the forget bias the LSTM's cell forgets by half per step, and its gradient too
    assert gradient_ratios(initial_gradient_norms(60, forget_bias=0.0))["LSTM"] < ratios["Elman"]
    # the longer the delay, the less of the Elman gradient is left
    assert gradient_ratios(initial_gradient_norms(20))["Elman"] > 100 * ratios["Elman"]


def test_the_elman_cell_predicts_a_noisy_sine():
    result = train_sine_predictor()
    assert result["score"] > 0.7
    assert result["predictions"].shape == result["targets"].shape == (40, 1)
    assert result["hidden_states"].shape == (40, 8)
    assert np.all((result["predictions"] > 0) & (result["predictions"] < 1))


# ------------------------------------------------------------------------------------------ the dashboards


def test_dashboard_draws_its_default_state(dashboard):
    assert bytes(dashboard.image.value).startswith(b"\x89PNG")
    assert dashboard.last_error is None
    status = dashboard.status.value
    assert status.startswith("delay 10, truncated BPTT off")
    assert "Elman: R²" in status and "LSTM: R²" in status
    assert dashboard.figure.get_suptitle().startswith("Delay 10:")
    assert "clipped" not in status


def test_the_delay_slider_shows_the_elman_score_falling(dashboard):
    scores = {}
    for delay in (DELAYS[0], DELAYS[-1]):
        dashboard.controls["delay"].value = delay
        scores[delay] = dashboard.last_data["results"]["Elman"].score
        assert dashboard.status.value.startswith(f"delay {delay},")
    assert scores[DELAYS[0]] > 0.9 > 0.3 > scores[DELAYS[-1]]
    assert dashboard.figure.get_suptitle() == (
        f"Delay {DELAYS[-1]}: LSTM recalls the number (R² {dashboard.last_data['results']['LSTM'].score:.2f}), "
        f"Elman does not (R² {scores[DELAYS[-1]]:.2f})"
    )


def test_the_model_toggle_redraws_without_training(dashboard):
    misses = train_memory_task.cache_info().misses
    picture = dashboard.image.value
    dashboard.controls["model"].value = "LSTM"
    assert dashboard.last_data["model"] == "LSTM"
    assert dashboard.axes[0, 0].get_title().startswith("LSTM hidden states")
    assert dashboard.image.value != picture
    assert train_memory_task.cache_info().misses == misses


def test_truncation_and_clipping_retrain_both_models(dashboard):
    dashboard.controls["truncation"].value = 5
    results = dashboard.last_data["results"]
    assert all(results[model].settings["truncation"] == 5 for model in MODELS)
    assert "truncated BPTT in chunks of 5 steps" in dashboard.status.value
    dashboard.set(truncation=0, clip_norm=1.0)
    assert all(results.settings["clip_norm"] == 1.0 for results in dashboard.last_data["results"].values())
    assert "of steps clipped at 1" in dashboard.status.value


def test_a_broken_setting_shows_a_message_instead_of_raising(dashboard):
    picture = dashboard.image.value
    refresh_with(dashboard, {"model": "Elman", "delay": 10, "truncation": 0, "clip_norm": float("nan")})
    assert "Cannot show this setting" in dashboard.status.value
    assert "clip_norm" in dashboard.status.value
    assert dashboard.image.value == picture


def test_an_empty_data_set_shows_a_message():
    empty = MemoryTaskDashboard(num_sequences=0)
    assert "Cannot show this setting" in empty.status.value
    assert "num_sequences" in empty.status.value


def test_gradient_flow_dashboard_follows_delay_and_forget_bias():
    flow = GradientFlowDashboard()
    assert bytes(flow.image.value).startswith(b"\x89PNG")
    assert "over 61 steps" in flow.status.value
    lstm_ratio = flow.last_data["ratios"]["LSTM"]
    flow.controls["forget_bias"].value = 0.0
    assert flow.last_data["ratios"]["LSTM"] < 1e-3 * lstm_ratio
    assert "σ(bias) ≈ 0.500" in flow.status.value
    flow.controls["delay"].value = 100
    assert "over 101 steps" in flow.status.value
    assert flow.last_data["norms"]["Elman"].shape == (101,)
    assert flow.figure.get_suptitle().startswith("Delay 100, forget bias 0:")
    refresh_with(flow, {"delay": 0, "forget_bias": 1.0})
    assert "Cannot show this setting" in flow.status.value
