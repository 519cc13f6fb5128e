"""The PyTorch twin of an rnnreg benchmark case: the same layers, weights, data, dtype and update rule.

``translate(case)`` reads the rnnreg network layer by layer and builds the matching PyTorch modules,
copying every array into them with the layouts of docs/rnnreg-vs-pytorch.md:

- FullyConnected weights (D + 1, K), bias last  ->  nn.Linear weight (K, D) = W[:D]ᵀ, bias = W[D];
- Conv weights (K, C, m, n) and bias (K,)      ->  nn.Conv2d (same layout, padding (m − 1)//2);
- BatchNormalization γ, β (ε = 1e-10)          ->  nn.BatchNorm1d / 2d(eps=1e-10, momentum=1 − a);
- Pooling(s, p), Flatten, ReLU                 ->  nn.MaxPool2d, nn.Flatten, nn.ReLU;
- Dropout(p kept)                              ->  ``MaskedDropout``: F.dropout(x, 1 − p) while timing,
                                                   x · (M / p) with rnnreg's own mask M for the check;
- SoftMax + CrossEntropyLoss (summed)          ->  logits into F.cross_entropy(reduction="sum")
                                                   (log-softmax + negative log-likelihood);
- RNN / LSTM with their sigmoid output layer   ->  nn.RNN / nn.LSTM(batch_first=True) + nn.Linear +
                                                   sigmoid; rnnreg's one bias row goes to bias_ih, bias_hh
                                                   is zero and frozen; LSTM gate blocks f, i, c̃, o are
                                                   reordered to PyTorch's i, f, g, o;
- L2Loss                                       ->  F.mse_loss(reduction="sum").

The optimizer is written out by hand under ``torch.no_grad()``, because rnnreg's rule is not one of
PyTorch's built-in ones: v ← μ v − η g, then w ← w − η α w + v for every trainable array (biases,
γ and β included, as each rnnreg array carries its own copy of the regularized optimizer).
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from benchmarks.harness import CheckResult, compare_arrays
from rnnreg import (
    LSTM,
    RNN,
    BatchNormalization,
    Conv,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    FullyConnected,
    L2Loss,
    Pooling,
    ReLU,
    SoftMax,
)

TORCH_DTYPES = {"float64": torch.float64, "float32": torch.float32}


class MaskedDropout(nn.Module):
    """Inverted dropout that keeps a fraction ``keep_probability``; ``scale`` (M / p) replaces the draw.

    With ``scale`` None it is PyTorch's own dropout, F.dropout(x, 1 − p), the idiomatic (and timed)
    path. For the first-step check ``scale`` holds rnnreg's mask divided by p, built exactly as rnnreg
    builds it, so both libraries multiply by the same numbers.
    """

    def __init__(self, keep_probability):
        super().__init__()
        self.keep_probability = keep_probability
        self.scale = None

    def forward(self, x):
        if self.scale is not None:
            return x * self.scale
        return F.dropout(x, p=1.0 - self.keep_probability, training=self.training)


class Recurrent(nn.Module):
    """nn.RNN or nn.LSTM followed by rnnreg's built-in output layer y_t = σ(W_y [h_t, 1])."""

    def __init__(self, kind, input_size, hidden_size, output_size):
        super().__init__()
        cell = nn.RNN if kind == "elman" else nn.LSTM
        self.recurrent = cell(input_size, hidden_size, batch_first=True)
        self.output = nn.Linear(hidden_size, output_size)
        # rnnreg has one bias row; it goes to bias_ih, and bias_hh stays a frozen zero.
        with torch.no_grad():
            self.recurrent.bias_hh_l0.zero_()
        self.recurrent.bias_hh_l0.requires_grad_(False)

    def forward(self, x):
        hidden, _ = self.recurrent(x)
        return torch.sigmoid(self.output(hidden))


# --------------------------------------------------------------------------------------- weight bridges


def _tensor(array, dtype):
    return torch.from_numpy(np.ascontiguousarray(array)).to(dtype)


def _array(tensor):
    return tensor.detach().cpu().numpy().astype(np.float64)


def _gate_order(hidden_size):
    """Column indices that reorder rnnreg's gate blocks (f, i, c̃, o) to PyTorch's (i, f, g, o).

    Swapping the first two blocks is its own inverse, so the same indices map back.
    """
    H = hidden_size
    return np.concatenate([np.arange(block * H, (block + 1) * H) for block in (1, 0, 2, 3)])


class Bridge:
    """Links one rnnreg layer to its PyTorch module: copy weights in, read values and gradients back.

    ``values()`` and ``gradients()`` return ``{name: array}`` in rnnreg's layout, one entry per name of
    the layer's ``parameter_names``; ``regularized()`` lists the PyTorch tensors that make up rnnreg's
    ``layer.weights`` (the array the network's regularization loss is taken of).
    """

    def __init__(self, layer, module):
        self.layer = layer
        self.module = module

    def copy_in(self, dtype):
        """Copy rnnreg's arrays into the module."""

    def values(self):
        return {}

    def gradients(self):
        return {}

    def regularized(self):
        return []


class LinearBridge(Bridge):
    def copy_in(self, dtype):
        weights = np.asarray(self.layer.weights)
        with torch.no_grad():
            self.module.weight.copy_(_tensor(weights[:-1].T, dtype))
            self.module.bias.copy_(_tensor(weights[-1], dtype))

    @staticmethod
    def _stack(weight, bias):
        return {"weights": np.vstack([_array(weight).T, _array(bias)[np.newaxis]])}

    def values(self):
        return self._stack(self.module.weight, self.module.bias)

    def gradients(self):
        return self._stack(self.module.weight.grad, self.module.bias.grad)

    def regularized(self):
        return [self.module.weight, self.module.bias]


class DirectBridge(Bridge):
    """Conv and BatchNormalization: ``weights`` ↔ ``weight`` and ``bias`` ↔ ``bias``, same layout."""

    def copy_in(self, dtype):
        with torch.no_grad():
            self.module.weight.copy_(_tensor(self.layer.weights, dtype))
            self.module.bias.copy_(_tensor(self.layer.bias, dtype))

    def values(self):
        return {"weights": _array(self.module.weight), "bias": _array(self.module.bias)}

    def gradients(self):
        return {"weights": _array(self.module.weight.grad), "bias": _array(self.module.bias.grad)}

    def regularized(self):
        return [self.module.weight]


class RecurrentBridge(Bridge):
    """RNN / LSTM ``weights`` (D + H + 1, G·H), rows [x, h, 1], and ``output_weights`` (H + 1, K)."""

    def _order(self):
        G = self.layer.gate_count
        return _gate_order(self.layer.hidden_size) if G == 4 else np.arange(self.layer.hidden_size)

    def copy_in(self, dtype):
        D, H = self.layer.input_size, self.layer.hidden_size
        weights = np.asarray(self.layer.weights)[:, self._order()]
        output_weights = np.asarray(self.layer.output_weights)
        recurrent = self.module.recurrent
        with torch.no_grad():
            recurrent.weight_ih_l0.copy_(_tensor(weights[:D].T, dtype))
            recurrent.weight_hh_l0.copy_(_tensor(weights[D : D + H].T, dtype))
            recurrent.bias_ih_l0.copy_(_tensor(weights[D + H], dtype))
            recurrent.bias_hh_l0.zero_()
            self.module.output.weight.copy_(_tensor(output_weights[:H].T, dtype))
            self.module.output.bias.copy_(_tensor(output_weights[H], dtype))

    def _layout(self, weight_ih, weight_hh, bias, output_weight, output_bias):
        stacked = np.vstack([_array(weight_ih).T, _array(weight_hh).T, _array(bias)[np.newaxis]])
        output = np.vstack([_array(output_weight).T, _array(output_bias)[np.newaxis]])
        return {"weights": stacked[:, self._order()], "output_weights": output}

    def values(self):
        r = self.module.recurrent
        bias = r.bias_ih_l0 + r.bias_hh_l0
        return self._layout(r.weight_ih_l0, r.weight_hh_l0, bias, self.module.output.weight, self.module.output.bias)

    def gradients(self):
        r, out = self.module.recurrent, self.module.output
        # bias_hh is frozen at zero, so rnnreg's bias row is bias_ih alone, and so is its gradient.
        return self._layout(r.weight_ih_l0.grad, r.weight_hh_l0.grad, r.bias_ih_l0.grad, out.weight.grad, out.bias.grad)

    def regularized(self):
        r = self.module.recurrent
        return [r.weight_ih_l0, r.weight_hh_l0, r.bias_ih_l0]


class DropoutBridge(Bridge):
    def share_mask(self, numpy_dtype):
        """Make the module multiply by rnnreg's last mask / p, built as rnnreg builds it (in its dtype)."""
        scale = self.layer.mask.astype(numpy_dtype)
        scale /= self.layer.probability
        self.module.scale = torch.from_numpy(scale)

    def release_mask(self):
        self.module.scale = None


# ------------------------------------------------------------------------------------------- the case


class TorchCase:
    """The PyTorch model of an rnnreg case, with its batches and a hand-written rnnreg-rule optimizer."""

    def __init__(self, case, model, bridges, loss_kind):
        self.case = case
        self.model = model
        self.bridges = bridges
        self.loss_kind = loss_kind
        self.dtype = TORCH_DTYPES[case.dtype]
        self.hyper = case.hyper
        self.parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
        self.velocities = [torch.zeros_like(parameter) for parameter in self.parameters]
        self.regularized = [tensor for bridge in bridges for tensor in bridge.regularized()]
        self.batches = [self._batch(inputs, labels) for inputs, labels in case.batches]
        model.train()

    def _batch(self, inputs, labels):
        x = torch.from_numpy(inputs).to(self.dtype)
        if self.loss_kind == "cross_entropy":
            return x, torch.from_numpy(np.argmax(labels, axis=1))
        return x, torch.from_numpy(labels).to(self.dtype)

    def copy_weights(self):
        """Copy the rnnreg network's current arrays into the model; velocities start again at zero."""
        for bridge in self.bridges:
            bridge.copy_in(self.dtype)
        for velocity in self.velocities:
            velocity.zero_()

    def loss(self, output, target):
        if self.loss_kind == "cross_entropy":
            return F.cross_entropy(output, target, reduction="sum")
        return F.mse_loss(output, target, reduction="sum")

    def step(self, index):
        """One training step (forward, backward, update) on batch ``index``; returns the total loss.

        The total loss is data loss + α Σ w² over the arrays rnnreg's regularization loss covers, taken
        of the weights before the update, as ``NeuralNetwork.train_step`` reports it.
        """
        x, target = self.batches[index % len(self.batches)]
        for parameter in self.parameters:
            parameter.grad = None
        data_loss = self.loss(self.model(x), target)
        data_loss.backward()
        hyper = self.hyper
        shrink = 1.0 - hyper.learning_rate * hyper.alpha
        with torch.no_grad():
            regularization = hyper.alpha * sum(torch.sum(tensor * tensor) for tensor in self.regularized)
            for parameter, velocity in zip(self.parameters, self.velocities, strict=True):
                velocity.mul_(hyper.momentum).add_(parameter.grad, alpha=-hyper.learning_rate)
                parameter.mul_(shrink).add_(velocity)
        return data_loss.item() + float(regularization)


def translate(case):
    """Build the ``TorchCase`` of an rnnreg ``case`` with a copy of its current weights."""
    dtype = TORCH_DTYPES[case.dtype]
    layers = case.network.layers
    modules, bridges = [], []
    spatial = False  # True between a Conv and the Flatten: BatchNorm then is BatchNorm2d
    for index, layer in enumerate(layers):
        if isinstance(layer, FullyConnected):
            module = nn.Linear(layer.input_size, layer.output_size)
            bridges.append(LinearBridge(layer, module))
        elif isinstance(layer, BatchNormalization):
            norm = nn.BatchNorm2d if spatial else nn.BatchNorm1d
            module = norm(layer.channels, eps=layer.epsilon, momentum=1.0 - layer.momentum)
            bridges.append(DirectBridge(layer, module))
        elif isinstance(layer, Conv):
            if layer.spatial_dims != 2 or any(extent % 2 == 0 for extent in layer.kernel_shape):
                raise NotImplementedError("the benchmark translates 2-D Conv layers with odd kernels only")
            channels, m, n = layer.convolution_shape
            module = nn.Conv2d(
                channels, layer.num_kernels, (m, n), stride=layer.stride_shape, padding=((m - 1) // 2, (n - 1) // 2)
            )
            bridges.append(DirectBridge(layer, module))
            spatial = True
        elif isinstance(layer, Pooling):
            module = nn.MaxPool2d(layer.pooling_shape, stride=layer.stride_shape)
        elif isinstance(layer, Flatten):
            module = nn.Flatten()
            spatial = False
        elif isinstance(layer, ReLU):
            module = nn.ReLU()
        elif isinstance(layer, Dropout):
            module = MaskedDropout(layer.probability)
            bridges.append(DropoutBridge(layer, module))
        elif isinstance(layer, SoftMax):
            if index != len(layers) - 1 or not isinstance(case.network.loss_layer, CrossEntropyLoss):
                raise NotImplementedError("SoftMax is translated only as the last layer before CrossEntropyLoss")
            continue  # F.cross_entropy takes the logits
        elif isinstance(layer, (RNN, LSTM)):
            kind = "elman" if isinstance(layer, RNN) else "lstm"
            module = Recurrent(kind, layer.input_size, layer.hidden_size, layer.output_size)
            bridges.append(RecurrentBridge(layer, module))
        else:
            raise NotImplementedError(f"no PyTorch translation for {type(layer).__name__}")
        modules.append(module)
    loss_layer = case.network.loss_layer
    if isinstance(loss_layer, CrossEntropyLoss):
        loss_kind = "cross_entropy"
    elif isinstance(loss_layer, L2Loss):
        loss_kind = "sum_of_squares"
    else:
        raise NotImplementedError(f"no PyTorch translation for the loss {type(loss_layer).__name__}")
    model = nn.Sequential(*modules).to(dtype)
    torch_case = TorchCase(case, model, bridges, loss_kind)
    torch_case.copy_weights()
    return torch_case


# ------------------------------------------------------------------------------------ first-step check


def first_step_check(case, torch_case, tolerance):
    """Run ONE training step in both libraries from the same weights and compare loss, gradients, weights.

    The rnnreg step runs first; its dropout masks are then handed to the PyTorch model, so both drop the
    same units. Afterwards the two models hold the same weights and velocities (up to rounding) and the
    PyTorch dropout draws its own masks again. Returns a ``harness.CheckResult``.
    """
    network = case.network
    torch_case.copy_weights()
    network.phase = "train"
    rnnreg_loss = case.step(0)
    numpy_dtype = np.dtype(case.dtype)
    dropout_bridges = [bridge for bridge in torch_case.bridges if isinstance(bridge, DropoutBridge)]
    for bridge in dropout_bridges:
        bridge.share_mask(numpy_dtype)
    try:
        torch_loss = torch_case.step(0)
    finally:
        for bridge in dropout_bridges:
            bridge.release_mask()

    gradients, weights, groups = {}, {}, {}
    for bridge in torch_case.bridges:
        layer = bridge.layer
        if not getattr(layer, "trainable", False):
            continue
        index = next(i for i, candidate in enumerate(network.layers) if candidate is layer)
        torch_gradients, torch_values = bridge.gradients(), bridge.values()
        for name in layer.parameter_names:
            label = f"{index} {type(layer).__name__}.{name}"
            gradients[label] = (torch_gradients[name], getattr(layer, f"gradient_{name}"))
            weights[label] = (torch_values[name], getattr(layer, name))
            groups[label] = index
    # Each array relative to the largest entry of its layer: see harness.compare_arrays.
    gradient_difference, worst_gradient, gradient_details = compare_arrays(gradients, groups)
    weight_difference, worst_weight, weight_details = compare_arrays(weights, groups)
    return CheckResult(
        loss=abs(torch_loss - rnnreg_loss) / max(abs(rnnreg_loss), np.finfo(float).tiny),
        gradients=gradient_difference,
        weights=weight_difference,
        tolerance=tolerance,
        worst_gradient=worst_gradient,
        worst_weight=worst_weight,
        details={
            "rnnreg_loss": rnnreg_loss,
            "torch_loss": torch_loss,
            "gradients": gradient_details,
            "weights": weight_details,
        },
    )
