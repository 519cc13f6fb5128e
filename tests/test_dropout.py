"""Dropout: inverted dropout with p = fraction kept, identity at test time."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg.gradcheck import check_gradients
from rnnreg.layers.dropout import Dropout

# The exercise's own checks ---------------------------------------------------------------------------------


def test_exercise_forward_on_ones_gives_zeros_and_twos_with_column_means_near_one():
    layer = Dropout(0.5)
    output = layer.forward(np.ones((10000, 10)))
    assert np.max(output) == 2
    assert np.min(output) == 0
    # Each column mean has standard deviation sqrt((1 - p) / (p * 10000)) = 0.01: 5 of them is generous.
    np.testing.assert_allclose(np.mean(output, axis=0), 1.0, atol=0.05)


def test_exercise_zeros_of_forward_and_backward_are_at_the_same_positions():
    layer = Dropout(0.5)
    output = layer.forward(np.ones((10000, 10)))
    error = layer.backward(np.ones((10000, 10)))
    np.testing.assert_array_equal(output == 0, error == 0)
    assert 0.45 < np.mean(output == 0) < 0.55


def test_exercise_test_phase_forward_returns_the_input():
    layer = Dropout(0.5)
    layer.testing_phase = True
    input_tensor = np.random.rand(100, 10)
    np.testing.assert_array_equal(layer.forward(input_tensor), input_tensor)


def test_exercise_same_seed_gives_the_same_mask_from_numpy_global_state():
    layer = Dropout(0.3)
    input_tensor = np.ones((50, 8))
    np.random.seed(7)
    first = layer.forward(input_tensor)
    np.random.seed(7)
    second = layer.forward(input_tensor)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, layer.mask / 0.3)
    np.random.seed(8)
    assert not np.array_equal(layer.forward(input_tensor), first)


# Forward and backward ---------------------------------------------------------------------------------------


def test_layer_is_not_trainable_and_starts_in_the_training_phase():
    layer = Dropout(0.8)
    assert not layer.trainable
    assert not layer.testing_phase
    assert layer.parameter_names == ()
    assert layer.mask is None
    assert layer.rng is None
    assert layer.config() == {"probability": 0.8}
    assert repr(layer) == "Dropout(probability=0.8)"


def test_forward_scales_kept_units_by_one_over_p_and_stores_a_boolean_mask():
    layer = Dropout(0.25)
    input_tensor = np.random.randn(40, 6)
    output = layer.forward(input_tensor)
    assert layer.mask.dtype == bool
    assert layer.mask.shape == input_tensor.shape
    np.testing.assert_allclose(output, input_tensor * layer.mask / 0.25)
    np.testing.assert_array_equal(output[~layer.mask], 0)


def test_backward_reuses_the_mask_of_forward_without_drawing_again():
    layer = Dropout(0.6)
    layer.forward(np.random.randn(30, 5))
    mask = layer.mask.copy()
    error = np.random.randn(30, 5)
    state_before = np.random.get_state()
    result = layer.backward(error)
    state_after = np.random.get_state()
    assert state_after[2] == state_before[2]
    np.testing.assert_array_equal(state_after[1], state_before[1])
    np.testing.assert_array_equal(layer.mask, mask)
    np.testing.assert_allclose(result, error * mask / 0.6)


def test_test_phase_is_the_identity_in_forward_and_backward():
    layer = Dropout(0.4)
    layer.testing_phase = True
    input_tensor = np.random.randn(7, 3)
    error = np.random.randn(7, 3)
    np.testing.assert_array_equal(layer.forward(input_tensor), input_tensor)
    np.testing.assert_array_equal(layer.backward(error), error)
    assert layer.mask is None


def test_test_phase_forward_keeps_the_mask_of_the_last_training_forward():
    layer = Dropout(0.5)
    layer.forward(np.ones((20, 4)))
    mask = layer.mask.copy()
    layer.testing_phase = True
    layer.forward(np.ones((3, 2)))
    np.testing.assert_array_equal(layer.mask, mask)


def test_backward_follows_the_phase_of_the_last_forward():
    layer = Dropout(0.5)
    layer.forward(np.ones((10, 4)))
    layer.testing_phase = True
    np.testing.assert_array_equal(layer.backward(np.ones((10, 4))), layer.mask / 0.5)


def test_probability_one_keeps_everything():
    layer = Dropout(1.0)
    input_tensor = np.random.randn(100, 5)
    np.testing.assert_array_equal(layer.forward(input_tensor), input_tensor)
    assert layer.mask.all()


def test_mean_is_preserved_in_training():
    layer = Dropout(0.7)
    input_tensor = np.random.uniform(1.0, 3.0, size=(200000,))
    output = layer.forward(input_tensor)
    # Standard deviation of the output mean: sqrt(E[x^2] (1 - p) / p / n) ~ 0.003.
    assert abs(output.mean() - input_tensor.mean()) < 0.02


@pytest.mark.parametrize("shape", [(12,), (4, 5), (2, 3, 4), (2, 3, 4, 5), ()])
def test_any_input_rank_works(shape):
    layer = Dropout(0.5)
    input_tensor = np.asarray(np.random.randn(*shape))
    output = layer.forward(input_tensor)
    assert output.shape == input_tensor.shape
    np.testing.assert_allclose(output, input_tensor * layer.mask * 2)
    assert isinstance(layer.mask, np.ndarray)
    np.testing.assert_array_equal(layer.backward(np.ones(shape)), layer.mask * 2.0)


def test_dtype_is_kept_and_the_callers_array_is_not_modified():
    layer = Dropout(0.5)
    input_tensor = np.random.randn(50, 4).astype(np.float32)
    original = input_tensor.copy()
    output = layer.forward(input_tensor)
    assert output.dtype == np.float32
    np.testing.assert_array_equal(input_tensor, original)
    error = np.ones((50, 4), dtype=np.float32)
    assert layer.backward(error).dtype == np.float32
    np.testing.assert_array_equal(error, 1)
    layer.testing_phase = True
    output = layer.forward(input_tensor)
    output += 1
    np.testing.assert_array_equal(input_tensor, original)


def test_integer_input_becomes_float():
    layer = Dropout(0.5)
    output = layer.forward(np.ones((10, 10), dtype=int))
    assert output.dtype == np.float64
    assert set(np.unique(output)) <= {0.0, 2.0}


# Changing p and the random source ---------------------------------------------------------------------------


def test_probability_change_takes_effect_on_the_next_forward():
    layer = Dropout(0.5)
    input_tensor = np.ones((1000, 10))
    assert np.max(layer.forward(input_tensor)) == 2
    layer.probability = 0.25
    assert layer.probability == 0.25
    output = layer.forward(input_tensor)
    assert np.max(output) == 4
    assert 0.2 < np.mean(layer.mask) < 0.3
    layer.probability = 1.0
    np.testing.assert_array_equal(layer.forward(input_tensor), input_tensor)
    assert layer.config() == {"probability": 1.0}


def test_backward_uses_the_probability_of_its_forward():
    layer = Dropout(0.5)
    layer.forward(np.ones((20, 5)))
    layer.probability = 0.1
    np.testing.assert_array_equal(layer.backward(np.ones((20, 5))), layer.mask * 2.0)


def test_generator_masks_are_reproducible_and_leave_the_global_state_alone():
    first = Dropout(0.5, rng=np.random.default_rng(11))
    second = Dropout(0.5, rng=np.random.default_rng(11))
    input_tensor = np.ones((30, 7))
    global_state = np.random.get_state()[1].copy()
    for _ in range(3):
        np.testing.assert_array_equal(first.forward(input_tensor), second.forward(input_tensor))
        np.testing.assert_array_equal(first.mask, second.mask)
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)
    np.testing.assert_array_equal(first.mask, np.random.default_rng(11).random((3, 30, 7))[2] < 0.5)


def test_int_seed_is_reproducible_and_equal_to_default_rng_of_that_seed():
    input_tensor = np.ones((30, 7))
    seeded, again = Dropout(0.6, rng=4), Dropout(0.6, rng=4)
    generator = Dropout(0.6, rng=np.random.default_rng(4))
    assert isinstance(seeded.rng, np.random.Generator)
    global_state = np.random.get_state()[1].copy()
    for _ in range(3):
        output = seeded.forward(input_tensor)
        np.testing.assert_array_equal(output, again.forward(input_tensor))
        np.testing.assert_array_equal(output, generator.forward(input_tensor))
        np.testing.assert_array_equal(seeded.mask, generator.mask)
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)
    np.testing.assert_array_equal(seeded.mask, np.random.default_rng(4).random((3, 30, 7))[2] < 0.6)


def test_global_state_mask_is_u_below_p_with_u_from_numpy_random():
    layer = Dropout(0.3)
    np.random.seed(5)
    layer.forward(np.ones((40, 6)))
    np.random.seed(5)
    np.testing.assert_array_equal(layer.mask, np.random.random((40, 6)) < 0.3)


def test_scales_are_public_methods_one_over_p_while_training_and_one_at_test():
    layer = Dropout(0.25)
    assert layer.train_scale() == 4
    assert layer.test_scale() == 1
    layer.probability = 0.5
    assert layer.train_scale() == 2


# Gradient checks ---------------------------------------------------------------------------------------------


def test_gradient_check_training_phase_with_a_fixed_mask():
    layer = Dropout(0.6)
    errors = check_gradients(layer, np.random.randn(6, 5))
    assert set(errors) == {"input"}
    assert errors["input"] < 1e-6
    assert 0 < layer.mask.sum() < layer.mask.size


def test_gradient_check_training_phase_with_a_generator():
    layer = Dropout(0.4, rng=np.random.default_rng(3))
    assert check_gradients(layer, np.random.randn(3, 4, 5))["input"] < 1e-6


def test_gradient_check_test_phase():
    layer = Dropout(0.3)
    layer.testing_phase = True
    assert check_gradients(layer, np.random.randn(6, 5))["input"] < 1e-6


# Property -----------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    probability=st.floats(min_value=0.05, max_value=1.0),
    size=st.integers(min_value=20000, max_value=60000),
    value=st.floats(min_value=-5.0, max_value=5.0).filter(lambda v: abs(v) > 0.1),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_property_dropout_keeps_the_expected_mean(probability, size, value, seed):
    layer = Dropout(probability, rng=np.random.default_rng(seed))
    output = layer.forward(np.full(size, value))
    # Each output is value / p with probability p, else 0: its mean has standard deviation
    # |value| sqrt((1 - p) / (p n)). Six of them: a false alarm is a one-in-a-billion event.
    tolerance = 6 * abs(value) * math.sqrt((1 - probability) / (probability * size)) + 1e-12
    assert abs(output.mean() - value) <= tolerance


# Errors -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "probability, error, message",
    [
        (1.5, ValueError, r"Dropout probability must be in \[0\.01, 1\], got 1\.5"),
        (0, ValueError, r"Dropout probability must be in \[0\.01, 1\], got 0"),
        (-0.2, ValueError, r"Dropout probability must be in \[0\.01, 1\], got -0\.2"),
        (1e-9, ValueError, r"Dropout probability must be in \[0\.01, 1\], got 1e-09"),  # nothing would be kept
        (5e-324, ValueError, r"Dropout probability must be in \[0\.01, 1\], got 5e-324"),  # 1/p overflows
        (float("nan"), ValueError, r"Dropout probability must be a finite number, got nan"),
        (float("inf"), ValueError, r"Dropout probability must be a finite number"),
        ("0.5", TypeError, r"Dropout probability must be a real number, got '0\.5'"),
        (None, TypeError, r"Dropout probability must be a real number, got None"),
        (True, TypeError, r"Dropout probability must be a real number, got True"),
    ],
)
def test_bad_probability_raises_in_the_constructor_and_the_setter(probability, error, message):
    with pytest.raises(error, match=message):
        Dropout(probability)
    layer = Dropout(0.5)
    with pytest.raises(error, match=message):
        layer.probability = probability
    assert layer.probability == 0.5


@pytest.mark.parametrize(
    "rng, error, message",
    [
        ("3", TypeError, r"Dropout rng must be None .*an int seed or a numpy\.random\.Generator.*got '3' \(str\)"),
        (0.5, TypeError, r"Dropout rng must be None .*got 0\.5 \(float\)"),
        (True, TypeError, r"Dropout rng must be None .*got True \(bool\)"),
        (-1, ValueError, r"Dropout rng must be a non-negative int seed, got -1"),
    ],
)
def test_bad_rng_raises(rng, error, message):
    with pytest.raises(error, match=message):
        Dropout(0.5, rng=rng)


def test_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match=r"Dropout\.backward\(\) called before forward\(\)"):
        Dropout(0.5).backward(np.ones((2, 3)))


def test_error_shape_mismatch_raises_with_both_shapes():
    layer = Dropout(0.5)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"Dropout expected error_tensor of shape \(4, 3\), got \(3, 4\)"):
        layer.backward(np.ones((3, 4)))


def test_non_numeric_input_raises():
    with pytest.raises(TypeError, match=r"Dropout input_tensor must be a numeric array"):
        Dropout(0.5).forward(np.array(["a", "b"]))
