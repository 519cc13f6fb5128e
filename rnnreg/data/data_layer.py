"""Data layers: the object a ``NeuralNetwork`` asks for its next mini-batch.

The network only needs ``data_layer.next() -> (input_tensor, label_tensor)``; the exercise's tests also call
``get_test_set() -> (inputs, one-hot labels)``. ``ArrayDataLayer`` serves both from arrays held in memory, and
``iris_data_layer`` / ``digits_data_layer`` build one from the data sets shipped with rnnreg.

Randomness (the split and the order of each epoch) comes from NumPy's global state unless an explicit
``np.random.Generator`` is passed as ``rng``, so ``np.random.seed(n)`` before building the layer makes every
batch reproducible.
"""

import numpy as np

from rnnreg.data.datasets import class_indices, load_digits, load_iris, one_hot
from rnnreg.validation import as_float_array, check_bool, check_fraction, check_positive_int, describe_shape


def _check_rng(rng):
    if rng is None:
        return np.random  # the global state: np.random.seed(n) makes the layer reproducible
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    raise TypeError(
        f"ArrayDataLayer rng must be None or a numpy.random.Generator (e.g. np.random.default_rng(0)), "
        f"got {rng!r} ({type(rng).__name__})"
    )


def _split_count(fraction, count):
    # Round half up, so that 0.2 of 50 flowers is 10 and the counts do not depend on banker's rounding.
    return int(np.floor(fraction * count + 0.5))


class ArrayDataLayer:
    """Serve shuffled mini-batches from arrays, with a fixed train / validation / test split.

    The split is drawn once, in the constructor: a random ``test_fraction`` of the samples becomes the test
    set, a random ``validation_fraction`` the validation set, the rest the training set. With
    ``stratify=True`` (default) this is done class by class, so every split has about the same class
    proportions as the whole data set (fractions are rounded per class, half up).

    ``next()`` walks through the training set in a new random order each epoch (``shuffle=True``) and wraps
    around: after the last batch of an epoch the next call starts the next epoch. When the training set size
    is not a multiple of ``batch_size`` the last batch of each epoch is smaller (it holds the remaining
    samples), so every training sample is served exactly once per epoch; with ``drop_last=True`` that
    remainder is skipped instead and every batch has exactly ``batch_size`` samples (useful with
    BatchNormalization; since the order is reshuffled, a different few samples are skipped each epoch).

    Parameters
    ----------
    inputs : array_like, shape (N, ...)
        One sample per row along the first axis, any shape after it: (N, D) features, (N, C, Y, X) images
        for Conv layers, (N, T, D) sequences. Integer inputs are converted to float64; the data are copied.
    labels : array_like, shape (N,) or (N, K)
        Integer class indices 0..K-1, or one-hot rows.
    batch_size : int
        Samples per batch served by ``next()``.
    validation_fraction, test_fraction : float in [0, 1)
        Parts of the data held out; together less than 1. Default: no validation set, 20 % test set.
    num_classes : int, optional
        K; inferred from the labels when omitted (the largest label + 1, or the width of one-hot labels).
    shuffle : bool
        Reshuffle the training set at the start of every epoch (default). False serves it in a fixed order.
    stratify : bool
        Split class by class (default) rather than over all samples at once.
    standardize : bool
        Subtract the training set's mean and divide by its standard deviation, per input position, in every
        split. Only training samples are used to compute them (anything else leaks the test set into
        training); positions that are constant in the training set are only centred.
    drop_last : bool
        Skip the smaller last batch of each epoch (see above).
    rng : numpy.random.Generator, optional
        Source of randomness; by default NumPy's global state.

    Attributes
    ----------
    batch_size : int
    num_classes : int
    epoch : int
        Completed passes over the training set; it goes up when ``next()`` returns an epoch's last batch.
    iteration : int
        Batches served so far.
    feature_mean, feature_std : numpy.ndarray of shape inputs.shape[1:], or None
        The training statistics used by ``standardize`` (None without it); ``transform`` applies them.

    Shapes
    ------
    ``next()`` returns inputs (B, ...) and one-hot labels (B, K) of float64, B = ``batch_size`` (smaller for
    the last batch of an epoch unless ``drop_last``). The ``get_*_set()`` methods return (N_split, ...) and
    (N_split, K); an empty split gives arrays with 0 rows.
    """

    def __init__(
        self,
        inputs,
        labels,
        batch_size,
        *,
        validation_fraction=0.0,
        test_fraction=0.2,
        num_classes=None,
        shuffle=True,
        stratify=True,
        standardize=False,
        drop_last=False,
        rng=None,
    ):
        self.batch_size = check_positive_int("ArrayDataLayer batch_size", batch_size)
        validation_fraction = check_fraction(
            "ArrayDataLayer validation_fraction", validation_fraction, low=0, high=1, low_open=False, high_open=True
        )
        test_fraction = check_fraction(
            "ArrayDataLayer test_fraction", test_fraction, low=0, high=1, low_open=False, high_open=True
        )
        if validation_fraction + test_fraction >= 1:
            total = validation_fraction + test_fraction
            raise ValueError(
                "ArrayDataLayer validation_fraction + test_fraction must be less than 1 (something must be left "
                f"to train on), got {validation_fraction!r} + {test_fraction!r} = {total!r}"
            )
        self.shuffle = check_bool("ArrayDataLayer shuffle", shuffle)
        stratify = check_bool("ArrayDataLayer stratify", stratify)
        standardize = check_bool("ArrayDataLayer standardize", standardize)
        self.drop_last = check_bool("ArrayDataLayer drop_last", drop_last)
        self._random = _check_rng(rng)

        inputs = np.array(as_float_array("ArrayDataLayer inputs", inputs))  # a copy: the caller's array stays theirs
        if inputs.ndim < 2:
            raise ValueError(
                f"ArrayDataLayer inputs must have shape (N, ...) with at least 2 axes (samples, features), "
                f"got shape {describe_shape(inputs.shape)}; for one feature per sample use inputs[:, None]"
            )
        if not np.all(np.isfinite(inputs)):
            raise ValueError("ArrayDataLayer inputs must be finite, got NaN or infinity")
        label_indices, self.num_classes = self._class_labels(labels, num_classes)
        if label_indices.shape[0] != inputs.shape[0]:
            raise ValueError(
                f"ArrayDataLayer inputs and labels must have the same number of samples, got {inputs.shape[0]} "
                f"inputs and {label_indices.shape[0]} labels"
            )

        test, validation, train = self._split(label_indices, validation_fraction, test_fraction, stratify)
        if train.size == 0:
            raise ValueError(
                f"ArrayDataLayer split leaves no training samples: {inputs.shape[0]} samples with "
                f"validation_fraction={validation_fraction!r} and test_fraction={test_fraction!r}; "
                "use smaller fractions or more data"
            )
        if self.drop_last and train.size < self.batch_size:
            raise ValueError(
                f"ArrayDataLayer batch_size must be at most the training set size ({train.size}) with "
                f"drop_last=True, got {self.batch_size}"
            )
        self.train_indices, self.validation_indices, self.test_indices = train, validation, test

        self.feature_mean = self.feature_std = None
        if standardize:
            self.feature_mean = inputs[train].mean(axis=0)
            spread = inputs[train].std(axis=0)
            self.feature_std = np.where(spread > 0, spread, 1.0)
        encoded = one_hot(label_indices, self.num_classes)
        self._sets = {
            name: (self.transform(inputs[indices]), encoded[indices])
            for name, indices in (("train", train), ("validation", validation), ("test", test))
        }

        self.epoch = 0
        self.iteration = 0
        self._order = None  # the current epoch's order of training samples, drawn when the epoch starts
        self._position = 0

    def _class_labels(self, labels, num_classes):
        """Return (class indices of shape (N,), K) from integer or one-hot labels, checked against K."""
        if num_classes is not None:
            num_classes = check_positive_int("ArrayDataLayer num_classes", num_classes)
        array = np.asarray(labels)
        if array.ndim == 2:
            if (
                array.dtype.kind not in "biuf"
                or not np.all((array == 0) | (array == 1))
                or not np.all(array.sum(axis=1) == 1)
            ):
                raise ValueError(
                    "ArrayDataLayer labels of shape (N, K) must be one-hot: zeros with a single 1 in each row"
                )
            if num_classes is not None and num_classes != array.shape[1]:
                raise ValueError(
                    f"ArrayDataLayer num_classes must match the width of one-hot labels ({array.shape[1]}), "
                    f"got {num_classes}"
                )
            return np.argmax(array, axis=1).astype(np.int64), array.shape[1]
        indices = class_indices("ArrayDataLayer labels", array)
        if indices.size == 0:
            raise ValueError("ArrayDataLayer needs at least one sample, got empty labels")
        if num_classes is None:
            if indices.min() < 0:
                raise ValueError(f"ArrayDataLayer labels must be class indices >= 0, got {indices.min()}")
            num_classes = int(indices.max()) + 1
        outside = (indices < 0) | (indices >= num_classes)
        if np.any(outside):
            raise ValueError(
                f"ArrayDataLayer labels must be in 0..{num_classes - 1} (num_classes={num_classes}), "
                f"got {indices[outside][0]}"
            )
        return indices, num_classes

    def _split(self, labels, validation_fraction, test_fraction, stratify):
        """Return sorted index arrays (test, validation, train) that partition range(N)."""
        if stratify:
            groups = [np.flatnonzero(labels == c) for c in range(self.num_classes)]
        else:
            groups = [np.arange(labels.size)]
        parts = ([], [], [])
        for group in groups:
            if group.size == 0:
                continue
            shuffled = self._random.permutation(group)
            n_test = _split_count(test_fraction, group.size)
            n_validation = _split_count(validation_fraction, group.size)
            parts[0].append(shuffled[:n_test])
            parts[1].append(shuffled[n_test : n_test + n_validation])
            parts[2].append(shuffled[n_test + n_validation :])
        return tuple(np.sort(np.concatenate(part)).astype(np.int64) for part in parts)

    @property
    def batches_per_epoch(self):
        """Number of ``next()`` calls that make one pass over the training set."""
        size = self.train_indices.size
        return size // self.batch_size if self.drop_last else -(-size // self.batch_size)

    def next(self):
        """Return the next training batch ``(inputs (B, ...), one-hot labels (B, K))`` as new arrays."""
        inputs, labels = self._sets["train"]
        size = inputs.shape[0]
        if self._order is None:
            self._order = self._random.permutation(size) if self.shuffle else np.arange(size)
            self._position = 0
        chosen = self._order[self._position : self._position + self.batch_size]
        self._position += chosen.size
        self.iteration += 1
        remaining = size - self._position
        if remaining == 0 or (self.drop_last and remaining < self.batch_size):
            self.epoch += 1
            self._order = None
        return inputs[chosen], labels[chosen]

    def get_train_set(self):
        """All training samples ``(inputs, one-hot labels)`` in their original order (new arrays)."""
        return self._copy("train")

    def get_validation_set(self):
        """The validation samples ``(inputs, one-hot labels)``; 0 rows when ``validation_fraction`` is 0."""
        return self._copy("validation")

    def get_test_set(self):
        """The test samples ``(inputs, one-hot labels)``; the same on every call (new arrays each time)."""
        return self._copy("test")

    def _copy(self, name):
        inputs, labels = self._sets[name]
        return inputs.copy(), labels.copy()

    def transform(self, inputs):
        """Scale new inputs (N, ...) as this layer scaled its data: standardised with the training statistics.

        Without ``standardize`` the inputs come back unchanged (as a new float array).
        """
        array = as_float_array("ArrayDataLayer.transform inputs", inputs)
        if self.feature_mean is None:
            return np.array(array)
        if array.shape[1:] != self.feature_mean.shape:
            expected = describe_shape(("N", *self.feature_mean.shape))
            raise ValueError(
                f"ArrayDataLayer.transform expected inputs of shape {expected}, got {describe_shape(array.shape)}"
            )
        return (array - self.feature_mean) / self.feature_std

    def __repr__(self):
        return (
            f"{type(self).__name__}(train={self.train_indices.size}, validation={self.validation_indices.size}, "
            f"test={self.test_indices.size}, batch_size={self.batch_size}, num_classes={self.num_classes}, "
            f"epoch={self.epoch})"
        )


def iris_data_layer(batch_size=30, *, standardize=True, **options):
    """A data layer over the shipped Iris data: inputs (B, 4), one-hot labels (B, 3).

    With the defaults the split is stratified, 40 flowers per species for training and 10 for testing, and
    the measurements are standardised with the training set's mean and standard deviation (zero mean, unit
    variance per feature), which lets plain SGD train well. ``options`` are the keyword arguments of
    ``ArrayDataLayer`` (validation_fraction, test_fraction, shuffle, stratify, drop_last, rng).
    """
    features, labels = load_iris()
    return ArrayDataLayer(features, labels, batch_size, num_classes=3, standardize=standardize, **options)


def digits_data_layer(batch_size=64, *, flatten=False, **options):
    """A data layer over the shipped 8 x 8 digits: images scaled to [0, 1] (pixel value / 16), 10 classes.

    Inputs are (B, 1, 8, 8), one channel for ``Conv`` layers, or (B, 64) with ``flatten=True`` for fully
    connected networks; labels are one-hot (B, 10). ``options`` are the keyword arguments of
    ``ArrayDataLayer`` (standardize, validation_fraction, test_fraction, shuffle, stratify, drop_last, rng).
    """
    flatten = check_bool("digits_data_layer flatten", flatten)
    images, labels = load_digits()
    images /= 16.0
    inputs = images.reshape(-1, 64) if flatten else images[:, np.newaxis, :, :]
    return ArrayDataLayer(inputs, labels, batch_size, num_classes=10, **options)
