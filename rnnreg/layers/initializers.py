"""Weight initializers: each returns a fresh array for ``initialize(weights_shape, fan_in, fan_out)``.

The random ones take ``rng`` (rnnreg's one RNG convention, ``rnnreg.validation.resolve_rng``). By default
every draw uses NumPy's global random state, so ``np.random.seed(n)`` makes a whole run reproducible.
"""

import numpy as np

from rnnreg.validation import check_array_size, check_finite_number, check_int_tuple, check_positive_int, resolve_rng


def _checked(initializer, weights_shape, fan_in, fan_out):
    """The arguments of ``initialize`` as (shape, fan_in, fan_out), or a ValueError/TypeError naming the bad one.

    A fan of 0, a negative one or NaN would give σ = inf or NaN: weights that are silently not numbers.
    """
    name = f"{type(initializer).__name__}.initialize"
    if not isinstance(weights_shape, (tuple, list)):
        raise TypeError(f"{name} weights_shape must be a tuple of sizes, got {weights_shape!r}")
    shape = check_int_tuple(f"{name} weights_shape", weights_shape)
    check_array_size(name, "weights_shape", shape)
    return shape, check_positive_int(f"{name} fan_in", fan_in), check_positive_int(f"{name} fan_out", fan_out)


class Initializer:
    """Base of the initializers; ``config()`` gives the constructor arguments for save/load."""

    def initialize(self, weights_shape, fan_in, fan_out):
        raise NotImplementedError

    def config(self):
        return {}

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({arguments})"


class _RandomInitializer(Initializer):
    """An initializer that draws its values; ``rng`` is resolved once, in the constructor.

    Parameters
    ----------
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
    """

    def __init__(self, rng=None):
        source = resolve_rng(type(self).__name__, rng)
        # None stays None (the global state, looked up at every draw); a seed becomes its Generator.
        self.rng = None if rng is None else source

    def _random_source(self):
        return resolve_rng(type(self).__name__, self.rng)


class Constant(Initializer):
    """Fill with one value (0.1 by default), typically for biases."""

    def __init__(self, value=0.1):
        self.value = check_finite_number("Constant value", value)

    def initialize(self, weights_shape, fan_in, fan_out):
        shape, _, _ = _checked(self, weights_shape, fan_in, fan_out)
        return np.full(shape, self.value)

    def config(self):
        return {"value": self.value}


class UniformRandom(_RandomInitializer):
    """Uniform values in [0, 1).

    Parameters
    ----------
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
    """

    def initialize(self, weights_shape, fan_in, fan_out):
        shape, _, _ = _checked(self, weights_shape, fan_in, fan_out)
        return self._random_source().random(shape)


class Xavier(_RandomInitializer):
    """Glorot normal: N(0, σ²) with σ = sqrt(2 / (fan_in + fan_out)), for tanh and sigmoid layers.

    Parameters
    ----------
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
    """

    def initialize(self, weights_shape, fan_in, fan_out):
        shape, fan_in, fan_out = _checked(self, weights_shape, fan_in, fan_out)
        sigma = np.sqrt(2.0 / (fan_in + fan_out))
        return self._random_source().normal(0.0, sigma, shape)


class He(_RandomInitializer):
    """He normal: N(0, σ²) with σ = sqrt(2 / fan_in), for ReLU layers.

    Parameters
    ----------
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
    """

    def initialize(self, weights_shape, fan_in, fan_out):
        shape, fan_in, _ = _checked(self, weights_shape, fan_in, fan_out)
        sigma = np.sqrt(2.0 / fan_in)
        return self._random_source().normal(0.0, sigma, shape)
