"""Two small real data sets shipped inside rnnreg, read offline and checked against SHA-256 digests.

- Iris (Fisher, 1936): 150 flowers, 4 measurements in cm, 3 species with 50 flowers each.
- Handwritten digits (Alpaydin & Kaynak, 1998): 1797 images of 8 x 8 pixels with integer values 0..16,
  10 classes (the digits 0..9), about 180 images each.

The files live in ``rnnreg/data/files/``; ``rnnreg/data/SOURCES.md`` names their sources, citations and
licences (CC BY 4.0) and how they were made. Nothing here ever touches the network. Every load hashes the
file's bytes and compares the digest with the constant below, so a damaged or edited file is reported
instead of silently training on wrong numbers.
"""

import gzip
import hashlib
import io
from importlib import resources
from pathlib import Path

import numpy as np

from rnnreg.validation import check_size

IRIS_FILE = "iris.csv"
DIGITS_FILE = "digits.csv.gz"

# Written by scripts/build_datasets.py, which prints these digests; change them only together with the files.
IRIS_SHA256 = "87f0ef5229d3c2825151152009663887281a6e3e164d35161efdbdfb69951049"
DIGITS_SHA256 = "5de8993a4b88b909821c3ed1790e657f49d0c0708cb20d105226817b340f76fa"

IRIS_FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
IRIS_CLASS_NAMES = ("setosa", "versicolor", "virginica")
DIGITS_CLASS_NAMES = tuple(str(digit) for digit in range(10))


class DataIntegrityError(ValueError):
    """A shipped data file does not have the SHA-256 digest it was shipped with (damaged or changed)."""


# The most classes a label encoding takes: one-hot rows of 10**9 classes would exhaust memory.
MAX_CLASSES = 10_000

def data_file(name):
    """Return the shipped data file ``name`` (``IRIS_FILE`` or ``DIGITS_FILE``) as a readable resource.

    The result has ``read_bytes()``; in a checkout or an installed package it is a ``pathlib.Path``.
    """
    return resources.files(__package__).joinpath("files").joinpath(name)


def _read_verified(default_name, expected_sha256, path):
    """Read the file's bytes, check their SHA-256 and return the decoded text."""
    source = data_file(default_name) if path is None else Path(path)
    try:
        content = source.read_bytes()
    except FileNotFoundError:
        if path is not None:
            raise
        raise FileNotFoundError(
            f"rnnreg data file {source} is missing: the installation is incomplete; "
            "reinstall rnnreg (pip install --force-reinstall), or in a checkout restore the file from the repository"
        ) from None
    actual_sha256 = hashlib.sha256(content).hexdigest()
    if actual_sha256 != expected_sha256:
        raise DataIntegrityError(
            f"data file {source} is damaged or was changed: its SHA-256 is {actual_sha256}, "
            f"expected {expected_sha256}. Reinstall rnnreg (pip install --force-reinstall), or in a "
            f"checkout restore rnnreg/data/files/{default_name} from the repository"
        )
    if default_name.endswith(".gz"):
        content = gzip.decompress(content)
    return content.decode("ascii")


def _read_table(text, dtype):
    # The first line names the columns; the label is the last column.
    return np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, dtype=dtype, ndmin=2)


def load_iris(path=None):
    """Load Fisher's Iris data: 150 flowers, 4 measurements, 3 species.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A copy of the shipped ``iris.csv`` to read instead (for tests); its SHA-256 must still match.

    Returns
    -------
    features : numpy.ndarray of float64, shape (150, 4)
        Sepal length, sepal width, petal length, petal width in cm (see ``IRIS_FEATURE_NAMES``).
    labels : numpy.ndarray of int64, shape (150,)
        0 = setosa, 1 = versicolor, 2 = virginica (see ``IRIS_CLASS_NAMES``); 50 flowers each, in that order.

    Both arrays are new on every call: change them freely.

    Raises
    ------
    DataIntegrityError
        The file's SHA-256 digest differs from ``IRIS_SHA256`` (a damaged or changed file).
    """
    table = _read_table(_read_verified(IRIS_FILE, IRIS_SHA256, path), np.float64)
    features = np.ascontiguousarray(table[:, :4])
    labels = table[:, 4].astype(np.int64)
    return features, labels


def load_digits(path=None):
    """Load the 8 x 8 handwritten digits: 1797 images with pixel values 0..16, 10 classes.

    Each pixel counts the ink in a 4 x 4 block of a 32 x 32 black-and-white scan, hence the range 0..16.
    Divide by 16 for values in [0, 1] (``digits_data_layer`` does).

    Parameters
    ----------
    path : str or os.PathLike, optional
        A copy of the shipped ``digits.csv.gz`` to read instead (for tests); its SHA-256 must still match.

    Returns
    -------
    images : numpy.ndarray of float64, shape (1797, 8, 8)
        Row-major images (first axis: top to bottom) with the original integer values 0..16.
    labels : numpy.ndarray of int64, shape (1797,)
        The digit shown, 0..9.

    Both arrays are new on every call: change them freely.

    Raises
    ------
    DataIntegrityError
        The file's SHA-256 digest differs from ``DIGITS_SHA256`` (a damaged or changed file).
    """
    table = _read_table(_read_verified(DIGITS_FILE, DIGITS_SHA256, path), np.int64)
    images = table[:, :64].astype(np.float64).reshape(-1, 8, 8)
    labels = np.ascontiguousarray(table[:, 64])
    return images, labels


def one_hot(labels, num_classes):
    """Turn integer class labels into one-hot rows.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Class indices in ``0 .. num_classes - 1``. Floats are accepted when they hold whole numbers.
    num_classes : int
        K, the number of classes (the width of the result), at most ``MAX_CLASSES`` (10,000).

    Returns
    -------
    numpy.ndarray of float64, shape (N, K)
        Row n is all zeros except a 1 in column ``labels[n]``.
    """
    num_classes = check_size("one_hot num_classes", num_classes, MAX_CLASSES)
    labels = class_indices("one_hot labels", labels)
    out_of_range = (labels < 0) | (labels >= num_classes)
    if np.any(out_of_range):
        bad = labels[out_of_range][0]
        raise ValueError(f"one_hot labels must be in 0..{num_classes - 1} (num_classes={num_classes}), got {bad}")
    encoded = np.zeros((labels.shape[0], num_classes))
    encoded[np.arange(labels.shape[0]), labels] = 1.0
    return encoded


def class_indices(name, labels):
    """Return ``labels`` as a 1-D int64 array of class indices; reject booleans, fractions and other shapes."""
    array = np.asarray(labels)
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of integer class indices, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (N,), got shape {array.shape}")
    if array.dtype.kind == "f":
        whole = np.isfinite(array) & (np.abs(array) < 2.0**62)
        whole[whole] = array[whole] == np.round(array[whole])
        if not np.all(whole):
            bad = array[~whole][0]
            raise ValueError(f"{name} must hold whole numbers (class indices), got {bad!r}")
    return array.astype(np.int64)
