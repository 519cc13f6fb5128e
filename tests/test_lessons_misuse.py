"""Issue 13, points 3, 7 and 9 for the lessons: a huge size (hidden units, steps, samples of 10**9) is a clear
ValueError naming the argument and its documented bound instead of a MemoryError or hours of training, and
numbers outside their domain (rates, seeds, counts) are refused naming the argument and the value."""

import re

import pytest

from rnnreg.lessons import all_together, batch_norm, digits_sparsity, dropout, recurrent, regularizers, tour
from rnnreg.lessons.experiment import MAX_RESOLUTION, MAX_STEPS, MAX_UNITS, seeded
from rnnreg.lessons.tour import HIDDEN_UNITS

HUGE = 10**9

# call(value) of one size argument, its name in the message, its bound
SIZES = {
    "tour hidden_units": (lambda v: tour.build_boundary_network(v, 0.2, 1e-2), "hidden_units", MAX_UNITS),
    "tour trained hidden_units": (lambda v: tour.train_boundary_classifier(hidden_units=v, epochs=1), "hidden_units",
                                  MAX_UNITS),
    "tour epochs": (lambda v: tour.train_boundary_classifier(epochs=v), "epochs", MAX_STEPS),
    "tour num_samples": (lambda v: tour.make_dataset("two moons", num_samples=v), "two_moons num_samples", 1_000_000),
    "tour plane resolution": (lambda v: tour.plane_grid(((-1, 1), (-1, 1)), resolution=v), "resolution",
                              MAX_RESOLUTION),
    "regularizers hidden_units": (lambda v: regularizers.build_network(hidden_units=v), "hidden_units", MAX_UNITS),
    "regularizers num_features": (lambda v: regularizers.build_network(num_features=v), "num_features", MAX_UNITS),
    "regularizers steps": (lambda v: regularizers.train_regularized(steps=v, steps_per_epoch=1), "steps", MAX_STEPS),
    "regularizers sweep steps": (lambda v: regularizers.alpha_sweep(steps=v, seeds=(0,)), "steps", MAX_STEPS),
    "regularizers informative": (lambda v: regularizers.train_regularized(steps=10, informative=v), "informative",
                                 60),
    "dropout units": (lambda v: dropout.hidden_activations(units=v), "units", MAX_UNITS),
    "dropout samples": (lambda v: dropout.hidden_activations(samples=v), "samples", 1797),
    "dropout repeats": (lambda v: dropout.dropout_phases(0.5, repeats=v), "repeats", MAX_STEPS),
    "dropout hidden_units": (lambda v: dropout.train_with_dropout(0.5, hidden_units=v, steps=10), "hidden_units",
                             MAX_UNITS),
    "dropout num_features": (lambda v: dropout.build_dropout_network(0.5, num_features=v), "num_features",
                             MAX_UNITS),
    "dropout steps": (lambda v: dropout.train_with_dropout(0.5, steps=v, steps_per_epoch=1), "steps", MAX_STEPS),
    "dropout scaling repeats": (lambda v: dropout.compare_scaling(repeats=v), "repeats", MAX_STEPS),
    "batch_norm epochs": (lambda v: batch_norm.train_batch_norm(epochs=v), "epochs", MAX_STEPS),
    "batch_norm width": (lambda v: batch_norm.build_digits_network(True, 1e-3, width=v), "width", MAX_UNITS),
    "batch_norm digits epochs": (lambda v: batch_norm.train_digits(True, 1e-3, 32, epochs=v), "epochs", MAX_STEPS),
    "recurrent hidden_size": (lambda v: recurrent.recurrent_layer("LSTM", 1, 1, hidden_size=v), "hidden_size",
                              MAX_UNITS),
    "recurrent sine epochs": (lambda v: recurrent.train_sine_predictor(epochs=v), "epochs", MAX_STEPS),
    "recurrent sine num_sequences": (lambda v: recurrent.train_sine_predictor(num_sequences=v, epochs=1),
                                     "noisy_sine num_sequences", 10_000),
    "recurrent sine length": (lambda v: recurrent.train_sine_predictor(length=v, epochs=1), "noisy_sine length",
                              1_000),
    "recurrent gradient delay": (lambda v: recurrent.initial_gradient_norms(v), "delay", 1_000),
    "recurrent gradient hidden_size": (lambda v: recurrent.initial_gradient_norms(5, hidden_size=v), "hidden_size",
                                       MAX_UNITS),
    "recurrent memory delay": (lambda v: recurrent.train_memory_task(delay=v, steps=2), "delay", 1_000),
    "recurrent memory hidden_size": (lambda v: recurrent.train_memory_task(hidden_size=v, steps=2), "hidden_size",
                                     MAX_UNITS),
    "recurrent memory num_sequences": (lambda v: recurrent.train_memory_task(num_sequences=v, steps=2),
                                       "num_sequences", 10_000),
    "recurrent memory steps": (lambda v: recurrent.train_memory_task(steps=v), "steps", MAX_STEPS),
    "live steps": (lambda v: all_together.LiveRun().step(v), "steps", MAX_STEPS),
    "early stopping epochs": (lambda v: all_together.early_stopping_run(epochs=v), "epochs", MAX_STEPS),
    "validation_after steps": (lambda v: all_together.validation_after(2e-3, 0, steps=v), "steps", MAX_STEPS),
    "digits sparsity epochs": (lambda v: digits_sparsity.train_digits_mlp("L1", epochs=v), "epochs", MAX_STEPS),
}


@pytest.mark.parametrize("name", SIZES)
def test_a_huge_size_is_refused_naming_the_argument_and_its_bound(name):
    call, argument, bound = SIZES[name]
    with pytest.raises(ValueError, match=rf"{re.escape(argument)} must be at most {bound:,}, got 1000000000"):
        call(HUGE)


@pytest.mark.parametrize("name", SIZES)
@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (-3, ValueError), (2.5, TypeError)])
def test_a_size_that_is_no_positive_integer_is_refused(name, value, error):
    call, argument, _ = SIZES[name]
    with pytest.raises(error, match=rf"{re.escape(argument)} must be a positive integer, got {value!r}"):
        call(value)


def test_the_tour_dashboard_offers_hidden_units_within_the_documented_bound():
    assert max(HIDDEN_UNITS) <= MAX_UNITS


@pytest.mark.parametrize("rate", [-0.5, 1.0, 1.5, float("nan"), HUGE])
@pytest.mark.parametrize("build", [
    lambda rate: tour.build_boundary_network(4, rate, 1e-2),
    lambda rate: tour.train_boundary_classifier(dropout_rate=rate, epochs=1),
    lambda rate: dropout.dropout_phases(rate),
])
def test_a_dropout_rate_outside_0_1_is_refused_as_a_rate_not_as_a_keep_probability(build, rate):
    with pytest.raises(ValueError, match=rf"dropout rate must be a number in \[0, 1\) .*got {re.escape(repr(rate))}"):
        build(rate)


@pytest.mark.parametrize("build", [
    lambda rate: tour.build_boundary_network(4, rate, 1e-2),
    lambda rate: dropout.dropout_phases(rate),
    lambda rate: dropout.build_dropout_network(rate),
])
def test_a_dropout_rate_that_keeps_too_little_is_refused_as_a_rate(build):
    with pytest.raises(ValueError, match=r"dropout rate must leave a keep probability .* at least 0\.01 .*got 0\.995"):
        build(0.995)


@pytest.mark.parametrize(("seed", "error", "message"), [
    (-1, ValueError, r"seed must be a non-negative integer, got -1"),
    (2.5, TypeError, r"seed must be a non-negative integer, got 2\.5"),
])
@pytest.mark.parametrize("call", [
    lambda seed: tour.train_boundary_classifier(seed=seed, epochs=1),
    lambda seed: dropout.hidden_activations(seed=seed),
    lambda seed: seeded(seed).__enter__(),
])
def test_a_seed_that_is_no_non_negative_integer_is_refused_naming_it(call, seed, error, message):
    with pytest.raises(error, match=message):
        call(seed)


@pytest.mark.parametrize("margin", [-0.5, float("nan")])
def test_a_plane_margin_outside_its_domain_is_refused(margin):
    with pytest.raises(ValueError, match=rf"margin must be .*got {re.escape(repr(margin))}"):
        tour.boundary_plane(margin=margin)


@pytest.mark.parametrize("call", [
    lambda bias: recurrent.recurrent_layer("LSTM", 1, 1, forget_bias=bias),
    lambda bias: recurrent.initial_gradient_norms(5, bias),
    lambda bias: recurrent.train_memory_task("LSTM", forget_bias=bias, steps=2),
])
def test_a_forget_bias_that_is_not_finite_is_refused(call):
    with pytest.raises(ValueError, match=r"forget_bias must be a finite number, got nan"):
        call(float("nan"))


def test_the_live_run_refuses_a_negative_learning_rate_naming_it():
    with pytest.raises(ValueError, match=r"learning rate η must be positive .*got -0\.5"):
        all_together.LiveRun().configure(learning_rate=-0.5)
