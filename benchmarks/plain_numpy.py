"""The benchmark MLP's training step written out in plain NumPy: no layers, no checks, no optimizer objects.

A reference for ``bench_plain.py``: how fast NumPy itself is at the lesson sizes, so that the MLP's
ratio to PyTorch can be split into what NumPy costs and what rnnreg's structure adds (validation, the
copy of each input, one object per layer and per optimizer). It is the same maths as the rnnreg network
of ``models._build_mlp`` (FullyConnected, BatchNormalization, ReLU, Dropout twice, then FullyConnected,
SoftMax, cross-entropy; SGD with momentum and the exercise's L2 shrinkage outside momentum), written as
a NumPy user would write it in one function: every array in one pass where NumPy allows, the softmax and
cross-entropy gradients fused into ŷ − y, the moving statistics of BatchNorm kept as rnnreg keeps them.
Dropout masks come from NumPy's global state exactly as rnnreg draws them, so after the same
``np.random.seed`` both compute the same step.
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
        scale = (np.random.randint(0, 2**32, activated.shape, dtype=np.uint32) < round(keep * 2**32)) / keep
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
        """v ← μ v − η g;  w ← w + v − η α w  (the exercise's L2 shrinkage outside momentum), in place."""
        shrink = 1.0 - self.learning_rate * self.alpha
        for weights, velocity, gradient in zip(self.parameters, self.velocity, gradients, strict=True):
            velocity *= self.momentum
            velocity -= self.learning_rate * gradient
            weights *= shrink
            weights += velocity
