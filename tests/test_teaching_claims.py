"""What the lessons claim, asserted on the shipped tasks (seeded; each claim runs in seconds)."""

import numpy as np
import pytest

from rnnreg import (
    LSTM,
    RNN,
    Adam,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    He,
    L1Regularizer,
    L2Loss,
    L2Regularizer,
    LastTimeStep,
    NeuralNetwork,
    ReLU,
    Sgd,
    SgdWithMomentum,
    SoftMax,
    Xavier,
)
from rnnreg.data import ArrayDataLayer, delayed_recall, digits_data_layer, iris_data_layer, overfitting_set
from rnnreg.training import evaluate, fit, r_squared


def near_zero_fraction(net, threshold=1e-3):
    weights = np.concatenate([layer.weights[:-1].ravel() for layer in net.trainable_layers()])
    return float(np.mean(np.abs(weights) < threshold))


def digits_mlp(regularizer):
    np.random.seed(0)
    optimizer = SgdWithMomentum(0.002, 0.9)
    optimizer.add_regularizer(regularizer)
    net = NeuralNetwork(optimizer, He(), Constant(0.0))
    net.data_layer = digits_data_layer(batch_size=64, flatten=True, validation_fraction=0.2)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(64, 32), ReLU(), FullyConnected(32, 10), SoftMax()):
        net.append_layer(layer)
    return net


def test_l1_drives_many_more_weights_to_zero_than_l2_at_equal_strength():
    l1, l2 = digits_mlp(L1Regularizer(0.3)), digits_mlp(L2Regularizer(0.3))
    l1_history, l2_history = fit(l1, epochs=10), fit(l2, epochs=10)
    assert near_zero_fraction(l1) > 0.15
    assert near_zero_fraction(l1) > 10 * near_zero_fraction(l2)
    # both still classify the digits: sparsity did not come from a broken net
    assert min(l1_history.epochs["validation_accuracy"][-1], l2_history.epochs["validation_accuracy"][-1]) > 0.85


def overfitting_gap(seed, optimizer, keep_probability=None):
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=seed)
    np.random.seed(seed)
    net = NeuralNetwork(optimizer, He(), Constant(0.0))
    net.data_layer = ArrayDataLayer(train_x, train_y, len(train_x), test_fraction=0.0)
    net.loss_layer = CrossEntropyLoss()
    layers = [FullyConnected(train_x.shape[1], 32), ReLU()]
    if keep_probability is not None:
        layers.append(Dropout(keep_probability))
    for layer in (*layers, FullyConnected(32, 2), SoftMax()):
        net.append_layer(layer)
    fit(net, epochs=800)
    _, train_accuracy = evaluate(net, train_x, np.eye(2)[train_y])
    _, validation_accuracy = evaluate(net, validation_x, np.eye(2)[validation_y])
    return train_accuracy - validation_accuracy


def plain_sgd():
    return Sgd(0.003)


def l2_sgd():
    optimizer = Sgd(0.003)
    optimizer.add_regularizer(L2Regularizer(1.0))
    return optimizer


@pytest.mark.parametrize(
    ("make_optimizer", "keep_probability", "margin"),
    [(l2_sgd, None, 0.05), (plain_sgd, 0.5, 0.02)],
    ids=["L2", "dropout"],
)
def test_regularization_narrows_the_train_validation_gap(make_optimizer, keep_probability, margin):
    seeds = range(3)
    plain = np.mean([overfitting_gap(seed, plain_sgd()) for seed in seeds])
    regularized = np.mean([overfitting_gap(seed, make_optimizer(), keep_probability) for seed in seeds])
    assert plain > 0.15, "the unregularized net must overfit for the claim to mean anything"
    assert regularized < plain - margin


def test_batch_norm_moving_statistics_converge_to_the_data_statistics():
    np.random.seed(0)
    net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), He(), Constant(0.0))
    net.data_layer = iris_data_layer(batch_size=30, standardize=False)
    net.loss_layer = CrossEntropyLoss()
    batch_norm = BatchNormalization(4)
    for layer in (batch_norm, FullyConnected(4, 8), ReLU(), FullyConnected(8, 3), SoftMax()):
        net.append_layer(layer)
    fit(net, epochs=10)
    train_inputs, _ = net.data_layer.get_train_set()
    mean, std = train_inputs.mean(axis=0), train_inputs.std(axis=0)
    assert np.all(np.abs(batch_norm.moving_mean - mean) < 0.15 * std)
    np.testing.assert_allclose(batch_norm.moving_variance, std**2, rtol=0.25)


def gradient_norms_through_time(layer, delay=40):
    layer.initialize(Xavier(), Constant(0.0))
    inputs, targets = delayed_recall(32, delay, rng=0)
    top, loss = LastTimeStep(), L2Loss()
    loss.forward(top.forward(layer.forward(inputs)), targets)
    layer.backward(top.backward(loss.backward(targets)))
    norms = layer.hidden_gradient_norms
    return norms[0] / norms[-1]


def test_elman_gradient_vanishes_through_time_much_faster_than_the_lstms():
    np.random.seed(0)
    elman = gradient_norms_through_time(RNN(2, 16, 1))
    lstm = gradient_norms_through_time(LSTM(2, 16, 1, forget_bias=5.0))
    assert elman < 1e-2
    assert lstm > 100 * elman


def memory_task_score(layer, delay, seed=0, epochs=20):
    inputs, targets = delayed_recall(600, delay, rng=seed)
    np.random.seed(seed)
    net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), Xavier(), Constant(0.0))
    net.data_layer = ArrayDataLayer(inputs, targets, 32, label_type="values", validation_fraction=0.2,
                                    test_fraction=0.0)
    net.loss_layer = L2Loss()
    net.append_layer(layer)
    net.append_layer(LastTimeStep())
    history = fit(net, epochs=epochs, metric=r_squared)
    return history.epochs["validation_accuracy"][-1]


def test_elman_remembers_over_a_short_delay():
    assert memory_task_score(RNN(2, 16, 1), delay=5) > 0.9


def test_lstm_solves_the_memory_task_at_a_delay_where_elman_fails():
    # Equal hidden size and training budget; the LSTM's cell starts out remembering (forget_bias).
    assert memory_task_score(RNN(2, 16, 1), delay=60) < 0.3
    assert memory_task_score(LSTM(2, 16, 1, forget_bias=5.0), delay=60) > 0.9
