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
    L2Regularizer,
    NeuralNetwork,
    Pooling,
    ReLU,
    Sgd,
    SgdWithMomentum,
    SoftMax,
    UniformRandom,
    Xavier,
)
from rnnreg.data import digits_data_layer, iris_data_layer


def accuracy(prediction, labels):
    return float(np.mean(np.argmax(prediction, axis=1) == np.argmax(labels, axis=1)))


def small_network(optimizer=None):
    net = NeuralNetwork(optimizer or Sgd(0.1), Xavier(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    inputs = np.random.randn(8, 4)
    net.data_layer = FixedBatches((inputs, one_hot(np.arange(8) % 3, 3)))
    net.append_layer(FullyConnected(4, 6))
    net.append_layer(BatchNormalization(6))
    net.append_layer(ReLU())
    net.append_layer(Dropout(0.5))
    net.append_layer(FullyConnected(6, 3))
    net.append_layer(SoftMax())
    return net


def test_append_layer_gives_each_trainable_layer_its_own_initialized_optimizer():
    optimizer = Sgd(1)
    optimizer.add_regularizer(L2Regularizer(4e-4))
    net = NeuralNetwork(optimizer, Constant(0.123), Constant(0.123))
    net.append_layer(FullyConnected(1, 1))
    net.append_layer(FullyConnected(1, 1))
    assert net.layers[0].optimizer is not net.layers[1].optimizer
    assert net.layers[0].optimizer is not optimizer
    assert net.layers[0].optimizer.regularizer is not None
    np.testing.assert_array_equal(net.layers[0].weights, 0.123)


def test_phase_sets_every_layer_and_rejects_unknown_values():
    net = small_network()
    assert net.phase == "train"
    net.phase = "test"
    assert all(layer.testing_phase for layer in net.layers)
    net.phase = "train"
    assert not any(layer.testing_phase for layer in net.layers)
    with pytest.raises(ValueError, match="phase must be 'train' or 'test', got 'testing'"):
        net.phase = "testing"
    with pytest.raises(TypeError, match="phase must be 'train' or 'test', got True"):
        net.phase = True


def test_test_leaves_test_phase_and_train_leaves_train_phase():
    net = small_network()
    net.train(2)
    inputs = np.random.randn(5, 4)
    net.test(inputs)
    assert net.phase == "test" and all(layer.testing_phase for layer in net.layers)
    net.train(1)
    assert net.phase == "train" and not any(layer.testing_phase for layer in net.layers)


def test_test_is_deterministic_with_dropout_and_batch_norm():
    net = small_network()
    net.train(5)
    inputs = np.random.randn(5, 4)
    first = net.test(inputs)
    np.random.rand(10)
    np.testing.assert_array_equal(net.test(inputs), first)


def test_forward_returns_data_loss_plus_regularization_loss():
    optimizer = Sgd(0.1)
    optimizer.add_regularizer(L2Regularizer(0.5))
    net = NeuralNetwork(optimizer, Constant(0.5), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.ones((2, 2)), one_hot([0, 1], 2)))
    net.append_layer(FullyConnected(2, 2))
    net.append_layer(SoftMax())
    total = net.forward()
    # weights: four 0.5 entries and two 0.1 bias entries; all outputs equal, so SoftMax gives 0.5 each
    expected_regularization = 0.5 * (4 * 0.25 + 2 * 0.01)
    assert net.regularization_loss == pytest.approx(expected_regularization)
    assert net.data_loss == pytest.approx(-2 * np.log(0.5 + np.finfo(float).eps))
    assert total == pytest.approx(net.data_loss + expected_regularization)


@pytest.mark.parametrize("layer_factory", [lambda: FullyConnected(4, 3), lambda: RNN(4, 4, 3)])
def test_regularization_changes_the_recorded_loss_as_in_the_exercise(layer_factory):
    losses = []
    for regularize in (False, True):
        np.random.seed(1)
        optimizer = Sgd(1e-3)
        if regularize:
            optimizer.add_regularizer(L2Regularizer(8e-2))
        net = NeuralNetwork(optimizer, Constant(0.5), Constant(0.1))
        net.data_layer = FixedBatches((np.random.rand(10, 4), one_hot(np.arange(10) % 3, 3)))
        net.loss_layer = CrossEntropyLoss()
        net.append_layer(layer_factory())
        net.append_layer(SoftMax())
        net.train(1)
        losses.append(np.sum(net.loss))
    assert losses[1] > losses[0]


def test_regularization_loss_is_zero_without_regularizer():
    net = small_network()
    net.forward()
    assert net.regularization_loss == 0.0


def test_train_records_one_loss_per_iteration_and_decreases_it():
    net = small_network(Adam(0.01, 0.9, 0.999))
    net.train(60)
    assert len(net.loss) == 60
    assert np.mean(net.loss[-10:]) < np.mean(net.loss[:10])


class NanOnThirdBatch(CrossEntropyLoss):
    """Cross-entropy whose third forward gives NaN, as a diverging run does (NaN data is refused earlier)."""

    calls = 0

    def forward(self, prediction_tensor, label_tensor):
        self.calls += 1
        loss = super().forward(prediction_tensor, label_tensor)
        return float("nan") if self.calls == 3 else loss


def test_train_stops_on_a_nan_loss_and_names_the_iteration_without_touching_weights():
    net = NeuralNetwork(Sgd(0.1), Xavier(), Constant(0.1))
    net.loss_layer = NanOnThirdBatch()
    good = (np.ones((2, 2)), one_hot([0, 1], 2))
    net.data_layer = FixedBatches(good)
    net.append_layer(FullyConnected(2, 2))
    net.append_layer(SoftMax())
    net.train(2)
    weights = net.layers[0].weights.copy()
    with pytest.raises(RuntimeError, match="iteration 1 of 3: the loss is nan"):
        net.train(3)
    np.testing.assert_array_equal(net.layers[0].weights, weights)
    assert len(net.loss) == 2


def test_train_stops_when_an_update_overflows_the_weights():
    net = NeuralNetwork(Sgd(1e308), UniformRandom(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.full((2, 2), 10.0), one_hot([0, 1], 2)))
    net.append_layer(FullyConnected(2, 2))
    net.append_layer(SoftMax())
    with pytest.raises(RuntimeError, match=r"iteration 1 of 50: the update made layers\[0\] \(FullyConnected\)"):
        net.train(50)
    assert net.loss == []


def test_train_names_the_iteration_when_a_layer_rejects_its_input():
    net = NeuralNetwork(Sgd(0.1), Xavier(), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.ones((2, 3)), one_hot([0, 1], 2)), (np.ones((2, 4)), one_hot([0, 1], 2)))
    net.append_layer(FullyConnected(3, 2))
    net.append_layer(SoftMax())
    with pytest.raises(ValueError, match=r"iteration 2 of 4: FullyConnected expected input_tensor of shape "):
        net.train(4)


def test_train_without_data_layer_is_a_clear_error():
    net = NeuralNetwork(Sgd(0.1), Xavier(), Constant(0.1))
    with pytest.raises(RuntimeError, match="data_layer and loss_layer"):
        net.train(1)


@pytest.mark.parametrize("iterations", [0, -3, 2.5])
def test_bad_iteration_counts_are_rejected(iterations):
    with pytest.raises((ValueError, TypeError), match="iterations"):
        small_network().train(iterations)


def test_backward_before_forward_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="before forward"):
        small_network().backward()


def test_append_layer_rejects_non_layers():
    with pytest.raises(TypeError, match="append_layer expects a layer"):
        small_network().append_layer("ReLU")


def test_iris_reaches_ninety_percent_test_accuracy():
    np.random.seed(0)
    optimizer = SgdWithMomentum(5e-3, 0.9)
    optimizer.add_regularizer(L2Regularizer(1e-4))
    net = NeuralNetwork(optimizer, He(), Constant(0.1))
    net.data_layer = iris_data_layer(batch_size=30)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(4, 16), BatchNormalization(16), ReLU(), Dropout(0.8), FullyConnected(16, 3),
                  SoftMax()):
        net.append_layer(layer)
    net.train(400)
    inputs, labels = net.data_layer.get_test_set()
    assert accuracy(net.test(inputs), labels) >= 0.9


def test_small_conv_net_reaches_ninety_percent_on_digits():
    np.random.seed(0)
    net = NeuralNetwork(Adam(2e-3, 0.9, 0.999), He(), Constant(0.1))
    net.data_layer = digits_data_layer(batch_size=64)
    net.loss_layer = CrossEntropyLoss()
    for layer in (Conv(1, (1, 3, 3), 8), BatchNormalization(8), ReLU(), Pooling(2, 2), Flatten(),
                  FullyConnected(8 * 4 * 4, 10), SoftMax()):
        net.append_layer(layer)
    net.train(300)
    inputs, labels = net.data_layer.get_test_set()
    assert accuracy(net.test(inputs), labels) >= 0.9


def test_l1_regularizer_in_a_network_is_counted():
    optimizer = Sgd(0.1)
    optimizer.add_regularizer(L1Regularizer(0.2))
    net = NeuralNetwork(optimizer, Constant(-0.5), Constant(0.1))
    net.loss_layer = CrossEntropyLoss()
    net.data_layer = FixedBatches((np.ones((1, 2)), one_hot([0], 2)))
    net.append_layer(FullyConnected(2, 2))
    net.append_layer(SoftMax())
    net.forward()
    assert net.regularization_loss == pytest.approx(0.2 * (4 * 0.5 + 2 * 0.1))


# The first layer's input gradient -------------------------------------------------------------------------


def test_backward_calls_every_layers_backward_and_each_returns_the_input_gradient():
    np.random.seed(6)
    net = small_network()
    returned = {}
    for index, layer in enumerate(net.layers):
        layer.backward = _recording(layer.backward, returned, index)

    net.train(1)

    assert returned[0].shape == (8, 4)
    assert all(returned[index].shape == (8, 6) for index in (1, 2, 3, 4))
    assert returned[5].shape == (8, 3)


def _recording(backward, returned, index):
    def wrapper(error_tensor):
        returned[index] = backward(error_tensor)
        return returned[index]

    return wrapper


def recurrent_network(memorize=True):
    """An Elman layer feeding an LSTM, both carrying their state across calls."""
    net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), Xavier(), Constant(0.0))
    net.append_layer(RNN(3, 4, 5, memorize=memorize))
    net.append_layer(LSTM(5, 4, 2, memorize=memorize))
    return net


def test_predict_is_the_test_phase_output_and_leaves_the_moving_statistics_and_phase_alone():
    np.random.seed(8)
    net = small_network()
    net.train(3)
    batch_norm = net.layers[1]
    moving = (batch_norm.moving_mean.copy(), batch_norm.moving_variance.copy())
    inputs = np.random.randn(5, 4)

    prediction = net.predict(inputs)

    assert net.phase == "train" and not any(layer.testing_phase for layer in net.layers)
    np.testing.assert_array_equal(batch_norm.moving_mean, moving[0])
    np.testing.assert_array_equal(batch_norm.moving_variance, moving[1])
    np.testing.assert_array_equal(prediction, net.test(inputs))
    net.phase = "test"
    np.testing.assert_array_equal(net.predict(inputs), prediction)
    assert net.phase == "test" and all(layer.testing_phase for layer in net.layers)


def test_predict_starts_recurrent_layers_from_zeros_and_keeps_their_carried_states():
    np.random.seed(9)
    net = recurrent_network(memorize=True)
    fresh = recurrent_network(memorize=False)
    for layer, twin in zip(net.layers, fresh.layers, strict=True):
        for name in layer.parameter_names:
            setattr(twin, name, getattr(layer, name).copy())
    carried_from = np.random.rand(2, 6, 3)
    for layer in net.layers:
        carried_from = layer.forward(carried_from)  # the train-phase pass that leaves a state behind
    carried = [{name: getattr(layer, name).copy() for name in layer.buffer_names} for layer in net.layers]
    inputs = np.random.rand(3, 7, 3)  # another batch size: a carried state of 2 sequences could not be used

    prediction = net.predict(inputs)

    np.testing.assert_array_equal(prediction, fresh.test(inputs))
    assert net.phase == "train"
    for layer, states in zip(net.layers, carried, strict=True):
        assert layer.memorize
        for name, value in states.items():
            np.testing.assert_array_equal(getattr(layer, name), value)


def test_predict_puts_the_phase_and_states_back_when_a_layer_rejects_the_input():
    np.random.seed(10)
    net = recurrent_network(memorize=True)
    net.test(np.random.rand(2, 6, 3))
    net.phase = "train"
    carried = [layer.hidden_state.copy() for layer in net.layers]
    with pytest.raises(ValueError, match="RNN expected input_tensor"):
        net.predict(np.random.rand(2, 6, 4))
    assert net.phase == "train"
    for layer, state in zip(net.layers, carried, strict=True):
        np.testing.assert_array_equal(layer.hidden_state, state)


def test_reset_states_makes_every_stateful_layer_start_from_zeros_and_touches_nothing_else():
    np.random.seed(11)
    net = recurrent_network(memorize=True)
    inputs = np.random.rand(2, 6, 3)
    first = net.test(inputs)
    assert not np.array_equal(net.test(inputs), first)  # memorize: the second call starts where the first ended
    assert net.stateful_layers() == net.layers

    net.reset_states()

    assert all(state is None for layer in net.layers for state in (getattr(layer, n) for n in layer.buffer_names))
    assert all(layer.memorize for layer in net.layers)
    np.testing.assert_array_equal(net.test(inputs), first)
    feed_forward = small_network()
    feed_forward.train(1)
    moving_mean = feed_forward.layers[1].moving_mean.copy()
    assert feed_forward.stateful_layers() == []
    feed_forward.reset_states()
    np.testing.assert_array_equal(feed_forward.layers[1].moving_mean, moving_mean)


def test_predict_in_the_train_phase_draws_dropout_masks_and_uses_batch_statistics_but_learns_nothing():
    np.random.seed(12)
    net = small_network()
    net.train(2)
    net.phase = "test"
    before = net.snapshot()
    inputs = np.random.randn(8, 4)
    twin = small_network()
    twin.restore(before)

    np.random.seed(13)
    prediction = net.predict(inputs, phase="train")

    np.random.seed(13)
    twin.phase = "train"
    expected = inputs
    for layer in twin.layers:
        expected = layer.forward(expected)
    np.testing.assert_array_equal(prediction, expected)
    assert not np.allclose(prediction, net.predict(inputs))
    assert net.phase == "test"
    for mine, theirs in zip(net.snapshot(), before, strict=True):
        for name in theirs:
            np.testing.assert_array_equal(mine[name], theirs[name])
    with pytest.raises(ValueError, match="predict phase must be 'train' or 'test', got 'training'"):
        net.predict(inputs, phase="training")
