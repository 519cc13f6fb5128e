"""BatchNormalization: per-channel normalisation with the exercise's conventions (DESIGN §4)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnnreg.gradcheck import check_gradients
from rnnreg.layers.batch_normalization import BatchNormalization
from rnnreg.layers.initializers import Constant
from rnnreg.optim.optimizers import Sgd

EPSILON = BatchNormalization.epsilon

# Centred differences of the training-phase map need a larger step than the default 1e-6: the input
# gradient sums to zero per channel, so some of its elements are tiny and, at h = 1e-6, rounding noise
# (~1e-16 |L| / h) dominates their relative error. At h = 1e-4 the truncation error is O(h²) ~ 1e-8.
TRAIN_STEP = 1e-4

# Two channels, four samples, chosen so the statistics are exact:
#   channel 0: [1, 1, 3, 3]    mean 2,  biased variance 1,  x̂ = [-1, -1, 1, 1]
#   channel 1: [5, 11, 11, 13] mean 10, biased variance 9,  x̂ = [-5/3, 1/3, 1/3, 1]
# (the unbiased variances would be 4/3 and 12).
HAND_INPUT = np.array([[1.0, 5.0], [1.0, 11.0], [3.0, 11.0], [3.0, 13.0]])


def spread_input(shape, seed):
    """Inputs whose per-channel spread is O(1), as the training-phase gradient check needs."""
    rng = np.random.default_rng(seed)
    channel_axis_shape = [1] * len(shape)
    channel_axis_shape[1] = shape[1]
    offsets = rng.uniform(-2, 2, size=channel_axis_shape)
    return rng.standard_normal(shape) + offsets


def layer_with_parameters(channels, seed):
    layer = BatchNormalization(channels)
    rng = np.random.default_rng(seed)
    layer.weights = rng.uniform(0.5, 2.0, channels)
    layer.bias = rng.standard_normal(channels)
    return layer


# The exercise's own checks ---------------------------------------------------------------------------------


def test_exercise_trainable_and_default_phase():
    layer = BatchNormalization(3)
    assert layer.trainable
    assert not layer.testing_phase
    np.testing.assert_array_equal(layer.weights, np.ones(3))
    np.testing.assert_array_equal(layer.bias, np.zeros(3))


def test_exercise_forward_gives_mean_zero_and_variance_one():
    input_tensor = np.random.uniform(-3, 7, size=(200, 2)) * np.array([1.0, 5.0])
    output = BatchNormalization(2).forward(input_tensor)
    np.testing.assert_allclose(np.mean(output, axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(np.var(output, axis=0), 1, atol=1e-8)


def test_exercise_test_phase_after_one_batch_uses_that_batchs_statistics():
    input_tensor = np.random.uniform(-3, 7, size=(200, 2))
    layer = BatchNormalization(2)
    layer.forward(input_tensor)
    layer.testing_phase = True
    output = layer.forward(input_tensor)
    np.testing.assert_allclose(np.mean(output, axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(np.var(output, axis=0), 1, atol=1e-8)


def test_exercise_update_with_sgd_grows_the_output():
    input_tensor = np.random.uniform(-3, 7, size=(200, 2))
    layer = BatchNormalization(2)
    layer.optimizer = Sgd(1)
    for _ in range(10):
        output = layer.forward(input_tensor)
        layer.backward(-output)
        new_output = layer.forward(input_tensor)
        assert np.sum(output**2) < np.sum(new_output**2)


def test_exercise_reformat_puts_each_spatial_position_in_a_row():
    layer = BatchNormalization(3)
    image = np.arange(120).reshape(2, 3, 4, 5)
    vectors = layer.reformat(image)
    assert vectors.shape == (40, 3)
    for i in range(40):
        n, y, x = np.unravel_index(i, (2, 4, 5))
        np.testing.assert_array_equal(vectors[i], image[n, :, y, x])
    np.testing.assert_array_equal(vectors[:2], [[0, 20, 40], [1, 21, 41]])
    np.testing.assert_array_equal(vectors[20], [60, 80, 100])


# Forward values and statistics by hand ----------------------------------------------------------------------


def test_forward_values_by_hand():
    layer = BatchNormalization(2)
    layer.weights = np.array([2.0, 0.5])
    layer.bias = np.array([1.0, -1.0])
    output = layer.forward(HAND_INPUT)
    # y = gamma * x̂ + beta
    expected = np.array([[-1.0, -11 / 6], [-1.0, -5 / 6], [3.0, -5 / 6], [3.0, -0.5]])
    np.testing.assert_allclose(output, expected, rtol=1e-9)
    np.testing.assert_array_equal(layer.batch_mean, [2.0, 10.0])
    np.testing.assert_array_equal(layer.batch_variance, [1.0, 9.0])


def test_variance_is_biased_ddof_zero():
    input_tensor = np.random.randn(5, 3) * 2 + 1
    layer = BatchNormalization(3)
    output = layer.forward(input_tensor)
    np.testing.assert_allclose(layer.batch_variance, np.var(input_tensor, axis=0, ddof=0), rtol=1e-12)
    assert not np.allclose(layer.batch_variance, np.var(input_tensor, axis=0, ddof=1))
    expected = (input_tensor - input_tensor.mean(0)) / np.sqrt(input_tensor.var(0, ddof=0) + EPSILON)
    np.testing.assert_allclose(output, expected, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, np.var(input_tensor, axis=0, ddof=0), rtol=1e-12)


def test_epsilon_is_a_tiny_class_constant():
    assert 0 < BatchNormalization.epsilon <= 1e-10


def test_moving_averages_after_one_two_three_batches_by_hand():
    layer = BatchNormalization(2)
    assert layer.moving_mean is None and layer.moving_variance is None
    # Channel 1 is channel 0 doubled: means double, variances quadruple.
    batches = [np.array([1.0, 1.0, 3.0, 3.0]), np.array([5.0, 11.0, 11.0, 13.0]), np.array([0.0, 0.0, 0.0, 4.0])]
    # batch means 2, 10, 1 and biased variances 1, 9, 3 for channel 0
    expected = [
        ([2.0, 4.0], [1.0, 4.0]),  # the first batch initialises the averages
        ([3.6, 7.2], [2.6, 10.4]),  # 0.8 * 2 + 0.2 * 10,  0.8 * 1 + 0.2 * 9
        ([3.08, 6.16], [2.68, 10.72]),  # 0.8 * 3.6 + 0.2 * 1,  0.8 * 2.6 + 0.2 * 3
    ]
    for batch, (mean, variance) in zip(batches, expected, strict=True):
        layer.forward(np.stack([batch, 2 * batch], axis=1))
        np.testing.assert_allclose(layer.moving_mean, mean, rtol=1e-12)
        np.testing.assert_allclose(layer.moving_variance, variance, rtol=1e-12)
    np.testing.assert_array_equal(layer.batch_mean, [1.0, 2.0])
    np.testing.assert_array_equal(layer.batch_variance, [3.0, 12.0])


def test_momentum_is_the_weight_of_the_old_average():
    layer = BatchNormalization(1, momentum=0.5)
    assert layer.momentum == 0.5
    layer.forward(np.array([[1.0], [3.0]]))  # mean 2, variance 1
    layer.forward(np.array([[9.0], [11.0]]))  # mean 10, variance 1
    np.testing.assert_allclose(layer.moving_mean, [6.0])
    layer.momentum = 1.0  # frozen at the current averages
    layer.forward(np.array([[100.0], [300.0]]))
    np.testing.assert_allclose(layer.moving_mean, [6.0])
    np.testing.assert_allclose(layer.moving_variance, [1.0])
    assert layer.config() == {"channels": 1, "momentum": 1.0}


def test_training_phase_always_normalises_with_the_batch_statistics():
    layer = BatchNormalization(2)
    layer.forward(np.random.randn(50, 2) * 10 + 100)
    output = layer.forward(HAND_INPUT)
    np.testing.assert_allclose(output, [[-1, -5 / 3], [-1, 1 / 3], [1, 1 / 3], [1, 1]], rtol=1e-9)


def test_test_phase_uses_the_moving_statistics_and_leaves_them_unchanged():
    layer = BatchNormalization(2)
    layer.weights = np.array([2.0, 0.5])
    layer.bias = np.array([1.0, -1.0])
    layer.forward(HAND_INPUT)
    layer.forward(HAND_INPUT * 3)
    moving_mean, moving_variance = layer.moving_mean.copy(), layer.moving_variance.copy()
    batch_mean = layer.batch_mean.copy()
    layer.testing_phase = True
    input_tensor = np.random.randn(6, 2)
    output = layer.forward(input_tensor)
    expected = layer.weights * (input_tensor - moving_mean) / np.sqrt(moving_variance + EPSILON) + layer.bias
    np.testing.assert_allclose(output, expected, rtol=1e-12)
    layer.forward(input_tensor * 50)
    np.testing.assert_array_equal(layer.moving_mean, moving_mean)
    np.testing.assert_array_equal(layer.moving_variance, moving_variance)
    np.testing.assert_array_equal(layer.batch_mean, batch_mean)


def test_test_phase_backward_is_the_affine_map_of_the_moving_statistics():
    layer = layer_with_parameters(3, seed=1)
    layer.forward(spread_input((10, 3), seed=2))
    layer.testing_phase = True
    input_tensor = spread_input((4, 3), seed=3)
    layer.forward(input_tensor)
    error = np.random.randn(4, 3)
    result = layer.backward(error)
    np.testing.assert_allclose(result, error * layer.weights / np.sqrt(layer.moving_variance + EPSILON), rtol=1e-12)
    normalized = (input_tensor - layer.moving_mean) / np.sqrt(layer.moving_variance + EPSILON)
    np.testing.assert_allclose(layer.gradient_weights, np.sum(error * normalized, axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.gradient_bias, np.sum(error, axis=0), rtol=1e-12)


def test_training_phase_gradients_by_hand():
    layer = BatchNormalization(2)
    layer.weights = np.array([2.0, 0.5])
    layer.forward(HAND_INPUT)
    error = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    result = layer.backward(error)
    # gradient_weights = Σ E x̂, gradient_bias = Σ E
    np.testing.assert_allclose(layer.gradient_weights, [-1.0, 3.0], rtol=1e-9)
    np.testing.assert_array_equal(layer.gradient_bias, [1.0, 3.0])
    # channel 0: gamma/sigma = 2, mean(E) = 1/4, mean(E x̂) = -1/4:
    #   2 * (E - 1/4 + x̂ / 4) = 2 * [1 - 1/4 - 1/4, -1/4 - 1/4, -1/4 + 1/4, -1/4 + 1/4] = [1, -1, 0, 0]
    # channel 1: gamma/sigma = 1/6, mean(E) = 3/4, mean(E x̂) = 3/4:
    #   (E - 3/4 - 3/4 x̂) / 6 = [(-3/4 + 5/4), (-3/4 - 1/4), (-3/4 - 1/4), (3 - 3/4 - 3/4)] / 6
    expected = np.array([[1.0, 1 / 12], [-1.0, -1 / 6], [0.0, -1 / 6], [0.0, 1 / 4]])
    # epsilon shifts x̂ by about 5e-11 (x̂ = ±1 / sqrt(1 + 1e-10)), so the zeros come out at that size.
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)


def test_backward_follows_the_phase_of_the_last_forward():
    layer = BatchNormalization(2)
    layer.forward(HAND_INPUT)
    layer.testing_phase = True
    # Through the batch statistics a constant error per channel gives zero input gradient.
    np.testing.assert_allclose(layer.backward(np.ones((4, 2))), 0, atol=1e-12)


# reformat and 4-D input ------------------------------------------------------------------------------------


def test_reformat_vector_to_image_uses_the_shape_of_the_last_forward():
    layer = BatchNormalization(3)
    layer.forward(np.random.randn(5, 3, 6, 4))
    vectors = np.arange(360).reshape(120, 3)
    image = layer.reformat(vectors)
    assert image.shape == (5, 3, 6, 4)
    np.testing.assert_array_equal(image[0, :, 0, 0], [0, 1, 2])
    np.testing.assert_array_equal(image[4, :, 5, 3], [357, 358, 359])
    np.testing.assert_array_equal(np.sum(image, axis=1)[4, 5, 3], np.sum(vectors, axis=1)[119])


def test_reformat_round_trips_both_ways_without_a_forward():
    layer = BatchNormalization(3)
    image = np.random.randn(2, 3, 4, 5)
    vectors = layer.reformat(image)
    np.testing.assert_array_equal(layer.reformat(vectors), image)
    np.testing.assert_array_equal(layer.reformat(layer.reformat(vectors)), vectors)
    assert layer.reformat(vectors).flags.c_contiguous


def test_reformat_keeps_the_dtype_and_does_not_modify_its_argument():
    layer = BatchNormalization(3)
    image = np.arange(120, dtype=np.int32).reshape(2, 3, 4, 5)
    vectors = layer.reformat(image)
    assert vectors.dtype == np.int32
    vectors[:] = 0
    np.testing.assert_array_equal(image, np.arange(120).reshape(2, 3, 4, 5))


def test_four_d_forward_equals_reformat_then_two_d_forward():
    image = spread_input((3, 2, 4, 5), seed=4)
    image_layer = layer_with_parameters(2, seed=5)
    vector_layer = layer_with_parameters(2, seed=5)
    output = image_layer.forward(image)
    expected = vector_layer.reformat(vector_layer.forward(vector_layer.reformat(image)))
    np.testing.assert_allclose(output, expected, rtol=1e-12)
    np.testing.assert_allclose(image_layer.moving_mean, image.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(image_layer.moving_variance, image.var(axis=(0, 2, 3)), rtol=1e-12)
    error = np.random.randn(3, 2, 4, 5)
    result = image_layer.backward(error)
    expected_error = vector_layer.reformat(vector_layer.backward(vector_layer.reformat(error)))
    np.testing.assert_allclose(result, expected_error, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(image_layer.gradient_weights, vector_layer.gradient_weights, rtol=1e-12)
    np.testing.assert_allclose(image_layer.gradient_bias, vector_layer.gradient_bias, rtol=1e-12)


def test_four_d_test_phase_uses_the_moving_statistics():
    layer = BatchNormalization(2)
    layer.forward(spread_input((4, 2, 3, 3), seed=6))
    layer.testing_phase = True
    image = spread_input((2, 2, 3, 3), seed=7)
    output = layer.forward(image)
    mean = layer.moving_mean.reshape(1, 2, 1, 1)
    variance = layer.moving_variance.reshape(1, 2, 1, 1)
    np.testing.assert_allclose(output, (image - mean) / np.sqrt(variance + EPSILON), rtol=1e-12)


def test_four_d_forward_normalises_each_channel_over_batch_and_space():
    output = BatchNormalization(3).forward(np.random.randn(4, 3, 5, 5) * [[[[1.0]], [[10.0]], [[0.1]]]] + 3)
    np.testing.assert_allclose(output.mean(axis=(0, 2, 3)), 0, atol=1e-10)
    np.testing.assert_allclose(output.var(axis=(0, 2, 3)), 1, atol=1e-7)


def test_reformat_errors():
    layer = BatchNormalization(3)
    with pytest.raises(ValueError, match=r"no 4-D shape is known yet"):
        layer.reformat(np.zeros((40, 3)))
    layer.reformat(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match=r"cannot turn a tensor of shape \(39, 3\) into an image of shape "):
        layer.reformat(np.zeros((39, 3)))
    with pytest.raises(ValueError, match=r"expected a tensor of shape \(batch, 3, y, x\), got \(2, 4, 4, 5\)"):
        layer.reformat(np.zeros((2, 4, 4, 5)))
    with pytest.raises(ValueError, match=r"expected a tensor of shape \(batch \* y \* x, 3\), got \(40, 2\)"):
        layer.reformat(np.zeros((40, 2)))
    with pytest.raises(ValueError, match=r"got \(2, 3, 4\)"):
        layer.reformat(np.zeros((2, 3, 4)))


# Gradient checks ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(8, 3), (3, 3, 3, 2)])
def test_gradient_check_training_phase(shape):
    layer = layer_with_parameters(3, seed=8)
    errors = check_gradients(layer, spread_input(shape, seed=9), step=TRAIN_STEP)
    assert set(errors) == {"input", "layers[0].weights", "layers[0].bias"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("shape", [(8, 3), (3, 3, 3, 2)])
def test_gradient_check_test_phase(shape):
    layer = layer_with_parameters(3, seed=10)
    layer.forward(spread_input(shape, seed=11))
    layer.forward(spread_input(shape, seed=12))
    layer.testing_phase = True
    errors = check_gradients(layer, spread_input(shape, seed=13))
    assert set(errors) == {"input", "layers[0].weights", "layers[0].bias"}
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_leaves_the_moving_statistics_as_they_were():
    layer = BatchNormalization(2)
    check_gradients(layer, spread_input((6, 2), seed=14), step=TRAIN_STEP)
    assert layer.moving_mean is None and layer.moving_variance is None


# Update ------------------------------------------------------------------------------------------------------


def test_sgd_updates_gamma_and_beta_with_their_own_optimizer_copies():
    layer = BatchNormalization(2)
    optimizer = Sgd(1)
    layer.optimizer = optimizer
    assert set(layer.optimizers) == {"weights", "bias"}
    assert layer.optimizers["weights"] is not layer.optimizers["bias"]
    assert layer.optimizers["weights"] is not optimizer
    layer.forward(HAND_INPUT)
    error = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    layer.backward(error)
    np.testing.assert_allclose(layer.gradient_weights, [-1.0, 3.0], rtol=1e-9)
    np.testing.assert_allclose(layer.weights, [2.0, -2.0], rtol=1e-9)
    np.testing.assert_array_equal(layer.bias, [-1.0, -3.0])


def test_input_gradient_uses_gamma_before_the_update():
    with_update, without_update = BatchNormalization(2), BatchNormalization(2)
    with_update.optimizer = Sgd(1)
    error = np.random.randn(4, 2)
    with_update.forward(HAND_INPUT)
    without_update.forward(HAND_INPUT)
    np.testing.assert_array_equal(with_update.backward(error), without_update.backward(error))
    assert not np.allclose(with_update.weights, 1.0)


def test_without_optimizer_backward_only_stores_gradients():
    layer = BatchNormalization(2)
    layer.forward(HAND_INPUT)
    layer.backward(np.random.randn(4, 2))
    np.testing.assert_array_equal(layer.weights, [1.0, 1.0])
    np.testing.assert_array_equal(layer.bias, [0.0, 0.0])
    assert layer.gradient_weights.shape == layer.gradient_bias.shape == (2,)


def test_initialize_resets_gamma_and_beta_and_ignores_the_initializers():
    layer = BatchNormalization(3)
    layer.weights = np.array([5.0, 6.0, 7.0])
    layer.bias = np.array([1.0, 1.0, 1.0])
    layer.initialize(Constant(0.3), Constant(0.7))
    np.testing.assert_array_equal(layer.weights, np.ones(3))
    np.testing.assert_array_equal(layer.bias, np.zeros(3))


# Other contract points -----------------------------------------------------------------------------------


def test_names_config_and_repr():
    layer = BatchNormalization(4)
    assert BatchNormalization.parameter_names == ("weights", "bias")
    assert BatchNormalization.buffer_names == ("moving_mean", "moving_variance")
    assert layer.config() == {"channels": 4, "momentum": 0.8}
    assert repr(layer) == "BatchNormalization(channels=4, momentum=0.8)"
    assert layer.batch_mean is None and layer.batch_variance is None


def test_float32_is_kept_and_the_callers_array_is_not_modified():
    layer = BatchNormalization(2)
    input_tensor = np.random.randn(10, 2).astype(np.float32)
    original = input_tensor.copy()
    output = layer.forward(input_tensor)
    assert output.dtype == np.float32
    np.testing.assert_array_equal(input_tensor, original)
    error = np.ones((10, 2), dtype=np.float32)
    assert layer.backward(error).dtype == np.float32
    np.testing.assert_array_equal(error, 1)
    layer.testing_phase = True
    assert layer.forward(input_tensor).dtype == np.float32
    assert layer.backward(error).dtype == np.float32


def test_integer_input_is_accepted():
    output = BatchNormalization(2).forward(np.array([[1, 5], [1, 11], [3, 11], [3, 13]]))
    np.testing.assert_allclose(output[:, 0], [-1, -1, 1, 1], rtol=1e-9)


# Property ----------------------------------------------------------------------------------------------------


@st.composite
def batches(draw):
    channels = draw(st.integers(min_value=1, max_value=4))
    batch = draw(st.integers(min_value=2, max_value=12))
    if draw(st.booleans()):
        shape = (batch, channels)
    else:
        shape = (batch, channels, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    values = draw(
        hnp.arrays(np.float64, shape, elements=st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, width=64))
    )
    return values


@settings(max_examples=80, deadline=None, derandomize=True)
@given(batches())
def test_property_training_output_has_mean_zero_and_variance_one_per_channel(values):
    axes = (0,) if values.ndim == 2 else (0, 2, 3)
    # Values not all equal per channel, with a spread well above sqrt(epsilon).
    assume(np.all(values.std(axis=axes) > 0.1))
    layer = BatchNormalization(values.shape[1])
    output = layer.forward(values)
    assert output.shape == values.shape
    np.testing.assert_allclose(output.mean(axis=axes), 0, atol=1e-9)
    np.testing.assert_allclose(output.var(axis=axes), 1, rtol=1e-6)
    np.testing.assert_allclose(layer.batch_mean, values.mean(axis=axes), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(layer.batch_variance, values.var(axis=axes), rtol=1e-9)


# Errors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "channels, error, message",
    [
        (0, ValueError, r"BatchNormalization channels must be a positive integer, got 0"),
        (-2, ValueError, r"BatchNormalization channels must be a positive integer, got -2"),
        (2.5, TypeError, r"BatchNormalization channels must be a positive integer, got 2\.5"),
        ("3", TypeError, r"BatchNormalization channels must be a positive integer, got '3'"),
        (True, TypeError, r"BatchNormalization channels must be a positive integer, got True"),
    ],
)
def test_bad_channels_raise(channels, error, message):
    with pytest.raises(error, match=message):
        BatchNormalization(channels)


@pytest.mark.parametrize(
    "momentum, error, message",
    [
        (-0.1, ValueError, r"BatchNormalization momentum must be in \[0, 1\], got -0\.1"),
        (1.5, ValueError, r"BatchNormalization momentum must be in \[0, 1\], got 1\.5"),
        (float("nan"), ValueError, r"BatchNormalization momentum must be a finite number, got nan"),
        ("0.8", TypeError, r"BatchNormalization momentum must be a real number, got '0\.8'"),
    ],
)
def test_bad_momentum_raises_in_the_constructor_and_the_setter(momentum, error, message):
    with pytest.raises(error, match=message):
        BatchNormalization(2, momentum=momentum)
    layer = BatchNormalization(2)
    with pytest.raises(error, match=message):
        layer.momentum = momentum
    assert layer.momentum == 0.8


@pytest.mark.parametrize(
    "shape",
    [(10, 4), (10,), (10, 3, 2), (2, 4, 3, 3), (2, 3, 4, 5, 6)],
)
def test_wrong_input_shape_raises_with_both_shapes(shape):
    got = "(" + ", ".join(str(size) for size in shape) + (",)" if len(shape) == 1 else ")")
    message = r"BatchNormalization expected input_tensor of shape \(batch, 3\) or \(batch, 3, y, x\), got " + (
        got.replace("(", r"\(").replace(")", r"\)")
    )
    with pytest.raises(ValueError, match=message):
        BatchNormalization(3).forward(np.zeros(shape))


def test_exact_message_for_wrong_channel_count():
    with pytest.raises(ValueError) as caught:
        BatchNormalization(3).forward(np.zeros((10, 4)))
    assert str(caught.value) == (
        "BatchNormalization expected input_tensor of shape (batch, 3) or (batch, 3, y, x), got (10, 4)"
    )


def test_non_numeric_input_raises():
    with pytest.raises(TypeError, match=r"BatchNormalization input_tensor must be a numeric array"):
        BatchNormalization(1).forward(np.array([["a"], ["b"]]))


@pytest.mark.parametrize("name", ["weights", "bias"])
def test_gamma_or_beta_of_wrong_shape_raises_at_forward(name):
    layer = BatchNormalization(3)
    setattr(layer, name, np.ones(4))
    with pytest.raises(ValueError, match=rf"BatchNormalization {name} must have shape \(3,\), got \(4,\)"):
        layer.forward(np.random.randn(5, 3))
    assert layer.moving_mean is None


def test_test_phase_before_any_training_batch_raises():
    layer = BatchNormalization(2)
    layer.testing_phase = True
    with pytest.raises(RuntimeError, match=r"no moving statistics yet.*testing_phase False"):
        layer.forward(np.random.randn(5, 2))


def test_moving_statistics_of_wrong_shape_raise_in_the_test_phase():
    layer = BatchNormalization(2)
    layer.forward(HAND_INPUT)
    layer.moving_mean = np.zeros(3)
    layer.testing_phase = True
    with pytest.raises(ValueError, match=r"BatchNormalization moving_mean must have shape \(2,\), got \(3,\)"):
        layer.forward(HAND_INPUT)


def test_empty_training_batch_raises():
    with pytest.raises(ValueError, match=r"BatchNormalization got an empty input_tensor of shape \(0, 2\)"):
        BatchNormalization(2).forward(np.zeros((0, 2)))


def test_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match=r"BatchNormalization\.backward\(\) called before forward\(\)"):
        BatchNormalization(2).backward(np.ones((4, 2)))


def test_error_shape_mismatch_raises_with_both_shapes():
    layer = BatchNormalization(2)
    layer.forward(np.random.randn(3, 2, 4, 4))
    with pytest.raises(
        ValueError, match=r"BatchNormalization expected error_tensor of shape \(3, 2, 4, 4\), got \(48, 2\)"
    ):
        layer.backward(np.ones((48, 2)))
