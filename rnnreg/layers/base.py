"""The layer interface every rnnreg layer follows.

Glossary of letters used in the Shapes sections of all layers: N batch, T time, D input features,
H hidden units, K outputs or kernels, C channels, Y x X spatial size.
"""

import copy


class BaseLayer:
    """Base of every layer: a ``forward`` and a ``backward`` pass plus the phase flag.

    Attributes
    ----------
    trainable : bool
        True when the layer holds arrays an optimizer updates.
    testing_phase : bool
        False while training, True at test time; layers such as Dropout and BatchNormalization behave
        differently in the two phases. ``NeuralNetwork.phase`` sets it on every layer.

    Notes
    -----
    Two class attributes describe a layer to the network, the gradient check and save/load:
    ``parameter_names`` lists the trainable arrays (each ``name`` has its gradient in ``gradient_<name>``
    after ``backward``) and ``buffer_names`` lists further arrays that belong to the layer's state
    (BatchNormalization's moving statistics, a remembered hidden state).
    """

    parameter_names = ()
    buffer_names = ()

    def __init__(self):
        self.trainable = False
        self.testing_phase = False

    def forward(self, input_tensor):
        """Compute the layer's output for ``input_tensor`` and cache what ``backward`` needs."""
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def backward(self, error_tensor):
        """Return dL/dx, the gradient of the loss with respect to the last input, given E = dL/dy (always)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement backward()")

    def config(self):
        """Return the constructor arguments as a JSON-serialisable dict (used by ``NeuralNetwork.save``)."""
        return {}

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({arguments})"


class TrainableLayer(BaseLayer):
    """A layer with arrays that an optimizer updates during ``backward``.

    Setting ``optimizer`` gives every trainable array its own deep copy of it, so momentum and Adam's
    moments are kept per array (gamma and beta of BatchNormalization never share a velocity).
    Without an optimizer ``backward`` only stores the gradients.

    With ``defer_updates = True`` ``backward`` only stores the gradients and ``apply_updates()`` performs
    the step later. A training loop uses this to see every gradient of the network before any weight
    moves (gradient clipping by global norm). The numbers are the same either way, because every layer
    computes its input error with the weights of the forward pass before it updates them.
    """

    parameter_names = ("weights",)

    def __init__(self):
        super().__init__()
        self.trainable = True
        self._optimizer = None
        self.optimizers = {}
        self.defer_updates = False

    @property
    def optimizer(self):
        """The optimizer handed to this layer (each array updates with its own deep copy of it)."""
        return self._optimizer

    @optimizer.setter
    def optimizer(self, optimizer):
        if optimizer is not None and not callable(getattr(optimizer, "calculate_update", None)):
            raise TypeError(
                f"{type(self).__name__}.optimizer must have a calculate_update(weights, gradient) method, "
                f"got {type(optimizer).__name__}"
            )
        self._optimizer = optimizer
        self.optimizers = {}
        if optimizer is not None:
            self.optimizers = {name: copy.deepcopy(optimizer) for name in self.parameter_names}

    def _apply_update(self, name, gradient):
        """Store ``gradient`` as ``gradient_<name>`` and, unless updates are deferred, update the array."""
        setattr(self, f"gradient_{name}", gradient)
        if not self.defer_updates:
            self._update(name)

    def apply_updates(self):
        """Update every array with its optimizer copy and the stored gradient (after deferred backward)."""
        for name in self.parameter_names:
            self._update(name)

    def _update(self, name):
        optimizer = self.optimizers.get(name)
        gradient = getattr(self, f"gradient_{name}", None)
        if optimizer is not None and gradient is not None:
            setattr(self, name, optimizer.calculate_update(getattr(self, name), gradient))
