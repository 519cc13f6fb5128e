"""Lesson 03's experiments (``rnnreg.lessons.batch_norm``): conventions, phases, equal samples seen, bad input.

The claims over seeds are in ``test_teaching_claims_03_batch_norm.py``; these tests check what the
experiments compute, on one seed, with hand-checkable expectations.
"""

import sys

import numpy as np
import pytest

from rnnreg.lessons import batch_norm as lesson
from rnnreg.lessons.claims import ClaimFailed, SeedValues


@pytest.fixture(scope="module")
def trained():
    return lesson.train_batch_norm(True, 0.8, 20)


def series(trained, name):
    return np.asarray(getattr(trained.recorder, name)[0].values)


def test_the_lesson_module_imports_no_drawing_or_widget_library():
    assert "rnnreg.lessons.batch_norm" in sys.modules
    with open(lesson.__file__) as file:
        source = file.read()
    assert "matplotlib" not in source and "ipywidgets" not in source and "rnnreg.widgets" not in source


def test_moving_averages_follow_the_exercise_convention(trained):
    batch_mean, moving_mean = series(trained, "batch_mean"), series(trained, "moving_mean")
    batch_variance, moving_variance = series(trained, "batch_variance"), series(trained, "moving_variance")
    # they start at the first batch's statistics ...
    np.testing.assert_array_equal(moving_mean[0], batch_mean[0])
    np.testing.assert_array_equal(moving_variance[0], batch_variance[0])
    # ... and then keep 0.8 of the old average
    np.testing.assert_allclose(moving_mean[1:], 0.8 * moving_mean[:-1] + 0.2 * batch_mean[1:])
    np.testing.assert_allclose(moving_variance[1:], 0.8 * moving_variance[:-1] + 0.2 * batch_variance[1:])


def test_every_step_is_recorded_and_counted_in_flowers_seen():
    small = lesson.train_batch_norm(True, 0.8, 2)
    np.testing.assert_array_equal(small.recorder.batch_mean[0].steps, np.arange(600))  # 10 × 60 batches, all kept
    np.testing.assert_array_equal(small.samples_seen, 2 * np.arange(1, 601))
    uneven = lesson.train_batch_norm(True, 0.8, 16, epochs=2)  # 120 = 7 × 16 + 8: the last batch is smaller
    np.testing.assert_array_equal(uneven.samples_seen[:8], [16, 32, 48, 64, 80, 96, 112, 120])
    assert uneven.samples_seen[-1] == 240


def test_the_spread_is_measured_on_exactly_the_batches_training_sees(trained):
    spread = lesson.batch_statistics_spread(20)
    batch_mean, batch_variance = series(trained, "batch_mean"), series(trained, "batch_variance")
    expected_spread = np.sqrt(np.mean((batch_mean - trained.data_mean) ** 2, axis=0) / trained.data_variance)
    np.testing.assert_allclose(spread.mean_spread, expected_spread)
    np.testing.assert_allclose(spread.variance_ratio, batch_variance.mean(axis=0) / trained.data_variance)
    assert lesson.batch_variance_ratio(trained, 2) == pytest.approx(spread.variance_ratio[2])


def test_momentum_zero_makes_the_moving_average_the_last_batch():
    trained = lesson.train_batch_norm(True, 0.0, 8, epochs=1)
    np.testing.assert_array_equal(series(trained, "moving_mean"), series(trained, "batch_mean"))


def test_train_phase_uses_the_batch_statistics_and_test_phase_the_moving_ones(trained):
    view = lesson.phase_view(trained, "train")
    inputs = view["inputs"]
    assert len(inputs) == 20
    train_mean, train_variance = view["statistics"]["train"]
    np.testing.assert_allclose(train_mean, inputs.mean(axis=0))
    np.testing.assert_allclose(train_variance, inputs.var(axis=0))  # biased, ddof = 0
    for expected, used in zip(trained.final_statistics(), view["statistics"]["test"], strict=True):
        np.testing.assert_array_equal(used, expected)
    beta = np.asarray(trained.snapshot[0]["bias"])
    np.testing.assert_allclose(view["normalized"]["train"].mean(axis=0), beta, atol=1e-9)
    assert not np.allclose(view["normalized"]["test"], view["normalized"]["train"])
    true_class = np.argmax(view["labels"], axis=1)
    for phase in ("train", "test"):
        np.testing.assert_array_equal(view["true_class_probability"][phase],
                                      view["probabilities"][phase][np.arange(20), true_class])


def test_a_batch_of_two_is_normalised_to_minus_and_plus_one_in_the_train_phase():
    trained = lesson.train_batch_norm(True, 0.8, 2, epochs=1)
    view = lesson.phase_view(trained, "train")
    gamma, beta = (np.asarray(trained.snapshot[0][name]) for name in ("weights", "bias"))
    normalized = np.sort((view["normalized"]["train"] - beta) / gamma, axis=0)
    np.testing.assert_allclose(normalized, [[-1.0] * 4, [1.0] * 4], atol=1e-6)


def test_the_phase_view_never_changes_the_trained_network(trained):
    before = [{name: np.array(array) for name, array in arrays.items()} for arrays in trained.snapshot]
    for phase in ("train", "test", "train"):
        lesson.phase_view(trained, phase)
    for kept, now in zip(before, trained.snapshot, strict=True):
        for name, array in now.items():
            np.testing.assert_array_equal(array, kept[name])
            assert not array.flags.writeable


def test_the_phase_view_is_the_same_whichever_phase_is_shown(trained):
    train, test = lesson.phase_view(trained, "train"), lesson.phase_view(trained, "test")
    for phase in ("train", "test"):
        np.testing.assert_array_equal(train["probabilities"][phase], test["probabilities"][phase])


def test_without_batch_norm_both_phases_compute_the_same():
    trained = lesson.train_batch_norm(False, 0.8, 20)
    view = lesson.phase_view(trained, "train")
    assert view["normalized"] is None and trained.final_statistics() is None
    np.testing.assert_array_equal(view["probabilities"]["train"], view["probabilities"]["test"])
    assert view["largest_change"] == 0
    assert lesson.batch_variance_ratio(trained, 0) is None


def test_the_same_settings_give_the_same_training():
    first, second = (lesson.train_batch_norm(True, 0.9, 4, epochs=2) for _ in range(2))
    np.testing.assert_array_equal(series(first, "moving_variance"), series(second, "moving_variance"))
    np.testing.assert_array_equal(first.losses, second.losses)


def test_training_leaves_the_callers_random_state_alone():
    np.random.seed(7)
    expected = np.random.random_sample(3)
    np.random.seed(7)
    lesson.train_batch_norm(True, 0.8, 20, epochs=1)
    lesson.compare_training_speed(1e-3, 64, epochs=1, seeds=(0,))
    np.testing.assert_array_equal(np.random.random_sample(3), expected)


def test_batch_statistics_at_test_time_make_a_prediction_depend_on_the_batch_mates(trained):
    result = lesson.batch_mates_experiment(trained)
    changes = np.max(np.abs(result["with_own_species"] - result["with_other_species"]))
    assert changes == pytest.approx(result["largest_change"])  # by default the flower that changes most
    assert lesson.batch_mates_experiment(trained, flower=result["flower"])["correct"] == pytest.approx(
        result["correct"])
    # a batch of one is normalised to β whatever the flower, so every flower gets the same answer
    np.testing.assert_allclose(result["alone_outputs"], np.broadcast_to(result["beta"], result["alone_outputs"].shape))
    assert result["alone_distinct"] == 1
    assert result["alone_test_accuracy"] == pytest.approx(np.mean(np.argmax(trained.test_labels, axis=1)
                                                                  == result["alone_predictions"][0]))


def test_batch_mates_experiment_needs_batch_norm_and_a_test_flower(trained):
    with pytest.raises(ValueError, match="trained with BatchNorm"):
        lesson.batch_mates_experiment(lesson.train_batch_norm(False, 0.8, 20, epochs=1))
    with pytest.raises(ValueError, match="flower must be an index into the 30 test flowers, got 30"):
        lesson.batch_mates_experiment(trained, flower=30)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number"),
        ({"batch_size": 0}, "batch size must be a positive integer"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"momentum": 1.5}, "momentum must be in"),
        ({"data": (np.empty((0, 4)), np.empty(0, dtype=int))}, "needs at least one sample"),
    ],
    ids=["nan learning rate", "batch size 0", "no epochs", "momentum 1.5", "empty data"],
)
def test_bad_settings_raise_value_errors_that_say_what_is_wrong(arguments, message):
    with pytest.raises(ValueError, match=message):
        lesson.train_batch_norm(**arguments)


def test_the_speed_comparison_starts_both_runs_alike_for_every_seed():
    comparison = lesson.compare_training_speed(1e-3, 64, epochs=1, seeds=(0, 1))
    assert comparison.seeds == (0, 1)
    for with_bn, without in zip(comparison.runs[lesson.WITH], comparison.runs[lesson.WITHOUT], strict=True):
        assert with_bn["loss"].size == without["loss"].size == 1079 // 64  # 1,079 training digits; full batches
        assert with_bn["epoch_of_step"][-1] == 1.0
        assert with_bn["loss"][0] == pytest.approx(without["loss"][0], rel=0.5)  # the same batch, ≈ ln 10 at first
        assert with_bn["diverged"] is None and without["diverged"] is None
        np.testing.assert_array_equal(with_bn["epochs"], [1])
    np.testing.assert_allclose(comparison.advantage().values,
                               comparison.final_accuracy(lesson.WITH).values
                               - comparison.final_accuracy(lesson.WITHOUT).values)


def test_a_diverging_run_keeps_the_steps_before_it():
    run = lesson.train_digits(False, 1e200, 64, epochs=1)
    assert run["diverged"] is not None and "the loss is nan" in run["diverged"]
    assert 0 < run["loss"].size < 1079 // 64 and np.all(np.isfinite(run["loss"]))
    assert run["epochs"].size == 0
    assert 0 <= run["final_accuracy"] <= 1


def test_the_speed_comparison_rejects_bad_settings():
    with pytest.raises(ValueError, match="batch size must be a positive integer"):
        lesson.compare_training_speed(1e-3, 0)
    with pytest.raises(ValueError, match="seeds must name at least one seed"):
        lesson.compare_training_speed(1e-3, 32, seeds=())


def fake_speed(rate, with_bn, without):
    runs = {label: [{"final_accuracy": value, "diverged": None} for value in values]
            for label, values in ((lesson.WITH, with_bn), (lesson.WITHOUT, without))}
    return lesson.SpeedComparison(settings={"learning_rate": rate, "batch_size": 32, "epochs": 3},
                                  seeds=(0, 1, 2), runs=runs)


def test_speed_claims_fail_when_a_seed_does_not_support_them():
    small = fake_speed(1e-3, [0.8, 0.8, 0.8], [0.6, 0.6, 0.6])
    best = fake_speed(1e-2, [0.95, 0.95, 0.95], [0.92, 0.93, 0.91])
    large = fake_speed(0.056, [0.95, 0.94, 0.93], [0.1, 0.1, 0.1])
    assert lesson.speed_claims(small, best, large)[0] == (
        "η = 0.001: BatchNorm's lead in validation accuracy above 0.05 in all 3 seeds")
    with pytest.raises(ClaimFailed, match="seed 2: 0.05"):
        lesson.speed_claims(fake_speed(1e-3, [0.8, 0.8, 0.65], [0.6, 0.6, 0.6]), best, large)
    with pytest.raises(ClaimFailed, match="without BatchNorm below 0.3"):
        lesson.speed_claims(small, best, fake_speed(0.056, [0.95, 0.94, 0.93], [0.1, 0.5, 0.1]))


def test_batch_size_claims_fail_when_the_accuracies_do_not_support_them():
    seeds = (0, 1, 2)
    spread = {size: [lesson.batch_statistics_spread(size, seed=seed) for seed in seeds] for size in (2, 20)}
    accuracies = {(batch_norm, size): SeedValues(seeds, np.full(3, 0.9)) for batch_norm in (True, False)
                  for size in (2, 20)}
    comparison = lesson.BatchSizeComparison(seeds=seeds, spread=spread, test_accuracy=accuracies, epochs=10)
    with pytest.raises(ClaimFailed, match="below 0.8 .* holds in 0 of 3 seeds"):
        lesson.batch_size_claims(comparison)
    accuracies[True, 2] = SeedValues(seeds, np.array([0.6, 0.7, 0.6]), "with BatchNorm at 2")
    assert len(lesson.batch_size_claims(comparison)) == 10
