"""The benchmark models' training steps written out in plain NumPy: no layers, no checks, no optimizer objects.

References for ``bench_plain.py``: how fast NumPy itself is at the lesson sizes, so that a model's ratio
to PyTorch can be split into what NumPy costs and what rnnreg's structure adds (validation, the copy of
each input, one object per layer and per optimizer, the step functions of the recurrent cells).

``PlainMlp`` is the same maths as the rnnreg network of ``models._build_mlp`` (FullyConnected,
BatchNormalization, ReLU, Dropout twice, then FullyConnected, SoftMax, cross-entropy; SGD with momentum
and the exercise's L2 shrinkage outside momentum), written as a NumPy user would write it in one
function: every array in one pass where NumPy allows, the softmax and cross-entropy gradients fused into
ŷ − y, the moving statistics of BatchNorm kept as rnnreg keeps them. Dropout masks come from NumPy's
global state exactly as rnnreg draws them, so after the same ``np.random.seed`` both compute the same step.

``PlainElman`` and ``PlainLstm`` are the recurrent models of ``models._build_recurrent`` (RNN or LSTM
8-64-1 with its sigmoid output layer, the sum of squared errors, the same update rule), each step one
function: forward over time, back-propagation through time and the update, with time-major arrays
allocated once per step and the gates of all four LSTM blocks read from one (N, 4H) pre-activation.
"""

import numpy as np

from rnnreg import BatchNormalization, CrossEntropyLoss, Dropout, FullyConnected

EPSILON_BATCH_NORM = BatchNormalization.epsilon
EPSILON_LOG = CrossEntropyLoss.epsilon


class PlainMlp:
    """Plain NumPy twin of an rnnreg MLP benchmark case (``models.build_case`` with family "mlp").

    ``step(i)`` trains on the case's batch ``i`` and returns the total loss, as ``case.step(i)`` does.
    ``parameters`` lists the arrays in the order of the rnnreg network's trainable arrays.
    """

    def __init__(self, case):
        if case.spec.family != "mlp":
            raise ValueError(f"PlainMlp needs an MLP case, got family {case.spec.family!r}")
        layers = case.network.layers
        self.batches = case.batches
        self.dense = [np.array(layer.weights) for layer in layers if isinstance(layer, FullyConnected)]
        norms = [layer for layer in layers if isinstance(layer, BatchNormalization)]
        self.gamma = [np.array(layer.weights) for layer in norms]
        self.beta = [np.array(layer.bias) for layer in norms]
        self.moving = [None for _ in norms]
        self.momentum_bn = [layer.momentum for layer in norms]
        self.keep = [layer.probability for layer in layers if isinstance(layer, Dropout)]
        hyper = case.hyper
        self.learning_rate, self.momentum, self.alpha = hyper.learning_rate, hyper.momentum, hyper.alpha
        self.velocity = [np.zeros_like(array) for array in self.parameters]

    @property
    def parameters(self):
        """Every trained array, in the order of the rnnreg network (dense, gamma, beta per block, dense)."""
        blocks = [[self.dense[k], self.gamma[k], self.beta[k]] for k in range(len(self.gamma))]
        return [array for block in blocks for array in block] + [self.dense[-1]]

    def step(self, index):
        inputs, labels = self.batches[index % len(self.batches)]
        regularization = self.alpha * sum(float(np.vdot(w, w)) for w in (*self.dense, *self.gamma))
        tensor, records = inputs, []
        for k in range(len(self.gamma)):
            tensor, record = self._hidden_block_forward(k, tensor)
            records.append(record)
        weights = self.dense[-1]
        logits = tensor @ weights[:-1] + weights[-1]
        exponentials = np.exp(logits - logits.max(axis=1, keepdims=True))
        prediction = exponentials / exponentials.sum(axis=1, keepdims=True)
        data_loss = -float(np.vdot(labels, np.log(prediction + EPSILON_LOG)))

        error = prediction - labels  # softmax and cross-entropy together
        gradients = [None] * (3 * len(self.gamma) + 1)
        gradients[-1] = np.vstack([tensor.T @ error, error.sum(axis=0)])
        error = error @ weights[:-1].T
        for k in reversed(range(len(self.gamma))):
            error, gradients[3 * k: 3 * k + 3] = self._hidden_block_backward(k, error, records[k], need_input=k > 0)
        self._update(gradients)
        return data_loss + regularization

    def _hidden_block_forward(self, k, inputs):
        """FullyConnected → BatchNormalization (batch statistics) → ReLU → Dropout."""
        weights = self.dense[k]
        dense = inputs @ weights[:-1] + weights[-1]
        mean = dense.mean(axis=0)
        centered = dense - mean
        variance = np.einsum("ij,ij->j", centered, centered) / len(dense)
        inverse_std = 1.0 / np.sqrt(variance + EPSILON_BATCH_NORM)
        normalized = centered * inverse_std
        self._update_moving(k, mean, variance)
        activated = np.maximum(self.gamma[k] * normalized + self.beta[k], 0.0)
        keep = self.keep[k]
        scale = (np.random.random(activated.shape) < keep) / keep  # rnnreg's mask M = (u < p), times 1/p
        return activated * scale, (inputs, normalized, inverse_std, activated > 0, scale)

    def _hidden_block_backward(self, k, error, record, need_input):
        inputs, normalized, inverse_std, active, scale = record
        error = error * scale * active
        gradient_gamma = np.einsum("ij,ij->j", error, normalized)
        gradient_beta = error.sum(axis=0)
        count = len(error)
        error = (self.gamma[k] * inverse_std) * (error - gradient_beta / count - normalized * (gradient_gamma / count))
        gradient_dense = np.vstack([inputs.T @ error, error.sum(axis=0)])
        error_input = error @ self.dense[k][:-1].T if need_input else None
        return error_input, [gradient_dense, gradient_gamma, gradient_beta]

    def _update_moving(self, k, mean, variance):
        if self.moving[k] is None:
            self.moving[k] = (mean, variance)
            return
        a = self.momentum_bn[k]
        moving_mean, moving_variance = self.moving[k]
        self.moving[k] = (a * moving_mean + (1 - a) * mean, a * moving_variance + (1 - a) * variance)

    def _update(self, gradients):
        _update(self.parameters, self.velocity, gradients, self.learning_rate, self.momentum, self.alpha)


def _update(parameters, velocities, gradients, learning_rate, momentum, alpha):
    """v ← μ v − η g;  w ← w + v − η α w  (the exercise's L2 shrinkage outside momentum), in place."""
    shrink = 1.0 - learning_rate * alpha
    for weights, velocity, gradient in zip(parameters, velocities, gradients, strict=True):
        velocity *= momentum
        velocity -= learning_rate * gradient
        weights *= shrink
        weights += velocity


class _PlainRecurrent:
    """What the Elman and LSTM twins share: the arrays of the case's one recurrent layer and the update.

    ``step(i)`` trains on the case's batch ``i`` and returns the total loss, as ``case.step(i)`` does;
    ``parameters`` are [W, W_y] (``weights`` and ``output_weights`` of the rnnreg layer).
    """

    family = None

    def __init__(self, case):
        if case.spec.family != self.family:
            raise ValueError(f"{type(self).__name__} needs an {self.family} case, got family {case.spec.family!r}")
        layer = case.network.layers[0]
        self.batches = case.batches
        self.parameters = [np.array(layer.weights), np.array(layer.output_weights)]
        hyper = case.hyper
        self.learning_rate, self.momentum, self.alpha = hyper.learning_rate, hyper.momentum, hyper.alpha
        self.velocity = [np.zeros_like(array) for array in self.parameters]

    def _update(self, gradients):
        _update(self.parameters, self.velocity, gradients, self.learning_rate, self.momentum, self.alpha)


class PlainElman(_PlainRecurrent):
    """Plain NumPy twin of the Elman benchmark case: h_t = tanh([x_t, h_{t−1}, 1] W), y_t = σ([h_t, 1] W_y)."""

    family = "elman"

    def step(self, index):
        inputs, targets = self.batches[index % len(self.batches)]
        W, W_y = self.parameters
        N, T, D = inputs.shape
        H = W.shape[1]
        regularization = self.alpha * float(np.vdot(W, W))
        x = inputs.transpose(1, 0, 2)  # time-major (T, N, D)
        xw = x @ W[:D]
        xw += W[D + H]
        h = np.zeros((T + 1, N, H), dtype=W.dtype)  # h[0] = 0, the start
        for t in range(T):
            h[t + 1] = np.tanh(xw[t] + h[t] @ W[D : D + H])
        y = 1 / (1 + np.exp(-(h[1:] @ W_y[:H] + W_y[H])))
        difference = y - targets.transpose(1, 0, 2)
        data_loss = float(np.vdot(difference, difference))

        dz = 2 * difference * y * (1 - y)  # through the loss (2 (y − target)) and the output sigmoid
        dh_from_y = dz @ W_y[:H].T
        da = np.empty((T, N, H), dtype=W.dtype)
        dh_next = np.zeros((N, H), dtype=W.dtype)
        for t in reversed(range(T)):
            da[t] = (dh_from_y[t] + dh_next) * (1 - h[t + 1] ** 2)
            dh_next = da[t] @ W[D : D + H].T
        da, dz = da.reshape(T * N, H), dz.reshape(T * N, -1)
        gradient = np.vstack([x.reshape(T * N, D).T @ da, h[:-1].reshape(T * N, H).T @ da, da.sum(axis=0)])
        gradient_output = np.vstack([h[1:].reshape(T * N, H).T @ dz, dz.sum(axis=0)])
        self._update([gradient, gradient_output])
        return data_loss + regularization


class PlainLstm(_PlainRecurrent):
    """Plain NumPy twin of the LSTM benchmark case (gate blocks f, i, c̃, o as in rnnreg's ``weights``)."""

    family = "lstm"

    def step(self, index):
        inputs, targets = self.batches[index % len(self.batches)]
        W, W_y = self.parameters
        N, T, D = inputs.shape
        H = W.shape[1] // 4
        regularization = self.alpha * float(np.vdot(W, W))
        x = inputs.transpose(1, 0, 2)  # time-major (T, N, D)
        xw = x @ W[:D]
        xw += W[D + H]
        h = np.zeros((T + 1, N, H), dtype=W.dtype)  # h[0] = c[0] = 0, the start
        c = np.zeros((T + 1, N, H), dtype=W.dtype)
        gates = np.empty((T, N, 4 * H), dtype=W.dtype)  # f, i, c̃, o side by side
        tanh_c = np.empty((T, N, H), dtype=W.dtype)
        for t in range(T):
            a = xw[t] + h[t] @ W[D : D + H]
            gates[t] = 1 / (1 + np.exp(-a))
            gates[t, :, 2 * H : 3 * H] = np.tanh(a[:, 2 * H : 3 * H])
            f, i, g, o = (gates[t, :, k * H : (k + 1) * H] for k in range(4))
            c[t + 1] = f * c[t] + i * g
            tanh_c[t] = np.tanh(c[t + 1])
            h[t + 1] = o * tanh_c[t]
        y = 1 / (1 + np.exp(-(h[1:] @ W_y[:H] + W_y[H])))
        difference = y - targets.transpose(1, 0, 2)
        data_loss = float(np.vdot(difference, difference))

        dz = 2 * difference * y * (1 - y)
        dh_from_y = dz @ W_y[:H].T
        da = np.empty((T, N, 4 * H), dtype=W.dtype)
        dh_next = np.zeros((N, H), dtype=W.dtype)
        dc_next = np.zeros((N, H), dtype=W.dtype)
        for t in reversed(range(T)):
            f, i, g, o = (gates[t, :, k * H : (k + 1) * H] for k in range(4))
            dh = dh_from_y[t] + dh_next
            dc = dc_next + dh * o * (1 - tanh_c[t] ** 2)
            da[t, :, :H] = dc * c[t] * f * (1 - f)
            da[t, :, H : 2 * H] = dc * g * i * (1 - i)
            da[t, :, 2 * H : 3 * H] = dc * i * (1 - g**2)
            da[t, :, 3 * H :] = dh * tanh_c[t] * o * (1 - o)
            dh_next = da[t] @ W[D : D + H].T
            dc_next = dc * f
        da, dz = da.reshape(T * N, 4 * H), dz.reshape(T * N, -1)
        gradient = np.vstack([x.reshape(T * N, D).T @ da, h[:-1].reshape(T * N, H).T @ da, da.sum(axis=0)])
        gradient_output = np.vstack([h[1:].reshape(T * N, H).T @ dz, dz.sum(axis=0)])
        self._update([gradient, gradient_output])
        return data_loss + regularization


PLAIN_TWINS = {"mlp": PlainMlp, "elman": PlainElman, "lstm": PlainLstm}


def plain_twin(case):
    """The plain NumPy twin of an rnnreg benchmark case (made from its current arrays)."""
    return PLAIN_TWINS[case.spec.family](case)
