import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg.gradcheck import check_gradients
from rnnreg.layers.pooling import Pooling


def tie_free(rng, shape):
    """Distinct values in [0, 1), at least 1/size apart, so a finite-difference step of 1e-6 never changes
    which input is a maximum (and small values keep the round-off of the loss small)."""
    size = int(np.prod(shape))
    return rng.permutation(size).reshape(shape) / size


# --- construction ------------------------------------------------------------------------------------------------


def test_not_trainable_and_no_parameters():
    pooling = Pooling((2, 2), (2, 2))
    assert not pooling.trainable
    assert not pooling.testing_phase
    assert pooling.parameter_names == ()


def test_int_stride_and_one_entry_list_repeat_over_spatial_axes():
    assert Pooling(2, (2, 2)).stride_shape == (2, 2)
    assert Pooling([3], (2, 2)).stride_shape == (3, 3)
    assert Pooling(2, [3]).stride_shape == (2,)


def test_int_pooling_shape_is_a_square_2d_window():
    pooling = Pooling(2, 2)
    assert pooling.pooling_shape == (2, 2)
    assert pooling.stride_shape == (2, 2)
    assert pooling.config() == {"stride_shape": [2, 2], "pooling_shape": [2, 2]}
    np.testing.assert_array_equal(pooling.forward(IMAGE), [[[[4.0, 2.0], [5.0, 8.0]]]])


def test_config_is_json_and_rebuilds_the_layer():
    pooling = Pooling((3, 2), (2, 4))
    config = pooling.config()
    assert config == {"stride_shape": [3, 2], "pooling_shape": [2, 4]}
    assert Pooling(**json.loads(json.dumps(config))).config() == config
    assert repr(pooling) == "Pooling(stride_shape=[3, 2], pooling_shape=[2, 4])"


# --- shapes ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stride", "window", "input_shape", "output_shape"),
    [
        ((2, 2), (2, 2), (2, 3, 4, 7), (2, 3, 2, 3)),
        ((1, 1), (2, 2), (2, 3, 4, 7), (2, 3, 3, 6)),
        ((3, 2), (2, 2), (2, 3, 11, 15), (2, 3, 4, 7)),
        ((3, 2), (3, 3), (2, 3, 14, 15), (2, 3, 4, 7)),
        ((1, 1), (4, 7), (1, 2, 4, 7), (1, 2, 1, 1)),
        ((2,), (3,), (2, 3, 9), (2, 3, 4)),
        ((1,), (2,), (2, 3, 9), (2, 3, 8)),
    ],
)
def test_forward_and_backward_shapes(stride, window, input_shape, output_shape):
    rng = np.random.default_rng(0)
    pooling = Pooling(stride, window)
    assert pooling.forward(rng.standard_normal(input_shape)).shape == output_shape
    assert pooling.backward(rng.standard_normal(output_shape)).shape == input_shape


# --- hand-computed values ----------------------------------------------------------------------------------------

IMAGE = np.array(
    [
        [1.0, 3.0, 2.0, 0.0],
        [4.0, 2.0, 0.0, 1.0],
        [0.0, 5.0, 7.0, 2.0],
        [1.0, 1.0, 6.0, 8.0],
    ]
).reshape(1, 1, 4, 4)


def test_max_values_and_routing_by_hand():
    pooling = Pooling((2, 2), (2, 2))
    np.testing.assert_array_equal(pooling.forward(IMAGE), [[[[4.0, 2.0], [5.0, 8.0]]]])
    error_input = pooling.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    # The maxima 4, 2, 5, 8 sit at (1, 0), (0, 2), (2, 1), (3, 3).
    expected = np.array(
        [
            [0.0, 0.0, 2.0, 0.0],
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 3.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 4.0],
        ]
    )
    np.testing.assert_array_equal(error_input[0, 0], expected)


def test_overlapping_windows_accumulate_on_a_shared_maximum():
    pooling = Pooling((1, 1), (2, 2))
    x = np.array([[1.0, 2.0, 0.0], [3.0, 9.0, 4.0], [0.0, 5.0, 1.0]]).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(pooling.forward(x), [[[[9.0, 9.0], [9.0, 9.0]]]])
    error_input = pooling.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.array([[0.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(error_input[0, 0], expected)


def test_overlapping_windows_1d_by_hand():
    pooling = Pooling(1, (2,))
    x = np.array([[[1.0, 5.0, 2.0, 6.0, 3.0]]])
    np.testing.assert_array_equal(pooling.forward(x), [[[5.0, 5.0, 6.0, 6.0]]])
    error_input = pooling.backward(np.array([[[1.0, 2.0, 3.0, 4.0]]]))
    np.testing.assert_array_equal(error_input, [[[0.0, 1.0 + 2.0, 0.0, 3.0 + 4.0, 0.0]]])


def test_subsampling_stride_3_2_by_hand():
    pooling = Pooling((3, 2), (2, 2))
    x = np.arange(42.0).reshape(1, 1, 7, 6)
    # Windows start at rows 0, 3 and columns 0, 2, 4; the maximum is each window's bottom-right x[r + 1, c + 1].
    np.testing.assert_array_equal(pooling.forward(x), [[[[7.0, 9.0, 11.0], [25.0, 27.0, 29.0]]]])
    error_input = pooling.backward(np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]))
    expected = np.zeros((7, 6))
    expected[1, [1, 3, 5]] = [1.0, 2.0, 3.0]
    expected[4, [1, 3, 5]] = [4.0, 5.0, 6.0]
    np.testing.assert_array_equal(error_input[0, 0], expected)


def test_ties_go_to_the_first_maximum():
    pooling = Pooling((2, 2), (2, 2))
    pooling.forward(np.full((1, 1, 2, 2), 3.0))
    np.testing.assert_array_equal(pooling.backward(np.array([[[[5.0]]]]))[0, 0], [[5.0, 0.0], [0.0, 0.0]])
    pooling = Pooling(1, (3,))
    pooling.forward(np.array([[[1.0, 3.0, 3.0]]]))
    np.testing.assert_array_equal(pooling.backward(np.array([[[2.0]]])), [[[0.0, 2.0, 0.0]]])


def test_channels_and_batch_elements_are_pooled_separately():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2, 4, 6))
    output = Pooling((2, 3), (2, 3)).forward(x)
    expected = x.reshape(3, 2, 2, 2, 2, 3).max(axis=(3, 5))
    np.testing.assert_array_equal(output, expected)


def test_float32_stays_float32_and_input_is_not_mutated():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2, 4, 4)).astype(np.float32)
    before = x.copy()
    pooling = Pooling(1, (2, 2))
    output = pooling.forward(x)
    assert output.dtype == np.float32
    assert pooling.backward(np.ones(output.shape, dtype=np.float32)).dtype == np.float32
    np.testing.assert_array_equal(x, before)


# --- gradients ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stride", "window", "input_shape"),
    [
        ((2, 2), (2, 2), (2, 3, 4, 6)),
        ((1, 1), (2, 2), (2, 2, 5, 4)),
        ((3, 2), (2, 3), (2, 2, 8, 9)),
        ((1, 2), (3, 3), (1, 2, 6, 7)),
        ((1,), (3,), (2, 2, 8)),
        ((2,), (2,), (2, 3, 7)),
    ],
)
def test_input_gradient_matches_finite_differences(stride, window, input_shape):
    rng = np.random.default_rng(3)
    errors = check_gradients(Pooling(stride, window), tie_free(rng, input_shape))
    assert set(errors) == {"input"}
    assert errors["input"] < 1e-6, errors


# --- properties --------------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=40)
@given(
    dims=st.integers(1, 2),
    stride=st.lists(st.integers(1, 3), min_size=2, max_size=2),
    window=st.lists(st.integers(1, 3), min_size=2, max_size=2),
    extra=st.lists(st.integers(0, 5), min_size=2, max_size=2),
    seed=st.integers(0, 2**16),
)
def test_shape_formula_and_error_is_conserved(dims, stride, window, extra, seed):
    rng = np.random.default_rng(seed)
    size = [w + e for w, e in zip(window, extra, strict=True)][:dims]
    pooling = Pooling(stride[:dims], window[:dims])
    x = rng.standard_normal((2, 2, *size))
    output = pooling.forward(x)
    expected_spatial = tuple((n - w) // s + 1 for n, w, s in zip(size, window[:dims], stride[:dims], strict=True))
    assert output.shape == (2, 2, *expected_spatial)
    error = rng.standard_normal(output.shape)
    error_input = pooling.backward(error)
    # Every output hands its whole error to exactly one input.
    np.testing.assert_allclose(
        error_input.sum(axis=tuple(range(2, 2 + dims))), error.sum(axis=tuple(range(2, 2 + dims)))
    )
    assert np.count_nonzero(error_input) <= error.size


# --- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pooling_shape", "error", "message"),
    [
        ((2, 2, 2), ValueError, r"Pooling pooling_shape must have 1 or 2 entries .*got 3: \(2, 2, 2\)"),
        ((), ValueError, r"Pooling pooling_shape must have 1 or 2 entries .*got 0"),
        ((0, 2), ValueError, r"Pooling pooling_shape\[0\] must be a positive integer, got 0"),
        ((2, 1.5), TypeError, r"Pooling pooling_shape\[1\] must be a positive integer, got 1.5"),
        (0, ValueError, r"Pooling pooling_shape\[0\] must be a positive integer, got 0"),
        ("2", TypeError, r"Pooling pooling_shape must be an int or a tuple of ints, got '2'"),
    ],
)
def test_invalid_pooling_shape(pooling_shape, error, message):
    with pytest.raises(error, match=message):
        Pooling(1, pooling_shape)


@pytest.mark.parametrize(
    ("stride_shape", "pooling_shape", "error", "message"),
    [
        ((1, 2, 3), (2, 2), ValueError, r"Pooling stride_shape must have 2 entries, got 3: \(1, 2, 3\)"),
        ((2, 2), (2,), ValueError, r"Pooling stride_shape must have 1 entry, got 2: \(2, 2\)"),
        ((1, 0), (2, 2), ValueError, r"Pooling stride_shape\[1\] must be a positive integer, got 0"),
        (2.0, (2, 2), TypeError, r"Pooling stride_shape must be an int or a tuple of ints, got 2.0"),
    ],
)
def test_invalid_stride_shape(stride_shape, pooling_shape, error, message):
    with pytest.raises(error, match=message):
        Pooling(stride_shape, pooling_shape)


def test_window_larger_than_input_names_both_shapes():
    with pytest.raises(
        ValueError, match=r"Pooling pooling_shape \(3, 3\) is larger than the input's spatial size \(2, 5\)"
    ):
        Pooling(1, (3, 3)).forward(np.ones((1, 1, 2, 5)))
    with pytest.raises(ValueError, match=r"Pooling pooling_shape \(4,\) is larger than the input's spatial size"):
        Pooling(1, (4,)).forward(np.ones((1, 1, 3)))


def test_input_of_wrong_rank_is_rejected():
    with pytest.raises(
        ValueError, match=r"Pooling expected input_tensor of shape \(batch, channels, y, x\), got \(2, 3, 5\)"
    ):
        Pooling(2, (2, 2)).forward(np.ones((2, 3, 5)))
    with pytest.raises(
        ValueError, match=r"Pooling expected input_tensor of shape \(batch, channels, y\), got \(2, 3, 5, 5\)"
    ):
        Pooling(2, (2,)).forward(np.ones((2, 3, 5, 5)))


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match=r"Pooling.backward\(\) called before forward\(\)"):
        Pooling(2, (2, 2)).backward(np.ones((1, 1, 2, 2)))


def test_error_tensor_of_wrong_shape_names_both_shapes():
    pooling = Pooling(2, (2, 2))
    pooling.forward(np.ones((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"Pooling expected error_tensor of shape \(2, 3, 2, 2\), got \(2, 3, 4, 4\)"):
        pooling.backward(np.ones((2, 3, 4, 4)))


def _reference_pooling(x, stride, window, error):
    """Brute force over every window: np.argmax picks the first maximum (NaN counts as the maximum)."""
    batch, channels, height, width = x.shape
    out_y, out_x = (height - window[0]) // stride[0] + 1, (width - window[1]) // stride[1] + 1
    output = np.empty((batch, channels, out_y, out_x))
    gradient = np.zeros_like(x)
    for b, c, p, q in np.ndindex(batch, channels, out_y, out_x):
        patch = x[b, c, p * stride[0] : p * stride[0] + window[0], q * stride[1] : q * stride[1] + window[1]]
        i, j = np.unravel_index(np.argmax(patch), window)
        output[b, c, p, q] = patch[i, j]
        gradient[b, c, p * stride[0] + i, q * stride[1] + j] += error[b, c, p, q]
    return output, gradient


@pytest.mark.parametrize("stride, window", [((2, 2), (2, 2)), ((1, 1), (2, 2)), ((1, 2), (3, 2)), ((3, 3), (2, 2))])
@pytest.mark.parametrize("kind", ["continuous", "ties", "nan"])
def test_forward_and_backward_match_a_brute_force_argmax_with_ties_and_nan(stride, window, kind):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 3, 7, 8))
    if kind == "ties":
        x = np.maximum(np.round(x), 0)  # many equal values, as after ReLU
    if kind == "nan":
        x[x > 1.2] = np.nan
    layer = Pooling(stride, window)
    output = layer.forward(x)
    error = rng.standard_normal(output.shape)
    expected_output, expected_gradient = _reference_pooling(x, stride, window, error)
    np.testing.assert_array_equal(output, expected_output)
    np.testing.assert_allclose(layer.backward(error), expected_gradient, rtol=1e-14, atol=1e-15)
