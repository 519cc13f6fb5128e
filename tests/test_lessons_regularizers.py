"""Lesson 01's experiment functions: building, the proximal step, one training, sweeps, argument checks."""

import numpy as np
import pytest

from rnnreg import L1Regularizer, L2Regularizer, Sgd
from rnnreg.data import overfitting_set
from rnnreg.lessons import regularizers as lesson
from rnnreg.lessons.regularizers import (
    ProximalSgd,
    alpha_sweep,
    make_regularizer,
    train_over_seeds,
    train_regularized,
    unseen_part,
)

SHORT = {"steps": 20, "steps_per_epoch": 10}


def test_make_regularizer_maps_the_controls_to_the_exercise_classes():
    assert make_regularizer("none", 0.3) is None
    assert make_regularizer("L1", 0.0) is None  # the strength slider's "off"
    assert make_regularizer("L1 proximal", 0.1) is None  # a step of its own, not a shrinkage the optimizer adds
    assert isinstance(make_regularizer("L1", 0.1), L1Regularizer)
    l2 = make_regularizer("L2", 0.5)
    assert isinstance(l2, L2Regularizer) and l2.alpha == 0.5
    with pytest.raises(ValueError, match="regularizer must be one of"):
        make_regularizer("L3", 0.1)
    with pytest.raises(ValueError, match="strength α must be non-negative, got -1.0"):
        make_regularizer("L2", -1.0)
    with pytest.raises(ValueError, match="strength α"):
        make_regularizer("L2", float("nan"))
    with pytest.raises(TypeError, match="strength α must be a real number, got True"):
        make_regularizer("L2", True)


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


def test_the_proximal_step_soft_thresholds_after_the_data_step():
    optimizer = ProximalSgd(0.1, 0.5)  # threshold η·α = 0.05
    weights = np.array([1.0, -1.0, 0.03, -0.02, 0.2])
    gradient = np.array([0.0, 0.0, 0.0, 0.0, 1.0])  # the last one: data step to 0.1, then 0.05 off
    np.testing.assert_allclose(optimizer.calculate_update(weights, gradient), [0.95, -0.95, 0.0, 0.0, 0.05])
    assert optimizer.calculate_update(weights, gradient)[2] == 0.0  # exactly, not nearly
    # the exercise's subgradient step jumps across zero instead: 0.03 - 0.05 = -0.02
    subgradient = Sgd(0.1)
    subgradient.add_regularizer(L1Regularizer(0.5))
    np.testing.assert_allclose(subgradient.calculate_update(weights, gradient)[2:4], [-0.02, 0.03])
    assert weights[2] == 0.03  # the caller's array is left alone
    assert optimizer.config() == {"learning_rate": 0.1, "alpha": 0.5}


def test_the_proximal_step_is_plain_sgds_only():
    with pytest.raises(ValueError, match="optimizer must be 'SGD', got 'Adam'"):
        lesson.build_network("L1 proximal", 0.1, optimizer="Adam")
    with pytest.raises(ValueError, match="into_gradient=True"):
        lesson.build_network("L1 proximal", 0.1, into_gradient=True)
    with pytest.raises(ValueError, match="strength α"):
        ProximalSgd(0.1, -0.5)


def test_a_run_records_its_evaluations_and_hands_out_read_only_arrays():
    run = train_regularized("L2", 1.0, **SHORT)
    np.testing.assert_array_equal(run.steps, [0, 10, 20])
    for series in (run.train_accuracies, run.validation_accuracies, run.validation_losses, run.norms):
        assert series.shape == (3,) and not series.flags.writeable
    assert run.norms[0] == pytest.approx(run.initial_norm())
    assert run.norms[-1] == pytest.approx(run.weight_norm())
    assert [w.shape for w in run.weights] == [(61, 32), (33, 2)]
    assert not run.weights[0].flags.writeable and not run.initial_weights[0].flags.writeable
    assert run.feature_sizes().shape == (60,)
    assert run.validation_loss == run.validation_losses[-1]
    assert run.gap == pytest.approx(run.train_accuracy - run.validation_accuracy)


def test_the_unseen_part_is_what_no_training_row_can_see():
    train_x, _, _, _ = overfitting_set(rng=0)
    weights = np.random.default_rng(0).normal(size=(61, 5))
    unseen = unseen_part(weights, train_x)
    rows = np.hstack([train_x, np.ones((len(train_x), 1))])
    np.testing.assert_allclose(rows @ unseen, 0.0, atol=1e-10)  # orthogonal to every training row
    np.testing.assert_allclose(unseen_part(unseen, train_x), unseen, atol=1e-10)  # a projection


def test_training_is_deterministic_and_leaves_the_global_random_state_alone():
    state = np.random.get_state()
    first = train_regularized("L1", 0.1, **SHORT)
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2] == after[2]
    second = train_regularized("L1", 0.1, **SHORT)
    for a, b in zip(first.weights, second.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_seed_draws_the_data_and_the_first_weights():
    runs = train_over_seeds("none", 0.0, seeds=(0, 1), **SHORT)
    assert [run.settings["seed"] for run in runs] == [0, 1]
    assert not np.array_equal(runs[0].initial_weights[0], runs[1].initial_weights[0])
    with pytest.raises(ValueError, match="seeds must name at least one seed"):
        train_over_seeds("none", 0.0, seeds=())


def test_bad_settings_and_data_are_rejected_with_a_message():
    with pytest.raises(ValueError, match="multiple of steps_per_epoch"):
        train_regularized("L1", 0.1, steps=31, steps_per_epoch=15)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        train_regularized("L1", 0.1, steps=0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        train_regularized("L1", 0.1, optimizer="RMSprop")
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    with pytest.raises(ValueError, match="training set is empty"):
        train_regularized("L1", 0.1, data=(train_x[:0], train_y[:0], validation_x, validation_y))
    with pytest.raises(ValueError, match="validation set is empty"):
        train_regularized("L1", 0.1, data=(train_x, train_y, validation_x[:0], validation_y[:0]))


def test_divergence_is_reported_as_a_value_error_naming_the_steps():
    with pytest.raises(ValueError, match=r"steps 1 to 10: .*loss is nan.*learning rate 1e\+300"):
        train_regularized("none", 0.0, 1e300, **SHORT)


def test_a_sweep_trains_each_setting_once_and_shares_no_regularization():
    sweep = alpha_sweep({"L1": (0.1, 0.0), "decoupled": (0.0, 1.0), "L2": (1.0,)}, seeds=(0, 1), steps=20)
    assert sweep.alphas == {"L1": (0.0, 0.1), "decoupled": (0.0, 1.0), "L2": (1.0,)}
    assert sweep.runs[("L1", 0.0)] is sweep.runs[("decoupled", 0.0)]
    assert sweep.runs[("L2", 1.0)] is sweep.runs[("decoupled", 1.0)]  # the same network: L2 by the exercise's rule
    alphas, values = sweep.values("L1", "near_zero_fraction")
    np.testing.assert_array_equal(alphas, [0.0, 0.1])
    assert values.shape == (2, 2)
    assert sweep.best_alpha("L1", "near_zero_fraction", lowest=False) == 0.1
    with pytest.raises(ValueError, match="sweep label must be one of"):
        alpha_sweep({"L3": (0.1,)}, seeds=(0,))
    with pytest.raises(ValueError, match=r"alphas\['L1'\] must hold at least one α"):
        alpha_sweep({"L1": ()}, seeds=(0,))


def test_compare_l2_rules_gives_each_rule_its_own_alpha_when_asked():
    runs = lesson.compare_l2_rules("momentum", {"decoupled": 10.0, "into gradient": 1.0}, seeds=(0, 1), steps=20)
    assert set(runs) == set(lesson.RULES)
    decoupled, coupled = runs["decoupled"], runs["into gradient"]
    assert decoupled[0].settings["alpha"] == 10.0 and coupled[1].settings["alpha"] == 1.0
    assert coupled[0].settings["into_gradient"] and not decoupled[0].settings["into_gradient"]
    assert [run.settings["seed"] for run in decoupled] == [0, 1]


def test_findings_state_ranges_over_the_seeds_shown():
    runs = {name: train_over_seeds(name, alpha, seeds=(0, 1), **SHORT)
            for name, alpha in (("none", 0.0), ("L1", 1.0), ("L1 proximal", 0.1), ("L2", 1.0))}
    text = lesson.regularizer_finding(runs["L1"], runs["none"])
    assert text.startswith("L1 (α = 1), 2 seeds:") and "of 2 seeds" in text
    assert "η·α = 0.02 > 0.01" in text  # subgradient steps larger than what the lesson calls near zero
    assert "exactly zero" in lesson.regularizer_finding(runs["L1 proximal"], runs["none"])
    assert "informative features' weights" in lesson.regularizer_finding(runs["L2"], runs["none"])
    assert lesson.regularizer_finding(runs["none"], runs["none"]).startswith("No regularization (2 seeds)")
