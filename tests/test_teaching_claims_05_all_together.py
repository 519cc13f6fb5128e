"""Lesson 05's quantitative claims, over seeds 0-4 with margins: what the notebook prints and its prose states.

Each claim function raises ``ClaimFailed`` (an AssertionError) with every seed's value when the seeds do not
support its sentence.
"""

import numpy as np
import pytest

from rnnreg import L2Regularizer
from rnnreg.lessons import all_together
from rnnreg.lessons.claims import SEEDS


@pytest.fixture(scope="module")
def schedule():
    return all_together.schedule_over_seeds(SEEDS)


def test_at_the_start_the_regularization_loss_is_a_thin_line_and_the_weights_grow(schedule):
    assert all_together.schedule_claims(schedule, "start") == [
        "validation accuracy after 80 steps above 0.75 in all 5 seeds",
        "data loss over regularization loss at α = 0.01 above 100 in all 5 seeds",
        "RMS of the FC weights after 80 steps over the initial RMS above 1 in all 5 seeds",
    ]


def test_a_hundredfold_alpha_jumps_the_reported_norm_at_once_and_shrinks_the_weights_slowly(schedule):
    assert all_together.schedule_claims(schedule, "strong L2") == [
        "regularization loss at the first step with α = 1 over the step before between 95 and 105 in all 5 seeds",
        "RMS of the FC weights after 40 steps at α = 1 over the RMS before below 1 in all 5 seeds",
        "that RMS over the RMS of the same run left at α = 0.01 below 0.95 in all 5 seeds",
    ]


def test_heavy_dropout_raises_the_training_loss_but_hardly_moves_the_validation_accuracy(schedule):
    assert all_together.schedule_claims(schedule, "high dropout") == [
        "mean data loss of the last 20 steps over the 20 before dropout rate 0.9 above 2 in all 5 seeds",
        "|change of the validation accuracy| over the 40 steps at dropout rate 0.9 below 0.05 in all 5 seeds",
    ]


def test_the_exercise_learning_rates(schedule):
    values = all_together.learning_rate_values(SEEDS)
    assert all_together.learning_rate_claims(values) == [
        "validation accuracy after 80 steps at η = 0.05 above 0.9 in all 5 seeds",
        "validation accuracy after 80 steps at η = 0.5 below 0.7 in all 5 seeds",
        "validation accuracy after 80 steps at η = 5 below 0.3 in all 5 seeds",
    ]
    # "0.05 speeds learning up": faster than the start's η = 0.002 in every seed, by a clear step
    start = np.array([schedule[seed].start["validation_accuracy"] for seed in SEEDS])
    assert np.min(values[5e-2].values - start) > 0.03


def test_the_reported_l2_norm_is_twice_the_penalty_whose_gradient_the_update_uses():
    # the factor of two the lesson explains: norm α Σ w², gradient α w = d/dw (α/2 Σ w²)
    regularizer, weights, h = L2Regularizer(0.3), np.array([[0.5, -1.5], [2.0, 0.25]]), 1e-6
    bump = np.zeros_like(weights)
    bump[0, 0] = h
    slope_of_norm = (regularizer.norm(weights + bump) - regularizer.norm(weights - bump)) / (2 * h)
    assert slope_of_norm == pytest.approx(2 * regularizer.calculate_gradient(weights)[0, 0], rel=1e-6)


@pytest.fixture(scope="module")
def stopping():
    return all_together.early_stopping_over_seeds(SEEDS)


def test_early_stopping_stops_near_the_validation_minimum_and_keeps_the_weights_nearer_their_start(stopping):
    assert all_together.early_stopping_claims(stopping) == [
        "full run: final validation loss over its lowest above 1.1 in all 5 seeds",
        "full run: final training loss over the one at the lowest validation loss below 0.05 in all 5 seeds",
        "early stopping's validation loss over the full run's lowest below 1.02 in all 5 seeds",
        "the full run's final validation loss over early stopping's above 1.1 in all 5 seeds",
        "epoch at which early stopping stopped between 15 and 66 in all 5 seeds (of 200 planned)",
        "‖W − W₀‖ of the early-stopped net over the full run's below 0.85 in all 5 seeds",
        "validation accuracy gained by stopping early (over the full run's) below 0.02 in all 5 seeds",
    ]
    for run in stopping.values():  # it stops `patience` epochs after the epoch it restores
        assert run.stop_epoch == run.best_epoch + all_together.PATIENCE
