"""Data layers: the object a ``NeuralNetwork`` asks for its next mini-batch.

The network only needs ``data_layer.next() -> (input_tensor, label_tensor)``; the exercise's tests also call
``get_test_set() -> (inputs, one-hot labels)``. ``ArrayDataLayer`` serves both from arrays held in memory, and
``iris_data_layer`` / ``digits_data_layer`` build one from the data sets shipped with rnnreg.

Class labels are served one-hot (the default, ``label_type="classes"``). Regression and sequence targets, such
as the next value of a wave (N, T, K) or the answer read at a sequence's last step (N, K), are served as they
are with ``label_type="values"``; ``sequence_data_layer`` builds such a layer for recurrent nets.

Randomness (the split and the order of each epoch) follows rnnreg's one RNG convention
(``rnnreg.validation.resolve_rng``): by default NumPy's global state, so ``np.random.seed(n)`` before building
the layer makes every batch reproducible; ``rng`` may also be an int seed or an ``np.random.Generator``.
"""

import numpy as np

from rnnreg.data.datasets import MAX_CLASSES, class_indices, load_digits, load_iris, one_hot
from rnnreg.validation import (
    as_float_array,
    check_bool,
    check_fraction,
    check_positive_int,
    check_size,
    describe_shape,
    resolve_rng,
)

LABEL_TYPES = ("classes", "values")


def _split_count(fraction, count):
    # Round half up, so that 0.2 of 50 flowers is 10 and the counts do not depend on banker's rounding.
    return int(np.floor(fraction * count + 0.5))


class ArrayDataLayer:
    """Serve shuffled mini-batches from arrays, with a fixed train / validation / test split.

    The split is drawn once, in the constructor: a random ``test_fraction`` of the samples becomes the test
    set, a random ``validation_fraction`` the validation set, the rest the training set. For class labels
    this is done class by class by default (``stratify``), so every split has about the same class
    proportions as the whole data set (fractions are rounded per class, half up).

    The labels are either class labels, served one-hot (``label_type="classes"``, the default), or real
    values of any shape per sample, served unchanged (``label_type="values"``): regression targets (N, K),
    sequence targets (N, T, K) for a many-to-many recurrent net, or (N, K) targets read at the last step of
    a sequence (after ``LastTimeStep``). Values cannot be stratified; the split is then drawn over all samples.

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
    labels : array_like, shape (N,) or (N, K) for classes; shape (N, ...) for values
        With ``label_type="classes"``: integer class indices 0..K-1, or one-hot rows. With
        ``label_type="values"``: any finite numbers, one entry (of any shape) per sample; they are copied
        as float64 and served as they are.
    batch_size : int
        Samples per batch served by ``next()``.
    validation_fraction, test_fraction : float in [0, 1)
        Parts of the data held out; together less than 1. Default: no validation set, 20 % test set.
    num_classes : int, optional
        K; inferred from the labels when omitted (the largest label + 1, or the width of one-hot labels).
        Only for class labels: with ``label_type="values"`` it must stay None.
    shuffle : bool
        Reshuffle the training set at the start of every epoch (default). False serves it in a fixed order.
    stratify : bool, optional
        True: split class by class; False: split over all samples at once. None (default) stratifies
        exactly when the labels are classes. True with ``label_type="values"`` raises ValueError.
    standardize : bool
        Subtract the training set's mean and divide by its standard deviation, per input position, in every
        split. Only training samples are used to compute them (anything else leaks the test set into
        training); positions that are constant in the training set are only centred.
    drop_last : bool
        Skip the smaller last batch of each epoch (see above).
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
        The source of the split and of the shuffling.
    label_type : {"classes", "values"}
        "classes" (default): class labels, served one-hot (B, K). "values": real-valued targets, served
        unchanged (B, ...). Only the inputs are ever standardised, never the targets.

    Attributes
    ----------
    batch_size : int
    label_type : str
        "classes" or "values", as given.
    num_classes : int or None
        K for class labels; None for values.
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
    (N_split, K); an empty split gives arrays with 0 rows. With ``label_type="values"`` the labels keep the
    shape each sample had: (B, ...) from ``next()`` and (N_split, ...) from ``get_*_set()``.
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
        stratify=None,
        standardize=False,
        drop_last=False,
        rng=None,
        label_type="classes",
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
        self.label_type = _check_label_type(label_type)
        stratify = self._check_stratify(stratify, num_classes)
        standardize = check_bool("ArrayDataLayer standardize", standardize)
        self.drop_last = check_bool("ArrayDataLayer drop_last", drop_last)
        self._random = resolve_rng("ArrayDataLayer", rng)

        inputs = np.array(as_float_array("ArrayDataLayer inputs", inputs))  # a copy: the caller's array stays theirs
        if inputs.ndim < 2:
            raise ValueError(
                f"ArrayDataLayer inputs must have shape (N, ...) with at least 2 axes (samples, features), "
                f"got shape {describe_shape(inputs.shape)}; for one feature per sample use inputs[:, None]"
            )
        if not np.all(np.isfinite(inputs)):
            raise ValueError("ArrayDataLayer inputs must be finite, got NaN or infinity")
        if self.label_type == "classes":
            label_indices, self.num_classes = self._class_labels(labels, num_classes)
            served_labels = None  # one-hot rows, made below
        else:
            served_labels, self.num_classes = self._value_labels(labels), None
            label_indices = np.zeros(served_labels.shape[0], dtype=np.int64)  # one group: nothing to stratify by
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
        if validation_fraction > 0 and validation.size == 0:  # fit would evaluate an empty set after every epoch
            raise ValueError(
                f"ArrayDataLayer validation_fraction={validation_fraction!r} of {inputs.shape[0]} samples gives no "
                "validation sample: pass 0 for none, a larger fraction or more data"
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
        if served_labels is None:
            served_labels = one_hot(label_indices, self.num_classes)
        self._sets = {
            name: (self.transform(inputs[indices]), served_labels[indices])
            for name, indices in (("train", train), ("validation", validation), ("test", test))
        }

        self.epoch = 0
        self.iteration = 0
        self._order = None  # the current epoch's order of training samples, drawn when the epoch starts
        self._position = 0

    def _check_stratify(self, stratify, num_classes):
        """Resolve ``stratify`` (None: stratify class labels only) and reject what values cannot do."""
        if self.label_type == "values":
            if num_classes is not None:
                raise ValueError(
                    f"ArrayDataLayer num_classes must be None with label_type='values' (real-valued targets have "
                    f"no classes), got {num_classes!r}"
                )
            if stratify is not None and check_bool("ArrayDataLayer stratify", stratify):
                raise ValueError(
                    "ArrayDataLayer stratify=True needs class labels, got label_type='values' (real-valued "
                    "targets have no classes to stratify by); leave stratify unset or pass stratify=False"
                )
            return False
        return True if stratify is None else check_bool("ArrayDataLayer stratify", stratify)

    @staticmethod
    def _value_labels(labels):
        """Return real-valued targets (N, ...) as a new float64 array, checked to be finite and non-empty."""
        array = np.asarray(labels)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"ArrayDataLayer labels with label_type='values' must be a numeric array, got dtype {array.dtype}"
            )
        if array.ndim == 0:
            raise ValueError(
                "ArrayDataLayer labels with label_type='values' must have shape (N, ...) with one entry per "
                f"sample, got a scalar {labels!r}"
            )
        if array.shape[0] == 0:
            raise ValueError("ArrayDataLayer needs at least one sample, got empty labels")
        array = np.array(array, dtype=np.float64)  # a copy: the caller's array stays theirs
        if not np.all(np.isfinite(array)):
            raise ValueError("ArrayDataLayer labels with label_type='values' must be finite, got NaN or infinity")
        return array

    def _class_labels(self, labels, num_classes):
        """Return (class indices of shape (N,), K) from integer or one-hot labels, checked against K."""
        if num_classes is not None:
            num_classes = check_size("ArrayDataLayer num_classes", num_classes, MAX_CLASSES)
        array = np.asarray(labels)
        if array.ndim > 2:
            raise ValueError(
                f"ArrayDataLayer labels must have shape (N,) (class indices) or (N, K) (one-hot), got shape "
                f"{describe_shape(array.shape)}; for real-valued targets such as sequences pass "
                "label_type='values'"
            )
        if array.ndim == 2:
            if (
                array.dtype.kind not in "biuf"
                or not np.all((array == 0) | (array == 1))
                or not np.all(array.sum(axis=1) == 1)
            ):
                raise ValueError(
                    "ArrayDataLayer labels of shape (N, K) must be one-hot: zeros with a single 1 in each row "
                    "(for real-valued targets pass label_type='values')"
                )
            if num_classes is not None and num_classes != array.shape[1]:
                raise ValueError(
                    f"ArrayDataLayer num_classes must match the width of one-hot labels ({array.shape[1]}), "
                    f"got {num_classes}"
                )
            num_classes = array.shape[1]
            array = np.argmax(array, axis=1)
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
        if num_classes < 2:
            raise ValueError(
                f"ArrayDataLayer labels must name at least 2 classes (a classifier of one class always answers it "
                f"with loss 0), got num_classes={num_classes}; pass num_classes when the other classes are absent"
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
        """Return the next training batch ``(inputs (B, ...), labels)`` as new arrays.

        The labels are one-hot (B, K) for classes, or the targets (B, ...) unchanged for values.
        """
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
        """All training samples ``(inputs, labels)`` in their original order (new arrays).

        Labels are one-hot for classes, the targets unchanged for values (as from ``next()``).
        """
        return self._copy("train")

    def get_validation_set(self):
        """The validation samples ``(inputs, labels)``; 0 rows when ``validation_fraction`` is 0."""
        return self._copy("validation")

    def get_test_set(self):
        """The test samples ``(inputs, labels)``; the same on every call (new arrays each time)."""
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
        labels = f"num_classes={self.num_classes}" if self.label_type == "classes" else "label_type='values'"
        return (
            f"{type(self).__name__}(train={self.train_indices.size}, validation={self.validation_indices.size}, "
            f"test={self.test_indices.size}, batch_size={self.batch_size}, {labels}, epoch={self.epoch})"
        )


class FixedSplitDataLayer:
    """Full batches of a fixed training set, and a fixed validation set that ``fit`` evaluates every epoch.

    For data that come already split, such as ``overfitting_set``'s training and validation samples: an
    ``ArrayDataLayer`` would draw a split of its own, this layer keeps the one it is given. Each batch is
    the whole training set (in a new order every epoch); labels are served one-hot.

    Parameters
    ----------
    train_inputs, validation_inputs : array_like
        (N_train, ...) and (N_validation, ...), the same shape per sample; the validation set must not be
        empty.
    train_labels, validation_labels : array_like of int
        Class indices (N_train,) and (N_validation,).
    num_classes : int
        Keyword-only: K, the width of the one-hot labels.
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is. The source of the training set's order.

    Shapes
    ------
    ``next()``: (N_train, ...) inputs and (N_train, K) labels; ``get_validation_set()`` and
    ``get_test_set()``: (N_validation, ...) and (N_validation, K).
    """

    def __init__(self, train_inputs, train_labels, validation_inputs, validation_labels, *, num_classes, rng=None):
        if len(validation_inputs) == 0:
            raise ValueError("FixedSplitDataLayer validation set is empty: fit evaluates it after every epoch")
        self._train = ArrayDataLayer(train_inputs, train_labels, len(train_inputs), test_fraction=0.0,
                                     num_classes=num_classes, rng=rng)
        self._validation = (np.array(as_float_array("FixedSplitDataLayer validation_inputs", validation_inputs)),
                            one_hot(np.asarray(validation_labels), num_classes))
        if self._validation[0].shape[1:] != np.shape(train_inputs)[1:]:
            raise ValueError(
                f"FixedSplitDataLayer validation_inputs have shape {describe_shape(self._validation[0].shape[1:])} "
                f"per sample, train_inputs {describe_shape(np.shape(train_inputs)[1:])}"
            )

    @property
    def batches_per_epoch(self):
        """1: every batch is the whole training set."""
        return self._train.batches_per_epoch

    def next(self):
        """The whole training set, in a new order every epoch: ``(inputs, one-hot labels)``."""
        return self._train.next()

    def get_train_set(self):
        return self._train.get_train_set()

    def get_validation_set(self):
        return tuple(np.copy(array) for array in self._validation)

    def get_test_set(self):
        """The validation set (this layer holds no third split)."""
        return self.get_validation_set()


def _check_label_type(label_type):
    if not isinstance(label_type, str):
        raise TypeError(
            f"ArrayDataLayer label_type must be 'classes' or 'values', got {label_type!r} ({type(label_type).__name__})"
        )
    if label_type not in LABEL_TYPES:
        raise ValueError(f"ArrayDataLayer label_type must be 'classes' or 'values', got {label_type!r}")
    return label_type


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


def sequence_data_layer(inputs, targets, batch_size=32, **options):
    """A data layer over sequences for RNN and LSTM, serving real-valued targets unchanged.

    Short for ``ArrayDataLayer(inputs, targets, batch_size, label_type="values", **options)`` with a check
    that the inputs are sequences. Use it with the sequence tasks of ``rnnreg.data.generators``:

    >>> from rnnreg.data import noisy_sine, sequence_data_layer
    >>> inputs, targets = noisy_sine(200, 40, rng=0)          # (200, 40, 1), (200, 40, 1)
    >>> data = sequence_data_layer(inputs, targets, batch_size=20, validation_fraction=0.1)
    >>> batch_inputs, batch_targets = data.next()               # (20, 40, 1), (20, 40, 1)

    Parameters
    ----------
    inputs : array_like, shape (N, T, D)
        N sequences of T steps with D features each.
    targets : array_like, shape (N, ...)
        One target per sequence, such as (N, T, K) for an output at every step (many-to-many) or (N, K) for
        the output at the last step (many-to-one, after ``LastTimeStep``).
    batch_size : int
        Sequences per batch served by ``next()``.
    **options
        The other keyword arguments of ``ArrayDataLayer``: validation_fraction, test_fraction, shuffle,
        standardize, drop_last, rng (``stratify`` may only be False; ``label_type`` is always "values").

    Returns
    -------
    ArrayDataLayer
        With ``label_type="values"`` and ``num_classes=None``.

    Shapes
    ------
    ``next()`` returns inputs (B, T, D) and targets (B, ...) as given per sequence.
    """
    if "label_type" in options:
        raise TypeError(
            "sequence_data_layer serves targets as values; it takes no label_type, got "
            f"label_type={options['label_type']!r} (use ArrayDataLayer for class labels)"
        )
    shape = np.shape(inputs)
    if len(shape) != 3:
        raise ValueError(
            "sequence_data_layer inputs must have shape (N, T, D) (sequences, time steps, features), got shape "
            f"{describe_shape(shape)}; for one feature per step use inputs[..., None]"
        )
    return ArrayDataLayer(inputs, targets, batch_size, label_type="values", **options)
