"""Redraw every figure the README shows, from the library (run with ``make figures``).

Each figure comes from a small seeded experiment, the same settings the teaching-claim tests assert
(tests/test_teaching_claims_*.py, over several seeds), so a figure never shows what the library does not compute.
"""

from pathlib import Path

import numpy as np

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
    SoftMax,
    Xavier,
)
from rnnreg.data import ArrayDataLayer, delayed_recall, iris_data_layer, two_moons
from rnnreg.lessons.digits_sparsity import NEAR_ZERO, train_digits_mlp
from rnnreg.training import BatchNormRecorder, fit
from rnnreg.viz import (
    plot_batch_norm_statistics,
    plot_decision_boundary,
    plot_gradient_norms,
    plot_weight_histograms,
)

HERE = Path(__file__).resolve().parent


def l1_vs_l2():
    weights = {name: train_digits_mlp(regularizer)[0]
               for name, regularizer in (("L1", L1Regularizer(0.3)), ("L2", L2Regularizer(0.3)))}
    return plot_weight_histograms(weights, threshold=NEAR_ZERO)


def gradient_norms():
    inputs, targets = delayed_recall(32, 40, rng=0)
    norms = {}
    for label, layer in (("Elman", RNN(2, 16, 1)), ("LSTM", LSTM(2, 16, 1, forget_bias=5.0))):
        np.random.seed(0)
        layer.initialize(Xavier(), Constant(0.0))
        top, loss = LastTimeStep(), L2Loss()
        loss.forward(top.forward(layer.forward(inputs)), targets)
        layer.backward(top.backward(loss.backward(targets)))
        norms[label] = layer.hidden_gradient_norms
    return plot_gradient_norms(norms)


def batch_norm_statistics():
    np.random.seed(0)
    net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), He(), Constant(0.0))
    net.data_layer = iris_data_layer(batch_size=16, standardize=False)
    net.loss_layer = CrossEntropyLoss()
    for layer in (BatchNormalization(4), FullyConnected(4, 8), ReLU(), FullyConnected(8, 3), SoftMax()):
        net.append_layer(layer)
    recorder = BatchNormRecorder()
    fit(net, epochs=6, recorders=[recorder])
    return plot_batch_norm_statistics(recorder, 0, channel=2)


def decision_boundary():
    points, labels = two_moons(300, 0.15, rng=0)
    np.random.seed(0)
    net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), He(), Constant(0.0))
    net.data_layer = ArrayDataLayer(points, labels, 32, test_fraction=0.0)
    net.loss_layer = CrossEntropyLoss()
    for layer in (FullyConnected(2, 32), ReLU(), Dropout(0.8), FullyConnected(32, 32), ReLU(),
                  FullyConnected(32, 2), SoftMax()):
        net.append_layer(layer)
    fit(net, epochs=60)
    return plot_decision_boundary(net.predict, points, labels)


FIGURES = {
    "l1_vs_l2.png": l1_vs_l2,
    "gradient_norms.png": gradient_norms,
    "batch_norm_statistics.png": batch_norm_statistics,
    "decision_boundary.png": decision_boundary,
}


def main():
    for name, draw in FIGURES.items():
        draw().savefig(HERE / name)
        print(f"figures/{name}")


if __name__ == "__main__":
    main()
