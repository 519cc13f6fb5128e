"""Bug gallery, batch normalization: classes a student might write, each wrong in one way or correct.

Two correct students: ``BatchNormRowsStyle`` (the exercise's way: 4-D reformatted to rows, the long
backward with dσ² and dμ, ε = 1e-8) and ``BatchNormAxesStyle`` (sums over the axes 0, 2, 3, the compact
backward, ε = 1e-10). Each wrong class changes one method of one of them.
"""

import numpy as np


class BatchNormRowsStyle:
    def __init__(self, channels):
        self.channels = channels
        self.weights = np.ones(channels)
        self.bias = np.zeros(channels)
        self.testing_phase = False
        self.optimizer = None
        self.alpha = 0.8
        self.eps = 1e-8
        self.moving_mean = None
        self.moving_var = None

    def to_rows(self, tensor):
        if tensor.ndim == 4:
            self.image_shape = tensor.shape
            return tensor.transpose(0, 2, 3, 1).reshape(-1, self.channels)
        return tensor

    def from_rows(self, rows, like):
        if like.ndim == 4:
            n, c, y, x = self.image_shape
            return rows.reshape(n, y, x, c).transpose(0, 3, 1, 2)
        return rows

    def statistics(self, x):
        return np.mean(x, axis=0), np.var(x, axis=0)

    def update_moving(self, mean, var):
        if self.moving_mean is None:
            self.moving_mean, self.moving_var = mean, var
        else:
            self.moving_mean = self.alpha * self.moving_mean + (1 - self.alpha) * mean
            self.moving_var = self.alpha * self.moving_var + (1 - self.alpha) * var

    def test_statistics(self, x):
        return self.moving_mean, self.moving_var

    def normalize(self, x, mean, var):
        return (x - mean) / np.sqrt(var + self.eps)

    def forward(self, input_tensor):
        x = self.to_rows(input_tensor)
        if self.testing_phase:
            mean, var = self.test_statistics(x)
            x_hat = self.test_normalize(x, mean, var)
        else:
            mean, var = self.statistics(x)
            self.update_moving(mean, var)
            x_hat = self.normalize(x, mean, var)
        self.x, self.mu, self.var_b, self.x_hat = x, mean, var, x_hat
        return self.from_rows(self.scale_and_shift(x_hat), input_tensor)

    def test_normalize(self, x, mean, var):
        return self.normalize(x, mean, var)

    def scale_and_shift(self, x_hat):
        return self.weights * x_hat + self.bias

    def parameter_gradients(self, e):
        return np.sum(e * self.x_hat, axis=0), np.sum(e, axis=0)

    def input_gradient(self, e):
        m = e.shape[0]
        centered = self.x - self.mu
        d_x_hat = e * self.weights
        d_var = np.sum(d_x_hat * centered * -0.5 * (self.var_b + self.eps) ** -1.5, axis=0)
        d_mu = np.sum(-d_x_hat / np.sqrt(self.var_b + self.eps), axis=0) + d_var * np.mean(-2 * centered, axis=0)
        return d_x_hat / np.sqrt(self.var_b + self.eps) + d_var * 2 * centered / m + d_mu / m

    def update(self):
        if self.optimizer is not None:
            self.weights = self.optimizer.calculate_update(self.weights, self.gradient_weights)
            self.bias = self.optimizer.calculate_update(self.bias, self.gradient_bias)

    def backward(self, error_tensor):
        e = self.to_rows(error_tensor)
        self.gradient_weights, self.gradient_bias = self.parameter_gradients(e)
        error_input = self.input_gradient(e)
        self.update()
        return self.from_rows(error_input, error_tensor)


class BatchNormAxesStyle:
    epsilon = 1e-10

    def __init__(self, channels):
        self.weights = np.ones(channels)
        self.bias = np.zeros(channels)
        self.testing_phase = False
        self.optimizer = None
        self.running = None

    def axes(self, x):
        return (0, 2, 3) if x.ndim == 4 else (0,)

    def forward(self, x):
        shape = (1, -1, 1, 1) if x.ndim == 4 else (1, -1)
        if self.testing_phase:
            mean, var = self.running
        else:
            mean = x.mean(axis=self.axes(x), keepdims=True)
            var = ((x - mean) ** 2).mean(axis=self.axes(x), keepdims=True)
            self.running = (
                (mean, var)
                if self.running is None
                else tuple(0.8 * old + 0.2 * new for old, new in zip(self.running, (mean, var), strict=True))
            )
        self.inv_std = 1 / np.sqrt(var + self.epsilon)
        self.x_hat = (x - mean) * self.inv_std
        self.gamma = self.weights.reshape(shape)
        return self.gamma * self.x_hat + self.bias.reshape(shape)

    def backward(self, e):
        summed = (0, 2, 3) if e.ndim == 4 else (0,)
        self.gradient_weights = (e * self.x_hat).sum(axis=summed)
        self.gradient_bias = e.sum(axis=summed)
        axes = self.axes(e)
        dx = (
            self.gamma
            * self.inv_std
            * (e - e.mean(axis=axes, keepdims=True) - self.x_hat * (e * self.x_hat).mean(axis=axes, keepdims=True))
        )
        if self.optimizer:
            self.weights = self.optimizer.calculate_update(self.weights, self.gradient_weights)
            self.bias = self.optimizer.calculate_update(self.bias, self.gradient_bias)
        return dx


class BatchNormUnbiasedVariance(BatchNormRowsStyle):
    def statistics(self, x):
        return np.mean(x, axis=0), np.var(x, axis=0, ddof=1)


class BatchNormPerPosition(BatchNormAxesStyle):
    def axes(self, x):
        return (0,)


class BatchNormConstantStatistics(BatchNormRowsStyle):
    def input_gradient(self, e):
        return e * self.weights / np.sqrt(self.var_b + self.eps)


class BatchNormBatchStatisticsAtTest(BatchNormRowsStyle):
    def test_statistics(self, x):
        return np.mean(x, axis=0), np.var(x, axis=0)


class BatchNormMovingFromZerosAndOnes(BatchNormRowsStyle):
    def update_moving(self, mean, var):
        if self.moving_mean is None:
            self.moving_mean, self.moving_var = np.zeros(self.channels), np.ones(self.channels)
        self.moving_mean = self.alpha * self.moving_mean + (1 - self.alpha) * mean
        self.moving_var = self.alpha * self.moving_var + (1 - self.alpha) * var


class BatchNormMomentumSwapped(BatchNormRowsStyle):
    def __init__(self, channels):
        super().__init__(channels)
        self.alpha = 0.2


class BatchNormWithoutShift(BatchNormRowsStyle):
    def scale_and_shift(self, x_hat):
        return self.weights * x_hat


class BatchNormBackwardWithoutGamma(BatchNormRowsStyle):
    def input_gradient(self, e):
        saved, self.weights = self.weights, np.ones_like(self.weights)
        try:
            return super().input_gradient(e)
        finally:
            self.weights = saved


class BatchNormGammaGradientOfX(BatchNormRowsStyle):
    def parameter_gradients(self, e):
        return np.sum(e * self.x, axis=0), np.sum(e, axis=0)


class BatchNormTestWithoutRoot(BatchNormRowsStyle):
    def test_normalize(self, x, mean, var):
        return (x - mean) / (var + self.eps)


class BatchNormOptimizerNotApplied(BatchNormRowsStyle):
    def update(self):
        pass


class BatchNormOnly2D(BatchNormAxesStyle):
    def forward(self, x):
        if x.ndim != 2:
            raise ValueError("only 2-D input")
        return super().forward(x)


WRONG = {
    "bn-unbiased-variance": ("batch_normalization", BatchNormUnbiasedVariance),
    "bn-image-per-position": ("batch_normalization", BatchNormPerPosition),
    "bn-backward-constant-statistics": ("batch_normalization", BatchNormConstantStatistics),
    "bn-batch-statistics-at-test": ("batch_normalization", BatchNormBatchStatisticsAtTest),
    "bn-moving-average-start": ("batch_normalization", BatchNormMovingFromZerosAndOnes),
    "bn-momentum-swapped": ("batch_normalization", BatchNormMomentumSwapped),
    "bn-forward-wrong": ("batch_normalization", BatchNormWithoutShift),
    "bn-backward-wrong": ("batch_normalization", BatchNormBackwardWithoutGamma),
    "bn-parameter-gradients-wrong": ("batch_normalization", BatchNormGammaGradientOfX),
    "bn-test-phase-wrong": ("batch_normalization", BatchNormTestWithoutRoot),
    "bn-optimizer-not-applied": ("batch_normalization", BatchNormOptimizerNotApplied),
}

WRONG_ALSO = [("raises", "batch_normalization", BatchNormOnly2D)]

CORRECT = [("batch_normalization", BatchNormRowsStyle), ("batch_normalization", BatchNormAxesStyle)]
