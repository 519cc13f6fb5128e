"""float32 end to end: every layer, loss and optimizer keeps float32, and NeuralNetwork(dtype=...) casts."""

import numpy as np
import pytest
from helpers import FixedBatches, one_hot

from rnnreg import (
    LSTM,
    RNN,
    Adam,
    BatchNormalization,
    Constant,
    Conv,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    FullyConnected,
    He,
    L1Regularizer,
    L2Loss,
    L2Regularizer,
    NeuralNetwork,
    Pooling,
    ReLU,
    Sgd,
    SgdWithMomentum,
    Sigmoid,
    SoftMax,
    TanH,
    Xavier,
)
from rnnreg.layers.sequence import LastTimeStep

F32 = np.dtype(np.float32)


def _optimizers():
    plain = Sgd(0.01)
    momentum = SgdWithMomentum(0.01, 0.9)
    momentum.add_regularizer(L2Regularizer(1e-3))
    adam = Adam(0.01, 0.9, 0.999)
    adam.add_regularizer(L1Regularizer(1e-3))
    into = SgdWithMomentum(0.01, 0.9)
    into.add_regularizer(L2Regularizer(1e-3), into_gradient=True)
    return [plain, momentum, adam, into]


LAYERS = {
    "FullyConnected": (lambda: FullyConnected(5, 3), (4, 5)),
    "ReLU": (ReLU, (4, 5)),
    "TanH": (TanH, (4, 5)),
    "Sigmoid": (Sigmoid, (4, 5)),
    "SoftMax": (SoftMax, (4, 5)),
    "Flatten": (Flatten, (4, 2, 3, 3)),
    "Conv2d": (lambda: Conv((2, 1), (2, 3, 3), 4), (3, 2, 5, 6)),
    "Conv1d": (lambda: Conv(2, (2, 3), 4), (3, 2, 7)),
    "Pooling": (lambda: Pooling(2, 2), (3, 2, 4, 6)),
    "PoolingOverlap": (lambda: Pooling(1, 2), (3, 2, 4, 5)),
    "Dropout": (lambda: Dropout(0.7), (4, 5)),
    "BatchNorm2d": (lambda: BatchNormalization(5), (6, 5)),
    "BatchNorm4d": (lambda: BatchNormalization(2), (3, 2, 4, 4)),
    "RNN": (lambda: RNN(3, 4, 2), (2, 5, 3)),
    "RNNsingle": (lambda: RNN(3, 4, 2), (5, 3)),
    "LSTM": (lambda: LSTM(3, 4, 2), (2, 5, 3)),
    "LastTimeStep": (LastTimeStep, (2, 5, 3)),
}


def _cast_arrays(layer, dtype):
    for name in (*layer.parameter_names, *layer.buffer_names):
        value = getattr(layer, name, None)
        if isinstance(value, np.ndarray):
            setattr(layer, name, value.astype(dtype))


@pytest.mark.parametrize("phase", ["train", "test"])
@pytest.mark.parametrize("key", sorted(LAYERS))
def test_every_layer_keeps_float32_in_both_directions_and_in_its_updates(key, phase):
    for optimizer in _optimizers():
        factory, shape = LAYERS[key]
        rng = np.random.default_rng(0)
        layer = factory()
        if getattr(layer, "trainable", False):
            layer.initialize(He(), Constant(0.1))
            layer.optimizer = optimizer
        x = rng.standard_normal(shape).astype(np.float32)
        if isinstance(layer, BatchNormalization) and phase == "test":
            layer.forward(x)  # the moving statistics come from a training-phase forward
        _cast_arrays(layer, np.float32)
        layer.testing_phase = phase == "test"
        output = layer.forward(x)
        assert output.dtype == F32, f"{key} forward"
        error = layer.backward(rng.standard_normal(output.shape).astype(np.float32))
        assert error.dtype == F32, f"{key} backward"
        for name in getattr(layer, "parameter_names", ()) if getattr(layer, "trainable", False) else ():
            assert getattr(layer, f"gradient_{name}").dtype == F32, f"{key} gradient_{name}"
            assert getattr(layer, name).dtype == F32, f"{key} {name} after the update"


def test_losses_keep_the_prediction_dtype():
    prediction = np.array([[0.2, 0.8], [0.6, 0.4]], dtype=np.float32)
    labels = one_hot([1, 0], 2)  # float64 labels
    cross_entropy = CrossEntropyLoss()
    cross_entropy.forward(prediction, labels)
    error = cross_entropy.backward(labels)
    assert error.dtype == F32
    np.testing.assert_allclose(error, -labels / (prediction + np.finfo(float).eps), rtol=1e-6)
    l2 = L2Loss()
    l2.forward(prediction, labels)
    assert l2.backward(labels).dtype == F32


def test_cross_entropy_float64_is_unchanged():
    prediction = np.array([[0.2, 0.8], [0.6, 0.4]])
    labels = one_hot([1, 0], 2)
    loss = CrossEntropyLoss()
    value = loss.forward(prediction, labels)
    assert value == -np.sum(labels * np.log(prediction + np.finfo(float).eps))
    np.testing.assert_array_equal(loss.backward(labels), -labels / (prediction + np.finfo(float).eps))


def _mlp(dtype, seed=0):
    np.random.seed(seed)
    optimizer = SgdWithMomentum(0.01, 0.9)
    optimizer.add_regularizer(L2Regularizer(1e-4))
    network = NeuralNetwork(optimizer, He(), Constant(0.1), dtype=dtype)
    for layer in (
        FullyConnected(4, 8), BatchNormalization(8), ReLU(), Dropout(0.8), FullyConnected(8, 3), SoftMax(),
    ):  # fmt: skip
        network.append_layer(layer)
    network.loss_layer = CrossEntropyLoss()
    rng = np.random.default_rng(1)
    inputs = rng.standard_normal((16, 4))  # float64 data: the network casts it
    labels = one_hot(rng.integers(0, 3, 16), 3)
    network.data_layer = FixedBatches((inputs, labels))
    return network, inputs


def test_network_dtype_casts_every_array_and_every_batch():
    network, inputs = _mlp(np.float32)
    assert network.dtype == F32
    for layer in network.trainable_layers():
        for name in layer.parameter_names:
            assert getattr(layer, name).dtype == F32
    network.train(5)
    for layer in network.trainable_layers():
        for name in layer.parameter_names:
            assert getattr(layer, name).dtype == F32
            assert getattr(layer, f"gradient_{name}").dtype == F32
    assert network.test(inputs).dtype == F32
    assert all(np.isfinite(network.loss))


def test_float32_network_follows_the_float64_network():
    network32, inputs = _mlp(np.float32)
    network64, _ = _mlp(None)
    np.random.seed(5)
    network32.train(3)
    np.random.seed(5)
    network64.train(3)
    np.testing.assert_allclose(network32.loss, network64.loss, rtol=1e-4)
    np.testing.assert_allclose(network32.test(inputs), network64.test(inputs), rtol=1e-3, atol=1e-5)


def test_default_dtype_keeps_float64_and_the_input_as_it_is():
    network, inputs = _mlp(None)
    assert network.dtype is None
    assert network.layers[0].weights.dtype == np.float64
    network.train(1)
    assert network.test(inputs).dtype == np.float64


@pytest.mark.parametrize("bad", [np.int32, "int64", object, "nonsense"])
def test_network_dtype_must_be_floating(bad):
    with pytest.raises(TypeError, match="NeuralNetwork dtype"):
        NeuralNetwork(Sgd(0.1), He(), Constant(0.1), dtype=bad)


def test_float32_recurrent_network_and_save_load_keep_the_dtype(tmp_path):
    np.random.seed(0)
    network = NeuralNetwork(SgdWithMomentum(0.01, 0.9), Xavier(), Constant(0.1), dtype=np.float32)
    network.append_layer(LSTM(3, 5, 2))
    network.append_layer(RNN(2, 4, 1))
    network.loss_layer = L2Loss()
    rng = np.random.default_rng(2)
    inputs = rng.standard_normal((2, 6, 3))
    network.data_layer = FixedBatches((inputs, rng.uniform(0.1, 0.9, (2, 6, 1))))
    network.train(3)
    assert network.test(inputs).dtype == F32
    path = network.save(tmp_path / "net.npz")
    loaded = NeuralNetwork.load(path)
    assert loaded.dtype == F32
    assert loaded.layers[0].weights.dtype == F32
    np.testing.assert_array_equal(loaded.test(inputs), network.test(inputs))
