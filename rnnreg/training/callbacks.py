"""Callbacks: code that ``fit`` runs at every step and epoch (live plots, widgets, early stopping, progress).

A callback is any object with some of the methods ``on_train_begin``, ``on_step_end``, ``on_epoch_end`` and
``on_train_end``, each taking the ``TrainingState``; a plain function is called at the end of every step.
Through the state a callback reads the history, changes hyper-parameters (``rnnreg.training.hyperparameters``)
for the next step, or asks training to stop.
"""

from rnnreg.validation import check_bool, check_choice, check_non_negative_number, check_positive_int

HOOKS = ("on_train_begin", "on_step_end", "on_epoch_end", "on_train_end")
MONITORS = ("validation_loss", "validation_accuracy")


class TrainingState:
    """What a callback sees: the network, the history so far, where training is, and a way to stop it.

    Attributes
    ----------
    network : NeuralNetwork
    history : History
    step : int
        Index of the last finished step (counted over every ``fit`` call on the network).
    epoch : int
        0-based index of the current epoch.
    epochs : int
        Epochs planned by this ``fit`` call.
    steps_per_epoch : int
    """

    def __init__(self, network, history, epochs, steps_per_epoch):
        self.network = network
        self.history = history
        self.epochs = epochs
        self.steps_per_epoch = steps_per_epoch
        self.step = None
        self.epoch = 0
        self.stop_reason = None

    def stop(self, reason="stopped by a callback"):
        """Ask ``fit`` to stop after the current step; ``reason`` ends up in ``history.stop_reason``."""
        self.stop_reason = reason

    @property
    def stop_requested(self):
        return self.stop_reason is not None


class Callback:
    """Base class with empty hooks; override the ones you need."""

    def on_train_begin(self, state):
        pass

    def on_step_end(self, state):
        pass

    def on_epoch_end(self, state):
        pass

    def on_train_end(self, state):
        pass


class StepFunction(Callback):
    """Wrap a plain function ``function(state)`` so it runs at the end of every step."""

    def __init__(self, function):
        self.function = function

    def on_step_end(self, state):
        self.function(state)


def is_callback(candidate):
    """True for an object with at least one of the hooks (a Callback, or anything shaped like one)."""
    return any(hasattr(candidate, hook) for hook in HOOKS)


def as_callback(candidate):
    """Return ``candidate`` as a Callback (plain callables run at every step).

    Raises
    ------
    TypeError
        A Callback class instead of an instance (its hooks would miss ``self``), or neither a callback
        nor a function.
    """
    if isinstance(candidate, type):
        raise TypeError(
            f"callbacks must hold Callback objects, got the class {candidate.__name__}: create one, e.g. "
            f"{candidate.__name__}()"
        )
    if is_callback(candidate):
        return candidate
    if callable(candidate):
        return StepFunction(candidate)
    raise TypeError(f"callbacks must be Callback objects or functions of the training state, got {candidate!r}")


class EarlyStopping(Callback):
    """Stop when a validation measure has not improved for ``patience`` epochs; restore the best weights.

    Parameters
    ----------
    patience : int
        Epochs without improvement before training stops.
    monitor : {"validation_loss", "validation_accuracy"}
        What to watch; a loss must fall, an accuracy must rise.
    min_delta : float
        The least change that counts as an improvement: finite and >= 0 (NaN would make every comparison
        false, so no epoch would ever improve; a negative one would count a worse value as an improvement).
    restore_best : bool
        At the end, put back the weights (and buffers, such as BatchNorm's moving statistics) of the best
        epoch, bit for bit.

    Raises
    ------
    TypeError, ValueError
        ``patience`` not a positive int, ``monitor`` not one of the two names, ``min_delta`` not a finite
        number >= 0, ``restore_best`` not True or False.
    """

    def __init__(self, patience=5, monitor="validation_loss", min_delta=0.0, restore_best=True):
        self.patience = check_positive_int("EarlyStopping patience", patience)
        self.monitor = check_choice("EarlyStopping monitor", monitor, MONITORS)
        self.min_delta = check_non_negative_number("EarlyStopping min_delta", min_delta)
        self.restore_best = check_bool("EarlyStopping restore_best", restore_best)
        self.best_value = None
        self.best_epoch = None
        self._best_snapshot = None
        self._epochs_without_improvement = 0

    def on_train_begin(self, state):
        self.best_value, self.best_epoch, self._best_snapshot = None, None, None
        self._epochs_without_improvement = 0

    def on_epoch_end(self, state):
        value = state.history.epochs[self.monitor][-1]
        if value is None:
            raise RuntimeError(f"EarlyStopping watches {self.monitor}, but there is none: {self._missing(state)}")
        if self._improved(value):
            self.best_value, self.best_epoch = value, state.epoch
            self._best_snapshot = state.network.snapshot()
            self._epochs_without_improvement = 0
            return
        self._epochs_without_improvement += 1
        if self._epochs_without_improvement >= self.patience:
            state.stop(f"{self.monitor} did not improve for {self.patience} epochs (best at epoch {self.best_epoch})")

    def on_train_end(self, state):
        state.history.best_epoch = self.best_epoch
        if self.restore_best and self._best_snapshot is not None:
            state.network.restore(self._best_snapshot)

    def _missing(self, state):
        """What to change so that the watched measure exists."""
        if state.history.epochs["validation_loss"][-1] is None:
            return "give the data layer a validation set (e.g. validation_fraction=0.2)"
        return "fit has no metric to measure it; pass one (e.g. metric=binary_accuracy) or watch validation_loss"

    def _improved(self, value):
        if self.best_value is None:
            return True
        if self.monitor == "validation_loss":
            return value < self.best_value - self.min_delta
        return value > self.best_value + self.min_delta


class ProgressBar(Callback):
    """A tqdm progress bar (in a notebook an ipywidgets bar) with the current loss; needs ``tqdm``."""

    def __init__(self):
        self._bar = None

    def on_train_begin(self, state):
        try:
            from tqdm.auto import tqdm
        except ImportError as error:
            raise ImportError("progress=True needs tqdm: pip install tqdm (it comes with rnnreg[lab])") from error
        self._bar = tqdm(total=state.epochs * state.steps_per_epoch, unit="step", desc="training")

    def on_step_end(self, state):
        loss = state.history.steps["loss"][-1]
        self._bar.set_postfix(epoch=state.epoch + 1, loss=f"{loss:.4g}", refresh=False)
        self._bar.update(1)

    def on_train_end(self, state):
        if self._bar is not None:
            self._bar.close()

