"""Issue 13, point 7 for the data: degenerate input to data layers and generators gives a clear error naming the
argument and the value, never a MemoryError, a NumPy error or a silently odd data set."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg.data import (
    ArrayDataLayer,
    FixedSplitDataLayer,
    adding_problem,
    concentric_circles,
    delayed_recall,
    iris_data_layer,
    noisy_sine,
    one_hot,
    overfitting_set,
    sequence_data_layer,
    spirals,
    two_moons,
    xor,
)


def problem(samples=20, features=3, seed=0):
    inputs = np.random.default_rng(seed).normal(size=(samples, features))
    return inputs, np.arange(samples) % 2


# ------------------------------------------------------------------------------------------ data layers


@pytest.mark.parametrize("labels", [np.zeros(20, dtype=int), np.ones((20, 1))])
def test_labels_of_a_single_class_are_refused(labels):
    inputs, _ = problem()
    with pytest.raises(ValueError, match=r"ArrayDataLayer labels must name at least 2 classes .*got num_classes=1"):
        ArrayDataLayer(inputs, labels, 4)


def test_one_present_class_is_accepted_when_num_classes_names_the_others():
    inputs, _ = problem()
    layer = ArrayDataLayer(inputs, np.zeros(20, dtype=int), 4, num_classes=2, test_fraction=0.0)
    assert layer.num_classes == 2 and layer.next()[1].shape == (4, 2)


def test_num_classes_1_is_refused():
    inputs, _ = problem()
    with pytest.raises(ValueError, match=r"at least 2 classes .*got num_classes=1"):
        ArrayDataLayer(inputs, np.zeros(20, dtype=int), 4, num_classes=1)


@pytest.mark.parametrize("build", [
    lambda: ArrayDataLayer(*problem(), 4, num_classes=10**9),
    lambda: one_hot(np.array([0, 1]), 10**9),
])
def test_a_huge_number_of_classes_is_refused_instead_of_exhausting_memory(build):
    with pytest.raises(ValueError, match=r"num_classes must be at most 10,000, got 1000000000"):
        build()


@pytest.mark.parametrize("fraction", [1e-9, 0.01])
def test_a_validation_fraction_that_gives_no_sample_is_refused(fraction):
    with pytest.raises(ValueError, match=rf"validation_fraction={fraction!r} of 20 samples gives no validation sample"):
        ArrayDataLayer(*problem(), 4, validation_fraction=fraction)


@pytest.mark.parametrize(("fraction", "message"), [
    (1.0, r"validation_fraction must be in \[0, 1\), got 1\.0"),
    (-0.1, r"validation_fraction must be in \[0, 1\), got -0\.1"),
    (float("nan"), r"validation_fraction must be a finite number, got nan"),
])
def test_validation_fractions_outside_0_1_are_refused(fraction, message):
    with pytest.raises(ValueError, match=message):
        ArrayDataLayer(*problem(), 4, validation_fraction=fraction)


def test_a_batch_larger_than_the_training_set_with_drop_last_is_refused():
    with pytest.raises(ValueError, match=r"batch_size must be at most the training set size \(16\) with "
                                         r"drop_last=True, got 1000"):
        ArrayDataLayer(*problem(), 1000, drop_last=True)


@settings(max_examples=40, deadline=None)
@given(samples=st.integers(4, 40), cut=st.integers(1, 38))
def test_inputs_and_labels_of_different_lengths_are_refused(samples, cut):
    inputs, labels = problem(samples)
    shorter = labels[: samples - 1 - cut % (samples - 2)]  # at least 2 labels (both classes), fewer than samples
    with pytest.raises(ValueError, match=rf"same number of samples, got {samples} inputs and {shorter.size} labels"):
        ArrayDataLayer(inputs, shorter, 1)


@settings(max_examples=40, deadline=None)
@given(row=st.integers(0, 19), value=st.sampled_from([0.5, 2.0, -1.0, np.nan, 1e-9]))
def test_labels_that_are_not_one_hot_are_refused(row, value):
    inputs, labels = problem()
    encoded = np.eye(2)[labels]
    encoded[row, labels[row]] = value
    with pytest.raises(ValueError, match=r"labels of shape \(N, K\) must be one-hot"):
        ArrayDataLayer(inputs, encoded, 4)


@settings(max_examples=40, deadline=None)
@given(row=st.integers(0, 19), column=st.integers(0, 2), value=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_nan_or_infinity_in_the_inputs_is_refused(row, column, value):
    inputs, labels = problem()
    inputs[row, column] = value
    with pytest.raises(ValueError, match=r"ArrayDataLayer inputs must be finite, got NaN or infinity"):
        ArrayDataLayer(inputs, labels, 4)


@pytest.mark.parametrize("build", [
    lambda: ArrayDataLayer(np.zeros((0, 3)), np.zeros(0, dtype=int), 4),
    lambda: sequence_data_layer(np.zeros((0, 5, 1)), np.zeros((0, 5, 1)), 4),
])
def test_empty_data_is_refused(build):
    with pytest.raises(ValueError, match=r"needs at least one sample, got empty labels"):
        build()


def test_a_fixed_split_with_nan_or_mismatched_sets_is_refused():
    inputs, labels = problem()
    with pytest.raises(ValueError, match=r"inputs must be finite"):
        FixedSplitDataLayer(np.full_like(inputs, np.nan), labels, inputs, labels, num_classes=2)
    with pytest.raises(ValueError, match=r"got 20 inputs and 5 labels"):
        FixedSplitDataLayer(inputs, labels[:5], inputs, labels, num_classes=2)


def test_iris_with_a_batch_size_of_0_is_refused():
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer, got 0"):
        iris_data_layer(0)


# ------------------------------------------------------------------------------------------- generators

GENERATORS = {
    "two_moons num_samples": (lambda n: two_moons(n, rng=0), "two_moons num_samples", "1,000,000"),
    "spirals num_samples": (lambda n: spirals(n, rng=0), "spirals num_samples", "1,000,000"),
    "xor num_samples": (lambda n: xor(n, rng=0), "xor num_samples", "1,000,000"),
    "circles num_samples": (lambda n: concentric_circles(n, rng=0), "concentric_circles num_samples", "1,000,000"),
    "noisy_sine num_sequences": (lambda n: noisy_sine(n, 10, rng=0), "noisy_sine num_sequences", "10,000"),
    "noisy_sine length": (lambda n: noisy_sine(4, n, rng=0), "noisy_sine length", "1,000"),
    "delayed_recall num_sequences": (lambda n: delayed_recall(n, 5, rng=0), "delayed_recall num_sequences", "10,000"),
    "delayed_recall delay": (lambda n: delayed_recall(4, n, rng=0), "delayed_recall delay", "1,000"),
    "adding_problem num_sequences": (lambda n: adding_problem(n, 5, rng=0), "adding_problem num_sequences", "10,000"),
    "adding_problem length": (lambda n: adding_problem(4, n, rng=0), "adding_problem length", "1,000"),
    "overfitting_set num_train": (lambda n: overfitting_set(num_train=n, rng=0), "overfitting_set num_train",
                                  "1,000,000"),
    "overfitting_set num_features": (lambda n: overfitting_set(num_features=n, rng=0),
                                     "overfitting_set num_features", "10,000"),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_a_huge_size_is_refused_naming_the_argument_and_its_bound(name):
    generate, argument, bound = GENERATORS[name]
    with pytest.raises(ValueError, match=rf"{argument} must be at most {bound}, got 1000000000"):
        generate(10**9)


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)])
def test_a_size_that_is_no_positive_integer_is_refused(name, value, error):
    generate, argument, _ = GENERATORS[name]
    with pytest.raises(error, match=rf"{argument} must be a positive integer, got {value!r}"):
        generate(value)


def test_an_overfitting_set_too_large_in_total_is_refused():
    with pytest.raises(ValueError, match=r"overfitting_set would hold .* = 400000 x 10000 numbers, more than"):
        overfitting_set(num_train=200_000, num_validation=200_000, num_features=10_000, rng=0)
