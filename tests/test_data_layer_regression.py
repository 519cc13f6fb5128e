"""ArrayDataLayer with real-valued targets (label_type="values") and sequence_data_layer."""

import numpy as np
import pytest

from rnnreg import RNN, L2Loss, LastTimeStep, NeuralNetwork, Sgd, UniformRandom, Xavier
from rnnreg.data import (
    ArrayDataLayer,
    adding_problem,
    delayed_recall,
    iris_data_layer,
    noisy_sine,
    sequence_data_layer,
)


def _sequences(samples=40, steps=5, features=3, outputs=2):
    """Inputs whose first entry is the sample's number, and targets computed from it, so pairs can be checked."""
    inputs = np.random.default_rng(0).normal(size=(samples, steps, features))
    inputs[:, 0, 0] = np.arange(samples)
    targets = np.arange(samples)[:, None, None] * 0.01 + np.linspace(0, 0.5, steps * outputs).reshape(steps, outputs)
    return inputs, targets


def _sample_numbers(inputs):
    return inputs[:, 0, 0].astype(int)


def _one_epoch(layer):
    start, batches = layer.epoch, []
    while layer.epoch == start:
        batches.append(layer.next())
    return batches


# ---------------------------------------------------------------- values are served unchanged


def test_sequence_targets_are_served_unchanged_and_aligned_with_their_inputs():
    inputs, targets = _sequences()
    layer = ArrayDataLayer(inputs, targets, 7, label_type="values", rng=np.random.default_rng(1))
    assert layer.label_type == "values" and layer.num_classes is None
    for _ in range(15):  # more than two epochs of 32 training samples
        batch_inputs, batch_targets = layer.next()
        assert batch_inputs.shape[1:] == (5, 3) and batch_targets.shape[1:] == (5, 2)
        assert batch_targets.dtype == np.float64
        numbers = _sample_numbers(batch_inputs)
        assert np.array_equal(batch_inputs, inputs[numbers])
        assert np.array_equal(batch_targets, targets[numbers])  # the very values given, with their inputs


@pytest.mark.parametrize("target_shape", [(), (1,), (4,), (5, 2), (2, 3, 2)])
def test_any_target_shape_per_sample_is_kept(target_shape):
    inputs, _ = _sequences(samples=20)
    targets = np.random.default_rng(2).random((20, *target_shape))
    layer = ArrayDataLayer(inputs, targets, 6, test_fraction=0.25, label_type="values", rng=np.random.default_rng(3))
    batch_inputs, batch_targets = layer.next()
    assert batch_targets.shape == (6, *target_shape)
    assert np.array_equal(batch_targets, targets[_sample_numbers(batch_inputs)])
    test_inputs, test_targets = layer.get_test_set()
    assert test_targets.shape == (5, *target_shape)
    assert np.array_equal(test_targets, targets[layer.test_indices])
    assert np.array_equal(test_inputs, inputs[layer.test_indices])


def test_integer_targets_become_float64_values_not_classes():
    inputs, _ = _sequences(samples=10)
    targets = np.arange(10)[:, None] * 3  # would be class indices with label_type="classes"
    layer = ArrayDataLayer(inputs, targets, 10, test_fraction=0.0, label_type="values", shuffle=False)
    _, batch_targets = layer.next()
    assert batch_targets.dtype == np.float64 and np.array_equal(batch_targets, targets)


def test_every_epoch_serves_each_training_pair_once_and_then_wraps():
    inputs, targets = _sequences(samples=50)
    layer = ArrayDataLayer(inputs, targets, 8, test_fraction=0.2, label_type="values", rng=np.random.default_rng(4))
    orders = []
    for epoch in range(3):
        assert layer.epoch == epoch
        batches = _one_epoch(layer)
        assert [batch[0].shape[0] for batch in batches] == [8, 8, 8, 8, 8]
        numbers = np.concatenate([_sample_numbers(batch_inputs) for batch_inputs, _ in batches])
        assert np.array_equal(np.sort(numbers), layer.train_indices)
        served_targets = np.concatenate([batch_targets for _, batch_targets in batches])
        assert np.array_equal(served_targets, targets[numbers])
        orders.append(numbers)
    assert layer.epoch == 3 and layer.iteration == 15
    assert not np.array_equal(orders[0], orders[1])  # reshuffled every epoch


def test_drop_last_and_no_shuffle_work_with_values():
    inputs, targets = _sequences(samples=23)
    layer = ArrayDataLayer(inputs, targets, 5, test_fraction=0.0, label_type="values", shuffle=False, drop_last=True)
    batches = _one_epoch(layer)
    assert [batch[0].shape[0] for batch in batches] == [5, 5, 5, 5]
    assert np.array_equal(np.concatenate([batch[1] for batch in batches]), targets[:20])


def test_splits_are_disjoint_cover_the_data_and_keep_pairs_together():
    inputs, targets = _sequences(samples=61)
    layer = ArrayDataLayer(
        inputs,
        targets,
        8,
        validation_fraction=0.25,
        test_fraction=0.1,
        label_type="values",
        rng=np.random.default_rng(5),
    )
    train, validation, test = layer.train_indices, layer.validation_indices, layer.test_indices
    assert (test.size, validation.size, train.size) == (6, 15, 40)  # rounded half up over all samples
    assert np.array_equal(np.sort(np.concatenate([train, validation, test])), np.arange(61))
    assert not set(train) & set(validation) and not set(train) & set(test) and not set(validation) & set(test)
    for indices, (split_inputs, split_targets) in (
        (train, layer.get_train_set()),
        (validation, layer.get_validation_set()),
        (test, layer.get_test_set()),
    ):
        assert np.array_equal(split_inputs, inputs[indices]) and np.array_equal(split_targets, targets[indices])


def test_values_split_is_the_unstratified_split_of_class_labels():
    inputs, targets = _sequences(samples=30)
    classes = np.arange(30) % 3
    values = ArrayDataLayer(
        inputs, targets, 4, validation_fraction=0.2, label_type="values", rng=np.random.default_rng(6)
    )
    unstratified = ArrayDataLayer(
        inputs.reshape(30, -1), classes, 4, validation_fraction=0.2, stratify=False, rng=np.random.default_rng(6)
    )
    assert np.array_equal(values.train_indices, unstratified.train_indices)
    assert np.array_equal(values.validation_indices, unstratified.validation_indices)
    explicit = ArrayDataLayer(
        inputs, targets, 4, validation_fraction=0.2, label_type="values", stratify=False, rng=np.random.default_rng(6)
    )
    assert np.array_equal(values.test_indices, explicit.test_indices)


def test_empty_validation_set_keeps_the_target_shape():
    inputs, targets = _sequences(samples=10)
    validation_inputs, validation_targets = ArrayDataLayer(inputs, targets, 2, label_type="values").get_validation_set()
    assert validation_inputs.shape == (0, 5, 3) and validation_targets.shape == (0, 5, 2)


def test_standardize_scales_inputs_but_never_targets():
    inputs, targets = _sequences(samples=40)
    inputs = inputs * 5 + 3
    layer = ArrayDataLayer(
        inputs, targets, 4, label_type="values", standardize=True, test_fraction=0.25, rng=np.random.default_rng(7)
    )
    train_inputs, train_targets = layer.get_train_set()
    np.testing.assert_allclose(train_inputs.mean(axis=0), 0.0, atol=1e-12)
    assert np.array_equal(train_targets, targets[layer.train_indices])


def test_layer_copies_the_callers_targets_and_returns_fresh_ones():
    inputs, targets = _sequences(samples=12)
    kept = targets.copy()
    layer = ArrayDataLayer(inputs, targets, 4, test_fraction=0.25, label_type="values", rng=np.random.default_rng(8))
    targets[...] = -1.0
    _, test_targets = layer.get_test_set()
    assert np.array_equal(test_targets, kept[layer.test_indices])
    test_targets[...] = 7.0
    assert np.array_equal(layer.get_test_set()[1], kept[layer.test_indices])
    _, batch_targets = layer.next()
    batch_targets[...] = 9.0
    assert not np.any(layer.get_train_set()[1] == 9.0)


def test_global_seed_reproduces_a_values_layer():
    inputs, targets = _sequences(samples=30)
    np.random.seed(11)
    first = ArrayDataLayer(inputs, targets, 4, label_type="values")
    first_batches = [first.next() for _ in range(10)]
    np.random.seed(11)
    second = ArrayDataLayer(inputs, targets, 4, label_type="values")
    assert np.array_equal(first.test_indices, second.test_indices)
    for (a_inputs, a_targets), (b_inputs, b_targets) in zip(
        first_batches, [second.next() for _ in range(10)], strict=True
    ):
        assert np.array_equal(a_inputs, b_inputs) and np.array_equal(a_targets, b_targets)


def test_repr_names_the_label_type_instead_of_classes():
    inputs, targets = _sequences(samples=10)
    layer = ArrayDataLayer(inputs, targets, 3, label_type="values")
    assert repr(layer) == "ArrayDataLayer(train=8, validation=0, test=2, batch_size=3, label_type='values', epoch=0)"


# ---------------------------------------------------------------- class labels keep their behaviour


def test_class_labels_stay_the_default_and_stratify_none_means_stratified():
    inputs = np.arange(60.0).reshape(30, 2)
    labels = np.arange(30) % 3
    default = ArrayDataLayer(inputs, labels, 4, rng=np.random.default_rng(9))
    explicit = ArrayDataLayer(inputs, labels, 4, stratify=True, label_type="classes", rng=np.random.default_rng(9))
    assert default.label_type == "classes" and default.num_classes == 3
    assert np.array_equal(default.test_indices, explicit.test_indices)
    assert np.array_equal(np.bincount(labels[default.test_indices]), [2, 2, 2])
    _, batch_labels = default.next()
    assert batch_labels.shape == (4, 3) and np.all(batch_labels.sum(axis=1) == 1)
    assert iris_data_layer().label_type == "classes"


# ---------------------------------------------------------------- sequence_data_layer


def test_sequence_data_layer_serves_a_many_to_many_task():
    inputs, targets = noisy_sine(100, 20, rng=0)
    layer = sequence_data_layer(inputs, targets, validation_fraction=0.1, rng=np.random.default_rng(0))
    assert layer.batch_size == 32 and layer.label_type == "values" and layer.num_classes is None
    assert (layer.train_indices.size, layer.validation_indices.size, layer.test_indices.size) == (70, 10, 20)
    batch_inputs, batch_targets = layer.next()
    assert batch_inputs.shape == (32, 20, 1) and batch_targets.shape == (32, 20, 1)
    validation_inputs, validation_targets = layer.get_validation_set()
    assert np.array_equal(validation_inputs, inputs[layer.validation_indices])
    assert np.array_equal(validation_targets, targets[layer.validation_indices])


@pytest.mark.parametrize("task", [delayed_recall, adding_problem])
def test_sequence_data_layer_serves_the_many_to_one_tasks(task):
    inputs, targets = task(64, 9, rng=1)
    layer = sequence_data_layer(inputs, targets, 16, test_fraction=0.25, rng=np.random.default_rng(1))
    for _ in range(5):
        batch_inputs, batch_targets = layer.next()
        assert batch_inputs.shape[1:] == inputs.shape[1:] and batch_targets.shape == (16, 1)
        # Each target still belongs to its own sequence: the task's defining relation holds in every batch.
        if task is delayed_recall:
            np.testing.assert_array_equal(batch_targets[:, 0], (batch_inputs[:, 0, 0] + 1) / 2)
        else:
            assert np.array_equal(batch_targets[:, 0], (batch_inputs[:, :, 0] * batch_inputs[:, :, 1]).sum(axis=1) / 2)


def test_sequence_data_layer_feeds_a_recurrent_network_with_a_last_step_read_out():
    np.random.seed(0)
    inputs, targets = delayed_recall(40, 4, rng=2)
    network = NeuralNetwork(Sgd(0.01), Xavier(), UniformRandom())
    network.data_layer = sequence_data_layer(inputs, targets, 8, rng=np.random.default_rng(2))
    network.loss_layer = L2Loss()
    network.append_layer(RNN(2, 6, 1))
    network.append_layer(LastTimeStep())
    network.train(3)
    assert len(network.loss) == 3 and all(np.isfinite(network.loss))
    test_inputs, test_targets = network.data_layer.get_test_set()
    assert network.test(test_inputs).shape == test_targets.shape == (8, 1)


# ---------------------------------------------------------------- bad combinations

INPUTS, TARGETS = _sequences(samples=20)


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"label_type": "regression"}, ValueError, ["label_type", "'classes' or 'values'", "'regression'"]),
        ({"label_type": None}, TypeError, ["label_type", "None"]),
        ({"stratify": True}, ValueError, ["stratify=True", "class labels", "label_type='values'", "stratify=False"]),
        ({"stratify": "no"}, TypeError, ["stratify", "'no'"]),
        ({"num_classes": 2}, ValueError, ["num_classes", "None", "label_type='values'", "2"]),
        ({"labels": TARGETS[:-1]}, ValueError, ["same number of samples", "20 inputs", "19 labels"]),
        ({"labels": np.full((20, 2), np.nan)}, ValueError, ["labels", "finite"]),
        ({"labels": np.array([["a"]] * 20)}, TypeError, ["labels", "numeric", "label_type='values'"]),
        ({"labels": 1.5}, ValueError, ["labels", "(N, ...)", "scalar"]),
        ({"labels": np.zeros((0, 2))}, ValueError, ["at least one sample"]),
    ],
)
def test_values_layer_rejects_bad_combinations(arguments, error, words):
    call = {"inputs": INPUTS, "labels": TARGETS, "batch_size": 4, "label_type": "values", **arguments}
    with pytest.raises(error) as caught:
        ArrayDataLayer(call.pop("inputs"), call.pop("labels"), call.pop("batch_size"), **call)
    assert all(word in str(caught.value) for word in words), str(caught.value)


@pytest.mark.parametrize(
    ("labels", "words"),
    [
        (TARGETS, ["(N,)", "(N, K)", "(20, 5, 2)", "label_type='values'"]),
        (np.random.default_rng(0).random((20, 2)), ["one-hot", "label_type='values'"]),
    ],
)
def test_real_valued_targets_given_as_classes_point_to_label_type_values(labels, words):
    with pytest.raises(ValueError) as caught:
        ArrayDataLayer(INPUTS.reshape(20, -1), labels, 4)
    assert all(word in str(caught.value) for word in words), str(caught.value)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: sequence_data_layer(INPUTS[:, :, 0], TARGETS), ValueError, ["(N, T, D)", "(20, 5)", "[..., None]"]),
        (lambda: sequence_data_layer(INPUTS, TARGETS, label_type="classes"), TypeError, ["label_type", "'classes'"]),
        (lambda: sequence_data_layer(INPUTS, TARGETS, stratify=True), ValueError, ["stratify=True"]),
        (lambda: sequence_data_layer(INPUTS, TARGETS, batch_size=0), ValueError, ["batch_size", "0"]),
    ],
)
def test_sequence_data_layer_rejects_bad_arguments(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert all(word in str(caught.value) for word in words), str(caught.value)
