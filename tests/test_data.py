"""Shipped data sets (loaders, SHA-256 checks) and the array data layer."""

import gzip
import hashlib
import importlib.util
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg.data import (
    IRIS_CLASS_NAMES,
    ArrayDataLayer,
    DataIntegrityError,
    data_file,
    datasets,
    digits_data_layer,
    iris_data_layer,
    load_digits,
    load_iris,
    one_hot,
)

REPOSITORY = Path(__file__).resolve().parent.parent
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
LOADERS = [
    pytest.param(load_iris, datasets.IRIS_FILE, datasets.IRIS_SHA256, id="iris"),
    pytest.param(load_digits, datasets.DIGITS_FILE, datasets.DIGITS_SHA256, id="digits"),
]


def _copy_of(name, tmp_path, change=None):
    """Write the shipped file ``name`` (optionally changed by ``change(bytes) -> bytes``) into tmp_path."""
    content = data_file(name).read_bytes()
    target = tmp_path / name
    target.write_bytes(change(content) if change else content)
    return target


def _is_one_hot(labels, num_classes):
    return (
        labels.dtype == np.float64
        and labels.shape[1] == num_classes
        and np.all((labels == 0) | (labels == 1))
        and np.all(labels.sum(axis=1) == 1)
    )


def _small_problem(samples=60, classes=3, features=2):
    inputs = np.arange(samples * features, dtype=np.float64).reshape(samples, features)
    labels = np.arange(samples) % classes
    return inputs, labels


def _one_epoch(layer):
    """Inputs of the batches of one epoch, stacked, plus the batch sizes seen."""
    start, batches = layer.epoch, []
    while layer.epoch == start:
        batches.append(layer.next())
    return np.concatenate([inputs for inputs, _ in batches]), [inputs.shape[0] for inputs, _ in batches]


# ---------------------------------------------------------------- loaders


def test_load_iris_shapes_dtypes_and_class_counts():
    features, labels = load_iris()
    assert features.shape == (150, 4) and features.dtype == np.float64
    assert labels.shape == (150,) and labels.dtype == np.int64
    assert np.array_equal(np.bincount(labels), [50, 50, 50])
    assert np.array_equal(labels, np.repeat([0, 1, 2], 50))  # the original order: 50 of each species in turn
    assert len(IRIS_CLASS_NAMES) == 3 and IRIS_CLASS_NAMES[0] == "setosa"
    assert features.flags.c_contiguous


def test_load_iris_known_values():
    features, _ = load_iris()
    assert np.array_equal(features[0], [5.1, 3.5, 1.4, 0.2])
    assert np.array_equal(features[-1], [5.9, 3.0, 5.1, 1.8])
    # Samples 35 and 38 (1-based) as in Fisher's paper, not as in UCI's older iris.data.
    assert np.array_equal(features[34], [4.9, 3.1, 1.5, 0.2])
    assert np.array_equal(features[37], [4.9, 3.6, 1.4, 0.1])
    np.testing.assert_allclose(features.sum(axis=0), [876.5, 458.6, 563.7, 179.9], rtol=1e-12)
    assert features.min() == 0.1 and features.max() == 7.9


def test_load_digits_shapes_dtypes_and_class_counts():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert np.array_equal(np.bincount(labels, minlength=10), DIGIT_COUNTS)
    assert labels.min() == 0 and labels.max() == 9
    assert images.min() == 0 and images.max() == 16
    assert np.array_equal(images, np.round(images))  # the original integer counts, not rescaled


def test_load_digits_known_values():
    images, labels = load_digits()
    assert np.array_equal(labels[:10], np.arange(10)) and labels[-1] == 8
    assert np.array_equal(images[0, 0], [0, 0, 5, 13, 9, 1, 0, 0])
    assert np.array_equal(images[0, 7], [0, 0, 6, 13, 10, 0, 0, 0])
    assert np.array_equal(images[-1, 5], [0, 4, 16, 6, 4, 16, 6, 0])
    assert images.sum() == 561718


@pytest.mark.parametrize(("loader", "name", "digest"), LOADERS)
def test_shipped_file_matches_its_digest(loader, name, digest):
    content = data_file(name).read_bytes()
    assert hashlib.sha256(content).hexdigest() == digest
    assert Path(str(data_file(name))).parent == REPOSITORY / "rnnreg" / "data" / "files"


def test_shipped_files_are_small():
    total = sum(len(data_file(name).read_bytes()) for name in (datasets.IRIS_FILE, datasets.DIGITS_FILE))
    assert total < 100_000


@pytest.mark.parametrize(("loader", "name", "digest"), LOADERS)
def test_loaders_return_fresh_arrays(loader, name, digest):
    first_inputs, first_labels = loader()
    expected_inputs, expected_labels = first_inputs.copy(), first_labels.copy()
    first_inputs[...] = -1
    first_labels[...] = -1
    second_inputs, second_labels = loader()
    assert np.array_equal(second_inputs, expected_inputs) and np.array_equal(second_labels, expected_labels)


@pytest.mark.parametrize(("loader", "name", "digest"), LOADERS)
def test_loader_reads_an_intact_copy_from_path(loader, name, digest, tmp_path):
    copy = _copy_of(name, tmp_path)
    from_copy, shipped = loader(path=copy), loader()
    assert np.array_equal(from_copy[0], shipped[0]) and np.array_equal(from_copy[1], shipped[1])
    assert np.array_equal(loader(str(copy))[1], shipped[1])  # a str path works too


def _flip_middle_byte(content):
    middle = len(content) // 2
    return content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1 :]


@pytest.mark.parametrize(("loader", "name", "digest"), LOADERS)
@pytest.mark.parametrize(
    "change", [_flip_middle_byte, lambda content: content[:-10]], ids=["one-byte-flipped", "truncated"]
)
def test_damaged_copy_raises_integrity_error_naming_the_file(loader, name, digest, change, tmp_path):
    damaged = _copy_of(name, tmp_path, change)
    actual = hashlib.sha256(damaged.read_bytes()).hexdigest()
    with pytest.raises(DataIntegrityError) as caught:
        loader(path=damaged)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert str(damaged) in message and digest in message and actual in message
    assert "damaged" in message and "Reinstall" in message


def test_missing_copy_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_iris(path=tmp_path / "no-such-file.csv")


def test_digits_gzip_header_has_no_time_stamp_or_name():
    content = data_file(datasets.DIGITS_FILE).read_bytes()
    assert content[:4] == b"\x1f\x8b\x08\x00"  # gzip, deflate, no flags (so no file name)
    assert content[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert content[9] == 0xFF  # OS "unknown", whatever machine wrote it


def _build_script():
    spec = importlib.util.spec_from_file_location("build_datasets", REPOSITORY / "scripts" / "build_datasets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_regenerates_byte_identical_files():
    # Without scikit-learn here: feed the script's writers the numbers the loaders read back.
    script = _build_script()
    features, iris_labels = load_iris()
    assert script.iris_text(features, iris_labels).encode("ascii") == data_file(datasets.IRIS_FILE).read_bytes()
    images, digit_labels = load_digits()
    text = script.digits_text(images.reshape(-1, 64).astype(np.uint8), digit_labels).encode("ascii")
    rebuilt, shipped = script.deterministic_gzip(text), data_file(datasets.DIGITS_FILE).read_bytes()
    assert gzip.decompress(rebuilt) == gzip.decompress(shipped) == text
    if "ng" not in zlib.ZLIB_RUNTIME_VERSION:  # zlib-ng compresses differently; the script then keeps the file
        assert rebuilt == shipped


# ---------------------------------------------------------------- one_hot


def test_one_hot_places_a_single_one_per_row():
    encoded = one_hot(np.array([2, 0, 1, 2]), 3)
    assert encoded.dtype == np.float64
    assert np.array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert np.array_equal(one_hot([1.0, 0.0], 2), [[0, 1], [1, 0]])  # whole-number floats are fine
    assert one_hot(np.array([], dtype=int), 4).shape == (0, 4)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.integers(1, 12).flatmap(lambda k: st.tuples(st.just(k), st.lists(st.integers(0, k - 1), max_size=30))))
def test_one_hot_round_trips_through_argmax(case):
    num_classes, labels = case
    encoded = one_hot(np.array(labels, dtype=np.int64), num_classes)
    assert encoded.shape == (len(labels), num_classes)
    assert np.array_equal(np.argmax(encoded, axis=1), labels) and np.all(encoded.sum(axis=1) == 1)


@pytest.mark.parametrize(
    ("labels", "num_classes", "error", "words"),
    [
        ([0, 3], 3, ValueError, ["0..2", "3"]),
        ([-1, 0], 3, ValueError, ["0..2", "-1"]),
        ([0, 1], 0, ValueError, ["num_classes", "0"]),
        ([0, 1], 2.0, TypeError, ["num_classes", "2.0"]),
        ([0.5, 1.0], 2, ValueError, ["whole numbers", "0.5"]),
        ([True, False], 2, TypeError, ["labels", "bool"]),
        ([[0, 1]], 2, ValueError, ["(N,)", "(1, 2)"]),
    ],
)
def test_one_hot_rejects_bad_arguments(labels, num_classes, error, words):
    with pytest.raises(error) as caught:
        one_hot(labels, num_classes)
    assert all(word in str(caught.value) for word in words), str(caught.value)


# ---------------------------------------------------------------- data layer


def test_iris_layer_batches_have_the_right_shapes_and_one_hot_labels():
    layer = iris_data_layer(batch_size=30)
    inputs, labels = layer.next()
    assert inputs.shape == (30, 4) and inputs.dtype == np.float64
    assert labels.shape == (30, 3) and _is_one_hot(labels, 3)
    assert layer.batch_size == 30 and layer.num_classes == 3 and layer.batches_per_epoch == 4
    test_inputs, test_labels = layer.get_test_set()
    assert test_inputs.shape == (30, 4) and _is_one_hot(test_labels, 3)
    assert np.array_equal(test_labels.sum(axis=0), [10, 10, 10])  # stratified: 20 % of each species


def test_digits_layer_gives_images_scaled_to_unit_range():
    layer = digits_data_layer(batch_size=16)
    inputs, labels = layer.next()
    assert inputs.shape == (16, 1, 8, 8) and labels.shape == (16, 10) and _is_one_hot(labels, 10)
    images, digit_labels = load_digits()
    train_inputs, train_labels = layer.get_train_set()
    assert np.array_equal(train_inputs, images[layer.train_indices, np.newaxis] / 16.0)
    assert np.array_equal(np.argmax(train_labels, axis=1), digit_labels[layer.train_indices])
    assert train_inputs.min() == 0.0 and train_inputs.max() == 1.0


def test_digits_layer_flatten_gives_rows_of_64_pixels():
    layer = digits_data_layer(batch_size=20, flatten=True)
    inputs, _ = layer.next()
    assert inputs.shape == (20, 64)
    images, _ = load_digits()
    test_inputs, _ = layer.get_test_set()
    assert np.array_equal(test_inputs, images[layer.test_indices].reshape(-1, 64) / 16.0)


def test_splits_are_disjoint_cover_the_data_and_are_stratified():
    layer = iris_data_layer(validation_fraction=0.1, test_fraction=0.2)
    train, validation, test = layer.train_indices, layer.validation_indices, layer.test_indices
    assert np.array_equal(np.sort(np.concatenate([train, validation, test])), np.arange(150))
    assert not set(train) & set(validation) and not set(train) & set(test) and not set(validation) & set(test)
    _, labels = load_iris()
    assert np.array_equal(np.bincount(labels[test], minlength=3), [10, 10, 10])
    assert np.array_equal(np.bincount(labels[validation], minlength=3), [5, 5, 5])
    assert np.array_equal(np.bincount(labels[train], minlength=3), [35, 35, 35])
    assert layer.get_validation_set()[0].shape == (15, 4) and layer.get_train_set()[0].shape == (105, 4)


def test_unstratified_split_has_the_rounded_sizes():
    inputs, labels = _small_problem(samples=61)
    layer = ArrayDataLayer(inputs, labels, 8, validation_fraction=0.25, test_fraction=0.1, stratify=False)
    assert (layer.test_indices.size, layer.validation_indices.size, layer.train_indices.size) == (6, 15, 40)


def test_empty_validation_set_has_zero_rows():
    inputs, labels = iris_data_layer().get_validation_set()
    assert inputs.shape == (0, 4) and labels.shape == (0, 3)


def _batches(layer, count):
    return [layer.next() for _ in range(count)]


def _same_batches(first, second):
    return all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(first, second, strict=True))


def test_global_seed_makes_the_layer_reproducible():
    np.random.seed(7)
    first = iris_data_layer(batch_size=25)
    first_batches = _batches(first, 12)
    np.random.seed(7)
    second = iris_data_layer(batch_size=25)
    assert np.array_equal(first.test_indices, second.test_indices)
    assert _same_batches(first_batches, _batches(second, 12))
    np.random.seed(8)
    other = iris_data_layer(batch_size=25)
    assert not np.array_equal(first.test_indices, other.test_indices)
    assert not _same_batches(first_batches, _batches(other, 12))


def test_generator_makes_the_layer_reproducible_without_touching_the_global_state():
    state = np.random.get_state()
    first = digits_data_layer(batch_size=50, rng=np.random.default_rng(3))
    first_batches = _batches(first, 40)  # more than one epoch (29 batches)
    second = digits_data_layer(batch_size=50, rng=np.random.default_rng(3))
    assert _same_batches(first_batches, _batches(second, 40))
    other = digits_data_layer(batch_size=50, rng=np.random.default_rng(4))
    assert not np.array_equal(first.test_indices, other.test_indices)
    assert not _same_batches(first_batches, _batches(other, 40))
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


def test_an_int_seed_is_the_generator_default_rng_of_that_seed():
    state = np.random.get_state()
    seeded = digits_data_layer(batch_size=50, rng=3)
    generator = digits_data_layer(batch_size=50, rng=np.random.default_rng(3))
    assert np.array_equal(seeded.test_indices, generator.test_indices)
    assert _same_batches(_batches(seeded, 40), _batches(generator, 40))
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2:] == after[2:]


def test_each_epoch_visits_every_training_sample_exactly_once():
    inputs, labels = _small_problem(samples=60)
    layer = ArrayDataLayer(inputs, labels, 7, test_fraction=0.2, rng=np.random.default_rng(0))
    train_inputs, _ = layer.get_train_set()  # 48 samples: batches of 7, 7, 7, 7, 7, 7 and 6
    orders = []
    for epoch in range(3):
        assert layer.epoch == epoch
        served, sizes = _one_epoch(layer)
        assert sizes == [7, 7, 7, 7, 7, 7, 6] and layer.batches_per_epoch == 7
        assert np.array_equal(served[np.lexsort(served.T[::-1])], train_inputs)  # a permutation of the train set
        orders.append(served[:, 0])
    assert layer.epoch == 3 and layer.iteration == 21
    assert not np.array_equal(orders[0], orders[1])  # reshuffled every epoch


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    samples=st.integers(2, 50),
    batch_size=st.integers(1, 60),
    test_fraction=st.sampled_from([0.0, 0.1, 0.3]),
    stratify=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_epochs_cover_the_train_split_for_any_sizes(samples, batch_size, test_fraction, stratify, seed):
    inputs, labels = _small_problem(samples=samples, features=1)
    layer = ArrayDataLayer(
        inputs, labels, batch_size, test_fraction=test_fraction, stratify=stratify, rng=np.random.default_rng(seed)
    )
    served, sizes = _one_epoch(layer)
    assert np.array_equal(np.sort(served[:, 0]), inputs[layer.train_indices, 0])
    assert len(sizes) == layer.batches_per_epoch and all(size <= batch_size for size in sizes)


def test_drop_last_serves_only_full_batches():
    inputs, labels = _small_problem(samples=50)
    layer = ArrayDataLayer(inputs, labels, 12, test_fraction=0.0, drop_last=True, rng=np.random.default_rng(1))
    assert layer.batches_per_epoch == 4
    for _ in range(3):
        served, sizes = _one_epoch(layer)
        assert sizes == [12, 12, 12, 12] and np.unique(served[:, 0]).size == 48


def test_without_shuffle_batches_come_in_the_original_order():
    inputs, labels = _small_problem(samples=20)
    layer = ArrayDataLayer(inputs, labels, 6, test_fraction=0.0, shuffle=False)
    for _ in range(2):
        served, sizes = _one_epoch(layer)
        assert sizes == [6, 6, 6, 2] and np.array_equal(served, inputs)


def test_batch_larger_than_the_train_set_serves_the_whole_set():
    inputs, labels = _small_problem(samples=10)
    layer = ArrayDataLayer(inputs, labels, 64, test_fraction=0.0, rng=np.random.default_rng(2))
    batch, _ = layer.next()
    assert batch.shape == (10, 2) and layer.epoch == 1


def test_test_set_is_fixed_across_next_calls_and_returned_as_copies():
    layer = iris_data_layer(batch_size=16)
    inputs, labels = layer.get_test_set()
    inputs[...] = 0.0
    _batches(layer, 25)
    again_inputs, again_labels = layer.get_test_set()
    assert np.array_equal(again_labels, labels) and not np.all(again_inputs == 0.0)
    assert np.array_equal(again_inputs, layer.get_test_set()[0])


def test_standardisation_uses_training_statistics_only():
    features, _ = load_iris()
    layer = iris_data_layer(test_fraction=0.3, rng=np.random.default_rng(5))
    raw_train = features[layer.train_indices]
    np.testing.assert_allclose(layer.feature_mean, raw_train.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.feature_std, raw_train.std(axis=0), rtol=1e-12)
    assert not np.allclose(layer.feature_mean, features.mean(axis=0))
    train_inputs, _ = layer.get_train_set()
    np.testing.assert_allclose(train_inputs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train_inputs.std(axis=0), 1.0, rtol=1e-12)
    test_inputs, _ = layer.get_test_set()
    raw_test = features[layer.test_indices]
    np.testing.assert_allclose(test_inputs, (raw_test - raw_train.mean(axis=0)) / raw_train.std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.transform(raw_test), test_inputs, rtol=1e-12)


def test_standardisation_ignores_extreme_test_samples():
    inputs, labels = _small_problem(samples=40)
    layer = ArrayDataLayer(inputs, labels, 8, test_fraction=0.25, standardize=True, rng=np.random.default_rng(6))
    changed = inputs.copy()
    changed[layer.test_indices] = 1e6  # only test rows differ
    other = ArrayDataLayer(changed, labels, 8, test_fraction=0.25, standardize=True, rng=np.random.default_rng(6))
    assert np.array_equal(layer.test_indices, other.test_indices)
    assert np.array_equal(layer.feature_mean, other.feature_mean)
    assert np.array_equal(layer.get_train_set()[0], other.get_train_set()[0])


def test_standardising_constant_pixels_only_centres_them():
    layer = digits_data_layer(flatten=True, standardize=True, rng=np.random.default_rng(0))
    constant = layer.feature_std == 1.0
    train_inputs, _ = layer.get_train_set()
    assert constant[0]  # the top-left pixel is blank in every image
    assert np.all(np.isfinite(train_inputs)) and np.all(train_inputs[:, constant] == 0.0)


def test_layer_copies_the_callers_arrays():
    inputs, labels = _small_problem(samples=30)
    kept_inputs, kept_labels = inputs.copy(), labels.copy()
    layer = ArrayDataLayer(inputs, labels, 5, standardize=True, rng=np.random.default_rng(0))
    assert np.array_equal(inputs, kept_inputs) and np.array_equal(labels, kept_labels)
    before = layer.get_train_set()[0]
    inputs[...] = 0.0
    assert np.array_equal(layer.get_train_set()[0], before)


def test_one_hot_labels_give_the_same_layer_as_class_indices():
    inputs, labels = _small_problem(samples=30)
    from_indices = ArrayDataLayer(inputs, labels, 4, rng=np.random.default_rng(9))
    from_one_hot = ArrayDataLayer(inputs, one_hot(labels, 3), 4, rng=np.random.default_rng(9))
    assert from_one_hot.num_classes == 3
    assert _same_batches(_batches(from_indices, 10), _batches(from_one_hot, 10))


def test_num_classes_may_exceed_the_labels_present():
    inputs, labels = _small_problem(samples=12, classes=2)
    layer = ArrayDataLayer(inputs, labels, 4, num_classes=5, rng=np.random.default_rng(0))
    _, batch_labels = layer.next()
    assert batch_labels.shape == (4, 5) and np.all(batch_labels[:, 2:] == 0)


def test_data_layer_trains_a_softmax_classifier_on_iris():
    # A tiny end-to-end check of what NeuralNetwork does with a data layer: next() per step, test set at the end.
    rng = np.random.default_rng(0)
    layer = iris_data_layer(batch_size=20, rng=rng)
    weights, bias = rng.normal(0.0, 0.1, (4, 3)), np.zeros(3)
    while layer.epoch < 60:
        inputs, labels = layer.next()
        scores = inputs @ weights + bias
        probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - labels) / inputs.shape[0]
        weights -= 0.5 * inputs.T @ error
        bias -= 0.5 * error.sum(axis=0)
    test_inputs, test_labels = layer.get_test_set()
    accuracy = np.mean(np.argmax(test_inputs @ weights + bias, axis=1) == np.argmax(test_labels, axis=1))
    assert accuracy >= 0.9


def test_repr_summarises_the_split():
    text = repr(iris_data_layer(batch_size=10))
    assert text == "ArrayDataLayer(train=120, validation=0, test=30, batch_size=10, num_classes=3, epoch=0)"


# ---------------------------------------------------------------- data layer: bad arguments

INPUTS, LABELS = _small_problem(samples=20)


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"batch_size": 0}, ValueError, ["batch_size", "positive integer", "0"]),
        ({"batch_size": -3}, ValueError, ["batch_size", "-3"]),
        ({"batch_size": 2.5}, TypeError, ["batch_size", "2.5", "float"]),
        ({"batch_size": True}, TypeError, ["batch_size", "True"]),
        ({"test_fraction": 1.0}, ValueError, ["test_fraction", "[0, 1)", "1.0"]),
        ({"test_fraction": -0.1}, ValueError, ["test_fraction", "-0.1"]),
        ({"validation_fraction": 1.5}, ValueError, ["validation_fraction", "1.5"]),
        ({"validation_fraction": float("nan")}, ValueError, ["validation_fraction", "finite"]),
        ({"validation_fraction": "0.1"}, TypeError, ["validation_fraction", "'0.1'"]),
        ({"validation_fraction": 0.6, "test_fraction": 0.4}, ValueError, ["less than 1", "0.6", "0.4"]),
        ({"labels": LABELS[:-1]}, ValueError, ["same number of samples", "20 inputs", "19 labels"]),
        ({"num_classes": 2}, ValueError, ["labels", "0..1", "num_classes=2", "got 2"]),
        ({"labels": LABELS - 1}, ValueError, ["labels", ">= 0", "-1"]),
        ({"labels": LABELS + 0.5}, ValueError, ["labels", "whole numbers"]),
        ({"labels": np.zeros((20, 3))}, ValueError, ["one-hot"]),
        ({"labels": one_hot(LABELS, 3), "num_classes": 4}, ValueError, ["num_classes", "(3)", "got 4"]),
        ({"num_classes": 0}, ValueError, ["num_classes", "0"]),
        ({"inputs": INPUTS[:, 0]}, ValueError, ["inputs", "(20,)", "inputs[:, None]"]),
        ({"inputs": np.full((20, 2), np.nan)}, ValueError, ["inputs", "finite"]),
        ({"inputs": np.array([["a", "b"]] * 20)}, TypeError, ["inputs", "numeric"]),
        ({"rng": "42"}, TypeError, ["ArrayDataLayer rng", "Generator", "'42'"]),
        ({"rng": np.random.RandomState(0)}, TypeError, ["ArrayDataLayer rng", "int seed", "RandomState"]),
        ({"rng": -1}, ValueError, ["ArrayDataLayer rng", "non-negative", "-1"]),
        ({"shuffle": "yes"}, TypeError, ["shuffle", "'yes'"]),
        ({"drop_last": True, "batch_size": 30}, ValueError, ["batch_size", "drop_last", "(17)", "30"]),
    ],
)
def test_bad_arguments_raise_helpful_errors(arguments, error, words):
    call = {"inputs": INPUTS, "labels": LABELS, "batch_size": 4, **arguments}
    with pytest.raises(error) as caught:
        ArrayDataLayer(call.pop("inputs"), call.pop("labels"), call.pop("batch_size"), **call)
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_split_leaving_no_training_samples_raises():
    with pytest.raises(ValueError, match="no training samples") as caught:
        ArrayDataLayer(np.ones((2, 1)), [0, 1], 1, test_fraction=0.5, validation_fraction=0.4)
    assert "test_fraction=0.5" in str(caught.value) and "validation_fraction=0.4" in str(caught.value)


def test_transform_checks_the_sample_shape():
    layer = iris_data_layer()
    with pytest.raises(ValueError, match=r"expected inputs of shape \(N, 4\), got \(5, 3\)"):
        layer.transform(np.ones((5, 3)))


def test_digits_layer_rejects_a_non_boolean_flatten():
    with pytest.raises(TypeError, match="flatten"):
        digits_data_layer(flatten=1)


def test_fixed_split_layer_serves_exactly_the_split_it_is_given():
    from rnnreg.data import FixedSplitDataLayer, overfitting_set

    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    layer = FixedSplitDataLayer(train_x, train_y, validation_x, validation_y, num_classes=2, rng=5)
    assert layer.batches_per_epoch == 1
    inputs, labels = layer.next()
    assert inputs.shape == train_x.shape and labels.shape == (len(train_x), 2)
    order = np.lexsort(inputs.T)
    np.testing.assert_array_equal(inputs[order], train_x[np.lexsort(train_x.T)])  # all of it, in some order
    np.testing.assert_array_equal(labels[order].argmax(axis=1), train_y[np.lexsort(train_x.T)])
    for split in (layer.get_validation_set(), layer.get_test_set()):
        np.testing.assert_array_equal(split[0], validation_x)
        np.testing.assert_array_equal(split[1], one_hot(validation_y, 2))
    same_seed = FixedSplitDataLayer(train_x, train_y, validation_x, validation_y, num_classes=2,
                                    rng=np.random.default_rng(5))
    np.testing.assert_array_equal(same_seed.next()[0], inputs)


def test_fixed_split_layer_rejects_an_empty_or_mismatched_validation_set():
    from rnnreg.data import FixedSplitDataLayer

    inputs, labels = np.ones((4, 3)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="FixedSplitDataLayer validation set is empty"):
        FixedSplitDataLayer(inputs, labels, np.ones((0, 3)), [], num_classes=2)
    with pytest.raises(ValueError, match=r"validation_inputs have shape \(2,\) per sample, train_inputs \(3,\)"):
        FixedSplitDataLayer(inputs, labels, np.ones((2, 2)), [0, 1], num_classes=2)
