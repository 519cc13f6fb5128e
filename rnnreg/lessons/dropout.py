"""Lesson 02, dropout: the experiments behind the notebook and its two dashboards (NumPy only).

Masks and phases (nothing is trained):

- ``hidden_activations``: a realistic batch, 16 digit images through a He-initialised FullyConnected(64, 32)
  and a ReLU;
- ``dropout_phases``: that batch through a dropout layer in the train and in the test phase, the train phase
  also averaged over many fresh masks; ``scaling`` picks the library's inverted ``Dropout`` or one of the two
  non-inverted rules of ``rnnreg.layers.variants.NonInvertedDropout`` (the mistake: no scaling at all; the
  original recipe: ×p at test time);
- ``phases_claims``: what the lesson says about masks and phases, checked over mask seeds.

Dropout against overfitting, on ``overfitting_set`` (30 training samples, 60 features of which 4 carry the
class, 200 validation samples):

- ``train_with_dropout``: Dropout → FullyConnected(60, 64) → ReLU → Dropout → FullyConnected(64, 2) → SoftMax
  (``where="hidden"`` leaves out the dropout on the inputs), plain SGD; returns a ``DropoutRun`` with loss and
  accuracy curves from step 0;
- ``overfitting_runs``: one setting over the lesson's five seeds (each seed draws the data, the initial
  weights and the masks), cached, since the notebook, the dashboard and the claims share them;
- ``overfitting_claims``, ``placement_claims`` (inputs and hidden units against hidden units only) and
  ``sweep_rates``: statements about dropout against no dropout that hold in every seed (or in most, where the
  sentence says so), with a margin another CPU's rounding cannot cross; ``trend`` words a change over seeds.

The three scaling rules trained: ``compare_scaling`` (one seed's measurements) and ``scaling_claims`` (over
seeds).

The exercise's ``Dropout(probability)`` takes p, the fraction of units KEPT; these functions take the drop
rate 1 − p (PyTorch's ``nn.Dropout(p)`` also takes the drop rate), as the dashboards' sliders do.
"""

import copy
import dataclasses
import functools

import numpy as np

from rnnreg import Constant, CrossEntropyLoss, Dropout, FullyConnected, He, NeuralNetwork, ReLU, Sgd, SoftMax
from rnnreg.data import load_digits
from rnnreg.layers.variants import NonInvertedDropout
from rnnreg.lessons.claims import SEEDS, ClaimFailed, SeedValues, over_seeds
from rnnreg.lessons.experiment import (
    check_count,
    check_dropout_rate,
    check_units,
    keep_probability,
    read_only,
    seeded,
)
from rnnreg.lessons.overfitting import check_steps, overfitting_data_layer
from rnnreg.training import evaluate, fit
from rnnreg.validation import check_choice, check_non_negative_int, check_positive_int, check_size

__all__ = [
    "PLACEMENTS",
    "SCALINGS",
    "DropoutRun",
    "SeedRuns",
    "build_dropout_network",
    "changes",
    "compare_scaling",
    "dropout_phases",
    "hidden_activations",
    "make_dropout",
    "overfitting_claims",
    "overfitting_finding",
    "overfitting_runs",
    "phases_claims",
    "phases_finding",
    "placement_claims",
    "scaling_claims",
    "sweep_rates",
    "train_with_dropout",
    "trend",
]

SCALINGS = ("inverted", "mistake", "original")
PLACEMENTS = ("inputs and hidden", "hidden")
SAMPLES = 16
UNITS = 32
REPEATS = 400
HIDDEN_UNITS = 64
LEARNING_RATE = 2e-3
STEPS = 300
STEPS_PER_EPOCH = 10


def make_dropout(rate, scaling="inverted", rng=None):
    """The dropout layer for a drop ``rate``: ``Dropout(p)`` or a ``NonInvertedDropout(p, ...)``, p = 1 − rate."""
    check_choice("scaling", scaling, SCALINGS)
    probability = keep_probability(check_dropout_rate(rate))
    if scaling == "inverted":
        return Dropout(probability, rng=rng)
    return NonInvertedDropout(probability, scale_at_test=scaling == "original", rng=rng)


# --------------------------------------------------------------------------------- masks and phases


@functools.lru_cache(maxsize=8)
def _activations(samples, units, seed):
    images, _ = load_digits()
    check_size("samples", samples, len(images))  # distinct digit images: at most all of them
    chosen = np.random.default_rng(seed).permutation(len(images))[:samples]
    inputs = images[chosen].reshape(samples, -1) / 16.0
    with seeded(seed):
        layer = FullyConnected(inputs.shape[1], units)
        layer.initialize(He(), Constant(0.0))
    return read_only(ReLU().forward(layer.forward(inputs)))


def hidden_activations(samples=SAMPLES, units=UNITS, seed=0):
    """Activations (N, H) of a hidden layer: N digit images through a He-initialised FC(64, H) and a ReLU.

    Nothing is trained: the dropout lesson only needs a realistic batch (non-negative, many exact zeros from
    the ReLU). The same arguments always give the same (read-only) array.
    """
    return _activations(check_positive_int("samples", samples), check_units("units", units),
                        check_non_negative_int("seed", seed))


def dropout_phases(rate, scaling="inverted", *, inputs=None, repeats=REPEATS, seed=0):
    """One batch through a dropout layer in both phases, and the train phase averaged over many masks.

    Parameters
    ----------
    rate : float
        Drop rate in [0, 1); the layer keeps each unit with probability p = 1 − rate.
    scaling : {"inverted", "mistake", "original"}
        "inverted": ``Dropout(p)`` (y = x·M/p while training, y = x at test). "mistake":
        ``NonInvertedDropout(p)`` (y = x·M while training, y = x at test). "original":
        ``NonInvertedDropout(p, scale_at_test=True)`` (y = x·M while training, y = p·x at test).
    inputs : array_like, shape (N, H), optional
        The batch; by default ``hidden_activations()``.
    repeats : int
        How many fresh masks the train-phase average uses.
    seed : int
        Seeds the masks (the first one is the mask shown).

    Returns
    -------
    dict
        ``rate``, ``keep_probability``, ``scaling``, ``repeats``; ``inputs`` (N, H); ``mask`` (N, H) bool, the
        first training mask; ``outputs`` {"train": (N, H), "test": (N, H)}; ``average_train`` (N, H), the
        train phase averaged over ``repeats`` masks (the first included); ``kept`` and ``units``: how many
        units the first mask kept, of how many; ``kept_fraction``; ``means`` {"input", "train", "test",
        "average_train"}: mean activations; ``slope``: the least-squares slope of ``average_train`` against
        ``outputs["test"]`` through 0 (1 when training matches the test phase on average);
        ``test_is_identity``: whether the test phase returned the batch unchanged.
    """
    rate = check_dropout_rate(rate)
    check_choice("scaling", scaling, SCALINGS)
    repeats = check_count("repeats", repeats)
    # A copy of the caller's batch: the returned arrays are made read-only.
    x = hidden_activations(seed=seed) if inputs is None else np.array(inputs, dtype=float)
    if x.ndim != 2 or x.size == 0:
        raise ValueError(f"inputs must be a non-empty batch of shape (N, H), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("inputs must hold finite numbers only")
    layer = make_dropout(rate, scaling, rng=np.random.default_rng(seed))
    layer.testing_phase = False
    train = layer.forward(x)
    mask = np.array(layer.mask)
    total = train.copy()
    for _ in range(repeats - 1):
        total += layer.forward(x)
    average = total / repeats
    layer.testing_phase = True
    test = layer.forward(x)
    denominator = float(np.sum(test * test))
    slope = float(np.sum(average * test)) / denominator if denominator > 0 else float("nan")
    return read_only({
        "rate": rate, "keep_probability": layer.probability, "scaling": scaling, "repeats": repeats,
        "inputs": x, "mask": mask, "outputs": {"train": train, "test": test}, "average_train": average,
        "kept": int(mask.sum()), "units": int(mask.size), "kept_fraction": float(mask.mean()),
        "means": {"input": float(x.mean()), "train": float(train.mean()), "test": float(test.mean()),
                  "average_train": float(average.mean())},
        "slope": slope,
        "test_is_identity": bool(np.array_equal(test, x)),
    })


def phases_finding(view):
    """The phase dashboard's title: what the train phase passes on, on average, relative to the test phase."""
    p, slope = view["keep_probability"], view["slope"]
    if view["scaling"] == "inverted":
        return f"Inverted dropout (p = {p:.2f}): training passes on {slope:.2f}× the test output on average"
    if view["scaling"] == "mistake":
        return f"No scaling (p = {p:.2f}): training passes on only {slope:.2f}× what the test phase does"
    return f"Original dropout (p = {p:.2f}): ×p at test, so training passes on {slope:.2f}× the test output"


def _mean_error(view, which):
    """|mean of ``which`` / mean of the test phase − 1|: how far the train phase's mean is from the test phase's."""
    return abs(view["means"][which] / view["means"]["test"] - 1)


def phases_claims(rate=0.5, *, seeds=SEEDS, repeats=REPEATS):
    """What sections 2 and 3 of the lesson say about one batch, checked over ``seeds`` (each a new batch and masks).

    Returns ``{"one mask": ..., "averaged": ..., "mistake": ..., "original": ...}``, sentences:

    - one inverted-dropout mask: its train-phase mean is off the test phase's by more than 1 % in every seed;
    - averaged over ``repeats`` masks: within 2 % of it in every seed (E[y] = x, measured);
    - the slope of the averaged train phase against the test phase: p with the mistake (no scaling), 1 with
      the original recipe (×p at test), within 0.03 in every seed.

    Raises ``ClaimFailed`` when the seeds do not support a sentence.
    """
    rate, seeds = check_dropout_rate(rate), tuple(seeds)
    p = keep_probability(rate)
    views = {scaling: {seed: dropout_phases(rate, scaling, repeats=repeats, seed=seed) for seed in seeds}
             for scaling in SCALINGS}
    inverted = views["inverted"]
    one_mask = over_seeds(lambda seed: 100 * _mean_error(inverted[seed], "train"), seeds,
                          name="one mask: gap between the train-phase and the test-phase mean")
    averaged = over_seeds(lambda seed: 100 * _mean_error(inverted[seed], "average_train"), seeds,
                          name=f"{repeats} masks averaged: gap between the train-phase and the test-phase mean")
    mistake = over_seeds(lambda seed: abs(views["mistake"][seed]["slope"] - p), seeds,
                         name=f"no scaling: |slope − p| (p = {p:.2f})")
    original = over_seeds(lambda seed: abs(views["original"][seed]["slope"] - 1), seeds,
                          name="×p at test: |slope − 1|")
    return {
        "one mask": one_mask.holds(1, margin=0.5, unit=" %"),
        "averaged": averaged.holds(2, margin=1, above=False, unit=" %"),
        "mistake": mistake.holds(0.03, margin=0.01, above=False),
        "original": original.holds(0.03, margin=0.01, above=False),
    }


# ------------------------------------------------------------------------------- dropout vs overfitting


def _check_where(where):
    return check_choice("where", where, PLACEMENTS)


def build_dropout_network(rate, scaling="inverted", *, where="inputs and hidden", num_features=60, num_classes=2,
                          hidden_units=HIDDEN_UNITS, learning_rate=LEARNING_RATE, seed=0):
    """[Dropout →] FC(D, 64) → ReLU → Dropout → FC(64, K) → SoftMax with plain SGD; rate 0: no dropout layer.

    ``where="inputs and hidden"`` drops input features and hidden units at the same rate; ``"hidden"`` drops
    hidden units only. Each dropout layer draws its masks from its own generator, seeded from ``seed``.
    """
    rate, where = check_dropout_rate(rate), _check_where(where)
    num_features, hidden_units = check_units("num_features", num_features), check_units("hidden_units", hidden_units)
    input_stream, hidden_stream = np.random.SeedSequence(seed).spawn(2)
    with seeded(seed):
        net = NeuralNetwork(Sgd(learning_rate), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        layers = []
        if rate > 0 and where == "inputs and hidden":
            layers.append(make_dropout(rate, scaling, rng=np.random.default_rng(input_stream)))
        layers += [FullyConnected(num_features, hidden_units), ReLU()]
        if rate > 0:
            layers.append(make_dropout(rate, scaling, rng=np.random.default_rng(hidden_stream)))
        layers += [FullyConnected(hidden_units, num_classes), SoftMax()]
        for layer in layers:
            net.append_layer(layer)
    return net


CURVES = ("step", "train_loss", "validation_loss", "train_accuracy", "validation_accuracy")


@dataclasses.dataclass(frozen=True)
class DropoutRun:
    """What ``train_with_dropout`` returns (shared and cached: its arrays are read-only).

    Attributes
    ----------
    settings : dict
    curves : dict of numpy.ndarray
        ``step`` and, at each of those steps (0 before training, then every ``steps_per_epoch``), the
        cross-entropy per sample (``train_loss``, ``validation_loss``) and the accuracy (``train_accuracy``,
        ``validation_accuracy``) of the network in the test phase.
    """

    settings: dict
    curves: dict

    def final(self, field):
        """The value of ``field`` after training (the last point of its curve)."""
        return float(self.curves[field][-1])

    @property
    def loss_gap(self):
        """Validation minus training cross-entropy after training."""
        return self.final("validation_loss") - self.final("train_loss")

    @property
    def accuracy_gap(self):
        """Training minus validation accuracy after training."""
        return self.final("train_accuracy") - self.final("validation_accuracy")


def train_with_dropout(rate, *, scaling="inverted", where="inputs and hidden", hidden_units=HIDDEN_UNITS,
                       learning_rate=LEARNING_RATE, steps=STEPS, steps_per_epoch=STEPS_PER_EPOCH, seed=0, data=None,
                       network=False):
    """Train the net on ``overfitting_set(rng=seed)`` (or ``data``) with drop rate ``rate``; return a DropoutRun.

    Full-batch SGD on the 30 training samples for ``steps`` steps, evaluated (test phase) before training and
    after every ``steps_per_epoch`` steps. ``network=True`` returns ``(run, net)`` with the trained network as
    well (for measurements on it). Raises ValueError for a bad setting or data set, or when training diverges.
    """
    steps, steps_per_epoch = check_steps(steps, steps_per_epoch)
    layer = overfitting_data_layer(seed, data)
    train_set, validation_set = layer.get_train_set(), layer.get_validation_set()
    net = build_dropout_network(rate, scaling, where=where, num_features=train_set[0].shape[1],
                                num_classes=train_set[1].shape[1], hidden_units=hidden_units,
                                learning_rate=learning_rate, seed=seed)
    net.data_layer = layer
    start = (*evaluate(net, *train_set), *evaluate(net, *validation_set))
    try:
        history = fit(net, epochs=steps // steps_per_epoch, steps_per_epoch=steps_per_epoch)
    except RuntimeError as error:
        raise ValueError(f"{error} (learning rate {learning_rate:g})") from error
    curves = {"step": np.concatenate([[0], history.epoch_array("step") + 1])}
    for field, value in zip(("train_loss", "train_accuracy", "validation_loss", "validation_accuracy"), start,
                            strict=True):
        curves[field] = np.concatenate([[value], history.epoch_array(field)])
    settings = {"rate": check_dropout_rate(rate), "scaling": scaling, "where": where, "hidden_units": hidden_units,
                "learning_rate": float(learning_rate), "steps": steps, "seed": seed}
    run = DropoutRun(settings=settings, curves=read_only(curves))
    return (run, net) if network else run


@dataclasses.dataclass(frozen=True)
class SeedRuns:
    """One setting trained once per seed (``overfitting_runs``): curves as (seeds, evaluations) arrays."""

    rate: float
    where: str
    runs: tuple

    @property
    def seeds(self):
        return tuple(run.settings["seed"] for run in self.runs)

    @property
    def steps(self):
        return self.runs[0].curves["step"]

    def curves(self, field):
        """(seeds, evaluations): ``field`` of every seed at every evaluation."""
        return np.stack([run.curves[field] for run in self.runs])

    def final(self, field):
        """``SeedValues`` of ``field`` after training, one per seed."""
        return SeedValues(self.seeds, np.array([run.final(field) for run in self.runs]), field.replace("_", " "))

    def label(self):
        if self.rate == 0:
            return "no dropout"
        return f"dropout {self.rate:.2f} ({'inputs and hidden units' if self.where != 'hidden' else 'hidden units'})"


@functools.lru_cache(maxsize=64)
def _overfitting_runs(rate, where, seeds):
    return SeedRuns(rate, where, tuple(train_with_dropout(rate, where=where, seed=seed) for seed in seeds))


def overfitting_runs(rate, where="inputs and hidden", seeds=SEEDS):
    """``SeedRuns``: the lesson's net at drop ``rate`` trained once per seed (cached; the same for the same arguments).

    Rate 0 has no dropout layer, so ``where`` does not matter there.
    """
    rate, where, seeds = check_dropout_rate(rate), _check_where(where), tuple(int(seed) for seed in seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed, got none")
    return _overfitting_runs(rate, "inputs and hidden" if rate == 0 else where, seeds)


def _change(dropped, baseline, value, name):
    """``SeedValues`` of value(dropped run) − value(baseline run), seed by seed (the same data in both)."""
    return SeedValues(dropped.seeds, np.array([value(run) - value(base)
                                               for run, base in zip(dropped.runs, baseline.runs, strict=True)]), name)


def changes(dropped, baseline):
    """Dropout's change of the validation loss and accuracy and of both train–validation gaps, seed by seed.

    Returns ``{"validation loss", "loss gap", "validation accuracy", "accuracy gap"}``: ``SeedValues`` each.
    """
    return {
        "validation loss": _change(dropped, baseline, lambda run: run.final("validation_loss"),
                                   "change in validation loss"),
        "loss gap": _change(dropped, baseline, lambda run: run.loss_gap,
                            "change in train–validation loss gap"),
        "validation accuracy": _change(dropped, baseline, lambda run: run.final("validation_accuracy"),
                                       "change in validation accuracy"),
        "accuracy gap": _change(dropped, baseline, lambda run: run.accuracy_gap,
                                "change in train–validation accuracy gap"),
    }


def trend(values, margin, *, guard=None, by=None):
    """"lower by more than 0.02 in all 5 seeds" / "... in most of the 5 seeds" / "higher ..." / "no consistent change".

    Which sentence is printed depends only on how many seeds lie beyond ±``margin``; a seed closer than
    ``guard`` (default margin / 4) to -margin or +margin would let another machine's rounding change that
    count, so it raises ``ClaimFailed`` instead of printing a sentence that might not hold there. ``by`` words
    the margin (default "more than <margin>").
    """
    guard = margin / 4 if guard is None else guard
    by = f"more than {margin:g}" if by is None else by
    near = [seed for seed, value in zip(values.seeds, values.values, strict=True)
            if min(abs(value - margin), abs(value + margin)) < guard]
    if near:
        raise ClaimFailed(f"{values.name}: seeds {near} lie within {guard:g} of ±{margin:g}, where another machine "
                          f"could tip them: {values.values.tolist()}")
    n, lower, higher = len(values.seeds), values.clear_of(-margin, 0, above=False), values.clear_of(margin, 0)
    for count, word in ((lower, "lower"), (higher, "higher")):
        if count == n:
            return f"{word} by {by} in all {n} seeds"
        if count >= n // 2 + 2:
            return f"{word} by {by} in most of the {n} seeds"
    return f"no consistent change by {by} over the {n} seeds"


def overfitting_finding(dropped, baseline):
    """The overfitting dashboard's title: the setting's validation loss against no dropout, seed by seed."""
    if dropped.rate == 0:
        median = baseline.final("validation_loss").median
        return f"No dropout: train loss near 0, validation loss median {median:.2f} ({len(baseline.runs)} seeds)"
    change = changes(dropped, baseline)["validation loss"]
    lower = int(np.sum(change.values < 0))
    where = "inputs + hidden units" if dropped.where != "hidden" else "hidden units only"
    return f"Dropout {dropped.rate:.2f} on {where}: validation loss lower in {lower} of {len(change.seeds)} seeds"


def overfitting_claims(rate=0.5, where="inputs and hidden", seeds=SEEDS):
    """What section 4 of the lesson says: the net without dropout overfits, dropout at ``rate`` narrows it.

    Sentences (each checked, ``ClaimFailed`` otherwise): without dropout the training loss ends below 0.02 and
    the validation loss above 0.4 in every seed; with dropout the validation loss and the train–validation
    loss gap are lower than without by more than 0.05 in every seed, and the validation accuracy is higher
    in most seeds.
    """
    baseline, dropped = overfitting_runs(0.0, seeds=seeds), overfitting_runs(rate, where, seeds)
    change = changes(dropped, baseline)
    return [
        "no dropout: " + baseline.final("train_loss").holds(0.02, margin=0.005, above=False),
        "no dropout: " + baseline.final("validation_loss").holds(0.4, margin=0.05),
        f"{dropped.label()}: " + change["validation loss"].holds(-0.05, margin=0.02, above=False),
        f"{dropped.label()}: " + change["loss gap"].holds(-0.05, margin=0.02, above=False),
        f"{dropped.label()}: " + change["validation accuracy"].holds(0.0, margin=0.01, form="most"),
    ]


def sweep_rates(rates=(0.25, 0.5, 0.75), where="inputs and hidden", seeds=SEEDS, *, loss_margin=0.02):
    """For each drop rate against no dropout, seed by seed: how the validation loss and accuracy change.

    Returns ``{rate: {"validation loss": sentence, "validation accuracy": sentence, "changes": {...}}}``:
    ``trend`` sentences (loss: margin ``loss_margin``; accuracy: counted in validation samples, "2 or more")
    and the ``changes`` (``SeedValues`` per measure, as ``changes`` returns them) they summarise.
    """
    if not rates:
        raise ValueError("sweep_rates needs at least one rate, got none")
    baseline = overfitting_runs(0.0, seeds=seeds)
    samples = len(overfitting_data_layer(seeds[0]).get_validation_set()[0])
    table = {}
    for rate in rates:
        change = changes(overfitting_runs(rate, where, seeds), baseline)
        accuracy = change["validation accuracy"]
        # Accuracies move in whole samples: counted, the margin 1.5 lies half a sample from every possible value.
        counted = SeedValues(accuracy.seeds, np.round(accuracy.values * samples),
                             "change in correct validation samples")
        table[check_dropout_rate(rate)] = {
            "validation loss": trend(change["validation loss"], loss_margin),
            "validation accuracy": trend(counted, 1.5, by=f"2 or more of the {samples} samples"),
            "changes": change,
        }
    return table


def _in_some_seed(values, threshold, *, guard):
    """"... above <threshold> in at least one of the N seeds": a seed clear of it by ``guard``, and none close to it."""
    near = [seed for seed, value in zip(values.seeds, values.values, strict=True) if abs(value - threshold) < guard]
    if near or values.clear_of(threshold, guard) == 0:
        raise ClaimFailed(f"{values.name} above {threshold:g} in at least one seed, none within {guard:g} of it: "
                          f"{values.values.tolist()}")
    return f"{values.name} above {threshold:g} in at least one of the {len(values.seeds)} seeds"


def placement_claims(rate=0.5, seeds=SEEDS):
    """Dropout on the hidden units only against dropout on the inputs as well (sentences, checked over ``seeds``).

    Hidden units only: the validation accuracy is higher than without dropout in every seed, but the validation
    loss is higher than without dropout in at least one seed; dropping the inputs as well lowers the validation
    loss further, by more than 0.05 in every seed.
    """
    baseline = overfitting_runs(0.0, seeds=seeds)
    hidden, both = overfitting_runs(rate, "hidden", seeds), overfitting_runs(rate, "inputs and hidden", seeds)
    change = changes(hidden, baseline)
    further = _change(both, hidden, lambda run: run.final("validation_loss"),
                      "validation loss, inputs and hidden units minus hidden units only")
    return [
        f"{hidden.label()}: " + change["validation accuracy"].holds(0.0, margin=0.01),
        f"{hidden.label()}: " + _in_some_seed(change["validation loss"], 0.01, guard=0.005),
        further.holds(-0.05, margin=0.02, above=False),
    ]


# ---------------------------------------------------------------------------------- the three scalings


def _output_layer_inputs(net, inputs, seed, repeats):
    """Mean of what reaches the output layer: in the train phase (averaged over ``repeats`` masks) and at test."""
    index = max(i for i, layer in enumerate(net.layers) if isinstance(layer, Dropout))
    up_to_dropout = copy.copy(net)  # the same layer objects, up to the last dropout layer: what feeds the output layer
    up_to_dropout.layers = net.layers[: index + 1]
    dropout = net.layers[index]
    saved_rng = dropout.rng
    dropout.rng = np.random.default_rng(seed + 1)
    train_mean = float(np.mean([up_to_dropout.predict(inputs, phase="train").mean() for _ in range(repeats)]))
    dropout.rng = saved_rng
    return train_mean, float(up_to_dropout.predict(inputs).mean())


def compare_scaling(rate=0.5, *, seed=0, repeats=100):
    """Train the overfitting-set net (dropout on the hidden units) with each scaling rule and measure its output layer.

    "inverted" is trained with ``Dropout``; "mistake" and "original" are ONE network trained with
    ``NonInvertedDropout`` (the two rules train alike and differ only at test time), measured with each test
    rule. For each rule: ``train_mean``, the mean activation leaving the dropout layer for the validation
    inputs in the train phase, averaged over ``repeats`` masks; ``test_mean``, the same in the test phase;
    ``ratio`` = test_mean / train_mean (1: the output layer sees at test what it was trained on);
    ``validation_accuracy``; ``confidence``, the mean largest class probability at test. Returns
    ``{scaling: dict}``.
    """
    rate, repeats = check_dropout_rate(rate), check_count("repeats", repeats)
    if rate == 0:
        raise ValueError("compare_scaling needs a dropout rate above 0: at rate 0 the three rules are the same")
    results = {}
    for trained_as, rules in (("inverted", ("inverted",)), ("mistake", ("mistake", "original"))):
        _, net = train_with_dropout(rate, scaling=trained_as, where="hidden", seed=seed, network=True)
        inputs, labels = net.data_layer.get_validation_set()
        for rule in rules:
            dropout = next(layer for layer in net.layers if isinstance(layer, Dropout))
            if rule != "inverted":
                dropout.scale_at_test = rule == "original"
            train_mean, test_mean = _output_layer_inputs(net, inputs, seed, repeats)
            _, accuracy = evaluate(net, inputs, labels)
            probabilities = net.predict(inputs)
            results[rule] = {
                "train_mean": train_mean, "test_mean": test_mean, "ratio": test_mean / train_mean,
                "validation_accuracy": accuracy, "confidence": float(probabilities.max(axis=1).mean()),
            }
    return results


def scaling_claims(rate=0.5, *, seeds=SEEDS):
    """What section 3 says about the trained nets, checked over ``seeds`` (a dict of sentences).

    "ratio": the output layer receives at test time 1/p times what it was trained on with the mistake, the
    same with the two correct rules (each within 1 %); "accuracy": the mistake and the original recipe (the
    same trained network) agree on the validation accuracy within 0.025; "confidence": the mistake's answers
    are more confident than the original recipe's, by more than 0.03, in every seed.
    """
    rate, seeds = check_dropout_rate(rate), tuple(seeds)
    p = keep_probability(rate)
    tables = {seed: compare_scaling(rate, seed=seed) for seed in seeds}
    mistake = over_seeds(lambda seed: 100 * abs(tables[seed]["mistake"]["ratio"] * p - 1), seeds,
                         name=f"no scaling: gap between the test/train ratio and 1/p = {1 / p:.2f}")
    correct = over_seeds(
        lambda seed: 100 * max(abs(tables[seed][rule]["ratio"] - 1) for rule in ("inverted", "original")), seeds,
        name="inverted and ×p at test: gap between the test/train ratio and 1")
    accuracy = over_seeds(
        lambda seed: abs(tables[seed]["mistake"]["validation_accuracy"]
                         - tables[seed]["original"]["validation_accuracy"]),
        seeds, name="validation accuracy, difference between the mistake and ×p at test")
    confidence = over_seeds(
        lambda seed: tables[seed]["mistake"]["confidence"] - tables[seed]["original"]["confidence"], seeds,
        name="confidence with the mistake minus with ×p at test")
    return {
        "mistake ratio": mistake.holds(1, margin=0.5, above=False, unit=" %"),
        "correct ratio": correct.holds(1, margin=0.5, above=False, unit=" %"),
        "accuracy": accuracy.holds(0.025, margin=0.005, above=False),
        "confidence": confidence.holds(0.03, margin=0.01),
    }
