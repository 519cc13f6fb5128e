"""The benchmark models on the rnnreg side: networks, data, hyper-parameters; NumPy and rnnreg only.

Every model is a ``NeuralNetwork`` trained with ``SgdWithMomentum`` and an ``L2Regularizer`` (the
exercise's rule: shrinkage outside momentum), fed pre-drawn batches so that rnnreg and PyTorch see the
same data at the same step and no data loading is timed. ``torch_models`` builds the PyTorch twin of a
case made here.
"""

import copy
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from rnnreg import (
    LSTM,
    RNN,
    BatchNormalization,
    Constant,
    Conv,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    FullyConnected,
    He,
    L2Loss,
    L2Regularizer,
    NeuralNetwork,
    Pooling,
    ReLU,
    SgdWithMomentum,
    SoftMax,
    Xavier,
)
from rnnreg.data import digits_data_layer

DTYPES = {"float64": np.float64, "float32": np.float32}

# Distinct batches cycled through by both libraries (step i uses batch i mod BATCH_COUNT).
BATCH_COUNT = 8
SEQUENCE_LENGTH = 50
RECURRENT_SIZES = {"input": 8, "hidden": 64, "output": 1}


@dataclass(frozen=True)
class Hyper:
    """The optimizer settings both libraries use: SGD with momentum, L2 shrinkage α outside momentum."""

    learning_rate: float
    momentum: float = 0.9
    alpha: float = 1e-4
    keep_probability: float = 0.8


@dataclass(frozen=True)
class ModelSpec:
    """One benchmark line: which network, at which batch size."""

    key: str
    title: str
    family: str
    batch: int


SPECS = (
    ModelSpec("mlp-64", "MLP 64-128-128-10", "mlp", 64),
    ModelSpec("mlp-256", "MLP 64-128-128-10", "mlp", 256),
    ModelSpec("conv-64", "Conv net, 8x8 digits", "conv", 64),
    ModelSpec("elman-32", "Elman RNN 8-64-1, T=50", "elman", 32),
    ModelSpec("lstm-32", "LSTM 8-64-1, T=50", "lstm", 32),
)


@dataclass
class RnnregCase:
    """A ready-to-train rnnreg network with its batches; ``step(i)`` is one timed training step."""

    spec: ModelSpec
    network: NeuralNetwork
    batches: list
    hyper: Hyper
    dtype: str
    loss_kind: str  # "cross_entropy" (SoftMax + CrossEntropyLoss) or "sum_of_squares" (L2Loss)
    notes: list = field(default_factory=list)

    def step(self, index):
        """One training step (forward, backward, update) on batch ``index`` mod the number of batches."""
        inputs, labels = self.batches[index % len(self.batches)]
        return self.network.train_step(inputs, labels)

    @property
    def dropout_layers(self):
        return [layer for layer in self.network.layers if isinstance(layer, Dropout)]


def spec_by_key(key):
    for spec in SPECS:
        if spec.key == key:
            return spec
    raise ValueError(f"unknown model {key!r}; choose from {', '.join(spec.key for spec in SPECS)}")


def build_case(spec, dtype="float64", seed=0, batch_count=BATCH_COUNT):
    """Build the rnnreg network and batches of ``spec`` in ``dtype`` ("float64" or "float32")."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
    builder = {"mlp": _build_mlp, "conv": _build_conv, "elman": _build_recurrent, "lstm": _build_recurrent}
    np.random.seed(seed)
    case = builder[spec.family](spec, seed, batch_count)
    _cast(case, DTYPES[dtype])
    case.dtype = dtype
    return case


def _network(hyper, weights_initializer, loss_layer):
    optimizer = SgdWithMomentum(hyper.learning_rate, hyper.momentum)
    optimizer.add_regularizer(L2Regularizer(hyper.alpha))
    network = NeuralNetwork(optimizer, weights_initializer, Constant(0.1))
    network.loss_layer = loss_layer
    return network


def _digit_batches(batch, flatten, seed, count):
    data = digits_data_layer(batch, flatten=flatten, drop_last=True, rng=np.random.default_rng(seed))
    return [data.next() for _ in range(count)]


def _build_mlp(spec, seed, batch_count):
    # The loss is summed over the batch, so the step size is scaled down by the batch size.
    hyper = Hyper(learning_rate=0.05 / spec.batch)
    network = _network(hyper, He(), CrossEntropyLoss())
    p = hyper.keep_probability
    for layer in (
        FullyConnected(64, 128), BatchNormalization(128), ReLU(), Dropout(p),
        FullyConnected(128, 128), BatchNormalization(128), ReLU(), Dropout(p),
        FullyConnected(128, 10), SoftMax(),
    ):  # fmt: skip
        network.append_layer(layer)
    batches = _digit_batches(spec.batch, True, seed, batch_count)
    return RnnregCase(spec, network, batches, hyper, "float64", "cross_entropy")


def _build_conv(spec, seed, batch_count):
    hyper = Hyper(learning_rate=0.05 / spec.batch)
    network = _network(hyper, He(), CrossEntropyLoss())
    for layer in (
        Conv(1, (1, 3, 3), 8), BatchNormalization(8), ReLU(), Pooling(2, 2),
        Flatten(), FullyConnected(8 * 4 * 4, 10), SoftMax(),
    ):  # fmt: skip
        network.append_layer(layer)
    batches = _digit_batches(spec.batch, False, seed, batch_count)
    return RnnregCase(spec, network, batches, hyper, "float64", "cross_entropy")


def _build_recurrent(spec, seed, batch_count):
    sizes = RECURRENT_SIZES
    hyper = Hyper(learning_rate=0.01 / (spec.batch * SEQUENCE_LENGTH))
    network = _network(hyper, Xavier(), L2Loss())
    layer_class = RNN if spec.family == "elman" else LSTM
    network.append_layer(layer_class(sizes["input"], sizes["hidden"], sizes["output"]))
    rng = np.random.default_rng(seed)
    batches = [
        (
            rng.standard_normal((spec.batch, SEQUENCE_LENGTH, sizes["input"])),
            rng.uniform(0.05, 0.95, (spec.batch, SEQUENCE_LENGTH, sizes["output"])),
        )
        for _ in range(batch_count)
    ]
    return RnnregCase(spec, network, batches, hyper, "float64", "sum_of_squares")


def _cast(case, dtype):
    """Put every trainable array and every batch into ``dtype`` (a no-op for float64)."""
    for layer in case.network.trainable_layers():
        for name in layer.parameter_names:
            setattr(layer, name, np.asarray(getattr(layer, name)).astype(dtype))
    case.batches = [(inputs.astype(dtype), labels.astype(dtype)) for inputs, labels in case.batches]


def parameter_items(network):
    """``[(label, layer, name), ...]`` for every trainable array, e.g. ``("0 FullyConnected.weights", ...)``."""
    return [
        (f"{index} {type(layer).__name__}.{name}", layer, name)
        for index, layer in enumerate(network.layers)
        if getattr(layer, "trainable", False)
        for name in layer.parameter_names
    ]


def dtype_leaks(case):
    """Where a float32 network leaves float32: a list of "place: dtype" strings (empty when none does).

    Runs one forward, loss, backward and update on a deep copy (the case is not changed) and looks at
    every layer's output, every error tensor, every gradient and every updated array.
    """
    expected = np.dtype(DTYPES[case.dtype])
    network = copy.deepcopy(case.network)
    network.phase = "train"
    inputs, labels = case.batches[0]
    leaks = []

    def look(place, array):
        dtype = np.asarray(array).dtype
        if dtype != expected:
            leaks.append(f"{place}: {dtype}")

    tensor = inputs
    for index, layer in enumerate(network.layers):
        tensor = layer.forward(tensor)
        look(f"{index} {type(layer).__name__}.forward output", tensor)
    network.loss_layer.forward(tensor, labels)
    error = network.loss_layer.backward(labels)
    look(f"{type(network.loss_layer).__name__}.backward output", error)
    for index in range(len(network.layers) - 1, -1, -1):
        layer = network.layers[index]
        error = layer.backward(error)
        look(f"{index} {type(layer).__name__}.backward output", error)
    for label, layer, name in parameter_items(network):
        look(f"{label} gradient", getattr(layer, f"gradient_{name}"))
        look(f"{label} after update", getattr(layer, name))
    return leaks


def layer_breakdown(case, steps, *, clock=time.perf_counter):
    """Milliseconds per step spent in each layer's forward, backward and update, and in the rest.

    Works on a deep copy of the case's network, whose layers' ``forward``/``backward``, optimizers'
    ``calculate_update`` and loss layer get timing wrappers (instance attributes: the library is not
    changed). "backward" excludes the update made inside it; "network" is what ``train_step`` spends
    outside the layers and the loss (regularization loss, finiteness checks, bookkeeping).

    Returns ``[(part, ms per step), ...]`` in the order of the layers.
    """
    network = copy.deepcopy(case.network)
    totals = defaultdict(float)

    def timed(label, function):
        def wrapper(*args, **kwargs):
            start = clock()
            try:
                return function(*args, **kwargs)
            finally:
                totals[label] += clock() - start

        return wrapper

    parts = []
    for index, layer in enumerate(network.layers):
        label = f"{index} {type(layer).__name__}"
        layer.forward = timed(f"{label} forward", layer.forward)
        layer.backward = timed(f"{label} backward", layer.backward)
        parts += [f"{label} forward", f"{label} backward"]
        if getattr(layer, "trainable", False):
            for optimizer in layer.optimizers.values():
                optimizer.calculate_update = timed(f"{label} update", optimizer.calculate_update)
            parts.append(f"{label} update")
    loss_name = type(network.loss_layer).__name__
    network.loss_layer.forward = timed(f"{loss_name} forward", network.loss_layer.forward)
    network.loss_layer.backward = timed(f"{loss_name} backward", network.loss_layer.backward)
    parts += [f"{loss_name} forward", f"{loss_name} backward"]

    start = clock()
    for index in range(steps):
        inputs, labels = case.batches[index % len(case.batches)]
        network.train_step(inputs, labels)
    total = clock() - start

    for index, layer in enumerate(network.layers):
        if getattr(layer, "trainable", False):
            totals[f"{index} {type(layer).__name__} backward"] -= totals[f"{index} {type(layer).__name__} update"]
    rest = total - sum(totals[part] for part in parts)
    breakdown = [(part, 1000.0 * totals[part] / steps) for part in parts]
    breakdown.append(("network (train_step outside layers and loss)", 1000.0 * rest / steps))
    return breakdown
