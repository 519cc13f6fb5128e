"""Lesson 03's teaching claims, each over 5 seeds (split, batch order and first weights) with the notebook's margin.

Every sentence the notebook prints comes from a ``*_claims`` function of ``rnnreg.lessons.batch_norm``, which
raises ``ClaimFailed`` (an AssertionError naming every seed's value) when a seed does not support it. These
tests call the same functions, so a claim that stops holding on some machine fails here too, and pin the
setting each claim is about, so that it cannot pass by testing something easier.
"""

import functools
import math

import numpy as np

from rnnreg import (
    Adam,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    FullyConnected,
    He,
    NeuralNetwork,
    ReLU,
    SoftMax,
)
from rnnreg.data import iris_data_layer
from rnnreg.lessons import batch_norm as lesson
from rnnreg.lessons.claims import SEEDS, over_seeds
from rnnreg.lessons.experiment import seeded
from rnnreg.training import fit


@functools.cache
def runs():
    return lesson.lesson_runs()


@functools.cache
def comparison():
    return lesson.compare_batch_sizes()


@functools.cache
def speeds():
    return tuple(lesson.compare_training_speed(rate, 32) for rate in (lesson.SPEED_SMALL, lesson.SPEED_BEST,
                                                                     lesson.SPEED_LARGE))


def moving_statistics_gaps(seed):
    """The old shared claim's own set-up (batches of 30, 10 epochs, Adam 1e-2): how far the moving averages end."""
    with seeded(seed):
        net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), He(), Constant(0.0))
        net.data_layer = iris_data_layer(batch_size=30, standardize=False, rng=np.random.default_rng(seed))
        net.loss_layer = CrossEntropyLoss()
        batch_norm = BatchNormalization(4)
        for layer in (batch_norm, FullyConnected(4, 8), ReLU(), FullyConnected(8, 3), SoftMax()):
            net.append_layer(layer)
        fit(net, epochs=10)
    train_inputs, _ = net.data_layer.get_train_set()
    mean, std = train_inputs.mean(axis=0), train_inputs.std(axis=0)
    return np.max(np.abs(batch_norm.moving_mean - mean) / std), np.max(np.abs(batch_norm.moving_variance / std**2 - 1))


def test_batch_norm_moving_statistics_converge_to_the_data_statistics():
    gaps = {seed: moving_statistics_gaps(seed) for seed in SEEDS}
    # the moving statistics average raw flowers' batch statistics: another machine moves only their last bits
    over_seeds(lambda seed: gaps[seed][0], name="moving-mean gap in σ").holds(0.15, margin=0.02, above=False)
    over_seeds(lambda seed: gaps[seed][1], name="moving-variance relative gap").holds(0.25, margin=0.02, above=False)


def test_the_claims_are_about_five_seeds_of_the_lesson_setting():
    assert tuple(runs()) == SEEDS == (0, 1, 2, 3, 4)
    for seed, run in runs().items():
        assert run.settings == {"batch_norm": True, "momentum": 0.8, "batch_size": 20, "epochs": 10,
                                "learning_rate": lesson.LEARNING_RATE, "seed": seed}
    assert comparison().seeds == SEEDS
    assert comparison().accuracy_batch_sizes == (2, 20)
    assert set(comparison().spread) == set(lesson.BATCH_SIZES)
    assert [speed.settings for speed in speeds()] == [
        {"learning_rate": rate, "batch_size": 32, "epochs": 3} for rate in (1e-3, 1e-2, 10**-1.25)]
    assert all(speed.seeds == SEEDS for speed in speeds())


def test_moving_averages_estimate_the_training_set_statistics_in_every_seed():
    assert len(lesson.moving_statistics_claims(runs())) == 3


def test_the_two_phases_differ_a_little_on_a_batch_of_twenty():
    assert len(lesson.phase_claims(runs())) == 2


def test_every_batch_size_sees_the_same_flowers():
    for size in lesson.BATCH_SIZES:
        run = lesson.train_batch_norm(True, 0.8, size, epochs=1)
        assert run.samples_seen[-1] == 120 and run.losses.size == 120 // size


def test_small_batches_give_noisy_statistics_and_cost_batch_norm_accuracy_at_equal_flowers_seen():
    assert len(lesson.batch_size_claims(comparison())) == 10
    # the spread follows 1/√B (the finite training set makes it a little smaller for large batches)
    for size in lesson.BATCH_SIZES:
        spread = comparison().extreme(size, "mean_spread", lowest=False)
        assert spread.high < 1.2 / math.sqrt(size)


def test_batch_statistics_at_test_time_make_predictions_depend_on_the_batch_mates():
    assert len(lesson.batch_mates_claims(runs())) == 4


def test_batch_norm_leads_most_where_the_learning_rate_does_not_suit_the_plain_network():
    assert len(lesson.speed_claims(*speeds())) == 5


def test_the_middle_learning_rate_is_about_the_plain_networks_best_on_the_slider():
    """The notebook calls η = 0.01 "about the plain network's best": within 0.03 of the best median on the slider."""
    exponents = np.arange(-4, -0.99, 0.25)  # the dashboard's slider
    medians = {}
    for exponent in exponents:
        values = over_seeds(lambda seed, rate=10.0**exponent: lesson.train_digits(False, rate, 32, seed=seed)
                            ["final_accuracy"])
        medians[exponent] = values.median
    assert medians[-2.0] > max(medians.values()) - 0.03, medians


def test_exercise_one_steps_until_the_first_batch_weighs_less_than_one_percent():
    def steps(share_after):
        return next(k for k in range(1000) if share_after(k) < 0.01)

    assert steps(lambda k: 0.8**k) == 21  # the exercise's convention: starts at the first batch, a = 0.8
    assert steps(lambda k: 0.1 * 0.9**k) == 22  # PyTorch: running mean from 0, momentum 0.1
    assert steps(lambda k: 0.9**k) == 44  # a = 0.9 from the first batch: the old, wrong answer for PyTorch
