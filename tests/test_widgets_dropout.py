"""Lesson 02 (dropout): masks and phases, dropout against overfitting, the three scalings, and the dashboards."""

import functools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with

from rnnreg import Dropout
from rnnreg.data import overfitting_set
from rnnreg.layers.variants import NonInvertedDropout
from rnnreg.widgets import dropout as lesson
from rnnreg.widgets.dropout import (
    DropoutOverfittingDashboard,
    DropoutPhaseDashboard,
    compare_scaling,
    dropout_phases,
    hidden_activations,
    make_dropout,
    sweep_rates,
    train_with_dropout,
)


@functools.cache
def _cached_training(rate, seed):
    return train_with_dropout(rate, seed=seed)


def trained(rate, *, seed=0, **options):
    """``train_with_dropout`` shared by every test of this file (each setting trains once)."""
    if options:
        return train_with_dropout(rate, seed=seed, **options)
    return _cached_training(rate, seed)


@pytest.fixture(autouse=True)
def _share_trained_runs(monkeypatch):
    monkeypatch.setattr(lesson, "train_with_dropout", trained)


def png(dashboard):
    return bytes(dashboard.image.value)


# ------------------------------------------------------------------------------------------ the layers


def test_the_controls_drop_rate_becomes_the_exercises_keep_probability():
    layer = make_dropout(0.3)
    assert type(layer) is Dropout and layer.probability == pytest.approx(0.7)
    mistake = make_dropout(0.3, "mistake")
    assert isinstance(mistake, NonInvertedDropout) and not mistake.scale_at_test
    assert make_dropout(0.3, "original").scale_at_test
    assert make_dropout(0.0).probability == 1.0
    for bad in (1.0, -0.1, float("nan"), "half"):
        with pytest.raises(ValueError, match=r"dropout rate must be a number in \[0, 1\)"):
            make_dropout(bad)
    with pytest.raises(ValueError, match="scaling must be one of"):
        make_dropout(0.5, "sideways")


def test_hidden_activations_are_a_fixed_realistic_batch():
    batch = hidden_activations()
    assert batch.shape == (16, 32)
    assert np.all(batch >= 0) and np.mean(batch == 0) > 0.2  # after a ReLU: many exact zeros
    assert batch is hidden_activations()
    assert not batch.flags.writeable
    with pytest.raises(ValueError, match="units must be a positive integer"):
        hidden_activations(units=0)


# ------------------------------------------------------------------------------------ masks and phases


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.8])
def test_inverted_dropout_is_the_identity_at_test_time_and_keeps_the_mean_while_training(rate):
    view = dropout_phases(rate)
    x = view["inputs"]
    p = 1 - rate
    np.testing.assert_array_equal(view["outputs"]["test"], x)
    assert view["test_is_identity"]
    np.testing.assert_allclose(view["outputs"]["train"], x * view["mask"] / p)
    assert view["slope"] == pytest.approx(1.0, abs=0.06)
    assert view["means"]["average_train"] == pytest.approx(view["means"]["input"], rel=0.06)
    assert view["kept_fraction"] == pytest.approx(p, abs=0.08)


def test_without_scaling_training_sees_p_times_what_the_test_phase_passes_on():
    view = dropout_phases(0.5, "mistake")
    x = view["inputs"]
    np.testing.assert_array_equal(view["outputs"]["test"], x)  # still the identity at test...
    np.testing.assert_array_equal(view["outputs"]["train"], x * view["mask"])
    assert view["slope"] == pytest.approx(0.5, abs=0.03)  # ...but training only ever saw half of it


def test_the_original_recipe_scales_at_test_instead():
    view = dropout_phases(0.75, "original")
    np.testing.assert_allclose(view["outputs"]["test"], 0.25 * view["inputs"])
    assert not view["test_is_identity"]
    assert view["slope"] == pytest.approx(1.0, abs=0.08)


def test_phases_are_seeded_and_reject_bad_batches():
    first, second = dropout_phases(0.5, seed=3), dropout_phases(0.5, seed=3)
    np.testing.assert_array_equal(first["mask"], second["mask"])
    assert not np.array_equal(first["mask"], dropout_phases(0.5, seed=4)["mask"])
    with pytest.raises(ValueError, match="non-empty batch"):
        dropout_phases(0.5, inputs=np.zeros((0, 4)))
    with pytest.raises(ValueError, match="finite"):
        dropout_phases(0.5, inputs=np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="repeats"):
        dropout_phases(0.5, repeats=0)


# --------------------------------------------------------------------------- dropout against overfitting


def test_dropout_narrows_the_gap_on_the_overfitting_set():
    seeds = (0, 1, 2)
    plain = [trained(0.0, seed=seed) for seed in seeds]
    dropped = [trained(0.8, seed=seed) for seed in seeds]
    assert all(run.train_accuracy == 1.0 for run in plain)
    assert np.mean([run.gap for run in plain]) > 0.15
    validation_plain = np.mean([run.validation_accuracy for run in plain])
    assert np.mean([run.validation_accuracy for run in dropped]) > validation_plain + 0.03
    assert np.mean([run.gap for run in dropped]) < np.mean([run.gap for run in plain]) - 0.03


def test_the_sweep_averages_over_data_draws():
    table = sweep_rates((0.0, 0.8), (0, 1, 2))
    assert list(table) == [0.0, 0.8]
    assert table[0.8]["validation_accuracy"] > table[0.0]["validation_accuracy"]
    assert table[0.8]["gap"] < table[0.0]["gap"]
    assert table[0.0]["validation_per_seed"] == tuple(trained(0.0, seed=seed).validation_accuracy for seed in (0, 1, 2))
    with pytest.raises(ValueError, match="at least one rate"):
        sweep_rates((), (0,))


def test_training_with_dropout_is_deterministic_and_rejects_empty_data():
    first = train_with_dropout(0.5, steps=30)
    second = train_with_dropout(0.5, steps=30)
    assert first.history.epochs["validation_accuracy"] == second.history.epochs["validation_accuracy"]
    assert first.history.steps["loss"] == second.history.steps["loss"]
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    with pytest.raises(ValueError, match="training set is empty"):
        train_with_dropout(0.5, data=(train_x[:0], train_y[:0], validation_x, validation_y))


def test_only_the_mistake_changes_what_the_output_layer_sees_at_test_time():
    results = compare_scaling(0.5)
    assert results["inverted"]["ratio"] == pytest.approx(1.0, abs=0.05)
    assert results["original"]["ratio"] == pytest.approx(1.0, abs=0.05)
    assert results["mistake"]["ratio"] == pytest.approx(2.0, rel=0.05)  # 1/p
    assert results["mistake"]["confidence"] > results["original"]["confidence"]
    with pytest.raises(ValueError, match="above 0"):
        compare_scaling(0.0)


# ---------------------------------------------------------------------------------------- dashboards


def test_phase_dashboard_drives_every_control():
    dashboard = DropoutPhaseDashboard()
    assert dashboard.last_error is None and png(dashboard).startswith(b"\x89PNG")
    assert dashboard.figure._suptitle.get_text().startswith("Inverted dropout (p = 0.50)")
    mask_before = dashboard.last_data["mask"]
    pictures = {png(dashboard)}

    dashboard.controls["phase"].value = "test"
    view = dashboard.last_data
    np.testing.assert_array_equal(view["outputs"]["test"], view["inputs"])  # test phase: the identity
    np.testing.assert_array_equal(view["mask"], mask_before)  # the phase toggle draws no new mask
    assert "test phase returns the input unchanged: yes" in dashboard.status.value
    assert dashboard.axes[0, 0].images[0].get_array().all()  # no mask at test time: every unit passes
    pictures.add(png(dashboard))

    dashboard.controls["scaling"].value = "mistake"
    assert dashboard.last_data["slope"] == pytest.approx(0.5, abs=0.03)
    assert dashboard.figure._suptitle.get_text().startswith("No scaling (p = 0.50)")
    pictures.add(png(dashboard))

    dashboard.controls["rate"].value = 0.8
    assert dashboard.controls["rate"].description == "dropout rate (keep probability 0.20)"
    assert dashboard.last_data["keep_probability"] == pytest.approx(0.2)
    assert "keep probability p = 0.20" in dashboard.status.value
    pictures.add(png(dashboard))

    dashboard.set(scaling="original", phase="train")
    np.testing.assert_allclose(dashboard.last_data["outputs"]["test"], 0.2 * dashboard.last_data["inputs"])
    assert dashboard.axes[0, 0].axison
    pictures.add(png(dashboard))
    assert len(pictures) == 5


def test_phase_dashboard_reports_bad_settings_instead_of_raising():
    dashboard = DropoutPhaseDashboard()
    picture = png(dashboard)
    refresh_with(dashboard, {"rate": float("nan"), "phase": "train", "scaling": "inverted"})
    assert "dropout rate must be a number" in dashboard.status.value
    refresh_with(dashboard, {"rate": 0.5, "phase": "inference", "scaling": "inverted"})
    assert "phase must be one of" in dashboard.status.value
    assert png(dashboard) == picture


def test_overfitting_dashboard_drives_rate_and_data_draw():
    dashboard = DropoutOverfittingDashboard()
    assert png(dashboard).startswith(b"\x89PNG")
    assert dashboard.trainings == 2  # the chosen rate and the no-dropout baseline
    dashboard.controls["rate"].value = 0.8
    run, baseline = dashboard.last_data["run"], dashboard.last_data["baseline"]
    assert run.settings["rate"] == 0.8 and baseline.settings["rate"] == 0.0
    assert run.validation_accuracy > baseline.validation_accuracy
    assert dashboard.figure._suptitle.get_text().startswith("Dropout rate 0.80 raises validation accuracy")
    assert dashboard.trainings == 3
    dashboard.controls["seed"].value = 1
    assert dashboard.last_data["run"].settings["seed"] == 1
    assert dashboard.trainings == 5
    dashboard.controls["rate"].value = 0.0
    assert dashboard.figure._suptitle.get_text().startswith("No dropout")
    assert dashboard.trainings == 5  # the baseline of seed 1 was trained already
    assert "no dropout: train" in dashboard.status.value


def test_overfitting_dashboard_with_empty_data_or_a_bad_rate_shows_a_message():
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    dashboard = DropoutOverfittingDashboard(data=(train_x, train_y, validation_x[:0], validation_y[:0]))
    assert "validation set is empty" in dashboard.status.value
    dashboard = DropoutOverfittingDashboard()
    refresh_with(dashboard, {"rate": 1.0, "seed": 0})
    assert "dropout rate must be a number in [0, 1)" in dashboard.status.value
