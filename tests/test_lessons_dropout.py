"""Lesson 02 (dropout): the experiment functions of ``rnnreg.lessons.dropout``, without any widget."""

import numpy as np
import pytest

from rnnreg import Dropout
from rnnreg.data import overfitting_set
from rnnreg.layers.variants import NonInvertedDropout
from rnnreg.lessons import dropout as lesson
from rnnreg.lessons.claims import ClaimFailed, SeedValues

TWO_SEEDS = (0, 1)  # the functions over seeds, cheaply; the lesson's five seeds are the claims tests' business


# ------------------------------------------------------------------------------------------ the layers


def test_the_drop_rate_becomes_the_exercises_keep_probability():
    layer = lesson.make_dropout(0.3)
    assert type(layer) is Dropout and layer.probability == 0.7
    mistake = lesson.make_dropout(0.3, "mistake")
    assert isinstance(mistake, NonInvertedDropout) and not mistake.scale_at_test
    assert lesson.make_dropout(0.3, "original").scale_at_test
    assert lesson.make_dropout(0.0).probability == 1.0
    for bad in (1.0, -0.1, float("nan"), "half", True):
        with pytest.raises(ValueError, match=r"dropout rate must be a number in \[0, 1\)"):
            lesson.make_dropout(bad)
    with pytest.raises(ValueError, match="scaling must be one of"):
        lesson.make_dropout(0.5, "sideways")


def test_hidden_activations_are_a_fixed_realistic_batch():
    batch = lesson.hidden_activations()
    assert batch.shape == (16, 32)
    assert np.all(batch >= 0) and np.mean(batch == 0) > 0.2  # after a ReLU: many exact zeros
    assert batch is lesson.hidden_activations()
    assert not batch.flags.writeable
    with pytest.raises(ValueError, match="units must be a positive integer"):
        lesson.hidden_activations(units=0)


# ------------------------------------------------------------------------------------ masks and phases


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.8])
def test_inverted_dropout_is_the_identity_at_test_time_and_keeps_the_mean_while_training(rate):
    view = lesson.dropout_phases(rate)
    x, p = view["inputs"], 1 - rate
    np.testing.assert_array_equal(view["outputs"]["test"], x)
    assert view["test_is_identity"]
    np.testing.assert_allclose(view["outputs"]["train"], x * view["mask"] / p)
    assert view["slope"] == pytest.approx(1.0, abs=0.06)
    assert view["means"]["average_train"] == pytest.approx(view["means"]["input"], rel=0.06)
    assert view["kept"] == int(view["mask"].sum()) and view["units"] == 512
    assert view["kept_fraction"] == pytest.approx(p, abs=0.08)


def test_without_scaling_training_sees_p_times_what_the_test_phase_passes_on():
    view = lesson.dropout_phases(0.5, "mistake")
    x = view["inputs"]
    np.testing.assert_array_equal(view["outputs"]["test"], x)  # still the identity at test...
    np.testing.assert_array_equal(view["outputs"]["train"], x * view["mask"])
    assert view["slope"] == pytest.approx(0.5, abs=0.03)  # ...but training only ever saw half of it


def test_the_original_recipe_scales_at_test_instead():
    view = lesson.dropout_phases(0.75, "original")
    np.testing.assert_allclose(view["outputs"]["test"], 0.25 * view["inputs"])
    assert not view["test_is_identity"]
    assert view["slope"] == pytest.approx(1.0, abs=0.08)


def test_phases_are_seeded_read_only_and_reject_bad_batches():
    first, second = lesson.dropout_phases(0.5, seed=3), lesson.dropout_phases(0.5, seed=3)
    np.testing.assert_array_equal(first["mask"], second["mask"])
    assert not np.array_equal(first["mask"], lesson.dropout_phases(0.5, seed=4)["mask"])
    assert not first["outputs"]["train"].flags.writeable
    batch = np.ones((2, 3))
    lesson.dropout_phases(0.5, inputs=batch)
    assert batch.flags.writeable  # the caller's array is copied, not frozen
    with pytest.raises(ValueError, match="non-empty batch"):
        lesson.dropout_phases(0.5, inputs=np.zeros((0, 4)))
    with pytest.raises(ValueError, match="finite"):
        lesson.dropout_phases(0.5, inputs=np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="repeats"):
        lesson.dropout_phases(0.5, repeats=0)


def test_the_phase_finding_names_the_rule_and_the_slope():
    assert lesson.phases_finding(lesson.dropout_phases(0.5)).startswith("Inverted dropout (p = 0.50): training")
    assert lesson.phases_finding(lesson.dropout_phases(0.5, "mistake")).startswith("No scaling (p = 0.50)")
    assert "0.50×" in lesson.phases_finding(lesson.dropout_phases(0.5, "mistake"))


# ------------------------------------------------------------------------------- dropout vs overfitting


def test_the_network_drops_inputs_and_hidden_units_or_hidden_units_only():
    def dropouts(net):
        return [index for index, layer in enumerate(net.layers) if isinstance(layer, Dropout)]

    assert dropouts(lesson.build_dropout_network(0.5)) == [0, 3]
    assert dropouts(lesson.build_dropout_network(0.5, where="hidden")) == [2]
    assert dropouts(lesson.build_dropout_network(0.0)) == []
    both = lesson.build_dropout_network(0.5)
    # each dropout layer has its own stream of masks
    assert both.layers[0].rng.random() != both.layers[3].rng.random()
    with pytest.raises(ValueError, match="where must be one of"):
        lesson.build_dropout_network(0.5, where="outputs")


def test_a_run_records_losses_and_accuracies_from_step_0_and_is_deterministic():
    first = lesson.train_with_dropout(0.5, steps=40)
    second = lesson.train_with_dropout(0.5, steps=40)
    np.testing.assert_array_equal(first.curves["step"], [0, 10, 20, 30, 40])
    for field in lesson.CURVES:
        np.testing.assert_array_equal(first.curves[field], second.curves[field])
        assert not first.curves[field].flags.writeable
    assert first.final("train_loss") < first.curves["train_loss"][0]  # it learns
    assert first.loss_gap == first.final("validation_loss") - first.final("train_loss")
    assert first.accuracy_gap == first.final("train_accuracy") - first.final("validation_accuracy")


def test_training_rejects_bad_settings_and_data():
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    with pytest.raises(ValueError, match="training set is empty"):
        lesson.train_with_dropout(0.5, data=(train_x[:0], train_y[:0], validation_x, validation_y))
    with pytest.raises(ValueError, match="multiple of steps_per_epoch"):
        lesson.train_with_dropout(0.5, steps=15)
    with pytest.raises(ValueError, match="where must be one of"):
        lesson.train_with_dropout(0.5, where="everywhere")


def test_runs_over_seeds_are_cached_and_rate_0_ignores_where():
    runs = lesson.overfitting_runs(0.5, seeds=TWO_SEEDS)
    assert runs is lesson.overfitting_runs(0.5, "inputs and hidden", [0, 1])
    assert runs.seeds == TWO_SEEDS and runs.curves("validation_loss").shape == (2, 31)
    assert runs.final("validation_loss").seeds == TWO_SEEDS
    assert lesson.overfitting_runs(0.0, "hidden", TWO_SEEDS) is lesson.overfitting_runs(0.0, seeds=TWO_SEEDS)
    assert runs.label() == "dropout 0.50 (inputs and hidden units)"
    assert lesson.overfitting_runs(0.0, seeds=TWO_SEEDS).label() == "no dropout"
    with pytest.raises(ValueError, match="at least one seed"):
        lesson.overfitting_runs(0.5, seeds=())


def test_changes_compare_each_seed_with_its_own_run_without_dropout():
    baseline, dropped = lesson.overfitting_runs(0.0, seeds=TWO_SEEDS), lesson.overfitting_runs(0.5, seeds=TWO_SEEDS)
    change = lesson.changes(dropped, baseline)
    expected = [run.final("validation_loss") - base.final("validation_loss")
                for run, base in zip(dropped.runs, baseline.runs, strict=True)]
    np.testing.assert_array_equal(change["validation loss"].values, expected)
    assert set(change) == {"validation loss", "loss gap", "validation accuracy", "accuracy gap"}
    assert lesson.overfitting_finding(dropped, baseline).startswith(
        "Dropout 0.50 on inputs + hidden units: validation loss lower in")
    assert lesson.overfitting_finding(baseline, baseline).startswith("No dropout")


def test_a_trend_sentence_depends_only_on_seeds_clear_of_the_margin():
    def values(*numbers):
        return SeedValues(tuple(range(len(numbers))), np.array(numbers), "change")

    assert lesson.trend(values(-0.1, -0.2, -0.3, -0.4, -0.5), 0.02) == "lower by more than 0.02 in all 5 seeds"
    assert lesson.trend(values(0.0, -0.2, -0.3, -0.4, -0.5), 0.02) == "lower by more than 0.02 in most of the 5 seeds"
    mixed = lesson.trend(values(0.1, 0.2, 0.3, 0.0, 0.0), 0.02)
    assert mixed == "no consistent change by more than 0.02 over the 5 seeds"
    assert lesson.trend(values(3.0, 2.0, 4.0), 1.5, by="2 or more") == "higher by 2 or more in all 3 seeds"
    with pytest.raises(ClaimFailed, match=r"seeds \[0\] lie within 0.005 of ±0.02"):
        lesson.trend(values(-0.021, -0.2, -0.3, -0.4, -0.5), 0.02)


def test_a_claim_about_some_seed_needs_one_clear_of_the_threshold_and_none_near_it():
    def values(*numbers):
        return SeedValues(tuple(range(len(numbers))), np.array(numbers), "change")

    sentence = lesson._in_some_seed(values(0.05, -0.1), 0.01, guard=0.005)
    assert sentence == "change above 0.01 in at least one of the 2 seeds"
    for unsupported in (values(-0.05, -0.1), values(0.05, 0.012)):
        with pytest.raises(ClaimFailed, match="at least one seed"):
            lesson._in_some_seed(unsupported, 0.01, guard=0.005)


def test_the_sweep_and_the_claims_need_what_they_compare():
    with pytest.raises(ValueError, match="at least one rate"):
        lesson.sweep_rates(())
    with pytest.raises(ValueError, match="above 0"):
        lesson.compare_scaling(0.0)


# ---------------------------------------------------------------------------------- the three scalings


def test_compare_scaling_measures_one_trained_network_for_the_mistake_and_the_original():
    table = lesson.compare_scaling(0.5, seed=1, repeats=20)
    assert list(table) == ["inverted", "mistake", "original"]
    # the same training: the same train-phase mean, test phases a factor p apart
    assert table["mistake"]["train_mean"] == table["original"]["train_mean"]
    assert table["original"]["test_mean"] == pytest.approx(0.5 * table["mistake"]["test_mean"])
    assert table["mistake"]["ratio"] == pytest.approx(2.0, rel=0.02)
    assert table["inverted"]["ratio"] == pytest.approx(1.0, rel=0.02)
    for row in table.values():
        assert 0.5 <= row["confidence"] <= 1 and 0 <= row["validation_accuracy"] <= 1
