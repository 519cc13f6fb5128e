import json

import numpy as np
import pytest
from helpers import RecordingInitializer
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg.gradcheck import check_gradients
from rnnreg.layers.conv import Conv
from rnnreg.layers.initializers import Constant
from rnnreg.layers.pooling import Pooling
from rnnreg.optim.optimizers import Sgd


def reference_conv(x, weights, bias, stride):
    """Textbook loops over output positions, written independently of the layer's im2col."""
    kernel = weights.shape[2:]
    padding = [(0, 0), (0, 0)] + [(extent // 2, (extent - 1) // 2) for extent in kernel]
    padded = np.pad(x, padding)
    output_spatial = [-(-size // step) for size, step in zip(x.shape[2:], stride, strict=True)]
    output = np.zeros((x.shape[0], weights.shape[0], *output_spatial))
    for b in range(x.shape[0]):
        for k in range(weights.shape[0]):
            for position in np.ndindex(*output_spatial):
                window = tuple(
                    slice(p * s, p * s + extent) for p, s, extent in zip(position, stride, kernel, strict=True)
                )
                output[(b, k, *position)] = np.sum(padded[(b, slice(None), *window)] * weights[k]) + bias[k]
    return output


def seeded_conv(stride_shape, convolution_shape, num_kernels, seed):
    """A Conv whose weights and bias are standard normal (signed, so no output is far from zero)."""
    rng = np.random.default_rng(seed)
    conv = Conv(stride_shape, convolution_shape, num_kernels)
    conv.weights = rng.standard_normal(conv.weights.shape)
    conv.bias = rng.standard_normal(conv.bias.shape)
    return conv, rng


# --- construction -------------------------------------------------------------------------------------------


def test_usable_right_after_construction_with_uniform_weights():
    np.random.seed(0)
    conv = Conv((1, 1), (3, 5, 4), 6)
    assert conv.trainable
    assert not conv.testing_phase
    assert conv.parameter_names == ("weights", "bias")
    assert conv.weights.shape == (6, 3, 5, 4)
    assert conv.bias.shape == (6,)
    for array in (conv.weights, conv.bias):
        assert np.all((array >= 0) & (array < 1))
    assert conv.forward(np.ones((2, 3, 7, 8))).shape == (2, 6, 7, 8)


def test_construction_uses_numpy_global_random_state():
    np.random.seed(3)
    first = Conv(1, (2, 3), 4)
    np.random.seed(3)
    second = Conv(1, (2, 3), 4)
    np.testing.assert_array_equal(first.weights, second.weights)
    np.testing.assert_array_equal(first.bias, second.bias)


def test_int_stride_and_one_entry_list_repeat_over_spatial_axes():
    assert Conv(2, (1, 3, 3), 1).stride_shape == (2, 2)
    assert Conv([2], (1, 3, 3), 1).stride_shape == (2, 2)
    assert Conv([2], (1, 3), 1).stride_shape == (2,)
    assert Conv((3, 2), (1, 3, 3), 1).stride_shape == (3, 2)


def test_config_is_json_and_rebuilds_the_layer():
    conv = Conv((3, 2), (2, 4, 3), 5)
    config = conv.config()
    assert config == {"stride_shape": [3, 2], "convolution_shape": [2, 4, 3], "num_kernels": 5}
    rebuilt = Conv(**json.loads(json.dumps(config)))
    assert rebuilt.config() == config
    assert repr(conv) == "Conv(stride_shape=[3, 2], convolution_shape=[2, 4, 3], num_kernels=5)"


# --- initialize ----------------------------------------------------------------------------------------------


def test_initialize_passes_shapes_and_fans_2d():
    conv = Conv((1, 1), (3, 5, 4), 6)
    weights_init, bias_init = RecordingInitializer(0.5), RecordingInitializer(-1.0)
    conv.initialize(weights_init, bias_init)
    assert weights_init.calls == [((6, 3, 5, 4), 3 * 5 * 4, 6 * 5 * 4)]
    assert bias_init.calls == [((6,), 3 * 5 * 4, 6 * 5 * 4)]
    np.testing.assert_array_equal(conv.weights, np.full((6, 3, 5, 4), 0.5))
    np.testing.assert_array_equal(conv.bias, np.full(6, -1.0))


def test_initialize_passes_shapes_and_fans_1d():
    conv = Conv(2, (2, 3), 4)
    weights_init, bias_init = RecordingInitializer(0.0), RecordingInitializer(0.0)
    conv.initialize(weights_init, bias_init)
    assert weights_init.calls == [((4, 2, 3), 6, 12)]
    assert bias_init.calls == [((4,), 6, 12)]


def test_initialize_keeps_whatever_the_initializer_returns():
    class FixedKernel:
        def initialize(self, weights_shape, fan_in, fan_out):
            self.fans = (fan_in, fan_out)
            kernel = np.zeros((1, 3, 3, 3))
            kernel[0, 1, 1, 1] = 1
            return kernel

    conv = Conv((1, 1), (3, 5, 8), 4)
    initializer = FixedKernel()
    conv.initialize(initializer, Constant(0.1))
    assert initializer.fans == (3 * 5 * 8, 4 * 5 * 8)
    assert conv.weights.shape == (1, 3, 3, 3)


# --- shapes ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stride", "convolution_shape", "input_shape", "output_shape"),
    [
        ((1, 1), (3, 5, 8), (2, 3, 10, 14), (2, 4, 10, 14)),
        ((3, 2), (3, 5, 8), (2, 3, 10, 14), (2, 4, 4, 7)),
        ((3, 2), (3, 3, 3), (2, 3, 11, 15), (2, 4, 4, 8)),
        ((1, 1), (3, 1, 1), (2, 3, 10, 14), (2, 4, 10, 14)),
        ((1, 1), (1, 2, 2), (1, 1, 5, 6), (1, 4, 5, 6)),
        ((1,), (3, 8), (2, 3, 15), (2, 4, 15)),
        ((2,), (3, 8), (2, 3, 15), (2, 4, 8)),
        ((4,), (2, 1), (3, 2, 9), (3, 4, 3)),
    ],
)
def test_forward_and_backward_shapes(stride, convolution_shape, input_shape, output_shape):
    rng = np.random.default_rng(1)
    conv = Conv(stride, convolution_shape, 4)
    output = conv.forward(rng.standard_normal(input_shape))
    assert output.shape == output_shape
    error_input = conv.backward(rng.standard_normal(output_shape))
    assert error_input.shape == input_shape
    assert conv.gradient_weights.shape == conv.weights.shape
    assert conv.gradient_bias.shape == (4,)


def test_one_by_one_convolution_mixes_channels_per_pixel():
    conv, rng = seeded_conv((1, 1), (3, 1, 1), 2, seed=2)
    x = rng.standard_normal((2, 3, 4, 5))
    expected = np.einsum("kc,bcyx->bkyx", conv.weights[:, :, 0, 0], x) + conv.bias[None, :, None, None]
    np.testing.assert_allclose(conv.forward(x), expected, rtol=1e-12, atol=1e-12)


def test_layout_preservation_identity_kernel_copies_one_channel():
    conv = Conv((1, 1), (3, 3, 3), 1)
    kernel = np.zeros((1, 3, 3, 3))
    kernel[0, 1, 1, 1] = 1.0  # centre of channel 1
    conv.weights = kernel
    conv.bias = np.array([0])  # an int array must work
    x = np.arange(2 * 3 * 10 * 14, dtype=float).reshape(2, 3, 10, 14)
    output = conv.forward(x)
    assert output.shape == (2, 1, 10, 14)
    np.testing.assert_array_equal(output[:, 0], x[:, 1])


def test_kernels_are_assignable_in_steps():
    conv = Conv((1, 1), (1, 3, 3), 1)
    kernel = np.zeros((1, 3, 3))
    kernel[:, 1, 1] = 1.0
    conv.weights = np.expand_dims(kernel, 0)
    conv.bias = np.array([0])
    x = np.arange(20.0).reshape(1, 1, 4, 5)
    np.testing.assert_array_equal(conv.forward(x), x)


def test_batch_elements_and_kernels_stay_in_their_own_slots():
    conv, rng = seeded_conv((1, 2), (2, 3, 2), 3, seed=4)
    x = rng.standard_normal((3, 2, 6, 7))
    output = conv.forward(x)
    for b in range(3):
        np.testing.assert_allclose(conv.forward(x[b : b + 1])[0], output[b], rtol=1e-12)
    for k in range(3):
        single = Conv((1, 2), (2, 3, 2), 1)
        single.weights, single.bias = conv.weights[k : k + 1], conv.bias[k : k + 1]
        np.testing.assert_allclose(single.forward(x)[:, 0], output[:, k], rtol=1e-12)


@pytest.mark.parametrize(
    ("stride", "convolution_shape", "input_shape"),
    [
        ((1, 1), (2, 3, 3), (2, 2, 5, 6)),
        ((3, 2), (3, 4, 2), (2, 3, 11, 15)),
        ((2, 3), (1, 5, 4), (1, 1, 7, 9)),
        ((1,), (2, 4), (2, 2, 7)),
        ((3,), (3, 3), (2, 3, 10)),
    ],
)
def test_forward_matches_loop_reference(stride, convolution_shape, input_shape):
    conv, rng = seeded_conv(stride, convolution_shape, 3, seed=5)
    x = rng.standard_normal(input_shape)
    expected = reference_conv(x, conv.weights, conv.bias, conv.stride_shape)
    np.testing.assert_allclose(conv.forward(x), expected, rtol=1e-12, atol=1e-12)


# --- hand-computed values ------------------------------------------------------------------------------------

IMAGE = np.arange(16.0).reshape(1, 1, 4, 4)
# Sums of every zero-padded 3x3 neighbourhood of IMAGE = [[0 1 2 3] [4 5 6 7] [8 9 10 11] [12 13 14 15]].
NEIGHBOURHOOD_SUMS = np.array(
    [
        [10.0, 18.0, 24.0, 18.0],
        [27.0, 45.0, 54.0, 39.0],
        [51.0, 81.0, 90.0, 63.0],
        [42.0, 66.0, 72.0, 50.0],
    ]
)


def averaging_conv(stride, bias=0.0):
    conv = Conv(stride, (1, 3, 3), 1)
    conv.weights = np.full((1, 1, 3, 3), 1 / 9)
    conv.bias = np.array([bias])
    return conv


def test_averaging_kernel_with_zero_padding_by_hand():
    output = averaging_conv((1, 1)).forward(IMAGE)
    np.testing.assert_allclose(output[0, 0], NEIGHBOURHOOD_SUMS / 9, rtol=1e-12)


def test_bias_is_added_to_every_position_of_its_kernel():
    output = averaging_conv((1, 1), bias=2.0).forward(IMAGE)
    np.testing.assert_allclose(output[0, 0], NEIGHBOURHOOD_SUMS / 9 + 2.0, rtol=1e-12)


def test_stride_keeps_every_sth_position_starting_at_zero():
    output = averaging_conv((2, 2)).forward(IMAGE)
    np.testing.assert_allclose(output[0, 0], np.array([[10.0, 24.0], [51.0, 90.0]]) / 9, rtol=1e-12)
    output = averaging_conv((3, 2)).forward(IMAGE)
    np.testing.assert_allclose(output[0, 0], np.array([[10.0, 24.0], [42.0, 72.0]]) / 9, rtol=1e-12)


def test_strided_backward_by_hand():
    conv = averaging_conv((2, 2))
    conv.weights = np.ones((1, 1, 3, 3))
    conv.forward(IMAGE)
    error_input = conv.backward(np.ones((1, 1, 2, 2)))
    # Windows centred on rows/columns 0 and 2 cover index 1 twice and the others once.
    expected = np.array([[1.0, 2.0, 1.0, 1.0], [2.0, 4.0, 2.0, 2.0], [1.0, 2.0, 1.0, 1.0], [1.0, 2.0, 1.0, 1.0]])
    np.testing.assert_array_equal(error_input[0, 0], expected)
    # dL/dW[i, j] = Σ_{p, q in {0, 1}} x̃[2p + i, 2q + j] with x̃[r, c] = x[r - 1, c - 1] = 4 (r - 1) + (c - 1);
    # e.g. dL/dW[1, 1] = x[0, 0] + x[0, 2] + x[2, 0] + x[2, 2] = 0 + 2 + 8 + 10.  dL/db = number of outputs.
    expected_weights = np.array([[5.0, 10.0, 12.0], [10.0, 20.0, 24.0], [18.0, 36.0, 40.0]])
    np.testing.assert_array_equal(conv.gradient_weights[0, 0], expected_weights)
    np.testing.assert_array_equal(conv.gradient_bias, [4.0])


def test_cross_correlation_not_flipped_convolution_1d():
    conv = Conv(1, (1, 3), 1)
    conv.weights = np.array([[[1.0, 2.0, 3.0]]])
    conv.bias = np.array([0.0])
    impulse = np.array([[[0.0, 0.0, 1.0, 0.0, 0.0]]])
    # y[p] = Σ_i w[i] x[p - 1 + i]: an impulse comes out as the reversed kernel (a convolution would not).
    np.testing.assert_array_equal(conv.forward(impulse), [[[0.0, 3.0, 2.0, 1.0, 0.0]]])


def test_even_kernel_pads_one_before_and_none_after_1d():
    conv = Conv(1, (1, 2), 1)
    conv.weights = np.array([[[1.0, 10.0]]])
    conv.bias = np.array([0.5])
    x = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    # x̃ = [0, 1, 2, 3, 4];  y[p] = x̃[p] + 10 x̃[p + 1] + 0.5
    np.testing.assert_array_equal(conv.forward(x), [[[10.5, 21.5, 32.5, 43.5]]])
    error_input = conv.backward(np.array([[[0.0, 1.0, 0.0, 1.0]]]))
    # y[1] = x[0] + 10 x[1] and y[3] = x[2] + 10 x[3]
    np.testing.assert_array_equal(error_input, [[[1.0, 10.0, 1.0, 10.0]]])
    np.testing.assert_array_equal(conv.gradient_weights, [[[1.0 + 3.0, 2.0 + 4.0]]])
    np.testing.assert_array_equal(conv.gradient_bias, [2.0])


def test_even_kernel_2d_shifts_down_and_right():
    conv = Conv(1, (1, 2, 2), 1)
    conv.weights = np.array([[[[1.0, 0.0], [0.0, 0.0]]]])
    conv.bias = np.array([0.0])
    # The top-left tap sees x̃[p, q] = x[p - 1, q - 1].
    expected = np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 2.0], [0.0, 4.0, 5.0, 6.0], [0.0, 8.0, 9.0, 10.0]])
    np.testing.assert_array_equal(conv.forward(IMAGE)[0, 0], expected)


def test_two_channels_and_two_kernels_by_hand_1d():
    conv = Conv(1, (2, 1), 2)
    conv.weights = np.array([[[1.0], [2.0]], [[-1.0], [0.0]]])
    conv.bias = np.array([0.0, 1.0])
    x = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    np.testing.assert_array_equal(conv.forward(x), [[[7.0, 10.0], [0.0, -1.0]]])
    error_input = conv.backward(np.array([[[1.0, 0.0], [0.0, 1.0]]]))
    np.testing.assert_array_equal(error_input, [[[1.0, -1.0], [2.0, 0.0]]])
    np.testing.assert_array_equal(conv.gradient_weights, [[[1.0], [3.0]], [[2.0], [4.0]]])
    np.testing.assert_array_equal(conv.gradient_bias, [1.0, 1.0])


# --- gradients ---------------------------------------------------------------------------------------------------

# Conv is linear in its input and in each of its parameter arrays, so a centred difference has no
# truncation error at any step; a step of 1e-3 instead of the default 1e-6 only shrinks the round-off,
# which otherwise dominates the relative error of gradient entries that happen to be close to zero.
LINEAR_STEP = 1e-3


@pytest.mark.parametrize(
    ("stride", "convolution_shape", "input_shape"),
    [
        ((1, 1), (3, 3, 3), (2, 3, 6, 7)),
        ((1, 1), (2, 4, 2), (2, 2, 7, 6)),
        ((3, 2), (2, 3, 3), (2, 2, 11, 9)),
        ((2, 3), (3, 4, 5), (2, 3, 8, 10)),
        ((1, 1), (3, 1, 1), (2, 3, 4, 5)),
        ((1,), (2, 3), (3, 2, 9)),
        ((1,), (3, 4), (2, 3, 8)),
        ((2,), (2, 5), (2, 2, 11)),
        ((3,), (1, 2), (2, 1, 10)),
    ],
)
def test_gradients_match_finite_differences(stride, convolution_shape, input_shape):
    conv, rng = seeded_conv(stride, convolution_shape, 3, seed=6)
    errors = check_gradients(conv, rng.standard_normal(input_shape), step=LINEAR_STEP)
    assert set(errors) == {"input", "layers[0].weights", "layers[0].bias"}
    assert max(errors.values()) < 1e-6, errors


def test_gradients_with_default_step_and_uniform_weights():
    np.random.seed(7)
    conv = Conv((1, 2), (2, 3, 2), 2)
    x = np.random.default_rng(7).standard_normal((2, 2, 4, 5))
    errors = check_gradients(conv, x)
    assert max(errors.values()) < 1e-6, errors


def test_gradients_through_conv_then_pooling():
    conv, rng = seeded_conv((1, 1), (2, 3, 3), 3, seed=8)
    errors = check_gradients([conv, Pooling((2, 2), (2, 2))], rng.standard_normal((2, 2, 6, 6)))
    assert set(errors) == {"input", "layers[0].weights", "layers[0].bias"}
    assert max(errors.values()) < 1e-6, errors


def test_backward_uses_the_kernels_of_forward_before_updating():
    conv, rng = seeded_conv((1, 1), (2, 3, 3), 2, seed=9)
    plain = Conv((1, 1), (2, 3, 3), 2)
    plain.weights, plain.bias = conv.weights.copy(), conv.bias.copy()
    x, error = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((2, 2, 5, 5))
    plain.forward(x)
    expected_input_gradient = plain.backward(error)

    weights_before, bias_before = conv.weights.copy(), conv.bias.copy()
    conv.optimizer = Sgd(1.0)
    conv.forward(x)
    error_input = conv.backward(error)

    np.testing.assert_allclose(error_input, expected_input_gradient, rtol=1e-12)
    np.testing.assert_allclose(conv.gradient_weights, plain.gradient_weights, rtol=1e-12)
    np.testing.assert_allclose(conv.gradient_bias, plain.gradient_bias, rtol=1e-12)
    assert not np.allclose(conv.weights, weights_before)
    assert not np.allclose(conv.bias, bias_before)
    np.testing.assert_allclose(conv.weights, weights_before - plain.gradient_weights, rtol=1e-12)
    np.testing.assert_allclose(conv.bias, bias_before - plain.gradient_bias, rtol=1e-12)
    # Every array has its own copy of the optimizer.
    assert set(conv.optimizers) == {"weights", "bias"}
    assert conv.optimizers["weights"] is not conv.optimizers["bias"]


def test_without_optimizer_backward_only_stores_gradients():
    conv, rng = seeded_conv(1, (2, 3), 2, seed=10)
    weights_before, bias_before = conv.weights.copy(), conv.bias.copy()
    conv.backward(np.ones(conv.forward(rng.standard_normal((2, 2, 5))).shape))
    np.testing.assert_array_equal(conv.weights, weights_before)
    np.testing.assert_array_equal(conv.bias, bias_before)


# --- dtype and caller's arrays -------------------------------------------------------------------------------


def test_float32_input_stays_float32_and_is_not_mutated():
    rng = np.random.default_rng(11)
    conv = Conv((2, 1), (3, 3, 3), 2)
    x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    x_before = x.copy()
    output = conv.forward(x)
    assert output.dtype == np.float32
    error = np.ones(output.shape, dtype=np.float32)
    error_before = error.copy()
    error_input = conv.backward(error)
    assert error_input.dtype == np.float32
    assert conv.gradient_weights.dtype == np.float32
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(error, error_before)
    expected = reference_conv(x.astype(np.float64), conv.weights, conv.bias, conv.stride_shape)
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)


def test_integer_input_is_accepted():
    conv = averaging_conv((1, 1))
    output = conv.forward(np.arange(16).reshape(1, 1, 4, 4))
    np.testing.assert_allclose(output[0, 0], NEIGHBOURHOOD_SUMS / 9, rtol=1e-12)


# --- properties ----------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=40)
@given(
    dims=st.integers(1, 2),
    batch=st.integers(1, 3),
    channels=st.integers(1, 3),
    num_kernels=st.integers(1, 3),
    kernel=st.lists(st.integers(1, 5), min_size=2, max_size=2),
    size=st.lists(st.integers(1, 8), min_size=2, max_size=2),
    seed=st.integers(0, 2**16),
)
def test_stride_one_keeps_the_spatial_size(dims, batch, channels, num_kernels, kernel, size, seed):
    rng = np.random.default_rng(seed)
    conv = Conv(1, (channels, *kernel[:dims]), num_kernels)
    x = rng.standard_normal((batch, channels, *size[:dims]))
    output = conv.forward(x)
    assert output.shape == (batch, num_kernels, *size[:dims])
    assert conv.backward(np.ones(output.shape)).shape == x.shape


@settings(deadline=None, max_examples=30)
@given(
    stride=st.lists(st.integers(1, 4), min_size=2, max_size=2),
    kernel=st.lists(st.integers(1, 4), min_size=2, max_size=2),
    size=st.lists(st.integers(1, 9), min_size=2, max_size=2),
    seed=st.integers(0, 2**16),
)
def test_strided_output_matches_loop_reference(stride, kernel, size, seed):
    rng = np.random.default_rng(seed)
    conv = Conv(stride, (2, *kernel), 2)
    x = rng.standard_normal((1, 2, *size))
    output = conv.forward(x)
    assert output.shape[2:] == tuple(-(-n // s) for n, s in zip(size, stride, strict=True))
    np.testing.assert_allclose(output, reference_conv(x, conv.weights, conv.bias, stride), rtol=1e-10, atol=1e-10)


# --- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("convolution_shape", "error", "message"),
    [
        ((3, 3, 3, 3), ValueError, r"Conv convolution_shape must have 2 or 3 entries .*got 4: \(3, 3, 3, 3\)"),
        ((3,), ValueError, r"Conv convolution_shape must have 2 or 3 entries .*got 1"),
        ((3, 0, 3), ValueError, r"Conv convolution_shape\[1\] must be a positive integer, got 0"),
        ((3, -2), ValueError, r"Conv convolution_shape\[1\] must be a positive integer, got -2"),
        ((3, 2.5), TypeError, r"Conv convolution_shape\[1\] must be a positive integer, got 2.5"),
        (3, TypeError, r"Conv convolution_shape must be a tuple or list .*got 3"),
    ],
)
def test_invalid_convolution_shape(convolution_shape, error, message):
    with pytest.raises(error, match=message):
        Conv(1, convolution_shape, 2)


@pytest.mark.parametrize(
    ("num_kernels", "error"), [(0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_invalid_num_kernels(num_kernels, error):
    with pytest.raises(error, match=rf"Conv num_kernels must be a positive integer, got {num_kernels!r}"):
        Conv(1, (3, 3, 3), num_kernels)


@pytest.mark.parametrize(
    ("stride_shape", "convolution_shape", "error", "message"),
    [
        ((1, 2, 3), (3, 3, 3), ValueError, r"Conv stride_shape must have 2 entries, got 3: \(1, 2, 3\)"),
        ((1, 2), (3, 3), ValueError, r"Conv stride_shape must have 1 entry, got 2: \(1, 2\)"),
        ((1, 0), (3, 3, 3), ValueError, r"Conv stride_shape\[1\] must be a positive integer, got 0"),
        (-1, (3, 3), ValueError, r"Conv stride_shape\[0\] must be a positive integer, got -1"),
        ("2", (3, 3), TypeError, r"Conv stride_shape must be an int or a tuple of ints, got '2'"),
    ],
)
def test_invalid_stride_shape(stride_shape, convolution_shape, error, message):
    with pytest.raises(error, match=message):
        Conv(stride_shape, convolution_shape, 2)


def test_input_with_wrong_channel_count_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Conv expected input_tensor of shape \(batch, 3, y, x\), got \(2, 4, 5, 5\)"):
        Conv((1, 1), (3, 3, 3), 2).forward(np.ones((2, 4, 5, 5)))


def test_input_of_wrong_rank_is_rejected():
    with pytest.raises(ValueError, match=r"Conv expected input_tensor of shape \(batch, 3, y, x\), got \(2, 3, 5\)"):
        Conv((1, 1), (3, 3, 3), 2).forward(np.ones((2, 3, 5)))
    with pytest.raises(ValueError, match=r"Conv expected input_tensor of shape \(batch, 3, y\), got \(2, 3, 5, 5\)"):
        Conv(1, (3, 3), 2).forward(np.ones((2, 3, 5, 5)))


def test_empty_spatial_input_is_rejected():
    with pytest.raises(ValueError, match=r"Conv got an empty input_tensor of shape \(2, 3, 0, 5\)"):
        Conv(1, (3, 3, 3), 2).forward(np.ones((2, 3, 0, 5)))


def test_non_numeric_input_is_rejected():
    with pytest.raises(TypeError, match=r"Conv input_tensor must be a numeric array"):
        Conv(1, (1, 3), 1).forward(np.array([[["a", "b"]]]))


def test_weights_of_wrong_shape_are_reported_at_forward():
    conv = Conv((1, 1), (3, 3, 3), 2)
    conv.weights = np.ones((2, 3, 3))
    with pytest.raises(ValueError, match=r"Conv weights must have shape \(2, 3, 3, 3\), got \(2, 3, 3\)"):
        conv.forward(np.ones((1, 3, 5, 5)))


def test_bias_of_wrong_shape_is_reported_at_forward():
    conv = Conv((1, 1), (3, 3, 3), 2)
    conv.bias = np.ones((1, 2))
    with pytest.raises(ValueError, match=r"Conv bias must have shape \(2,\), got \(1, 2\)"):
        conv.forward(np.ones((1, 3, 5, 5)))


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match=r"Conv.backward\(\) called before forward\(\)"):
        Conv(1, (3, 3, 3), 2).backward(np.ones((1, 2, 5, 5)))


def test_error_tensor_of_wrong_shape_names_both_shapes():
    conv = Conv((2, 2), (3, 3, 3), 2)
    conv.forward(np.ones((2, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"Conv expected error_tensor of shape \(2, 2, 3, 3\), got \(2, 2, 5, 5\)"):
        conv.backward(np.ones((2, 2, 5, 5)))


def test_backward_always_returns_the_input_gradient_even_for_a_first_layer():
    conv, rng = seeded_conv((1, 1), (1, 3, 3), 2, seed=5)
    x = rng.standard_normal((2, 1, 4, 4))
    output = conv.forward(x)
    error_input = conv.backward(np.ones_like(output))
    assert error_input.shape == x.shape and error_input.flags.c_contiguous
    # Each input value's gradient is the sum of the kernel entries whose receptive field covers it.
    np.testing.assert_allclose(error_input[0, 0, 1, 1], conv.weights.sum(), rtol=1e-12)
    assert not hasattr(conv, "needs_input_gradient")
