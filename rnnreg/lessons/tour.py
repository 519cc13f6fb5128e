"""Lesson 00, "the framework in ten minutes": its experiments, run over seeds, and the sentences it states.

Two experiments:

- the Iris network of sections 2-4 (FC(4, 16) → BatchNorm → ReLU → Dropout(0.8) → FC(16, 3) → SoftMax,
  Adam): ``iris_tour_run`` builds it exactly as the notebook does, trains it as the notebook does
  (``net.train(30)``, then ``fit`` for 30 epochs) and measures what the notebook says about it, including
  the BatchNorm demonstration, which runs the train-phase forward on a COPY of the layer (a train-phase
  forward updates the moving statistics, and the lesson saves the trained net afterwards);
- the decision-boundary explorer of section 7: a small MLP with dropout learns one of four 2-D problems
  (two moons, spirals, XOR, concentric circles). ``train_boundary_classifier`` (expensive, cached)
  trains it and keeps its weights read-only; ``make_predict`` and ``boundary_view`` (cheap) evaluate
  the trained net in either phase and never train, so switching "phase: train | test" never retrains.
  In the train phase Dropout draws a fresh mask for every point (from a seeded generator, so the answer is
  the same every time), and the boundary frays.

The ``*_claims`` functions turn the values of several seeds into the sentences the notebook prints
(``rnnreg.lessons.claims``): each raises ``ClaimFailed`` when the seeds do not support its sentence.
"""

import copy
import dataclasses
import functools

import numpy as np

from rnnreg import (
    Adam,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    Dropout,
    FullyConnected,
    He,
    NeuralNetwork,
    ReLU,
    SoftMax,
)
from rnnreg.data import ArrayDataLayer, concentric_circles, iris_data_layer, spirals, two_moons, xor
from rnnreg.lessons.claims import SEEDS, of_runs, over_seeds
from rnnreg.lessons.experiment import (
    MAX_RESOLUTION,
    check_count,
    check_dropout_rate,
    check_units,
    keep_probability,
    read_only,
    seeded,
)
from rnnreg.training import accuracy, fit
from rnnreg.validation import check_choice, check_non_negative_int, check_non_negative_number, check_size

# The four problems and the noise that keeps each one interesting (neither trivial nor hopeless).
DATASETS = {
    "two moons": (two_moons, {"noise": 0.2}),
    "spirals": (spirals, {"noise": 0.1}),
    "xor": (xor, {"noise": 0.35}),
    "circles": (concentric_circles, {"noise": 0.12}),
}
HIDDEN_UNITS = (2, 4, 8, 16, 32, 64)
PHASES = ("train", "test")
NUM_SAMPLES = 240
EPOCHS = 80
BATCH_SIZE = 32
TEST_FRACTION = 0.3
PLANE_RESOLUTION = 100  # grid points per axis where the two phases' boundaries are compared


# ------------------------------------------------------------------------------------ the Iris network


def build_iris_network(seed=0):
    """The network of sections 2-4, as the notebook builds it, from NumPy's global state seeded with ``seed``.

    Adam(0.01) with He weights and biases of 0.1; the Iris data layer (batches of 30; 90 flowers train, 30
    validate, 30 test); FC(4, 16) → BatchNormalization(16) → ReLU → Dropout(0.8) → FC(16, 3) → SoftMax.
    The data split and the dropout masks also draw from the global state, so the caller's state is saved
    and restored around building; training draws from it too (see ``iris_tour_run``).
    """
    with seeded(seed):
        net = NeuralNetwork(Adam(1e-2, 0.9, 0.999), He(), Constant(0.1))
        net.data_layer = iris_data_layer(batch_size=30, validation_fraction=0.2)
        net.loss_layer = CrossEntropyLoss()
        for layer in (FullyConnected(4, 16), BatchNormalization(16), ReLU(), Dropout(0.8), FullyConnected(16, 3),
                      SoftMax()):
            net.append_layer(layer)
    return net


def batch_norm_phase_gaps(net, inputs):
    """How far each phase's channel means over ``inputs`` lie from β, without changing ``net``.

    ``inputs`` go through the first layer, then through the BatchNorm layer twice: in the train phase on a
    deep copy (a train-phase forward updates the moving statistics, so the trained layer must not do it)
    and in the test phase on the layer itself (the test phase only reads the moving statistics).

    Returns
    -------
    dict
        ``train_gap`` and ``test_gap``: the largest |channel mean − β| in each phase; ``moving_unchanged``:
        whether the trained layer's moving statistics are bit for bit what they were; ``copy_moved``: whether
        the copy's moved.
    """
    fully_connected, batch_norm = net.layers[0], net.layers[1]
    moving = (batch_norm.moving_mean.copy(), batch_norm.moving_variance.copy())
    hidden = fully_connected.forward(inputs)
    probe = copy.deepcopy(batch_norm)
    probe.testing_phase = False
    train_output = probe.forward(hidden)
    phase = net.phase
    net.phase = "test"
    test_output = batch_norm.forward(hidden)
    net.phase = phase
    return {
        "train_gap": float(np.max(np.abs(train_output.mean(axis=0) - batch_norm.bias))),
        "test_gap": float(np.max(np.abs(test_output.mean(axis=0) - batch_norm.bias))),
        "moving_unchanged": bool(np.array_equal(batch_norm.moving_mean, moving[0])
                                 and np.array_equal(batch_norm.moving_variance, moving[1])),
        "copy_moved": not np.array_equal(probe.moving_mean, moving[0]),
    }


@dataclasses.dataclass(frozen=True)
class IrisTourRun:
    """What the notebook states about its Iris network, measured for one seed.

    Attributes
    ----------
    first_loss, last_loss : float
        The first and the 30th loss of ``net.train(30)`` (summed over a batch of 30 flowers).
    train_accuracy, validation_accuracy : float
        After ``fit`` for 30 more epochs, in the test phase.
    train_gap, test_gap : float
        ``batch_norm_phase_gaps`` on the first 5 test flowers after training.
    """

    first_loss: float
    last_loss: float
    train_accuracy: float
    validation_accuracy: float
    train_gap: float
    test_gap: float


def iris_tour_run(seed=0):
    """Build (``build_iris_network``), train as the notebook does, and measure; the caller's RNG is left alone."""
    net = build_iris_network(seed)
    with seeded(seed):  # the dropout masks draw from the global state
        net.train(30)
        history = fit(net, epochs=30)
    inputs, _ = net.data_layer.get_test_set()
    gaps = batch_norm_phase_gaps(net, inputs[:5])
    return IrisTourRun(
        first_loss=float(net.loss[0]), last_loss=float(net.loss[29]),
        train_accuracy=history.epochs["train_accuracy"][-1],
        validation_accuracy=history.epochs["validation_accuracy"][-1],
        train_gap=gaps["train_gap"], test_gap=gaps["test_gap"],
    )


def iris_values(runs):
    """``{name: SeedValues}`` of ``runs`` ({seed: IrisTourRun}) for the claims."""
    return {
        "loss ratio": of_runs(runs, "net.train(30)'s last loss over its first", lambda r: r.last_loss / r.first_loss),
        "train accuracy": of_runs(runs, "train accuracy after fit", lambda r: r.train_accuracy),
        "validation accuracy": of_runs(runs, "validation accuracy after fit", lambda r: r.validation_accuracy),
        "train gap": of_runs(runs, "train phase: largest |channel mean − β|", lambda r: r.train_gap),
        "test gap": of_runs(runs, "test phase: largest |channel mean − β|", lambda r: r.test_gap),
    }


IRIS_PARTS = ("training", "batch norm")


def iris_claims(runs, part):
    """The sentences of section 3 ("training") or 4 ("batch norm") over ``runs`` ({seed: IrisTourRun}).

    Raises ClaimFailed when the seeds do not support a sentence.
    """
    values = iris_values(runs)
    if check_choice("part", part, IRIS_PARTS) == "training":
        return [
            values["loss ratio"].holds(0.75, margin=0.1, above=False),
            values["train accuracy"].holds(0.9, margin=0.02),
            values["validation accuracy"].holds(0.75, margin=0.02),
        ]
    return [
        values["train gap"].holds(1e-9, margin=0.0, above=False),
        values["test gap"].holds(0.5, margin=0.2),
    ]


def iris_runs(seeds=SEEDS):
    """``{seed: iris_tour_run(seed)}`` (about 0.1 s a seed)."""
    return {seed: iris_tour_run(seed) for seed in seeds}


# ------------------------------------------------------------------------------ the decision boundaries


def make_dataset(name, num_samples=NUM_SAMPLES, seed=0):
    """``(points (N, 2), labels (N,))`` of the 2-D problem ``name`` (a key of ``DATASETS``), seeded."""
    generator, options = DATASETS[check_choice("data set", name, DATASETS)]
    return generator(num_samples, rng=np.random.default_rng(seed), **options)


def build_boundary_network(hidden_units, dropout_rate, learning_rate, *, seed=0, dropout_rng=None):
    """The explorer's MLP: FC(2, H) → ReLU → FC(H, H) → ReLU → Dropout → FC(H, 2) → SoftMax, with Adam(η).

    The weights are He-initialized from NumPy's global state seeded with ``seed`` (restored afterwards).
    ``dropout_rate`` is the fraction of hidden units dropped; Dropout gets the keep probability 1 − rate.
    ``hidden_units`` is at most ``MAX_UNITS`` (1,024; the dashboard offers up to 64): ValueError beyond.
    """
    hidden_units, dropout_rate = check_units("hidden_units", hidden_units), check_dropout_rate(dropout_rate)
    with seeded(seed):
        net = NeuralNetwork(Adam(learning_rate, 0.9, 0.999), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        for layer in (
            FullyConnected(2, hidden_units), ReLU(), FullyConnected(hidden_units, hidden_units), ReLU(),
            Dropout(keep_probability(dropout_rate), rng=dropout_rng), FullyConnected(hidden_units, 2), SoftMax(),
        ):
            net.append_layer(layer)
    return net


@dataclasses.dataclass(frozen=True)
class TrainedClassifier:
    """What ``train_boundary_classifier`` returns (shared by its cache: treat it as read-only).

    Attributes
    ----------
    settings : dict
        The hyper-parameters it was trained with.
    points, labels : ndarray, shapes (N, 2) and (N,)
        The whole data set.
    train_indices, test_indices : ndarray of int
        The split (rows of ``points``).
    snapshot : list of dict
        ``NeuralNetwork.snapshot()`` of the trained net, every array read-only.
    history : History
        What ``fit`` recorded.
    """

    settings: dict
    points: np.ndarray
    labels: np.ndarray
    train_indices: np.ndarray
    test_indices: np.ndarray
    snapshot: list
    history: object


@functools.lru_cache(maxsize=64)
def train_boundary_classifier(
    dataset="two moons", learning_rate=1e-2, hidden_units=16, dropout_rate=0.2, *, seed=0,
    num_samples=NUM_SAMPLES, epochs=EPOCHS,
):
    """Build, seed and train the explorer's MLP on one 2-D problem; cached by all arguments.

    70 % of the points train (mini-batches of 32, ``epochs`` passes, Adam with learning rate η), 30 % are
    held out as the test set. Every random choice (data, split, shuffling, initial weights, dropout
    masks) comes from ``seed``, so the same arguments always give bit-identical weights on one machine.

    Returns
    -------
    TrainedClassifier

    Raises
    ------
    ValueError
        An unknown data set, a learning rate that is not a positive finite number, a dropout rate outside
        [0, 1), too few or too many samples, hidden units or epochs (``MAX_UNITS``, ``MAX_STEPS``), a negative
        seed, or training that diverged (the message says which).
    """
    seed, epochs = check_non_negative_int("seed", seed), check_count("epochs", epochs)
    points, labels = make_dataset(dataset, num_samples, seed)
    seeds = np.random.SeedSequence(seed).spawn(2)
    data = ArrayDataLayer(
        points, labels, BATCH_SIZE, test_fraction=TEST_FRACTION, rng=np.random.default_rng(seeds[0]),
    )
    net = build_boundary_network(
        hidden_units, dropout_rate, learning_rate, seed=seed, dropout_rng=np.random.default_rng(seeds[1])
    )
    net.data_layer = data
    try:
        history = fit(net, epochs=epochs)
    except RuntimeError as error:  # divergence: too large a learning rate
        raise ValueError(str(error)) from error
    snapshot = read_only(net.snapshot())
    settings = {
        "dataset": dataset, "learning_rate": learning_rate, "hidden_units": hidden_units,
        "dropout_rate": dropout_rate, "seed": seed, "num_samples": num_samples, "epochs": epochs,
    }
    return TrainedClassifier(settings, points, labels, data.train_indices, data.test_indices, snapshot, history)


def network_from(trained, *, dropout_rng=None):
    """A fresh network holding ``trained``'s weights (the cached arrays themselves are never touched)."""
    settings = trained.settings
    net = build_boundary_network(
        settings["hidden_units"], settings["dropout_rate"], settings["learning_rate"], seed=settings["seed"],
        dropout_rng=dropout_rng,
    )
    net.restore(trained.snapshot)
    return net


def forward_in_phase(net, inputs, phase):
    """Class probabilities (N, 2) of ``net`` for ``inputs`` in ``phase`` ("train": dropout on; "test": off).

    ``net.predict``: a forward pass only, nothing is learned and the network's phase is left as it was.
    """
    return net.predict(inputs, phase=check_choice("phase", phase, PHASES))


def make_predict(trained, phase="test", *, seed=0):
    """``predict(points (M, 2)) -> probabilities (M, 2)`` of the trained net in ``phase``; it never trains.

    In the train phase every call draws its dropout masks from a fresh ``np.random.default_rng(seed)``,
    so the same points always get the same answer (the picture and the numbers on screen agree).
    """
    net = network_from(trained)
    dropout = next(layer for layer in net.layers if isinstance(layer, Dropout))

    def predict(points):
        dropout.rng = np.random.default_rng(seed)
        return forward_in_phase(net, np.asarray(points, dtype=float), phase)

    return predict


def boundary_plane(num_samples=NUM_SAMPLES, seed=0, margin=0.3):
    """One plane for every data set: all their points plus ``margin``, rounded out to halves.

    Returns ``((x₁ low, x₁ high), (x₂ low, x₂ high))``: pictures of different data sets compare.
    """
    margin = check_non_negative_number("margin", margin)
    points = np.concatenate([make_dataset(name, num_samples, seed)[0] for name in DATASETS])
    low, high = np.floor((points.min(axis=0) - margin) * 2) / 2, np.ceil((points.max(axis=0) + margin) * 2) / 2
    return tuple(zip(low.tolist(), high.tolist(), strict=True))


def plane_grid(limits, resolution=PLANE_RESOLUTION):
    """``resolution²`` points (row by row) covering ``limits`` = ((x₁ low, x₁ high), (x₂ low, x₂ high))."""
    resolution = check_size("resolution", resolution, MAX_RESOLUTION)
    (x_low, x_high), (y_low, y_high) = limits
    xs, ys = np.meshgrid(np.linspace(x_low, x_high, resolution), np.linspace(y_low, y_high, resolution))
    return np.column_stack([xs.ravel(), ys.ravel()])


def class_flips(probabilities, resolution=PLANE_RESOLUTION):
    """How often the predicted class changes between neighbouring grid points: how ragged the boundary is."""
    classes = np.argmax(probabilities, axis=1).reshape(resolution, resolution)
    return int(np.count_nonzero(np.diff(classes, axis=0)) + np.count_nonzero(np.diff(classes, axis=1)))


def boundary_view(trained, phase="test", *, seed=0, limits=None, resolution=PLANE_RESOLUTION):
    """Accuracies in ``phase``, and how the two phases' boundaries differ on the plane (cheap: no training).

    Returns
    -------
    dict
        ``phase``; ``train_accuracy`` and ``test_accuracy`` (fractions correct, in ``phase``);
        ``changed_fraction``: the share of the plane's grid points whose class differs between the train
        and the test phase; ``train_flips`` and ``test_flips``: ``class_flips`` in each phase (``limits``:
        the plane, by default ``boundary_plane()``).
    """
    check_choice("phase", phase, PHASES)
    predictors = {name: make_predict(trained, name, seed=seed) for name in PHASES}
    one_hot = np.eye(2)[trained.labels]
    view = {"phase": phase}
    for split, indices in (("train", trained.train_indices), ("test", trained.test_indices)):
        view[f"{split}_accuracy"] = accuracy(predictors[phase](trained.points[indices]), one_hot[indices])
    grid = plane_grid(boundary_plane() if limits is None else limits, resolution)
    on_grid = {name: predict(grid) for name, predict in predictors.items()}
    view["changed_fraction"] = float(np.mean(np.argmax(on_grid["train"], axis=1) != np.argmax(on_grid["test"], axis=1)))
    view["train_flips"] = class_flips(on_grid["train"], resolution)
    view["test_flips"] = class_flips(on_grid["test"], resolution)
    return view


def finding(settings, view):
    """The sentence the figure's title states, from the computed view of this one trained net."""
    if settings["dropout_rate"] == 0:
        what = "No dropout: both phases draw the same boundary"
    elif view["phase"] == "train":
        what = f"Train phase, dropout on: {view['changed_fraction']:.1%} of the plane changes class"
    else:
        what = "Test phase, dropout off: the whole network, one deterministic boundary"
    return f"{what}; test accuracy {view['test_accuracy']:.2f}"


# ------------------------------------------------------------------------------ claims of the explorer


def _spirals_view(seed, hidden_units, phase):
    trained = train_boundary_classifier("spirals", 1e-2, hidden_units, 0.2, seed=seed)
    return boundary_view(trained, phase, seed=seed)


def spirals_values(seeds=SEEDS):
    """``{name: SeedValues}`` on the spirals, as the notebook sets the explorer (η = 0.01, dropout rate 0.2).

    Trains (cached) 2 and 32 hidden units per layer for every seed: about 0.3 s a run.
    """
    def phase_difference(seed):
        test, train = _spirals_view(seed, 32, "test"), _spirals_view(seed, 32, "train")
        return abs(train["test_accuracy"] - test["test_accuracy"])

    return {
        "wide train": over_seeds(lambda seed: _spirals_view(seed, 32, "test")["train_accuracy"], seeds,
                                 name="spirals, 32 hidden units: train accuracy"),
        "wide test": over_seeds(lambda seed: _spirals_view(seed, 32, "test")["test_accuracy"], seeds,
                                name="spirals, 32 hidden units: test accuracy"),
        "phase difference": over_seeds(phase_difference, seeds,
                                       name="spirals, 32 hidden units: |test accuracy in the train phase − in the "
                                            "test phase|"),
        "narrow train": over_seeds(lambda seed: _spirals_view(seed, 2, "test")["train_accuracy"], seeds,
                                   name="spirals, 2 hidden units: train accuracy"),
    }


def spirals_claims(values):
    """The sentences about the spirals, from ``spirals_values``; ClaimFailed when the seeds do not support them."""
    return [
        values["wide train"].holds(0.95, margin=0.02),
        values["wide test"].holds(0.9, margin=0.02),
        values["phase difference"].holds(0.05, margin=0.01, above=False),
        values["narrow train"].holds(0.85, margin=0.03, above=False),
    ]


def moons_values(seeds=SEEDS):
    """``{name: SeedValues}`` on the two moons with the explorer's defaults (16 units, dropout rate 0.2).

    Trains (cached) η = 0.01 and η = 0.0001 for every seed: about 0.3 s a run.
    """
    def final_loss(seed, learning_rate):
        trained = train_boundary_classifier("two moons", learning_rate, 16, 0.2, seed=seed)
        return trained.history.epochs["train_loss"][-1]

    def raggedness(seed):
        view = boundary_view(train_boundary_classifier("two moons", 1e-2, 16, 0.2, seed=seed), "train", seed=seed)
        return view["train_flips"] / max(view["test_flips"], 1)

    return {
        "slow loss ratio": over_seeds(lambda seed: final_loss(seed, 1e-4) / final_loss(seed, 1e-2), seeds,
                                      name="two moons: final training loss at η = 0.0001 over the one at η = 0.01"),
        "ragged": over_seeds(raggedness, seeds,
                             name="two moons: class changes between neighbouring grid points, train phase over "
                                  "test phase"),
    }


def moons_claims(values):
    """The sentences about the two moons, from ``moons_values``; ClaimFailed when the seeds do not support them."""
    return [
        values["slow loss ratio"].holds(5, margin=1),
        values["ragged"].holds(2, margin=0.3),
    ]
