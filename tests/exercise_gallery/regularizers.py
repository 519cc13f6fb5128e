"""Bug gallery, regularizers and optimizers: classes a student might write, each wrong in one way or correct.

Written from scratch as a student would (no rnnreg base class). ``WRONG`` maps a catalogue id to
(topic, class); ``CORRECT`` lists (topic, class) pairs that must pass.
"""

import numpy as np


class L2:
    def __init__(self, alpha):
        self.alpha = alpha

    def calculate_gradient(self, weights):
        return self.alpha * weights

    def norm(self, weights):
        return self.alpha * np.sum(weights * weights)


class L2LoopStyle:
    """Correct, written with loops over the entries."""

    def __init__(self, alpha):
        self.alpha = alpha

    def calculate_gradient(self, weights):
        gradient = np.zeros_like(weights, dtype=float)
        for index in np.ndindex(weights.shape):
            gradient[index] = self.alpha * weights[index]
        return gradient

    def norm(self, weights):
        total = 0.0
        for value in np.ravel(weights):
            total += value**2
        return self.alpha * total


class L1:
    def __init__(self, alpha):
        self.alpha = alpha

    def calculate_gradient(self, weights):
        return self.alpha * np.sign(weights)

    def norm(self, weights):
        return self.alpha * np.abs(weights).sum()


class L1WhereStyle:
    """Correct, sign written with np.where (the probe has no zero weights)."""

    def __init__(self, alpha):
        self.alpha = alpha

    def calculate_gradient(self, weights):
        return np.where(weights > 0, self.alpha, -self.alpha)

    def norm(self, weights):
        return float(np.linalg.norm(np.ravel(weights), ord=1) * self.alpha)


class L2Doubled(L2):
    def calculate_gradient(self, weights):
        return 2 * self.alpha * weights


class L2NormHalved(L2):
    def norm(self, weights):
        return 0.5 * self.alpha * np.sum(weights**2)


class L2NormNotSquared(L2):
    def norm(self, weights):
        return self.alpha * np.linalg.norm(weights)


class L2NoAlpha(L2):
    def calculate_gradient(self, weights):
        return weights


class L2NormWrong(L2):
    def norm(self, weights):
        return self.alpha * np.sum(weights**2) / weights.size


class L1NotSign(L1):
    def calculate_gradient(self, weights):
        return self.alpha * np.abs(weights)


class L1NormWithoutAbs(L1):
    def norm(self, weights):
        return self.alpha * np.sum(weights)


class L1GradientWrong(L1):
    def calculate_gradient(self, weights):
        return self.alpha * np.sign(weights) / 2


class MomentumExerciseStyle:
    def __init__(self, learning_rate, momentum_rate):
        self.learning_rate = learning_rate
        self.momentum_rate = momentum_rate
        self.v = 0
        self.regularizer = None

    def add_regularizer(self, regularizer):
        self.regularizer = regularizer

    def calculate_update(self, weight_tensor, gradient_tensor):
        self.v = self.momentum_rate * self.v - self.learning_rate * gradient_tensor
        shrink = 0
        if self.regularizer is not None:
            shrink = self.learning_rate * self.regularizer.calculate_gradient(weight_tensor)
        return weight_tensor - shrink + self.v


class MomentumPyTorchStyle:
    """Correct: b ← μb + g, w ← w − ηb (the same rule for a constant η)."""

    def __init__(self, learning_rate, momentum_rate):
        self.lr, self.mu = learning_rate, momentum_rate
        self.buffer = None
        self.reg = None

    def add_regularizer(self, regularizer):
        self.reg = regularizer

    def calculate_update(self, weight_tensor, gradient_tensor):
        self.buffer = gradient_tensor.copy() if self.buffer is None else self.mu * self.buffer + gradient_tensor
        new_weights = weight_tensor - self.lr * self.buffer
        if self.reg:
            new_weights -= self.lr * self.reg.calculate_gradient(weight_tensor)
        return new_weights


class MomentumRegularizerInside(MomentumExerciseStyle):
    def calculate_update(self, weight_tensor, gradient_tensor):
        if self.regularizer is not None:
            gradient_tensor = gradient_tensor + self.regularizer.calculate_gradient(weight_tensor)
        self.v = self.momentum_rate * self.v - self.learning_rate * gradient_tensor
        return weight_tensor + self.v


class MomentumRegularizerIgnored(MomentumExerciseStyle):
    def calculate_update(self, weight_tensor, gradient_tensor):
        self.v = self.momentum_rate * self.v - self.learning_rate * gradient_tensor
        return weight_tensor + self.v


class MomentumRegularizerWithoutLearningRate(MomentumExerciseStyle):
    def calculate_update(self, weight_tensor, gradient_tensor):
        self.v = self.momentum_rate * self.v - self.learning_rate * gradient_tensor
        if self.regularizer is not None:
            weight_tensor = weight_tensor - self.regularizer.calculate_gradient(weight_tensor)
        return weight_tensor + self.v


class MomentumVelocityReset(MomentumExerciseStyle):
    """Wrong: the velocity is not kept between calls."""

    def calculate_update(self, weight_tensor, gradient_tensor):
        self.v = 0
        return super().calculate_update(weight_tensor, gradient_tensor)


class AdamExerciseStyle:
    def __init__(self, learning_rate, mu, rho):
        self.learning_rate, self.mu, self.rho = learning_rate, mu, rho
        self.v = 0
        self.r = 0
        self.k = 0
        self.regularizer = None

    def add_regularizer(self, regularizer):
        self.regularizer = regularizer

    def moments(self, gradient_tensor):
        self.k += 1
        self.v = self.mu * self.v + (1 - self.mu) * gradient_tensor
        self.r = self.rho * self.r + (1 - self.rho) * gradient_tensor * gradient_tensor
        return self.v / (1 - self.mu**self.k), self.r / (1 - self.rho**self.k)

    def calculate_update(self, weight_tensor, gradient_tensor):
        v_hat, r_hat = self.moments(gradient_tensor)
        if self.regularizer is not None:
            weight_tensor = weight_tensor - self.learning_rate * self.regularizer.calculate_gradient(weight_tensor)
        return weight_tensor - self.learning_rate * v_hat / (np.sqrt(r_hat) + 1e-8)


class AdamEpsilonInsideRoot(AdamExerciseStyle):
    """Correct up to ε's place: √(r̂ + ε) instead of √r̂ + ε."""

    def calculate_update(self, weight_tensor, gradient_tensor):
        v_hat, r_hat = self.moments(gradient_tensor)
        if self.regularizer is not None:
            weight_tensor = weight_tensor - self.learning_rate * self.regularizer.calculate_gradient(weight_tensor)
        return weight_tensor - self.learning_rate * v_hat / np.sqrt(r_hat + 1e-8)


class AdamNoBiasCorrection(AdamExerciseStyle):
    def calculate_update(self, weight_tensor, gradient_tensor):
        self.moments(gradient_tensor)
        if self.regularizer is not None:
            weight_tensor = weight_tensor - self.learning_rate * self.regularizer.calculate_gradient(weight_tensor)
        return weight_tensor - self.learning_rate * self.v / (np.sqrt(self.r) + 1e-8)


class AdamRegularizerInside(AdamExerciseStyle):
    def calculate_update(self, weight_tensor, gradient_tensor):
        if self.regularizer is not None:
            gradient_tensor = gradient_tensor + self.regularizer.calculate_gradient(weight_tensor)
        v_hat, r_hat = self.moments(gradient_tensor)
        return weight_tensor - self.learning_rate * v_hat / (np.sqrt(r_hat) + 1e-8)


class AdamWrong(AdamExerciseStyle):
    """Wrong: the first moment is not squared-rooted but the step uses r̂ directly."""

    def calculate_update(self, weight_tensor, gradient_tensor):
        v_hat, r_hat = self.moments(gradient_tensor)
        return weight_tensor - self.learning_rate * v_hat / (r_hat + 1e-8)


class AdamShrinksUpdatedWeights(AdamExerciseStyle):
    """Wrong: the shrinkage uses the weights after the data step."""

    def calculate_update(self, weight_tensor, gradient_tensor):
        v_hat, r_hat = self.moments(gradient_tensor)
        updated = weight_tensor - self.learning_rate * v_hat / (np.sqrt(r_hat) + 1e-8)
        if self.regularizer is not None:
            updated = updated - self.learning_rate * self.regularizer.calculate_gradient(updated)
        return updated


class CrashingMomentum(MomentumExerciseStyle):
    def calculate_update(self, weight_tensor, gradient_tensor):
        raise NotImplementedError


class FlatMomentum(MomentumExerciseStyle):
    def calculate_update(self, weight_tensor, gradient_tensor):
        return np.ravel(super().calculate_update(weight_tensor, gradient_tensor))


WRONG = {
    "l2-gradient-doubled": ("l2_regularizer", L2Doubled),
    "l2-norm-halved": ("l2_regularizer", L2NormHalved),
    "l2-norm-not-squared": ("l2_regularizer", L2NormNotSquared),
    "regularizer-alpha-missing": ("l2_regularizer", L2NoAlpha),
    "regularizer-norm-wrong": ("l2_regularizer", L2NormWrong),
    "l1-gradient-not-sign": ("l1_regularizer", L1NotSign),
    "l1-norm-without-abs": ("l1_regularizer", L1NormWithoutAbs),
    "regularizer-gradient-wrong": ("l1_regularizer", L1GradientWrong),
    "regularizer-inside-momentum": ("sgd_with_momentum", MomentumRegularizerInside),
    "regularizer-ignored": ("sgd_with_momentum", MomentumRegularizerIgnored),
    "regularizer-without-learning-rate": ("sgd_with_momentum", MomentumRegularizerWithoutLearningRate),
    "sgd-momentum-update-wrong": ("sgd_with_momentum", MomentumVelocityReset),
    "adam-no-bias-correction": ("adam", AdamNoBiasCorrection),
    "adam-update-wrong": ("adam", AdamWrong),
    "optimizer-regularizer-wrong": ("adam", AdamShrinksUpdatedWeights),
    "raises": ("sgd_with_momentum", CrashingMomentum),
    "wrong-shape": ("sgd_with_momentum", FlatMomentum),
}

# Further one-bug classes whose id is already shown above (the same id from another topic).
WRONG_ALSO = [("regularizer-inside-momentum", "adam", AdamRegularizerInside)]

CORRECT = [
    ("l2_regularizer", L2),
    ("l2_regularizer", L2LoopStyle),
    ("l1_regularizer", L1),
    ("l1_regularizer", L1WhereStyle),
    ("sgd_with_momentum", MomentumExerciseStyle),
    ("sgd_with_momentum", MomentumPyTorchStyle),
    ("adam", AdamExerciseStyle),
    ("adam", AdamEpsilonInsideRoot),
]
