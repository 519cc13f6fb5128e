import json
import zipfile

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
    NeuralNetwork,
    Pooling,
    ReLU,
    SgdWithMomentum,
    SoftMax,
    TanH,
)
from rnnreg.layers.base import BaseLayer


def trained_conv_network():
    optimizer = Adam(1e-3, 0.9, 0.999)
    optimizer.add_regularizer(L1Regularizer(1e-4))
    net = NeuralNetwork(optimizer, He(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.random.rand(6, 1, 6, 6), one_hot(np.arange(6) % 3, 3)))
    for layer in (Conv((1, 1), (1, 3, 3), 2), BatchNormalization(2), ReLU(), Pooling((2, 2), (2, 2)), Flatten(),
                  Dropout(0.7), FullyConnected(18, 3), SoftMax()):
        net.append_layer(layer)
    net.train(3)
    return net


def trained_recurrent_network():
    net = NeuralNetwork(SgdWithMomentum(1e-2, 0.9), He(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.random.rand(7, 3), one_hot(np.arange(7) % 2, 2)))
    rnn = RNN(3, 4, 5)
    rnn.memorize = True
    for layer in (rnn, LSTM(5, 3, 4), TanH(), FullyConnected(4, 2), SoftMax()):
        net.append_layer(layer)
    net.train(3)
    return net


@pytest.mark.parametrize("build", [trained_conv_network, trained_recurrent_network])
def test_round_trip_gives_bit_identical_predictions_and_state(build, tmp_path):
    net = build()
    path = net.save(tmp_path / "net.npz")
    loaded = NeuralNetwork.load(path)
    inputs = net.data_layer.batches[0][0]
    np.testing.assert_array_equal(loaded.test(inputs), net.test(inputs))
    assert loaded.loss == net.loss
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in net.layers]
    for original, restored in zip(net.layers, loaded.layers, strict=True):
        for name in (*original.parameter_names, *original.buffer_names):
            np.testing.assert_array_equal(getattr(restored, name), getattr(original, name))
        for name, optimizer in getattr(original, "optimizers", {}).items():
            restored_state = restored.optimizers[name].state_arrays()
            for key, value in optimizer.state_arrays().items():
                np.testing.assert_array_equal(restored_state[key], value)


def test_training_continues_identically_after_a_round_trip(tmp_path):
    np.random.seed(4)
    net = trained_conv_network()
    loaded = NeuralNetwork.load(net.save(tmp_path / "net.npz"))
    loaded.data_layer = net.data_layer
    state = np.random.get_state()
    net.train(2)
    np.random.set_state(state)
    loaded.train(2)
    assert loaded.loss == net.loss
    np.testing.assert_array_equal(loaded.layers[0].weights, net.layers[0].weights)


def test_regularizer_and_hyper_parameters_survive(tmp_path):
    loaded = NeuralNetwork.load(trained_conv_network().save(tmp_path / "net.npz"))
    assert isinstance(loaded.optimizer, Adam)
    assert loaded.optimizer.learning_rate == 1e-3
    assert isinstance(loaded.layers[0].optimizers["weights"].regularizer, L1Regularizer)
    assert loaded.layers[5].probability == 0.7
    assert loaded.layers[0].optimizers["weights"].step_count == 3


def test_file_holds_no_pickled_objects(tmp_path):
    path = trained_conv_network().save(tmp_path / "net.npz")
    with np.load(path, allow_pickle=False) as archive:
        for key in archive.files:
            assert archive[key].dtype != object
        metadata = json.loads(str(archive["metadata"]))
    assert metadata["format"] == "rnnreg.network"


def test_existing_file_is_not_overwritten_silently(tmp_path):
    path = tmp_path / "net.npz"
    path.write_bytes(b"precious")
    net = trained_conv_network()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        net.save(path)
    assert path.read_bytes() == b"precious"
    net.save(path, overwrite=True)
    assert NeuralNetwork.load(path).loss == net.loss


def test_damaged_file_is_a_clear_error(tmp_path):
    path = trained_conv_network().save(tmp_path / "net.npz")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged.npz"):
        NeuralNetwork.load(damaged)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a readable rnnreg network file"):
        NeuralNetwork.load(truncated)


def test_foreign_files_are_rejected(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, weights=np.ones(3))
    with pytest.raises(ValueError, match="no metadata"):
        NeuralNetwork.load(plain)
    other = tmp_path / "other.npz"
    np.savez(other, metadata=np.array(json.dumps({"format": "something else"})))
    with pytest.raises(ValueError, match="format is not 'rnnreg.network'"):
        NeuralNetwork.load(other)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a readable rnnreg network file"):
        NeuralNetwork.load(text)


def test_unknown_class_in_metadata_is_rejected(tmp_path):
    path = trained_conv_network().save(tmp_path / "net.npz")
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    metadata = json.loads(str(arrays["metadata"]))
    metadata["layers"][2]["class"] = "os.system"
    arrays["metadata"] = np.array(json.dumps(metadata))
    tampered = tmp_path / "tampered.npz"
    np.savez(tampered, **arrays)
    with pytest.raises(ValueError, match="unknown class 'os.system'"):
        NeuralNetwork.load(tampered)


def test_pickled_content_is_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, metadata=np.array([{"format": "rnnreg.network"}], dtype=object))
    with pytest.raises(ValueError, match="not a readable rnnreg network file"):
        NeuralNetwork.load(path)


def test_custom_layers_cannot_be_saved(tmp_path):
    class Custom(BaseLayer):
        pass

    net = trained_conv_network()
    net.layers.append(Custom())
    with pytest.raises(TypeError, match="cannot save an object of class Custom"):
        net.save(tmp_path / "net.npz")
    assert not (tmp_path / "net.npz").exists()


def test_saved_file_is_a_zip_archive(tmp_path):
    assert zipfile.is_zipfile(trained_conv_network().save(tmp_path / "net.npz"))
