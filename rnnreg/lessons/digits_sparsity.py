"""L1 against L2 on the digits MLP at equal strength: the README's first figure and its claim.

``train_digits_mlp`` trains FullyConnected(64, 32) → ReLU → FullyConnected(32, 10) → SoftMax on the shipped
digits (SGD with momentum, 10 epochs) with one regularizer and returns its weights (bias rows left out: the
picture is about the weights that connect units) and its final validation accuracy.
"""

import numpy as np

from rnnreg import (
    Constant,
    CrossEntropyLoss,
    FullyConnected,
    He,
    NeuralNetwork,
    ReLU,
    SgdWithMomentum,
    SoftMax,
)
from rnnreg.data import digits_data_layer
from rnnreg.lessons.experiment import check_count, seeded
from rnnreg.training import fit

# Near zero: far below a trained digit weight (about 0.1) and above the band L1's subgradient steps jitter
# in around zero (η·α = 0.002 · 0.3 = 6e-4 per step).
NEAR_ZERO = 1e-3


def train_digits_mlp(regularizer, seed=0, *, epochs=10):
    """(weights without bias rows as one flat array, final validation accuracy) of one seeded training run."""
    epochs = check_count("epochs", epochs)
    with seeded(seed):
        optimizer = SgdWithMomentum(0.002, 0.9)
        optimizer.add_regularizer(regularizer)
        net = NeuralNetwork(optimizer, He(), Constant(0.0))
        net.data_layer = digits_data_layer(batch_size=64, flatten=True, validation_fraction=0.2)
        net.loss_layer = CrossEntropyLoss()
        for layer in (FullyConnected(64, 32), ReLU(), FullyConnected(32, 10), SoftMax()):
            net.append_layer(layer)
        history = fit(net, epochs=epochs)
    weights = np.concatenate([layer.weights[:-1].ravel() for layer in net.trainable_layers()])
    return weights, history.epochs["validation_accuracy"][-1]


def near_zero_share(weights, threshold=NEAR_ZERO):
    """The fraction of ``weights`` with |w| <= ``threshold`` (the rule of ``SparsityRecorder`` and the plots)."""
    return float(np.mean(np.abs(weights) <= threshold))
