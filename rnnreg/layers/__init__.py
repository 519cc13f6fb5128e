"""Layers: each module holds one concept with its forward and backward pass."""

from rnnreg.layers.activations import ReLU, Sigmoid, SoftMax, TanH
from rnnreg.layers.base import BaseLayer, TrainableLayer
from rnnreg.layers.batch_normalization import BatchNormalization
from rnnreg.layers.conv import Conv
from rnnreg.layers.dropout import Dropout
from rnnreg.layers.flatten import Flatten
from rnnreg.layers.fully_connected import FullyConnected
from rnnreg.layers.initializers import Constant, He, Initializer, UniformRandom, Xavier
from rnnreg.layers.lstm import LSTM
from rnnreg.layers.pooling import Pooling
from rnnreg.layers.rnn import RNN
from rnnreg.layers.sequence import LastTimeStep

__all__ = [
    "LSTM",
    "RNN",
    "BaseLayer",
    "BatchNormalization",
    "Constant",
    "Conv",
    "Dropout",
    "Flatten",
    "FullyConnected",
    "He",
    "Initializer",
    "LastTimeStep",
    "Pooling",
    "ReLU",
    "Sigmoid",
    "SoftMax",
    "TanH",
    "TrainableLayer",
    "UniformRandom",
    "Xavier",
]
