"""Teaching variants: layers that implement a common mistake (or an older convention) on purpose.

Lessons put them side by side with the correct layer, so the difference is computed, not asserted.
Never use them to train a real model. Each overrides only the public points its parent offers for this
(Dropout's ``train_scale``/``test_scale``, BatchNormalization's ``uses_batch_statistics``).
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
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is.
    """

    def __init__(self, probability, scale_at_test=False, rng=None):
        super().__init__(probability, rng=rng)
        self.scale_at_test = bool(scale_at_test)

    def train_scale(self):
        """s while training: 1, no scaling (y = x ⊙ M)."""
        return 1

    def test_scale(self):
        """s at test time: p with ``scale_at_test`` (the original rule), else 1 (the mistake)."""
        return self.probability if self.scale_at_test else 1

    def config(self):
        return {**super().config(), "scale_at_test": self.scale_at_test}


class BatchStatisticsAtTestTime(BatchNormalization):
    """BatchNormalization that (wrongly) normalises with the statistics of the batch it sees at test time.

    The prediction for one sample then depends on which other samples share its batch, and a batch of a
    single sample is normalised to β whatever it holds. The correct layer uses the moving averages in the
    test phase. Training behaves exactly as BatchNormalization; the moving averages are only updated while
    training, as there.
    """

    def uses_batch_statistics(self):
        """Always True: the batch's own μ_B and σ²_B, in the test phase too (the mistake)."""
        return True

    def backward(self, error_tensor):
        raise RuntimeError("BatchStatisticsAtTestTime is a teaching variant for the test phase; do not train it")
