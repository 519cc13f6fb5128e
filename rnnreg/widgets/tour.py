"""Lesson 00, "the framework in ten minutes": the decision-boundary explorer's controls and picture.

The experiment lives in ``rnnreg.lessons.tour``: ``train_boundary_classifier`` (cached) trains the small
MLP with dropout on one of four 2-D problems, and ``boundary_view`` evaluates the trained net in the chosen
phase without training, so switching "phase: train | test" never retrains. This module adds the controls
and draws with ``rnnreg.viz``: the plane coloured by the predicted class with the test points on top and the
training points in grey (``plot_decision_boundary``), and the training loss per epoch
(``plot_train_validation``).
"""

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnreg.lessons.tour import (
    DATASETS,
    EPOCHS,
    HIDDEN_UNITS,
    NUM_SAMPLES,
    boundary_plane,
    boundary_view,
    finding,
    make_predict,
    train_boundary_classifier,
)
from rnnreg.viz import plot_decision_boundary, plot_train_validation
from rnnreg.viz.style import DPI
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.dashboard import Dashboard, round_limits


def draw_boundary(ax, trained, phase="test", *, resolution=100, seed=0, limits=None):
    """The decision boundary in ``phase`` with the test points, the training points faint (one viz call)."""
    test, train = trained.test_indices, trained.train_indices
    plot_decision_boundary(
        make_predict(trained, phase, seed=seed), trained.points[test], trained.labels[test], ax=ax,
        resolution=resolution, margin=0.3, limits=limits, faint_points=trained.points[train],
        faint_label="train points", legend_title="test points",
    )


def draw_loss(ax, history):
    """The training and test loss per epoch (``plot_train_validation``) on fixed limits: settings compare."""
    losses = [value for value in history.epochs["train_loss"] + history.epochs["validation_loss"] if value is not None]
    final = history.epochs["train_loss"][-1]
    plot_train_validation(history, "loss", ax=ax, title=f"training loss per epoch (final {final:.2g})")
    if ax.get_yscale() == "linear":  # 0 to 1 holds most settings: the loss starts near ln 2 = 0.69
        ax.set_ylim(0, max(1.0, round_limits(losses)[1]))
    else:
        ax.set_ylim(*round_limits(losses, log=True))


class DecisionBoundaryDashboard(Dashboard):
    """Pick a 2-D problem, the learning rate, the width and the dropout rate; flip the phase.

    Changing the data set, the learning rate, the width or the dropout rate retrains (a fraction of a
    second; results are cached, so going back is instant). The phase only re-evaluates the trained net.
    """

    title = "Decision boundaries: the data, the width, the learning rate and the phase switch"

    def __init__(self, *, seed=0, num_samples=NUM_SAMPLES, epochs=EPOCHS, resolution=100, presenter=False):
        self.seed, self.num_samples, self.epochs, self.resolution = seed, num_samples, epochs, resolution
        super().__init__(presenter=presenter)

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
        # One plane for all data sets: their pictures compare.
        plane = boundary_plane(self.num_samples, self.seed)
        view = boundary_view(trained, params["phase"], seed=self.seed, limits=plane)
        return {"trained": trained, "view": view, "plane": plane}

    def render(self, data):
        trained, view = data["trained"], data["view"]
        boundary_axes, loss_axes = self.axes
        draw_boundary(boundary_axes, trained, view["phase"], resolution=self.resolution, seed=self.seed,
                      limits=data["plane"])
        draw_loss(loss_axes, trained.history)
        self.set_finding(finding(trained.settings, view))
        # Fixed title and axis-label positions: placing them automatically measures every tick label on
        # every draw, a large part of the time each picture takes; no minor ticks on a log loss axis (dozens
        # of tick objects to build for every picture).
        loss_axes.minorticks_off()
        for ax, label_x in ((boundary_axes, -0.13), (loss_axes, -0.17)):
            ax.set_title(ax.get_title(), y=1.0, pad=8)
            ax.xaxis.set_label_coords(0.5, -0.1)
            ax.yaxis.set_label_coords(label_x, 0.5)

    def summary(self, data):
        settings, view = data["trained"].settings, data["view"]
        return (
            f"{settings['dataset']}, {settings['hidden_units']} hidden units, η = {settings['learning_rate']:.0e}, "
            f"dropout rate {settings['dropout_rate']:.2f}, phase {view['phase']}: "
            f"train accuracy {view['train_accuracy']:.3f}, test accuracy {view['test_accuracy']:.3f} "
            f"({data['trained'].history.num_steps} training steps)"
        )
