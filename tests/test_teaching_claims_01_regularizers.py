"""Lesson 01's teaching claims, each over 5 seeds (data draw and first weights) with the margin the notebook uses.

Every sentence the notebook prints comes from a ``*_claims`` function of ``rnnreg.lessons.regularizers``,
which raises ``ClaimFailed`` (an AssertionError naming every seed's value) when a seed does not support it.
These tests call the same functions, so a claim that stops holding on some machine fails here too; they
also pin the setting the claim is about, so that a claim cannot pass by testing something easier.
"""

import functools

import numpy as np
import pytest

from rnnreg.lessons import regularizers as lesson
from rnnreg.lessons.claims import SEEDS


@functools.cache
def sweep():
    """The lesson's α sweep: no regularization, L1 and L2 on their grids, plain SGD, 5 seeds."""
    return lesson.alpha_sweep()


@functools.cache
def adam_sweep():
    return lesson.alpha_sweep(lesson.ADAM_RULE_ALPHAS, optimizer="Adam")


def runs(label, alpha):
    return sweep().runs[(label, alpha)]


def test_the_claims_are_about_five_seeds_of_the_lesson_setting():
    assert sweep().seeds == SEEDS == (0, 1, 2, 3, 4)
    assert sweep().settings == {"optimizer": "SGD", "learning_rate": 0.02, "steps": 150}
    assert {run.settings["seed"] for run in runs("L1", 0.1)} == set(SEEDS)
    # α = 0 is one shared set of runs: the left end of both curves is the same network
    assert runs("L1", 0.0) is runs("L2", 0.0)


def test_overfitting_and_both_regularizers_help():
    sentences = lesson.overfitting_claims(runs("L1", 0.0), runs("L1", 0.1), runs("L2", 1.0))
    assert len(sentences) == 9
    assert all(sentence.endswith("in all 5 seeds") for sentence in sentences)


def test_the_histograms_l2_is_no_narrower_copy_of_the_bell():
    sentences = lesson.histogram_claims(runs("L1", 0.0), runs("L1", 0.1), runs("L2", 1.0))
    assert any("median |w|" in sentence and "below 0.2" in sentence for sentence in sentences)


def test_exercise_4_at_the_same_alpha_l1_shrinks_the_norm_far_more_than_l2():
    lesson.equal_alpha_claims(runs("L1", 0.0), runs("L1", 0.1), runs("L2", 0.1))


def test_without_regularization_the_weights_are_mostly_their_initialisation():
    sentences = lesson.initialisation_claims(runs("L1", 0.0))
    assert "below 1e-09 in all 5 seeds" in sentences[-1]


def test_l2_shrinks_the_weights_the_data_do_not_support_far_more_the_ridge_picture():
    sentences = lesson.ridge_claims(runs("L1", 0.0), runs("L2", 1.0))
    assert "(1 − ηα)^150 = 0.0483" in sentences[0]


def test_the_exercises_l1_leaves_weights_near_zero_the_proximal_step_at_exactly_zero():
    proximal = lesson.train_over_seeds("L1 proximal", 0.1)
    sentences = lesson.l1_step_claims(runs("L1", 0.1), proximal)
    assert "exactly 0 below 1 %" in sentences[0] and "exactly 0 above 75 %" in sentences[1]


def test_stronger_l1_more_zeros_and_the_informative_features_stand_out():
    lesson.strong_l1_claims(runs("L1", 0.3), runs("L1", 1.0))
    near = [np.median([run.near_zero_fraction() for run in runs("L1", alpha)]) for alpha in (0.01, 0.1, 0.3)]
    assert near == sorted(near)


def test_too_little_and_too_much_regularization_both_lose_the_u_curve():
    sentences = lesson.u_curve_claims(sweep())
    assert [sentence.split(":")[0] for sentence in sentences] == ["L1", "L2"]
    # over-regularized L2 says about 50 : 50 on every validation sample (ln 2 per sample); L1 guesses
    lesson.over_regularization_claims(sweep())


def test_where_l2_enters_same_under_sgd_ten_times_stronger_in_the_gradient_under_momentum():
    sgd, momentum = lesson.compare_l2_rules("SGD", 1.0), lesson.compare_l2_rules("momentum", 1.0)
    ten_times = lesson.train_over_seeds("L2", 10.0, optimizer="momentum")
    lesson.rules_claims(sgd, momentum, ten_times)


def test_under_adam_each_rule_at_its_own_best_alpha():
    sentences = lesson.adam_rules_claims(adam_sweep())
    assert len(sentences) == 6
    # the best α is inside each grid, not at an end: the comparison is at a real optimum of each rule
    for rule in lesson.RULES:
        grid = adam_sweep().alphas[rule]
        assert grid[0] < adam_sweep().best_alpha(rule) < grid[-1]


def test_a_claim_that_the_seeds_do_not_support_fails_loudly():
    from rnnreg.lessons.claims import ClaimFailed

    with pytest.raises(ClaimFailed, match="seed 0"):
        lesson.strong_l1_claims(runs("L1", 0.01), runs("L1", 1.0))
    with pytest.raises(ValueError, match="η·α > 0.01"):
        lesson.strong_l1_claims(runs("L1", 0.3), runs("L1", 0.3))
