"""The overfitting experiment that lessons 01 (regularizers) and 02 (dropout) share: a fixed small split.

``overfitting_set`` draws 30 training samples with 60 features (4 informative) and 200 validation samples;
``overfitting_data_layer`` serves exactly that split to ``fit``, full batch, with the validation set for the
per-epoch evaluation.
"""

import numpy as np

from rnnreg.data import ArrayDataLayer, one_hot, overfitting_set
from rnnreg.validation import check_positive_int


def check_steps(steps, steps_per_epoch):
    steps, steps_per_epoch = check_positive_int("steps", steps), check_positive_int("steps_per_epoch", steps_per_epoch)
    if steps % steps_per_epoch:
        raise ValueError(f"steps ({steps}) must be a multiple of steps_per_epoch ({steps_per_epoch})")
    return steps, steps_per_epoch


def verb(before, after, tolerance=0.0025):
    """"raises" / "lowers" / "keeps": how ``after`` compares with ``before`` (for computed titles)."""
    if after > before + tolerance:
        return "raises"
    if after < before - tolerance:
        return "lowers"
    return "keeps"


class FixedSplitDataLayer:
    """Full batches of a fixed training set, and a fixed validation set for ``fit`` to evaluate each epoch.

    ``overfitting_set`` draws its own training and validation samples; this keeps exactly that split (an
    ``ArrayDataLayer`` would draw a new one). Labels are served one-hot.
    """

    def __init__(self, train_inputs, train_labels, validation_inputs, validation_labels, *, num_classes, rng):
        if len(validation_inputs) == 0:
            raise ValueError("the validation set is empty: the lesson compares train and validation accuracy")
        self._train = ArrayDataLayer(train_inputs, train_labels, len(train_inputs), test_fraction=0.0,
                                     num_classes=num_classes, rng=rng)
        self._validation = (np.array(validation_inputs, dtype=float),
                            one_hot(np.asarray(validation_labels), num_classes))
        if self._validation[0].shape[1:] != np.shape(train_inputs)[1:]:
            raise ValueError(
                f"validation inputs have {self._validation[0].shape[1:]} features per sample, the training inputs "
                f"{np.shape(train_inputs)[1:]}"
            )

    @property
    def batches_per_epoch(self):
        return self._train.batches_per_epoch

    def next(self):
        return self._train.next()

    def get_train_set(self):
        return self._train.get_train_set()

    def get_validation_set(self):
        return tuple(np.copy(array) for array in self._validation)

    def get_test_set(self):
        return self.get_validation_set()


def overfitting_data_layer(seed=0, data=None):
    """A ``FixedSplitDataLayer`` over ``overfitting_set(rng=seed)`` (or ``data``: train_x, train_y, val_x, val_y)."""
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=seed) if data is None else data
    if len(train_x) == 0:
        raise ValueError("the training set is empty: there is nothing to learn from")
    num_classes = int(max(np.max(train_y), np.max(validation_y) if len(validation_y) else 0)) + 1
    return FixedSplitDataLayer(train_x, train_y, validation_x, validation_y, num_classes=max(num_classes, 2),
                               rng=np.random.default_rng(seed))
