import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnnreg import Flatten, ReLU, Sigmoid, SoftMax, TanH
from rnnreg.gradcheck import check_gradients


def test_relu_forward_and_backward_by_hand():
    layer = ReLU()
    np.testing.assert_array_equal(layer.forward(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(layer.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_tanh_and_sigmoid_values_by_hand():
    x = np.array([[0.0, 1.0]])
    np.testing.assert_allclose(TanH().forward(x), [[0.0, 0.7615941559557649]])
    np.testing.assert_allclose(Sigmoid().forward(x), [[0.5, 0.7310585786300049]])


def test_sigmoid_is_finite_and_exact_at_extremes():
    output = Sigmoid().forward(np.array([[-1000.0, 1000.0]]))
    np.testing.assert_array_equal(output, [[0.0, 1.0]])


def test_sigmoid_and_tanh_backward_use_their_output():
    sigmoid, tanh = Sigmoid(), TanH()
    x = np.array([[0.0]])
    sigmoid.forward(x)
    tanh.forward(x)
    np.testing.assert_allclose(sigmoid.backward(np.array([[1.0]])), [[0.25]])
    np.testing.assert_allclose(tanh.backward(np.array([[1.0]])), [[1.0]])


def test_softmax_values_by_hand_and_shift_invariance():
    layer = SoftMax()
    output = layer.forward(np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]]))
    np.testing.assert_allclose(output, [[0.25, 0.75], [0.5, 0.5]])


@pytest.mark.parametrize("layer_class", [ReLU, TanH, Sigmoid, SoftMax])
def test_gradients_match_finite_differences(layer_class):
    errors = check_gradients(layer_class(), np.random.randn(6, 5))
    assert errors["input"] < 1e-6


@pytest.mark.parametrize("layer_class", [ReLU, TanH, Sigmoid, SoftMax, Flatten])
def test_backward_before_forward_is_a_runtime_error(layer_class):
    with pytest.raises(RuntimeError, match=f"{layer_class.__name__}.backward"):
        layer_class().backward(np.ones((2, 3)))


@pytest.mark.parametrize("layer_class", [ReLU, TanH, Sigmoid, SoftMax])
def test_error_tensor_shape_mismatch_is_reported(layer_class):
    layer = layer_class()
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"error_tensor of shape \(2, 3\), got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))


def test_softmax_rejects_non_matrix_input():
    with pytest.raises(ValueError, match=r"SoftMax expected input_tensor of shape \(batch, classes\)"):
        SoftMax().forward(np.ones(3))


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
                  elements=st.floats(-500, 500)))
def test_softmax_rows_are_probabilities(logits):
    output = SoftMax().forward(logits)
    assert np.all(output >= 0)
    np.testing.assert_allclose(output.sum(axis=1), 1.0, rtol=1e-12)


def test_flatten_shapes_by_hand():
    layer = Flatten()
    images = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    flat = layer.forward(images)
    assert flat.shape == (2, 60)
    np.testing.assert_array_equal(flat[1], np.arange(60, 120))
    assert layer.backward(flat).shape == (2, 3, 4, 5)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=5, max_side=5), elements=st.floats(-10, 10)))
def test_flatten_round_trips(tensor):
    layer = Flatten()
    flat = layer.forward(tensor)
    assert flat.shape == (tensor.shape[0], int(np.prod(tensor.shape[1:])))
    np.testing.assert_array_equal(layer.backward(flat), tensor)


def test_flatten_error_tensor_shape_mismatch_is_reported():
    layer = Flatten()
    layer.forward(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"Flatten expected error_tensor of shape \(2, 12\)"):
        layer.backward(np.ones((2, 11)))


def test_sigmoid_function_returns_a_new_array_and_keeps_the_input():
    from rnnreg.layers.activations import sigmoid

    z = np.array([[-3.0, 0.0], [2.0, np.nan]])
    original = z.copy()
    result = sigmoid(z)
    assert result is not z
    np.testing.assert_array_equal(z, original)
    np.testing.assert_allclose(result[:, :1].ravel(), 1 / (1 + np.exp([3.0, -2.0])), rtol=1e-15)
    assert result[0, 1] == 0.5 and np.isnan(result[1, 1])
    assert sigmoid(np.array([1, -1])).dtype == np.float64
    np.testing.assert_allclose(sigmoid(np.array([1, -1])), [1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))], rtol=1e-15)
