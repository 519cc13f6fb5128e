"""Lesson 00's quantitative claims, over seeds 0-4 with margins: what the notebook prints and its prose states.

Each claim function raises ``ClaimFailed`` (an AssertionError) with every seed's value when the seeds do not
support its sentence; these tests also check the margins' meaning where a sentence alone would hide it.
"""

import numpy as np
import pytest

from rnnreg.lessons import tour
from rnnreg.lessons.claims import SEEDS


@pytest.fixture(scope="module")
def iris_runs():
    return tour.iris_runs(SEEDS)


def test_the_iris_network_learns_in_every_seed(iris_runs):
    sentences = tour.iris_claims(iris_runs, "training")
    assert sentences == [
        "net.train(30)'s last loss over its first below 0.75 in all 5 seeds",
        "train accuracy after fit above 0.9 in all 5 seeds",
        "validation accuracy after fit above 0.75 in all 5 seeds",
    ]


def test_batch_norm_means_equal_beta_in_the_train_phase_only_and_the_demonstration_changes_nothing(iris_runs):
    assert tour.iris_claims(iris_runs, "batch norm") == [
        "train phase: largest |channel mean − β| below 1e-09 in all 5 seeds",
        "test phase: largest |channel mean − β| above 0.5 in all 5 seeds",
    ]
    net = tour.build_iris_network(0)
    net.train(5)
    before = net.snapshot()
    gaps = tour.batch_norm_phase_gaps(net, net.data_layer.get_test_set()[0][:5])
    assert gaps["moving_unchanged"] and gaps["copy_moved"]
    for saved, now in zip(before, net.snapshot(), strict=True):
        for name in saved:
            np.testing.assert_array_equal(saved[name], now[name])


def test_a_train_phase_forward_on_the_layer_itself_would_move_its_moving_averages():
    # why the lesson uses a copy: the same forward on the trained layer changes what the test phase uses
    net = tour.build_iris_network(0)
    net.train(5)
    batch_norm = net.layers[1]
    moving_mean = batch_norm.moving_mean.copy()
    net.phase = "train"
    batch_norm.forward(net.layers[0].forward(net.data_layer.get_test_set()[0][:5]))
    assert np.max(np.abs(batch_norm.moving_mean - moving_mean)) > 1e-3


@pytest.fixture(scope="module")
def spirals():
    return tour.spirals_values(SEEDS)


def test_capacity_and_phases_on_the_spirals(spirals):
    assert tour.spirals_claims(spirals) == [
        "spirals, 32 hidden units: train accuracy above 0.95 in all 5 seeds",
        "spirals, 32 hidden units: test accuracy above 0.9 in all 5 seeds",
        "spirals, 32 hidden units: |test accuracy in the train phase − in the test phase| below 0.05 in all 5 seeds",
        "spirals, 2 hidden units: train accuracy below 0.85 in all 5 seeds",
    ]
    # "two units are too few, 32 follow the arms": the gap is wide in every seed, not only on average
    gain = spirals["wide train"].values - spirals["narrow train"].values
    assert gain.min() > 0.15


def test_dropout_frays_the_boundary_and_a_tiny_learning_rate_stalls_on_the_two_moons():
    assert tour.moons_claims(tour.moons_values(SEEDS)) == [
        "two moons: final training loss at η = 0.0001 over the one at η = 0.01 above 5 in all 5 seeds",
        "two moons: class changes between neighbouring grid points, train phase over test phase above 2 in all "
        "5 seeds",
    ]


def test_without_dropout_both_phases_draw_the_same_boundary_in_every_seed():
    for seed in SEEDS:
        trained = tour.train_boundary_classifier("two moons", 1e-2, 16, 0.0, seed=seed)
        view = tour.boundary_view(trained, "train", seed=seed)
        assert view["changed_fraction"] == 0.0
        assert view["train_flips"] == view["test_flips"]
