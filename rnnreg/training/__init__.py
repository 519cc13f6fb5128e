"""Training with records: ``fit`` on top of ``NeuralNetwork``, its ``History``, callbacks and recorders.

>>> from rnnreg.training import fit
>>> history = fit(net, epochs=20, early_stopping=5)        # net.data_layer with a validation split
>>> history.epoch_array("validation_accuracy")
"""

from rnnreg.training.callbacks import Callback, EarlyStopping, ProgressBar, TrainingState
from rnnreg.training.clipping import clip_by_global_norm, global_gradient_norm
from rnnreg.training.history import History
from rnnreg.training.hyperparameters import (
    set_keep_probability,
    set_learning_rate,
    set_regularization_strength,
    set_regularizer,
)
from rnnreg.training.loop import evaluate, fit
from rnnreg.training.metrics import accuracy, binary_accuracy, r_squared
from rnnreg.training.recorders import (
    BatchNormRecorder,
    BoundedSeries,
    DropoutMaskRecorder,
    Recorder,
    RecurrentRecorder,
    SparsityRecorder,
    WeightNormRecorder,
    WeightSnapshotRecorder,
)

__all__ = [
    "BatchNormRecorder",
    "BoundedSeries",
    "Callback",
    "DropoutMaskRecorder",
    "EarlyStopping",
    "History",
    "ProgressBar",
    "Recorder",
    "RecurrentRecorder",
    "SparsityRecorder",
    "TrainingState",
    "WeightNormRecorder",
    "WeightSnapshotRecorder",
    "accuracy",
    "binary_accuracy",
    "clip_by_global_norm",
    "evaluate",
    "fit",
    "global_gradient_norm",
    "r_squared",
    "set_keep_probability",
    "set_learning_rate",
    "set_regularization_strength",
    "set_regularizer",
]
