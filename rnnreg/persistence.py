"""Save and load a NeuralNetwork as one ``.npz`` file: arrays plus JSON metadata, never pickle.

Layout of the file:

- ``metadata``: a JSON string with the format name and version, the network's optimizer (with its
  regularizer), initializers, loss layer, phase, and one entry per layer (class, constructor config,
  the optimizer of each trainable array). An object that draws random numbers from its own
  ``np.random.Generator`` (Dropout, the random initializers) has the generator's state in ``rng``, so a
  loaded network continues with the same draws as the saved one; ``rng`` None means NumPy's global state;
- ``layers/<i>/<name>``: every trainable array and buffer of layer i (weights, bias, moving statistics, ...);
- ``optimizers/<i>/<name>/<key>``: the optimizer state of array ``name`` of layer i (velocity, moments);
- ``loss``: the network's loss history.

Only rnnreg's own classes can be saved and loaded, so a file can never make the loader run foreign code.
``load_network`` checks the whole file (every metadata entry, the exact set of arrays, each array's dtype
and shape against the layer it belongs to) before it hands out a network: a damaged or tampered file is one
``ValueError`` that names the file and the entry, never a half-built network or an error from deep inside.
Integer arrays load as floating point (weights are floating point; an integer array would truncate every
update).
"""

import io
import json
import numbers
import os
import reprlib
import secrets
import stat
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
from rnnreg.layers.rnn import RNN, RecurrentLayer
from rnnreg.layers.sequence import LastTimeStep
from rnnreg.optim.constraints import L1Regularizer, L2Regularizer
from rnnreg.optim.loss import CrossEntropyLoss, L2Loss
from rnnreg.optim.optimizers import Adam, Sgd, SgdWithMomentum
from rnnreg.validation import as_float_array, check_bool, describe_shape, shape_fits

FORMAT = "rnnreg.network"
VERSION = 1


def _by_name(*classes):
    return {cls.__name__: cls for cls in classes}


LAYER_CLASSES = _by_name(
    FullyConnected, ReLU, TanH, Sigmoid, SoftMax, Flatten, Conv, Pooling, Dropout, BatchNormalization, RNN, LSTM,
    LastTimeStep,
)
OPTIMIZER_CLASSES = _by_name(Sgd, SgdWithMomentum, Adam)
REGULARIZER_CLASSES = _by_name(L1Regularizer, L2Regularizer)
INITIALIZER_CLASSES = _by_name(Constant, UniformRandom, Xavier, He)
LOSS_CLASSES = _by_name(CrossEntropyLoss, L2Loss)
KNOWN_CLASSES = {**LAYER_CLASSES, **OPTIMIZER_CLASSES, **REGULARIZER_CLASSES, **INITIALIZER_CLASSES, **LOSS_CLASSES}

# The arrays each optimizer's ``state_arrays()`` holds: all of them after the first step, none before.
OPTIMIZER_STATE_NAMES = {name: cls.state_names for name, cls in OPTIMIZER_CLASSES.items()}
# The bit generators a saved ``rng`` may name (NumPy's own; the name picks the class, nothing else is run).
BIT_GENERATORS = {name: getattr(np.random, name) for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")}

_METADATA_KEYS = ("format", "version", "optimizer", "weights_initializer", "bias_initializer", "loss_layer",
                  "phase", "layers")


def _short(value):
    """A repr of a value from a file, cut short: tampered values can be huge or deeply nested."""
    shortener = reprlib.Repr()
    shortener.maxlevel, shortener.maxstring, shortener.maxother = 2, 60, 60
    return shortener.repr(value)


# ------------------------------------------------------------------------------------------------------ save


def save_network(network, path, *, overwrite=False):
    """Write ``network`` to ``path`` (see the module docstring); return the path as a ``Path``.

    The file is written beside its destination and renamed over it, so a crash mid-save keeps the old file.
    Saving over an existing file keeps its permission bits; a new file gets the mode ``open`` would give it
    (0o666 less the umask). A symbolic link is written through: its target gets the new content and the
    link stays.

    Raises
    ------
    TypeError
        ``path`` is not a str or ``os.PathLike``, ``overwrite`` is not a bool, or the network holds an
        object of a class rnnreg cannot save.
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError
        The folder to save into does not exist (or is a file), ``path`` is a folder, or the folder is not
        writable; the message names the folder.
    """
    path = _checked_path("NeuralNetwork.save path", path)
    overwrite = check_bool("NeuralNetwork.save overwrite", overwrite)
    target = _save_target(path)
    if target.exists() and not overwrite:
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
    _write_atomically(path, target, arrays)
    return path


def _checked_path(name, path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {path!r} ({type(path).__name__})")
    return Path(path)


def _save_target(path):
    """The file that saving to ``path`` replaces: a symbolic link's target, in a folder that exists."""
    target = Path(os.path.realpath(path))
    folder = target.parent
    if target.is_dir():
        raise IsADirectoryError(f"cannot save the network to {path}: it is a folder")
    if not folder.exists():
        raise FileNotFoundError(f"cannot save the network to {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise NotADirectoryError(f"cannot save the network to {path}: {folder} is a file, not a folder")
    return target


def _spec(obj):
    """Class name and constructor config of one of rnnreg's own objects (and the state of its own Generator)."""
    name = type(obj).__name__
    if KNOWN_CLASSES.get(name) is not type(obj):
        raise TypeError(f"cannot save an object of class {name}: only rnnreg's own classes can be saved")
    spec = {"class": name, "config": obj.config() if hasattr(obj, "config") else {}}
    rng = getattr(obj, "rng", None)
    if isinstance(rng, np.random.Generator):
        spec["rng"] = _json_ready(rng.bit_generator.state)
    return spec


def _json_ready(state):
    """A bit generator's state with its NumPy arrays and integers as lists and ints (MT19937, Philox hold some)."""
    if isinstance(state, dict):
        return {key: _json_ready(value) for key, value in state.items()}
    if isinstance(state, np.ndarray):
        return state.tolist()
    if isinstance(state, np.integer):
        return int(state)
    return state


def _optimizer_spec(optimizer):
    spec = _spec(optimizer)
    regularizer = optimizer.regularizer
    spec["regularizer"] = None if regularizer is None else _spec(regularizer)
    spec["regularize_gradient"] = optimizer.regularize_gradient
    return spec


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


def _write_atomically(path, target, arrays):
    """Write to a temporary file beside ``target`` and rename it, so a crash never leaves half a file."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    temporary = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        # Created as open() creates files (0o666 less the umask), not mkstemp's private 0o600.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except PermissionError as error:
        folder = target.parent
        raise PermissionError(f"cannot save the network to {path}: no permission to write in {folder}") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(buffer.getvalue())
        if mode is not None:
            os.chmod(temporary, mode)  # replacing a file keeps its permission bits
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------------------------------ load


def load_network(path, network_class):
    """Read a file written by ``save_network`` and return a new ``network_class`` instance.

    Raises
    ------
    TypeError
        ``path`` is not a str or ``os.PathLike``.
    FileNotFoundError
        There is no file at ``path``.
    ValueError
        The file is not a readable rnnreg network file, or it is damaged or tampered with: an entry of the
        metadata has the wrong type or names an unknown class, an array is missing or unexpected, or an
        array has a non-numeric dtype or the wrong shape. The message names the file and the entry.
    """
    path = _checked_path("NeuralNetwork.load path", path)
    arrays = _read_arrays(path)
    metadata = _read_metadata(path, arrays)
    try:
        _check_metadata(metadata)
        network = network_class(
            _build_optimizer("optimizer", metadata["optimizer"]),
            _build("weights_initializer", metadata["weights_initializer"]),
            _build("bias_initializer", metadata["bias_initializer"]),
            # Files written before the dtype option have no entry: None, the default.
            dtype=metadata.get("dtype"),
        )
        if metadata["loss_layer"] is not None:
            network.loss_layer = _build("loss_layer", metadata["loss_layer"])
        entries = metadata["layers"]
        layers = [_build(f"layers[{index}]", entry) for index, entry in enumerate(entries)]
        checked = _checked_arrays(arrays, entries, layers, network.dtype)
        pairs = enumerate(zip(layers, entries, strict=True))
        network.layers = [_restore_layer(index, layer, entry, checked) for index, (layer, entry) in pairs]
        network.loss = checked["loss"].tolist()
        network.phase = metadata["phase"]
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"{path} is not a valid rnnreg network file: {error}") from error
    return network


def _read_arrays(path):
    """Read every array of the file eagerly so damage shows here, as a clear error."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
        raise ValueError(f"{path} is not a readable rnnreg network file (damaged or not an .npz): {error}") from error
    except MemoryError as error:  # a damaged header can claim any shape
        raise ValueError(f"{path} is not a readable rnnreg network file: an array claims more memory than there is "
                         f"({error})") from error


def _read_metadata(path, arrays):
    if "metadata" not in arrays:
        raise ValueError(f"{path} is not an rnnreg network file: it has no metadata entry")
    text = arrays["metadata"]
    if text.dtype.kind != "U" or text.ndim != 0:
        raise ValueError(f"{path} is not an rnnreg network file: its metadata is not a text (got {text.dtype})")
    try:
        metadata = json.loads(str(text))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not an rnnreg network file: its metadata is not JSON ({error})") from error
    except RecursionError as error:  # the parser recurses once per level of nesting
        raise ValueError(f"{path} is not a valid rnnreg network file: its metadata is nested too deeply") from error
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is not an rnnreg network file (format is not {FORMAT!r})")
    version = metadata.get("version")
    if type(version) is not int or version != VERSION:
        raise ValueError(f"{path} has rnnreg file version {_short(version)}; this rnnreg reads {VERSION}")
    return metadata


# Metadata: every entry checked for its type before anything is built --------------------------------------


def _check_metadata(metadata):
    _check_keys("metadata", metadata, _METADATA_KEYS, optional=("dtype",))
    _check_optimizer_spec("optimizer", metadata["optimizer"])
    _check_spec("weights_initializer", metadata["weights_initializer"], INITIALIZER_CLASSES)
    _check_spec("bias_initializer", metadata["bias_initializer"], INITIALIZER_CLASSES)
    if metadata["loss_layer"] is not None:
        _check_spec("loss_layer", metadata["loss_layer"], LOSS_CLASSES)
    _expect("phase", metadata["phase"] in ("train", "test"), "'train' or 'test'", metadata["phase"])
    dtype = metadata.get("dtype")
    _expect("dtype", dtype is None or isinstance(dtype, str), "null or the name of a float dtype", dtype)
    _expect("layers", isinstance(metadata["layers"], list), "a list", metadata["layers"])
    for index, entry in enumerate(metadata["layers"]):
        _check_layer_entry(f"layers[{index}]", entry)


def _expect(entry, condition, expected, value):
    if not condition:
        raise ValueError(f"metadata entry {entry} must be {expected}, got {_short(value)}")


def _check_keys(entry, value, required, optional=()):
    _expect(entry, isinstance(value, dict), "an object", value)
    missing = [key for key in required if key not in value]
    if missing:
        raise ValueError(f"metadata entry {entry} lacks {', '.join(map(repr, missing))}")
    unexpected = [key for key in value if key not in (*required, *optional)]
    if unexpected:
        raise ValueError(f"metadata entry {entry} has unexpected keys {', '.join(map(_short, unexpected))}")


def _is_plain(value):
    """A config value: a JSON number, string, bool or null, or a flat list of those (shapes, strides)."""
    scalars = (str, numbers.Real, type(None))
    return isinstance(value, scalars) or (isinstance(value, list) and all(isinstance(v, scalars) for v in value))


def _check_spec(entry, spec, classes, required=(), optional=()):
    _check_keys(entry, spec, ("class", "config", *required), optional=("rng", *optional))
    name = spec["class"]
    _expect(f"{entry}.class", isinstance(name, str), "a class name", name)
    if name not in KNOWN_CLASSES:
        raise ValueError(f"metadata entry {entry} names an unknown class {_short(name)}")
    _expect(f"{entry}.class", name in classes, f"one of {', '.join(classes)}", name)
    config = spec["config"]
    _expect(f"{entry}.config", isinstance(config, dict), "an object", config)
    for key, value in config.items():
        _expect(f"{entry}.config.{key}", _is_plain(value), "a number, a string or a list of numbers", value)
    rng = spec.get("rng")
    _expect(f"{entry}.rng", rng is None or isinstance(rng, dict), "null or a bit generator state", rng)


def _check_optimizer_spec(entry, spec):
    _check_spec(entry, spec, OPTIMIZER_CLASSES, required=("regularizer", "regularize_gradient"))
    if spec["regularizer"] is not None:
        _check_spec(f"{entry}.regularizer", spec["regularizer"], REGULARIZER_CLASSES)
    flag = spec["regularize_gradient"]
    _expect(f"{entry}.regularize_gradient", isinstance(flag, bool), "true or false", flag)


def _check_layer_entry(entry, spec):
    _check_spec(entry, spec, LAYER_CLASSES, required=("testing_phase",), optional=("optimizer", "array_optimizers"))
    _expect(f"{entry}.testing_phase", isinstance(spec["testing_phase"], bool), "true or false", spec["testing_phase"])
    saved = [key for key in ("optimizer", "array_optimizers") if key in spec]
    if not saved:
        return  # a layer without an optimizer (or with nothing to train)
    names = LAYER_CLASSES[spec["class"]].parameter_names
    _expect(f"{entry}.optimizer", bool(names), f"absent: a {spec['class']} has no trainable arrays", "an optimizer")
    _expect(entry, len(saved) == 2, "an object with both optimizer and array_optimizers", f"only {saved[0]}")
    _check_optimizer_spec(f"{entry}.optimizer", spec["optimizer"])
    array_optimizers = spec["array_optimizers"]
    _check_keys(f"{entry}.array_optimizers", array_optimizers, names)
    for name, optimizer_spec in array_optimizers.items():
        _check_optimizer_spec(f"{entry}.array_optimizers.{name}", optimizer_spec)


# Building ---------------------------------------------------------------------------------------------------


def _build(entry, spec):
    """The object a checked spec describes, with its own Generator restored when the spec has one."""
    name = spec["class"]
    try:
        obj = KNOWN_CLASSES[name](**spec["config"])
    except (TypeError, ValueError, OverflowError) as error:  # the constructor's own checks, or a wrong keyword
        raise ValueError(f"{entry} ({name}): {error}") from error
    except MemoryError as error:
        raise ValueError(f"{entry} ({name}) config {_short(spec['config'])} needs more memory than there is") from error
    if spec.get("rng") is not None:
        if not hasattr(obj, "rng"):
            raise ValueError(f"{entry} ({name}): a {name} draws no random numbers, but its entry has an rng")
        obj.rng = _generator(f"{entry} ({name})", spec["rng"])
    return obj


def _generator(entry, state):
    """A new Generator in the saved ``state`` of its bit generator."""
    name = state.get("bit_generator")
    if not isinstance(name, str) or name not in BIT_GENERATORS:
        known = ", ".join(BIT_GENERATORS)
        raise ValueError(f"{entry}: rng names an unknown bit generator {_short(name)} (expected one of {known})")
    bit_generator = BIT_GENERATORS[name]()
    try:
        bit_generator.state = state
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"{entry}: rng holds no valid {name} state ({type(error).__name__}: {error})") from error
    return np.random.Generator(bit_generator)


def _build_optimizer(entry, spec):
    optimizer = _build(entry, spec)
    if spec["regularizer"] is not None:
        regularizer = _build(f"{entry}.regularizer", spec["regularizer"])
        optimizer.add_regularizer(regularizer, into_gradient=spec["regularize_gradient"])
    return optimizer


def _restore_layer(index, layer, entry, checked):
    layer.testing_phase = entry["testing_phase"]
    for name in (*layer.parameter_names, *layer.buffer_names):
        key = f"layers/{index}/{name}"
        if key in checked:
            setattr(layer, name, checked[key])
    if "optimizer" in entry:
        layer.optimizer = _build_optimizer(f"layers[{index}].optimizer", entry["optimizer"])
        for name, spec in entry["array_optimizers"].items():
            optimizer = _build_optimizer(f"layers[{index}].array_optimizers.{name}", spec)
            prefix = f"optimizers/{index}/{name}/"
            optimizer.load_state_arrays(
                {key[len(prefix):]: value for key, value in checked.items() if key.startswith(prefix)}
            )
            layer.optimizers[name] = optimizer
    return layer


# Arrays: the exact set, each with its dtype and shape ---------------------------------------------------------


def _checked_arrays(arrays, entries, layers, dtype):
    """Every array of the file, checked against what the layers expect; integer arrays become floats.

    Each array must be expected (no extra ones), every required one present, and each group (a layer's
    buffers, one optimizer's state) saved whole or not at all.
    """
    expected, groups = _expected_arrays(entries, layers)
    unexpected = sorted(set(arrays) - set(expected) - {"metadata"})
    if unexpected:
        raise ValueError(f"unexpected array(s) {', '.join(map(repr, unexpected))}")
    for group, required in groups:
        present = [key for key in group if key in arrays]
        if (required or present) and len(present) != len(group):
            missing = [key for key in group if key not in arrays]
            raise ValueError(f"missing array(s) {', '.join(map(repr, missing))}")
    return {key: check(key, arrays[key], dtype) for key, check in expected.items() if key in arrays}


def _expected_arrays(entries, layers):
    """``{key: check(key, array, dtype)}`` for every array the file may hold, and its (group, required) list."""
    expected = {"loss": _float_check("loss history", [("iterations",)], network_dtype=False)}
    groups = [(("loss",), True)]
    for index, (layer, entry) in enumerate(zip(layers, entries, strict=True)):
        owner = f"layers[{index}] ({type(layer).__name__})"
        keys = {name: f"layers/{index}/{name}" for name in (*layer.parameter_names, *layer.buffer_names)}
        for name in layer.parameter_names:
            shape = np.shape(getattr(layer, name))
            expected[keys[name]] = _float_check(f"{owner} {name}", [shape])
            groups.append(((keys[name],), True))
        for name in layer.buffer_names:
            expected[keys[name]] = _float_check(f"{owner} {name}", _buffer_shapes(layer))
        groups.append((tuple(keys[name] for name in layer.buffer_names), False))
        for name, spec in entry.get("array_optimizers", {}).items():
            state = {key: f"optimizers/{index}/{name}/{key}" for key in OPTIMIZER_STATE_NAMES[spec["class"]]}
            for key, array_key in state.items():
                where = f"{owner} {spec['class']} state {key} of {name}"
                if key == "step_count":
                    expected[array_key] = _step_count_check(where)
                else:
                    expected[array_key] = _float_check(where, [np.shape(getattr(layer, name))])
            groups.append((tuple(state.values()), False))
    return expected, groups


def _buffer_shapes(layer):
    """The shapes a saved buffer of ``layer`` may have."""
    if isinstance(layer, BatchNormalization):
        return [(layer.channels,)]  # a moving statistic: one value per channel
    if isinstance(layer, RecurrentLayer):
        return [(layer.hidden_size,), ("batch", layer.hidden_size)]  # a carried state: one sequence or a batch
    raise ValueError(f"{type(layer).__name__} has buffers rnnreg cannot load")


def _float_check(owner, shapes, *, network_dtype=True):
    """A check of one floating-point array: numeric and one of ``shapes``; integer arrays become floats.

    A shape is a tuple with an int per pinned axis and a name (such as ``"batch"``) per free one. Integer
    layer arrays and optimizer state become the network's dtype (``network_dtype``; float64 without one),
    the loss history float64.
    """

    def check(key, array, dtype):
        floats = as_float_array(f"{owner} array {key!r}", array)  # integers become float64, text a TypeError
        if not any(shape_fits(floats.shape, shape) for shape in shapes):
            expected = " or ".join(describe_shape(shape) for shape in shapes)
            raise ValueError(f"{owner} array {key!r} must have shape {expected}, got {describe_shape(floats.shape)}")
        if array.dtype.kind == "f" or dtype is None or not network_dtype:
            return floats  # floating arrays exactly as saved (a user may have assigned float64 weights)
        return array.astype(dtype)  # integer arrays: straight to the network's dtype

    return check


def _step_count_check(owner):
    """A check of Adam's step count t: a 0-d integer >= 1 (a float would be truncated)."""

    def check(key, array, dtype):
        if array.shape != () or array.dtype.kind not in "iu" or array < 1:
            raise ValueError(
                f"{owner} array {key!r} must be one integer >= 1, got {_short(array)} of dtype {array.dtype}"
            )
        return array

    return check
