"""Checks of public inputs, shared by every layer, optimizer and the network.

Each check raises ``TypeError`` or ``ValueError`` with a message that names the argument (or the layer),
what was expected and what was received, so a learner never has to decode a NumPy broadcasting error
from three frames down.
"""

import math
import numbers

import numpy as np


def as_float_array(name, value):
    """Return ``value`` as a floating-point ndarray without copying when it already is one.

    Integer and boolean arrays are converted to float64; anything that is not numeric raises TypeError,
    and so does float16 (see ``_check_not_half``).
    """
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return _check_not_half(name, array)
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype} ({type(value).__name__})")


def _check_not_half(name, array):
    """Refuse float16: the layers' ε (1e-10 in BatchNorm, 2.2e-16 in cross-entropy) would round to 0 in it.

    float16 has about 3 decimal digits and no number below 6e-8, so a constant channel would divide by
    zero and a zero probability would give log(0): NaN or infinity instead of the formula's value.
    """
    if array.dtype == np.float16:
        raise TypeError(
            f"{name} has dtype float16, which rnnreg does not compute in: the ε of BatchNormalization (1e-10) "
            "and of CrossEntropyLoss (2.2e-16) round to 0 in float16. Use float32 or float64"
        )
    return array


def check_real_number(name, value):
    """Return ``value`` as a float; reject booleans, strings and arrays with TypeError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    return float(value)


def check_finite_number(name, value):
    """Return ``value`` as a float; reject NaN and infinity."""
    number = check_real_number(name, value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def check_positive_number(name, value):
    """Return ``value`` as a float that is finite and > 0."""
    number = check_finite_number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return number


def check_non_negative_number(name, value):
    """Return ``value`` as a float that is finite and >= 0."""
    number = check_finite_number(name, value)
    if number < 0:
        raise ValueError(f"{name} must be non-negative, got {value!r}")
    return number


def check_fraction(name, value, *, low, high, low_open, high_open=False):
    """Return ``value`` as a float inside the interval given by ``low``, ``high`` and the open flags."""
    number = check_finite_number(name, value)
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if too_low or too_high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return number


def check_bool(name, value):
    """Return ``value`` as a bool; anything but True/False (or NumPy's bool) raises TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def check_positive_int(name, value):
    """Return ``value`` as an int >= 1; reject floats, booleans and non-positive values."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_non_negative_int(name, value):
    """Return ``value`` as an int >= 0; reject floats, booleans and negative values."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices`` (strings); anything else raises ValueError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_int_tuple(name, value, length=None):
    """Return ``value`` (an int or a sequence of ints, each >= 1) as a tuple of ints.

    A single int is repeated ``length`` times when ``length`` is given.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        items = (value,) * (length or 1)
    elif isinstance(value, (tuple, list, np.ndarray)):
        items = tuple(value)
    else:
        raise TypeError(f"{name} must be an int or a tuple of ints, got {value!r} ({type(value).__name__})")
    if length is not None and len(items) == 1:
        items = items * length
    if length is not None and len(items) != length:
        entries = "1 entry" if length == 1 else f"{length} entries"
        raise ValueError(f"{name} must have {entries}, got {len(items)}: {value!r}")
    return tuple(check_positive_int(f"{name}[{i}]", item) for i, item in enumerate(items))


# The most numbers one array of a layer may hold: 2**28 (2 GiB in float64). Teaching nets are far below it
# (a 784-1000 layer holds 0.8 million); far above it NumPy would stop with a MemoryError, or the laptop swap.
MAX_ARRAY_ENTRIES = 2**28


def check_array_size(owner, name, shape):
    """Return ``shape`` if an array of it holds at most ``MAX_ARRAY_ENTRIES`` numbers, else raise ValueError."""
    entries = math.prod(shape)
    if entries > MAX_ARRAY_ENTRIES:
        raise ValueError(
            f"{owner} {name} would have shape {describe_shape(shape)}: {entries:.3g} numbers "
            f"({entries * 8 / 2**30:.3g} GiB in float64), more than the {MAX_ARRAY_ENTRIES:,} rnnreg allows for one "
            "array; choose smaller sizes"
        )
    return shape


def describe_shape(shape):
    """Format a shape whose entries may be names (for free axes) or ints."""
    return "(" + ", ".join(str(size) for size in shape) + (",)" if len(shape) == 1 else ")")


def check_input(layer, tensor, expected_shapes=None, *, argument="input_tensor"):
    """Validate an array against one or more shape templates and return it as a float array.

    Parameters
    ----------
    layer : object
        The layer (or its name) that receives the array; its class name starts the message.
    tensor : array_like
        The array to check.
    expected_shapes : sequence of tuples, optional
        Each template is a tuple with one entry per axis: an int pins that axis, a string (such as
        ``"batch"``) leaves it free. The array must match one template. None (default): any shape, for the
        element-wise layers.

    Returns
    -------
    numpy.ndarray
        ``tensor`` as a floating-point array (no copy when it already is one).

    Raises
    ------
    TypeError
        A non-numeric or float16 array.
    ValueError
        An empty array (a statistic of no values is NaN, a sum of none is a silent 0), or one that fits no
        template.
    """
    # Every layer calls this on every pass: a float ndarray (the usual case) skips the conversion, and the
    # owner's name is only looked up for a message.
    if type(tensor) is np.ndarray and tensor.dtype.kind == "f" and tensor.dtype != np.float16:
        array = tensor
    else:
        array = as_float_array(f"{_owner_name(layer)} {argument}", tensor)
    if array.size == 0:
        raise ValueError(
            f"{_owner_name(layer)} got an empty {argument} of shape {describe_shape(array.shape)}: every axis "
            "needs at least one entry (one sample, one time step, one feature)"
        )
    if expected_shapes is None:
        return array
    for template in expected_shapes:
        if shape_fits(array.shape, template):
            return array
    owner = _owner_name(layer)
    expected = " or ".join(describe_shape(template) for template in expected_shapes)
    raise ValueError(f"{owner} expected {argument} of shape {expected}, got {describe_shape(array.shape)}")


def _owner_name(layer):
    return layer if isinstance(layer, str) else type(layer).__name__


def shape_fits(shape, template):
    """True when ``shape`` has the template's length and its size wherever the template pins one (an int)."""
    if len(shape) != len(template):
        return False
    # A plain loop, not all(<generator>): every layer calls this on every pass, and the generator costs more.
    for size, actual in zip(template, shape, strict=True):  # noqa: SIM110  (lengths checked above)
        if size != actual and not isinstance(size, str):
            return False
    return True


def check_array_shape(owner, name, array, expected_shape):
    """Check that an assignable array (weights, bias) has the shape ``forward`` needs."""
    actual = np.shape(array)
    if tuple(actual) != tuple(expected_shape):
        raise ValueError(
            f"{owner} {name} must have shape {describe_shape(expected_shape)}, got {describe_shape(actual)}"
        )
    return as_float_array(f"{owner} {name}", array)


def require_forward(layer, cached):
    """Raise RuntimeError when ``backward`` is called before ``forward`` stored what it needs."""
    if cached is None:
        raise RuntimeError(f"{type(layer).__name__}.backward() called before forward(): run forward first")


def check_error_shape(layer, error_tensor, expected_shape):
    """Check that the error tensor given to ``backward`` matches the shape of the last forward output."""
    return check_input(layer, error_tensor, [tuple(expected_shape)], argument="error_tensor")


def resolve_rng(name, rng):
    """Return the source of random numbers that ``rng`` stands for: rnnreg's one RNG convention.

    Every random argument in rnnreg (``rng`` of data layers, generators, initializers, Dropout, recorders)
    takes these three kinds of value and passes them through this function.

    Parameters
    ----------
    name : str
        The calling function's name, used in the error message.
    rng : None, int or numpy.random.Generator
        None: NumPy's global state (the ``numpy.random`` module itself is returned, so ``np.random.seed(n)``
        reproduces the draws); an int >= 0: ``np.random.default_rng(rng)``; a Generator: returned as is.

    Returns
    -------
    numpy.random.Generator or module
        Either way it offers ``random``, ``normal``, ``uniform`` and ``permutation``, the methods rnnreg draws
        with.
    """
    if rng is None:
        return np.random
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        if rng < 0:
            raise ValueError(f"{name} rng must be a non-negative int seed, got {rng!r}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} rng must be None (NumPy's global random state), an int seed or a numpy.random.Generator "
        f"(e.g. np.random.default_rng(0)), got {rng!r} ({type(rng).__name__})"
    )


def check_size(name, value, maximum):
    """Return ``value`` as an int in [1, ``maximum``]: a count that sets how much is allocated or drawn.

    A size such as hidden units, samples or histogram bins of 10**9 would otherwise end in a MemoryError
    (or minutes of drawing) far from the argument; the caller documents its ``maximum``.
    """
    size = check_positive_int(name, value)
    if size > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}, got {value!r}")
    return size


def check_pair(owner, source, value):
    """Return ``value`` when it is a pair (inputs, labels), as a data layer's ``next()`` and ``get_*_set()`` give.

    A data layer that returns one array would otherwise be unpacked row by row (an array of two rows
    silently becomes an input row and a label row).

    Raises
    ------
    TypeError
        ``value`` is anything but a tuple or list of two entries; the message names ``source``.
    """
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(
            f"{owner} {source} must return the pair (input_tensor, label_tensor), got {describe_value(value)}"
        )
    return value


def describe_value(value):
    """A short description of what arrived, for an error message (an array by its shape, not its numbers)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} entries"
    return f"{value!r} ({type(value).__name__})"


def check_batch(owner, input_tensor, label_tensor, *, one_sequence_allowed=False):
    """Check that a batch holds at least one sample, finite numbers and as many label rows as input rows.

    The first axis is the batch axis, and a mismatch there would otherwise reach the loss layer (or a
    metric) as shapes that may broadcast into a plausible number; a NaN in the data would come out as a
    NaN loss that looks like divergence. ``one_sequence_allowed`` (a network with recurrent layers) accepts
    a 2-D input as the exercise's one sequence (T, D), whose first axis is time and whose target may be
    read at its last step only.

    Raises
    ------
    ValueError
        An input or label without a batch axis (a scalar), an empty batch, NaN or infinite entries, or
        different batch lengths.
    """
    inputs, labels = np.asarray(input_tensor), np.asarray(label_tensor)
    for argument, array, given in (("input_tensor", inputs, input_tensor), ("label_tensor", labels, label_tensor)):
        if array.ndim == 0:
            raise ValueError(
                f"{owner} {argument} must be an array with one row per sample, got {describe_value(given)}"
            )
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            bad = int(array.size - np.count_nonzero(np.isfinite(array)))
            raise ValueError(
                f"{owner} {argument} holds {bad} NaN or infinite entries (of {array.size}): the loss would be NaN; "
                "clean the data first"
            )
    if inputs.shape[0] == 0:
        raise ValueError(f"{owner} got an empty batch: input_tensor has shape {inputs.shape}, it needs one sample "
                         "or more")
    if one_sequence_allowed and inputs.ndim == 2:
        return
    if inputs.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{owner} input_tensor and label_tensor must hold the same number of samples, got "
            f"{inputs.shape[0]} inputs (shape {inputs.shape}) and {labels.shape[0]} labels (shape {labels.shape})"
        )
