import numpy as np
import pytest
from helpers import RecordingInitializer

from rnnreg import Constant, FullyConnected, Sgd
from rnnreg.gradcheck import check_gradients


def test_weights_shape_and_bias_row_and_trainable():
    layer = FullyConnected(4, 3)
    assert layer.trainable
    assert not layer.testing_phase
    assert layer.weights.shape == (5, 3)
    assert np.all((layer.weights >= 0) & (layer.weights < 1))


def test_forward_and_backward_values_by_hand():
    layer = FullyConnected(2, 2)
    layer.weights = np.array([[1.0, 2.0], [3.0, 4.0], [0.5, -0.5]])
    output = layer.forward(np.array([[1.0, 1.0], [0.0, 2.0]]))
    np.testing.assert_array_equal(output, [[4.5, 5.5], [6.5, 7.5]])
    error_input = layer.backward(np.array([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_array_equal(error_input, [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(layer.gradient_weights, [[1.0, 0.0], [1.0, 2.0], [1.0, 1.0]])


def test_initialize_passes_shapes_and_fans_and_puts_bias_last():
    layer = FullyConnected(4, 3)
    weights_init, bias_init = RecordingInitializer(0.5), RecordingInitializer(-1.0)
    layer.initialize(weights_init, bias_init)
    assert weights_init.calls == [((4, 3), 4, 3)]
    assert bias_init.calls == [((1, 3), 4, 3)]
    np.testing.assert_array_equal(layer.weights[:4], 0.5)
    np.testing.assert_array_equal(layer.weights[4], -1.0)


def test_optimizer_updates_weights_with_the_stored_gradient():
    layer = FullyConnected(3, 2)
    layer.initialize(Constant(0.2), Constant(0.1))
    before = layer.weights.copy()
    layer.optimizer = Sgd(0.5)
    layer.forward(np.random.rand(4, 3))
    layer.backward(np.random.rand(4, 2))
    np.testing.assert_allclose(layer.weights, before - 0.5 * layer.gradient_weights)


def test_gradients_match_finite_differences():
    layer = FullyConnected(5, 3)
    errors = check_gradients(layer, np.random.randn(7, 5))
    assert set(errors) == {"input", "layers[0].weights"}
    assert max(errors.values()) < 1e-6


def test_input_of_wrong_width_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"FullyConnected expected input_tensor of shape \(batch, 4\), got \(2, 5\)"):
        FullyConnected(4, 3).forward(np.ones((2, 5)))


def test_input_of_wrong_rank_is_rejected():
    with pytest.raises(ValueError, match=r"got \(4,\)"):
        FullyConnected(4, 3).forward(np.ones(4))


def test_weights_of_wrong_shape_are_reported_at_forward():
    layer = FullyConnected(4, 3)
    layer.weights = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"weights must have shape \(5, 3\), got \(4, 3\)"):
        layer.forward(np.ones((2, 4)))


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward\\(\\)"):
        FullyConnected(2, 2).backward(np.ones((1, 2)))


def test_error_tensor_of_wrong_shape_is_rejected():
    layer = FullyConnected(2, 2)
    layer.forward(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"error_tensor of shape \(3, 2\), got \(3, 4\)"):
        layer.backward(np.ones((3, 4)))


@pytest.mark.parametrize("size", [0, -1, 2.5, "3", True])
def test_bad_sizes_are_rejected(size):
    with pytest.raises((ValueError, TypeError), match="FullyConnected input_size"):
        FullyConnected(size, 2)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="numeric"):
        FullyConnected(2, 2).forward(np.array([["a", "b"]]))


def test_forward_does_not_mutate_the_callers_array():
    data = np.random.rand(3, 2)
    copy = data.copy()
    layer = FullyConnected(2, 2)
    layer.forward(data)
    layer.backward(np.ones((3, 2)))
    np.testing.assert_array_equal(data, copy)


def test_backward_always_returns_the_input_gradient_as_the_exercise_does():
    layer = FullyConnected(3, 2)
    layer.weights = np.arange(8.0).reshape(4, 2)
    layer.forward(np.ones((5, 3)))
    error = np.ones((5, 2))
    np.testing.assert_array_equal(layer.backward(error), error @ layer.weights[:3].T)
    assert not hasattr(layer, "needs_input_gradient")
