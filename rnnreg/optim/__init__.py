"""Optimizers, regularizers (the exercise's "constraints") and the loss."""

from rnnreg.optim.constraints import L1_Regularizer, L1Regularizer, L2_Regularizer, L2Regularizer, Regularizer
from rnnreg.optim.loss import CrossEntropyLoss, L2Loss
from rnnreg.optim.optimizers import Adam, Optimizer, Sgd, SgdWithMomentum

__all__ = [
    "Adam",
    "CrossEntropyLoss",
    "L1Regularizer",
    "L1_Regularizer",
    "L2Loss",
    "L2Regularizer",
    "L2_Regularizer",
    "Optimizer",
    "Regularizer",
    "Sgd",
    "SgdWithMomentum",
]
