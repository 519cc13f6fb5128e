"""Dropout: randomly silence units while training, do nothing at test time."""

import numpy as np

from rnnreg.layers.base import BaseLayer
from rnnreg.validation import as_float_array, check_error_shape, check_fraction, require_forward


class Dropout(BaseLayer):
    """Inverted dropout: keep each unit with probability p and scale the kept ones by 1/p.

    Parameters
    ----------
    probability : float
        p, the fraction of units KEPT (the exercise's meaning, not the drop rate), in (0, 1].
        p = 1 keeps everything. It is a property and may change between steps; the new value is used
        from the next ``forward`` on.
    rng : numpy.random.Generator, optional
        Source of the masks. By default masks come from NumPy's global state (32-bit integers,
        ``np.random.randint``), so ``np.random.seed(n)`` right before ``forward`` fixes the mask.

    Attributes
    ----------
    mask : ndarray of bool or None
        M, the units kept by the last training-phase ``forward`` (None before the first one). A test-phase
        ``forward`` leaves it unchanged.
    rng : numpy.random.Generator or None
        The generator given, or None for NumPy's global state.

    Shapes
    ------
    Any shape: forward (...) -> (...);  backward (...) -> (...), the shape of the last forward.

    Notes
    -----
    Training phase, with a fresh mask M = (u < p), u ~ U[0, 1) elementwise:

        y = x ⊙ M / p,        dL/dx = E ⊙ M / p        (the same M in both).

    Dividing by p while training keeps the expected activation E[y] = x, so at test time the layer is the
    identity in both directions: y = x, dL/dx = E. ``backward`` differentiates what the last ``forward``
    computed, so a training-phase forward is followed by a masked backward even if ``testing_phase``
    changed in between. The output keeps the input's floating dtype (integer input becomes float64);
    the caller's array is never modified.
    """

    def __init__(self, probability, rng=None):
        super().__init__()
        self.probability = probability
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"Dropout rng must be a numpy.random.Generator or None, got {type(rng).__name__}")
        self.rng = rng
        self.mask = None
        self._scale = None
        self._output_shape = None

    @property
    def probability(self):
        """p, the fraction of units kept, in (0, 1]; a new value takes effect at the next ``forward``."""
        return self._probability

    @probability.setter
    def probability(self, value):
        self._probability = check_fraction("Dropout probability", value, low=0, high=1, low_open=True)

    def forward(self, input_tensor):
        x = as_float_array("Dropout input_tensor", input_tensor)
        self._output_shape = x.shape
        if self.testing_phase:
            self._scale = None
            return x.copy()
        p = self._probability
        self.mask = self._keep_mask(x.shape)
        # The scale M / p (0 or 1/p) is built once in the input's dtype and reused by backward, so the two
        # passes multiply by exactly the same numbers.
        self._scale = self.mask.astype(x.dtype)
        self._scale *= 1 / p
        return x * self._scale

    def _keep_mask(self, shape):
        """M = (u < p) with u ~ U[0, 1) drawn for every unit.

        From NumPy's global state u is a 32-bit fraction b / 2³², b a uniform 32-bit integer, so the test
        is b < p·2³² (a unit is kept with probability p up to 2⁻³²): half the cost of the 53-bit floats of
        ``np.random.random_sample``, and the mask is the biggest random draw of a training step.
        """
        if self.rng is not None:
            return np.asarray(self.rng.random(shape) < self._probability)
        bits = np.random.randint(0, 2**32, shape, dtype=np.uint32)
        return np.asarray(bits < round(self._probability * 2**32))

    def backward(self, error_tensor):
        require_forward(self, self._output_shape)
        error = check_error_shape(self, error_tensor, self._output_shape)
        if self._scale is None:
            return error.copy()
        return error * self._scale

    def config(self):
        return {"probability": self.probability}
