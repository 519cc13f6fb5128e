"""Lesson 00, "the framework in ten minutes": a decision-boundary explorer on the 2-D toy sets.

A small MLP with dropout learns one of four 2-D problems (two moons, spirals, XOR, concentric circles).
The picture (``rnnreg.viz.plot_decision_boundary``) colours the plane by the class the network predicts
and draws the line where it is undecided, with the test points on top and the training points in grey.

The work is split in two so that the phase toggle answers at once:

- ``train_boundary_classifier`` (expensive, cached by its hyper-parameters with ``functools.lru_cache``)
  builds, seeds and trains the network and returns its weights as read-only arrays;
- ``make_predict`` and ``boundary_view`` (cheap) rebuild a network from those weights and evaluate it in
  the chosen phase. They never train, so switching "phase: train | test" never retrains.

In the train phase Dropout draws a fresh mask for every point (from a seeded generator, so the picture is
the same every time): the boundary frays. In the test phase Dropout is the identity and the boundary is
one clean line.
"""

import dataclasses
import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnnreg import Adam, Constant, CrossEntropyLoss, Dropout, FullyConnected, He, NeuralNetwork, ReLU, SoftMax
from rnnreg.data import ArrayDataLayer, concentric_circles, spirals, two_moons, xor
from rnnreg.lessons.experiment import check_choice, check_positive_int, read_only, seeded
from rnnreg.training import accuracy, fit
from rnnreg.viz import plot_decision_boundary, plot_train_validation
from rnnreg.viz._common import use_log_scale
from rnnreg.viz.style import DPI
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard, animate, limits_and_labels, round_limits

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
NEUTRAL_GREY = "#6E6E6E"


def make_dataset(name, num_samples=NUM_SAMPLES, seed=0):
    """``(points (N, 2), labels (N,))`` of the 2-D problem ``name`` (a key of ``DATASETS``), seeded."""
    generator, options = DATASETS[check_choice("data set", name, DATASETS)]
    return generator(num_samples, rng=np.random.default_rng(seed), **options)


def build_boundary_network(hidden_units, dropout_rate, learning_rate, *, seed=0, dropout_rng=None):
    """The explorer's MLP: FC(2, H) → ReLU → FC(H, H) → ReLU → Dropout → FC(H, 2) → SoftMax, with Adam(η).

    The weights are He-initialized from NumPy's global state seeded with ``seed`` (restored afterwards).
    ``dropout_rate`` is the fraction of hidden units dropped; Dropout gets the keep probability 1 − rate.
    """
    check_positive_int("hidden units", hidden_units)
    with seeded(seed):
        net = NeuralNetwork(Adam(learning_rate, 0.9, 0.999), He(), Constant(0.0))
        net.loss_layer = CrossEntropyLoss()
        for layer in (
            FullyConnected(2, hidden_units), ReLU(), FullyConnected(hidden_units, hidden_units), ReLU(),
            Dropout(ctl.keep_probability(dropout_rate), rng=dropout_rng), FullyConnected(hidden_units, 2), SoftMax(),
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
    masks) comes from ``seed``, so the same arguments always give bit-identical weights.

    Returns
    -------
    TrainedClassifier

    Raises
    ------
    ValueError
        An unknown data set, a learning rate that is not a positive finite number, a dropout rate outside
        [0, 1), too few samples, or training that diverged (the message says which).
    """
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
    """Class probabilities (N, 2) of ``net`` for ``inputs`` in ``phase`` ("train": dropout on; "test": off)."""
    if phase not in PHASES:
        raise ValueError(f"phase must be 'train' or 'test', got {phase!r}")
    if phase == "test":
        return net.test(inputs)
    net.phase = "train"
    output = inputs
    for layer in net.layers:  # a forward pass only: nothing is learned here
        output = layer.forward(output)
    return output


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


def boundary_view(trained, phase="test", *, seed=0):
    """Accuracy of the trained net on both splits in ``phase`` (cheap: no training).

    Returns
    -------
    dict
        ``phase``, ``train_accuracy`` and ``test_accuracy`` (fractions correct).
    """
    predict = make_predict(trained, phase, seed=seed)
    one_hot = np.eye(2)[trained.labels]
    view = {"phase": phase}
    for split, indices in (("train", trained.train_indices), ("test", trained.test_indices)):
        view[f"{split}_accuracy"] = accuracy(predict(trained.points[indices]), one_hot[indices])
    return view


def finding(settings, view):
    """The sentence the figure's title states, from computed numbers."""
    if settings["dropout_rate"] == 0:
        what = "No dropout: both phases draw the same boundary"
    elif view["phase"] == "train":
        what = "Train phase: dropout on, the boundary frays"
    else:
        what = "Test phase: dropout off, one clean boundary"
    return f"{what}; test accuracy {view['test_accuracy']:.2f}"


def boundary_plane(num_samples=NUM_SAMPLES, seed=0, margin=0.3):
    """One plane for every data set: all their points plus ``margin``, rounded out to halves (for ``limits``)."""
    points = np.concatenate([make_dataset(name, num_samples, seed)[0] for name in DATASETS])
    low, high = np.floor((points.min(axis=0) - margin) * 2) / 2, np.ceil((points.max(axis=0) + margin) * 2) / 2
    return tuple(zip(low.tolist(), high.tolist(), strict=True))


def draw_boundary(ax, trained, phase="test", *, resolution=100, seed=0, limits=None):
    """The decision boundary in ``phase`` with the test points (``plot_decision_boundary``), train points faint."""
    test = trained.test_indices
    plot_decision_boundary(
        make_predict(trained, phase, seed=seed), trained.points[test], trained.labels[test], ax=ax,
        resolution=resolution, margin=0.3, limits=limits,
    )
    train = trained.train_indices
    ax.scatter(
        trained.points[train, 0], trained.points[train, 1], s=12, color=NEUTRAL_GREY, alpha=0.5, zorder=2,
        label="train points",
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="test points")


class DecisionBoundaryDashboard(Dashboard):
    """Pick a 2-D problem, the learning rate, the width and the dropout rate; flip the phase.

    Changing the data set, the learning rate, the width or the dropout rate retrains (a fraction of a
    second; results are cached, so going back is instant). The phase only re-evaluates the trained net.
    """

    title = "Decision boundaries: the data, the width, the learning rate and the phase switch"

    def __init__(self, *, seed=0, num_samples=NUM_SAMPLES, epochs=EPOCHS, resolution=100):
        self.seed, self.num_samples, self.epochs, self.resolution = seed, num_samples, epochs, resolution
        super().__init__()

    def build_controls(self):
        return {
            "dataset": ctl.choice_buttons("data set", list(DATASETS), "two moons"),
            "learning_rate": ctl.learning_rate_slider(1e-2, -4, 0, description="learning rate η"),
            "hidden_units": widgets.SelectionSlider(
                options=list(HIDDEN_UNITS), value=16, description="hidden units per layer",
                continuous_update=False, style=ctl.STYLE, layout=ctl.LAYOUT,
            ),
            "dropout_rate": ctl.dropout_rate_slider(0.2, maximum=0.8),
            "phase": ctl.phase_buttons("test"),
        }

    def build_axes(self):
        # Fixed margins: constrained layout measures every label on every draw and about doubles each PNG.
        figure = Figure(figsize=(10.5, 4.8), dpi=DPI)
        axes = figure.subplots(1, 2, width_ratios=[1.2, 1.0])
        figure.subplots_adjust(left=0.08, right=0.985, bottom=0.13, top=0.85, wspace=0.72)
        return figure, axes

    def compute(self, params):
        trained = train_boundary_classifier(
            params["dataset"], params["learning_rate"], params["hidden_units"], params["dropout_rate"],
            seed=self.seed, num_samples=self.num_samples, epochs=self.epochs,
        )
        view = boundary_view(trained, params["phase"], seed=self.seed)
        # One plane for all data sets: their pictures compare, and a new data set keeps the background.
        return {"trained": trained, "view": view, "plane": boundary_plane(self.num_samples, self.seed)}

    def render(self, data):
        trained, view = data["trained"], data["view"]
        boundary_axes, loss_axes = self.axes
        draw_boundary(boundary_axes, trained, view["phase"], resolution=self.resolution, seed=self.seed,
                      limits=data["plane"])
        loss = np.asarray(trained.history.epochs["train_loss"], dtype=float)
        line = loss_axes.lines[0] if len(loss_axes.lines) == 1 else None
        scale = "log" if use_log_scale(loss) else "linear"  # as plot_train_validation chooses
        if line is not None and len(line.get_xdata()) == loss.size and loss_axes.get_yscale() == scale:
            line.set_ydata(loss)  # the same curve with new values: no clearing
        else:
            plot_train_validation(trained.history, "loss", ax=loss_axes)
        loss_axes.set_title(f"training loss per epoch (final {loss[-1]:.3f})")
        if loss_axes.get_yscale() == "linear":  # 0 to 1 holds most settings: the loss starts near ln 2 = 0.69
            loss_axes.set_ylim(0, max(1.0, round_limits(loss)[1]))
        else:
            loss_axes.set_ylim(*round_limits(loss, log=True))
        self.set_finding(finding(trained.settings, view))
        # Fixed title and axis-label positions: placing them automatically measures every tick label on
        # every draw, a large part of the time each picture takes.
        for ax, label_x in ((boundary_axes, -0.13), (loss_axes, -0.17)):
            ax.set_title(ax.get_title(), y=1.0, pad=8)
            ax.xaxis.set_label_coords(0.5, -0.1)
            ax.yaxis.set_label_coords(label_x, 0.5)
        # The legend of the points, beside the plane, stays in the background: every data set has the same
        # two classes.
        animate(*boundary_axes.images, *boundary_axes.collections, boundary_axes.title, *loss_axes.lines,
                loss_axes.title, loss_axes.get_legend())

    def static_key(self, data):
        legend = self.axes[0].get_legend()
        return limits_and_labels(*self.axes), tuple(text.get_text() for text in legend.get_texts())

    def summary(self, data):
        settings, view = data["trained"].settings, data["view"]
        return (
            f"{settings['dataset']}, {settings['hidden_units']} hidden units, η = {settings['learning_rate']:.0e}, "
            f"dropout rate {settings['dropout_rate']:.2f}, phase {view['phase']}: "
            f"train accuracy {view['train_accuracy']:.3f}, test accuracy {view['test_accuracy']:.3f} "
            f"({data['trained'].history.num_steps} training steps)"
        )
