"""Lesson 05, "all together": its experiments, run over seeds, and the sentences the lesson states.

Two experiments:

- **The live run.** A conv net on the 8 x 8 digits with L2, dropout and BatchNorm (``build_digits_conv_net``)
  is trained step by step while its settings change. ``LiveRun`` keeps the state that must survive a change
  (weights, Adam's moments, BatchNorm's moving statistics, the data order, the record): ``step(n)`` trains
  ``n`` more steps with ``rnnreg.training.fit`` and appends them to one cumulative ``History``;
  ``configure`` changes L2 strength, keep probability and learning rate through ``rnnreg.training``'s
  setters, from the next step on; ``reset`` rebuilds the seeded initial network. ``run_schedule`` trains
  the notebook's schedule (80 steps at the start settings, 40 at α = 1, 40 at dropout rate 0.9) for one
  seed and measures what the notebook says about it; ``schedule_claims`` states it over seeds.
- **Early stopping.** An over-parameterised MLP on ``overfitting_set`` (30 training samples, 60 features,
  4 of them informative) trains full batch until it memorises the training set: the validation loss falls,
  turns and rises while the training loss keeps falling. ``early_stopping_run`` trains it once for the
  whole budget and once with ``EarlyStopping`` (``restore_best``); ``early_stopping_claims`` states what the
  seeds share.

Every random choice comes from the seed, and the live run owns its random generators, so the same seed and
the same sequence of steps and settings give bit-identical runs on one machine, whatever else a notebook
draws from NumPy's global state. The ``*_claims`` functions raise ``ClaimFailed`` when the seeds do not
support their sentences (``rnnreg.lessons.claims``).
"""

import copy
import dataclasses
import math

import numpy as np

from rnnreg import (
    Adam,
    BatchNormalization,
    Constant,
    Conv,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    FullyConnected,
    He,
    L2Regularizer,
    NeuralNetwork,
    Pooling,
    ReLU,
    SoftMax,
)
from rnnreg.data import digits_data_layer
from rnnreg.lessons.claims import SEEDS, SeedValues, of_runs
from rnnreg.lessons.experiment import check_count, keep_probability, read_only, seeded
from rnnreg.lessons.overfitting import overfitting_data_layer
from rnnreg.training import (
    Callback,
    EarlyStopping,
    History,
    evaluate,
    fit,
    set_keep_probability,
    set_learning_rate,
    set_regularization_strength,
)
from rnnreg.validation import check_choice, check_finite_number

# Which trainable arrays the weight histogram can show: label -> index in network.layers.
WEIGHT_LAYERS = {"fully connected": 6, "conv kernels": 0}
START_SETTINGS = {"l2_strength": 1e-2, "dropout_rate": 0.3, "learning_rate": 2e-3}




def between(values, low, high, *, margin):
    """The sentence "<name> between <low> and <high> in all N seeds", checked on both sides (``SeedValues.holds``)."""
    values.holds(low, margin=margin)
    values.holds(high, margin=margin, above=False)
    return f"{values.name} between {low:g} and {high:g} in all {len(values.seeds)} seeds"


# ------------------------------------------------------------------------------------------- the live run


def check_settings(l2_strength, dropout_rate, learning_rate):
    """Validate the three live settings; return them as floats or raise ValueError/TypeError naming the bad one."""
    l2_strength = check_finite_number("L2 strength α", l2_strength)
    dropout_rate = check_finite_number("dropout rate", dropout_rate)
    learning_rate = check_finite_number("learning rate η", learning_rate)
    if l2_strength < 0:
        raise ValueError(f"L2 strength α must be 0 or more, got {l2_strength!r}")
    if not 0 <= dropout_rate < 1:
        raise ValueError(f"dropout rate must be in [0, 1) (1 would drop every unit), got {dropout_rate!r}")
    if learning_rate <= 0:
        raise ValueError(f"learning rate η must be positive (η = 0 would never move a weight), got {learning_rate!r}")
    return l2_strength, dropout_rate, learning_rate


def build_digits_conv_net(l2_strength=1e-2, dropout_rate=0.3, learning_rate=2e-3, *, batch_size=64, seed=0):
    """The lesson's conv net on the digits, seeded, with its own random generators.

    Conv(1, (1, 3, 3), 8) → BatchNormalization(8) → ReLU → Pooling(2, 2) → Flatten → Dropout →
    FullyConnected(128, 10) → SoftMax, trained by Adam(η, 0.9, 0.999) with an L2 regularizer of strength α
    (the exercise's decoupled shrinkage) on every trainable array. The data layer serves 8 x 8 digits with
    20 % held out for validation (and the default 20 % test set); its shuffling and the dropout masks use
    generators made from ``seed``, the He-initialized weights NumPy's global state seeded with ``seed``
    (restored afterwards).
    """
    l2_strength, dropout_rate, learning_rate = check_settings(l2_strength, dropout_rate, learning_rate)
    data_seed, dropout_seed = np.random.SeedSequence(seed).spawn(2)
    with seeded(seed):
        optimizer = Adam(learning_rate, 0.9, 0.999)
        optimizer.add_regularizer(L2Regularizer(l2_strength))
        net = NeuralNetwork(optimizer, He(), Constant(0.1))
        net.data_layer = digits_data_layer(
            batch_size=batch_size, validation_fraction=0.2, rng=np.random.default_rng(data_seed)
        )
        net.loss_layer = CrossEntropyLoss()
        for layer in (
            Conv(1, (1, 3, 3), 8), BatchNormalization(8), ReLU(), Pooling(2, 2), Flatten(),
            Dropout(keep_probability(dropout_rate), rng=np.random.default_rng(dropout_seed)),
            FullyConnected(8 * 4 * 4, 10), SoftMax(),
        ):
            net.append_layer(layer)
    return net


class _CopyRows(Callback):
    """Copy every step and evaluation row of one ``fit`` call into the run's cumulative History, as it happens.

    Copying at once (rather than after ``fit`` returns) keeps the record complete when a step diverges.
    The ``epoch`` field of the cumulative record counts passes over the training set (fractional for
    evaluations that fall inside an epoch).
    """

    def __init__(self, run):
        self.run = run

    def on_step_end(self, state):
        row = {field: values[-1] for field, values in state.history.steps.items()}
        row["epoch"] = int(self.run.completed_epochs(row["step"] - self.run.first_step))  # the epoch it belongs to
        self.run.history.add_step(**row)

    def on_epoch_end(self, state):
        row = {field: values[-1] for field, values in state.history.epochs.items()}
        row["epoch"] = self.run.completed_epochs(row["step"] + 1 - self.run.first_step)
        self.run.history.add_epoch(**row)


class LiveRun:
    """The training state behind the live dashboard: network, cumulative History, seeded start.

    Parameters
    ----------
    l2_strength, dropout_rate, learning_rate : float
        The starting settings (α >= 0; drop rate in [0, 1); η > 0).
    batch_size : int
    seed : int
        Seeds everything random; ``reset`` starts again from exactly the same network.

    Attributes
    ----------
    network : NeuralNetwork
    history : History
        Every step since the last reset (``step`` counts from 0), and one evaluation row (train and
        validation accuracy, in the test phase) at the end of every ``step(n)`` call.
    settings : dict
        The settings in force: ``l2_strength``, ``dropout_rate``, ``learning_rate``.
    initial_weights : dict
        Copies of the histogram arrays (see ``WEIGHT_LAYERS``) right after (re)building.
    diverged : str or None
        The message of the step that diverged; training refuses to continue until ``reset``.
    """

    def __init__(self, l2_strength=1e-2, dropout_rate=0.3, learning_rate=2e-3, *, batch_size=64, seed=0):
        self.batch_size, self.seed = batch_size, seed
        l2_strength, dropout_rate, learning_rate = check_settings(l2_strength, dropout_rate, learning_rate)
        self.settings = {"l2_strength": l2_strength, "dropout_rate": dropout_rate, "learning_rate": learning_rate}
        self.reset()

    def reset(self):
        """Rebuild the seeded initial network (same weights, data order and masks) with the current settings."""
        self.network = build_digits_conv_net(**self.settings, batch_size=self.batch_size, seed=self.seed)
        self.history = History()
        self.first_step = len(self.network.loss)
        self.diverged = None
        self.initial_weights = self.histogram_arrays()

    def configure(self, l2_strength=None, dropout_rate=None, learning_rate=None):
        """Change settings from the next step on; weights, optimizer state and the record stay as they are.

        All values are checked before anything changes: a rejected value (ValueError) changes nothing.
        """
        new = dict(self.settings)
        for name, value in (("l2_strength", l2_strength), ("dropout_rate", dropout_rate),
                            ("learning_rate", learning_rate)):
            if value is not None:
                new[name] = value
        l2_strength, dropout_rate, learning_rate = check_settings(**new)
        set_regularization_strength(self.network, l2_strength)
        set_keep_probability(self.network, keep_probability(dropout_rate))
        set_learning_rate(self.network, learning_rate)
        self.settings = {"l2_strength": l2_strength, "dropout_rate": dropout_rate, "learning_rate": learning_rate}

    def step(self, steps=1):
        """Train ``steps`` more steps (one ``fit`` call) and evaluate train and validation accuracy once.

        Raises
        ------
        RuntimeError
            The run diverged now or earlier (the message says what to do); the steps done before it are
            recorded.
        """
        steps = check_count("steps", steps)
        if self.diverged is not None:
            raise RuntimeError(f"{self.diverged} Press Reset to start again.")
        try:
            fit(self.network, epochs=1, steps_per_epoch=steps, callbacks=[_CopyRows(self)])
        except RuntimeError as error:
            cause = error.__cause__ or error  # the network's own message, without fit's per-call epoch count
            self.diverged = f"Training diverged at step {self.steps_done}: {cause}"
            raise RuntimeError(f"{self.diverged} Press Reset to start again.") from error

    @property
    def steps_done(self):
        return self.history.num_steps

    def completed_epochs(self, steps=None):
        """Passes over the training set after ``steps`` steps (default: all steps done), as a float."""
        steps = self.steps_done if steps is None else steps
        return steps / self.network.data_layer.batches_per_epoch

    def histogram_arrays(self):
        """Copies of the weights the histogram can show, by ``WEIGHT_LAYERS`` label (no bias row), flattened."""
        arrays = {}
        for label, index in WEIGHT_LAYERS.items():
            layer = self.network.layers[index]
            weights = layer.weights[:-1] if isinstance(layer, FullyConnected) else layer.weights
            arrays[label] = np.array(weights, copy=True).ravel()
        return arrays

    def data(self):
        """A snapshot for drawing: the History (shared, it only grows), weight copies, settings, counters."""
        return {
            "history": self.history,
            "weights": self.histogram_arrays(),
            "initial_weights": self.initial_weights,
            "settings": dict(self.settings),
            "steps": self.steps_done,
            "epochs": self.completed_epochs(),
            "diverged": self.diverged,
        }


def latest_accuracies(data):
    """``(train_accuracy, validation_accuracy)`` of the last evaluation, or ``(None, None)`` before training."""
    epochs = data["history"].epochs
    if not epochs["step"]:
        return None, None
    return epochs["train_accuracy"][-1], epochs["validation_accuracy"][-1]


def live_finding(data):
    """The sentence the live figure's title states: this run's numbers, no general claim."""
    train, validation = latest_accuracies(data)
    if train is None:
        return "Not trained yet: press ▶ (or call dashboard.step) to train"
    gap = round(train - validation, 2) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0: no "gap -0.00" on screen
    return (
        f"This run after {data['steps']} steps ({data['epochs']:.1f} epochs): validation accuracy {validation:.2f}, "
        f"train {train:.2f}, gap {gap:+.2f}"
    )


def weight_rms(values):
    """Root mean square of the finite entries of ``values`` (NaN when there are none)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return math.nan
    with np.errstate(over="ignore"):  # weights blown up by a diverging step
        return float(np.sqrt(np.mean(np.square(finite))))


# ------------------------------------------------------------------------------ the notebook's schedule

START_STEPS, STRONG_L2, L2_STEPS, HIGH_DROPOUT, DROPOUT_STEPS = 80, 1.0, 40, 0.9, 40
SCHEDULE_PARTS = ("start", "strong L2", "high dropout")


@dataclasses.dataclass(frozen=True)
class ScheduleRun:
    """What the notebook states about its schedule, measured for one seed.

    Attributes
    ----------
    start : dict
        After ``START_STEPS`` steps at the start settings: ``train_accuracy``, ``validation_accuracy``,
        ``data_loss`` and ``regularization_loss`` of the last step, ``rms_initial`` and ``rms`` (FC weights).
    strong_l2 : dict
        After ``L2_STEPS`` more steps at α = ``STRONG_L2``: ``jump`` (the regularization loss of the first
        step at the new α over the last one before), ``rms``, ``rms_unchanged`` (the same run continued at
        the start α instead), ``train_accuracy``, ``validation_accuracy``.
    high_dropout : dict
        After ``DROPOUT_STEPS`` more steps at dropout rate ``HIGH_DROPOUT``: ``data_loss_before`` and
        ``data_loss_after`` (mean data loss of the 20 steps before the change and of the last 20),
        ``train_accuracy``, ``validation_accuracy``.
    """

    start: dict
    strong_l2: dict
    high_dropout: dict


def _accuracies(run):
    train, validation = latest_accuracies(run.data())
    return {"train_accuracy": train, "validation_accuracy": validation}


def run_schedule(seed=0):
    """Train the notebook's schedule for ``seed`` (about 0.5 s) and return a ``ScheduleRun``.

    The same steps as the notebook's dashboard cells; how often the run is evaluated does not change the
    training (evaluation runs in the test phase and draws nothing at random).
    """
    run = LiveRun(**START_SETTINGS, seed=seed)
    run.step(START_STEPS)
    steps = run.history.steps
    regularization = steps["regularization_loss"]  # the History's own list: it grows with later steps
    start = {
        **_accuracies(run), "data_loss": steps["data_loss"][-1], "regularization_loss": regularization[-1],
        "rms_initial": weight_rms(run.initial_weights["fully connected"]),
        "rms": weight_rms(run.histogram_arrays()["fully connected"]),
    }
    unchanged = copy.deepcopy(run)  # the same state, left at the start settings: what α = 1 is compared with
    unchanged.step(L2_STEPS)
    run.configure(l2_strength=STRONG_L2)
    run.step(L2_STEPS)
    strong_l2 = {
        **_accuracies(run), "jump": regularization[START_STEPS] / regularization[START_STEPS - 1],
        "rms": weight_rms(run.histogram_arrays()["fully connected"]),
        "rms_unchanged": weight_rms(unchanged.histogram_arrays()["fully connected"]),
    }
    run.configure(dropout_rate=HIGH_DROPOUT)
    run.step(DROPOUT_STEPS)
    data_loss = np.asarray(steps["data_loss"])
    changed_at = START_STEPS + L2_STEPS
    high_dropout = {
        **_accuracies(run), "data_loss_before": float(data_loss[changed_at - 20:changed_at].mean()),
        "data_loss_after": float(data_loss[-20:].mean()),
    }
    return ScheduleRun(start, strong_l2, high_dropout)


def schedule_values(runs):
    """``{part: {name: SeedValues}}`` of ``runs`` ({seed: ScheduleRun}), for ``schedule_claims``."""
    return {
        "start": {
            "validation": of_runs(runs, f"validation accuracy after {START_STEPS} steps",
                                 lambda r: r.start["validation_accuracy"]),
            "loss parts": of_runs(runs, "data loss over regularization loss at α = 0.01",
                                 lambda r: r.start["data_loss"] / r.start["regularization_loss"]),
            "growth": of_runs(runs, f"RMS of the FC weights after {START_STEPS} steps over the initial RMS",
                             lambda r: r.start["rms"] / r.start["rms_initial"]),
        },
        "strong L2": {
            "jump": of_runs(runs, "regularization loss at the first step with α = 1 over the step before",
                           lambda r: r.strong_l2["jump"]),
            "shrink": of_runs(runs, f"RMS of the FC weights after {L2_STEPS} steps at α = 1 over the RMS before",
                             lambda r: r.strong_l2["rms"] / r.start["rms"]),
            "versus unchanged": of_runs(runs, "that RMS over the RMS of the same run left at α = 0.01",
                                       lambda r: r.strong_l2["rms"] / r.strong_l2["rms_unchanged"]),
        },
        "high dropout": {
            "loss up": of_runs(runs, "mean data loss of the last 20 steps over the 20 before dropout rate 0.9",
                              lambda r: r.high_dropout["data_loss_after"] / r.high_dropout["data_loss_before"]),
            "accuracy moves": of_runs(runs,
                f"|change of the validation accuracy| over the {DROPOUT_STEPS} steps at dropout rate 0.9",
                lambda r: abs(r.high_dropout["validation_accuracy"] - r.strong_l2["validation_accuracy"])),
        },
    }


def schedule_claims(runs, part):
    """The sentences about one part of the schedule ("start", "strong L2", "high dropout") over ``runs``."""
    values = schedule_values(runs)[check_choice("part", part, SCHEDULE_PARTS)]
    if part == "start":
        return [
            values["validation"].holds(0.75, margin=0.02),
            values["loss parts"].holds(100, margin=10),
            values["growth"].holds(1.0, margin=0.005),
        ]
    if part == "strong L2":
        return [
            between(values["jump"], 95, 105, margin=2),
            values["shrink"].holds(1.0, margin=0.002, above=False),
            values["versus unchanged"].holds(0.95, margin=0.01, above=False),
        ]
    return [
        values["loss up"].holds(2, margin=0.2),
        values["accuracy moves"].holds(0.05, margin=0.01, above=False),
    ]


def schedule_over_seeds(seeds=SEEDS):
    """``{seed: run_schedule(seed)}`` (about 0.5 s a seed)."""
    return {seed: run_schedule(seed) for seed in seeds}


EXERCISE_LEARNING_RATES = (5e-2, 0.5, 5.0)


def validation_after(learning_rate, seed, steps=START_STEPS):
    """Validation accuracy after ``steps`` steps from the seeded start, the other settings at their start values."""
    run = LiveRun(**{**START_SETTINGS, "learning_rate": learning_rate}, seed=seed)
    run.step(steps)
    return latest_accuracies(run.data())[1]


def learning_rate_values(seeds=SEEDS):
    """``{η: SeedValues}``: the validation accuracy after ``START_STEPS`` steps at each of the exercise's rates."""
    return {
        rate: SeedValues(tuple(seeds), np.array([validation_after(rate, seed) for seed in seeds]),
                         f"validation accuracy after {START_STEPS} steps at η = {rate:g}")
        for rate in EXERCISE_LEARNING_RATES
    }


def learning_rate_claims(values):
    """The exercise's answer over seeds: 0.05 learns faster than the start's 0.002, 0.5 and 5 do not learn."""
    return [
        values[5e-2].holds(0.9, margin=0.02),
        values[0.5].holds(0.7, margin=0.05, above=False),
        values[5.0].holds(0.3, margin=0.05, above=False),
    ]


# ------------------------------------------------------------------------------------------ early stopping

STOPPING_HIDDEN_UNITS = 64
STOPPING_LEARNING_RATE = 3e-3
STOPPING_EPOCHS = 200
PATIENCE = 20


def build_overfitting_mlp(seed=0):
    """FC(60, 64) → ReLU → FC(64, 64) → ReLU → FC(64, 2) → SoftMax with Adam(0.003) on ``overfitting_set``.

    About 8,400 weights for 30 training samples: enough to memorise them, flipped labels and all. No
    regularizer and no dropout, so early stopping is the only brake. Data (``overfitting_set(rng=seed)``)
    and initial weights come from ``seed``; the caller's random state is left alone.
    """
    units = STOPPING_HIDDEN_UNITS
    with seeded(seed):
        net = NeuralNetwork(Adam(STOPPING_LEARNING_RATE, 0.9, 0.999), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        net.data_layer = overfitting_data_layer(seed)
        for layer in (FullyConnected(60, units), ReLU(), FullyConnected(units, units), ReLU(),
                      FullyConnected(units, 2), SoftMax()):
            net.append_layer(layer)
    return net


def distance_travelled(net, start):
    """‖W − W₀‖₂ over every trainable array of ``net`` (bias rows included); ``start``: ``net.snapshot()`` of W₀."""
    squares = [np.sum(np.square(layer.weights - arrays["weights"]))
               for layer, arrays in zip(net.layers, start, strict=True) if layer.trainable]
    return float(np.sqrt(sum(squares)))


@dataclasses.dataclass(frozen=True)
class EarlyStoppingRun:
    """One seed of the early-stopping experiment: the full run's curves and where early stopping stopped.

    Attributes
    ----------
    train_loss, validation_loss, validation_accuracy : ndarray, shape (E,)
        Per epoch of the full run (``STOPPING_EPOCHS`` epochs; loss per sample, in the test phase).
    best_epoch : int
        The epoch early stopping restored (0-based, as ``history.best_epoch``).
    stop_epoch : int
        The last epoch early stopping trained (0-based).
    stopped_validation_loss, stopped_validation_accuracy : float
        Of the restored network, measured again after training.
    stopped_distance, full_distance : float
        ``distance_travelled`` from the initial weights, of the restored network and of the network after the
        full run.
    """

    train_loss: np.ndarray
    validation_loss: np.ndarray
    validation_accuracy: np.ndarray
    best_epoch: int
    stop_epoch: int
    stopped_validation_loss: float
    stopped_validation_accuracy: float
    stopped_distance: float
    full_distance: float


def early_stopping_run(seed=0, *, epochs=STOPPING_EPOCHS, patience=PATIENCE):
    """Train ``build_overfitting_mlp(seed)`` for ``epochs`` epochs, and again with early stopping (about 0.4 s).

    Both runs start from the same network and see the same batches, so the stopped run is the full run
    cut short and then rewound to its best epoch (``EarlyStopping(patience, restore_best=True)``, watching
    the validation loss).
    """
    epochs = check_count("epochs", epochs)
    full_net = build_overfitting_mlp(seed)
    start = full_net.snapshot()
    full = fit(full_net, epochs=epochs)
    stopped_net = build_overfitting_mlp(seed)
    stopped = fit(stopped_net, epochs=epochs, early_stopping=EarlyStopping(patience, restore_best=True))
    loss, accuracy = evaluate(stopped_net, *stopped_net.data_layer.get_validation_set())
    curves = {name: np.array(full.epochs[name], dtype=float)
              for name in ("train_loss", "validation_loss", "validation_accuracy")}
    return EarlyStoppingRun(
        **read_only(curves), best_epoch=int(stopped.best_epoch), stop_epoch=stopped.num_epochs - 1,
        stopped_validation_loss=loss, stopped_validation_accuracy=accuracy,
        stopped_distance=distance_travelled(stopped_net, start), full_distance=distance_travelled(full_net, start),
    )


def early_stopping_over_seeds(seeds=SEEDS, **options):
    """``{seed: early_stopping_run(seed, **options)}``."""
    return {seed: early_stopping_run(seed, **options) for seed in seeds}


def early_stopping_curves(runs):
    """The arguments of ``rnnreg.viz.plot_early_stopping`` for ``runs`` ({seed: EarlyStoppingRun}), seeds in order."""
    ordered = [runs[seed] for seed in runs]
    return {
        "train_loss": np.array([run.train_loss for run in ordered]),
        "validation_loss": np.array([run.validation_loss for run in ordered]),
        "best_epochs": np.array([run.best_epoch for run in ordered]),
        "stop_epochs": np.array([run.stop_epoch for run in ordered]),
    }


def early_stopping_values(runs):
    """``{name: SeedValues}`` of ``runs`` ({seed: EarlyStoppingRun}), for ``early_stopping_claims``."""
    def lowest(run):
        return int(np.argmin(run.validation_loss))

    return {
        "turns up": of_runs(runs, "full run: final validation loss over its lowest",
                           lambda r: r.validation_loss[-1] / r.validation_loss.min()),
        "train falls": of_runs(runs, "full run: final training loss over the one at the lowest validation loss",
                              lambda r: r.train_loss[-1] / r.train_loss[lowest(r)]),
        "near minimum": of_runs(runs, "early stopping's validation loss over the full run's lowest",
                               lambda r: r.stopped_validation_loss / r.validation_loss.min()),
        "better than full": of_runs(runs, "the full run's final validation loss over early stopping's",
                                   lambda r: r.validation_loss[-1] / r.stopped_validation_loss),
        "stop epoch": of_runs(runs, "epoch at which early stopping stopped", lambda r: r.stop_epoch),
        "distance": of_runs(runs, "‖W − W₀‖ of the early-stopped net over the full run's",
                           lambda r: r.stopped_distance / r.full_distance),
        "accuracy gain": of_runs(runs, "validation accuracy gained by stopping early (over the full run's)",
                                lambda r: r.stopped_validation_accuracy - r.validation_accuracy[-1]),
    }


def early_stopping_claims(runs):
    """The sentences of the early-stopping section over ``runs``; ClaimFailed when the seeds disagree."""
    values = early_stopping_values(runs)
    epochs = len(next(iter(runs.values())).validation_loss)
    return [
        values["turns up"].holds(1.1, margin=0.05),
        values["train falls"].holds(0.05, margin=0.01, above=False),
        values["near minimum"].holds(1.02, margin=0.01, above=False),
        values["better than full"].holds(1.1, margin=0.05),
        between(values["stop epoch"], 15, epochs // 3, margin=3) + f" (of {epochs} planned)",
        values["distance"].holds(0.85, margin=0.05, above=False),
        values["accuracy gain"].holds(0.02, margin=0.01, above=False),
    ]
