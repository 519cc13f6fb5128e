"""Lesson 01's dashboards driven without a browser: controls set, the computed data checked, a picture drawn."""

import functools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with

from rnnreg.data import overfitting_set
from rnnreg.lessons import regularizers as lesson
from rnnreg.widgets import regularizers
from rnnreg.widgets.regularizers import L2RulesDashboard, RegularizerDashboard

SEEDS = (0, 1)  # two seeds keep each setting quick; the bands and ranges need more than one


@functools.cache
def _cached(regularizer, alpha, options):
    return lesson.train_over_seeds(regularizer, alpha, **dict(options))


def shared_training(regularizer, alpha, **options):
    """``train_over_seeds`` shared by every dashboard of this file (each setting trains once)."""
    if options.get("data") is not None:
        return lesson.train_over_seeds(regularizer, alpha, **options)
    options.pop("data", None)
    return _cached(regularizer, alpha, tuple(sorted(options.items())))


@pytest.fixture(autouse=True)
def _share_trainings(monkeypatch):
    monkeypatch.setattr(regularizers, "train_over_seeds", shared_training)


@pytest.fixture(scope="module")
def dashboard():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(regularizers, "train_over_seeds", shared_training)
        yield RegularizerDashboard(seeds=SEEDS)


def png(board):
    return bytes(board.image.value)


def title(board):
    return board.figure._suptitle.get_text()


# ------------------------------------------------------------------------------------- the regularizer


def test_the_default_picture_is_l1_over_every_seed(dashboard):
    dashboard.set(regularizer="L1", alpha=0.1, learning_rate=0.02)
    assert dashboard.last_error is None and png(dashboard).startswith(b"\x89PNG")
    runs, baseline = dashboard.last_data["runs"], dashboard.last_data["baseline"]
    assert [run.settings["seed"] for run in runs] == list(SEEDS)
    assert runs[0].settings["regularizer"] == "L1" and baseline[0].settings["regularizer"] == "none"
    assert title(dashboard).startswith("L1 (α = 0.1), 2 seeds:")
    assert "near zero, 0% exactly zero" in title(dashboard) and "|w| ≤ 0.01" in dashboard.status.value
    assert "medians of 2 seeds" in dashboard.status.value
    assert len(dashboard.figure.axes) == 3


def test_every_control_changes_the_data_and_the_picture_and_settings_are_trained_once(dashboard):
    dashboard.set(regularizer="L1", alpha=0.1, learning_rate=0.02)
    pictures = {png(dashboard)}
    dashboard.controls["regularizer"].value = "L2"
    assert dashboard.last_data["runs"][0].settings["regularizer"] == "L2"
    assert "informative features' weights" in title(dashboard)
    pictures.add(png(dashboard))
    dashboard.controls["alpha"].value = 1.0
    assert dashboard.last_data["runs"][0].weight_norm() < dashboard.last_data["baseline"][0].weight_norm()
    pictures.add(png(dashboard))
    dashboard.controls["regularizer"].value = "L1 proximal"
    assert all(run.exact_zero_fraction() > 0.5 for run in dashboard.last_data["runs"])
    assert "exactly zero" in title(dashboard)
    pictures.add(png(dashboard))
    dashboard.controls["regularizer"].value = "none"
    assert dashboard.last_data["runs"] is dashboard.last_data["baseline"]  # "none" trains nothing new
    assert title(dashboard).startswith("No regularization (2 seeds)")
    pictures.add(png(dashboard))
    dashboard.controls["learning_rate"].value = 10**-2.5
    assert dashboard.last_data["runs"][0].settings["learning_rate"] == pytest.approx(10**-2.5)
    pictures.add(png(dashboard))
    assert len(pictures) == 6
    trained = dashboard.trainings
    dashboard.set(regularizer="L2", alpha=1.0, learning_rate=0.02)  # seen before: nothing is retrained
    assert dashboard.trainings == trained


def test_the_feature_picture_shows_absolute_sizes_so_strong_subgradient_l1_looks_tiny(dashboard):
    dashboard.set(regularizer="L1", alpha=1.0, learning_rate=0.02)
    features = dashboard.axes["features"]
    assert features.get_yscale() == "log" and features.get_ylim() == pytest.approx(regularizers.FEATURE_LIMITS)
    sizes = np.array([run.feature_sizes() for run in dashboard.last_data["runs"]])
    assert np.all(sizes < 0.2)  # every weight is small: not blown up by a division by the layer average
    assert "η·α = 0.02 > 0.01" in title(dashboard)  # and the title says why the near-zero count means little


def test_bad_settings_show_a_message_and_keep_the_picture(dashboard):
    dashboard.set(regularizer="L1", alpha=0.1, learning_rate=0.02)
    picture = png(dashboard)
    refresh_with(dashboard, {"regularizer": "L1", "alpha": 0.1, "learning_rate": float("nan")})
    assert "learning rate must be a finite number, got nan" in dashboard.status.value
    refresh_with(dashboard, {"regularizer": "L3", "alpha": 0.1, "learning_rate": 0.02})
    assert "regularizer must be one of" in dashboard.status.value
    refresh_with(dashboard, {"regularizer": "L2", "alpha": -1.0, "learning_rate": 0.02})
    assert "strength α must be non-negative" in dashboard.status.value
    assert png(dashboard) == picture


def test_an_empty_data_set_shows_a_message():
    train_x, train_y, validation_x, validation_y = overfitting_set(rng=0)
    board = RegularizerDashboard(seeds=(0,), data=(train_x[:0], train_y[:0], validation_x, validation_y))
    assert "training set is empty" in board.status.value
    assert isinstance(board.last_error, ValueError)


def test_a_sweep_handed_over_is_not_trained_again():
    sweep = lesson.alpha_sweep({"L1": (0.0, 0.1), "L2": (1.0,)}, seeds=SEEDS)
    board = RegularizerDashboard(seeds=SEEDS, sweep=sweep)
    assert board.trainings == 0 and board.last_data["runs"] is sweep.runs[("L1", 0.1)]
    board.set(regularizer="L2", alpha=1.0)
    assert board.trainings == 0
    board.set(alpha=0.3)
    assert board.trainings == 1


# ---------------------------------------------------------------------------------------- the L2 rules


def test_l2_rules_each_rule_its_own_alpha_under_every_optimizer():
    board = L2RulesDashboard(seeds=SEEDS)
    assert board.last_error is None and title(board).startswith("Adam, decoupled α = 1, in the gradient α = 1")
    board.controls["optimizer"].value = "SGD"
    assert title(board).startswith("Plain SGD, the same α: both rules give the same weights in all 2 seeds")
    board.controls["alpha_decoupled"].value = 10.0
    assert board.last_data["decoupled"][0].settings["alpha"] == 10.0
    assert board.last_data["into gradient"][0].settings["alpha"] == 1.0
    assert title(board).startswith("Plain SGD, decoupled α = 10, in the gradient α = 1")
    board.set(optimizer="momentum", alpha_decoupled=10.0, alpha_gradient=1.0)
    decoupled, coupled = board.last_data["decoupled"], board.last_data["into gradient"]
    for ten, one in zip(decoupled, coupled, strict=True):  # ten times the strength decoupled ≈ the gradient form
        assert ten.weight_norm() == pytest.approx(one.weight_norm(), rel=0.05)
    norm_ax, loss_ax = board.axes
    assert len(norm_ax.lines) == 3 and len(loss_ax.lines) == 3
    assert "validation loss" in board.status.value
    assert png(board).startswith(b"\x89PNG")


def test_l2_rules_preloaded_from_a_sweep_and_bad_settings_shown():
    sweep = lesson.alpha_sweep({"decoupled": (0.0, 1.0), "into gradient": (1.0,)}, optimizer="Adam", seeds=SEEDS)
    board = L2RulesDashboard(seeds=SEEDS, sweep=sweep)
    assert board.trainings == 0
    assert board.last_data["into gradient"] is sweep.runs[("into gradient", 1.0)]
    refresh_with(board, {"optimizer": "RMSprop", "alpha_decoupled": 1.0, "alpha_gradient": 1.0})
    assert "optimizer must be one of" in board.status.value
    refresh_with(board, {"optimizer": "SGD", "alpha_decoupled": float("inf"), "alpha_gradient": 1.0})
    assert "strength α" in board.status.value


# --------------------------------------------------------------------------- the pictures they draw with


def test_alpha_curves_put_off_left_of_the_grid_and_star_the_best_median():
    from rnnreg.viz import plot_alpha_curves

    losses = np.array([[0.8, 0.4, 0.6], [0.7, 0.5, 0.9]])
    figure = plot_alpha_curves({"L2": ([0.0, 1.0, 10.0], losses), "L1": ([0.0, 0.1, 1.0], losses)},
                               reference=(np.log(2), "ln 2"))
    ax = figure.axes[0]
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels[0] == "off" and labels[1:] == ["0.1", "1", "10"]  # one "off" for both grids, a decade left
    assert ax.get_xticks()[0] == pytest.approx(0.01)
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert [tuple(star.get_xydata()[0]) for star in stars] == [(1.0, 0.45), (0.1, 0.45)]
    assert "best median: L2 at α = 1, L1 at α = 0.1" in ax.get_title()
    with pytest.raises(ValueError, match="one column per x value"):
        plot_alpha_curves({"L1": ([0.0, 1.0], losses)})
    with pytest.raises(ValueError, match="increasing"):
        plot_alpha_curves({"L1": ([1.0, 0.0, 3.0], losses)})
    with pytest.raises(ValueError, match="at least one α > 0"):
        plot_alpha_curves({"L1": ([0.0], losses[:, :1])})
    with pytest.raises(TypeError, match="pair"):
        plot_alpha_curves({"L1": losses})


def test_feature_sizes_draw_absolute_sizes_and_mark_zeros_on_the_bottom_edge():
    from rnnreg.viz import plot_feature_sizes

    sizes = np.array([[0.5, 0.0, 0.02], [0.4, 0.0, 0.03]])
    ax = plot_feature_sizes(sizes, reference=np.full((2, 3), 0.15), informative=1, label="L1").axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylim() == pytest.approx((1e-3, 1.0))
    zeros = [line for line in ax.lines if line.get_marker() == "v"]
    assert len(zeros) == 1 and zeros[0].get_xdata().tolist() == [1, 1]  # feature 1, both seeds
    with pytest.raises(ValueError, match=">= 0"):
        plot_feature_sizes(-sizes)
    with pytest.raises(ValueError, match="0 < low < high"):
        plot_feature_sizes(sizes, ylim=(0.0, 1.0))
    with pytest.raises(ValueError, match="reference must have one column per x value"):
        plot_feature_sizes(sizes, reference=np.ones((2, 4)))


def test_seed_bands_draw_a_median_line_and_a_band_per_curve():
    from rnnreg.viz import plot_seed_bands

    values = np.array([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]])
    ax = plot_seed_bands({"train": ([0, 1, 2], values)}, ylim=(0, 5)).axes[0]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 2.0, 3.0])
    assert len(ax.collections) == 1 and ax.get_ylim() == (0, 5)
    with pytest.raises(ValueError, match="2-D"):
        plot_seed_bands({"train": ([0, 1, 2], values[0])})


def test_weight_histograms_on_a_log_scale_with_a_fixed_reach():
    from rnnreg.viz import plot_weight_histograms

    ax = plot_weight_histograms({"L1 proximal": [0.0, 0.0, 0.5, -3.0]}, log=True, reach=1.0, bins=5,
                                colors={"L1 proximal": "#D55E00"}).axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlim() == (-1.0, 1.0)
    assert ax.patches[0].get_edgecolor()[:3] == pytest.approx((0xD5 / 255, 0x5E / 255, 0.0))
    with pytest.raises(ValueError, match="reach must be > 0"):
        plot_weight_histograms({"L1": [0.0, 1.0]}, reach=0)
