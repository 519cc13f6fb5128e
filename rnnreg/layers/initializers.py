"""Weight initializers: each returns a fresh array for ``initialize(weights_shape, fan_in, fan_out)``.

Every draw uses NumPy's global random state unless a ``np.random.Generator`` is given as ``rng``, so
``np.random.seed(n)`` makes a whole run reproducible.
"""

import numpy as np

from rnnreg.validation import check_finite_number


def _generator(rng):
    return np.random if rng is None else rng


class Initializer:
    """Base of the initializers; ``config()`` gives the constructor arguments for save/load."""

    def initialize(self, weights_shape, fan_in, fan_out):
        raise NotImplementedError

    def config(self):
        return {}

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({arguments})"


class Constant(Initializer):
    """Fill with one value (0.1 by default), typically for biases."""

    def __init__(self, value=0.1):
        self.value = check_finite_number("Constant value", value)

    def initialize(self, weights_shape, fan_in, fan_out):
        return np.full(weights_shape, self.value)

    def config(self):
        return {"value": self.value}


class UniformRandom(Initializer):
    """Uniform values in [0, 1)."""

    def __init__(self, rng=None):
        self.rng = rng

    def initialize(self, weights_shape, fan_in, fan_out):
        if self.rng is None:
            return np.random.random_sample(weights_shape)
        return self.rng.random(weights_shape)


class Xavier(Initializer):
    """Glorot normal: N(0, σ²) with σ = sqrt(2 / (fan_in + fan_out)), for tanh and sigmoid layers."""

    def __init__(self, rng=None):
        self.rng = rng

    def initialize(self, weights_shape, fan_in, fan_out):
        sigma = np.sqrt(2.0 / (fan_in + fan_out))
        return _generator(self.rng).normal(0.0, sigma, weights_shape)


class He(Initializer):
    """He normal: N(0, σ²) with σ = sqrt(2 / fan_in), for ReLU layers."""

    def __init__(self, rng=None):
        self.rng = rng

    def initialize(self, weights_shape, fan_in, fan_out):
        sigma = np.sqrt(2.0 / fan_in)
        return _generator(self.rng).normal(0.0, sigma, weights_shape)
