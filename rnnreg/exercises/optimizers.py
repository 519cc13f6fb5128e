"""Topics "sgd_with_momentum" (``cls(learning_rate, momentum_rate)``) and "adam" (``cls(learning_rate, mu, rho)``).

The probe runs four ``calculate_update(w, g)`` steps with fixed gradients, once without a regularizer
and once after ``add_regularizer(L2Regularizer(0.2))``, and observes the steps w_t − w_{t−1}. Momentum
written as PyTorch does (b ← μb + g, w ← w − ηb) gives the same steps as the exercise's v ← μv − ηg and
passes. The variants are small optimizers written here; a candidate is recognised by reproducing one:

- ``adam-no-bias-correction``: Adam's step uses v and r instead of v/(1−μᵗ) and r/(1−ρᵗ) (differs from step 1).
- ``regularizer-inside-momentum``: g + reg'(w) enters the velocity / Adam's moments instead of a shrinkage
  η·reg'(w) outside them (for momentum it differs from the second step on).
- ``regularizer-ignored``: the regularizer is stored but never used.
- ``regularizer-without-learning-rate``: w ← w − reg'(w) + step.
- ``sgd-momentum-update-wrong`` / ``adam-update-wrong``: any other steps without a regularizer;
  ``optimizer-regularizer-wrong``: any other steps with one.
"""

import numpy as np

from rnnreg.exercises.probes import check_against_variants
from rnnreg.optim.constraints import L2Regularizer
from rnnreg.optim.optimizers import Adam, SgdWithMomentum

MOMENTUM_ARGUMENTS = (0.1, 0.9)  # learning_rate, momentum_rate
ADAM_ARGUMENTS = (0.01, 0.9, 0.999)  # learning_rate, mu, rho
L2_ALPHA = 0.2
STEPS = 4

_rng = np.random.default_rng(14)
WEIGHTS = _rng.uniform(-2, 2, size=(3, 4))
# |g| in [0.5, 1.5]: Adam's ε (1e-8, inside or outside the root) then changes a step by < 1e-7 of itself.
GRADIENTS = _rng.choice([-1, 1], size=(STEPS, 3, 4)) * _rng.uniform(0.5, 1.5, size=(STEPS, 3, 4))


def _steps(trial, optimizer, label):
    """The changes w_t − w_{t−1} of ``STEPS`` calls of calculate_update, stacked: (STEPS, 3, 4)."""
    weights, steps = WEIGHTS.copy(), []
    for t, gradient in enumerate(GRADIENTS, start=1):
        call = f"calculate_update(w, g) at step {t} {label}"
        updated = trial.call(call, lambda w=weights, g=gradient: optimizer.calculate_update(w.copy(), g.copy()))
        updated = trial.array(call, updated, WEIGHTS.shape)
        steps.append(updated - weights)
        weights = updated
    return np.stack(steps)


def _probe(arguments):
    def probe(factory, trial):
        constructor = f"the constructor cls{arguments}"
        plain = trial.call(constructor, lambda: factory(*arguments))
        regularized = trial.call(constructor, lambda: factory(*arguments))
        trial.call(
            f"add_regularizer(L2Regularizer({L2_ALPHA}))", lambda: regularized.add_regularizer(L2Regularizer(L2_ALPHA))
        )
        return {
            "plain": _steps(trial, plain, "without a regularizer"),
            "l2": _steps(trial, regularized, f"with L2Regularizer({L2_ALPHA})"),
        }

    return probe


def _descriptions(generic):
    return {
        "plain": (f"the steps w_t − w_(t−1) of {STEPS} updates without a regularizer", generic),
        "l2": (f"the steps of {STEPS} updates with L2Regularizer({L2_ALPHA})", "optimizer-regularizer-wrong", "plain"),
    }


class _Variant:
    """An optimizer with a choosable regularizer rule; subclasses give the data step."""

    def __init__(self, learning_rate, *, regularizer_rule="outside"):
        self.learning_rate, self.regularizer_rule, self.regularizer = learning_rate, regularizer_rule, None

    def add_regularizer(self, regularizer):
        self.regularizer = regularizer

    def calculate_update(self, weights, gradient):
        if self.regularizer is None or self.regularizer_rule == "ignored":
            return weights + self.data_step(gradient)
        shrinkage = self.regularizer.calculate_gradient(weights)
        if self.regularizer_rule == "inside":
            return weights + self.data_step(gradient + shrinkage)
        if self.regularizer_rule == "without-learning-rate":
            return weights - shrinkage + self.data_step(gradient)
        return weights - self.learning_rate * shrinkage + self.data_step(gradient)


class _Momentum(_Variant):
    def __init__(self, learning_rate, momentum_rate, **rule):
        super().__init__(learning_rate, **rule)
        self.momentum_rate, self.velocity = momentum_rate, 0.0

    def data_step(self, gradient):
        self.velocity = self.momentum_rate * self.velocity - self.learning_rate * gradient
        return self.velocity


class _Adam(_Variant):
    def __init__(self, learning_rate, mu, rho, bias_correction=True, **rule):
        super().__init__(learning_rate, **rule)
        self.mu, self.rho, self.bias_correction = mu, rho, bias_correction
        self.v, self.r, self.t = 0.0, 0.0, 0

    def data_step(self, gradient):
        self.t += 1
        self.v = self.mu * self.v + (1 - self.mu) * gradient
        self.r = self.rho * self.r + (1 - self.rho) * gradient**2
        v, r = self.v, self.r
        if self.bias_correction:
            v, r = v / (1 - self.mu**self.t), r / (1 - self.rho**self.t)
        return -self.learning_rate * v / (np.sqrt(r) + Adam.epsilon)


def _with_rule(cls, rule, **options):
    return lambda *arguments: cls(*arguments, regularizer_rule=rule, **options)


REGULARIZER_RULES = {
    "regularizer-inside-momentum": "inside",
    "regularizer-ignored": "ignored",
    "regularizer-without-learning-rate": "without-learning-rate",
}

MOMENTUM_VARIANTS = [(identifier, _with_rule(_Momentum, rule)) for identifier, rule in REGULARIZER_RULES.items()]
ADAM_VARIANTS = [
    ("adam-no-bias-correction", _with_rule(_Adam, "outside", bias_correction=False)),
    *[(identifier, _with_rule(_Adam, rule)) for identifier, rule in REGULARIZER_RULES.items()],
]


def check_momentum(candidate_class):
    """Findings for an SGD-with-momentum class."""
    return check_against_variants(
        candidate_class,
        _probe(MOMENTUM_ARGUMENTS),
        SgdWithMomentum,
        MOMENTUM_VARIANTS,
        _descriptions("sgd-momentum-update-wrong"),
    )


def check_adam(candidate_class):
    """Findings for an Adam class."""
    return check_against_variants(
        candidate_class, _probe(ADAM_ARGUMENTS), Adam, ADAM_VARIANTS, _descriptions("adam-update-wrong")
    )
