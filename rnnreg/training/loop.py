"""``fit``: epochs of mini-batch training on top of ``NeuralNetwork``, with validation, callbacks and records."""

import contextlib
import numbers
import time

import numpy as np

from rnnreg.network import check_network, next_batch, stop_message
from rnnreg.optim.loss import CrossEntropyLoss
from rnnreg.training.callbacks import EarlyStopping, ProgressBar, TrainingState, as_callback, is_callback
from rnnreg.training.clipping import check_max_norm, clip_by_global_norm, global_gradient_norm
from rnnreg.training.history import History
from rnnreg.training.metrics import accuracy
from rnnreg.validation import check_batch, check_bool, check_finite_number, check_pair, check_positive_int


def fit(
    network,
    epochs=1,
    *,
    steps_per_epoch=None,
    callbacks=(),
    recorders=(),
    early_stopping=None,
    clip_norm=None,
    truncation=None,
    metric="auto",
    progress=False,
):
    """Train ``network`` for ``epochs`` epochs of mini-batches and return a :class:`History`.

    Every step takes the next batch of ``network.data_layer``, runs forward and backward in the train phase,
    optionally clips the gradients, updates every layer and appends the loss to ``network.loss`` (exactly what
    ``NeuralNetwork.train`` does, plus the records). After each epoch the training and validation sets
    are evaluated with ``evaluate`` (test phase, no side effect on the network).

    Parameters
    ----------
    network : NeuralNetwork
        With ``data_layer`` and ``loss_layer`` set.
    epochs : int
        Passes over the training set.
    steps_per_epoch : int, optional
        Batches per epoch; by default ``data_layer.batches_per_epoch``.
    callbacks : list
        Callback objects or functions of the :class:`TrainingState`, run at the end of every step (and at
        the hooks they define). A callback may change hyper-parameters for the next step or stop training.
        Always a list (or tuple), also for one: ``callbacks=[show]``; None for none.
    recorders : list
        Objects with ``start(network)`` and ``record(step, network)`` (``rnnreg.training.recorders``);
        a list (or tuple) as well, or None.
    early_stopping : int or EarlyStopping, optional
        Patience in epochs (or a configured :class:`EarlyStopping`): stop when the validation loss has
        not improved for that long and restore the best weights.
    clip_norm : float, optional
        Clip the gradients of each step to this global norm, a positive finite number (see
        ``clip_by_global_norm``); None (default) does not clip.
    truncation : int, optional
        Truncated back-propagation through time for sequence batches (N, T, D) (or one sequence (T, D)) of a
        network with recurrent layers (it refuses a network without any): the batch is cut into
        chunks of ``truncation`` steps along time, aligned to END at the last step (the first chunk is the
        short one when ``truncation`` does not divide T: T = 21, truncation 5 gives steps 1, 2–6, 7–11,
        12–16, 17–21). The recurrent layers carry their state from chunk to chunk (starting from zeros for
        every batch) and back-propagate within a chunk only. With sequence targets (N, T, K) every chunk is
        one update; with one target per sequence only the last chunk is, so the gradient of that target
        reaches back exactly ``truncation`` steps (steps T − truncation + 1 … T); the earlier chunks only
        run forward to carry the state. ``truncation >= T`` is full back-propagation through time.
        The epoch's ``train_loss`` (without a ``get_train_set`` to evaluate) counts every chunk that
        updated: the sum of their data losses over the epoch divided by the number of sequences.
    metric : callable, "auto" or None
        ``metric(prediction, labels)`` for the accuracies; "auto" uses ``accuracy`` with
        ``CrossEntropyLoss`` and no metric otherwise (use ``binary_accuracy`` for sigmoid outputs).
    progress : bool
        Show a progress bar (tqdm); off by default.

    Returns
    -------
    History

    Raises
    ------
    RuntimeError
        No data layer or loss layer; training diverged (the message names the epoch and step).
    TypeError, ValueError
        An argument of the wrong type or outside its domain (the message names it), or a batch the network
        refuses (see ``NeuralNetwork.forward``).
    """
    plan = _Plan(network, epochs, steps_per_epoch, clip_norm, truncation, metric)
    hooks = [as_callback(callback) for callback in _as_list("callbacks", callbacks, "[show_progress]")]
    recorders = _checked_recorders(recorders)
    if early_stopping is not None:
        hooks.append(_early_stopping(early_stopping))
    if check_bool("fit progress", progress):
        hooks.append(ProgressBar())
    network.phase = "train"
    history = History()
    state = TrainingState(network, history, plan.epochs, plan.steps_per_epoch)
    for recorder in recorders:
        recorder.start(network)
    for hook in hooks:
        hook.on_train_begin(state)
    started = time.perf_counter()
    try:
        with _carried_states(network, plan.truncation):
            _run_epochs(plan, state, hooks, recorders, started)
    finally:
        network.phase = "train"
        for hook in hooks:
            hook.on_train_end(state)
    history.stop_reason = state.stop_reason
    return history


def evaluate(network, inputs, labels, metric=accuracy):
    """Loss per sample and metric of ``network`` on a whole set, in the test phase, without side effects.

    Returns ``(loss, metric_value)``; the loss is the data loss divided by the number of samples N, the
    metric is None when ``metric`` is None. The prediction is ``network.predict(inputs)``: recurrent layers
    start from zeros whatever their ``memorize`` setting (a state carried over from training belongs to
    other sequences), and the phase, moving statistics and carried states are left as they were.

    Raises
    ------
    TypeError
        ``metric`` is not a function (or None), or it returned something that is not a real number.
    ValueError
        An empty set, inputs and labels with different numbers of samples, labels the loss layer refuses,
        or a metric value that is NaN or infinite.
    RuntimeError
        The network has no loss layer, or its loss on the set is not finite.
    """
    check_network("evaluate", network)
    if network.loss_layer is None:
        raise RuntimeError("evaluate needs network.loss_layer to be set first")
    if metric is not None and not callable(metric):
        raise TypeError(f"evaluate metric must be a function of (prediction, labels) or None, got {metric!r}")
    check_batch("evaluate", inputs, labels, one_sequence_allowed=bool(network.stateful_layers()))
    prediction = network.predict(inputs)
    loss = float(network.loss_layer.forward(prediction, labels)) / len(inputs)
    if not np.isfinite(loss):
        raise RuntimeError(f"evaluate: the loss on this set is {loss}; the network's outputs overflow the loss")
    if metric is None:
        return loss, None
    return loss, check_finite_number(f"evaluate metric {_name_of(metric)} result", metric(prediction, labels))


def _name_of(function):
    return getattr(function, "__name__", type(function).__name__)


def _as_list(argument, value, example):
    """Return ``value`` (a list or tuple of items) as a list; one item on its own raises a TypeError that says so.

    A lone function or callback would otherwise be iterated (or fail deep inside with "not iterable").
    None stands for no items.
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if callable(value) or is_callback(value) or _is_recorder(value):
        raise TypeError(f"fit {argument} must be a list, got one {type(value).__name__}: pass a list, e.g. "
                        f"{argument}=[{_name_of(value) if callable(value) else 'it'}]")
    raise TypeError(f"fit {argument} must be a list (e.g. {argument}={example}), got {value!r} "
                    f"({type(value).__name__})")


def _early_stopping(early_stopping):
    """``fit``'s early_stopping as a callback: an EarlyStopping as it is, an int as its patience."""
    if isinstance(early_stopping, EarlyStopping):
        return early_stopping
    if isinstance(early_stopping, bool) or not isinstance(early_stopping, numbers.Integral):
        raise TypeError(
            "fit early_stopping must be a patience in epochs (an int), an EarlyStopping or None, got "
            f"{early_stopping!r} ({type(early_stopping).__name__})"
        )
    return EarlyStopping(early_stopping)


def _is_recorder(candidate):
    return callable(getattr(candidate, "start", None)) and callable(getattr(candidate, "record", None))


def _checked_recorders(recorders):
    """The recorders as a list, each with ``start(network)`` and ``record(step, network)``."""
    recorders = _as_list("recorders", recorders, "[SparsityRecorder()]")
    for index, recorder in enumerate(recorders):
        if isinstance(recorder, type) or not _is_recorder(recorder):
            raise TypeError(
                f"fit recorders[{index}] must be a recorder object with start(network) and record(step, network), "
                f"got {recorder!r}" + (f": create one, e.g. {recorder.__name__}()" if isinstance(recorder, type)
                                       else "")
            )
    return recorders


class _Plan:
    """The validated arguments of one ``fit`` call."""

    def __init__(self, network, epochs, steps_per_epoch, clip_norm, truncation, metric):
        check_network("fit", network)
        if network.data_layer is None or network.loss_layer is None:
            raise RuntimeError("fit needs network.data_layer and network.loss_layer to be set first")
        self.network = network
        self.epochs = check_positive_int("fit epochs", epochs)
        source = "fit steps_per_epoch"
        if steps_per_epoch is None:
            steps_per_epoch = getattr(network.data_layer, "batches_per_epoch", None)
            if steps_per_epoch is None:
                raise ValueError("fit needs steps_per_epoch: the data layer has no batches_per_epoch")
            source = "fit (steps_per_epoch not given) data_layer.batches_per_epoch"
        self.steps_per_epoch = check_positive_int(source, steps_per_epoch)
        self.clip_norm = check_max_norm("fit clip_norm", clip_norm)
        self.truncation = None if truncation is None else check_positive_int("fit truncation", truncation)
        if self.truncation is not None and not network.stateful_layers():
            raise ValueError(
                f"fit truncation={truncation!r} cuts sequences along time for recurrent layers, but the network has "
                "no recurrent (stateful) layer: leave truncation=None"
            )
        if metric == "auto":
            metric = accuracy if isinstance(network.loss_layer, CrossEntropyLoss) else None
        if metric is not None and not callable(metric):
            raise TypeError(f"fit metric must be a function of (prediction, labels), 'auto' or None, got {metric!r}")
        self.metric = metric


def _run_epochs(plan, state, hooks, recorders, started):
    network, history = plan.network, state.history
    for epoch in range(plan.epochs):
        state.epoch = epoch
        epoch_loss, epoch_samples = 0.0, 0
        for _ in range(plan.steps_per_epoch):
            network.phase = "train"  # the forward-only chunks too, whatever a callback's test left behind
            inputs, labels = next_batch(network.data_layer, "fit")
            for chunk_inputs, chunk_labels in _chunks(network, inputs, labels, plan.truncation):
                gradient_norm = _step(plan, state, chunk_inputs, chunk_labels)
                epoch_loss += network.data_loss  # every chunk that updated counts, not only the last one
                history.add_step(
                    step=state.step, epoch=epoch, data_loss=network.data_loss,
                    regularization_loss=network.regularization_loss, loss=network.loss[-1],
                    learning_rate=_learning_rate(network), gradient_norm=gradient_norm,
                    elapsed=time.perf_counter() - started,
                )
                for recorder in recorders:
                    recorder.record(state.step, network)
                for hook in hooks:
                    hook.on_step_end(state)
            epoch_samples += len(inputs)
            if state.stop_requested:
                break
        _end_epoch(plan, state, epoch_loss / max(epoch_samples, 1), started)
        for hook in hooks:
            hook.on_epoch_end(state)
        if state.stop_requested:
            return


def _step(plan, state, inputs, labels):
    """One update; returns the global gradient norm before clipping."""
    network = plan.network
    state.step = len(network.loss)
    with stop_message(f"training stopped at epoch {state.epoch + 1}, step {state.step}"):
        if plan.clip_norm is None:
            # No deferred update: a layer written to the exercise's skeleton (no defer_updates) trains too.
            network.train_step(inputs, labels)
            return global_gradient_norm(network)
        norms = []  # the norm before clipping, measured once every gradient is stored

        def clip(net):
            norms.append(clip_by_global_norm(net, plan.clip_norm))

        network.train_step(inputs, labels, before_update=clip)
        return norms[0]


def _end_epoch(plan, state, running_train_loss, started):
    """Evaluate the training and validation sets in the test phase and add the epoch's row."""
    network, data = plan.network, plan.network.data_layer
    train_loss, train_accuracy = running_train_loss, None
    if (train_set := _split_of(data, "get_train_set")) is not None:
        train_loss, train_accuracy = evaluate(network, *train_set, plan.metric)
    validation_loss = validation_accuracy = None
    if (validation_set := _split_of(data, "get_validation_set")) is not None:
        validation_loss, validation_accuracy = evaluate(network, *validation_set, plan.metric)
    state.history.add_epoch(
        epoch=state.epoch, step=state.step, train_loss=train_loss, train_accuracy=train_accuracy,
        validation_loss=validation_loss, validation_accuracy=validation_accuracy,
        elapsed=time.perf_counter() - started,
    )


def _split_of(data_layer, getter_name):
    """The pair (inputs, labels) the data layer's ``getter_name`` returns; None without the method or rows."""
    getter = getattr(data_layer, getter_name, None)
    if getter is None:
        return None
    inputs, labels = check_pair("fit", f"data_layer.{getter_name}()", getter())
    return (inputs, labels) if len(inputs) > 0 else None


def _learning_rate(network):
    for layer in network.trainable_layers():
        for optimizer in getattr(layer, "optimizers", {}).values():
            return optimizer.learning_rate
    return network.optimizer.learning_rate


def _chunks(network, inputs, labels, truncation):
    """Yield the (inputs, labels) pieces that make one update each (see ``fit``'s ``truncation``)."""
    if truncation is None:
        yield inputs, labels
        return
    inputs, labels = np.asarray(inputs), np.asarray(labels)
    if inputs.ndim not in (2, 3):
        raise ValueError(
            "fit truncation needs sequence batches of shape (batch, time, features) (or one sequence (time, "
            f"features)), got inputs of shape {inputs.shape}"
        )
    time_axis = inputs.ndim - 2
    length = inputs.shape[time_axis]
    sequence_targets = labels.ndim == inputs.ndim and labels.shape[: time_axis + 1] == inputs.shape[: time_axis + 1]
    network.reset_states()
    # Windows end at the last step, so the last chunk (the one a single target per sequence is read from)
    # always has ``truncation`` steps: that is how far back its gradient reaches.
    ends = range(length, 0, -truncation)[::-1]
    for end in ends:
        window = slice(max(end - truncation, 0), end)
        chunk = inputs[:, window] if time_axis == 1 else inputs[window]
        if sequence_targets:
            yield chunk, (labels[:, window] if time_axis == 1 else labels[window])
        elif end == length:
            yield chunk, labels
        else:
            # Forward only, so the recurrent layers carry this chunk's final state into the next one;
            # the loss it computes is not used (the next step's forward replaces it), nothing is updated.
            network.forward(chunk, labels)


@contextlib.contextmanager
def _carried_states(network, truncation):
    """With truncation, the layers that carry a state memorize from chunk to chunk; their setting is restored after."""
    recurrent = network.stateful_layers() if truncation else []
    settings = [layer.memorize for layer in recurrent]
    for layer in recurrent:
        layer.memorize = True
    try:
        yield
    finally:
        for layer, memorize in zip(recurrent, settings, strict=True):
            layer.memorize = memorize
