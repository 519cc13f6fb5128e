"""Save and load a NeuralNetwork as one ``.npz`` file: arrays plus JSON metadata, never pickle.

Layout of the file:

- ``metadata``: a JSON string with the format name and version, the network's optimizer (with its
  regularizer), initializers, loss layer, phase, and one entry per layer (class, constructor config,
  the optimizer of each trainable array);
- ``layers/<i>/<name>``: every trainable array and buffer of layer i (weights, bias, moving statistics, ...);
- ``optimizers/<i>/<name>/<key>``: the optimizer state of array ``name`` of layer i (velocity, moments);
- ``loss``: the network's loss history.

Only rnnreg's own classes can be saved and loaded, so a file can never make the loader run foreign code.
"""

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from rnnreg.layers.activations import ReLU, Sigmoid, SoftMax, TanH
from rnnreg.layers.batch_normalization import BatchNormalization
from rnnreg.layers.conv import Conv
from rnnreg.layers.dropout import Dropout
from rnnreg.layers.flatten import Flatten
from rnnreg.layers.fully_connected import FullyConnected
from rnnreg.layers.initializers import Constant, He, UniformRandom, Xavier
from rnnreg.layers.lstm import LSTM
from rnnreg.layers.pooling import Pooling
from rnnreg.layers.rnn import RNN
from rnnreg.layers.sequence import LastTimeStep
from rnnreg.optim.constraints import L1Regularizer, L2Regularizer
from rnnreg.optim.loss import CrossEntropyLoss, L2Loss
from rnnreg.optim.optimizers import Adam, Sgd, SgdWithMomentum

FORMAT = "rnnreg.network"
VERSION = 1

KNOWN_CLASSES = {
    cls.__name__: cls
    for cls in (
        FullyConnected, ReLU, TanH, Sigmoid, SoftMax, Flatten, Conv, Pooling, Dropout, BatchNormalization, RNN,
        LSTM, Constant, UniformRandom, Xavier, He, Sgd, SgdWithMomentum, Adam, L1Regularizer, L2Regularizer,
        CrossEntropyLoss, L2Loss, LastTimeStep,
    )
}


def save_network(network, path, *, overwrite=False):
    """Write ``network`` to ``path`` (see the module docstring); return the path as a ``Path``."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    arrays = {"loss": np.asarray(network.loss, dtype=np.float64)}
    layer_entries = []
    for index, layer in enumerate(network.layers):
        layer_entries.append(_layer_entry(index, layer, arrays))
    metadata = {
        "format": FORMAT,
        "version": VERSION,
        "optimizer": _optimizer_spec(network.optimizer),
        "weights_initializer": _spec(network.weights_initializer),
        "bias_initializer": _spec(network.bias_initializer),
        "loss_layer": None if network.loss_layer is None else _spec(network.loss_layer),
        "phase": network.phase,
        "dtype": None if getattr(network, "dtype", None) is None else str(network.dtype),
        "layers": layer_entries,
    }
    arrays["metadata"] = np.array(json.dumps(metadata))
    _write_atomically(path, arrays)
    return path


def load_network(path, network_class):
    """Read a file written by ``save_network`` and return a new ``network_class`` instance."""
    arrays = _read_arrays(path)
    metadata = _read_metadata(path, arrays)
    try:
        network = network_class(
            _build_optimizer(metadata["optimizer"]),
            _build(metadata["weights_initializer"]),
            _build(metadata["bias_initializer"]),
            # Files written before the dtype option have no entry: None, the default.
            dtype=metadata.get("dtype"),
        )
        if metadata["loss_layer"] is not None:
            network.loss_layer = _build(metadata["loss_layer"])
        network.layers = [_restore_layer(index, entry, arrays) for index, entry in enumerate(metadata["layers"])]
        network.loss = arrays["loss"].tolist()
        network.phase = metadata["phase"]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path} is not a valid rnnreg network file: {error}") from error
    return network


def _spec(obj):
    """Class name and constructor config of one of rnnreg's own objects."""
    name = type(obj).__name__
    if KNOWN_CLASSES.get(name) is not type(obj):
        raise TypeError(f"cannot save an object of class {name}: only rnnreg's own classes can be saved")
    return {"class": name, "config": obj.config() if hasattr(obj, "config") else {}}


def _optimizer_spec(optimizer):
    spec = _spec(optimizer)
    regularizer = optimizer.regularizer
    spec["regularizer"] = None if regularizer is None else _spec(regularizer)
    spec["regularize_gradient"] = optimizer.regularize_gradient
    return spec


def _build(spec):
    name = spec["class"]
    if name not in KNOWN_CLASSES:
        raise ValueError(f"unknown class {name!r}")
    return KNOWN_CLASSES[name](**spec["config"])


def _build_optimizer(spec):
    optimizer = _build(spec)
    if spec["regularizer"] is not None:
        optimizer.add_regularizer(_build(spec["regularizer"]), into_gradient=spec["regularize_gradient"])
    return optimizer


def _layer_entry(index, layer, arrays):
    """Describe ``layer`` for the metadata and put its arrays into ``arrays``."""
    entry = _spec(layer)
    entry["testing_phase"] = bool(layer.testing_phase)
    for name in (*layer.parameter_names, *layer.buffer_names):
        value = getattr(layer, name, None)
        if value is not None:
            arrays[f"layers/{index}/{name}"] = np.asarray(value)
    if getattr(layer, "optimizer", None) is not None:
        entry["optimizer"] = _optimizer_spec(layer.optimizer)
        entry["array_optimizers"] = {}
        for name, optimizer in layer.optimizers.items():
            entry["array_optimizers"][name] = _optimizer_spec(optimizer)
            for key, value in optimizer.state_arrays().items():
                arrays[f"optimizers/{index}/{name}/{key}"] = value
    return entry


def _restore_layer(index, entry, arrays):
    layer = _build(entry)
    layer.testing_phase = entry["testing_phase"]
    for name in (*layer.parameter_names, *layer.buffer_names):
        key = f"layers/{index}/{name}"
        if key in arrays:
            setattr(layer, name, arrays[key])
    if "optimizer" in entry:
        layer.optimizer = _build_optimizer(entry["optimizer"])
        for name, spec in entry["array_optimizers"].items():
            optimizer = _build_optimizer(spec)
            prefix = f"optimizers/{index}/{name}/"
            optimizer.load_state_arrays(
                {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}
            )
            layer.optimizers[name] = optimizer
    return layer


def _write_atomically(path, arrays):
    """Write to a temporary file beside ``path`` and rename it, so a crash never leaves half a file."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(buffer.getvalue())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_arrays(path):
    """Read every array of the file eagerly so damage shows here, as a clear error."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
        raise ValueError(f"{path} is not a readable rnnreg network file (damaged or not an .npz): {error}") from error


def _read_metadata(path, arrays):
    if "metadata" not in arrays:
        raise ValueError(f"{path} is not an rnnreg network file: it has no metadata entry")
    try:
        metadata = json.loads(str(arrays["metadata"]))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not an rnnreg network file: its metadata is not JSON ({error})") from error
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is not an rnnreg network file (format is not {FORMAT!r})")
    if metadata.get("version") != VERSION:
        raise ValueError(f"{path} has rnnreg file version {metadata.get('version')!r}; this rnnreg reads {VERSION}")
    return metadata
