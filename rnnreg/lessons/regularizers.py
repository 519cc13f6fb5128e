"""Lesson 01, L1 and L2 regularization: the experiments, run over seeds, and the sentences the lesson states.

The network is FullyConnected(60, 32) → ReLU → FullyConnected(32, 2) → SoftMax, trained full batch on
``overfitting_set`` (30 training samples, 60 features of which only the first 4 carry the class, 200
validation samples). A seed draws both the data (``overfitting_set(rng=seed)``) and the first weights.

- ``train_regularized`` trains one network with L1, L2 or no regularizer and returns a ``RegularizedRun``:
  first and final weights, accuracies, validation loss and ‖W‖₂ at every evaluation.
- ``ProximalSgd`` is plain SGD whose L1 penalty is applied by its proximal step (soft-thresholding): the way
  to get weights that are exactly zero. The exercise's subgradient rule, w ← w − ηα·sign(w), only brings
  them near zero, where they jump across zero at every step.
- ``train_over_seeds`` and ``alpha_sweep`` repeat a training over seeds (and over a grid of α);
  ``compare_l2_rules`` trains L2 applied both ways an optimizer can apply it (decoupled weight decay, the
  exercise's rule, and L2 added to the gradient).
- The ``*_claims`` functions turn the values of all seeds into the sentences the notebook prints
  (``rnnreg.lessons.claims``): each raises ``ClaimFailed`` when the seeds do not support it.

The exercise's conventions hold: L2's ``norm`` is α Σ w² while its ``calculate_gradient`` is α w (the
gradient of α/2 Σ w²); L1's are α Σ |w| and α sign(w). "Weights" here are every entry of a layer's
``weights`` array, bias row included, because that is what the regularizer shrinks; the per-feature
numbers use the first layer's weight rows only.
"""

import dataclasses

import numpy as np

from rnnreg import (
    Adam,
    Constant,
    CrossEntropyLoss,
    FullyConnected,
    He,
    L1Regularizer,
    L2Regularizer,
    NeuralNetwork,
    ReLU,
    Sgd,
    SgdWithMomentum,
    SoftMax,
)
from rnnreg.lessons.claims import SEEDS, SeedValues
from rnnreg.lessons.experiment import check_units, read_only, seeded
from rnnreg.lessons.overfitting import check_steps, overfitting_data_layer
from rnnreg.training import evaluate
from rnnreg.validation import check_choice, check_non_negative_number, check_size

__all__ = [
    "AlphaSweep",
    "ProximalSgd",
    "RegularizedRun",
    "alpha_sweep",
    "build_network",
    "compare_l2_rules",
    "make_regularizer",
    "train_over_seeds",
    "train_regularized",
]

REGULARIZERS = ("none", "L1", "L1 proximal", "L2")
OPTIMIZERS = ("SGD", "momentum", "Adam")
# Step sizes that fit the overfitting set in STEPS full-batch updates (the loss is summed over the 30 samples).
# Momentum's velocity adds up to 1/(1 − μ) = 10 steps, so its η is SGD's divided by 10: the same data step.
LEARNING_RATES = {"SGD": 2e-2, "momentum": 2e-3, "Adam": 6e-3}
MOMENTUM = 0.9
ADAM_RHO = 0.999
HIDDEN_UNITS = 32
STEPS = 150
STEPS_PER_EPOCH = 10
INFORMATIVE = 4  # the first 4 features of ``overfitting_set`` carry the class
# Near zero: |w| <= 0.01, about a twentieth of a typical starting weight (He: σ = √(2/60) ≈ 0.18). Subgradient
# L1 does not reach exactly 0: each step moves a weight by η·α·sign(w), so it jumps across 0 by up to η·α.
THRESHOLD = 1e-2
RULES = ("decoupled", "into gradient")
RULE_LABELS = {"decoupled": "decoupled (the exercise's rule)", "into gradient": "added to the gradient"}
# What each curve of an α sweep trains: (regularizer, into_gradient). "decoupled" is L2 by the exercise's rule.
SWEEP_LABELS = {
    "L1": ("L1", False),
    "L1 proximal": ("L1 proximal", False),
    "L2": ("L2", False),
    "decoupled": ("L2", False),
    "into gradient": ("L2", True),
}
# The lesson's α grids (α = 0, no regularizer, is every curve's left end): from too little to far too much
# for SGD with η = LEARNING_RATES["SGD"], and for each L2 rule under Adam.
REGULARIZER_ALPHAS = {"L1": (0.0, 0.01, 0.1, 0.3, 1.0, 3.0, 10.0), "L2": (0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)}
ADAM_RULE_ALPHAS = {"decoupled": (0.0, 1.0, 10.0, 30.0), "into gradient": (0.0, 0.3, 1.0, 3.0)}


# --------------------------------------------------------------------------------------------- building


def check_alpha(alpha):
    """``alpha`` as a float if it is a finite number >= 0, else a ValueError/TypeError naming it."""
    return check_non_negative_number("regularization strength α", alpha)


def make_regularizer(name, alpha):
    """``L1Regularizer(alpha)``, ``L2Regularizer(alpha)``, or None for "none" (and for α = 0, "off").

    "L1 proximal" is not a regularizer the optimizer subtracts but a step of its own (``ProximalSgd``):
    it gives None here.
    """
    check_choice("regularizer", name, REGULARIZERS)
    alpha = check_alpha(alpha)
    if name in ("none", "L1 proximal") or alpha == 0:
        return None
    return (L1Regularizer if name == "L1" else L2Regularizer)(alpha)


class ProximalSgd(Sgd):
    """Plain SGD with an L1 penalty applied by its proximal step: exact zeros instead of a jitter around zero.

    One step is the data step, then soft-thresholding by η·α:

        v = w − η g;        w ← sign(v) · max(|v| − η α, 0).

    A weight whose data step moves it by less than η·α lands on 0 exactly and stays there as long as that
    holds; the others move ηα towards 0, as under the exercise's subgradient rule. This is the minimiser of
    ½‖w − v‖² + ηα‖w‖₁ (the "proximal operator" of the L1 penalty), the step of ISTA (iterative
    soft-thresholding). The lesson keeps it here, beside the exercise's optimizers, as an experiment.

    Parameters
    ----------
    learning_rate : float
        η > 0.
    alpha : float
        L1 strength α >= 0, the same α as ``L1Regularizer(alpha)``.
    """

    def __init__(self, learning_rate, alpha):
        super().__init__(learning_rate)
        self.alpha = check_alpha(alpha)

    def calculate_update(self, weight_tensor, gradient_tensor):
        stepped = np.asarray(super().calculate_update(weight_tensor, gradient_tensor))
        threshold = self.learning_rate * self.alpha
        return np.sign(stepped) * np.maximum(np.abs(stepped) - threshold, 0.0)

    def config(self):
        return {"learning_rate": self.learning_rate, "alpha": self.alpha}


def make_optimizer(optimizer, learning_rate, regularizer="none", alpha=0.0, *, into_gradient=False):
    """The optimizer with the regularizer attached (the exercise's rule, or added to the gradient)."""
    check_choice("optimizer", optimizer, OPTIMIZERS)
    if regularizer == "L1 proximal" and check_alpha(alpha) > 0:
        if optimizer != "SGD" or into_gradient:
            raise ValueError(f"the proximal L1 step is plain SGD's: optimizer must be 'SGD', got {optimizer!r}"
                             + (" with into_gradient=True" if into_gradient else ""))
        return ProximalSgd(learning_rate, alpha)
    if optimizer == "SGD":
        template = Sgd(learning_rate)
    elif optimizer == "momentum":
        template = SgdWithMomentum(learning_rate, MOMENTUM)
    else:
        template = Adam(learning_rate, MOMENTUM, ADAM_RHO)
    template.add_regularizer(make_regularizer(regularizer, alpha), into_gradient=into_gradient)
    return template


def build_network(regularizer="none", alpha=0.0, learning_rate=None, *, optimizer="SGD", into_gradient=False,
                  num_features=60, num_classes=2, hidden_units=HIDDEN_UNITS, seed=0):
    """FC(D, 32) → ReLU → FC(32, K) → SoftMax with the optimizer and regularizer asked for (He weights, zero biases).

    The weights are drawn from NumPy's global state seeded with ``seed`` (the caller's state is restored).
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    num_features, hidden_units = check_units("num_features", num_features), check_units("hidden_units", hidden_units)
    learning_rate = LEARNING_RATES[optimizer] if learning_rate is None else learning_rate
    template = make_optimizer(optimizer, learning_rate, regularizer, alpha, into_gradient=into_gradient)
    with seeded(seed):
        net = NeuralNetwork(template, He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        for layer in (FullyConnected(num_features, hidden_units), ReLU(), FullyConnected(hidden_units, num_classes),
                      SoftMax()):
            net.append_layer(layer)
    return net


# ------------------------------------------------------------------------------------------ one training


@dataclasses.dataclass(frozen=True)
class RegularizedRun:
    """What ``train_regularized`` returns (cached and shared: its arrays are read-only).

    Attributes
    ----------
    settings : dict
        The arguments it was trained with.
    initial_weights, weights : tuple of ndarray
        The ``weights`` of each FullyConnected layer before and after training, bias row last:
        (D + 1, H) and (H + 1, K).
    steps : ndarray, shape (E + 1,)
        The steps after which the net was evaluated: 0 (before training), then every ``steps_per_epoch``.
    train_accuracies, validation_accuracies, validation_losses, norms : ndarray, shape (E + 1,)
        At each of those steps (test phase): accuracies, the validation cross-entropy per sample, and ‖W‖₂ of
        all weights together, √(Σ over layers of Σ w²).
    unseen_norms : tuple of float
        (before, after) training: the norm of the part of the first layer's weights that no training input
        can see (orthogonal to every row [x, 1] of the training set); see ``unseen_part``.
    informative : int
        How many leading input features carry the class.
    """

    settings: dict
    initial_weights: tuple
    weights: tuple
    steps: np.ndarray
    train_accuracies: np.ndarray
    validation_accuracies: np.ndarray
    validation_losses: np.ndarray
    norms: np.ndarray
    unseen_norms: tuple
    informative: int = INFORMATIVE

    @property
    def train_accuracy(self):
        return float(self.train_accuracies[-1])

    @property
    def validation_accuracy(self):
        return float(self.validation_accuracies[-1])

    @property
    def validation_loss(self):
        """Cross-entropy per validation sample after training (ln 2 ≈ 0.69 for a net that says 50 : 50)."""
        return float(self.validation_losses[-1])

    @property
    def gap(self):
        """Train accuracy − validation accuracy: how much the net learned that does not generalise."""
        return self.train_accuracy - self.validation_accuracy

    def all_weights(self):
        """Every weight the regularizer acts on, as one flat array (a copy)."""
        return np.concatenate([array.ravel() for array in self.weights])

    def near_zero_fraction(self, threshold=THRESHOLD):
        """The fraction of weights with |w| <= ``threshold``."""
        values = self.all_weights()
        return float(np.count_nonzero(np.abs(values) <= threshold)) / values.size

    def exact_zero_fraction(self):
        """The fraction of weights that are exactly 0.0."""
        values = self.all_weights()
        return float(np.count_nonzero(values == 0.0)) / values.size

    def weight_norm(self):
        """‖W‖₂ of all weights together after training."""
        return float(np.sqrt(sum(np.sum(np.square(array)) for array in self.weights)))

    def initial_norm(self):
        """‖W‖₂ of all weights together before training."""
        return float(np.sqrt(sum(np.sum(np.square(array)) for array in self.initial_weights)))

    def feature_sizes(self):
        """Per input feature d, the mean |w| of its first-layer weights (row d, bias row excluded), shape (D,)."""
        return np.abs(self.weights[0][:-1]).mean(axis=1)

    def informative_ratio(self):
        """Mean |w| of the informative features' rows divided by that of the noise features' rows."""
        sizes = self.feature_sizes()
        return float(sizes[: self.informative].mean()) / float(sizes[self.informative:].mean())


def unseen_part(weights, train_inputs):
    """The part of first-layer ``weights`` (D + 1, H) that no training input sees: (I − X̃⁺X̃) W, X̃ = [X, 1].

    The data gradient of the first layer is X̃ᵀ δ: it lies in the span of the training rows [x, 1], so the
    part of W orthogonal to all of them gets no data gradient at all. With 30 samples and 61 rows that is
    at least 31 of the 61 directions of every hidden unit's input weights.
    """
    rows = np.hstack([train_inputs, np.ones((len(train_inputs), 1))])
    return weights - np.linalg.pinv(rows) @ (rows @ weights)


def _evaluation(net, layer):
    """(train accuracy, validation accuracy, validation loss per sample) in the test phase."""
    train_inputs, train_labels = layer.get_train_set()
    validation_inputs, validation_labels = layer.get_validation_set()
    _, train_accuracy = evaluate(net, train_inputs, train_labels)
    validation_loss, validation_accuracy = evaluate(net, validation_inputs, validation_labels)
    return train_accuracy, validation_accuracy, validation_loss


def _norm(net):
    return float(np.sqrt(sum(np.sum(np.square(layer.weights)) for layer in net.trainable_layers())))


def train_regularized(regularizer="L1", alpha=0.1, learning_rate=None, *, optimizer="SGD", into_gradient=False,
                      steps=STEPS, steps_per_epoch=STEPS_PER_EPOCH, seed=0, data=None, informative=INFORMATIVE):
    """Train the small MLP on ``overfitting_set`` with a regularizer; return the numbers and arrays the lesson shows.

    Parameters
    ----------
    regularizer : {"none", "L1", "L1 proximal", "L2"}
        "L1" is the exercise's subgradient rule; "L1 proximal" soft-thresholds (``ProximalSgd``, SGD only).
    alpha : float
        Strength α >= 0 (0 means no regularizer).
    learning_rate : float, optional
        η > 0; by default ``LEARNING_RATES[optimizer]``.
    optimizer : {"SGD", "momentum", "Adam"}
        Plain SGD, SGD with momentum 0.9, or Adam (β₁ 0.9, β₂ 0.999).
    into_gradient : bool
        False (the exercise's rule): shrink the weights outside the optimizer. True: add the regularizer's
        gradient to the data gradient before momentum or Adam's moments see it.
    steps, steps_per_epoch : int
        Full-batch updates in all, and between two evaluations.
    seed : int
        Seeds the data (``overfitting_set(rng=seed)``) and the initial weights.
    data : tuple, optional
        ``(train_inputs, train_labels, validation_inputs, validation_labels)`` to use instead.
    informative : int
        How many leading features carry the class (for ``RegularizedRun.informative_ratio``).

    Returns
    -------
    RegularizedRun

    Raises
    ------
    ValueError
        A bad setting or data set, or training that diverged (the message names the step).
    """
    steps, steps_per_epoch = check_steps(steps, steps_per_epoch)
    layer = overfitting_data_layer(seed, data)
    train_inputs, train_labels = layer.get_train_set()
    informative = check_size("informative", informative, train_inputs.shape[1])  # the leading features of the set
    net = build_network(regularizer, alpha, learning_rate, optimizer=optimizer, into_gradient=into_gradient,
                        num_features=train_inputs.shape[1], num_classes=train_labels.shape[1], seed=seed)
    net.data_layer = layer
    initial = tuple(np.array(each.weights) for each in net.trainable_layers())
    evaluations, norms = [_evaluation(net, layer)], [_norm(net)]
    with seeded(seed):
        for done in range(steps_per_epoch, steps + 1, steps_per_epoch):
            try:
                net.train(steps_per_epoch)
            except RuntimeError as error:  # divergence: the message names the iteration of this chunk
                raise ValueError(f"steps {done - steps_per_epoch + 1} to {done}: {error} "
                                 f"(learning rate {net.optimizer.learning_rate:g})") from error
            evaluations.append(_evaluation(net, layer))
            norms.append(_norm(net))
    weights = tuple(np.array(each.weights) for each in net.trainable_layers())
    train_accuracies, validation_accuracies, validation_losses = np.array(evaluations).T
    unseen = tuple(float(np.linalg.norm(unseen_part(w[0], train_inputs))) for w in (initial, weights))
    settings = {"regularizer": regularizer, "alpha": float(alpha), "learning_rate": net.optimizer.learning_rate,
                "optimizer": optimizer, "into_gradient": bool(into_gradient), "steps": steps, "seed": seed}
    return RegularizedRun(
        settings=settings, initial_weights=read_only(initial), weights=read_only(weights),
        steps=read_only(np.arange(0, steps + 1, steps_per_epoch)),
        train_accuracies=read_only(train_accuracies), validation_accuracies=read_only(validation_accuracies),
        validation_losses=read_only(validation_losses), norms=read_only(np.array(norms)), unseen_norms=unseen,
        informative=int(informative),
    )


# ------------------------------------------------------------------------------------------- over seeds


def train_over_seeds(regularizer, alpha, *, seeds=SEEDS, **options):
    """``train_regularized(regularizer, alpha, seed=s, **options)`` for every seed: a tuple of RegularizedRun."""
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed, got none")
    return tuple(train_regularized(regularizer, alpha, seed=seed, **options) for seed in seeds)


@dataclasses.dataclass(frozen=True)
class AlphaSweep:
    """Trainings over a grid of α for several curves (e.g. L1 and L2), each α over the same seeds.

    Attributes
    ----------
    alphas : dict {label: tuple of float}
        Per curve, its grid; α = 0 (no regularizer) first when it is on the grid.
    runs : dict {(label, alpha): tuple of RegularizedRun}
        One run per seed, in the order of ``seeds``.
    seeds : tuple of int
    settings : dict
        The optimizer, learning rate and steps all runs share.
    """

    alphas: dict
    runs: dict
    seeds: tuple
    settings: dict

    def values(self, label, measure="validation_loss"):
        """(alphas (A,), values (S, A)): ``measure`` (a RegularizedRun attribute or method) per seed and α."""
        grid = self.alphas[label]
        table = [[_measure(run, measure) for run in self.runs[(label, alpha)]] for alpha in grid]
        return np.array(grid), np.array(table).T

    def best_alpha(self, label, measure="validation_loss", lowest=True):
        """The α of ``label``'s grid with the best median ``measure`` over seeds (lowest loss by default)."""
        grid, values = self.values(label, measure)
        medians = np.median(values, axis=0)
        return float(grid[int(np.argmin(medians) if lowest else np.argmax(medians))])


def _measure(run, measure):
    value = getattr(run, measure)
    return float(value() if callable(value) else value)


def alpha_sweep(alphas=None, *, optimizer="SGD", seeds=SEEDS, steps=STEPS, learning_rate=None):
    """Train every α of every curve in ``alphas`` over ``seeds``; equal settings train once (α = 0 is shared).

    Parameters
    ----------
    alphas : dict {label: sequence of float}, optional
        Labels from ``SWEEP_LABELS`` ("L1", "L1 proximal", "L2", "decoupled", "into gradient"); by default
        ``REGULARIZER_ALPHAS`` (L1 and L2 under SGD).
    optimizer, steps, learning_rate
        As for ``train_regularized``, the same for every run.
    seeds : sequence of int

    Returns
    -------
    AlphaSweep
    """
    alphas = REGULARIZER_ALPHAS if alphas is None else alphas
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed, got none")
    trained, runs, grids = {}, {}, {}
    for label, grid in alphas.items():
        check_choice("sweep label", label, tuple(SWEEP_LABELS))
        grid = tuple(sorted(check_alpha(alpha) for alpha in grid))
        if not grid:
            raise ValueError(f"alphas[{label!r}] must hold at least one α, got none")
        regularizer, into_gradient = SWEEP_LABELS[label]
        for alpha in grid:
            key = ("none", 0.0, False) if alpha == 0 else (regularizer, alpha, into_gradient)
            if key not in trained:
                trained[key] = train_over_seeds(key[0], alpha, seeds=seeds, optimizer=optimizer,
                                                into_gradient=key[2], steps=steps, learning_rate=learning_rate)
            runs[(label, alpha)] = trained[key]
        grids[label] = grid
    first = next(iter(runs.values()))[0].settings
    settings = {"optimizer": optimizer, "learning_rate": first["learning_rate"], "steps": steps}
    return AlphaSweep(alphas=grids, runs=runs, seeds=seeds, settings=settings)


def compare_l2_rules(optimizer="Adam", alpha=1.0, *, seeds=SEEDS, steps=STEPS, data=None):
    """Train with L2 applied both ways an optimizer can apply it, over seeds.

    ``alpha`` is one strength for both rules, or a dict {rule: α} to give each rule its own.

    Returns
    -------
    dict {rule: tuple of RegularizedRun}
        ``"decoupled"``: the exercise's shrinkage w ← w − η α w outside the optimizer (decoupled weight
        decay); ``"into gradient"``: g ← g + α w before the optimizer's step. For each seed the same data,
        the same first weights, the same order of steps.
    """
    check_choice("optimizer", optimizer, OPTIMIZERS)
    strengths = alpha if isinstance(alpha, dict) else dict.fromkeys(RULES, alpha)
    return {rule: train_over_seeds("L2", strengths[rule], seeds=seeds, optimizer=optimizer,
                                   into_gradient=rule == "into gradient", steps=steps, data=data)
            for rule in RULES}


def largest_weight_difference(first, second):
    """max |w₁ − w₂| over all weights of two runs of the same network."""
    return float(max(np.max(np.abs(a - b)) for a, b in zip(first.weights, second.weights, strict=True)))


def relative_weight_difference(first, second):
    """max |w₁ − w₂| ÷ max |w₁|: how far apart two runs of the same network ended, relative to their size."""
    return largest_weight_difference(first, second) / float(np.max(np.abs(first.all_weights())))


# ------------------------------------------------------------------------ what the lesson states, over seeds


def per_seed(name, runs, value):
    """``SeedValues`` named ``name``: ``value(run)`` for each run of ``runs`` (one per seed)."""
    return SeedValues(tuple(run.settings["seed"] for run in runs), np.array([value(run) for run in runs]), name)


def paired(name, first, second, value):
    """``SeedValues`` of ``value(a, b)`` for the runs of ``first`` and ``second`` with the same seed."""
    seeds = tuple(run.settings["seed"] for run in first)
    if seeds != tuple(run.settings["seed"] for run in second):
        raise ValueError(f"{name}: the two sets of runs must have the same seeds, got {seeds} and "
                         f"{tuple(run.settings['seed'] for run in second)}")
    return SeedValues(seeds, np.array([value(a, b) for a, b in zip(first, second, strict=True)]), name)


def _label(runs):
    """"no regularization", "L1 (α = 0.1)", "proximal L1 (α = 0.1)", "L2 (α = 1)" for runs of one setting."""
    settings = runs[0].settings
    if settings["regularizer"] == "none" or settings["alpha"] == 0:
        return "no regularization"
    name = "proximal L1" if settings["regularizer"] == "L1 proximal" else settings["regularizer"]
    return f"{name} (α = {settings['alpha']:g})"


def _percent(fraction):
    return 100.0 * fraction


def overfitting_claims(none, l1, l2, threshold=THRESHOLD):
    """Section 3: the unregularized net fits the training set and not the validation set; L1 and L2 help.

    ``none``, ``l1``, ``l2``: runs over the same seeds. Returns the sentences; raises ``ClaimFailed``.
    """
    zero = f"share of weights with |w| ≤ {threshold:g}"
    return [
        per_seed("no regularization: train accuracy", none, lambda r: r.train_accuracy).holds(0.99, margin=0.0),
        per_seed("no regularization: train − validation accuracy", none, lambda r: r.gap).holds(0.1, margin=0.03),
        per_seed(f"no regularization: {zero}", none,
                 lambda r: _percent(r.near_zero_fraction(threshold))).holds(10, margin=2, above=False, unit=" %"),
        per_seed(f"{_label(l1)}: {zero}", l1,
                 lambda r: _percent(r.near_zero_fraction(threshold))).holds(75, margin=3, unit=" %"),
        paired(f"{_label(l2)}: ‖W‖₂ ÷ ‖W‖₂ without regularization", l2, none,
               lambda a, b: a.weight_norm() / b.weight_norm()).holds(0.3, margin=0.02, above=False),
        *(paired(f"{_label(runs)}: drop in validation loss per sample against no regularization", none, runs,
                 lambda a, b: a.validation_loss - b.validation_loss).holds(0.1, margin=0.03) for runs in (l1, l2)),
        *(paired(f"{_label(runs)}: gain in validation accuracy against no regularization", runs, none,
                 lambda a, b: a.validation_accuracy - b.validation_accuracy).holds(0.01, margin=0.005)
          for runs in (l1, l2)),
    ]


def equal_alpha_claims(none, l1, l2):
    """At the same α, L1 shrinks ‖W‖₂ far more than L2 (exercise 4): ``l1`` and ``l2`` at one α, over seeds."""
    def shrink(a, b):
        return a.weight_norm() / b.weight_norm()

    return [
        paired(f"{_label(l1)}: ‖W‖₂ ÷ ‖W‖₂ without regularization", l1, none, shrink).holds(0.5, margin=0.05,
                                                                                          above=False),
        paired(f"{_label(l2)}: ‖W‖₂ ÷ ‖W‖₂ without regularization", l2, none, shrink).holds(0.7, margin=0.03),
    ]


def _largest(run):
    return float(np.max(np.abs(run.all_weights())))


def _median_size(run):
    return float(np.median(np.abs(run.all_weights())))


def histogram_claims(none, l1, l2, threshold=THRESHOLD):
    """What the weight histograms show: L1 a spike at 0 and large weights left; L2 no narrower copy of the bell.

    A narrower copy would shrink the typical and the largest |w| by the same factor; L2 shrinks the typical
    weight far more than the largest ones.
    """
    return [
        paired(f"{_label(l1)}: largest |w| ÷ largest |w| without regularization", l1, none,
               lambda a, b: _largest(a) / _largest(b)).holds(0.9, margin=0.05),
        per_seed(f"{_label(l2)}: share of weights with |w| ≤ {threshold:g}", l2,
                 lambda r: _percent(r.near_zero_fraction(threshold))).holds(25, margin=3, unit=" %"),
        paired(f"share of weights with |w| ≤ {threshold:g}, {_label(l1)} minus {_label(l2)}, in percentage points",
               l1, l2, lambda a, b: _percent(a.near_zero_fraction(threshold) - b.near_zero_fraction(threshold))
               ).holds(30, margin=5),
        paired(f"{_label(l2)}: median |w| ÷ median |w| without regularization", l2, none,
               lambda a, b: _median_size(a) / _median_size(b)).holds(0.2, margin=0.03, above=False),
        paired(f"{_label(l2)}: largest |w| ÷ largest |w| without regularization", l2, none,
               lambda a, b: _largest(a) / _largest(b)).holds(0.3, margin=0.05),
    ]


def _he_mean_size(run):
    """E|w| of He's first-layer weights, N(0, σ²) with σ = √(2 / D): σ√(2/π)."""
    return np.sqrt(2.0 / (run.weights[0].shape[0] - 1)) * np.sqrt(2.0 / np.pi)


def initialisation_claims(none):
    """Without a regularizer most of the weights are still their random initial values."""
    return [
        per_seed("no regularization: ‖W‖₂ after training ÷ ‖W‖₂ at initialisation", none,
                 lambda r: r.weight_norm() / r.initial_norm()).holds(1.1, margin=0.02, above=False),
        per_seed("no regularization: first-layer change ‖W − W_init‖ ÷ ‖W_init‖", none,
                 lambda r: np.linalg.norm(r.weights[0] - r.initial_weights[0]) / np.linalg.norm(r.initial_weights[0])
                 ).holds(0.3, margin=0.03, above=False),
        per_seed("no regularization: noise features' mean |w| ÷ He's starting mean |w| σ√(2/π), its distance to 1",
                 none, lambda r: abs(r.feature_sizes()[r.informative:].mean() / _he_mean_size(r) - 1)
                 ).holds(0.1, margin=0.03, above=False),
        per_seed("share of the first layer's initial norm that no training input sees", none,
                 lambda r: r.unseen_norms[0] / np.linalg.norm(r.initial_weights[0])).holds(0.6, margin=0.05),
        per_seed("no regularization: relative change of that unseen part during training", none,
                 lambda r: abs(r.unseen_norms[1] / r.unseen_norms[0] - 1)).holds(1e-9, margin=0.0, above=False),
    ]


def shrink_contrast(regularized, plain):
    """How much less ``regularized`` shrank the informative features than the noise features, against ``plain``.

    (informative mean |w| regularized ÷ plain) ÷ (noise mean |w| regularized ÷ plain): 1 if every weight
    shrank by the same factor, larger when the weights the data support are kept more.
    """
    sizes, reference, split = regularized.feature_sizes(), plain.feature_sizes(), regularized.informative
    return (sizes[:split].mean() / reference[:split].mean()) / (sizes[split:].mean() / reference[split:].mean())


def ridge_claims(none, l2):
    """L2 shrinks the weights the data do not support far more than those they do."""
    settings = l2[0].settings
    if settings["optimizer"] != "SGD" or settings["regularizer"] != "L2":
        raise ValueError(f"ridge_claims needs L2 runs under plain SGD, got {settings}")
    decay = (1 - settings["learning_rate"] * settings["alpha"]) ** settings["steps"]
    label = _label(l2)
    return [
        per_seed(f"{label}: the unseen part shrinks by (1 − ηα)^{settings['steps']} = {decay:.4f}, relative error",
                 l2,
                 lambda r: abs(r.unseen_norms[1] / r.unseen_norms[0] / decay - 1)).holds(1e-6, margin=0.0, above=False),
        paired(f"{label}: shrink factor of the informative features' mean |w| ÷ that of the noise features'", l2,
               none, shrink_contrast).holds(1.5, margin=0.2),
        per_seed("no regularization: informative ÷ noise features' mean |w|", none,
                 lambda r: r.informative_ratio()).holds(1.5, margin=0.1, above=False),
        per_seed(f"{label}: informative ÷ noise features' mean |w|", l2,
                 lambda r: r.informative_ratio()).holds(2.0, margin=0.2),
    ]


def l1_step_claims(subgradient, proximal, threshold=THRESHOLD):
    """Subgradient L1 leaves weights near zero, never at it; the proximal step puts them at exactly zero."""
    return [
        per_seed(f"{_label(subgradient)}, the exercise's subgradient step: share of weights exactly 0", subgradient,
                 lambda r: _percent(r.exact_zero_fraction())).holds(1, margin=0.5, above=False, unit=" %"),
        per_seed(f"{_label(proximal)}: share of weights exactly 0", proximal,
                 lambda r: _percent(r.exact_zero_fraction())).holds(75, margin=3, unit=" %"),
        paired(f"difference between the two steps in the share of weights with |w| ≤ {threshold:g}, in "
               "percentage points,", proximal, subgradient,
               lambda a, b: abs(_percent(a.near_zero_fraction(threshold) - b.near_zero_fraction(threshold)))
               ).holds(2, margin=0.5, above=False),
    ]


def strong_l1_claims(runs, jittering, threshold=THRESHOLD):
    """Stronger L1: more weights near zero and the informative features stand out; until η·α passes the threshold.

    ``runs``: L1 at an α with η·α below ``threshold``; ``jittering``: L1 at an α with η·α above it, where
    each subgradient step carries a weight past what the lesson calls near zero.
    """
    step = jittering[0].settings["learning_rate"] * jittering[0].settings["alpha"]
    if step <= threshold:
        raise ValueError(f"jittering must have η·α > {threshold:g}, got {step:g}")
    return [
        per_seed(f"{_label(runs)}: share of weights with |w| ≤ {threshold:g}", runs,
                 lambda r: _percent(r.near_zero_fraction(threshold))).holds(90, margin=3, unit=" %"),
        per_seed(f"{_label(runs)}: informative ÷ noise features' mean |w|", runs,
                 lambda r: r.informative_ratio()).holds(4.0, margin=0.5),
        per_seed(f"{_label(jittering)}, η·α = {step:g}: share of weights with |w| ≤ {threshold:g}", jittering,
                 lambda r: _percent(r.near_zero_fraction(threshold))).holds(60, margin=3, above=False, unit=" %"),
    ]


def u_curve_values(sweep, label, measure="validation_loss"):
    """``SeedValues``: per seed, how far the best α's ``measure`` lies below both ends of ``label``'s grid.

    The best α is one α for all seeds (lowest median), as a lecturer would choose it on validation data;
    the value of a seed is min(value at the smallest α, value at the largest α) − value at the best α.
    """
    alphas, values = sweep.values(label, measure)
    best = int(np.flatnonzero(alphas == sweep.best_alpha(label, measure))[0])
    margins = np.minimum(values[:, 0], values[:, -1]) - values[:, best]
    name = (f"{label}: how far the best α's validation loss lies below both ends of the grid (α = {alphas[0]:g} "
            f"and α = {alphas[-1]:g})")
    return SeedValues(sweep.seeds, margins, name)


def u_curve_claims(sweep):
    """Too little and too much regularization both lose: the best α beats both ends of every curve."""
    return [u_curve_values(sweep, label).holds(0.1, margin=0.05) for label in sweep.alphas]


def over_regularization_claims(sweep):
    """How the right ends of the lesson's sweep fail: L2 says 50 : 50, subgradient L1 guesses."""
    l2_end, l1_end = (sweep.runs[(label, sweep.alphas[label][-1])] for label in ("L2", "L1"))
    return [
        per_seed(f"{_label(l2_end)}: validation loss per sample, its distance to ln 2", l2_end,
                 lambda r: abs(r.validation_loss - np.log(2))).holds(0.03, margin=0.01, above=False),
        per_seed(f"{_label(l1_end)}: validation accuracy", l1_end,
                 lambda r: r.validation_accuracy).holds(0.6, margin=0.03, above=False),
    ]


def rules_claims(sgd, momentum, momentum_ten_times):
    """Where the L2 term enters: identical under SGD; under momentum the gradient form acts ten times stronger.

    ``sgd``, ``momentum``: ``compare_l2_rules`` results (the same α for both rules); ``momentum_ten_times``:
    decoupled L2 runs under momentum with ten times that α, the same seeds.
    """
    return [
        paired("plain SGD: largest weight difference between the rules ÷ largest weight", sgd["decoupled"],
               sgd["into gradient"], relative_weight_difference).holds(1e-9, margin=0.0, above=False),
        paired("momentum 0.9, the same α: ‖W‖₂ with L2 in the gradient ÷ ‖W‖₂ decoupled", momentum["into gradient"],
               momentum["decoupled"], lambda a, b: a.weight_norm() / b.weight_norm()).holds(0.5, margin=0.05,
                                                                                             above=False),
        paired("momentum 0.9: decoupled with 10 α against L2 in the gradient with α, relative ‖W‖₂ difference",
               momentum_ten_times, momentum["into gradient"],
               lambda a, b: abs(a.weight_norm() / b.weight_norm() - 1)).holds(0.05, margin=0.01, above=False),
    ]


def adam_rules_claims(sweep):
    """Under Adam, each L2 rule at its own best α (lowest median validation loss of its grid)."""
    best = {rule: sweep.runs[(rule, sweep.best_alpha(rule))] for rule in RULES}
    none = sweep.runs[(RULES[0], 0.0)]
    # Decoupled decay under Adam keeps the noise features about as large as the informative ones at every α of
    # its grid; that is the reason its best α does less good than the gradient form's.
    decoupled_alphas = [alpha for alpha in sweep.alphas["decoupled"] if alpha > 0]
    return [
        paired("Adam, the same α = 1: ‖W‖₂ with L2 in the gradient ÷ ‖W‖₂ decoupled",
               sweep.runs[("into gradient", 1.0)], sweep.runs[("decoupled", 1.0)],
               lambda a, b: a.weight_norm() / b.weight_norm()).holds(0.6, margin=0.05, above=False),
        *(paired(f"Adam, L2 {RULE_LABELS[rule]} at its best α: drop in validation loss against no regularization",
                 none, best[rule], lambda a, b: a.validation_loss - b.validation_loss).holds(0.05, margin=0.02)
          for rule in RULES),
        paired("Adam, each rule at its best α: validation loss decoupled minus validation loss with L2 in the gradient",
               best["decoupled"], best["into gradient"],
               lambda a, b: a.validation_loss - b.validation_loss).holds(0.05, margin=0.02),
        per_seed("Adam, decoupled at every α > 0 of its grid: informative ÷ noise features' mean |w|, the largest",
                 none, lambda r: max(sweep.runs[("decoupled", alpha)][sweep.seeds.index(r.settings["seed"])]
                                     .informative_ratio() for alpha in decoupled_alphas)
                 ).holds(1.6, margin=0.1, above=False),
        per_seed("Adam, L2 in the gradient at its best α: informative ÷ noise features' mean |w|",
                 best["into gradient"], lambda r: r.informative_ratio()).holds(2.0, margin=0.2),
    ]


def seed_summary(runs_by_label, threshold=THRESHOLD):
    """Lines "L1 (α = 0.1): validation accuracy median … (range …)": the raw numbers, for uncompared output."""
    measures = {
        "train accuracy": lambda r: r.train_accuracy,
        "validation accuracy": lambda r: r.validation_accuracy,
        "validation loss": lambda r: r.validation_loss,
        f"near zero (|w| ≤ {threshold:g})": lambda r: r.near_zero_fraction(threshold),
        "exactly zero": lambda r: r.exact_zero_fraction(),
        "‖W‖₂": lambda r: r.weight_norm(),
        "informative/noise": lambda r: r.informative_ratio(),
    }
    return [f"{_label(runs)}: {name} {per_seed(name, runs, measure).describe()}"
            for runs in runs_by_label.values() for name, measure in measures.items()]


# ---------------------------------------------------------------------------- the dashboards' findings


def _span(values, form="{:.2f}"):
    """"0.83–0.86" (the smallest to the largest seed), or one number when they agree to the digits shown."""
    low, high = form.format(min(values)), form.format(max(values))
    return low if low == high else f"{low}–{high}"


def regularizer_finding(runs, baseline, threshold=THRESHOLD):
    """The sentence a dashboard's title states for ``runs`` against ``baseline`` (no regularization), same seeds.

    Every number is the range over the seeds shown, so the sentence holds for each of them.
    """
    settings, n = runs[0].settings, len(runs)
    losses_below = sum(run.validation_loss < plain.validation_loss
                       for run, plain in zip(runs, baseline, strict=True))
    loss_text = f"\nvalidation loss lower than without regularization in {losses_below} of {n} seeds"
    if settings["regularizer"] == "none" or settings["alpha"] == 0:
        return (f"No regularization ({n} seeds): train accuracy {_span([r.train_accuracy for r in runs])}, "
                f"validation {_span([r.validation_accuracy for r in runs])}:\nit fits the training set only")
    label = _label(runs)
    if settings["regularizer"] == "L2":
        ratios = _span([r.informative_ratio() for r in runs], "{:.1f}")
        plain = _span([r.informative_ratio() for r in baseline], "{:.1f}")
        return (f"{label}, {n} seeds: informative features' weights {ratios}× the noise features' "
                f"(none: {plain}×);{loss_text}")
    near = _span([r.near_zero_fraction(threshold) for r in runs], "{:.0%}")
    exact = _span([r.exact_zero_fraction() for r in runs], "{:.0%}")
    text = f"{label}, {n} seeds: {near} near zero, {exact} exactly zero"
    step = settings["learning_rate"] * settings["alpha"]
    if settings["regularizer"] == "L1" and step > threshold:
        text += f"; η·α = {step:g} > {threshold:g} overshoots zero"
    return f"{text};{loss_text}"  # two lines that fit the figure's width


def rules_finding(runs):
    """The sentence the L2-rules dashboard states: {"decoupled", "into gradient", "none": tuple of runs}."""
    decoupled, coupled = runs["decoupled"], runs["into gradient"]
    first, n = decoupled[0].settings, len(decoupled)
    alphas = {rule: runs[rule][0].settings["alpha"] for rule in RULES}
    if first["optimizer"] == "SGD" and alphas["decoupled"] == alphas["into gradient"]:
        worst = max(relative_weight_difference(a, b) for a, b in zip(decoupled, coupled, strict=True))
        return (f"Plain SGD, the same α: both rules give the same weights in all {n} seeds\n"
                f"(largest difference {worst:.0e} of the largest weight: rounding)")
    what = {"SGD": "Plain SGD", "momentum": f"Momentum {MOMENTUM:g}", "Adam": "Adam"}[first["optimizer"]]
    lower = sum(a.validation_loss < b.validation_loss for a, b in zip(coupled, decoupled, strict=True))
    return (f"{what}, decoupled α = {alphas['decoupled']:g}, in the gradient α = {alphas['into gradient']:g}: "
            f"‖W‖₂ {_span([r.weight_norm() for r in decoupled])} against {_span([r.weight_norm() for r in coupled])};"
            f"\nL2 in the gradient has the lower validation loss in {lower} of {n} seeds")
