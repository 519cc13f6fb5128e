"""The usage patterns of the exercise's own test suite, checked against rnnreg.

The exercise tests perturb ``layer.weights`` / ``layer.bias`` in place, reseed NumPy's global generator
before every forward pass, stack a layer under an L2 loss, assign kernels in steps and read ``net.loss``
as a list. These tests follow the same patterns (written here from the exercise's description), so a
thin name shim is all the exercise's suite needs.
"""

import numpy as np
import pytest

from rnnreg import (
    LSTM,
    RNN,
    BatchNormalization,
    Constant,
    Conv,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    NeuralNetwork,
    Pooling,
    Sgd,
    SoftMax,
    UniformRandom,
    Xavier,
)
from rnnreg.data import iris_data_layer


class L2Loss:
    def forward(self, prediction, label):
        self.difference = prediction - label
        return np.sum(np.square(self.difference))

    def backward(self, label):
        return 2 * self.difference


def run(layers, tensor, label, seed):
    for layer in layers[:-1]:
        if seed is not None:
            np.random.seed(seed)
        tensor = layer.forward(tensor)
    return layers[-1].forward(tensor, label)


def analytic_gradients(layers, tensor, label, seed):
    run(layers, tensor, label, seed)
    error = layers[-1].backward(label)
    for layer in reversed(layers[:-1]):
        error = layer.backward(error)
    return error


def worst_difference(analytic, perturbed_array, loss_at, epsilon=1e-5):
    """Perturb the array the layer really uses, in place, as the exercise's helpers do."""
    worst = 0.0
    for index in np.ndindex(perturbed_array.shape):
        original = perturbed_array[index]
        perturbed_array[index] = original + epsilon
        upper = loss_at()
        perturbed_array[index] = original - epsilon
        lower = loss_at()
        perturbed_array[index] = original
        numerical = (upper - lower) / (2 * epsilon)
        scale = max(abs(analytic[index]), abs(numerical))
        if scale > 1e-12:
            worst = max(worst, abs(analytic[index] - numerical) / scale)
    return worst


def check_input_gradient(layers, tensor, label, seed=None):
    analytic = analytic_gradients(layers, tensor, label, seed)
    perturbed = tensor.copy()
    return worst_difference(analytic, perturbed, lambda: run(layers, perturbed, label, seed))


def check_parameter_gradient(layers, tensor, label, name, seed=None):
    analytic_gradients(layers, tensor, label, seed)
    analytic = getattr(layers[0], f"gradient_{name}").copy()
    return worst_difference(analytic, getattr(layers[0], name), lambda: run(layers, tensor, label, seed))


def labels_for(shape):
    label = np.zeros(shape)
    label[np.arange(shape[0]), np.random.randint(0, shape[1], shape[0])] = 1
    return label


def test_fully_connected_in_place_weight_perturbation():
    layers = [FullyConnected(4, 3), L2Loss()]
    tensor = np.random.rand(9, 4)
    label = labels_for((9, 3))
    assert check_input_gradient(layers, tensor, label) < 1e-5
    assert check_parameter_gradient(layers, tensor, label, "weights") < 1e-5


def test_dropout_with_the_generator_reseeded_before_every_forward():
    layers = [Dropout(0.5), L2Loss()]
    tensor = np.ones((10, 10))
    assert check_input_gradient(layers, tensor, labels_for((10, 10)), seed=1337) < 1e-5


@pytest.mark.parametrize("shape", [(20, 3), (4, 3, 3, 2)])
def test_batch_norm_gamma_and_beta_are_perturbed_in_place(shape):
    layers = [BatchNormalization(3), L2Loss()]
    tensor = np.random.rand(*shape) * 3
    label = np.random.rand(*shape)
    assert check_input_gradient(layers, tensor, label) < 1e-4
    assert check_parameter_gradient(layers, tensor, label, "weights") < 1e-5
    assert check_parameter_gradient(layers, tensor, label, "bias") < 1e-5


def test_batch_norm_reformat_round_trip_without_forward():
    layer = BatchNormalization(3)
    image = np.arange(120).reshape(2, 3, 4, 5)
    vector = layer.reformat(image)
    assert vector.shape == (40, 3)
    np.testing.assert_array_equal(vector[1], [1, 21, 41])
    np.testing.assert_array_equal(layer.reformat(vector), image)


def test_batch_norm_test_phase_after_one_training_batch_keeps_mean_zero():
    layer = BatchNormalization(2)
    tensor = np.random.rand(200, 2) * 5 + 3
    layer.forward(tensor)
    layer.testing_phase = True
    np.testing.assert_allclose(layer.forward(tensor).mean(axis=0), 0, atol=1e-10)


def test_conv_kernels_assigned_in_steps_and_integer_bias():
    conv = Conv((1, 1), (1, 3, 3), 1)
    conv.weights = np.array([[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]])
    conv.bias = np.array([0])
    conv.weights = np.expand_dims(conv.weights, 0)
    tensor = np.random.rand(1, 1, 5, 7)
    np.testing.assert_allclose(conv.forward(tensor), tensor)


def test_conv_initialize_accepts_whatever_the_initializer_returns():
    class FixedInitializer:
        def initialize(self, shape, fan_in, fan_out):
            self.fan_in, self.fan_out = fan_in, fan_out
            return np.zeros((1, 3, 3, 3))

    conv = Conv((1, 1), (3, 5, 8), 4)
    initializer = FixedInitializer()
    conv.initialize(initializer, Constant(0.1))
    assert (initializer.fan_in, initializer.fan_out) == (3 * 5 * 8, 5 * 8 * 4)


def test_conv_and_pooling_gradients_with_in_place_perturbation():
    tensor = np.random.rand(2, 3, 7, 6)
    conv = Conv((2, 1), (3, 3, 3), 2)
    layers = [conv, Pooling((1, 1), (2, 2)), L2Loss()]
    output_shape = Pooling((1, 1), (2, 2)).forward(conv.forward(tensor)).shape
    label = np.random.rand(*output_shape)
    assert check_input_gradient(layers, tensor, label) < 1e-5
    assert check_parameter_gradient(layers, tensor, label, "weights") < 1e-5
    assert check_parameter_gradient(layers, tensor, label, "bias") < 1e-5


@pytest.mark.parametrize("layer_class", [RNN, LSTM])
def test_recurrent_layer_on_one_sequence_with_time_as_batch_axis(layer_class):
    layer = layer_class(13, 7, 4)
    # U[0, 1) weights saturate tanh on 13 inputs; the gradients then drown in rounding noise.
    layer.initialize(Xavier(), Constant(0.1))
    tensor = np.random.rand(13, 9).T
    label = labels_for((9, 4))
    layers = [layer, L2Loss()]
    assert layer.forward(tensor).shape == (9, 4)
    assert check_input_gradient(layers, tensor, label) < 1e-4
    assert check_parameter_gradient(layers, tensor, label, "weights") < 1e-4


def test_recurrent_update_makes_the_output_grow_along_its_own_direction():
    layer = RNN(13, 7, 5)
    layer.optimizer = Sgd(1)
    tensor = np.random.rand(9, 13)
    for _ in range(10):
        output = layer.forward(tensor)
        layer.backward(-output)
        assert np.sum(np.square(output)) < np.sum(np.square(layer.forward(tensor)))


def test_network_on_iris_as_the_exercise_trains_it():
    net = NeuralNetwork(Sgd(1e-3), UniformRandom(), Constant(0.1))
    net.data_layer = iris_data_layer(batch_size=50, standardize=False)
    net.loss_layer = CrossEntropyLoss()
    net.append_layer(FullyConnected(4, 3))
    net.append_layer(SoftMax())
    net.train(30)
    assert len(net.loss) == 30
    assert np.isfinite(np.sum(net.loss))
    inputs, labels = net.data_layer.get_test_set()
    results = net.test(inputs)
    assert results.shape == labels.shape
    np.testing.assert_array_equal(results, net.test(inputs))
    assert all(layer.testing_phase for layer in net.layers)
