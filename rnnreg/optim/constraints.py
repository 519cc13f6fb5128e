"""Regularizers (the exercise calls them constraints): a loss term on the weights and its gradient.

Conventions (the exercise's, kept on purpose):

- L2: ``norm(w) = α Σ w²`` and ``calculate_gradient(w) = α w``. The gradient is that of ``α/2 Σ w²``,
  not of the norm as written; the two differ by a factor 2 and the regularizer notebook says so.
- L1: ``norm(w) = α Σ |w|`` and ``calculate_gradient(w) = α sign(w)`` (0 at w = 0).

The optimizers apply ``calculate_gradient`` as a shrinkage of the weights outside momentum and Adam's
moments (see ``rnnreg.optim.optimizers``).
"""

import numpy as np

from rnnreg.validation import as_float_array, check_non_negative_number


class Regularizer:
    """Base of the regularizers; ``alpha`` is the strength (finite, >= 0) and may change between steps."""

    def __init__(self, alpha):
        self.alpha = alpha

    @property
    def alpha(self):
        """Regularization strength α (finite, >= 0)."""
        return self._alpha

    @alpha.setter
    def alpha(self, value):
        self._alpha = check_non_negative_number(f"{type(self).__name__} alpha", value)

    def calculate_gradient(self, weights):
        raise NotImplementedError

    def norm(self, weights):
        raise NotImplementedError

    def config(self):
        return {"alpha": self.alpha}

    def __repr__(self):
        return f"{type(self).__name__}(alpha={self.alpha!r})"


class L2Regularizer(Regularizer):
    """Penalty ``α Σ w²`` with shrinkage gradient ``α w`` (weight decay)."""

    def calculate_gradient(self, weights):
        return self.alpha * _weights(self, weights)

    def norm(self, weights):
        return self.alpha * float(np.sum(np.square(_weights(self, weights))))


class L1Regularizer(Regularizer):
    """Penalty ``α Σ |w|`` with gradient ``α sign(w)``, which drives small weights to exactly zero."""

    def calculate_gradient(self, weights):
        return self.alpha * np.sign(_weights(self, weights))

    def norm(self, weights):
        return self.alpha * float(np.sum(np.abs(_weights(self, weights))))


def _weights(regularizer, weights):
    """The weights as a float array: integer ones are converted, non-numeric ones refused with their name."""
    return as_float_array(f"{type(regularizer).__name__} weights", weights)


# The names some versions of the exercise use.
L2_Regularizer = L2Regularizer
L1_Regularizer = L1Regularizer
