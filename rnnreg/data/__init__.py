"""Offline data for rnnreg: two small real data sets shipped in the package, and data layers over arrays.

>>> from rnnreg.data import load_iris, iris_data_layer
>>> features, labels = load_iris()            # (150, 4) float64, (150,) int64
>>> data = iris_data_layer(batch_size=30)      # net.data_layer = data; data.next() -> (inputs, one-hot labels)

Sources, citations and licences of the data: ``rnnreg/data/SOURCES.md``.
"""

from rnnreg.data.data_layer import ArrayDataLayer, digits_data_layer, iris_data_layer
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

__all__ = [
    "DIGITS_CLASS_NAMES",
    "IRIS_CLASS_NAMES",
    "IRIS_FEATURE_NAMES",
    "ArrayDataLayer",
    "DataIntegrityError",
    "data_file",
    "digits_data_layer",
    "iris_data_layer",
    "load_digits",
    "load_iris",
    "one_hot",
]
