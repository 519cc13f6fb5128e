"""Small test doubles shared by several test modules."""

import numpy as np


class FixedBatches:
    """A data layer that cycles through given (input, label) batches."""

    def __init__(self, *batches):
        self.batches = list(batches)
        self.calls = 0

    def next(self):
        batch = self.batches[self.calls % len(self.batches)]
        self.calls += 1
        return batch


def one_hot(labels, classes):
    return np.eye(classes)[labels]


class RecordingInitializer:
    """An initializer that fills with one value and records every (shape, fan_in, fan_out) it was asked for."""

    def __init__(self, value):
        self.value = value
        self.calls = []

    def initialize(self, weights_shape, fan_in, fan_out):
        self.calls.append((tuple(weights_shape), fan_in, fan_out))
        return np.full(weights_shape, self.value)


def refresh_with(dashboard, params):
    """Refresh ``dashboard`` as if its controls held ``params``: values no real control would accept."""
    dashboard.params = lambda: params
    try:
        dashboard.refresh()
    finally:
        del dashboard.params


def controls_only(dashboard_class):
    """``dashboard_class`` built with its real controls and ``set``, but without computing or drawing anything."""
    quiet = type(f"Quiet{dashboard_class.__name__}", (dashboard_class,), {"refresh": lambda self: None})
    return quiet()
