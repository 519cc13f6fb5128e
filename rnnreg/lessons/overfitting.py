"""The overfitting experiment that lessons 01 (regularizers) and 02 (dropout) share: a fixed small split.

``overfitting_set`` draws 30 training samples with 60 features (4 informative) and 200 validation samples;
``overfitting_data_layer`` serves exactly that split to ``fit``, full batch, with the validation set for the
per-epoch evaluation.
"""

import numpy as np

from rnnreg.data import FixedSplitDataLayer, overfitting_set
from rnnreg.lessons.experiment import check_count


def check_steps(steps, steps_per_epoch):
    steps, steps_per_epoch = check_count("steps", steps), check_count("steps_per_epoch", steps_per_epoch)
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


def overfitting_data_layer(seed=0, data=None):
    """A ``FixedSplitDataLayer`` over ``overfitting_set(rng=seed)`` (or ``data``: train_x, train_y, val_x, val_y)."""
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=seed) if data is None else data
    if len(train_x) == 0:
        raise ValueError("the training set is empty: there is nothing to learn from")
    num_classes = int(max(np.max(train_y), np.max(validation_y) if len(validation_y) else 0)) + 1
    return FixedSplitDataLayer(train_x, train_y, validation_x, validation_y, num_classes=max(num_classes, 2),
                               rng=np.random.default_rng(seed))
