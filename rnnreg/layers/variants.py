"""Teaching variants: layers that implement a common mistake (or an older convention) on purpose.

Lessons put them side by side with the correct layer, so the difference is computed, not asserted.
Never use them to train a real model.
"""


from rnnreg.layers.batch_normalization import BatchNormalization
from rnnreg.layers.dropout import Dropout


class NonInvertedDropout(Dropout):
    """Dropout WITHOUT the 1/p scaling while training.

    Train phase: y = x ⊙ M (M kept with probability p), so E[y] = p·x.
    Test phase: with ``scale_at_test=False`` (the mistake) y = x: the next layer sees activations 1/p times
    larger than during training, and the predictions shift. With ``scale_at_test=True`` y = p·x, the
    original formulation (Srivastava et al., 2014) that inverted dropout replaced: correct in expectation,
    but the test-time network must know p.

    Parameters
    ----------
    probability : float
        p, the fraction kept, in (0, 1].
    scale_at_test : bool
        False: the mistake. True: the original, correct non-inverted dropout.
    rng : numpy.random.Generator, optional
    """

    def __init__(self, probability, scale_at_test=False, rng=None):
        super().__init__(probability, rng=rng)
        self.scale_at_test = bool(scale_at_test)

    def forward(self, input_tensor):
        output = super().forward(input_tensor)
        if self.testing_phase:
            return output * self.probability if self.scale_at_test else output
        return output * self.probability  # undo the inverted scaling 1/p: y = x ⊙ M

    def backward(self, error_tensor):
        error = super().backward(error_tensor)
        if self._scale is None:
            return error * self.probability if self.scale_at_test else error
        return error * self.probability

    def config(self):
        return {**super().config(), "scale_at_test": self.scale_at_test}


class BatchStatisticsAtTestTime(BatchNormalization):
    """BatchNormalization that (wrongly) normalises with the statistics of the batch it sees at test time.

    The prediction for one sample then depends on which other samples share its batch, and a batch of a
    single sample is normalised to β whatever it holds. The correct layer uses the moving averages in the
    test phase. Training behaves exactly as BatchNormalization.
    """

    def forward(self, input_tensor):
        if not self.testing_phase:
            return super().forward(input_tensor)
        moving = self.moving_mean, self.moving_variance
        self.testing_phase = False
        try:
            return super().forward(input_tensor)
        finally:
            self.testing_phase = True
            self.moving_mean, self.moving_variance = moving
            self._used_batch_statistics = False

    def backward(self, error_tensor):
        raise RuntimeError("BatchStatisticsAtTestTime is a teaching variant for the test phase; do not train it")
