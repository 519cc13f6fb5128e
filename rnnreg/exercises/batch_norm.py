"""Topic "batch_normalization": ``cls(channels)``, ``weights`` (γ), ``bias`` (β), ``gradient_weights``,
``gradient_bias``, ``testing_phase``, ``optimizer``, 2-D ``(N, C)`` and 4-D ``(N, C, Y, X)`` input.

The probe (γ and β set to values other than ones and zeros) runs, on one layer of 3 channels: a
training-phase forward of a 2-D batch, its backward, a test-phase forward, a second training batch and a
test-phase forward again; on a second layer the same for a 4-D batch; on a third, one backward with
``optimizer = Sgd(0.5)``. It observes the outputs, dL/dx, (dL/dγ, dL/dβ) and the updated (γ, β).
Each variant is :class:`_Variant` with one option changed; it is recognised when the candidate reproduces
its value on an observation where the candidate differs from rnnreg's BatchNormalization:

- ``bn-unbiased-variance``: σ² divided by M − 1 (everywhere, or only in the moving variance as PyTorch).
- ``bn-image-per-position``: a 4-D input normalised over N only (per channel and position).
- ``bn-backward-constant-statistics``: dL/dx = γ/√(σ²_B + ε) · E (μ_B and σ²_B treated as constants).
- ``bn-batch-statistics-at-test``: the test phase normalises with the test batch's own statistics.
- ``bn-moving-average-start``: moving averages started from 0 and 1 (PyTorch) or from zeros, not from the
  first batch (differs after one batch).
- ``bn-momentum-swapped``: μ_mov ← 0.2 μ_mov + 0.8 μ_B (same as the reference after one batch, differs after two).
- Generic (no variant reproduces it): ``bn-forward-wrong``, ``bn-backward-wrong``,
  ``bn-parameter-gradients-wrong``, ``bn-test-phase-wrong`` (each only when the training forward it follows
  from is right), ``bn-optimizer-not-applied`` (γ, β not moved by the optimizer).
"""

import copy

import numpy as np

from rnnreg.exercises.probes import check_against_variants
from rnnreg.layers.batch_normalization import BatchNormalization
from rnnreg.optim.optimizers import Sgd

CHANNELS = 3
GAMMA = np.array([1.5, 0.5, 2.0])
BETA = np.array([0.1, -0.2, 0.3])
LEARNING_RATE = 0.5

_rng = np.random.default_rng(14)
_location, _spread = np.array([1.0, -2.0, 0.5]), np.array([1.0, 2.0, 0.5])
FIRST_BATCH = _rng.normal(_location, _spread, size=(8, CHANNELS))
SECOND_BATCH = _rng.normal(_location + 1.0, _spread * 1.5, size=(8, CHANNELS))
TEST_BATCH = _rng.normal(_location, _spread, size=(5, CHANNELS))
ERROR = _rng.normal(size=(8, CHANNELS))
IMAGES = _rng.normal(_location[:, None, None], _spread[:, None, None], size=(4, CHANNELS, 3, 2))
IMAGE_ERROR = _rng.normal(size=IMAGES.shape)
TEST_IMAGES = _rng.normal(_location[:, None, None], _spread[:, None, None], size=(2, CHANNELS, 3, 2))

DESCRIPTIONS = {
    "forward": ("training-phase forward of an (8, 3) batch", "bn-forward-wrong"),
    "backward": ("training-phase backward (dL/dx) of an (8, 3) batch", "bn-backward-wrong", "forward"),
    "gradients": ("gradient_weights and gradient_bias of an (8, 3) batch", "bn-parameter-gradients-wrong", "forward"),
    "updated": (
        f"weights and bias after backward with optimizer Sgd({LEARNING_RATE})",
        "bn-optimizer-not-applied",
        "gradients",
        "forward",
    ),
    "test_after_one": ("test-phase forward after one training batch", "bn-test-phase-wrong", "forward"),
    "test_after_two": ("test-phase forward after two training batches", "bn-test-phase-wrong", "forward"),
    "image_forward": ("training-phase forward of a (4, 3, 3, 2) image batch", "bn-forward-wrong"),
    "image_backward": ("training-phase backward of a (4, 3, 3, 2) image batch", "bn-backward-wrong", "image_forward"),
    "image_gradients": (
        "gradient_weights and gradient_bias of a (4, 3, 3, 2) image batch",
        "bn-parameter-gradients-wrong",
        "image_forward",
    ),
    "image_test": ("test-phase forward of images after one training batch", "bn-test-phase-wrong", "image_forward"),
}


def _new_layer(factory, trial):
    layer = trial.call(f"the constructor cls({CHANNELS})", lambda: factory(CHANNELS))
    trial.assign(layer, "weights", GAMMA)
    trial.assign(layer, "bias", BETA)
    trial.assign_flag(layer, "testing_phase", False)
    return layer


def _forward(trial, layer, x, phase):
    trial.assign_flag(layer, "testing_phase", phase == "test")
    description = f"forward(x) of shape {x.shape} in the {phase} phase"
    return trial.array(description, trial.call(description, lambda: layer.forward(x.copy())), x.shape)


def _backward(trial, layer, error):
    description = f"backward(E) of shape {error.shape} in the training phase"
    return trial.array(description, trial.call(description, lambda: layer.backward(error.copy())), error.shape)


def _parameter_gradients(trial, layer):
    return np.concatenate([trial.attribute(layer, name, (CHANNELS,)) for name in ("gradient_weights", "gradient_bias")])


def probe(factory, trial):
    """Observations of the three layers (see the module docstring)."""
    observed = {}
    layer = _new_layer(factory, trial)
    observed["forward"] = _forward(trial, layer, FIRST_BATCH, "training")
    observed["backward"] = _backward(trial, layer, ERROR)
    observed["gradients"] = _parameter_gradients(trial, layer)
    observed["test_after_one"] = _forward(trial, layer, TEST_BATCH, "test")
    _forward(trial, layer, SECOND_BATCH, "training")
    observed["test_after_two"] = _forward(trial, layer, TEST_BATCH, "test")

    images = _new_layer(factory, trial)
    observed["image_forward"] = _forward(trial, images, IMAGES, "training")
    observed["image_backward"] = _backward(trial, images, IMAGE_ERROR)
    observed["image_gradients"] = _parameter_gradients(trial, images)
    observed["image_test"] = _forward(trial, images, TEST_IMAGES, "test")

    trained = _new_layer(factory, trial)
    trial.call(f"setting .optimizer = Sgd({LEARNING_RATE})", lambda: setattr(trained, "optimizer", Sgd(LEARNING_RATE)))
    _forward(trial, trained, FIRST_BATCH, "training")
    _backward(trial, trained, ERROR)
    observed["updated"] = np.concatenate([trial.attribute(trained, name, (CHANNELS,)) for name in ("weights", "bias")])
    return observed


class _Variant:
    """Batch normalization with choosable conventions; the defaults are the exercise's (the reference's).

    ddof, moving_ddof: the variances' divisor M − ddof (in the batch statistics, in the moving variance).
    test_statistics: "moving" or "batch".  start: "first" batch, "zeros" or "zeros-ones" (PyTorch).
    old_weight: a in μ_mov ← a μ_mov + (1 − a) μ_B.  full_backward: through μ_B and σ²_B, or not.
    per_position: a 4-D input normalised per channel and position (over N only).
    """

    epsilon = BatchNormalization.epsilon

    def __init__(self, channels, *, ddof=0, moving_ddof=0, test_statistics="moving", start="first", old_weight=0.8,
                 full_backward=True, per_position=False):  # fmt: skip
        self.ddof, self.moving_ddof, self.test_statistics = ddof, moving_ddof, test_statistics
        self.start, self.old_weight = start, old_weight
        self.full_backward, self.per_position = full_backward, per_position
        self.weights, self.bias = np.ones(channels), np.zeros(channels)
        self.testing_phase, self.optimizer = False, None
        self.moving_mean = self.moving_variance = None

    def _axes(self, x):
        return (0,) if x.ndim == 2 or self.per_position else (0, 2, 3)

    def forward(self, x):
        axes, shape = self._axes(x), (1, x.shape[1]) + (1,) * (x.ndim - 2)
        if self.testing_phase and self.test_statistics == "moving":
            mean, variance = self.moving_mean, self.moving_variance
        else:
            mean, variance = x.mean(axes, keepdims=True), x.var(axes, ddof=self.ddof, keepdims=True)
        if not self.testing_phase:
            self._update_moving(mean, x.var(axes, ddof=self.moving_ddof, keepdims=True))
        self.x_hat = (x - mean) / np.sqrt(variance + self.epsilon)
        self.scale = self.weights.reshape(shape) / np.sqrt(variance + self.epsilon)
        return self.weights.reshape(shape) * self.x_hat + self.bias.reshape(shape)

    def _update_moving(self, mean, variance):
        if self.moving_mean is None and self.start == "first":
            self.moving_mean, self.moving_variance = mean, variance
            return
        if self.moving_mean is None:
            self.moving_mean = np.zeros_like(mean)
            self.moving_variance = np.zeros_like(variance) if self.start == "zeros" else np.ones_like(variance)
        a = self.old_weight
        self.moving_mean = a * self.moving_mean + (1 - a) * mean
        self.moving_variance = a * self.moving_variance + (1 - a) * variance

    def backward(self, error):
        channel_axes = (0,) if error.ndim == 2 else (0, 2, 3)
        self.gradient_weights = (error * self.x_hat).sum(channel_axes)
        self.gradient_bias = error.sum(channel_axes)
        error_input = self.scale * error
        if self.full_backward:
            axes = self._axes(error)
            mean_error = error.mean(axes, keepdims=True)
            error_input = self.scale * (
                error - mean_error - self.x_hat * (error * self.x_hat).mean(axes, keepdims=True)
            )
        if self.optimizer is not None:
            self.weights = copy.deepcopy(self.optimizer).calculate_update(self.weights, self.gradient_weights)
            self.bias = copy.deepcopy(self.optimizer).calculate_update(self.bias, self.gradient_bias)
        return error_input


def _variant(**options):
    return lambda channels: _Variant(channels, **options)


VARIANTS = [
    ("bn-unbiased-variance", _variant(ddof=1, moving_ddof=1)),
    ("bn-unbiased-variance", _variant(moving_ddof=1)),
    ("bn-image-per-position", _variant(per_position=True)),
    ("bn-backward-constant-statistics", _variant(full_backward=False)),
    ("bn-batch-statistics-at-test", _variant(test_statistics="batch")),
    ("bn-moving-average-start", _variant(start="zeros-ones")),
    ("bn-moving-average-start", _variant(start="zeros")),
    ("bn-momentum-swapped", _variant(old_weight=0.2)),
]


def check_batch_normalization(candidate_class):
    """Findings for a BatchNormalization class."""
    return check_against_variants(candidate_class, probe, BatchNormalization, VARIANTS, DESCRIPTIONS)
