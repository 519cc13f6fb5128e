"""What every lesson's experiment functions share: seeded network building, argument checks, read-only results.

The experiments behind the dashboards are pure (the same arguments give the same result) and their results
are cached and shared, so they build networks under ``seeded``, reject a bad argument with the checks of
``rnnreg.validation`` (a ValueError or TypeError that names it; a dashboard shows that message under its
picture), and hand out their arrays read-only.
"""

import contextlib
import numbers

import numpy as np

from rnnreg.layers.dropout import Dropout
from rnnreg.validation import check_non_negative_int, check_size

# Upper bounds of the experiments' size arguments, far above what the lessons and their dashboards use (at most
# 64 hidden units, 250 sequences, a few hundred steps): beyond them a network would exhaust memory (10**9 hidden
# units: a MemoryError far from the argument) or a run would take hours. ``check_size`` refuses more.
MAX_UNITS = 1024  # hidden units, widths and hidden sizes of the lessons' networks
MAX_STEPS = 100_000  # training steps, epochs, masks averaged
MAX_RESOLUTION = 1000  # grid points per axis of a decision-boundary plane


def check_units(name, value):
    """A layer width of a lesson network: an int in [1, ``MAX_UNITS``]."""
    return check_size(name, value, MAX_UNITS)


def check_count(name, value):
    """A number of training steps, epochs or repeats of a lesson experiment: an int in [1, ``MAX_STEPS``]."""
    return check_size(name, value, MAX_STEPS)


@contextlib.contextmanager
def seeded(seed):
    """Seed NumPy's global state for the block (initializers and dropout masks draw from it), then restore it.

    The caller's random stream is left as it was, so building a network here never changes what a notebook
    draws next.
    """
    seed = check_non_negative_int("seed", seed)
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


def check_dropout_rate(rate):
    """The drop rate 1 − p as a float in [0, 1) whose keep probability p = 1 − rate a Dropout layer takes.

    The bound is the layer's own (``Dropout.MIN_PROBABILITY``), so a rate is refused here, by the name the
    student typed, not later as a keep probability they never wrote.
    """
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not np.isfinite(rate) or not 0 <= rate < 1:
        raise ValueError(f"dropout rate must be a number in [0, 1) (keep probability 1 − rate > 0), got {rate!r}")
    if keep_probability(rate) < Dropout.MIN_PROBABILITY:
        raise ValueError(f"dropout rate must leave a keep probability 1 − rate of at least {Dropout.MIN_PROBABILITY:g} "
                         f"(Dropout.MIN_PROBABILITY), got {rate!r}")
    return float(rate)


def keep_probability(rate):
    """The exercise's Dropout(probability) is the fraction KEPT: 1 − drop rate, rounded (1 − 0.7 gives 0.3)."""
    return round(1.0 - rate, 10)


def read_only(value):
    """Mark every array in ``value`` read-only (an array, or dicts, lists and tuples of them); return ``value``."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for item in value.values():
            read_only(item)
    elif isinstance(value, list | tuple):
        for item in value:
            read_only(item)
    return value
