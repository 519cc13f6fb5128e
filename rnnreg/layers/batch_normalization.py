"""Batch normalization: normalise every channel with batch statistics, then scale and shift."""

import math

import numpy as np

from rnnreg.layers.base import TrainableLayer
from rnnreg.validation import (
    check_array_shape,
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
    A 4-D tensor is normalised per channel over N·Y·X values: exactly the 2-D maths on the
    (N·Y·X, C) layout ``reformat`` gives, computed by summing over the axes N, Y, X of the 4-D tensor
    itself (no transposed copy). The computation runs in the input's dtype.

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

    ε is tiny on purpose (the exercise's convention): a channel whose values are all equal has σ²_B = 0,
    gives x̂ = 0 in the forward pass but a slope 1/√ε = 1e5 for the input gradient.
    """

    epsilon = 1e-10

    parameter_names = ("weights", "bias")
    buffer_names = ("moving_mean", "moving_variance")

    def __init__(self, channels, momentum=0.8):
        super().__init__()
        self.channels = check_positive_int("BatchNormalization channels", channels)
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
            return self._to_vectors(array)
        if array.ndim == 2:
            self._check_channels(array, axis=1)
            if self._image_shape is None:
                raise ValueError(
                    f"BatchNormalization.reformat cannot turn a 2-D tensor of shape {describe_shape(array.shape)} "
                    "into an image: no 4-D shape is known yet (run forward on, or reformat, a 4-D tensor first)"
                )
            return self._to_images(array, self._image_shape)
        raise ValueError(
            f"BatchNormalization.reformat expected a tensor of shape (batch, {self.channels}, y, x) or "
            f"(batch * y * x, {self.channels}), got {describe_shape(array.shape)}"
        )

    def forward(self, input_tensor):
        x = check_input(self, input_tensor, [("batch", self.channels), ("batch", self.channels, "y", "x")])
        gamma = check_array_shape("BatchNormalization", "weights", self.weights, (self.channels,))
        beta = check_array_shape("BatchNormalization", "bias", self.bias, (self.channels,))
        self._input_shape = x.shape
        rows = self._rows(x)
        count = x.size // self.channels  # M, the values per channel

        if self.testing_phase:
            mean, variance = (statistic.astype(x.dtype, copy=False) for statistic in self._moving_statistics())
            centered = rows - self._spread(mean)
        else:
            if count == 0:
                raise ValueError(
                    "BatchNormalization needs at least one value per channel to compute batch statistics, "
                    f"got input_tensor of shape {describe_shape(x.shape)}"
                )
            # μ_B = (1/M) Σ x,  σ²_B = (1/M) Σ (x − μ_B)²  (biased, ddof = 0; np.mean and np.var do the same).
            mean = self._channel_sums(rows) / count
            centered = rows - self._spread(mean)
            variance = self._channel_sums(centered * centered) / count
            self.batch_mean, self.batch_variance = mean, variance
            self._update_moving_statistics(mean, variance)

        inverse_std = 1.0 / np.sqrt(variance + self.epsilon)
        # x̂ = (x − μ) / √(σ² + ε), written into ``centered`` (our own array).
        normalized = np.multiply(centered, self._spread(inverse_std), out=centered)
        gamma = gamma.astype(x.dtype, copy=False)
        # y = γ x̂ + β
        output = self._spread(gamma) * normalized
        output += self._spread(beta.astype(x.dtype, copy=False))

        self._normalized = normalized
        self._inverse_std = inverse_std
        self._gamma = gamma
        self._used_batch_statistics = not self.testing_phase
        if x.ndim == 4:
            self._image_shape = x.shape
        return output.reshape(x.shape)

    def backward(self, error_tensor):
        require_forward(self, self._input_shape)
        error = self._rows(check_error_shape(self, error_tensor, self._input_shape))
        count = error.size // self.channels
        normalized = self._normalized

        # dL/dγ = Σ E ⊙ x̂,  dL/dβ = Σ E  (sums over the M values of each channel)
        error_times_normalized = error * normalized
        gradient_weights = self._channel_sums(error_times_normalized)
        gradient_bias = self._channel_sums(error)
        scale = self._spread(self._gamma * self._inverse_std)
        if self._used_batch_statistics:
            # Every x enters μ_B and σ²_B too: remove the error's mean and its component along x̂,
            # dL/dx = γ / √(σ²_B + ε) · (E − mean(E) − x̂ ⊙ mean(E ⊙ x̂)).
            error_input = error - self._spread(gradient_bias / count)
            error_input -= np.multiply(normalized, self._spread(gradient_weights / count), out=error_times_normalized)
            error_input *= scale
        else:
            error_input = scale * error

        self._apply_update("weights", gradient_weights)
        self._apply_update("bias", gradient_bias)
        return error_input.reshape(self._input_shape)

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
        return mean, variance

    def _update_moving_statistics(self, mean, variance):
        # New arrays, never in-place updates: callers (plots, the gradient check) may hold the old ones.
        if self.moving_mean is None or self.moving_variance is None:
            self.moving_mean, self.moving_variance = mean.copy(), variance.copy()
            return
        a = self.momentum
        self.moving_mean = a * self.moving_mean + (1 - a) * mean
        self.moving_variance = a * self.moving_variance + (1 - a) * variance

    def _check_channels(self, array, axis):
        if array.shape[axis] != self.channels:
            expected = f"(batch, {self.channels}, y, x)" if array.ndim == 4 else f"(batch * y * x, {self.channels})"
            raise ValueError(
                f"BatchNormalization.reformat expected a tensor of shape {expected}, got {describe_shape(array.shape)}"
            )

    # The element-wise work runs on one row per sample, (N, C) or (N, C·Y·X) (a view of the input): NumPy
    # broadcasts a per-channel vector spread along such a row faster than a (1, C, 1, 1) vector over four
    # axes. The sums per channel still run over N, Y, X in place, so no transposed copy is made.

    @staticmethod
    def _rows(tensor):
        """The tensor as one row per sample: (N, C) as it is, (N, C, Y, X) as (N, C·Y·X)."""
        return tensor.reshape(tensor.shape[0], math.prod(tensor.shape[1:]))

    def _channel_sums(self, rows):
        """Σ over the M values of each channel (over N, and Y, X) of ``rows``, shape (C,)."""
        positions = rows.shape[1] // self.channels
        if positions == 1:  # (N, C): the column sums
            return np.add.reduce(rows, axis=0)
        return np.add.reduce(rows.reshape(rows.shape[0], self.channels, positions), axis=(0, 2))

    def _spread(self, vector):
        """A per-channel vector (C,) as a row of ``_rows``: each entry repeated for the Y·X positions."""
        positions = math.prod(self._input_shape[2:])
        return vector if positions == 1 else np.repeat(vector, positions)

    @staticmethod
    def _to_vectors(images):
        batch, channels, height, width = images.shape
        return images.transpose(0, 2, 3, 1).reshape(batch * height * width, channels)

    @staticmethod
    def _to_images(rows, image_shape):
        batch, channels, height, width = image_shape
        if rows.shape != (batch * height * width, channels):
            raise ValueError(
                f"BatchNormalization.reformat cannot turn a tensor of shape {describe_shape(rows.shape)} into an "
                f"image of shape {describe_shape(image_shape)}: it needs shape "
                f"{describe_shape((batch * height * width, channels))}"
            )
        return np.ascontiguousarray(rows.reshape(batch, height, width, channels).transpose(0, 3, 1, 2))
