"""The record a training run leaves: one row per step and one row per epoch."""

import numpy as np

STEP_FIELDS = ("step", "epoch", "data_loss", "regularization_loss", "loss", "learning_rate", "gradient_norm",
               "elapsed")
EPOCH_FIELDS = ("epoch", "step", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy",
                "elapsed")


class History:
    """What ``fit`` measured, as lists that grow while it trains (read them live from a callback).

    Per step (one optimizer update), in ``steps``, a dict of equally long lists:

    - ``step``: 0-based index of the update, counted over every ``fit`` call on the network;
    - ``epoch``: the epoch the step belongs to;
    - ``data_loss``, ``regularization_loss``: the two parts of the network's loss; their sum ``loss`` is
      exactly the value ``NeuralNetwork.forward`` returned and ``fit`` appended to ``network.loss``
      (summed over the batch, the exercise's convention);
    - ``learning_rate``: η used for the step; ``gradient_norm``: ‖g‖₂ over every trainable array of the
      network, before clipping; ``elapsed``: seconds since ``fit`` started.

    Per epoch, in ``epochs``: ``train_loss`` and ``validation_loss`` (data loss per sample, so the two
    can be compared), ``train_accuracy`` and ``validation_accuracy`` (None without a metric or a
    validation set), the last ``step`` of the epoch and ``elapsed``.

    ``best_epoch`` is set by early stopping; ``stop_reason`` says why training ended early (None when it
    ran to the end).
    """

    def __init__(self):
        self.steps = {field: [] for field in STEP_FIELDS}
        self.epochs = {field: [] for field in EPOCH_FIELDS}
        self.best_epoch = None
        self.stop_reason = None

    def add_step(self, **values):
        _append(self.steps, STEP_FIELDS, values)

    def add_epoch(self, **values):
        _append(self.epochs, EPOCH_FIELDS, values)

    def step_array(self, field):
        """One per-step field as a float array (None entries become NaN)."""
        return _as_array(self.steps, field)

    def epoch_array(self, field):
        """One per-epoch field as a float array (None entries become NaN)."""
        return _as_array(self.epochs, field)

    @property
    def num_steps(self):
        return len(self.steps["step"])

    @property
    def num_epochs(self):
        return len(self.epochs["epoch"])

    def __repr__(self):
        return f"History({self.num_steps} steps, {self.num_epochs} epochs, stop_reason={self.stop_reason!r})"


def _append(table, fields, values):
    if set(values) != set(fields):
        raise ValueError(f"History row needs exactly the fields {fields}, got {tuple(values)}")
    for field in fields:
        table[field].append(values[field])


def _as_array(table, field):
    if field not in table:
        raise KeyError(f"History has no field {field!r}; fields: {tuple(table)}")
    return np.array([np.nan if value is None else value for value in table[field]], dtype=float)
