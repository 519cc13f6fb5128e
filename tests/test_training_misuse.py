"""Issue 13 for the training entry points: no silently wrong number, and errors that name the argument.

NeuralNetwork.train / train_step / forward, fit, evaluate, the callbacks (EarlyStopping), gradient clipping,
the metrics and the hyper-parameter helpers: training always runs in the train phase, numbers outside their
domain and batches that do not fit are refused where they enter, and the truncated-BPTT epoch loss counts
every chunk.
"""

import re

import numpy as np
import pytest
from helpers import FixedBatches, one_hot
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnreg import (
    RNN,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    He,
    L2Loss,
    L2Regularizer,
    LastTimeStep,
    NeuralNetwork,
    ReLU,
    Sgd,
    SoftMax,
    Xavier,
)
from rnnreg.layers.base import BaseLayer
from rnnreg.training import (
    Callback,
    EarlyStopping,
    SparsityRecorder,
    accuracy,
    binary_accuracy,
    clip_by_global_norm,
    evaluate,
    fit,
    global_gradient_norm,
    r_squared,
    set_keep_probability,
    set_learning_rate,
    set_regularization_strength,
    set_regularizer,
)

FEW = settings(max_examples=30, deadline=None)


class PhaseProbe(BaseLayer):
    """An identity layer that records the phase of every forward pass it sees."""

    def __init__(self):
        super().__init__()
        self.phases = []

    def forward(self, input_tensor):
        self.phases.append("test" if self.testing_phase else "train")
        return input_tensor

    def backward(self, error_tensor):
        return error_tensor


def classifier(seed=0, *, data_layer=None, probe=False, regularizer=None):
    """FC(4, 6) - BN(6) - ReLU - Dropout(0.5) - FC(6, 3) - SoftMax on two fixed batches of 8 samples."""
    np.random.seed(seed)
    optimizer = Sgd(0.05)
    if regularizer is not None:
        optimizer.add_regularizer(regularizer)
    net = NeuralNetwork(optimizer, He(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = data_layer or FixedBatches(
        (np.random.randn(8, 4), one_hot(np.arange(8) % 3, 3)), (np.random.randn(8, 4), one_hot(np.arange(8) % 3, 3))
    )
    layers = [FullyConnected(4, 6), BatchNormalization(6), ReLU(), Dropout(0.5), FullyConnected(6, 3), SoftMax()]
    if probe:
        layers.insert(4, PhaseProbe())
    for layer in layers:
        net.append_layer(layer)
    return net


def trained_classifier(seed=0):
    """A classifier after one step, so BatchNormalization has moving statistics for the test phase."""
    net = classifier(seed)
    net.train(1)
    return net


def probe_of(net):
    return next(layer for layer in net.layers if isinstance(layer, PhaseProbe))


def sequence_network(seed=0, *, last_step=False, probe=False):
    """RNN(2, 5, 1) on batches of 4 sequences of 12 steps: sequence targets, or one target per sequence."""
    np.random.seed(seed)
    net = NeuralNetwork(Sgd(0.05), Xavier(), Constant(0.0))
    targets = (4, 1) if last_step else (4, 12, 1)
    net.data_layer = FixedBatches((np.random.rand(4, 12, 2), np.random.rand(*targets)),
                                  (np.random.rand(4, 12, 2), np.random.rand(*targets)))
    net.loss_layer = L2Loss()
    net.append_layer(RNN(2, 5, 1))
    if probe:
        net.append_layer(PhaseProbe())
    if last_step:
        net.append_layer(LastTimeStep())
    return net


# ------------------------------------------------------------------ 1. training always in the train phase


def test_fit_after_test_records_the_train_phase_at_every_step_as_in_the_issue():
    net = classifier(probe=True)
    net.train(5)
    net.test(np.random.randn(8, 4))
    phases = []
    fit(net, 1, steps_per_epoch=3, metric=None, callbacks=[lambda state: phases.append(state.network.phase)])
    assert phases == ["train"] * 3
    assert probe_of(net).phases[-3:] == ["train"] * 3  # the forward passes themselves, not only the flag


def test_fit_after_evaluate_in_the_test_phase_trains_in_the_train_phase():
    net = classifier(probe=True)
    net.train(1)
    net.phase = "test"
    inputs, labels = net.data_layer.batches[0]
    evaluate(net, inputs, labels)
    assert net.phase == "test"  # evaluate leaves the phase as it found it
    seen = len(probe_of(net).phases)
    fit(net, 1, steps_per_epoch=2, metric=None)
    assert probe_of(net).phases[seen:] == ["train", "train"]


def test_train_step_after_test_runs_in_the_train_phase_and_matches_a_twin_that_never_tested():
    tested, twin = classifier(seed=4, probe=True), classifier(seed=4)
    state = np.random.get_state()
    tested.train_step()
    np.random.set_state(state)
    twin.train_step()
    tested.test(np.ones((3, 4)))
    state = np.random.get_state()
    loss = tested.train_step()
    np.random.set_state(state)
    assert loss == twin.train_step()  # the same dropout mask and batch statistics: the same step
    assert probe_of(tested).phases[-1] == "train"
    assert tested.phase == "train" and not any(layer.testing_phase for layer in tested.layers)


def test_a_callback_that_leaves_the_test_phase_does_not_reach_the_next_step_or_its_forward_only_chunks():
    net = sequence_network(last_step=True, probe=True)

    def leave_test_phase(state):
        state.network.phase = "test"

    fit(net, 1, steps_per_epoch=2, truncation=5, metric=None, callbacks=[leave_test_phase])
    assert probe_of(net).phases == ["train"] * 6  # 2 batches x (2 forward-only chunks + 1 update)


def test_a_network_loaded_in_the_test_phase_trains_like_its_twin_in_the_train_phase(tmp_path):
    saved, twin = classifier(seed=2), classifier(seed=2)
    state = np.random.get_state()
    saved.train(1)
    np.random.set_state(state)
    twin.train(1)
    saved.phase = "test"
    loaded = NeuralNetwork.load(saved.save(tmp_path / "net.npz"))
    assert loaded.phase == "test"
    loaded.data_layer = FixedBatches(*twin.data_layer.batches)
    loaded.data_layer.calls = twin.data_layer.calls
    state = np.random.get_state()
    fit(loaded, 1, steps_per_epoch=2, metric=None)
    np.random.set_state(state)
    fit(twin, 1, steps_per_epoch=2, metric=None)
    assert loaded.loss == twin.loss


# -------------------------------------------------------------- 4. unchecked numbers in the loop's helpers


@pytest.mark.parametrize(
    ("min_delta", "error", "message"),
    [
        (float("nan"), ValueError, "EarlyStopping min_delta must be a finite number, got nan"),
        (float("inf"), ValueError, "EarlyStopping min_delta must be a finite number, got inf"),
        (-0.01, ValueError, r"EarlyStopping min_delta must be non-negative, got -0\.01"),
        ("0.01", TypeError, "EarlyStopping min_delta must be a real number, got '0.01'"),
    ],
)
def test_early_stopping_refuses_a_min_delta_outside_its_domain(min_delta, error, message):
    with pytest.raises(error, match=message):
        EarlyStopping(min_delta=min_delta)


@FEW
@given(st.floats(max_value=-1e-300, allow_infinity=False))
def test_early_stopping_refuses_every_negative_min_delta(min_delta):
    with pytest.raises(ValueError, match="EarlyStopping min_delta must be non-negative"):
        EarlyStopping(min_delta=min_delta)


@pytest.mark.parametrize("restore_best", [1, 0, "yes", None, np.array([True])])
def test_early_stopping_restore_best_must_be_a_bool(restore_best):
    with pytest.raises(TypeError, match="EarlyStopping restore_best must be True or False, got"):
        EarlyStopping(restore_best=restore_best)


def test_early_stopping_monitor_must_be_a_validation_measure():
    with pytest.raises(ValueError, match="EarlyStopping monitor must be one of .* got 'train_loss'"):
        EarlyStopping(monitor="train_loss")


def gradients_of(net):
    return [np.copy(getattr(layer, f"gradient_{name}")) for layer in net.trainable_layers()
            for name in layer.parameter_names]


def net_with_gradients():
    net = classifier()
    net.forward()
    net.backward()
    return net


@pytest.mark.parametrize(
    ("max_norm", "error", "message"),
    [
        (-1.0, ValueError, r"clip_by_global_norm max_norm must be positive, got -1\.0"),
        (0, ValueError, "clip_by_global_norm max_norm must be positive, got 0"),
        (float("nan"), ValueError, "clip_by_global_norm max_norm must be a finite number, got nan"),
        (float("inf"), ValueError, "clip_by_global_norm max_norm must be a finite number, got inf"),
        ("1.0", TypeError, "clip_by_global_norm max_norm must be a real number, got '1.0'"),
    ],
)
def test_clip_by_global_norm_refuses_a_bound_outside_its_domain_and_leaves_the_gradients(max_norm, error, message):
    net = net_with_gradients()
    before = gradients_of(net)
    with pytest.raises(error, match=message):
        clip_by_global_norm(net, max_norm)
    for kept, now in zip(before, gradients_of(net), strict=True):
        np.testing.assert_array_equal(kept, now)


@FEW
@given(st.floats(max_value=0.0, allow_nan=False, allow_infinity=False))
def test_clip_by_global_norm_never_flips_or_zeroes_the_gradients(max_norm):
    net = net_with_gradients()
    with pytest.raises(ValueError, match="clip_by_global_norm max_norm must be positive"):
        clip_by_global_norm(net, max_norm)
    assert global_gradient_norm(net) > 0


def test_clip_by_global_norm_with_none_only_measures():
    net = net_with_gradients()
    before = gradients_of(net)
    assert clip_by_global_norm(net, None) == pytest.approx(global_gradient_norm(net))
    for kept, now in zip(before, gradients_of(net), strict=True):
        np.testing.assert_array_equal(kept, now)


@pytest.mark.parametrize("clip_norm", [0, -1.0, float("nan"), float("inf")])
def test_fit_clip_norm_follows_the_same_rule(clip_norm):
    with pytest.raises(ValueError, match=f"fit clip_norm must be .*got {clip_norm!r}"):
        fit(classifier(), 1, steps_per_epoch=1, clip_norm=clip_norm)


# ----------------------------------------------------- 5. truncated BPTT needs recurrent layers and sequences


def test_truncation_on_a_network_without_recurrent_layers_is_refused():
    net = classifier()
    with pytest.raises(ValueError, match="fit truncation=2 .* no recurrent"):
        fit(net, 1, steps_per_epoch=3, truncation=2)
    assert net.loss == []  # nothing trained


def test_truncation_refuses_inputs_that_are_not_sequences():
    net = sequence_network()
    net.data_layer = FixedBatches((np.random.rand(4, 12, 2, 1), np.random.rand(4, 12, 1)))
    with pytest.raises(ValueError, match=r"fit truncation needs sequence batches .* got inputs of shape "
                                         r"\(4, 12, 2, 1\)"):
        fit(net, 1, steps_per_epoch=1, truncation=5)


# ---------------------------------------------------- 6. the truncated epoch's train loss counts every chunk


def hand_computed_truncated_epoch(net, truncation):
    """Train like fit(net, 1, truncation=...) by hand: reset, chunks that end at the last step, one step each."""
    net.layers[0].memorize = True
    total, sequences = 0.0, 0
    for inputs, targets in net.data_layer.batches:
        net.reset_states()
        for start, end in ((0, 2), (2, 7), (7, 12)):  # T = 12, truncation 5
            assert end - start <= truncation
            net.train_step(inputs[:, start:end], targets[:, start:end])
            total += net.data_loss
        sequences += len(inputs)
    return total / sequences


def test_truncated_epoch_train_loss_is_the_loss_per_sequence_over_every_chunk():
    by_fit, by_hand = sequence_network(seed=3), sequence_network(seed=3)
    history = fit(by_fit, 1, steps_per_epoch=2, truncation=5, metric=None)
    expected = hand_computed_truncated_epoch(by_hand, 5)
    assert by_fit.loss == by_hand.loss  # the same six updates
    assert history.epochs["train_loss"] == [pytest.approx(expected, rel=1e-12)]
    last_chunks_only = (history.steps["data_loss"][2] + history.steps["data_loss"][5]) / 8
    assert history.epochs["train_loss"][0] > last_chunks_only  # what the epoch reported before issue 13


def test_truncated_epoch_with_one_target_per_sequence_counts_the_update_of_each_batch():
    net = sequence_network(seed=3, last_step=True)
    history = fit(net, 1, steps_per_epoch=2, truncation=5, metric=None)
    assert history.num_steps == 2
    assert history.epochs["train_loss"] == [pytest.approx(sum(history.steps["data_loss"]) / 8, rel=1e-12)]


# --------------------------------------------------------------- 5 and 9. clear errors for misused arguments


def show(state):
    """A step callback, passed without a list by mistake."""


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"callbacks": show}, r"fit callbacks must be a list, got one function: pass a list, e.g. callbacks=\[show\]"),
        ({"callbacks": EarlyStopping(3)}, r"fit callbacks must be a list, got one EarlyStopping: pass a list"),
        ({"callbacks": "show"}, "fit callbacks must be a list .* got 'show'"),
        ({"callbacks": [EarlyStopping]}, r"got the class EarlyStopping: create one, e.g. EarlyStopping\(\)"),
        ({"recorders": SparsityRecorder()}, r"fit recorders must be a list, got one SparsityRecorder: pass a list"),
        ({"recorders": [None]}, r"fit recorders\[0\] must be a recorder object .* got None"),
        ({"recorders": [object()]}, r"fit recorders\[0\] must be a recorder object with start\(network\)"),
        ({"recorders": [SparsityRecorder]}, r"create one, e.g. SparsityRecorder\(\)"),
        ({"epochs": "3"}, "fit epochs must be a positive integer, got '3'"),
        ({"epochs": 2.5}, "fit epochs must be a positive integer, got 2.5"),
        ({"epochs": True}, "fit epochs must be a positive integer, got True"),
        ({"steps_per_epoch": "2"}, "fit steps_per_epoch must be a positive integer, got '2'"),
        ({"progress": "yes"}, "fit progress must be True or False, got 'yes'"),
    ],
)
def test_fit_refuses_arguments_of_the_wrong_type_before_training(arguments, message):
    net = classifier()
    with pytest.raises(TypeError, match=message):
        fit(net, **{"epochs": 1, "steps_per_epoch": 1, **arguments})
    assert net.loss == []


@pytest.mark.parametrize(("arguments", "message"), [({"epochs": 0}, "fit epochs must be a positive integer, got 0"),
                                                    ({"steps_per_epoch": -1}, "fit steps_per_epoch .* got -1")])
def test_fit_refuses_non_positive_counts(arguments, message):
    with pytest.raises(ValueError, match=message):
        fit(classifier(), **{"epochs": 1, "steps_per_epoch": 1, **arguments})


class OneArray:
    """A data layer that forgets the labels."""

    def __init__(self, rows):
        self.rows = rows

    def next(self):
        return np.ones((self.rows, 4))


@pytest.mark.parametrize("rows", [2, 8])  # two rows would otherwise unpack into an input row and a label row
def test_a_data_layer_returning_one_array_is_refused_by_fit_and_train(rows):
    net = classifier(data_layer=OneArray(rows))
    with pytest.raises(TypeError, match=rf"fit data_layer.next\(\) must return the pair .* got an array of shape "
                                        rf"\({rows}, 4\)"):
        fit(net, 1, steps_per_epoch=1)
    with pytest.raises(TypeError, match=r"NeuralNetwork data_layer.next\(\) must return the pair"):
        net.train(1)
    assert net.loss == []


def test_a_data_layer_returning_three_arrays_is_refused():
    net = classifier(data_layer=FixedBatches((np.ones((3, 4)), one_hot([0, 1, 2], 3), np.ones(3))))
    with pytest.raises(TypeError, match="must return the pair .* got a tuple of 3 entries"):
        net.forward()


def test_a_batch_with_fewer_labels_than_inputs_is_refused_by_fit_and_forward():
    inputs, labels = np.random.default_rng(0).normal(size=(3, 4)), one_hot([0, 1], 3)
    net = classifier(data_layer=FixedBatches((inputs, labels)))
    message = r"input_tensor and label_tensor must hold the same number of samples, got 3 inputs .* and 2 labels"
    with pytest.raises(ValueError, match="training stopped at epoch 1, step 0: NeuralNetwork.forward " + message):
        fit(net, 1, steps_per_epoch=1)
    with pytest.raises(ValueError, match=message):
        net.forward(inputs, labels)
    assert net.loss == []


@pytest.mark.parametrize(
    ("early_stopping", "error", "message"),
    [("5", TypeError, "fit early_stopping must be a patience in epochs .* got '5'"),
     (True, TypeError, "fit early_stopping must be a patience in epochs .* got True"),
     (2.0, TypeError, "fit early_stopping must be a patience in epochs .* got 2.0"),
     (0, ValueError, "EarlyStopping patience must be a positive integer, got 0")],
)
def test_fit_early_stopping_must_be_a_patience_or_an_early_stopping(early_stopping, error, message):
    with pytest.raises(error, match=message):
        fit(classifier(), 1, steps_per_epoch=1, early_stopping=early_stopping)


@pytest.mark.parametrize("function", [fit, evaluate])
def test_fit_and_evaluate_need_a_network(function):
    arguments = () if function is fit else (np.ones((2, 4)), one_hot([0, 1], 3))
    with pytest.raises(TypeError, match=f"{function.__name__} network must be a NeuralNetwork, got FixedBatches"):
        function(FixedBatches(), *arguments)


def test_a_train_set_getter_returning_one_array_is_refused():
    net = classifier()
    net.data_layer.get_train_set = lambda: np.ones((2, 4))
    with pytest.raises(TypeError, match=r"fit data_layer.get_train_set\(\) must return the pair .* shape \(2, 4\)"):
        fit(net, 1, steps_per_epoch=1)


def test_train_step_refuses_a_before_update_that_is_no_function_and_updates_nothing():
    net = classifier()
    weights = [np.copy(layer.weights) for layer in net.trainable_layers()]
    with pytest.raises(TypeError, match="NeuralNetwork.train_step before_update must be a function .* got 0.5"):
        net.train_step(before_update=0.5)
    for kept, layer in zip(weights, net.trainable_layers(), strict=True):
        np.testing.assert_array_equal(kept, layer.weights)


@FEW
@given(st.integers(1, 6), st.integers(1, 6))
def test_forward_refuses_every_pair_of_different_batch_lengths(inputs, labels):
    net = trained_classifier()
    batch = np.ones((inputs, 4)), one_hot(np.arange(labels) % 3, 3)
    if inputs == labels:
        assert np.isfinite(net.forward(*batch))
        return
    with pytest.raises(ValueError, match=f"got {inputs} inputs .* and {labels} labels"):
        net.forward(*batch)


def test_fit_refuses_class_indices_that_would_broadcast_against_the_prediction():
    net = classifier(data_layer=FixedBatches((np.ones((3, 4)), np.array([0.0, 1.0, 2.0]))))
    with pytest.raises(ValueError, match="training stopped at epoch 1, step 0: CrossEntropyLoss"):
        fit(net, 1, steps_per_epoch=1)
    assert net.loss == []


def test_forward_with_labels_but_no_inputs_is_refused():
    with pytest.raises(ValueError, match="NeuralNetwork.forward got label_tensor without input_tensor"):
        classifier().forward(label_tensor=one_hot([0], 3))


def test_one_sequence_with_one_target_still_trains():
    """The exercise's 2-D (T, D) sequence through LastTimeStep has T input rows and one target row."""
    np.random.seed(0)
    net = NeuralNetwork(Sgd(0.05), Xavier(), Constant(0.0))
    net.loss_layer = L2Loss()
    net.append_layer(RNN(2, 4, 1))
    net.append_layer(LastTimeStep())
    assert np.isfinite(net.train_step(np.random.rand(9, 2), np.array([[0.5]])))


def test_evaluate_on_an_empty_set_is_a_clear_error():
    with pytest.raises(ValueError, match=r"evaluate got an empty batch: input_tensor has shape \(0, 4\)"):
        evaluate(classifier(), np.zeros((0, 4)), np.zeros((0, 3)))


def test_evaluate_with_more_labels_than_inputs_is_a_clear_error():
    with pytest.raises(ValueError, match="evaluate input_tensor and label_tensor .* got 2 inputs .* and 3 labels"):
        evaluate(classifier(), np.ones((2, 4)), one_hot([0, 1, 2], 3))


def test_evaluate_refuses_class_indices_where_one_hot_rows_belong():
    with pytest.raises(ValueError, match="CrossEntropyLoss"):
        evaluate(trained_classifier(), np.ones((3, 4)), np.array([0, 1, 2]))


@pytest.mark.parametrize(
    ("metric", "error", "message"),
    [
        (lambda prediction, labels: "good", TypeError, "evaluate metric <lambda> result must be a real number"),
        (lambda prediction, labels: float("nan"), ValueError, "evaluate metric <lambda> result must be a finite"),
        ("accuracy", TypeError, "evaluate metric must be a function"),
    ],
)
def test_evaluate_refuses_a_metric_that_gives_no_number(metric, error, message):
    with pytest.raises(error, match=message):
        evaluate(trained_classifier(), np.ones((3, 4)), one_hot([0, 1, 2], 3), metric)


def test_fit_reports_a_metric_that_gives_no_number():
    net = classifier()
    net.data_layer.get_train_set = lambda: net.data_layer.batches[0]
    with pytest.raises(TypeError, match="evaluate metric <lambda> result must be a real number, got None"):
        fit(net, 1, steps_per_epoch=1, metric=lambda prediction, labels: None)


# ----------------------------------------------------------- 7. shapes that broadcast, degenerate data, domains


@pytest.mark.parametrize(
    ("measure", "prediction", "labels"),
    [
        (accuracy, np.eye(3), np.array([0.0, 1.0, 2.0])),  # class indices against (N, K): one scalar argmax
        (binary_accuracy, np.full((4, 1), 0.9), np.ones(4)),  # (N, 1) against (N,): an N x N comparison
        (r_squared, np.zeros((4, 1)), np.arange(4.0)),
    ],
)
def test_metrics_refuse_shapes_that_would_broadcast(measure, prediction, labels):
    with pytest.raises(ValueError, match=rf"{measure.__name__} prediction and (labels|targets) must have the same "
                                         rf"shape, got {re.escape(str(prediction.shape))}"):
        measure(prediction, labels)


@FEW
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_metrics_never_measure_two_different_shapes(prediction_shape, label_shape):
    if prediction_shape == label_shape:
        return
    for measure in (accuracy, binary_accuracy, r_squared):
        with pytest.raises(ValueError, match="must have the same shape"):
            measure(np.ones(prediction_shape), np.arange(np.prod(label_shape), dtype=float).reshape(label_shape))


@pytest.mark.parametrize("measure", [accuracy, binary_accuracy, r_squared])
def test_metrics_refuse_an_empty_prediction(measure):
    with pytest.raises(ValueError, match=rf"{measure.__name__} got an empty prediction of shape \(0, 2\)"):
        measure(np.zeros((0, 2)), np.zeros((0, 2)))


def test_r_squared_of_constant_targets_is_an_error_not_nan():
    with pytest.raises(ValueError, match=r"r_squared is undefined for constant targets \(all 0\.5\)"):
        r_squared(np.full((4, 1), 0.5), np.full((4, 1), 0.5))


def test_binary_accuracy_threshold_must_be_finite():
    with pytest.raises(ValueError, match="binary_accuracy threshold must be a finite number, got nan"):
        binary_accuracy(np.ones((2, 1)), np.ones((2, 1)), threshold=float("nan"))


def test_metrics_still_take_integer_labels():
    assert accuracy(np.eye(3), np.eye(3, dtype=int)) == 1.0
    assert binary_accuracy(np.array([[0.9], [0.1]]), np.array([[1], [0]])) == 1.0


def test_an_empty_batch_from_the_data_layer_is_a_clear_error():
    net = classifier(data_layer=FixedBatches((np.zeros((0, 4)), np.zeros((0, 3)))))
    with pytest.raises(ValueError, match=r"NeuralNetwork.forward got an empty batch: input_tensor has shape \(0, 4\)"):
        fit(net, 1, steps_per_epoch=1)


def test_constant_inputs_train_to_finite_losses():
    net = classifier(data_layer=FixedBatches((np.full((8, 4), 3.0), one_hot(np.arange(8) % 3, 3))))
    history = fit(net, 2, steps_per_epoch=3)
    assert np.all(np.isfinite(history.step_array("loss")))
    assert np.isfinite(history.epochs["train_loss"][-1])


def test_one_class_trains_and_is_learned():
    np.random.seed(1)
    data = FixedBatches((np.random.randn(8, 4), one_hot(np.zeros(8, dtype=int), 3)))
    net = classifier(data_layer=data)
    net.data_layer.get_train_set = lambda: data.batches[0]
    history = fit(net, 20, steps_per_epoch=1)
    assert np.all(np.isfinite(history.step_array("loss")))
    assert history.epochs["train_accuracy"][-1] == 1.0
    assert history.epochs["train_loss"][-1] < history.epochs["train_loss"][0]


@pytest.mark.parametrize("learning_rate", [0, -0.1, float("nan"), float("inf"), "0.1", None])
def test_set_learning_rate_refuses_values_outside_its_domain_and_changes_nothing(learning_rate):
    net = classifier()
    with pytest.raises((TypeError, ValueError), match=f"learning_rate must be .*got {learning_rate!r}"):
        set_learning_rate(net, learning_rate)
    assert {opt.learning_rate for layer in net.trainable_layers() for opt in layer.optimizers.values()} == {0.05}


@pytest.mark.parametrize("alpha", [-1e-3, float("nan"), float("inf"), "1e-3"])
def test_set_regularization_strength_refuses_values_outside_its_domain_and_changes_nothing(alpha):
    net = classifier(regularizer=L2Regularizer(1e-3))
    with pytest.raises((TypeError, ValueError), match=f"alpha must be .*got {alpha!r}"):
        set_regularization_strength(net, alpha)
    assert {opt.regularizer.alpha for layer in net.trainable_layers() for opt in layer.optimizers.values()} == {1e-3}


@pytest.mark.parametrize("probability", [0, 0.001, 1.5, float("nan"), "0.5"])
def test_set_keep_probability_refuses_values_outside_its_domain(probability):
    net = classifier()
    with pytest.raises((TypeError, ValueError), match=f"Dropout probability must be .*got {probability!r}"):
        set_keep_probability(net, probability)
    assert net.layers[3].probability == 0.5


@pytest.mark.parametrize(
    ("arguments", "message"),
    [({"regularizer": "L2"}, "regularizer must have calculate_gradient"),
     ({"regularizer": L2Regularizer(1e-3), "into_gradient": "yes"}, "into_gradient must be True or False, got 'yes'")],
)
def test_set_regularizer_refuses_what_is_no_regularizer_and_changes_nothing(arguments, message):
    net = classifier()
    with pytest.raises(TypeError, match=message):
        set_regularizer(net, **arguments)
    assert all(opt.regularizer is None for layer in net.trainable_layers() for opt in layer.optimizers.values())


class CountingCallback(Callback):
    def __init__(self):
        self.steps = 0

    def on_step_end(self, state):
        self.steps += 1


def test_lists_and_tuples_of_callbacks_and_recorders_still_work_and_none_means_none():
    counter, recorder = CountingCallback(), SparsityRecorder()
    fit(classifier(), 1, steps_per_epoch=2, callbacks=(counter,), recorders=[recorder])
    assert counter.steps == 2
    assert recorder.last_step == 1
    assert fit(classifier(), 1, steps_per_epoch=1, callbacks=None, recorders=None).num_steps == 1


def test_evaluate_reports_a_loss_that_overflows_instead_of_returning_inf():
    net = NeuralNetwork(Sgd(0.1), Constant(1e200), Constant(0.0))
    net.loss_layer = L2Loss()
    net.append_layer(FullyConnected(2, 1))
    with np.errstate(over="ignore"), pytest.raises(RuntimeError, match="evaluate: the loss on this set is inf"):
        evaluate(net, np.ones((3, 2)), np.zeros((3, 1)), metric=None)


def test_the_gradient_norm_before_any_backward_is_an_error_not_zero():
    net = classifier()
    with pytest.raises(RuntimeError, match=r"global_gradient_norm: no gradient is stored yet; run backward\(\)"):
        global_gradient_norm(net)
    with pytest.raises(RuntimeError, match="no gradient is stored yet"):
        clip_by_global_norm(net, 1.0)


@pytest.mark.parametrize("function", [global_gradient_norm, lambda network: clip_by_global_norm(network, 1.0)])
def test_the_clipping_helpers_need_a_network(function):
    with pytest.raises(TypeError, match="network must be a NeuralNetwork, got list"):
        function([FullyConnected(2, 2)])


def test_restoring_a_snapshot_of_another_network_is_refused_and_changes_nothing():
    net, other = classifier(), NeuralNetwork(Sgd(0.1), He(), Constant(0.1))
    for layer in (FullyConnected(4, 6), BatchNormalization(6), ReLU(), Dropout(0.5), FullyConnected(6, 2), SoftMax()):
        other.append_layer(layer)
    weights = net.layers[0].weights.copy()
    with pytest.raises(ValueError, match=r"snapshot's layers\[4\] \(FullyConnected\).weights has shape \(7, 2\)"):
        net.restore(other.snapshot())
    np.testing.assert_array_equal(net.layers[0].weights, weights)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("argument", ["input_tensor", "label_tensor"])
def test_a_batch_with_nan_or_infinity_is_refused_where_it_enters_not_reported_as_divergence(argument, bad):
    inputs, labels = np.ones((3, 4)), one_hot([0, 1, 2], 3)
    (inputs if argument == "input_tensor" else labels)[1, 2] = bad
    net = trained_classifier()
    message = rf"{argument} holds 1 NaN or infinite entries \(of {12 if argument == 'input_tensor' else 9}\)"
    with pytest.raises(ValueError, match="NeuralNetwork.forward " + message):
        net.train_step(inputs, labels)
    with pytest.raises(ValueError, match="evaluate " + message):
        evaluate(net, inputs, labels)


def test_a_batch_that_is_a_scalar_or_a_string_is_refused():
    with pytest.raises(ValueError, match="NeuralNetwork.forward input_tensor must be an array with one row per "
                                         r"sample, got 'abcd' \(str\)"):
        trained_classifier().forward("abcd", one_hot([0], 3))
    with pytest.raises(ValueError, match=r"evaluate label_tensor must be an array with one row per sample, got 1"):
        evaluate(trained_classifier(), np.ones((1, 4)), 1)


def test_accuracies_count_a_nan_or_infinite_prediction_as_wrong_not_as_class_0():
    labels = np.eye(3)[:, :2]  # rows: class 0, class 1, nothing (argmax 0)
    assert accuracy(np.array([[np.nan, 0.2], [0.1, 0.9], [0.9, 0.1]]), labels) == pytest.approx(2 / 3)
    assert accuracy(np.full((3, 2), np.nan), labels) == 0.0  # NumPy's argmax alone would give 2/3
    targets = np.array([[0.0], [1.0], [0.0]])
    assert binary_accuracy(np.array([[np.nan], [0.9], [np.inf]]), targets) == pytest.approx(1 / 3)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_r_squared_of_a_non_finite_prediction_is_an_error(bad):
    with pytest.raises(ValueError, match=r"r_squared prediction must hold finite numbers, got 1 NaN or infinite"):
        r_squared(np.array([[bad], [0.5], [0.2]]), np.array([[0.0], [1.0], [0.5]]))


@pytest.mark.parametrize("measure", [accuracy, binary_accuracy, r_squared])
def test_metrics_refuse_nan_labels(measure):
    labels = np.eye(3)[:, :2].copy()
    labels[0, 0] = np.nan
    with pytest.raises(ValueError, match=rf"{measure.__name__} (labels|targets) must hold finite numbers, got 1"):
        measure(np.full((3, 2), 0.5), labels)


@pytest.mark.parametrize(
    "call",
    [lambda: set_learning_rate(None, 0.1), lambda: set_regularizer(None, None),
     lambda: set_regularization_strength(None, 0.1), lambda: set_keep_probability(None, 0.5)],
)
def test_the_hyper_parameter_helpers_need_a_network(call):
    with pytest.raises(TypeError, match=r"set_\w+ network must be a NeuralNetwork, got NoneType"):
        call()


def test_early_stopping_on_an_accuracy_without_a_metric_says_what_is_missing():
    np.random.seed(0)
    net = NeuralNetwork(Sgd(0.05), Xavier(), Constant(0.0))
    net.loss_layer = L2Loss()
    net.append_layer(FullyConnected(2, 1))
    net.data_layer = FixedBatches((np.random.rand(4, 2), np.random.rand(4, 1)))
    net.data_layer.get_validation_set = lambda: (np.random.rand(3, 2), np.random.rand(3, 1))
    with pytest.raises(RuntimeError, match="validation_accuracy, but there is none: fit has no metric"):
        fit(net, 2, steps_per_epoch=1, early_stopping=EarlyStopping(2, monitor="validation_accuracy"))


@pytest.mark.parametrize(("batches", "error"), [(2.0, TypeError), (0, ValueError), ("3", TypeError)])
def test_a_data_layers_batches_per_epoch_outside_its_domain_is_named_as_such(batches, error):
    net = classifier()
    net.data_layer.batches_per_epoch = batches
    with pytest.raises(error, match=f"fit \\(steps_per_epoch not given\\) data_layer.batches_per_epoch must be a "
                                    f"positive integer, got {batches!r}"):
        fit(net, 1)
