"""What every lesson's experiment functions share: seeded network building, argument checks, read-only results.

The experiments behind the dashboards are pure (the same arguments give the same result) and their results
are cached and shared, so they build networks under ``seeded``, reject a bad argument with the checks of
``rnnreg.validation`` (a ValueError or TypeError that names it; a dashboard shows that message under its
picture), and hand out their arrays read-only.
"""

import contextlib

import numpy as np


@contextlib.contextmanager
def seeded(seed):
    """Seed NumPy's global state for the block (initializers and dropout masks draw from it), then restore it.

    The caller's random stream is left as it was, so building a network here never changes what a notebook
    draws next.
    """
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


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
