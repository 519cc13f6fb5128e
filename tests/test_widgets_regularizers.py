"""Lesson 01 (L1 and L2): the experiments behind the dashboards, and the dashboards driven without a browser."""

import functools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with

from rnnreg import L1Regularizer, L2Regularizer
from rnnreg.data import overfitting_set
from rnnreg.lessons.overfitting import FixedSplitDataLayer, overfitting_data_layer
from rnnreg.widgets import regularizers
from rnnreg.widgets.regularizers import (
    STEPS_PER_EPOCH,
    THRESHOLD,
    L2RulesDashboard,
    RegularizerDashboard,
    compare_l2_rules,
    largest_weight_difference,
    make_regularizer,
    train_regularized,
)


@functools.cache
def _cached_run(regularizer, alpha, learning_rate, options):
    return train_regularized(regularizer, alpha, learning_rate, **dict(options))


def run(regularizer, alpha, learning_rate=None, **options):
    """``train_regularized`` shared by every test of this file (each setting trains once)."""
    if options.get("data") is not None:
        return train_regularized(regularizer, alpha, learning_rate, **options)
    options.pop("data", None)
    return _cached_run(regularizer, alpha, learning_rate, tuple(sorted(options.items())))


@pytest.fixture(autouse=True)
def _share_trained_runs(monkeypatch):
    """The dashboards train through ``run``: the same settings never train twice in this file."""
    monkeypatch.setattr(regularizers, "train_regularized", run)


@pytest.fixture(scope="module")
def shared_dashboard():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(regularizers, "train_regularized", run)
        yield RegularizerDashboard()


@functools.cache
def rules(optimizer, alpha=1.0):
    return compare_l2_rules(optimizer, alpha)


def png(dashboard):
    return bytes(dashboard.image.value)


# ------------------------------------------------------------------------------------ building blocks


def test_make_regularizer_maps_the_controls_to_the_exercise_classes():
    assert make_regularizer("none", 0.3) is None
    assert make_regularizer("L1", 0.0) is None  # the strength slider's "off"
    assert isinstance(make_regularizer("L1", 0.1), L1Regularizer)
    l2 = make_regularizer("L2", 0.5)
    assert isinstance(l2, L2Regularizer) and l2.alpha == 0.5
    with pytest.raises(ValueError, match="regularizer must be one of"):
        make_regularizer("L3", 0.1)
    with pytest.raises(ValueError, match="strength α must be a finite number >= 0"):
        make_regularizer("L2", -1.0)
    with pytest.raises(ValueError, match="strength α"):
        make_regularizer("L2", float("nan"))


def test_the_l2_convention_the_lesson_states_gradient_is_half_the_derivative_of_the_norm():
    weights = np.array([[0.5, -1.5], [2.0, 0.25]])
    l2 = L2Regularizer(0.3)
    assert l2.norm(weights) == pytest.approx(0.3 * np.sum(weights**2))
    step = 1e-6
    derivative = np.zeros_like(weights)
    for index in np.ndindex(weights.shape):
        shifted = weights.copy()
        shifted[index] += step
        derivative[index] = (l2.norm(shifted) - l2.norm(weights)) / step
    np.testing.assert_allclose(derivative, 2 * l2.calculate_gradient(weights), rtol=1e-4)


def test_the_data_layer_keeps_the_generators_own_split():
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=3)
    layer = overfitting_data_layer(3)
    assert isinstance(layer, FixedSplitDataLayer)
    inputs, labels = layer.get_train_set()
    order = np.lexsort(inputs.T)
    expected = np.lexsort(train_x.T)
    np.testing.assert_array_equal(inputs[order], train_x[expected])
    np.testing.assert_array_equal(labels.argmax(axis=1)[order], train_y[expected])
    held_x, held_y = layer.get_validation_set()
    np.testing.assert_array_equal(held_x, validation_x)
    np.testing.assert_array_equal(held_y.argmax(axis=1), validation_y)
    batch, _ = layer.next()
    assert batch.shape == train_x.shape  # full batches


def test_empty_data_is_rejected_with_a_message():
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    with pytest.raises(ValueError, match="training set is empty"):
        train_regularized("L1", 0.1, data=(train_x[:0], train_y[:0], validation_x, validation_y))
    with pytest.raises(ValueError, match="validation set is empty"):
        train_regularized("L1", 0.1, data=(train_x, train_y, validation_x[:0], validation_y[:0]))


# ------------------------------------------------------------------------------ what the lesson claims


def test_without_regularization_the_net_memorises_the_training_set():
    plain = run("none", 0.0)
    assert plain.train_accuracy == 1.0
    assert plain.gap > 0.15
    assert plain.near_zero_fraction() < 0.1
    assert plain.history.num_epochs == plain.settings["steps"] // STEPS_PER_EPOCH


def test_more_l1_drives_more_weights_to_zero():
    fractions = [run("L1", alpha).near_zero_fraction() for alpha in (0.01, 0.1, 0.3)]
    assert fractions == sorted(fractions)
    assert fractions[-1] > 0.9
    assert run("L1", 0.1).near_zero_fraction() > 5 * run("none", 0.0).near_zero_fraction()


def test_l1_makes_weights_sparse_where_l2_shrinks_them_all():
    plain, l1, l2 = run("none", 0.0), run("L1", 0.1), run("L2", 1.0)
    assert l2.weight_norm() < 0.4 * plain.weight_norm()
    assert l1.near_zero_fraction() > 2 * l2.near_zero_fraction()
    # L1 keeps the informative inputs' weights and silences the noise inputs'
    assert l1.informative_ratio() > 2.5
    assert plain.informative_ratio() < 1.5
    assert l1.feature_sizes().shape == (60,)


def test_both_regularizers_narrow_the_train_validation_gap():
    plain = run("none", 0.0)
    for regularized in (run("L1", 0.1), run("L2", 1.0)):
        assert regularized.train_accuracy == 1.0
        assert regularized.validation_accuracy > plain.validation_accuracy + 0.02
        assert regularized.gap < plain.gap - 0.02


def test_training_is_deterministic_and_leaves_the_global_random_state_alone():
    state = np.random.get_state()
    first = train_regularized("L1", 0.1, steps=30, steps_per_epoch=15)
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(state[1:2], after[1:2], strict=True))
    second = train_regularized("L1", 0.1, steps=30, steps_per_epoch=15)
    for a, b in zip(first.weights, second.weights, strict=True):
        np.testing.assert_array_equal(a, b)
        assert not a.flags.writeable


def test_bad_step_counts_are_rejected():
    with pytest.raises(ValueError, match="multiple of steps_per_epoch"):
        train_regularized("L1", 0.1, steps=31, steps_per_epoch=15)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        train_regularized("L1", 0.1, steps=0)


def test_under_plain_sgd_decoupled_decay_and_l2_in_the_gradient_are_the_same():
    runs = rules("SGD")
    assert largest_weight_difference(runs["decoupled"], runs["into gradient"]) < 1e-9
    np.testing.assert_allclose(runs["decoupled"].norms, runs["into gradient"].norms, rtol=1e-9)


def test_under_momentum_l2_in_the_gradient_acts_like_ten_times_stronger_decay():
    runs = rules("momentum")
    coupled, decoupled = runs["into gradient"].weight_norm(), runs["decoupled"].weight_norm()
    assert coupled < 0.5 * decoupled
    # the velocity sums the gradient form over about 1/(1 − μ) = 10 steps; the shrinkage outside it is not summed
    ten_times = run("L2", 10.0, optimizer="momentum")
    assert ten_times.weight_norm() == pytest.approx(coupled, rel=0.03)


def test_under_adam_the_two_rules_differ():
    runs = rules("Adam")
    assert largest_weight_difference(runs["decoupled"], runs["into gradient"]) > 0.1
    assert runs["into gradient"].weight_norm() < 0.6 * runs["decoupled"].weight_norm()
    assert runs["none"].weight_norm() > runs["decoupled"].weight_norm()
    assert runs["into gradient"].norms.shape == runs["into gradient"].norm_steps.shape


# ---------------------------------------------------------------------------------------- dashboards


def test_regularizer_dashboard_shows_l1_sparsity_in_title_and_status(shared_dashboard):
    dashboard = shared_dashboard
    dashboard.set(regularizer="L1", alpha=0.1, learning_rate=1e-2)
    assert png(dashboard).startswith(b"\x89PNG")
    assert dashboard.last_error is None
    title = dashboard.figure._suptitle.get_text()
    assert title.startswith("L1 (α = 0.1) drives")
    assert f"{run('L1', 0.1).near_zero_fraction():.0%}" in title
    assert "near-zero weights (|w| ≤ 0.01)" in dashboard.status.value


def test_regularizer_dashboard_every_control_changes_the_picture_and_trained_runs_are_reused(shared_dashboard):
    dashboard = shared_dashboard
    dashboard.set(regularizer="L1", alpha=0.1, learning_rate=1e-2)
    pictures = {png(dashboard)}
    dashboard.controls["regularizer"].value = "L2"
    assert dashboard.last_data["run"].settings["regularizer"] == "L2"
    assert dashboard.figure._suptitle.get_text().startswith("L2 (α = 0.1) shrinks all weights")
    pictures.add(png(dashboard))
    dashboard.controls["alpha"].value = 1.0
    assert dashboard.last_data["run"].weight_norm() < dashboard.last_data["baseline"].weight_norm()
    pictures.add(png(dashboard))
    dashboard.controls["regularizer"].value = "none"
    assert dashboard.figure._suptitle.get_text().startswith("No regularization")
    pictures.add(png(dashboard))
    dashboard.controls["learning_rate"].value = 10**-2.5
    assert dashboard.last_data["run"].settings["learning_rate"] == pytest.approx(10**-2.5)
    pictures.add(png(dashboard))
    assert len(pictures) == 5
    assert len(dashboard.axes["histogram"].patches) + len(dashboard.axes["features"].patches) > 60
    trained = dashboard.trainings
    dashboard.set(regularizer="L2", alpha=1.0, learning_rate=1e-2)  # seen before: nothing is retrained
    assert dashboard.trainings == trained


def test_regularizer_dashboard_more_l1_shows_more_zeros(shared_dashboard):
    params = {"regularizer": "L1", "learning_rate": 1e-2}
    few = shared_dashboard.compute({**params, "alpha": 0.01})["run"].near_zero_fraction(THRESHOLD)
    many = shared_dashboard.compute({**params, "alpha": 0.3})["run"].near_zero_fraction(THRESHOLD)
    assert many > few + 0.5


def test_regularizer_dashboard_reports_bad_settings_instead_of_raising(shared_dashboard):
    dashboard = shared_dashboard
    picture = png(dashboard)
    refresh_with(dashboard, {"regularizer": "L1", "alpha": 0.1, "learning_rate": float("nan")})
    assert "Cannot show this setting" in dashboard.status.value
    assert "learning rate must be a finite number" in dashboard.status.value
    assert png(dashboard) == picture


def test_regularizer_dashboard_with_an_empty_data_set_shows_a_message():
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    dashboard = RegularizerDashboard(data=(train_x[:0], train_y[:0], validation_x, validation_y))
    assert "training set is empty" in dashboard.status.value
    assert isinstance(dashboard.last_error, ValueError)


def test_l2_rules_dashboard_drives_optimizer_and_strength():
    dashboard = L2RulesDashboard()
    assert dashboard.figure._suptitle.get_text().startswith("Adam: final ‖W‖₂")
    dashboard.controls["optimizer"].value = "SGD"
    assert dashboard.figure._suptitle.get_text().startswith("Plain SGD: both rules give the same weights")
    assert "largest weight difference between the rules" in dashboard.status.value
    dashboard.controls["optimizer"].value = "momentum"
    strong = dashboard.last_data["into gradient"].weight_norm()
    dashboard.controls["alpha"].value = 0.1
    weak = dashboard.last_data["into gradient"].weight_norm()
    assert weak > strong
    norm_ax, accuracy_ax = dashboard.axes
    assert len(norm_ax.lines) == 3 and len(accuracy_ax.lines) == 3
    assert png(dashboard).startswith(b"\x89PNG")


def test_l2_rules_dashboard_reports_bad_settings_instead_of_raising():
    dashboard = L2RulesDashboard()
    refresh_with(dashboard, {"optimizer": "RMSprop", "alpha": 1.0})
    assert "optimizer must be one of" in dashboard.status.value
    refresh_with(dashboard, {"optimizer": "SGD", "alpha": float("inf")})
    assert "strength α" in dashboard.status.value
