import numpy as np
import pytest
from helpers import FixedBatches, one_hot

from rnnreg import (
    RNN,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    He,
    L1Regularizer,
    L2Loss,
    L2Regularizer,
    NeuralNetwork,
    ReLU,
    Sgd,
    SgdWithMomentum,
    SoftMax,
    Xavier,
)
from rnnreg.data import ArrayDataLayer, iris_data_layer
from rnnreg.training import (
    Callback,
    EarlyStopping,
    binary_accuracy,
    clip_by_global_norm,
    evaluate,
    fit,
    global_gradient_norm,
    set_keep_probability,
    set_learning_rate,
    set_regularization_strength,
    set_regularizer,
)


def iris_network(optimizer=None, *, seed=0, validation_fraction=0.2, batch_size=16, regularizer=None):
    np.random.seed(seed)
    optimizer = optimizer or SgdWithMomentum(0.02, 0.9)
    if regularizer is not None:
        optimizer.add_regularizer(regularizer)
    net = NeuralNetwork(optimizer, He(), Constant(0.1))
    net.data_layer = iris_data_layer(batch_size=batch_size, validation_fraction=validation_fraction)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(4, 12), BatchNormalization(12), ReLU(), Dropout(0.8), FullyConnected(12, 3),
                  SoftMax()):
        net.append_layer(layer)
    return net


def weights_of(net):
    return [np.copy(layer.weights) for layer in net.trainable_layers()]


class StepLog(Callback):
    def __init__(self):
        self.steps, self.epoch_snapshots = [], []

    def on_step_end(self, state):
        self.steps.append(state.step)

    def on_epoch_end(self, state):
        self.epoch_snapshots.append(state.network.snapshot())


def test_history_parts_sum_to_the_network_loss():
    net = iris_network(regularizer=L2Regularizer(1e-3))
    history = fit(net, epochs=3)
    steps = history.steps
    assert history.num_steps == 3 * net.data_layer.batches_per_epoch == len(net.loss)
    assert steps["loss"] == net.loss
    for data, regularization, total in zip(steps["data_loss"], steps["regularization_loss"], steps["loss"],
                                           strict=True):
        assert data + regularization == total
        assert regularization > 0
    assert steps["step"] == list(range(history.num_steps))
    assert np.all(np.diff(history.step_array("elapsed")) >= 0)
    assert history.num_epochs == 3
    assert history.epochs["validation_accuracy"][-1] is not None


def test_fit_does_exactly_what_train_does():
    by_fit, by_train = iris_network(seed=3), iris_network(seed=3)
    steps = by_fit.data_layer.batches_per_epoch
    state = np.random.get_state()
    fit(by_fit, epochs=1)
    np.random.set_state(state)
    by_train.train(steps)
    assert by_fit.loss == by_train.loss
    for mine, theirs in zip(weights_of(by_fit), weights_of(by_train), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_fit_trains_in_the_train_phase_even_after_a_test():
    by_fit, by_train = iris_network(seed=3), iris_network(seed=3)
    state = np.random.get_state()
    by_fit.train(1)
    by_fit.test(by_fit.data_layer.get_test_set()[0])  # leaves the network in the test phase
    fit(by_fit, epochs=1, steps_per_epoch=2)
    np.random.set_state(state)
    by_train.train(3)
    assert by_fit.loss == by_train.loss


def test_step_numbers_continue_over_fit_calls():
    net = iris_network()
    first = fit(net, epochs=1)
    second = fit(net, epochs=1)
    assert second.steps["step"][0] == first.steps["step"][-1] + 1 == len(first.steps["step"])


def overfitting_network(seed=0):
    """Few noisy samples and a wide net: the validation loss turns up early."""
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((60, 20))
    labels = (inputs[:, 0] + 0.8 * rng.standard_normal(60) > 0).astype(int)
    np.random.seed(seed)
    net = NeuralNetwork(SgdWithMomentum(0.05, 0.9), He(), Constant(0.0))
    net.data_layer = ArrayDataLayer(inputs, labels, 10, validation_fraction=0.5, test_fraction=0.0)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(20, 64), ReLU(), FullyConnected(64, 2), SoftMax()):
        net.append_layer(layer)
    return net


def test_early_stopping_restores_the_best_weights_exactly():
    net = overfitting_network()
    log = StepLog()
    history = fit(net, epochs=60, callbacks=[log], early_stopping=EarlyStopping(patience=3))
    assert history.stop_reason is not None and "did not improve for 3 epochs" in history.stop_reason
    best = history.best_epoch
    losses = history.epochs["validation_loss"]
    assert best == int(np.argmin(losses))
    assert len(losses) == best + 4
    for layer, saved in zip(net.layers, log.epoch_snapshots[best], strict=True):
        for name, value in saved.items():
            np.testing.assert_array_equal(getattr(layer, name), value)


def test_early_stopping_needs_a_validation_set():
    net = iris_network(validation_fraction=0.0)
    with pytest.raises(RuntimeError, match="validation set"):
        fit(net, epochs=2, early_stopping=1)


def run_with_change(change, at_step, seed=5, epochs=2):
    net = iris_network(seed=seed, regularizer=L2Regularizer(1e-3))

    def maybe_change(state):
        if state.step == at_step - 1:  # the end of step s-1: takes effect from step s on
            change(state.network)

    history = fit(net, epochs=epochs, callbacks=[maybe_change])
    return history, net


@pytest.mark.parametrize(
    "change",
    [
        lambda net: set_learning_rate(net, 0.2),
        lambda net: set_regularization_strength(net, 0.5),
        lambda net: set_regularizer(net, L1Regularizer(0.05)),
        lambda net: set_keep_probability(net, 0.3),
    ],
    ids=["learning rate", "L2 strength", "L1 instead of L2", "keep probability"],
)
def test_a_change_at_step_s_leaves_earlier_steps_bit_identical(change):
    s = 7
    baseline, _ = run_with_change(lambda net: None, s)
    changed, _ = run_with_change(change, s)
    assert changed.steps["loss"][:s] == baseline.steps["loss"][:s]
    assert changed.steps["loss"][s + 1:] != baseline.steps["loss"][s + 1:]


def test_a_learning_rate_change_keeps_weights_and_momentum():
    net = iris_network()
    fit(net, epochs=1)
    velocities = [np.copy(opt.velocity) for layer in net.trainable_layers() for opt in layer.optimizers.values()]
    weights = weights_of(net)
    set_learning_rate(net, 0.001)
    after = [opt.velocity for layer in net.trainable_layers() for opt in layer.optimizers.values()]
    for before, now in zip(velocities, after, strict=True):
        np.testing.assert_array_equal(before, now)
    for before, now in zip(weights, weights_of(net), strict=True):
        np.testing.assert_array_equal(before, now)
    assert all(opt.learning_rate == 0.001 for layer in net.trainable_layers() for opt in layer.optimizers.values())


def test_history_records_the_learning_rate_in_use():
    history, _ = run_with_change(lambda net: set_learning_rate(net, 0.2), 4)
    assert history.steps["learning_rate"][:4] == [0.02] * 4
    assert history.steps["learning_rate"][4:8] == [0.2] * 4


def test_hyper_parameter_setters_reject_bad_values_without_partial_changes():
    net = iris_network(regularizer=L2Regularizer(1e-3))
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        set_learning_rate(net, -1.0)
    assert all(opt.learning_rate == 0.02 for layer in net.trainable_layers() for opt in layer.optimizers.values())
    with pytest.raises(ValueError, match="alpha must be non-negative"):
        set_regularization_strength(net, -0.1)
    with pytest.raises(ValueError, match=r"Dropout probability must be in \[0\.01, 1\]"):
        set_keep_probability(net, 1.5)


def test_setters_explain_what_is_missing():
    net = iris_network()
    with pytest.raises(RuntimeError, match="no regularizer"):
        set_regularization_strength(net, 0.1)
    plain = NeuralNetwork(Sgd(0.1), He(), Constant(0.1))
    plain.append_layer(FullyConnected(2, 2))
    with pytest.raises(RuntimeError, match="no Dropout layer"):
        set_keep_probability(plain, 0.5)


def test_clipping_bounds_the_global_norm_and_keeps_the_direction():
    net = iris_network()
    net.forward()
    net.backward()
    before = {(id(layer), name): np.copy(getattr(layer, f"gradient_{name}"))
              for layer in net.trainable_layers() for name in layer.parameter_names}
    norm = clip_by_global_norm(net, 0.5)
    assert norm > 0.5
    assert global_gradient_norm(net) == pytest.approx(0.5, rel=1e-12)
    for layer in net.trainable_layers():
        for name in layer.parameter_names:
            np.testing.assert_allclose(getattr(layer, f"gradient_{name}"), before[(id(layer), name)] * 0.5 / norm)


def test_fit_with_clipping_never_steps_further_than_the_bound():
    np.random.seed(1)
    net = NeuralNetwork(Sgd(1.0), Xavier(), Constant(0.1))
    net.data_layer = iris_data_layer(batch_size=30)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(4, 8), ReLU(), FullyConnected(8, 3), SoftMax()):
        net.append_layer(layer)
    step_lengths = []

    class MeasureStep(Callback):
        def on_train_begin(self, state):
            self.previous = weights_of(state.network)

        def on_step_end(self, state):
            now = weights_of(state.network)
            step_lengths.append(np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(now, self.previous, strict=True))))
            self.previous = now

    history = fit(net, epochs=2, clip_norm=0.25, callbacks=[MeasureStep()])
    assert max(history.steps["gradient_norm"]) > 0.25
    assert max(step_lengths) <= 0.25 * (1 + 1e-12)


def recurrent_network(seed=0):
    np.random.seed(seed)
    net = NeuralNetwork(Sgd(0.05), Xavier(), Constant(0.0))
    inputs = np.random.rand(4, 12, 2)
    targets = np.random.rand(4, 12, 1)
    net.data_layer = FixedBatches((inputs, targets))
    net.loss_layer = L2Loss()
    net.append_layer(RNN(2, 5, 1))
    return net


def test_truncation_as_long_as_the_sequence_equals_full_bptt():
    full, truncated = recurrent_network(), recurrent_network()
    fit(full, epochs=3, steps_per_epoch=2)
    fit(truncated, epochs=3, steps_per_epoch=2, truncation=12)
    assert truncated.loss == full.loss
    np.testing.assert_array_equal(truncated.layers[0].weights, full.layers[0].weights)


def test_shorter_truncation_makes_one_update_per_chunk_and_restores_memorize():
    net = recurrent_network()
    history = fit(net, epochs=1, steps_per_epoch=2, truncation=5)
    assert history.num_steps == 2 * 3  # chunks of 2, 5 and 5 steps (aligned to end at the last step)
    assert net.layers[0].hidden_gradient_norms.shape == (5,)  # the last update back-propagated 5 steps
    assert net.layers[0].memorize is False
    reference = recurrent_network()
    fit(reference, epochs=1, steps_per_epoch=2)
    assert not np.array_equal(net.layers[0].weights, reference.layers[0].weights)


def test_truncation_with_one_target_per_sequence_updates_once_per_batch():
    from rnnreg import LastTimeStep

    np.random.seed(0)
    net = NeuralNetwork(Sgd(0.05), Xavier(), Constant(0.0))
    net.data_layer = FixedBatches((np.random.rand(4, 12, 2), np.random.rand(4, 1)))
    net.loss_layer = L2Loss()
    net.append_layer(RNN(2, 5, 1))
    net.append_layer(LastTimeStep())
    history = fit(net, epochs=1, steps_per_epoch=3, truncation=5, metric=binary_accuracy)
    assert history.num_steps == 3
    # The chunk holding the target has all 5 steps (12 = 2 + 5 + 5): the gradient's reach is the truncation.
    assert net.layers[0].hidden_gradient_norms.shape == (5,)


def test_truncation_windows_end_at_the_last_step_so_k_is_the_gradients_reach():
    from rnnreg import LastTimeStep

    np.random.seed(0)
    inputs, targets = np.random.rand(3, 11, 2), np.random.rand(3, 1)
    for truncation in (1, 4, 10, 11):
        np.random.seed(1)
        net = NeuralNetwork(Sgd(0.05), Xavier(), Constant(0.0))
        net.data_layer = FixedBatches((inputs, targets))
        net.loss_layer = L2Loss()
        net.append_layer(RNN(2, 4, 1))
        net.append_layer(LastTimeStep())
        layer = net.layers[0]
        initial = layer.weights.copy(), layer.output_weights.copy()
        fit(net, epochs=1, steps_per_epoch=1, truncation=truncation, metric=None)
        assert layer.hidden_gradient_norms.shape == (truncation,)
        assert np.all(layer.hidden_gradient_norms > 0)
        # The forward-only chunks carried the state: the last chunk's states are those of one full run.
        full = RNN(2, 4, 1)
        full.weights, full.output_weights = initial
        full.forward(inputs)
        np.testing.assert_allclose(layer.hidden_states, full.hidden_states[:, -truncation:], rtol=1e-12)


def test_a_callback_can_stop_training():
    net = iris_network()

    def stop_at_three(state):
        if state.step == 3:
            state.stop("enough")

    history = fit(net, epochs=5, callbacks=[stop_at_three])
    assert history.num_steps == 4
    assert history.num_epochs == 1
    assert history.stop_reason == "enough"
    assert net.phase == "train"


def test_recorders_are_started_and_called_every_step():
    class CountingRecorder:
        def start(self, network):
            self.steps = []

        def record(self, step, network):
            self.steps.append(step)

    recorder = CountingRecorder()
    history = fit(iris_network(), epochs=2, recorders=[recorder])
    assert recorder.steps == history.steps["step"]


def test_progress_bar_does_not_change_the_run(capsys):
    pytest.importorskip("tqdm")
    quiet = fit(iris_network(seed=2), epochs=1)
    shown = fit(iris_network(seed=2), epochs=1, progress=True)
    assert shown.steps["loss"] == quiet.steps["loss"]
    assert "training" in capsys.readouterr().err


def test_evaluate_gives_loss_per_sample_and_accuracy():
    net = iris_network()
    fit(net, epochs=5)
    inputs, labels = net.data_layer.get_test_set()
    loss, accuracy = evaluate(net, inputs, labels)
    prediction = net.test(inputs)
    assert loss == pytest.approx(CrossEntropyLoss().forward(prediction, labels) / len(inputs))
    assert accuracy == np.mean(prediction.argmax(1) == labels.argmax(1))


def test_evaluate_leaves_the_phase_moving_statistics_and_carried_states_as_they_were():
    net = iris_network()
    fit(net, epochs=2)
    inputs, labels = net.data_layer.get_test_set()
    before = net.snapshot()
    assert net.phase == "train"
    evaluate(net, inputs, labels)
    assert net.phase == "train"
    for mine, theirs in zip(net.snapshot(), before, strict=True):
        for name in theirs:
            np.testing.assert_array_equal(mine[name], theirs[name])

    np.random.seed(1)
    recurrent = NeuralNetwork(Sgd(0.1), Xavier(), Constant(0.0))
    recurrent.loss_layer = L2Loss()
    recurrent.append_layer(RNN(2, 3, 1, memorize=True))
    recurrent.test(np.random.rand(4, 5, 2))
    carried = recurrent.layers[0].hidden_state.copy()
    sequences, targets = np.random.rand(6, 5, 2), np.random.rand(6, 5, 1)
    loss, _ = evaluate(recurrent, sequences, targets, metric=None)
    assert recurrent.phase == "test" and recurrent.layers[0].memorize
    np.testing.assert_array_equal(recurrent.layers[0].hidden_state, carried)
    recurrent.reset_states()
    assert loss == pytest.approx(L2Loss().forward(recurrent.test(sequences), targets) / 6)


def test_training_errors_name_the_epoch_and_step():
    net = NeuralNetwork(Sgd(0.1), Xavier(), Constant(0.1))
    net.data_layer = FixedBatches((np.ones((2, 3)), one_hot([0, 1], 2)), (np.ones((2, 4)), one_hot([0, 1], 2)))
    net.loss_layer = CrossEntropyLoss()
    net.append_layer(FullyConnected(3, 2))
    net.append_layer(SoftMax())
    with pytest.raises(ValueError, match=r"training stopped at epoch 1, step 1: FullyConnected expected"):
        fit(net, epochs=1, steps_per_epoch=3)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "fit epochs must be a positive integer"),
        ({"clip_norm": -1.0}, ValueError, "fit clip_norm must be positive"),
        ({"truncation": 0}, ValueError, "fit truncation must be a positive integer"),
        ({"metric": "f1"}, TypeError, "fit metric must be a function"),
        ({"callbacks": [42]}, TypeError, "callbacks must be Callback objects"),
    ],
)
def test_bad_arguments_are_rejected(arguments, error, message):
    with pytest.raises(error, match=message):
        fit(iris_network(), **arguments)


def test_fit_needs_data_and_a_step_count():
    net = NeuralNetwork(Sgd(0.1), Xavier(), Constant(0.1))
    with pytest.raises(RuntimeError, match="data_layer and network.loss_layer"):
        fit(net)
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.ones((2, 3)), one_hot([0, 1], 2)))
    with pytest.raises(ValueError, match="steps_per_epoch"):
        fit(net)


def test_evaluation_during_truncated_training_starts_from_zero_states():
    from rnnreg import LastTimeStep

    np.random.seed(0)
    inputs, targets = np.random.rand(40, 12, 2), np.random.rand(40, 1)
    net = NeuralNetwork(Sgd(0.05), Xavier(), Constant(0.0))
    net.data_layer = ArrayDataLayer(inputs, targets, 8, label_type="values", validation_fraction=0.25,
                                    test_fraction=0.0)
    net.loss_layer = L2Loss()
    net.append_layer(RNN(2, 5, 1))
    net.append_layer(LastTimeStep())
    history = fit(net, epochs=2, truncation=5)  # train batches of 8, a validation set of 10 sequences
    validation_inputs, validation_targets = net.data_layer.get_validation_set()
    expected, _ = evaluate(net, validation_inputs, validation_targets, metric=None)
    net.layers[0].memorize = False
    plain = L2Loss().forward(net.test(validation_inputs), validation_targets) / len(validation_inputs)
    assert history.epochs["validation_loss"][-1] == pytest.approx(plain) == pytest.approx(expected)


class SkeletonFullyConnected:
    """A layer written to the exercise's skeleton: no rnnreg base class, no parameter_names, no deferred update."""

    def __init__(self, input_size, output_size):
        self.trainable = True
        self.testing_phase = False
        self.weights = np.random.uniform(-0.5, 0.5, (input_size + 1, output_size))
        self.optimizer = None
        self.gradient_weights = None

    def initialize(self, weights_initializer, bias_initializer):
        rows, columns = self.weights.shape
        weights = weights_initializer.initialize((rows - 1, columns), rows - 1, columns)
        bias = bias_initializer.initialize((1, columns), rows - 1, columns)
        self.weights = np.vstack([weights, bias])

    def forward(self, input_tensor):
        self._input = np.hstack([input_tensor, np.ones((len(input_tensor), 1))])
        return self._input @ self.weights

    def backward(self, error_tensor):
        self.gradient_weights = self._input.T @ error_tensor
        error_input = error_tensor @ self.weights[:-1].T
        if self.optimizer is not None:
            self.weights = self.optimizer.calculate_update(self.weights, self.gradient_weights)
        return error_input


def skeleton_network(seed=0):
    net = iris_network(Sgd(0.05), seed=seed)
    net.layers = []
    for layer in (SkeletonFullyConnected(4, 8), ReLU(), SkeletonFullyConnected(8, 3), SoftMax()):
        net.append_layer(layer)
    return net


def test_fit_trains_a_layer_written_to_the_exercise_skeleton():
    net = skeleton_network()
    history = fit(net, 20)
    assert history.epochs["train_loss"][-1] < 0.5 * history.epochs["train_loss"][0]
    assert all(norm > 0 for norm in history.steps["gradient_norm"])
    assert len(net.snapshot()[0]) == 1  # the skeleton's weights, found without parameter_names


def test_clipping_names_a_skeleton_layer_that_cannot_defer_its_update():
    net = skeleton_network()
    with pytest.raises(TypeError, match=r"SkeletonFullyConnected has no defer_updates.*TrainableLayer"):
        fit(net, 1, clip_norm=1.0)


def test_learning_rate_and_gradient_check_reach_a_layer_written_to_the_exercise_skeleton():
    from rnnreg.gradcheck import check_gradients

    net = skeleton_network()
    set_learning_rate(net, 0.01)  # the skeleton layer has no per-array optimizers: no AttributeError
    assert net.optimizer.learning_rate == 0.01
    np.random.seed(3)
    report = check_gradients([SkeletonFullyConnected(3, 2)], np.random.randn(4, 3))
    assert report.passed and "layers[0].weights" in report
