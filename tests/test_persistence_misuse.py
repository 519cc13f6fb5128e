"""Issue 13, points 2, 6, 7 and 9 for save/load: a Dropout's own generator survives, saving keeps permission
bits and symbolic links, errors name the folder, and a damaged or tampered file is one clear ValueError that
names the file and the entry."""

import io
import json
import os
import stat
import zipfile

import numpy as np
import pytest
from helpers import FixedBatches, one_hot
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rnnreg import (
    LSTM,
    Adam,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    He,
    NeuralNetwork,
    ReLU,
    Sgd,
    SgdWithMomentum,
    SoftMax,
    Xavier,
)
from rnnreg.persistence import OPTIMIZER_STATE_NAMES


def batches(seed=0):
    rng = np.random.default_rng(seed)
    return FixedBatches(
        (rng.normal(size=(8, 4)), one_hot(rng.integers(0, 3, 8), 3)),
        (rng.normal(size=(8, 4)), one_hot(rng.integers(0, 3, 8), 3)),
    )


def dropout_network(rng=None, optimizer=None):
    net = NeuralNetwork(optimizer or Adam(1e-2, 0.9, 0.999), He(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = batches()
    for layer in (FullyConnected(4, 6), BatchNormalization(6), ReLU(), Dropout(0.5, rng=rng), FullyConnected(6, 3),
                  SoftMax()):
        net.append_layer(layer)
    return net


def recurrent_network():
    net = NeuralNetwork(SgdWithMomentum(1e-2, 0.9), Xavier(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.random.default_rng(1).normal(size=(5, 3)), one_hot(np.arange(5) % 2, 2)))
    lstm = LSTM(3, 4, 2, memorize=True)
    net.append_layer(lstm)
    net.append_layer(SoftMax())
    net.train(2)
    return net


def saved_arrays(path):
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def write_tampered(path, arrays, metadata=None):
    arrays = dict(arrays)
    if metadata is not None:
        arrays["metadata"] = np.array(json.dumps(metadata) if not isinstance(metadata, str) else metadata)
    np.savez(path, **arrays)
    return path


@pytest.fixture
def saved_dropout_network(tmp_path):
    np.random.seed(3)
    net = dropout_network(optimizer=Adam(1e-2, 0.9, 0.999))
    net.train(3)
    path = net.save(tmp_path / "net.npz")
    return path, saved_arrays(path)


# A Dropout's own generator (issue point 6) ------------------------------------------------------------------


def test_a_dropout_generator_continues_like_its_unsaved_twin(tmp_path):
    np.random.seed(0)
    net = dropout_network(rng=np.random.default_rng(7))
    net.train(3)
    loaded = NeuralNetwork.load(net.save(tmp_path / "net.npz"))
    loaded.data_layer = batches()
    loaded.data_layer.calls = net.data_layer.calls
    net.train(5)
    loaded.train(5)
    assert loaded.loss == net.loss
    assert isinstance(loaded.layers[3].rng, np.random.Generator)
    assert loaded.layers[3].rng is not net.layers[3].rng
    np.testing.assert_array_equal(loaded.layers[4].weights, net.layers[4].weights)


def test_a_dropout_on_the_global_state_stays_on_it(tmp_path):
    net = dropout_network(rng=None)
    net.train(1)
    loaded = NeuralNetwork.load(net.save(tmp_path / "net.npz"))
    assert loaded.layers[3].rng is None


def test_a_random_initializer_generator_is_restored(tmp_path):
    net = NeuralNetwork(Sgd(0.1), He(rng=np.random.default_rng(5)), Constant(0.1))
    loaded = NeuralNetwork.load(net.save(tmp_path / "net.npz"))
    np.testing.assert_array_equal(
        loaded.weights_initializer.initialize((3, 2), 3, 2), net.weights_initializer.initialize((3, 2), 3, 2)
    )


def test_a_bad_generator_state_is_a_value_error_naming_the_entry(saved_dropout_network, tmp_path):
    _, arrays = saved_dropout_network
    metadata = json.loads(str(arrays["metadata"]))
    metadata["layers"][3]["rng"] = {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}}
    with pytest.raises(ValueError, match=r"tampered\.npz .*layers\[3\] \(Dropout\): rng holds no valid PCG64 state"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays, metadata))
    metadata["layers"][3]["rng"] = {"bit_generator": "os.system"}
    with pytest.raises(ValueError, match="unknown bit generator 'os.system'"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays, metadata))


# Saving: permission bits, symbolic links, folders (points 6 and 9) ------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_saving_over_a_file_keeps_its_permission_bits(tmp_path, mode):
    path = tmp_path / "net.npz"
    path.write_bytes(b"old")
    path.chmod(mode)
    dropout_network().save(path, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert NeuralNetwork.load(path).layers[3].probability == 0.5


def test_a_new_file_gets_the_umask_mode(tmp_path):
    previous = os.umask(0o022)
    try:
        path = dropout_network().save(tmp_path / "net.npz")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_saving_onto_a_symbolic_link_writes_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "models" / "net.npz"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    net = dropout_network()
    net.train(1)
    net.save(link, overwrite=True)
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert NeuralNetwork.load(target).loss == net.loss


def test_saving_onto_an_existing_symbolic_link_needs_overwrite(tmp_path):
    target = tmp_path / "net.npz"
    target.write_bytes(b"precious")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        dropout_network().save(link)
    assert target.read_bytes() == b"precious"


def test_a_save_into_a_missing_folder_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the folder .*missing does not exist") as raised:
        dropout_network().save(tmp_path / "missing" / "net.npz")
    assert ".tmp" not in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_save_under_a_file_names_it(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotADirectoryError, match=r"notes\.txt is a file, not a folder"):
        dropout_network().save(tmp_path / "notes.txt" / "net.npz")


def test_a_save_onto_a_folder_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        dropout_network().save(tmp_path, overwrite=True)


@pytest.mark.parametrize("path", [None, 3, b"net.npz", ["net.npz"]])
def test_a_path_that_is_no_path_is_a_type_error(path):
    with pytest.raises(TypeError, match=r"NeuralNetwork.save path must be a str or os.PathLike, got"):
        dropout_network().save(path)
    with pytest.raises(TypeError, match=r"NeuralNetwork.load path must be a str or os.PathLike, got"):
        NeuralNetwork.load(path)


@pytest.mark.parametrize("overwrite", ["yes", 1, None])
def test_overwrite_must_be_a_bool(tmp_path, overwrite):
    with pytest.raises(TypeError, match=f"NeuralNetwork.save overwrite must be True or False, got {overwrite!r}"):
        dropout_network().save(tmp_path / "net.npz", overwrite=overwrite)


def test_a_crash_mid_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "net.npz"
    path.write_bytes(b"precious")

    def crash(*arguments):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        dropout_network().save(path, overwrite=True)
    assert path.read_bytes() == b"precious"
    assert [entry.name for entry in tmp_path.iterdir()] == ["net.npz"]


# Loading: integer arrays, phase (points 1 and 2) -----------------------------------------------------------


def test_integer_weights_in_a_file_load_as_float_and_train_as_float(saved_dropout_network, tmp_path):
    _, arrays = saved_dropout_network
    arrays = {**arrays, "layers/4/weights": np.arange(21).reshape(7, 3) % 3}
    loaded = NeuralNetwork.load(write_tampered(tmp_path / "ints.npz", arrays))
    assert loaded.layers[4].weights.dtype == np.float64
    loaded.data_layer = batches()
    loaded.train(1)
    assert not np.array_equal(loaded.layers[4].weights, np.round(loaded.layers[4].weights))


def test_integer_arrays_load_in_the_network_dtype(tmp_path):
    net = NeuralNetwork(Sgd(0.1), He(), Constant(0.1), dtype=np.float32)
    net.append_layer(FullyConnected(2, 2))
    arrays = saved_arrays(net.save(tmp_path / "net.npz"))
    arrays["layers/0/weights"] = np.ones((3, 2), dtype=np.int32)
    loaded = NeuralNetwork.load(write_tampered(tmp_path / "ints.npz", arrays))
    assert loaded.layers[0].weights.dtype == np.float32


def test_a_float_array_in_another_precision_loads_exactly_as_saved(tmp_path):
    # A user may assign float64 weights to a float32 network; the file keeps them, and so does load.
    net = NeuralNetwork(Sgd(0.1), He(), Constant(0.1), dtype=np.float32)
    net.append_layer(FullyConnected(2, 2))
    net.layers[0].weights = np.random.default_rng(0).normal(size=(3, 2))
    loaded = NeuralNetwork.load(net.save(tmp_path / "net.npz"))
    assert loaded.layers[0].weights.dtype == np.float64
    np.testing.assert_array_equal(loaded.layers[0].weights, net.layers[0].weights)


def test_a_float32_network_round_trips_bit_exactly(tmp_path):
    np.random.seed(2)
    net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), He(), Constant(0.1), dtype=np.float32)
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = batches()
    for layer in (FullyConnected(4, 6), BatchNormalization(6), ReLU(), FullyConnected(6, 3), SoftMax()):
        net.append_layer(layer)
    net.train(2)
    loaded = NeuralNetwork.load(net.save(tmp_path / "net.npz"))
    for original, restored in zip(net.layers, loaded.layers, strict=True):
        for name in (*original.parameter_names, *original.buffer_names):
            assert getattr(restored, name).dtype == np.float32
            np.testing.assert_array_equal(getattr(restored, name), getattr(original, name))


def test_a_net_saved_in_the_test_phase_trains_with_dropout_on_after_load(tmp_path):
    np.random.seed(1)
    net = dropout_network()
    net.train(2)
    inputs, labels = net.data_layer.next()
    net.test(inputs)
    loaded = NeuralNetwork.load(net.save(tmp_path / "net.npz"))
    assert loaded.phase == "test"
    loaded.train_step(inputs, labels)
    assert loaded.phase == "train"
    assert loaded.layers[3].mask is not None  # a training-phase forward drew a mask
    assert not loaded.layers[3].mask.all()


# Tampered files: one ValueError naming the file and the entry (points 7 and 9) ------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("layers/0/weights", np.ones((4, 6)), r"layers\[0\] \(FullyConnected\) weights array "
                                              r"'layers/0/weights' must have shape \(5, 6\), got \(4, 6\)"),
        ("layers/0/weights", np.array(["a"] * 30).reshape(5, 6), r"'layers/0/weights' must be a numeric array"),
        ("layers/0/weights", np.ones((5, 6), dtype=complex), r"'layers/0/weights' must be a numeric array"),
        ("layers/1/moving_mean", np.ones((1, 6)), r"moving_mean array 'layers/1/moving_mean' must have shape \(6,\)"),
        ("layers/1/bias", np.ones(5), r"layers\[1\] \(BatchNormalization\) bias array .* got \(5,\)"),
        ("optimizers/4/weights/first_moment", np.ones((6, 3)), r"Adam state first_moment of weights array .* shape"),
        ("optimizers/1/bias/second_moment", np.ones(()), r"Adam state second_moment of bias array .* shape"),
        ("optimizers/0/weights/step_count", np.array(2.5), r"step_count' must be one integer >= 1, got"),
        ("optimizers/0/weights/step_count", np.array(0), r"step_count' must be one integer >= 1, got"),
        ("loss", np.ones((2, 2)), r"loss history array 'loss' must have shape \(iterations,\)"),
    ],
)
def test_a_wrong_array_is_a_value_error_naming_the_file_and_the_entry(saved_dropout_network, tmp_path, key, value,
                                                                      message):
    _, arrays = saved_dropout_network
    tampered = write_tampered(tmp_path / "tampered.npz", {**arrays, key: value})
    with pytest.raises(ValueError, match=r"tampered\.npz is not a valid rnnreg network file: .*" + message):
        NeuralNetwork.load(tampered)


def test_a_wrong_velocity_shape_is_named(tmp_path):
    arrays = saved_arrays(recurrent_network().save(tmp_path / "net.npz"))
    arrays["optimizers/0/output_weights/velocity"] = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"SgdWithMomentum state velocity of output_weights array .* \(5, 2\)"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays))


def test_a_recurrent_state_of_the_wrong_width_is_named(tmp_path):
    arrays = saved_arrays(recurrent_network().save(tmp_path / "net.npz"))
    arrays["layers/0/cell_state"] = np.ones(3)
    with pytest.raises(ValueError, match=r"LSTM\) cell_state array 'layers/0/cell_state' must have shape \(4,\)"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays))


@pytest.mark.parametrize(
    "key", ["layers/0/weights", "layers/1/moving_variance", "optimizers/4/weights/second_moment", "loss"]
)
def test_a_missing_array_is_named(saved_dropout_network, tmp_path, key):
    _, arrays = saved_dropout_network
    arrays = {name: value for name, value in arrays.items() if name != key}
    with pytest.raises(ValueError, match=f"missing array\\(s\\) '{key}'"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays))


@pytest.mark.parametrize("key", ["layers/2/weights", "layers/9/weights", "optimizers/0/weights/velocity", "extra"])
def test_an_extra_array_is_named(saved_dropout_network, tmp_path, key):
    _, arrays = saved_dropout_network
    with pytest.raises(ValueError, match=f"unexpected array\\(s\\) '{key}'"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", {**arrays, key: np.ones(3)}))


def test_deeply_nested_metadata_is_a_value_error_not_a_recursion_error(saved_dropout_network, tmp_path):
    _, arrays = saved_dropout_network
    nested = '{"format": "rnnreg.network", "version": 1, "layers": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ValueError, match=r"tampered\.npz .*metadata is nested too deeply"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays, nested))


def tamper(metadata, change):
    metadata = json.loads(json.dumps(metadata))
    change(metadata)
    return metadata


METADATA_CHANGES = {
    "metadata entry layers must be a list": lambda m: m.update(layers={"0": 1}),
    r"metadata entry layers\[2\] must be an object, got 'ReLU'": lambda m: m["layers"].__setitem__(2, "ReLU"),
    r"layers\[0\]\.config\.input_size must be a number, a string or a list of numbers": (
        lambda m: m["layers"][0]["config"].update(input_size={"a": [[1]]})),
    r"layers\[0\] \(FullyConnected\): FullyConnected input_size must be a positive integer, got '4'": (
        lambda m: m["layers"][0]["config"].update(input_size="4")),
    r"layers\[0\] \(FullyConnected\): .*unexpected keyword argument 'units'": (
        lambda m: m["layers"][0]["config"].update(units=3)),
    r"layers\[3\]\.testing_phase must be true or false, got 'no'": (
        lambda m: m["layers"][3].update(testing_phase="no")),
    r"layers\[2\]\.class must be one of FullyConnected, .*got 'Adam'": (
        lambda m: m["layers"][2].update({"class": "Adam"})),
    r"layers\[2\]\.class must be a class name, got \['ReLU'\]": lambda m: m["layers"][2].update({"class": ["ReLU"]}),
    r"layers\[2\]\.optimizer must be absent: a ReLU has no trainable arrays": (
        lambda m: m["layers"][2].update(optimizer=m["optimizer"], array_optimizers={})),
    r"layers\[0\] must be an object with both optimizer and array_optimizers, got 'only optimizer'": (
        lambda m: m["layers"][0].pop("array_optimizers")),
    r"layers\[0\]\.array_optimizers lacks 'weights'": lambda m: m["layers"][0]["array_optimizers"].pop("weights"),
    r"metadata entry layers\[0\] has unexpected keys 'weights'": lambda m: m["layers"][0].update(weights=[1, 2]),
    r"optimizer\.regularize_gradient must be true or false, got 1": lambda m: m["optimizer"].update(
        regularize_gradient=1),
    r"optimizer\.regularizer\.class must be one of L1Regularizer, L2Regularizer, got 'Sgd'": (
        lambda m: m["optimizer"].update(regularizer={"class": "Sgd", "config": {"learning_rate": 1}})),
    r"metadata entry phase must be 'train' or 'test', got 'testing'": lambda m: m.update(phase="testing"),
    r"metadata entry dtype must be null or the name of a float dtype, got 32": lambda m: m.update(dtype=32),
    r"NeuralNetwork dtype must be a floating dtype such as np.float32, got int32": lambda m: m.update(dtype="int32"),
    r"metadata lacks 'optimizer'": lambda m: m.pop("optimizer"),
    r"loss_layer\.class must be one of CrossEntropyLoss, L2Loss, got 'He'": (
        lambda m: m.update(loss_layer={"class": "He", "config": {}})),
    r"layers\[3\] \(Dropout\): Dropout probability must be a finite number, got nan": (
        lambda m: m["layers"][3]["config"].update(probability=float("nan"))),
    r"optimizer \(Adam\): Adam learning_rate must be positive, got -1": (
        lambda m: m["optimizer"]["config"].update(learning_rate=-1)),
    r"layers\[0\]\.array_optimizers\.weights\.regularizer \(L2Regularizer\): L2Regularizer alpha must be": (
        lambda m: m["layers"][0]["array_optimizers"]["weights"].update(
            regularizer={"class": "L2Regularizer", "config": {"alpha": -1}})),
    r"weights_initializer \(He\): .*unexpected keyword argument 'scale'": (
        lambda m: m["weights_initializer"]["config"].update(scale=2)),
    r"layers\[0\] \(FullyConnected\): FullyConnected .*more than the": (
        lambda m: m["layers"][0]["config"].update(input_size=10**6, output_size=10**6)),
    r"layers\[2\] \(ReLU\): a ReLU draws no random numbers, but its entry has an rng": (
        lambda m: m["layers"][2].update(rng={"bit_generator": "PCG64"})),
}


@pytest.mark.parametrize("message", list(METADATA_CHANGES))
def test_tampered_metadata_is_a_value_error_naming_the_entry(saved_dropout_network, tmp_path, message):
    _, arrays = saved_dropout_network
    metadata = tamper(json.loads(str(arrays["metadata"])), METADATA_CHANGES[message])
    with pytest.raises(ValueError, match=r"tampered\.npz is not a valid rnnreg network file: .*" + message):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays, metadata))


@pytest.mark.parametrize("metadata", [[1, 2], "rnnreg.network", 3, None])
def test_metadata_that_is_not_an_object_is_a_value_error(saved_dropout_network, tmp_path, metadata):
    _, arrays = saved_dropout_network
    with pytest.raises(ValueError, match=r"tampered\.npz is not an rnnreg network file \(format is not"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays, json.dumps(metadata)))


def test_metadata_that_is_not_a_text_is_a_value_error(saved_dropout_network, tmp_path):
    _, arrays = saved_dropout_network
    with pytest.raises(ValueError, match=r"its metadata is not a text \(got float64\)"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", {**arrays, "metadata": np.ones(3)}))


@pytest.mark.parametrize("version", [True, 1.0, "1", 2])
def test_a_version_that_is_not_the_integer_one_is_refused(saved_dropout_network, tmp_path, version):
    _, arrays = saved_dropout_network
    metadata = tamper(json.loads(str(arrays["metadata"])), lambda m: m.update(version=version))
    with pytest.raises(ValueError, match=f"has rnnreg file version {version!r}; this rnnreg reads 1"):
        NeuralNetwork.load(write_tampered(tmp_path / "tampered.npz", arrays, metadata))


@pytest.mark.parametrize("shape", [(2**40,), (2**61,)])
def test_an_array_header_claiming_a_huge_shape_is_a_value_error(tmp_path, shape):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("loss.npy", header.getvalue() + bytes(64))
    with pytest.raises(ValueError, match=r"huge\.npz is not a readable rnnreg network file"):
        NeuralNetwork.load(path)


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        NeuralNetwork.load(tmp_path / "nowhere.npz")


# Property tests: any one array dropped, retyped or reshaped is named ------------------------------------------


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory):
    np.random.seed(5)
    net = dropout_network(rng=np.random.default_rng(2))
    net.train(2)
    folder = tmp_path_factory.mktemp("property")
    return folder, saved_arrays(net.save(folder / "net.npz"))


ARRAY_KEYS = st.sampled_from(
    ["layers/0/weights", "layers/1/weights", "layers/1/bias", "layers/1/moving_mean", "layers/1/moving_variance",
     "layers/4/weights", "optimizers/0/weights/first_moment", "optimizers/1/bias/second_moment",
     "optimizers/4/weights/step_count", "loss"]
)


@settings(max_examples=25, deadline=None)
@given(key=ARRAY_KEYS)
def test_any_dropped_array_is_named(clean_file, key):
    folder, arrays = clean_file
    path = write_tampered(folder / "dropped.npz", {name: value for name, value in arrays.items() if name != key})
    with pytest.raises(ValueError, match=f"dropped\\.npz .*missing array\\(s\\) .*'{key}'"):
        NeuralNetwork.load(path)


@settings(max_examples=30, deadline=None)
@given(key=ARRAY_KEYS, dtype=st.sampled_from(["U3", "S3", "complex128", "M8[s]"]))
def test_any_array_with_a_non_numeric_dtype_is_named(clean_file, key, dtype):
    folder, arrays = clean_file
    path = write_tampered(folder / "retyped.npz", {**arrays, key: np.zeros(arrays[key].shape, dtype=dtype)})
    with pytest.raises(ValueError, match=f"retyped\\.npz .*'{key}'"):
        NeuralNetwork.load(path)


@settings(max_examples=30, deadline=None)
@given(key=ARRAY_KEYS, change=st.sampled_from(["extra axis", "one more", "scalar"]))
def test_any_array_with_a_wrong_shape_is_named(clean_file, key, change):
    folder, arrays = clean_file
    value = arrays[key]
    assume(not (key == "loss" and change == "one more"))  # the loss history has any length
    if change == "extra axis" or (change == "scalar" and value.ndim == 0):
        value = value[np.newaxis]
    elif change == "one more":
        value = np.concatenate([value.reshape(-1), value.reshape(-1)[:1]])
    else:
        value = value.reshape(-1)[0]
    path = write_tampered(folder / "reshaped.npz", {**arrays, key: value})
    with pytest.raises(ValueError, match=f"reshaped\\.npz .*'{key}'"):
        NeuralNetwork.load(path)


@settings(max_examples=20, deadline=None)
@given(key=ARRAY_KEYS.filter(lambda key: not key.endswith("step_count")), integer=st.sampled_from(["int8", "uint16",
                                                                                                    "int64", "bool"]))
def test_any_integer_array_loads_as_float(clean_file, key, integer):
    folder, arrays = clean_file
    path = write_tampered(folder / "integers.npz", {**arrays, key: np.ones(arrays[key].shape, dtype=integer)})
    loaded = NeuralNetwork.load(path)
    if key == "loss":
        assert all(isinstance(value, float) for value in loaded.loss)
        return
    parts = key.split("/")
    layer = loaded.layers[int(parts[1])]
    value = getattr(layer, parts[2]) if parts[0] == "layers" else layer.optimizers[parts[2]].state_arrays()[parts[3]]
    assert value.dtype == np.float64


@pytest.mark.parametrize("optimizer", [Sgd(0.1), SgdWithMomentum(0.1, 0.9), Adam(0.1, 0.9, 0.999)])
def test_the_loader_knows_every_array_of_each_optimizer_state(optimizer):
    optimizer.calculate_update(np.ones(3), np.ones(3))
    assert tuple(optimizer.state_arrays()) == OPTIMIZER_STATE_NAMES[type(optimizer).__name__]
