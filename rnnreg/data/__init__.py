"""Offline data for rnnreg: two small real data sets shipped in the package, synthetic generators, data layers.

>>> from rnnreg.data import load_iris, iris_data_layer
>>> features, labels = load_iris()            # (150, 4) float64, (150,) int64
>>> data = iris_data_layer(batch_size=30)      # net.data_layer = data; data.next() -> (inputs, one-hot labels)

>>> from rnnreg.data import delayed_recall, sequence_data_layer
>>> inputs, targets = delayed_recall(256, delay=8, rng=0)          # (256, 9, 2), (256, 1)
>>> data = sequence_data_layer(inputs, targets, batch_size=32)     # targets served as they are

Sources, citations and licences of the shipped data: ``rnnreg/data/SOURCES.md``. The generators
(``rnnreg.data.generators``) make 2-D toy problems, sequence tasks and an overfitting-prone set on the fly.
"""

from rnnreg.data.data_layer import (
    ArrayDataLayer,
    FixedSplitDataLayer,
    digits_data_layer,
    iris_data_layer,
    sequence_data_layer,
)
from rnnreg.data.datasets import (
    DIGITS_CLASS_NAMES,
    IRIS_CLASS_NAMES,
    IRIS_FEATURE_NAMES,
    DataIntegrityError,
    data_file,
    load_digits,
    load_iris,
    one_hot,
)
from rnnreg.data.generators import (
    adding_problem,
    concentric_circles,
    delayed_recall,
    noisy_sine,
    overfitting_set,
    spirals,
    two_moons,
    xor,
)

__all__ = [
    "DIGITS_CLASS_NAMES",
    "IRIS_CLASS_NAMES",
    "IRIS_FEATURE_NAMES",
    "ArrayDataLayer",
    "DataIntegrityError",
    "FixedSplitDataLayer",
    "adding_problem",
    "concentric_circles",
    "data_file",
    "delayed_recall",
    "digits_data_layer",
    "iris_data_layer",
    "load_digits",
    "load_iris",
    "noisy_sine",
    "one_hot",
    "overfitting_set",
    "sequence_data_layer",
    "spirals",
    "two_moons",
    "xor",
]
