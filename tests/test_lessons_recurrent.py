"""Lesson 04's experiments (rnnreg.lessons.recurrent): what they return, their cache, their checks.

Small budgets here; the claims the lesson makes over seeds are in tests/test_teaching_claims_04_recurrent.py.
"""

import numpy as np
import pytest

from rnnreg import LSTM, RNN, Constant, Xavier
from rnnreg.lessons.recurrent import (
    MODELS,
    gradient_ratios,
    initial_gradient_norms,
    recall_finding,
    scale_spectral_radius,
    train_memory_task,
    train_sine_predictor,
)

QUICK = {"num_sequences": 50, "steps": 6, "batch_size": 16}


def test_the_result_holds_what_the_notebook_and_the_dashboard_draw():
    elman, lstm = train_memory_task("Elman", 5, **QUICK), train_memory_task("LSTM", 5, **QUICK)
    steps = 5 + 1
    assert elman.hidden_states.shape == (steps, 16)
    assert elman.gradient_norms.shape == (steps,)
    assert np.all(np.abs(elman.hidden_states) <= 1)
    assert elman.predictions.shape == elman.targets.shape == (10, 1)
    assert elman.inputs.shape == (10, steps, 2)
    assert elman.gates is None
    assert set(lstm.gates) == {"forget", "input", "candidate", "output"}
    assert lstm.gates["forget"].shape == (steps, 16)
    assert elman.losses.shape == elman.step_norms.shape == (QUICK["steps"],)
    assert np.isclose(elman.gradient_ratio, elman.gradient_norms[0] / elman.gradient_norms[-1])
    with pytest.raises(ValueError, match="read-only"):
        elman.predictions[0, 0] = 0.0


def test_the_loss_is_per_sequence_also_for_an_epochs_smaller_last_batch():
    # 40 training sequences in batches of 32: every second batch holds 8. Outputs and targets lie in (0, 1),
    # so a squared error per sequence lies in [0, 1); divided by 32 instead of 8 the short batches would dip.
    result = train_memory_task("Elman", 3, num_sequences=50, steps=8, batch_size=32, learning_rate=1e-9)
    assert np.all((result.losses > 0) & (result.losses < 1))
    full, short = result.losses[0::2], result.losses[1::2]
    assert short.mean() > 0.5 * full.mean()


def test_the_same_settings_give_the_same_result_and_the_cache_answers():
    cached = train_memory_task("Elman", 5, **QUICK)
    assert train_memory_task("Elman", 5, **QUICK) is cached
    again = train_memory_task("Elman", 5, cached=False, **QUICK)
    assert again.score == cached.score
    np.testing.assert_array_equal(again.gradient_norms, cached.gradient_norms)


def test_training_leaves_the_callers_random_state_alone():
    np.random.seed(3)
    expected = np.random.random_sample(3)
    np.random.seed(3)
    train_memory_task("LSTM", 2, cached=False, **QUICK)
    np.testing.assert_array_equal(np.random.random_sample(3), expected)


def test_clipping_reports_how_often_it_acted():
    assert train_memory_task("Elman", 5, **QUICK).clipped_fraction == 0.0
    tight = train_memory_task("Elman", 5, clip_norm=1e-3, **QUICK)
    assert tight.clipped_fraction == 1.0
    assert np.all(tight.step_norms > 1e-3)  # the norms before clipping


def test_truncation_and_sgd_settings_are_kept_with_the_result():
    result = train_memory_task("Elman", 6, truncation=3, optimizer="SGD", learning_rate=0.05, spectral_radius=1.5,
                               **QUICK)
    settings = result.settings
    assert (settings["truncation"], settings["optimizer"], settings["spectral_radius"]) == (3, "SGD", 1.5)
    assert train_memory_task("Elman", 6, truncation=0, **QUICK).settings["truncation"] is None


def test_scaling_the_spectral_radius_changes_only_the_recurrent_block():
    np.random.seed(0)
    layer = RNN(2, 6, 1)
    layer.initialize(Xavier(), Constant(0.1))
    before = layer.weights.copy()
    scale_spectral_radius(layer, 3.0)
    assert np.max(np.abs(np.linalg.eigvals(layer.weights[2:8]))) == pytest.approx(3.0)
    np.testing.assert_array_equal(layer.weights[:2], before[:2])
    np.testing.assert_array_equal(layer.weights[8], before[8])
    with pytest.raises(TypeError, match="Elman RNN"):
        scale_spectral_radius(LSTM(2, 6, 1), 3.0)
    with pytest.raises(ValueError, match="spectral_radius must be positive, got -1.0"):
        scale_spectral_radius(layer, -1.0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model": "GRU"}, "model must be one of"),
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number, got nan"),
        ({"num_sequences": 0}, "num_sequences must be a positive integer"),
        ({"num_sequences": 3}, "to hold out"),
        ({"clip_norm": -1.0}, r"clip_norm \(a positive number, or 0 or None: off\) must be non-negative, got -1.0"),
        ({"delay": 0}, "delay must be a positive integer"),
        ({"truncation": 2.5}, r"truncation \(a number of steps, or 0 or None: full BPTT\) must be a non-negative"),
        ({"optimizer": "RMSprop"}, "optimizer must be one of"),
        ({"model": "LSTM", "spectral_radius": 3.0}, "spectral_radius is set for the Elman RNN's W_hh only"),
    ],
    ids=["unknown model", "nan learning rate", "no sequences", "none held out", "negative clipping", "no delay",
         "fractional truncation", "unknown optimizer", "radius for an LSTM"],
)
def test_bad_settings_raise_errors_that_say_what_is_wrong(arguments, message):
    settings = {"model": "Elman", "delay": 2, **QUICK, **arguments}
    with pytest.raises((ValueError, TypeError), match=message):
        train_memory_task(settings.pop("model"), settings.pop("delay"), cached=False, **settings)


def test_initial_gradient_norms_have_one_row_per_seed():
    norms = initial_gradient_norms(20, seeds=(0, 1, 2))
    assert norms["Elman"].shape == norms["LSTM"].shape == (3, 21)
    ratios = gradient_ratios(norms)
    assert ratios["Elman"].shape == (3,)
    np.testing.assert_allclose(ratios["LSTM"], norms["LSTM"][:, 0] / norms["LSTM"][:, -1])
    assert gradient_ratios({"Elman": norms["Elman"][0]})["Elman"] == pytest.approx(ratios["Elman"][0])
    # a larger spectral radius of W_hh: more of the gradient reaches the first step
    exploding = initial_gradient_norms(20, seeds=(0,), spectral_radius=3.0)
    assert gradient_ratios(exploding)["Elman"][0] > ratios["Elman"][0]
    with pytest.raises(ValueError, match="seeds must name at least one seed"):
        initial_gradient_norms(20, seeds=())


def test_the_finding_names_who_recalls():
    elman, lstm = train_memory_task("Elman", 5, **QUICK), train_memory_task("LSTM", 5, **QUICK)
    sentence = recall_finding(5, {"Elman": elman, "LSTM": lstm})
    assert sentence.startswith("Delay 5: ")
    assert f"R² {elman.score:.2f}" in sentence and f"R² {lstm.score:.2f}" in sentence
    assert set(MODELS) == {"Elman", "LSTM"}


def test_the_elman_cell_predicts_a_noisy_sine():
    result = train_sine_predictor(epochs=2)
    assert result["predictions"].shape == result["targets"].shape == (40, 1)
    assert result["hidden_states"].shape == (40, 8)
    assert np.all((result["predictions"] > 0) & (result["predictions"] < 1))
