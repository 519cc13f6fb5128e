import numpy as np
import pytest

from rnnreg import CrossEntropyLoss, L2Loss, Sigmoid, SoftMax
from rnnreg.gradcheck import check_gradients


def test_value_is_summed_over_the_batch_by_hand():
    loss = CrossEntropyLoss()
    value = loss.forward(np.array([[0.2, 0.8], [0.5, 0.5]]), np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert value == pytest.approx(-(np.log(0.8) + np.log(0.5)))


def test_backward_is_minus_label_over_prediction():
    loss = CrossEntropyLoss()
    prediction = np.array([[0.2, 0.8]])
    loss.forward(prediction, np.array([[0.0, 1.0]]))
    eps = np.finfo(float).eps
    np.testing.assert_allclose(loss.backward(np.array([[0.0, 1.0]])), [[0.0, -1.0 / (0.8 + eps)]])


def test_zero_probability_gives_a_large_finite_loss():
    value = CrossEntropyLoss().forward(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert value == pytest.approx(-np.log(np.finfo(float).eps))


def test_softmax_with_cross_entropy_gradient():
    labels = np.eye(4)[np.random.randint(0, 4, size=6)]
    errors = check_gradients(SoftMax(), np.random.randn(6, 4), labels, CrossEntropyLoss())
    assert errors["input"] < 1e-6


def test_label_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r"label_tensor shape \(2, 3\) does not match prediction shape \(2, 2\)"):
        CrossEntropyLoss().forward(np.full((2, 2), 0.5), np.zeros((2, 3)))


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="before forward"):
        CrossEntropyLoss().backward(np.zeros((1, 2)))


def test_l2_loss_value_and_gradient_by_hand():
    loss = L2Loss()
    assert loss.forward(np.array([[0.5, 1.0]]), np.array([[0.0, 2.0]])) == pytest.approx(0.25 + 1.0)
    np.testing.assert_allclose(loss.backward(np.array([[0.0, 2.0]])), [[1.0, -2.0]])


def test_l2_loss_on_sequences_and_gradient_check():
    targets = np.random.rand(3, 4, 2)
    errors = check_gradients(Sigmoid(), np.random.randn(3, 4, 2), targets, L2Loss())
    assert errors["input"] < 1e-6


def test_l2_loss_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r"L2Loss label_tensor shape \(2, 1\) does not match prediction shape"):
        L2Loss().forward(np.zeros((2, 2)), np.zeros((2, 1)))
