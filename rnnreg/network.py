"""NeuralNetwork: a stack of layers with a data layer, a loss layer, an optimizer and a phase."""

import contextlib
import copy

import numpy as np

from rnnreg.persistence import load_network, save_network
from rnnreg.validation import check_batch, check_pair, check_positive_int

PHASES = ("train", "test")


@contextlib.contextmanager
def stop_message(where):
    """Re-raise a training error with ``where`` (the iteration, the epoch) in front of its message.

    ValueError and TypeError (a layer rejecting its input) keep their type, and so does RuntimeError
    (divergence), so callers can still catch what they expect.
    """
    try:
        yield
    except (ValueError, TypeError, RuntimeError) as error:
        try:
            located = type(error)(f"{where}: {error}")
        except TypeError:  # an exception class whose constructor takes other arguments
            located = RuntimeError(f"{where}: {error}")
        raise located from error


def _check_dtype(dtype):
    """Return ``dtype`` as a floating ``np.dtype`` (or None); anything else raises TypeError."""
    if dtype is None:
        return None
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"NeuralNetwork dtype must be a NumPy floating dtype or None, got {dtype!r}") from error
    if resolved.kind != "f":
        raise TypeError(f"NeuralNetwork dtype must be a floating dtype such as np.float32, got {resolved}")
    if resolved == np.float16:
        raise TypeError(
            "NeuralNetwork dtype float16 is not supported: the ε of BatchNormalization (1e-10) and of "
            "CrossEntropyLoss (2.2e-16) round to 0 in it; use np.float32 or np.float64"
        )
    return resolved


def next_batch(data_layer, owner="NeuralNetwork"):
    """Return ``data_layer.next()`` after checking it is the pair ``(input_tensor, label_tensor)``."""
    return check_pair(owner, "data_layer.next()", data_layer.next())


def check_network(function, network):
    """Raise TypeError unless ``network`` is a NeuralNetwork (the training helpers' first argument)."""
    if not isinstance(network, NeuralNetwork):
        raise TypeError(f"{function} network must be a NeuralNetwork, got {type(network).__name__}")


def parameter_names(layer):
    """The names of a layer's trained arrays: its ``parameter_names``, or, for a class written to the exercise's
    skeleton (which lists none), whichever of ``weights`` and ``bias`` it has."""
    names = getattr(layer, "parameter_names", None)
    if names is None:
        names = tuple(name for name in ("weights", "bias") if getattr(layer, name, None) is not None)
    return tuple(names)


def _copy(value):
    """A copy of a layer's buffer (an array, or None before the layer made it)."""
    return None if value is None else np.copy(value)


class NeuralNetwork:
    """A feed-forward stack trained by ``train`` and evaluated by ``test`` (or ``predict``, without side effects).

    Parameters
    ----------
    optimizer : Optimizer
        Template optimizer; every trainable layer appended gets its own deep copy.
    weights_initializer, bias_initializer : Initializer
        Used by ``append_layer`` to initialize trainable layers.
    dtype : numpy floating dtype or None, optional
        Keyword-only. None (default): arrays keep the dtype the initializers give (float64) and inputs
        are used as they come. ``np.float32`` (or any floating dtype): ``append_layer`` casts every
        trainable array (and buffer) of a layer to it after initializing, and ``forward``/``test``/``predict``
        cast the input batch to it, so the whole network computes in that dtype (every layer keeps the dtype
        of its input).

    Attributes
    ----------
    layers : list of BaseLayer
    data_layer : object
        Anything with ``next()`` returning ``(input_tensor, label_tensor)``.
    loss_layer : object
        Such as ``CrossEntropyLoss``: ``forward(prediction, label)`` and ``backward(label)``.
    loss : list of float
        The total loss (data + regularization) of every training iteration.
    data_loss, regularization_loss : float
        The two parts of the last ``forward()``; their sum is what ``forward()`` returned.

    Notes
    -----
    The regularization loss is Σ over trainable layers of ``regularizer.norm(layer.weights)``, where the
    regularizer is the one attached to the layer's optimizer (the one that also shrinks its weights).
    """

    def __init__(self, optimizer, weights_initializer, bias_initializer, *, dtype=None):
        self.dtype = _check_dtype(dtype)
        self.optimizer = optimizer
        self.weights_initializer = weights_initializer
        self.bias_initializer = bias_initializer
        self.layers = []
        self.loss = []
        self.data_layer = None
        self.loss_layer = None
        self.data_loss = None
        self.regularization_loss = None
        self._label_tensor = None
        self._phase = "train"

    @property
    def phase(self):
        """"train" or "test"; setting it sets ``testing_phase`` on every layer."""
        return self._phase

    @phase.setter
    def phase(self, value):
        if not isinstance(value, str):
            raise TypeError(f"NeuralNetwork phase must be 'train' or 'test', got {value!r} ({type(value).__name__})")
        if value not in PHASES:
            raise ValueError(f"NeuralNetwork phase must be 'train' or 'test', got {value!r}")
        self._phase = value
        for layer in self.layers:
            layer.testing_phase = value == "test"

    def append_layer(self, layer):
        """Add ``layer`` on top; a trainable layer gets a copy of the optimizer and is initialized."""
        if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
            raise TypeError(f"append_layer expects a layer with forward and backward, got {type(layer).__name__}")
        if getattr(layer, "trainable", False):
            layer.optimizer = copy.deepcopy(self.optimizer)
            layer.initialize(self.weights_initializer, self.bias_initializer)
            if self.dtype is not None:
                self._cast_layer(layer)
        layer.testing_phase = self._phase == "test"
        self.layers.append(layer)

    def forward(self, input_tensor=None, label_tensor=None):
        """Run one batch through the net and return data loss + regularization loss.

        Without arguments the batch comes from ``data_layer.next()`` (the exercise's way); a training loop
        may pass ``input_tensor`` and ``label_tensor`` itself (a chunk of a long sequence, say).

        Raises
        ------
        RuntimeError
            ``loss_layer`` (or, without arguments, ``data_layer``) is not set.
        TypeError
            ``data_layer.next()`` returned anything but a pair (input_tensor, label_tensor).
        ValueError
            Only one of the two tensors given, an empty batch, NaN or infinite entries, or inputs and labels
            with different numbers of samples (a 2-D input to a network with recurrent layers is one sequence
            (T, D) and may have a target per sequence); see ``check_batch``.
        """
        if self.loss_layer is None or (input_tensor is None and self.data_layer is None):
            raise RuntimeError("NeuralNetwork.forward needs data_layer and loss_layer to be set first")
        if input_tensor is None:
            if label_tensor is not None:
                raise ValueError("NeuralNetwork.forward got label_tensor without input_tensor: pass both or neither")
            input_tensor, label_tensor = next_batch(self.data_layer)
        elif label_tensor is None:
            raise ValueError("NeuralNetwork.forward got input_tensor without label_tensor: pass both or neither")
        check_batch("NeuralNetwork.forward", input_tensor, label_tensor,
                    one_sequence_allowed=bool(self.stateful_layers()))
        self._label_tensor = label_tensor
        prediction = self._propagate(input_tensor)
        self.data_loss = float(self.loss_layer.forward(prediction, self._label_tensor))
        self.regularization_loss = self.compute_regularization_loss()
        return self.data_loss + self.regularization_loss

    def backward(self):
        """Propagate the loss gradient from the loss layer down through every layer (updating them)."""
        if self._label_tensor is None:
            raise RuntimeError("NeuralNetwork.backward() called before forward(): run forward first")
        error_tensor = self.loss_layer.backward(self._label_tensor)
        for layer in reversed(self.layers):
            error_tensor = layer.backward(error_tensor)

    def compute_regularization_loss(self):
        """Σ of the regularizer's norm of ``weights`` over trainable layers whose optimizer has one."""
        total = 0.0
        for layer in self.layers:
            regularizer = getattr(getattr(layer, "optimizer", None), "regularizer", None)
            if getattr(layer, "trainable", False) and regularizer is not None:
                total += regularizer.norm(layer.weights)
        return total

    def train(self, iterations):
        """Run ``iterations`` steps of forward, backward and update in the train phase.

        Appends each total loss to ``loss``. Stops with an error that names the iteration when the loss
        becomes NaN or infinite (before that iteration updates anything), when an update makes a weight
        non-finite, or when a layer rejects its input.
        """
        iterations = check_positive_int("NeuralNetwork.train iterations", iterations)
        for iteration in range(1, iterations + 1):
            with stop_message(f"training stopped at iteration {iteration} of {iterations}"):
                self.train_step()

    def train_step(self, input_tensor=None, label_tensor=None, *, before_update=None):
        """One training step in the train phase: forward, backward and update; return the total loss.

        The step sets the train phase itself (after ``test`` the network is in the test phase) and appends
        the total loss to ``loss``.

        Parameters
        ----------
        input_tensor, label_tensor : ndarray, optional
            The batch; by default the next one of ``data_layer``.
        before_update : callable, optional
            Called as ``before_update(network)`` after backward has stored every gradient and before any
            weight moves (updates are deferred for that step); it may rescale the stored gradients, as
            gradient clipping does.

        Raises
        ------
        RuntimeError
            The loss is NaN or infinite (nothing was updated), or an update made a weight non-finite.
        TypeError, ValueError
            A batch that ``forward`` refuses (see there), or a ``before_update`` that is not callable.
        """
        if before_update is not None and not callable(before_update):
            raise TypeError(f"NeuralNetwork.train_step before_update must be a function of the network or None, "
                            f"got {before_update!r}")
        # Every training entry point trains in the train phase, whatever a test or an evaluation left behind.
        self.phase = "train"
        # Divergence is reported below; NumPy's overflow warnings would only add noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            total_loss = self.forward(input_tensor, label_tensor)
            if not np.isfinite(total_loss):
                raise RuntimeError(
                    f"the loss is {total_loss} (data loss {self.data_loss}, regularization loss "
                    f"{self.regularization_loss}); this step updated no weight. Try a smaller learning rate."
                )
            if before_update is None:
                self.backward()
            else:
                self._backward_deferred(before_update)
            self._check_weights_finite()
        self.loss.append(total_loss)
        return total_loss

    def trainable_layers(self):
        """The layers that hold arrays an optimizer updates."""
        return [layer for layer in self.layers if getattr(layer, "trainable", False)]

    def snapshot(self):
        """Copies of every layer's trainable arrays and buffers, for ``restore`` (early stopping, a reset)."""
        return [
            {name: np.copy(value) for name in (*parameter_names(layer), *getattr(layer, "buffer_names", ()))
             if (value := getattr(layer, name, None)) is not None}
            for layer in self.layers
        ]

    def restore(self, snapshot):
        """Put back the arrays a ``snapshot()`` of this network copied (bit for bit).

        Raises
        ------
        ValueError
            The snapshot is of another network: another number of layers, or an array whose shape differs
            from the layer's (nothing is restored then).
        """
        if len(snapshot) != len(self.layers):
            raise ValueError(f"snapshot holds {len(snapshot)} layers, the network has {len(self.layers)}")
        for index, (layer, arrays) in enumerate(zip(self.layers, snapshot, strict=True)):
            for name, value in arrays.items():
                current = getattr(layer, name, None)
                if current is not None and np.shape(current) != np.shape(value):
                    raise ValueError(
                        f"snapshot's layers[{index}] ({type(layer).__name__}).{name} has shape {np.shape(value)}, "
                        f"the network's has {np.shape(current)}: the snapshot is of another network"
                    )
        for layer, arrays in zip(self.layers, snapshot, strict=True):
            for name, value in arrays.items():
                setattr(layer, name, np.copy(value))

    def _backward_deferred(self, before_update):
        trainable = self.trainable_layers()
        for layer in trainable:
            if not (hasattr(layer, "defer_updates") and callable(getattr(layer, "apply_updates", None))):
                raise TypeError(
                    f"train_step before_update (gradient clipping) needs every trainable layer to hold its update "
                    f"back until all gradients are known, and {type(layer).__name__} has no defer_updates and "
                    "apply_updates(); derive it from rnnreg.layers.base.TrainableLayer, or train without clipping"
                )
        deferred = [layer.defer_updates for layer in trainable]
        try:
            for layer in trainable:
                layer.defer_updates = True
            self.backward()
            before_update(self)
            for layer in trainable:
                layer.apply_updates()
        finally:
            for layer, flag in zip(trainable, deferred, strict=True):
                layer.defer_updates = flag

    def test(self, input_tensor):
        """Return the prediction for ``input_tensor`` in the test phase (the network stays in it)."""
        self.phase = "test"
        return self._propagate(input_tensor)

    def predict(self, input_tensor, *, phase="test"):
        """The network's output for a batch, in the test phase by default, with no side effect on the network.

        Unlike ``test`` (the exercise's method, which leaves the network in the test phase), ``predict`` puts
        everything back: the network's phase is what it was, every layer's buffers (BatchNorm's moving
        statistics, the states recurrent layers carry) hold what they held, and layers that carry a state
        (``stateful_layers``) start from zeros, as for a new batch of sequences, whatever their ``memorize``.

        Parameters
        ----------
        input_tensor : array_like
            A batch, shaped as the first layer expects.
        phase : {"test", "train"}, optional
            Keyword-only. "train" gives what the network computes while it learns (dropout masks drawn from
            each Dropout layer's ``rng``, BatchNorm normalising with this batch's statistics); still nothing
            is learned and the moving statistics are put back.

        Returns
        -------
        ndarray
            The output of the last layer.

        Shapes
        ------
        (N, D) -> (N, K) for a fully connected stack; (N, C, Y, X) -> (N, K) for a convolutional one;
        (N, T, D) -> (N, T, K) (or (T, D) -> (T, K), one sequence) for a recurrent one.
        """
        if phase not in PHASES:
            raise ValueError(f"NeuralNetwork.predict phase must be 'train' or 'test', got {phase!r}")
        network_phase = self.phase
        buffers = [{name: _copy(getattr(layer, name, None)) for name in getattr(layer, "buffer_names", ())}
                   for layer in self.layers]
        try:
            self.reset_states()
            self.phase = phase
            return self._propagate(input_tensor)
        finally:
            self.phase = network_phase
            for layer, saved in zip(self.layers, buffers, strict=True):
                for name, value in saved.items():
                    setattr(layer, name, value)

    def stateful_layers(self):
        """The layers that carry a state from one ``forward`` to the next: those with a ``reset_state()``."""
        return [layer for layer in self.layers if callable(getattr(layer, "reset_state", None))]

    def reset_states(self):
        """Make every layer that carries a state forget it: its next ``forward`` starts from zeros."""
        for layer in self.stateful_layers():
            layer.reset_state()

    def _cast_layer(self, layer):
        """Cast the layer's floating arrays (parameters, buffers) to the network's dtype."""
        for name in (*parameter_names(layer), *getattr(layer, "buffer_names", ())):
            value = getattr(layer, name, None)
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                setattr(layer, name, value.astype(self.dtype, copy=False))

    def _propagate(self, tensor):
        """The network's one forward pass, in the current phase: ``forward``, ``test`` and ``predict`` run it."""
        if self.dtype is not None:
            tensor = np.asarray(tensor, dtype=self.dtype)
        for layer in self.layers:
            tensor = layer.forward(tensor)
        return tensor

    def _check_weights_finite(self):
        for index, layer in enumerate(self.layers):
            for name in parameter_names(layer):
                if not np.isfinite(getattr(layer, name)).all():
                    raise RuntimeError(
                        f"the update made layers[{index}] ({type(layer).__name__}).{name} non-finite. "
                        "Try a smaller learning rate."
                    )

    def save(self, path, *, overwrite=False):
        """Store architecture, weights, buffers, optimizer state and loss history in one ``.npz`` file.

        No pickle is involved. An existing file is only replaced with ``overwrite=True``.
        Returns the path written.
        """
        return save_network(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path):
        """Rebuild a network written by ``save``; its data layer must be set again."""
        return load_network(path, cls)
