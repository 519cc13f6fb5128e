"""Dropout: randomly silence units while training, do nothing at test time."""

import numpy as np

from rnnreg.layers.base import BaseLayer
from rnnreg.validation import (
    check_error_shape,
    check_fraction,
    check_input,
    require_forward,
    resolve_rng,
)


class Dropout(BaseLayer):
    """Inverted dropout: keep each unit with probability p and scale the kept ones by 1/p.

    Parameters
    ----------
    probability : float
        p, the fraction of units KEPT (the exercise's meaning, not the drop rate), in [0.01, 1].
        p = 1 keeps everything. Below ``MIN_PROBABILITY`` = 0.01 nearly every batch would come out all
        zeros (and the few kept units scaled by more than 100): a net that silently learns nothing, so it is
        refused. It is a property and may change between steps; the new value is used from the next
        ``forward`` on.
    rng : None, int or numpy.random.Generator, optional
        None (default): NumPy's global random state, so np.random.seed(n) reproduces the draws; an int: a
        seed for np.random.default_rng; a Generator: used as it is. The source of the masks.

    Attributes
    ----------
    mask : ndarray of bool or None
        M, the units kept by the last training-phase ``forward`` (None before the first one). A test-phase
        ``forward`` leaves it unchanged.
    rng : numpy.random.Generator or None
        The generator the masks come from (the one given, or the one an int seed made), or None for
        NumPy's global state.

    Shapes
    ------
    Any shape: forward (...) -> (...);  backward (...) -> (...), the shape of the last forward.

    Notes
    -----
    Training phase, with a fresh mask M = (u < p), u ~ U[0, 1) elementwise, and s = ``train_scale()`` = 1/p:

        y = x ⊙ M · s,        dL/dx = E ⊙ M · s        (the same M and s in both).

    Dividing by p while training keeps the expected activation E[y] = x, so at test time the layer is the
    identity in both directions: with s = ``test_scale()`` = 1, y = x · s and dL/dx = E · s. The two
    scales are methods so that a variant with another rule (``variants.NonInvertedDropout``) overrides
    them and nothing else. ``backward`` differentiates what the last ``forward`` computed, so a
    training-phase forward is followed by a masked backward even if ``testing_phase`` or ``probability``
    changed in between. The output keeps the input's floating dtype (integer input becomes float64);
    the caller's array is never modified.
    """

    MIN_PROBABILITY = 0.01

    def __init__(self, probability, rng=None):
        super().__init__()
        self.probability = probability
        source = resolve_rng("Dropout", rng)
        self.rng = None if rng is None else source  # None: the global state, looked up at every draw
        self.mask = None
        # What backward needs from the last forward: its shape, its mask (None at test time) and its scale.
        self._output_shape = None
        self._forward_mask = None
        self._forward_scale = None

    @property
    def probability(self):
        """p, the fraction of units kept, in [0.01, 1]; a new value takes effect at the next ``forward``."""
        return self._probability

    @probability.setter
    def probability(self, value):
        self._probability = check_fraction(
            "Dropout probability", value, low=self.MIN_PROBABILITY, high=1, low_open=False
        )

    def train_scale(self):
        """s while training: 1/p, which keeps E[y] = x (inverted dropout)."""
        return 1 / self.probability

    def test_scale(self):
        """s at test time: 1, the identity."""
        return 1

    def forward(self, input_tensor):
        x = check_input(self, input_tensor)
        self._output_shape = x.shape
        if self.testing_phase:
            self._forward_mask, self._forward_scale = None, self.test_scale()
            return x * self._forward_scale  # y = x · s, a new array
        u = resolve_rng("Dropout", self.rng).random(x.shape)
        self.mask = np.asarray(u < self.probability)  # M = (u < p), an array even for a 0-d input
        self._forward_mask, self._forward_scale = self.mask, self.train_scale()
        return x * self.mask * self._forward_scale  # y = x ⊙ M · s

    def backward(self, error_tensor):
        require_forward(self, self._output_shape)
        error = check_error_shape(self, error_tensor, self._output_shape)
        if self._forward_mask is None:
            return error * self._forward_scale  # dL/dx = E · s
        return error * self._forward_mask * self._forward_scale  # dL/dx = E ⊙ M · s

    def config(self):
        return {"probability": self.probability}
