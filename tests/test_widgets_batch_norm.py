"""Lesson 03's experiments and dashboards: what the lesson claims about BatchNorm, computed and asserted."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with

from rnnreg.data import load_iris
from rnnreg.widgets.batch_norm import (
    BATCH_SIZES,
    MOMENTA,
    WITH,
    WITHOUT,
    BatchNormDashboard,
    BatchNormSpeedDashboard,
    batch_mates_experiment,
    batch_variance_ratio,
    compare_training_speed,
    phase_view,
    train_batch_norm,
)

PETAL_LENGTH = 2


@pytest.fixture(scope="module")
def trained():
    return train_batch_norm(True, 0.8, 16)


@pytest.fixture(scope="module")
def dashboard():
    return BatchNormDashboard()


def series(trained, name):
    return np.asarray(getattr(trained.recorder, name)[0].values)


# ------------------------------------------------------------------------------------- the pure functions


def test_moving_averages_follow_the_exercise_convention(trained):
    batch_mean, moving_mean = series(trained, "batch_mean"), series(trained, "moving_mean")
    batch_variance, moving_variance = series(trained, "batch_variance"), series(trained, "moving_variance")
    # they start at the first batch's statistics ...
    np.testing.assert_array_equal(moving_mean[0], batch_mean[0])
    np.testing.assert_array_equal(moving_variance[0], batch_variance[0])
    # ... and then keep 0.8 of the old average
    np.testing.assert_allclose(moving_mean[1:], 0.8 * moving_mean[:-1] + 0.2 * batch_mean[1:])
    np.testing.assert_allclose(moving_variance[1:], 0.8 * moving_variance[:-1] + 0.2 * batch_variance[1:])


def test_moving_statistics_estimate_the_data_statistics_at_batch_size_16(trained):
    moving_mean, moving_variance = trained.final_statistics()
    features, _ = load_iris()
    assert trained.data_mean.shape == (4,)
    np.testing.assert_allclose(trained.data_mean, features.mean(axis=0), atol=0.2)  # 120 of the 150 flowers
    assert np.all(np.abs(moving_mean - trained.data_mean) < 0.3 * np.sqrt(trained.data_variance))
    np.testing.assert_allclose(moving_variance, trained.data_variance, rtol=0.3)
    assert trained.test_accuracy > 0.85


def test_momentum_zero_makes_the_moving_average_the_last_batch():
    trained = train_batch_norm(True, 0.0, 8, iterations=20)
    np.testing.assert_array_equal(series(trained, "moving_mean"), series(trained, "batch_mean"))


def test_small_batches_underestimate_the_variance_by_about_b_minus_1_over_b():
    tiny, large = train_batch_norm(True, 0.8, 2), train_batch_norm(True, 0.8, 32)
    ratios = [batch_variance_ratio(tiny, channel) for channel in range(4)]
    assert all(0.3 < ratio < 0.7 for ratio in ratios)  # (2 − 1)/2 = 0.5
    assert all(batch_variance_ratio(large, channel) > 0.85 for channel in range(4))  # 31/32
    # and the noisier statistics cost accuracy
    assert tiny.test_accuracy < large.test_accuracy


def test_train_phase_uses_the_batch_statistics_and_test_phase_the_moving_ones(trained):
    view = phase_view(trained, "train")
    inputs = view["inputs"]
    assert len(inputs) == 16
    train_mean, train_variance = view["statistics"]["train"]
    np.testing.assert_allclose(train_mean, inputs.mean(axis=0))
    np.testing.assert_allclose(train_variance, inputs.var(axis=0))  # biased, ddof = 0
    for expected, used in zip(trained.final_statistics(), view["statistics"]["test"], strict=True):
        np.testing.assert_array_equal(used, expected)
    beta = np.asarray(trained.snapshot[0]["bias"])
    np.testing.assert_allclose(view["normalized"]["train"].mean(axis=0), beta, atol=1e-9)
    assert not np.allclose(view["normalized"]["test"], view["normalized"]["train"])
    assert view["largest_change"] > 0


def test_the_phase_view_never_changes_the_trained_network(trained):
    before = [{name: np.array(array) for name, array in arrays.items()} for arrays in trained.snapshot]
    for phase in ("train", "test", "train"):
        phase_view(trained, phase)
    for kept, now in zip(before, trained.snapshot, strict=True):
        for name, array in now.items():
            np.testing.assert_array_equal(array, kept[name])
            assert not array.flags.writeable


def test_the_phase_view_is_the_same_whichever_phase_is_shown(trained):
    train, test = phase_view(trained, "train"), phase_view(trained, "test")
    for phase in ("train", "test"):
        np.testing.assert_array_equal(train["probabilities"][phase], test["probabilities"][phase])


def test_without_batch_norm_both_phases_compute_the_same():
    trained = train_batch_norm(False, 0.8, 16)
    view = phase_view(trained, "train")
    assert view["normalized"] is None and trained.final_statistics() is None
    np.testing.assert_array_equal(view["probabilities"]["train"], view["probabilities"]["test"])
    assert view["largest_change"] == 0


def test_the_same_settings_give_the_same_training():
    first, second = train_batch_norm(True, 0.9, 4, iterations=30), train_batch_norm(True, 0.9, 4, iterations=30)
    np.testing.assert_array_equal(series(first, "moving_variance"), series(second, "moving_variance"))
    np.testing.assert_array_equal(first.history.step_array("loss"), second.history.step_array("loss"))


def test_training_leaves_the_callers_random_state_alone():
    np.random.seed(7)
    expected = np.random.random_sample(3)
    np.random.seed(7)
    train_batch_norm(True, 0.8, 16, iterations=5)
    np.testing.assert_array_equal(np.random.random_sample(3), expected)


def test_batch_statistics_at_test_time_make_a_prediction_depend_on_the_batch_mates(trained):
    result = batch_mates_experiment(trained, flower=0)
    assert not np.allclose(result["with_own_species"], result["with_other_species"], atol=1e-3)
    # a batch of one is normalised to β whatever the flower, so every flower gets the same answer
    np.testing.assert_allclose(result["alone_outputs"], np.broadcast_to(result["beta"], result["alone_outputs"].shape))
    assert result["alone_distinct"] == 1
    assert result["alone_test_accuracy"] < 0.5 < result["correct_test_accuracy"]


def test_batch_mates_experiment_needs_batch_norm():
    with pytest.raises(ValueError, match="trained with BatchNorm"):
        batch_mates_experiment(train_batch_norm(False, 0.8, 16, iterations=5))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number"),
        ({"batch_size": 0}, "batch size must be a positive integer"),
        ({"momentum": 1.5}, "momentum must be in"),
        ({"data": (np.empty((0, 4)), np.empty(0, dtype=int))}, "needs at least one sample"),
    ],
    ids=["nan learning rate", "batch size 0", "momentum 1.5", "empty data"],
)
def test_bad_settings_raise_value_errors_that_say_what_is_wrong(arguments, message):
    with pytest.raises(ValueError, match=message):
        train_batch_norm(**arguments)


# ------------------------------------------------------------------------------------------ the dashboards


def test_dashboard_draws_its_default_state(dashboard):
    assert bytes(dashboard.image.value).startswith(b"\x89PNG")
    assert dashboard.last_error is None
    assert "test phase normalises with the moving averages" in dashboard.status.value
    assert "petal length" in dashboard.status.value
    assert dashboard.figure.get_suptitle().startswith("Batch of 16: variances average")


def test_phase_and_measurement_reuse_the_trained_network(dashboard):
    trainings = dashboard.trainings
    picture = dashboard.image.value
    dashboard.controls["phase"].value = "train"
    assert "train phase normalises with this batch" in dashboard.status.value
    assert dashboard.last_data["view"]["phase"] == "train"
    assert dashboard.image.value != picture
    dashboard.controls["channel"].value = 0
    assert "sepal length" in dashboard.status.value
    assert dashboard.trainings == trainings


def test_batch_size_momentum_and_batch_norm_retrain(dashboard):
    trainings = dashboard.trainings
    dashboard.controls["batch_size"].value = 2
    assert dashboard.last_data["trained"].settings["batch_size"] == 2
    assert dashboard.figure.get_suptitle().startswith("Batch of 2:")
    assert len(dashboard.last_data["view"]["inputs"]) == 2
    dashboard.controls["momentum"].value = 0.99
    assert dashboard.last_data["trained"].settings["momentum"] == 0.99
    dashboard.controls["batch_norm"].value = False
    assert dashboard.status.value.startswith("no BatchNorm: the phase changes nothing")
    assert dashboard.figure.get_suptitle().startswith("Without BatchNorm")
    assert dashboard.trainings == trainings + 3
    seen = {"batch_norm": True, "momentum": 0.99, "batch_size": 2, "phase": "test", "channel": PETAL_LENGTH}
    assert dashboard.compute(seen)["trained"].settings["batch_size"] == 2
    assert dashboard.trainings == trainings + 3  # seen before: from the cache


def test_every_choice_of_the_sliders_can_be_shown(dashboard):
    assert set(dashboard.controls["batch_size"].options) == set(BATCH_SIZES)
    assert [value for _, value in dashboard.controls["momentum"].options] == list(MOMENTA)


def test_a_broken_setting_shows_a_message_instead_of_raising(dashboard):
    picture = dashboard.image.value
    refresh_with(dashboard, {"batch_norm": True, "momentum": float("nan"), "batch_size": 16, "phase": "test",
                                "channel": 0})
    assert "Cannot show this setting" in dashboard.status.value
    assert "momentum" in dashboard.status.value
    assert dashboard.image.value == picture
    assert isinstance(dashboard.last_error, ValueError)


def test_an_empty_data_set_shows_a_message():
    empty = BatchNormDashboard(data=(np.empty((0, 4)), np.empty(0, dtype=int)))
    assert "Cannot show this setting" in empty.status.value
    assert empty.last_data is None


def test_batch_norm_trains_the_digits_faster_and_tolerates_a_larger_learning_rate():
    speed = BatchNormSpeedDashboard()
    assert bytes(speed.image.value).startswith(b"\x89PNG")
    assert f"{WITH}: validation accuracy" in speed.status.value
    assert f"{WITHOUT}: validation accuracy" in speed.status.value
    slow = speed.last_data  # learning rate 1e-3: both learn, BatchNorm faster
    assert slow[WITH]["validation_accuracy"][-1] > slow[WITHOUT]["validation_accuracy"][-1] + 0.05
    assert slow[WITH]["loss"][-10:].mean() < slow[WITHOUT]["loss"][-10:].mean()
    speed.controls["learning_rate"].value = 10**-1.5  # 0.03: only BatchNorm still learns
    fast = speed.last_data
    assert fast[WITH]["validation_accuracy"][-1] > 0.85
    assert fast[WITHOUT]["validation_accuracy"][-1] < 0.5
    assert speed.figure.get_suptitle().startswith("After 3 epochs")
    speed.controls["batch_size"].value = 64
    assert speed.last_data[WITH]["steps"].size < fast[WITH]["steps"].size
    refresh_with(speed, {"learning_rate": float("nan"), "batch_size": 32})
    assert "Cannot show this setting" in speed.status.value


def test_the_speed_comparison_starts_both_runs_alike():
    runs = compare_training_speed(1e-3, 64, epochs=1)
    assert runs[WITH]["steps"].size == runs[WITHOUT]["steps"].size
    assert runs[WITH]["diverged"] is None and runs[WITHOUT]["diverged"] is None
