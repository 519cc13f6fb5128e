"""rnnreg: a compact NumPy framework for learning how regularization and recurrent networks work.

The names of the exercise "Regularization and the Recurrent Layer" are all importable from here::

    from rnnreg import FullyConnected, Dropout, BatchNormalization, RNN, NeuralNetwork, Adam, L2Regularizer

``import rnnreg`` needs NumPy alone; ``rnnreg.viz``, ``rnnreg.widgets`` and ``rnnreg.training`` are imported
by name and may pull in matplotlib, ipywidgets or a progress bar.
"""

from rnnreg.layers import (
    LSTM,
    RNN,
    BaseLayer,
    BatchNormalization,
    Constant,
    Conv,
    Dropout,
    Flatten,
    FullyConnected,
    He,
    LastTimeStep,
    Pooling,
    ReLU,
    Sigmoid,
    SoftMax,
    TanH,
    UniformRandom,
    Xavier,
)
from rnnreg.network import NeuralNetwork
from rnnreg.optim import (
    Adam,
    CrossEntropyLoss,
    L1_Regularizer,
    L1Regularizer,
    L2_Regularizer,
    L2Loss,
    L2Regularizer,
    Optimizer,
    Sgd,
    SgdWithMomentum,
)

__version__ = "0.1.0"

__all__ = [
    "LSTM",
    "RNN",
    "Adam",
    "BaseLayer",
    "BatchNormalization",
    "Constant",
    "Conv",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "FullyConnected",
    "He",
    "L1Regularizer",
    "L1_Regularizer",
    "L2Loss",
    "L2Regularizer",
    "L2_Regularizer",
    "LastTimeStep",
    "NeuralNetwork",
    "Optimizer",
    "Pooling",
    "ReLU",
    "Sgd",
    "SgdWithMomentum",
    "Sigmoid",
    "SoftMax",
    "TanH",
    "UniformRandom",
    "Xavier",
]
