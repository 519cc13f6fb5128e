"""NeuralNetwork: a stack of layers with a data layer, a loss layer, an optimizer and a phase."""

import copy

import numpy as np

from rnnreg.persistence import load_network, save_network
from rnnreg.validation import check_positive_int

PHASES = ("train", "test")


class NeuralNetwork:
    """A feed-forward stack trained by ``train`` and evaluated by ``test``.

    Parameters
    ----------
    optimizer : Optimizer
        Template optimizer; every trainable layer appended gets its own deep copy.
    weights_initializer, bias_initializer : Initializer
        Used by ``append_layer`` to initialize trainable layers.

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

    def __init__(self, optimizer, weights_initializer, bias_initializer):
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
        layer.testing_phase = self._phase == "test"
        self.layers.append(layer)

    def forward(self):
        """Run one batch from the data layer through the net; return data loss + regularization loss."""
        if self.data_layer is None or self.loss_layer is None:
            raise RuntimeError("NeuralNetwork.forward needs data_layer and loss_layer to be set first")
        input_tensor, self._label_tensor = self.data_layer.next()
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
        self.phase = "train"
        # Divergence is reported below with the iteration; NumPy's overflow warnings would only add noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for iteration in range(1, iterations + 1):
                self._train_step(iteration, iterations)

    def _train_step(self, iteration, iterations):
        where = f"iteration {iteration} of {iterations}"
        try:
            total_loss = self.forward()
            if not np.isfinite(total_loss):
                raise RuntimeError(
                    f"training stopped at {where}: the loss is {total_loss} (data loss {self.data_loss}, "
                    f"regularization loss {self.regularization_loss}); this iteration updated no weight. "
                    "Try a smaller learning rate."
                )
            self.backward()
            self._check_weights_finite(where)
        except (ValueError, TypeError) as error:
            raise type(error)(f"training stopped at {where}: {error}") from error
        self.loss.append(total_loss)

    def test(self, input_tensor):
        """Return the prediction for ``input_tensor`` in the test phase (the network stays in it)."""
        self.phase = "test"
        return self._propagate(input_tensor)

    def _propagate(self, tensor):
        for layer in self.layers:
            tensor = layer.forward(tensor)
        return tensor

    def _check_weights_finite(self, where):
        for index, layer in enumerate(self.layers):
            for name in getattr(layer, "parameter_names", ()):
                if not np.all(np.isfinite(getattr(layer, name))):
                    raise RuntimeError(
                        f"training stopped at {where}: the update made layers[{index}] "
                        f"({type(layer).__name__}).{name} non-finite. Try a smaller learning rate."
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
