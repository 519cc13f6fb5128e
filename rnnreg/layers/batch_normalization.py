"""Batch normalization: normalise every channel with batch statistics, then scale and shift."""

import numpy as np

from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import (
    check_array_shape,
    check_array_size,
    check_error_shape,
    check_fraction,
    check_input,
    check_positive_int,
    describe_shape,
    require_forward,
)


class BatchNormalization(TrainableLayer):
    """Per-channel normalisation with a learned scale γ and shift β.

    Parameters
    ----------
    channels : int
        C, the number of channels (features of a 2-D input, the second axis of a 4-D input).
    momentum : float
        a in [0, 1], the moving-average factor (0.8 by default, as in the exercise): the weight the OLD
        moving average keeps at every training step, μ_mov ← a μ_mov + (1 − a) μ_B. This is Keras'
        meaning of "momentum"; PyTorch's ``momentum`` is the weight of the NEW batch, i.e. 1 − a.

    Attributes
    ----------
    weights : ndarray, shape (C,)
        γ, the scale; ones until trained. Assignable; its shape is checked by ``forward``.
    bias : ndarray, shape (C,)
        β, the shift; zeros until trained.
    gradient_weights, gradient_bias : ndarray, shape (C,)
        dL/dγ = Σ E ⊙ x̂ and dL/dβ = Σ E, summed over N (and Y·X), from the last ``backward``.
    batch_mean, batch_variance : ndarray, shape (C,) or None
        μ_B and σ²_B of the last training-phase ``forward``.
    moving_mean, moving_variance : ndarray, shape (C,) or None
        The moving averages used at test time; None until the first training-phase ``forward``.
    epsilon : float
        ε = 1e-10 (class constant), added to every variance in forward and backward alike.

    Shapes
    ------
    forward: (N, C) -> (N, C)  or  (N, C, Y, X) -> (N, C, Y, X);  backward: the same shapes.
    A 4-D tensor is normalised per channel over N·Y·X values: exactly the 2-D maths on the (N·Y·X, C)
    layout ``reformat`` gives, computed with sums over the axes N, Y, X of the 4-D tensor itself and the
    per-channel vectors shaped (1, C, 1, 1) (in 2-D: sums over N, vectors (1, C)). The computation runs
    in the input's dtype.

    Notes
    -----
    Training phase, per channel c over the M = N (or N·Y·X) rows of the 2-D layout, with biased (ddof = 0)
    variances, as the exercise pins them:

        μ_B = (1/M) Σ x,   σ²_B = (1/M) Σ (x − μ_B)²,   x̂ = (x − μ_B) / √(σ²_B + ε),   y = γ x̂ + β.

    The moving averages start from the FIRST training batch (μ_mov = μ_B, σ²_mov = σ²_B) and then follow
    μ_mov ← a μ_mov + (1 − a) μ_B, σ²_mov ← a σ²_mov + (1 − a) σ²_B. The training phase always normalises
    with the batch statistics; the test phase normalises with the moving averages and never changes them:

        y = γ (x − μ_mov) / √(σ²_mov + ε) + β.

    Backward, with E = dL/dy and the mean taken over the M rows: training phase (through μ_B and σ²_B)

        dL/dx = γ / √(σ²_B + ε) · (E − mean(E) − x̂ ⊙ mean(E ⊙ x̂)),

    test phase (the statistics are constants) dL/dx = γ / √(σ²_mov + ε) · E. ``backward`` differentiates
    what the last ``forward`` computed, then updates γ and β when an optimizer is set.

    Which statistics ``forward`` normalises with is decided by ``uses_batch_statistics()`` (the batch's
    in the training phase, the moving averages at test time); a teaching variant overrides it
    (``variants.BatchStatisticsAtTestTime``). The moving averages are updated in the training phase only.

    ε is tiny on purpose (the exercise's convention): a channel whose values are all equal has σ²_B = 0,
    gives x̂ = 0 in the forward pass but a slope 1/√ε = 1e5 for the input gradient.
    """

    epsilon = 1e-10

    parameter_names = ("weights", "bias")
    buffer_names = ("moving_mean", "moving_variance")

    def __init__(self, channels, momentum=0.8):
        super().__init__()
        self.channels = check_positive_int("BatchNormalization channels", channels)
        check_array_size("BatchNormalization", "weights", (self.channels,))
        self.momentum = momentum
        self.weights = np.ones(self.channels)
        self.bias = np.zeros(self.channels)
        self.gradient_weights = None
        self.gradient_bias = None
        self.batch_mean = None
        self.batch_variance = None
        self.moving_mean = None
        self.moving_variance = None
        # What backward needs from the last forward.
        self._input_shape = None
        self._normalized = None
        self._inverse_std = None
        self._gamma = None
        self._used_batch_statistics = None
        # The 4-D shape reformat uses to turn (N·Y·X, C) back into (N, C, Y, X).
        self._image_shape = None

    @property
    def momentum(self):
        """a in [0, 1], the weight the old moving average keeps: μ_mov ← a μ_mov + (1 − a) μ_B."""
        return self._momentum

    @momentum.setter
    def momentum(self, value):
        self._momentum = check_fraction("BatchNormalization momentum", value, low=0, high=1, low_open=False)

    def initialize(self, weights_initializer, bias_initializer):
        """Reset γ to ones and β to zeros; the two initializers are accepted and ignored.

        The network initializes every trainable layer with the same pair of initializers (He, Xavier, ...),
        but batch normalization must start as a pure normalisation, y = x̂, so that it does not change what
        the layers after it see until training moves γ and β. The moving statistics are left alone.
        """
        self.weights = np.ones(self.channels)
        self.bias = np.zeros(self.channels)

    def reformat(self, tensor):
        """Switch between the image layout (N, C, Y, X) and the vector layout (N·Y·X, C).

        A 4-D tensor becomes 2-D: channels moved last, then every spatial position of every sample is one
        row, so row i holds the C channel values of position i (in N, Y, X order). A 2-D tensor becomes
        4-D using the shape of the last 4-D tensor seen (by ``forward`` or by ``reformat``), so
        ``reformat(reformat(image))`` gives ``image`` back. The dtype is kept.
        """
        array = np.asarray(tensor)
        if array.ndim == 4:
            self._check_channels(array, axis=1)
            self._image_shape = array.shape
            return _to_vectors(array)
        if array.ndim == 2:
            self._check_channels(array, axis=1)
            if self._image_shape is None:
                raise ValueError(
                    f"BatchNormalization.reformat cannot turn a 2-D tensor of shape {describe_shape(array.shape)} "
                    "into an image: no 4-D shape is known yet (run forward on, or reformat, a 4-D tensor first)"
                )
            return _to_images(array, self._image_shape)
        raise ValueError(
            f"BatchNormalization.reformat expected a tensor of shape (batch, {self.channels}, y, x) or "
            f"(batch * y * x, {self.channels}), got {describe_shape(array.shape)}"
        )

    def uses_batch_statistics(self):
        """True when ``forward`` normalises with the batch's own μ_B and σ²_B: in the training phase."""
        return not self.testing_phase

    def forward(self, input_tensor):
        x = check_input(self, input_tensor, [("batch", self.channels), ("batch", self.channels, "y", "x")])
        gamma = check_array_shape("BatchNormalization", "weights", self.weights, (self.channels,))
        beta = check_array_shape("BatchNormalization", "bias", self.bias, (self.channels,))
        if x.ndim == 4:
            self._image_shape = x.shape
        axes = _value_axes(x)  # Σ over these axes is Σ over the M values of each channel
        per_channel = _per_channel_shape(x)  # (1, C) or (1, C, 1, 1): a (C,) vector that broadcasts over x

        self._used_batch_statistics = self.uses_batch_statistics()
        if self._used_batch_statistics:
            count = x.size // self.channels  # M (check_input refuses an empty batch)
            mean = x.sum(axis=axes, keepdims=True) / count  # μ_B = (1/M) Σ x
            centered = x - mean
            variance = (centered**2).sum(axis=axes, keepdims=True) / count  # σ²_B = (1/M) Σ (x − μ_B)², ddof 0
            self.batch_mean, self.batch_variance = mean.reshape(self.channels), variance.reshape(self.channels)
            if not self.testing_phase:
                self._update_moving_statistics(self.batch_mean, self.batch_variance)
        else:
            moving = self._moving_statistics()
            mean, variance = (statistic.astype(x.dtype, copy=False).reshape(per_channel) for statistic in moving)
            centered = x - mean

        inverse_std = 1 / np.sqrt(variance + self.epsilon)
        normalized = centered * inverse_std  # x̂ = (x − μ) / √(σ² + ε)
        gamma = gamma.astype(x.dtype, copy=False).reshape(per_channel)
        output = gamma * normalized + beta.astype(x.dtype, copy=False).reshape(per_channel)  # y = γ x̂ + β

        self._input_shape = x.shape
        self._normalized, self._inverse_std, self._gamma = normalized, inverse_std, gamma
        return output

    def backward(self, error_tensor):
        require_forward(self, self._input_shape)
        error = check_error_shape(self, error_tensor, self._input_shape)
        axes = _value_axes(error)
        normalized = self._normalized

        sum_error = error.sum(axis=axes, keepdims=True)  # dL/dβ = Σ E
        sum_error_normalized = (error * normalized).sum(axis=axes, keepdims=True)  # dL/dγ = Σ E ⊙ x̂
        scale = self._gamma * self._inverse_std  # γ / √(σ² + ε)
        if self._used_batch_statistics:
            # Every x enters μ_B and σ²_B too: dL/dx = γ / √(σ²_B + ε) · (E − mean(E) − x̂ ⊙ mean(E ⊙ x̂)).
            count = error.size // self.channels  # M
            error_input = scale * (error - sum_error / count - normalized * (sum_error_normalized / count))
        else:
            error_input = scale * error  # the statistics are constants: dL/dx = γ / √(σ²_mov + ε) · E

        self._apply_update("weights", sum_error_normalized.reshape(self.channels))
        self._apply_update("bias", sum_error.reshape(self.channels))
        return error_input

    def config(self):
        return {"channels": self.channels, "momentum": self.momentum}

    def _moving_statistics(self):
        if self.moving_mean is None or self.moving_variance is None:
            raise RuntimeError(
                "BatchNormalization has no moving statistics yet: the test phase normalises with the moving "
                "mean and variance, which the first training-phase forward creates; run at least one forward "
                "with testing_phase False first"
            )
        mean = check_array_shape("BatchNormalization", "moving_mean", self.moving_mean, (self.channels,))
        variance = check_array_shape("BatchNormalization", "moving_variance", self.moving_variance, (self.channels,))
        if not (np.isfinite(mean).all() and np.isfinite(variance).all() and (variance >= 0).all()):
            raise ValueError(
                "BatchNormalization moving_mean must be finite and moving_variance finite and >= 0, got "
                f"moving_mean {mean!r} and moving_variance {variance!r}"
            )
        return mean, variance

    def _update_moving_statistics(self, mean, variance):
        # New arrays, never in-place updates: callers (plots, the gradient check) may hold the old ones.
        if self.moving_mean is None or self.moving_variance is None:
            self.moving_mean, self.moving_variance = mean.copy(), variance.copy()
            return
        moving_mean, moving_variance = self._moving_statistics()  # checked: a (1, C) array would broadcast
        a = self.momentum
        self.moving_mean = a * moving_mean + (1 - a) * mean
        self.moving_variance = a * moving_variance + (1 - a) * variance

    def _check_channels(self, array, axis):
        if array.shape[axis] != self.channels:
            expected = f"(batch, {self.channels}, y, x)" if array.ndim == 4 else f"(batch * y * x, {self.channels})"
            raise ValueError(
                f"BatchNormalization.reformat expected a tensor of shape {expected}, got {describe_shape(array.shape)}"
            )


def _value_axes(tensor):
    """The axes that hold the M values of one channel: N for (N, C), N, Y and X for (N, C, Y, X)."""
    return (0, *range(2, tensor.ndim))


def _per_channel_shape(tensor):
    """The shape that lays a (C,) vector along the channel axis of ``tensor``: (1, C) or (1, C, 1, 1)."""
    return (1, tensor.shape[1]) + (1,) * (tensor.ndim - 2)


def _to_vectors(images):
    """(N, C, Y, X) -> (N·Y·X, C): channels last, then one row per position of every sample."""
    batch, channels, height, width = images.shape
    return images.transpose(0, 2, 3, 1).reshape(batch * height * width, channels)


def _to_images(rows, image_shape):
    """(N·Y·X, C) -> (N, C, Y, X) with ``image_shape``; the inverse of ``_to_vectors``."""
    batch, channels, height, width = image_shape
    if rows.shape != (batch * height * width, channels):
        raise ValueError(
            f"BatchNormalization.reformat cannot turn a tensor of shape {describe_shape(rows.shape)} into an "
            f"image of shape {describe_shape(image_shape)}: it needs shape "
            f"{describe_shape((batch * height * width, channels))}"
        )
    return np.ascontiguousarray(rows.reshape(batch, height, width, channels).transpose(0, 3, 1, 2))
