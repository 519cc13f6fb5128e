import numpy as np
import pytest

from rnnreg import CrossEntropyLoss, FullyConnected, ReLU, SoftMax, TanH
from rnnreg.gradcheck import check_gradients
from rnnreg.layers.base import BaseLayer


class WrongTanH(TanH):
    """TanH with a gradient off by a factor 1.01: the check must notice."""

    def backward(self, error_tensor):
        return 1.01 * super().backward(error_tensor)


class Doubler(BaseLayer):
    def forward(self, input_tensor):
        return 2 * input_tensor

    def backward(self, error_tensor):
        return error_tensor


def test_reports_every_array_of_a_stack_with_a_loss_on_top():
    layers = [FullyConnected(4, 5), TanH(), FullyConnected(5, 3), SoftMax()]
    labels = np.eye(3)[np.random.randint(0, 3, size=6)]
    errors = check_gradients(layers, np.random.randn(6, 4), labels, CrossEntropyLoss())
    assert set(errors) == {"input", "layers[0].weights", "layers[2].weights"}
    assert max(errors.values()) < 1e-6


def test_detects_a_wrong_gradient():
    errors = check_gradients([FullyConnected(3, 3), WrongTanH()], np.random.randn(4, 3))
    assert errors["input"] > 5e-3
    assert errors["layers[0].weights"] > 5e-3


def test_detects_a_missing_factor():
    # analytical 1, numerical 2: |1 - 2| / max(1, 2)
    assert check_gradients(Doubler(), np.random.randn(3, 2))["input"] == pytest.approx(0.5, rel=1e-6)


def test_leaves_weights_and_optimizer_untouched():
    layer = FullyConnected(3, 2)
    before = layer.weights.copy()
    optimizers = layer.optimizers
    check_gradients([layer, ReLU()], np.random.randn(4, 3))
    np.testing.assert_array_equal(layer.weights, before)
    assert layer.optimizers is optimizers


def test_leaves_the_global_random_state_as_it_found_it():
    layer, inputs = FullyConnected(2, 2), np.random.randn(2, 2)
    state = np.random.get_state()
    check_gradients(layer, inputs)
    after = np.random.get_state()
    np.random.set_state(state)
    np.testing.assert_array_equal(after[1], state[1])
