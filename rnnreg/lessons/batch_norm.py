"""Lesson 03, batch normalization: the experiments behind the notebook and its two dashboards (NumPy only).

- ``train_batch_norm`` trains a small classifier on the RAW Iris measurements (not standardised, so the
  statistics BatchNorm estimates are the centimetres of the data) with a ``BatchNormalization`` layer
  first, for a number of EPOCHS: every batch size sees the same flowers the same number of times. It
  records the layer's batch and moving statistics at every step. ``phase_view`` runs one batch of test
  flowers through the trained network in both phases, never training.
- ``batch_statistics_spread`` measures how far the statistics of B flowers stray from those of the whole
  training set. The BatchNorm layer is the first one, so its batch statistics are those of the raw flowers
  in each batch: they depend on the batches drawn, not on the network, and need no training to measure.
- ``compare_batch_sizes`` trains with and without BatchNorm at several batch sizes, at equal flowers seen,
  over seeds: what small batches do to the test accuracy.
- ``batch_mates_experiment``: the mistake of normalising with the test batch's own statistics
  (``BatchStatisticsAtTestTime``) makes a prediction depend on the flowers it is batched with.
- ``compare_training_speed`` trains the same MLP on the 8 x 8 digits with and without BatchNorm after each
  hidden layer, over seeds.
- The ``*_claims`` functions turn results over seeds into the sentences the notebook prints; each raises
  ``ClaimFailed`` when the seeds do not support it.

The exercise's conventions hold throughout: the moving averages start at the first batch's statistics and
follow μ ← a μ + (1 − a) μ_B with a = ``momentum`` (0.8 by default; PyTorch's ``momentum=0.1`` is the weight
of the NEW batch, i.e. a = 0.9), variances are the biased (ddof = 0) ones and ε = 1e-10.

The networks train with ``NeuralNetwork.train_step`` in a plain loop rather than ``fit``: ``fit`` also
measures the gradient norm at every step and evaluates after every epoch, which triples the time of the
600 steps of a batch of 2, and a dashboard retrains on a control change.
"""

import dataclasses

import numpy as np

from rnnreg import (
    Adam,
    BatchNormalization,
    Constant,
    CrossEntropyLoss,
    FullyConnected,
    He,
    NeuralNetwork,
    ReLU,
    Sgd,
    SoftMax,
)
from rnnreg.data import IRIS_CLASS_NAMES, IRIS_FEATURE_NAMES, ArrayDataLayer, digits_data_layer, load_iris
from rnnreg.layers.variants import BatchStatisticsAtTestTime
from rnnreg.lessons.claims import SEEDS, ClaimFailed, over_seeds
from rnnreg.lessons.experiment import check_count, check_units, read_only, seeded
from rnnreg.training import BatchNormRecorder, accuracy
from rnnreg.validation import check_choice, check_positive_int

__all__ = [
    "BATCH_SIZES",
    "EPOCHS",
    "WITH",
    "WITHOUT",
    "BatchSizeComparison",
    "SpeedComparison",
    "TrainedBatchNorm",
    "batch_mates_claims",
    "batch_mates_experiment",
    "batch_size_claims",
    "batch_statistics_spread",
    "build_digits_network",
    "build_iris_network",
    "compare_batch_sizes",
    "compare_training_speed",
    "lesson_runs",
    "moving_statistics_claims",
    "phase_claims",
    "phase_view",
    "speed_claims",
    "train_batch_norm",
]

PHASES = ("train", "test")
# Divisors of the 120 training flowers: every batch of an epoch holds exactly B flowers.
BATCH_SIZES = (2, 4, 8, 20, 40)
DEFAULT_BATCH_SIZE = 20
MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
EPOCHS = 10  # 1,200 flowers seen, whatever the batch size
HIDDEN_UNITS = 16
LEARNING_RATE = 3e-2
TEST_FRACTION = 0.2
PETAL_LENGTH = 2

SPEED_LEARNING_RATE = 1e-3
SPEED_BATCH_SIZES = (16, 32, 64)
SPEED_EPOCHS = 3
SPEED_WIDTH = 32
WITH, WITHOUT = "with BatchNorm", "without BatchNorm"


def _train_steps(net, steps, recorder=None):
    """``steps`` training steps on ``net.data_layer``, recording after each; divergence raises ValueError."""
    net.phase = "train"
    if recorder is not None:
        recorder.start(net)
    for step in range(steps):
        try:
            net.train_step()
        except RuntimeError as error:  # the loss or a weight became infinite
            raise ValueError(f"training stopped at step {step + 1} of {steps}: {error}") from error
        if recorder is not None:
            recorder.record(step, net)


# ------------------------------------------------------------------------------------ the Iris experiment


def build_iris_network(batch_norm=True, momentum=0.8, learning_rate=LEARNING_RATE, *, seed=0,
                       normalization=BatchNormalization):
    """BatchNorm(4) → FC(4, 16) → ReLU → FC(16, 3) → SoftMax with Adam(η); ``batch_norm=False`` leaves out the first.

    ``normalization`` is the class of the first layer (``BatchStatisticsAtTestTime`` builds the mistake).
    The weights are He-initialized from NumPy's global state seeded with ``seed`` (restored afterwards).
    """
    with seeded(seed):
        net = NeuralNetwork(Adam(learning_rate, 0.9, 0.999), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        layers = [normalization(len(IRIS_FEATURE_NAMES), momentum)] if batch_norm else []
        layers += [FullyConnected(len(IRIS_FEATURE_NAMES), HIDDEN_UNITS), ReLU(),
                   FullyConnected(HIDDEN_UNITS, len(IRIS_CLASS_NAMES)), SoftMax()]
        for layer in layers:
            net.append_layer(layer)
    return net


def iris_split(batch_size, *, seed=0, data=None):
    """The data layer every Iris run uses: raw measurements, 20 % test flowers, shuffled with ``seed``."""
    features, labels = load_iris() if data is None else data
    return ArrayDataLayer(features, labels, check_positive_int("batch size", batch_size),
                          num_classes=len(IRIS_CLASS_NAMES), test_fraction=TEST_FRACTION,
                          rng=np.random.default_rng(seed))


@dataclasses.dataclass(frozen=True)
class TrainedBatchNorm:
    """What ``train_batch_norm`` returns (cached by the dashboards: treat it as read-only).

    Attributes
    ----------
    settings : dict
        The arguments it was trained with.
    snapshot : list of dict
        ``NeuralNetwork.snapshot()`` of the trained net (moving statistics included), arrays read-only.
    losses : ndarray, shape (S,)
        The loss of every training step (summed over the batch).
    samples_seen : ndarray, shape (S,)
        Flowers seen after every step: the x-axis on which batch sizes compare.
    recorder : BatchNormRecorder
        Batch and moving statistics of the BatchNorm layer (index 0) at every step; no layers without BatchNorm.
    data_mean, data_variance : ndarray, shape (C,)
        Mean and biased variance of every measurement over the training set: what the moving averages estimate.
    test_inputs, test_labels : ndarray, shapes (N_test, C) and (N_test, K)
        The held-out flowers (raw centimetres, one-hot labels).
    train_accuracy, test_accuracy : float
        Of the trained net in the test phase (moving statistics).
    """

    settings: dict
    snapshot: list
    losses: np.ndarray
    samples_seen: np.ndarray
    recorder: object
    data_mean: np.ndarray
    data_variance: np.ndarray
    test_inputs: np.ndarray
    test_labels: np.ndarray
    train_accuracy: float
    test_accuracy: float

    @property
    def batch_norm(self):
        return self.settings["batch_norm"]

    def final_statistics(self):
        """``(moving_mean, moving_variance)`` after training, shape (C,) each; None without BatchNorm."""
        if not self.batch_norm:
            return None
        return tuple(np.array(self.snapshot[0][name]) for name in ("moving_mean", "moving_variance"))

    def network(self, normalization=BatchNormalization):
        """A fresh network holding the trained weights and moving statistics (the cached arrays stay untouched)."""
        settings = self.settings
        net = build_iris_network(settings["batch_norm"], settings["momentum"], settings["learning_rate"],
                                 seed=settings["seed"], normalization=normalization)
        net.restore(self.snapshot)
        return net


def train_batch_norm(batch_norm=True, momentum=0.8, batch_size=DEFAULT_BATCH_SIZE, *, epochs=EPOCHS,
                     learning_rate=LEARNING_RATE, seed=0, data=None):
    """Train the Iris classifier for ``epochs`` passes over its training flowers; record BatchNorm's statistics.

    Parameters
    ----------
    batch_norm : bool
        With a BatchNormalization layer in front (True) or without (False).
    momentum : float
        a in [0, 1], the weight the old moving average keeps (the exercise's 0.8 by default).
    batch_size : int
        Flowers per training step, >= 1 (the last batch of an epoch holds the rest when B does not divide
        the training set).
    epochs : int
        Passes over the training set: every batch size sees ``epochs`` × 120 flowers.
    learning_rate : float
        Adam's η, finite and > 0.
    seed : int
        Seeds the split, the shuffling and the initial weights.
    data : tuple (features (N, 4), labels (N,)), optional
        Other measurements to use instead of the raw Iris data (four features, three classes).

    Returns
    -------
    TrainedBatchNorm

    Raises
    ------
    ValueError
        A bad batch size, number of epochs, momentum, learning rate or data set, or training that diverged.
    """
    epochs = check_count("epochs", epochs)
    layer = iris_split(batch_size, seed=seed, data=data)
    net = build_iris_network(batch_norm, momentum, learning_rate, seed=seed)
    net.data_layer = layer
    steps = epochs * layer.batches_per_epoch
    recorder = BatchNormRecorder(capacity=max(steps, 2))  # every step: the noise is what the lesson shows
    _train_steps(net, steps, recorder)
    train_inputs, train_labels = layer.get_train_set()
    test_inputs, test_labels = layer.get_test_set()
    train_accuracy = accuracy(net.predict(train_inputs), train_labels)
    test_accuracy = accuracy(net.predict(test_inputs), test_labels) if len(test_inputs) else float("nan")
    epoch_sizes = np.diff(np.minimum(np.arange(layer.batches_per_epoch + 1) * layer.batch_size, len(train_inputs)))
    settings = {"batch_norm": bool(batch_norm), "momentum": float(momentum), "batch_size": layer.batch_size,
                "epochs": epochs, "learning_rate": float(learning_rate), "seed": seed}
    data_mean, data_variance = train_inputs.mean(axis=0), train_inputs.var(axis=0)
    return TrainedBatchNorm(
        settings=settings, snapshot=read_only(net.snapshot()), losses=read_only(np.array(net.loss)),
        samples_seen=read_only(np.cumsum(np.tile(epoch_sizes, epochs))), recorder=recorder,
        data_mean=read_only(data_mean), data_variance=read_only(data_variance),
        test_inputs=read_only(test_inputs), test_labels=read_only(test_labels),
        train_accuracy=float(train_accuracy), test_accuracy=float(test_accuracy),
    )


def shown_batch(trained, batch_size=None, *, seed=0):
    """Indices into the test set of the batch the dashboard compares: ``batch_size`` flowers, a seeded choice."""
    size = trained.settings["batch_size"] if batch_size is None else check_positive_int("batch size", batch_size)
    count = len(trained.test_inputs)
    if count == 0:
        raise ValueError("the data set has no test flowers to show; use more data")
    return np.sort(np.random.default_rng(seed).permutation(count)[: min(size, count)])


def phase_view(trained, phase="test", *, seed=0):
    """One batch of test flowers through the trained net in both phases; ``phase`` is the one the lesson looks at.

    The batch holds as many flowers as a training batch (at most the whole test set), chosen with ``seed``.
    The train phase normalises with this batch's own mean and variance, the test phase with the moving
    averages; nothing is trained (the network is a fresh copy).

    Returns
    -------
    dict
        ``phase``; ``indices`` (B,) into the test set, ``inputs`` (B, C), ``labels`` (B, K);
        ``probabilities`` {phase: (B, K)}; ``true_class_probability`` {phase: (B,)}, the probability each
        flower's true species gets; ``batch_accuracy`` {phase: float}; ``largest_change``, the
        largest |difference| of a class probability between the phases; and with BatchNorm
        ``normalized`` {phase: (B, C)} (the BatchNorm layer's output) and ``statistics``
        {phase: (mean (C,), variance (C,))}, the statistics each phase normalised with.
    """
    check_choice("phase", phase, PHASES)
    indices = shown_batch(trained, seed=seed)
    inputs, labels = trained.test_inputs[indices], trained.test_labels[indices]
    view = {"phase": phase, "indices": indices, "inputs": inputs, "labels": labels, "probabilities": {},
            "true_class_probability": {}, "batch_accuracy": {}, "normalized": None, "statistics": None}
    true_class = np.argmax(labels, axis=1)
    if trained.batch_norm:
        view["normalized"], view["statistics"] = {}, {}
    for name in PHASES:
        net = trained.network()  # a fresh copy per phase: the BatchNorm layer's train-phase pass below moves its
        probabilities = net.predict(inputs, phase=name)  # moving averages (predict itself changes nothing)
        view["probabilities"][name] = probabilities
        view["true_class_probability"][name] = probabilities[np.arange(len(labels)), true_class]
        view["batch_accuracy"][name] = float(accuracy(probabilities, labels))
        if trained.batch_norm:
            layer = net.layers[0]
            layer.testing_phase = name == "test"
            view["normalized"][name] = layer.forward(inputs)  # what the BatchNorm layer itself gives in this phase
            used = (layer.batch_mean, layer.batch_variance) if name == "train" else trained.final_statistics()
            view["statistics"][name] = tuple(np.array(statistic) for statistic in used)
    view["largest_change"] = float(np.max(np.abs(view["probabilities"]["train"] - view["probabilities"]["test"])))
    return view


def variance_ratio(trained, channel):
    """Moving variance / training-set variance of ``channel`` after training (None without BatchNorm)."""
    if not trained.batch_norm:
        return None
    _, moving_variance = trained.final_statistics()
    return float(moving_variance[channel] / trained.data_variance[channel])


def batch_variance_ratio(trained, channel):
    """The batch variances of ``channel`` averaged over training, divided by the training-set variance.

    The biased variance of B flowers is on average about (B − 1)/B times the variance of the data they come
    from (0.5 at B = 2), so small batches underestimate it, and so does the moving average of them. None
    without BatchNorm.
    """
    if not trained.batch_norm:
        return None
    values = np.asarray(trained.recorder.batch_variance[0].values)[:, channel]
    return float(np.mean(values) / trained.data_variance[channel])


# ------------------------------------------------------------------------- small batches: noise and accuracy


@dataclasses.dataclass(frozen=True)
class Spread:
    """How far the batch statistics of one run stray from the training set's, per channel (C,).

    ``mean_spread``: the root mean square of (μ_B − μ) / σ over the batches, μ and σ² the training set's
    mean and biased variance (about 1/√B); ``variance_ratio``: the average σ²_B / σ² (about (B − 1)/B).
    """

    batch_size: int
    mean_spread: np.ndarray
    variance_ratio: np.ndarray


def batch_statistics_spread(batch_size, *, epochs=EPOCHS, seed=0, data=None):
    """The statistics of the batches ``train_batch_norm`` would see, against the training set's: no training.

    The data layer is built and drawn from exactly as in ``train_batch_norm`` (same seed, same batches);
    BatchNorm is the network's first layer, so these are the batch statistics it normalises with.
    """
    epochs = check_count("epochs", epochs)
    layer = iris_split(batch_size, seed=seed, data=data)
    train_inputs, _ = layer.get_train_set()
    mean, variance = train_inputs.mean(axis=0), train_inputs.var(axis=0)
    batches = [layer.next()[0] for _ in range(epochs * layer.batches_per_epoch)]
    batch_means = np.array([batch.mean(axis=0) for batch in batches])
    batch_variances = np.array([batch.var(axis=0) for batch in batches])
    return Spread(
        batch_size=layer.batch_size,
        mean_spread=read_only(np.sqrt(np.mean((batch_means - mean) ** 2, axis=0) / variance)),
        variance_ratio=read_only(batch_variances.mean(axis=0) / variance),
    )


@dataclasses.dataclass(frozen=True)
class BatchSizeComparison:
    """``compare_batch_sizes``'s results: per batch size, over seeds.

    Attributes
    ----------
    seeds : tuple of int
    spread : dict {int: list of Spread}
        Per batch size (every one of ``spread_batch_sizes``), one ``Spread`` per seed.
    test_accuracy : dict {(bool, int): SeedValues}
        Per (with BatchNorm?, batch size), the test accuracy (test phase) after ``epochs`` epochs.
    epochs : int
    """

    seeds: tuple
    spread: dict
    test_accuracy: dict
    epochs: int

    @property
    def accuracy_batch_sizes(self):
        return tuple(sorted({size for _, size in self.test_accuracy}))

    def extreme(self, batch_size, statistic, *, lowest):
        """SeedValues of the smallest (``lowest``) or largest value over the 4 measurements of ``statistic``.

        ``statistic`` is ``"mean_spread"`` (the batch means' spread in σ, ≈ 1/√B) or ``"variance_ratio"``
        (the average batch variance over the data's, ≈ (B − 1)/B).
        """
        check_choice("statistic", statistic, ("mean_spread", "variance_ratio"))
        reduce, which = (np.min, "smallest") if lowest else (np.max, "largest")
        what = {"mean_spread": "spread (in σ) of the batch means", "variance_ratio": "batch variance / data variance"}
        values = dict(zip(self.seeds, (float(reduce(getattr(spread, statistic))) for spread in self.spread[batch_size]),
                          strict=True))
        return over_seeds(values.__getitem__, self.seeds,
                          name=f"{which} {what[statistic]} of {batch_size} flowers over the 4 measurements")

    def spread_values(self):
        """{batch size: the batch means' spread (in σ) of every measurement in every seed, (seeds × 4,)}."""
        return {size: np.concatenate([spread.mean_spread for spread in spreads])
                for size, spreads in self.spread.items()}

    def accuracy_values(self):
        """{"with BatchNorm" / "without BatchNorm": {batch size: test accuracy per seed (seeds,)}}."""
        return {label: {size: self.test_accuracy[batch_norm, size].values for size in self.accuracy_batch_sizes}
                for label, batch_norm in ((WITH, True), (WITHOUT, False))}

    def accuracy_cost(self, batch_size):
        """SeedValues of (test accuracy without BatchNorm − with it) at ``batch_size``, seed by seed."""
        difference = self.test_accuracy[False, batch_size].values - self.test_accuracy[True, batch_size].values
        values = dict(zip(self.seeds, difference, strict=True))
        return over_seeds(values.__getitem__, self.seeds,
                          name=f"test accuracy lost to BatchNorm with batches of {batch_size}")


def compare_batch_sizes(batch_sizes=(2, DEFAULT_BATCH_SIZE), *, spread_batch_sizes=BATCH_SIZES, seeds=SEEDS,
                        epochs=EPOCHS):
    """Test accuracy with and without BatchNorm by batch size at equal flowers seen, and the batch noise.

    Every run sees ``epochs`` × 120 flowers (so a batch of 2 takes 10 times the steps of a batch of 20);
    Adam's η, the momentum 0.8 and the network are the lesson's. The spreads need no training
    (``batch_statistics_spread``) and are measured for every batch size in ``spread_batch_sizes``.
    """
    seeds = tuple(seeds)
    spread = {size: [batch_statistics_spread(size, epochs=epochs, seed=seed) for seed in seeds]
              for size in spread_batch_sizes}
    test_accuracy = {}
    for batch_norm in (True, False):
        for size in batch_sizes:
            test_accuracy[batch_norm, size] = over_seeds(
                lambda seed, batch_norm=batch_norm, size=size: train_batch_norm(
                    batch_norm, 0.8, size, epochs=epochs, seed=seed).test_accuracy,
                seeds, name=f"test accuracy {WITH if batch_norm else WITHOUT}, batches of {size},")
    return BatchSizeComparison(seeds=seeds, spread=spread, test_accuracy=test_accuracy, epochs=epochs)


def batch_size_claims(comparison, small=2, large=DEFAULT_BATCH_SIZE):
    """What the lesson says about small batches, each sentence checked over the seeds (``ClaimFailed`` if not).

    The margins: a spread or a variance ratio is an average over the batches of the raw flowers (no
    training, so another machine changes only its last bits); an accuracy is over 30 test flowers, one
    flower is 0.033, and a margin of 0.05 lets the worst seed lose a flower on another machine.
    """
    accuracies = comparison.test_accuracy
    return [
        comparison.extreme(small, "mean_spread", lowest=True).holds(0.6, margin=0.02),
        comparison.extreme(small, "mean_spread", lowest=False).holds(0.8, margin=0.02, above=False),
        comparison.extreme(large, "mean_spread", lowest=False).holds(0.3, margin=0.02, above=False),
        comparison.extreme(small, "variance_ratio", lowest=True).holds(0.4, margin=0.02),
        comparison.extreme(small, "variance_ratio", lowest=False).holds(0.6, margin=0.02, above=False),
        comparison.extreme(large, "variance_ratio", lowest=True).holds(0.9, margin=0.02),
        accuracies[True, small].holds(0.8, margin=0.05, above=False),
        accuracies[False, small].holds(0.8, margin=0.05),
        comparison.accuracy_cost(small).holds(0.1, margin=0.05),
        accuracies[True, large].holds(0.8, margin=0.05),
    ]


# ------------------------------------------------------------------------------------------ claims


def lesson_runs(seeds=SEEDS):
    """{seed: ``train_batch_norm``} in the lesson's setting (BatchNorm, a = 0.8, batches of 20, 10 epochs)."""
    return {seed: train_batch_norm(True, 0.8, DEFAULT_BATCH_SIZE, seed=seed) for seed in seeds}


def _over_runs(runs, value, name):
    return over_seeds(lambda seed: value(runs[seed]), tuple(runs), name=name)


def moving_statistics_claims(runs):
    """The moving averages estimate the training set's statistics, and the net classifies: over ``runs``' seeds.

    ``runs`` is ``lesson_runs()``. The moving averages are averages of the raw flowers' batch statistics (the
    BatchNorm layer comes first), so another machine changes only their last bits; the accuracy is over
    30 test flowers (one is 0.033), hence its margin. Raises ``ClaimFailed`` when a claim does not hold.
    """
    def mean_gap(run):
        moving_mean, _ = run.final_statistics()
        return np.max(np.abs(moving_mean - run.data_mean) / np.sqrt(run.data_variance))

    def variance_gap(run):
        _, moving_variance = run.final_statistics()
        return np.max(np.abs(moving_variance / run.data_variance - 1))

    return [
        _over_runs(runs, mean_gap, "largest gap |moving mean − data mean| / σ over the 4 measurements")
        .holds(0.15, margin=0.02, above=False),
        _over_runs(runs, variance_gap, "largest |moving variance / data variance − 1| over the 4 measurements")
        .holds(0.25, margin=0.02, above=False),
        _over_runs(runs, lambda run: run.test_accuracy, "test accuracy (test phase)").holds(0.85, margin=0.03),
    ]


def phase_claims(runs):
    """The two phases on one batch of 20 test flowers give different answers, but not very different ones."""
    gaps = _over_runs(runs, lambda run: phase_view(run, seed=run.settings["seed"])["largest_change"],
                      "largest change of a class probability between the phases, batch of 20 test flowers,")
    return [gaps.holds(0.05, margin=0.02), gaps.holds(0.5, margin=0.05, above=False)]


# --------------------------------------------------------------------------------- the batch-mates mistake


def batch_mates_experiment(trained, flower=None):
    """The mistake of normalising with the test batch's statistics (``BatchStatisticsAtTestTime``), measured.

    Parameters
    ----------
    trained : TrainedBatchNorm
        Trained with BatchNorm.
    flower : int, optional
        Index into the test set of the flower whose prediction is followed; by default the one whose class
        probabilities change most between its two batchings.

    Returns
    -------
    dict
        ``flower``: its index; ``species``: its true species; ``correct``: its class probabilities from
        the correct layer (moving statistics), the same in any batch; ``with_own_species`` and
        ``with_other_species``: from the mistaken layer when it shares a batch with the other test flowers
        of its own species or with those of the other two species; ``largest_change``: the largest change
        of a class probability of any test flower between those two batchings; ``alone_outputs``
        (N_test, C): the mistaken layer's output for every test flower sent alone (a batch of one:
        x − μ_B = 0, so the output is β whatever the flower); ``beta`` (C,); ``alone_predictions``
        (N_test,): the predicted class of every flower sent alone; ``alone_distinct``: how many different
        predictions that gives (1: every flower gets the same answer);
        ``correct_test_accuracy`` and ``alone_test_accuracy``.
    """
    if not trained.batch_norm:
        raise ValueError("batch_mates_experiment needs a network trained with BatchNorm (batch_norm=True)")
    inputs, labels = trained.test_inputs, trained.test_labels
    if flower is not None and (isinstance(flower, bool) or not isinstance(flower, int | np.integer)
                               or not 0 <= flower < len(inputs)):
        raise ValueError(f"flower must be an index into the {len(inputs)} test flowers, got {flower!r}")
    species = np.argmax(labels, axis=1)
    correct_net = trained.network()
    wrong_net = trained.network(normalization=BatchStatisticsAtTestTime)
    with_own, with_other = np.empty_like(labels), np.empty_like(labels)
    for index in range(len(inputs)):
        own = np.flatnonzero(species == species[index])
        other = np.concatenate([[index], np.flatnonzero(species != species[index])])
        with_own[index] = wrong_net.test(inputs[own])[int(np.flatnonzero(own == index)[0])]
        with_other[index] = wrong_net.test(inputs[other])[0]
    changes = np.max(np.abs(with_own - with_other), axis=1)
    if flower is None:
        flower = int(np.argmax(changes))
    alone = [inputs[index : index + 1] for index in range(len(inputs))]
    mistaken_layer = wrong_net.layers[0]  # in the test phase, where ``test`` left the network
    alone_outputs = np.array([mistaken_layer.forward(flower_alone)[0] for flower_alone in alone])
    alone_predictions = np.array([int(np.argmax(wrong_net.predict(flower_alone)[0])) for flower_alone in alone])
    return {
        "flower": flower,
        "species": IRIS_CLASS_NAMES[species[flower]],
        "correct": correct_net.predict(inputs[flower : flower + 1])[0],
        "with_own_species": with_own[flower],
        "with_other_species": with_other[flower],
        "largest_change": float(changes.max()),
        "alone_outputs": alone_outputs,
        "beta": np.array(trained.snapshot[0]["bias"]),
        "alone_predictions": alone_predictions,
        "alone_distinct": len(set(alone_predictions.tolist())),
        "correct_test_accuracy": float(accuracy(correct_net.predict(inputs), labels)),
        "alone_test_accuracy": float(np.mean(alone_predictions == species)),
    }


def batch_mates_claims(runs):
    """The batch-mates mistake over ``runs``' seeds (``lesson_runs()``): sentences, each checked."""
    results = {seed: batch_mates_experiment(run) for seed, run in runs.items()}
    distinct = sorted({result["alone_distinct"] for result in results.values()})
    if distinct != [1]:
        raise ClaimFailed(f"sent alone, the test flowers got {distinct} different predictions, not one")
    return [
        _over_runs(results, lambda result: result["largest_change"],
                   "largest change of a test flower's class probability between its two batchings")
        .holds(0.5, margin=0.1),
        f"sent alone, every test flower gets the same prediction in all {len(results)} seeds",
        _over_runs(results, lambda result: result["alone_test_accuracy"],
                   "test accuracy, mistaken layer, one flower at a time").holds(0.5, margin=0.05, above=False),
        _over_runs(results, lambda result: result["correct_test_accuracy"], "test accuracy, correct layer")
        .holds(0.85, margin=0.03),
    ]


# ----------------------------------------------------------------------------------- training speed


def build_digits_network(batch_norm, learning_rate, *, width=SPEED_WIDTH, seed=0):
    """FC(64, W) → [BatchNorm] → ReLU → FC(W, W) → [BatchNorm] → ReLU → FC(W, 10) → SoftMax, plain SGD(η)."""
    width = check_units("width", width)
    with seeded(seed):
        net = NeuralNetwork(Sgd(learning_rate), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        size = 64
        for _ in range(2):
            net.append_layer(FullyConnected(size, width))
            if batch_norm:
                net.append_layer(BatchNormalization(width))
            net.append_layer(ReLU())
            size = width
        net.append_layer(FullyConnected(size, 10))
        net.append_layer(SoftMax())
    return net


def train_digits(batch_norm, learning_rate, batch_size, *, epochs=SPEED_EPOCHS, seed=0):
    """One run of the speed experiment: the loss of every step and the validation accuracy after every epoch.

    Returns
    -------
    dict
        ``epoch_of_step`` (S,) the epochs done after each step, ``loss`` (S,) the data loss per sample of
        every step, ``epochs`` (E,) and ``validation_accuracy`` (E,) per finished epoch, ``final_accuracy``
        (the validation accuracy where training ended) and ``diverged`` (None, or the message of the step
        where the loss became infinite; the weights are then those before that step).
    """
    epochs = check_count("epochs", epochs)
    net = build_digits_network(batch_norm, learning_rate, seed=seed)
    # drop_last: every step sees batch_size digits, so the loss per sample of every step compares
    data = digits_data_layer(batch_size, flatten=True, validation_fraction=0.2, drop_last=True,
                             rng=np.random.default_rng(seed))
    net.data_layer = data
    validation_inputs, validation_labels = data.get_validation_set()
    losses, accuracies, diverged = [], [], None
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows before it stops
        for _ in range(epochs):
            try:
                for _ in range(data.batches_per_epoch):
                    net.train_step()
                    losses.append(net.data_loss / batch_size)
            except RuntimeError as error:
                diverged = str(error)
                break
            accuracies.append(accuracy(net.predict(validation_inputs), validation_labels))
        final = accuracy(net.predict(validation_inputs), validation_labels)
    return {
        "epoch_of_step": (np.arange(len(losses)) + 1) / data.batches_per_epoch,
        "loss": np.array(losses),
        "epochs": np.arange(1, len(accuracies) + 1),
        "validation_accuracy": np.array(accuracies, dtype=float),
        "final_accuracy": float(final),
        "diverged": diverged,
    }


@dataclasses.dataclass(frozen=True)
class SpeedComparison:
    """``compare_training_speed``'s runs: ``runs[label]`` one ``train_digits`` dict per seed, in ``seeds`` order."""

    settings: dict
    seeds: tuple
    runs: dict

    def final_accuracy(self, label):
        """SeedValues of the validation accuracy where training ended."""
        values = dict(zip(self.seeds, (run["final_accuracy"] for run in self.runs[label]), strict=True))
        return over_seeds(values.__getitem__, self.seeds, name=f"validation accuracy {label}")

    def advantage(self):
        """SeedValues of (with BatchNorm − without), seed by seed: the same first weights and batches."""
        with_bn, without = self.final_accuracy(WITH), self.final_accuracy(WITHOUT)
        values = dict(zip(self.seeds, with_bn.values - without.values, strict=True))
        return over_seeds(values.__getitem__, self.seeds, name="BatchNorm's lead in validation accuracy")

    def diverged(self, label):
        """How many seeds' runs stopped because the loss became infinite."""
        return sum(run["diverged"] is not None for run in self.runs[label])

    def restricted(self, seeds):
        """The same comparison for some of its seeds only (in the order given)."""
        seeds = tuple(seeds)
        missing = sorted(set(seeds) - set(self.seeds))
        if missing:
            raise ValueError(f"seeds {missing} are not in this comparison (its seeds: {list(self.seeds)})")
        position = {seed: index for index, seed in enumerate(self.seeds)}
        runs = {label: [runs[position[seed]] for seed in seeds] for label, runs in self.runs.items()}
        return SpeedComparison(settings=dict(self.settings), seeds=seeds, runs=runs)


def compare_training_speed(learning_rate=SPEED_LEARNING_RATE, batch_size=32, *, epochs=SPEED_EPOCHS, seeds=SEEDS):
    """Train the same digits MLP with and without BatchNorm (same data order, same first weights) for every seed.

    Returns
    -------
    SpeedComparison
    """
    batch_size, epochs = check_positive_int("batch size", batch_size), check_count("epochs", epochs)
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed, got none")
    runs = {label: [train_digits(batch_norm, learning_rate, batch_size, epochs=epochs, seed=seed) for seed in seeds]
            for label, batch_norm in ((WITH, True), (WITHOUT, False))}
    settings = {"learning_rate": float(learning_rate), "batch_size": batch_size, "epochs": epochs}
    return SpeedComparison(settings=settings, seeds=seeds, runs=runs)


SPEED_SMALL, SPEED_BEST, SPEED_LARGE = 1e-3, 1e-2, 10**-1.25  # on the dashboard's slider


def speed_claims(small, best, large):
    """What the lesson says about training speed, from ``compare_training_speed`` at three learning rates.

    ``small``: η too small for the plain network (1e-3); ``best``: about the plain network's best (1e-2);
    ``large``: too large for it (10^-1.25). The lead is measured seed by seed (same first weights, same
    batches); a validation set of 359 digits makes one digit 0.003. Each sentence is checked
    (``ClaimFailed`` when the seeds do not support it).
    """
    def at(comparison):
        return f"η = {comparison.settings['learning_rate']:.2g}: "

    return [
        at(small) + small.advantage().holds(0.05, margin=0.03),
        at(best) + best.advantage().holds(0.0, margin=0.01),
        at(best) + best.advantage().holds(0.1, margin=0.03, above=False),
        at(large) + large.final_accuracy(WITHOUT).holds(0.3, margin=0.1, above=False),
        at(large) + large.final_accuracy(WITH).holds(0.85, margin=0.05),
    ]
