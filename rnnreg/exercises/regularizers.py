"""Topics "l1_regularizer" and "l2_regularizer": ``cls(alpha)``, ``calculate_gradient(w)``, ``norm(w)``.

The probe builds ``cls(0.3)`` and calls ``calculate_gradient`` and ``norm`` on one fixed weight array
(positive and negative entries, none zero). Each misconception is a small function of α and w; it is
recognised when the candidate returns its value where the reference (rnnreg's regularizer) differs:

- ``l2-gradient-doubled``: L2 gradient 2αw instead of αw.
- ``l1-gradient-not-sign``: L1 gradient αw, α|w| or α instead of α·sign(w).
- ``regularizer-alpha-missing``: gradient w or sign(w), or norm Σw² or Σ|w|, without α.
- ``l2-norm-halved``: L2 norm α/2·Σw²;  ``l2-norm-not-squared``: α·√(Σw²);  ``l1-norm-without-abs``: α·Σw.
- ``regularizer-gradient-wrong`` / ``regularizer-norm-wrong``: any other gradient / norm.
"""

import numpy as np

from rnnreg.exercises.probes import check_against_variants
from rnnreg.optim.constraints import L1Regularizer, L2Regularizer

ALPHA = 0.3
WEIGHTS = np.array([[0.5, -1.5, 2.0], [-0.25, 1.0, -3.0]])

DESCRIPTIONS = {
    "gradient": (f"calculate_gradient(w) with alpha={ALPHA}", "regularizer-gradient-wrong"),
    "norm": (f"norm(w) with alpha={ALPHA}", "regularizer-norm-wrong"),
}


def probe(factory, trial):
    """Observations: the gradient and the norm of ``WEIGHTS`` with α = 0.3."""
    regularizer = trial.call(f"the constructor cls({ALPHA})", lambda: factory(ALPHA))
    gradient = trial.call("calculate_gradient(w)", lambda: regularizer.calculate_gradient(WEIGHTS.copy()))
    norm = trial.call("norm(w)", lambda: regularizer.norm(WEIGHTS.copy()))
    return {
        "gradient": trial.array("calculate_gradient(w)", gradient, WEIGHTS.shape),
        "norm": trial.array("norm(w)", norm, ()),
    }


class _Formula:
    """A regularizer given by two formulas of (α, w): the shape of every variant below."""

    def __init__(self, alpha, gradient, norm):
        self.alpha, self._gradient, self._norm = alpha, gradient, norm

    def calculate_gradient(self, weights):
        return self._gradient(self.alpha, weights)

    def norm(self, weights):
        return self._norm(self.alpha, weights)


def _formula(gradient, norm):
    return lambda alpha: _Formula(alpha, gradient, norm)


def _l2_gradient(alpha, w):
    return alpha * w


def _l2_norm(alpha, w):
    return alpha * np.sum(w**2)


def _l1_gradient(alpha, w):
    return alpha * np.sign(w)


def _l1_norm(alpha, w):
    return alpha * np.sum(np.abs(w))


L2_VARIANTS = [
    ("l2-gradient-doubled", _formula(lambda alpha, w: 2 * alpha * w, _l2_norm)),
    ("regularizer-alpha-missing", _formula(lambda alpha, w: w, lambda alpha, w: np.sum(w**2))),
    ("l2-norm-halved", _formula(_l2_gradient, lambda alpha, w: alpha / 2 * np.sum(w**2))),
    ("l2-norm-not-squared", _formula(_l2_gradient, lambda alpha, w: alpha * np.sqrt(np.sum(w**2)))),
]

L1_VARIANTS = [
    ("l1-gradient-not-sign", _formula(lambda alpha, w: alpha * w, _l1_norm)),
    ("l1-gradient-not-sign", _formula(lambda alpha, w: alpha * np.abs(w), _l1_norm)),
    ("l1-gradient-not-sign", _formula(lambda alpha, w: alpha * np.ones_like(w), _l1_norm)),
    ("regularizer-alpha-missing", _formula(lambda alpha, w: np.sign(w), lambda alpha, w: np.sum(np.abs(w)))),
    ("l1-norm-without-abs", _formula(_l1_gradient, lambda alpha, w: alpha * np.sum(w))),
]


def check_l2(candidate_class):
    """Findings for an L2 regularizer class."""
    return check_against_variants(candidate_class, probe, L2Regularizer, L2_VARIANTS, DESCRIPTIONS)


def check_l1(candidate_class):
    """Findings for an L1 regularizer class."""
    return check_against_variants(candidate_class, probe, L1Regularizer, L1_VARIANTS, DESCRIPTIONS)
