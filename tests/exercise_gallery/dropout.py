"""Bug gallery, dropout: classes a student might write, each wrong in one way or correct (no rnnreg base class)."""

import numpy as np


class DropoutExerciseStyle:
    def __init__(self, probability):
        self.probability = probability
        self.testing_phase = False
        self.trainable = False

    def forward(self, input_tensor):
        if self.testing_phase:
            return input_tensor
        self.mask = np.random.rand(*input_tensor.shape) < self.probability
        return input_tensor * self.mask / self.probability

    def backward(self, error_tensor):
        return error_tensor * self.mask / self.probability


class DropoutBinomialStyle:
    """Correct: the mask drawn with np.random.binomial and the scale folded into it."""

    def __init__(self, probability):
        self.p = probability
        self.testing_phase = False

    def forward(self, input_tensor):
        if not self.testing_phase:
            self.scaled_mask = np.random.binomial(1, self.p, size=input_tensor.shape) / self.p
            return input_tensor * self.scaled_mask
        return input_tensor.copy()

    def backward(self, error_tensor):
        return error_tensor * self.scaled_mask


class DropoutNotInverted(DropoutExerciseStyle):
    def forward(self, input_tensor):
        if self.testing_phase:
            return input_tensor
        self.mask = np.random.rand(*input_tensor.shape) < self.probability
        return input_tensor * self.mask

    def backward(self, error_tensor):
        return error_tensor * self.mask


class DropoutDropProbability(DropoutExerciseStyle):
    def forward(self, input_tensor):
        if self.testing_phase:
            return input_tensor
        self.mask = np.random.rand(*input_tensor.shape) > self.probability
        return input_tensor * self.mask / (1 - self.probability)

    def backward(self, error_tensor):
        return error_tensor * self.mask / (1 - self.probability)


class DropoutActiveAtTest(DropoutExerciseStyle):
    def forward(self, input_tensor):
        self.mask = np.random.rand(*input_tensor.shape) < self.probability
        return input_tensor * self.mask / self.probability


class DropoutNewMaskInBackward(DropoutExerciseStyle):
    def backward(self, error_tensor):
        mask = np.random.rand(*error_tensor.shape) < self.probability
        return error_tensor * mask / self.probability


class DropoutBackwardNotScaled(DropoutExerciseStyle):
    def backward(self, error_tensor):
        return error_tensor * self.mask


class DropoutWrongScale(DropoutExerciseStyle):
    def forward(self, input_tensor):
        if self.testing_phase:
            return input_tensor
        self.mask = np.random.rand(*input_tensor.shape) < self.probability
        return input_tensor * self.mask / (1 - self.probability)

    def backward(self, error_tensor):
        return error_tensor * self.mask / (1 - self.probability)


class DropoutBackwardNotMasked(DropoutExerciseStyle):
    def backward(self, error_tensor):
        return error_tensor / self.probability


class DropoutHandout(DropoutExerciseStyle):
    def forward(self, input_tensor):
        raise NotImplementedError


WRONG = {
    "dropout-not-inverted": ("dropout", DropoutNotInverted),
    "dropout-drop-probability": ("dropout", DropoutDropProbability),
    "dropout-active-at-test": ("dropout", DropoutActiveAtTest),
    "dropout-new-mask-in-backward": ("dropout", DropoutNewMaskInBackward),
    "dropout-backward-not-scaled": ("dropout", DropoutBackwardNotScaled),
    "dropout-forward-wrong": ("dropout", DropoutWrongScale),
    "dropout-backward-wrong": ("dropout", DropoutBackwardNotMasked),
}

WRONG_ALSO = [("raises", "dropout", DropoutHandout)]

CORRECT = [("dropout", DropoutExerciseStyle), ("dropout", DropoutBinomialStyle)]
