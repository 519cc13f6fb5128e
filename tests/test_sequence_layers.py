import numpy as np
import pytest

from rnnreg import RNN, Constant, LastTimeStep, Xavier
from rnnreg.gradcheck import check_gradients


def test_last_time_step_by_hand():
    layer = LastTimeStep()
    sequences = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2)
    np.testing.assert_array_equal(layer.forward(sequences), [[4.0, 5.0], [10.0, 11.0]])
    error = layer.backward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    expected = np.zeros((2, 3, 2))
    expected[:, -1] = [[1.0, 2.0], [3.0, 4.0]]
    np.testing.assert_array_equal(error, expected)


def test_single_sequence_gives_a_batch_of_one():
    layer = LastTimeStep()
    np.testing.assert_array_equal(layer.forward(np.arange(6.0).reshape(3, 2)), [[4.0, 5.0]])
    assert layer.backward(np.ones((1, 2))).shape == (3, 2)


def test_many_to_one_stack_gradients():
    rnn = RNN(2, 4, 1)
    rnn.initialize(Xavier(), Constant(0.1))
    errors = check_gradients([rnn, LastTimeStep()], np.random.randn(3, 6, 2))
    assert max(errors.values()) < 1e-6


def test_bad_input_and_early_backward():
    with pytest.raises(ValueError, match=r"LastTimeStep expected input_tensor of shape \(time, features\)"):
        LastTimeStep().forward(np.ones(3))
    with pytest.raises(RuntimeError, match="before forward"):
        LastTimeStep().backward(np.ones((1, 2)))
    layer = LastTimeStep()
    layer.forward(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"error_tensor of shape \(2, 4\), got \(3, 4\)"):
        layer.backward(np.ones((3, 4)))
