"""Lesson 02 (dropout): both dashboards driven through every control, and what their pictures show."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with
from matplotlib.colors import to_hex

from rnnreg.lessons.dropout import dropout_phases, overfitting_runs
from rnnreg.viz.dropout import DROPPED_CELL
from rnnreg.viz.style import COLORS
from rnnreg.widgets.dropout import DropoutOverfittingDashboard, DropoutPhaseDashboard, colour_top


def png(dashboard):
    return bytes(dashboard.image.value)


def crosses(ax):
    """The number of units an image Axes marks as dropped (the scatter of crosses), 0 without one."""
    return sum(len(collection.get_offsets()) for collection in ax.collections)


# ------------------------------------------------------------------------------------------ the phases


def test_the_colour_scale_is_fixed_per_rate_and_holds_the_kept_units():
    train, test = dropout_phases(0.5), dropout_phases(0.5, "original")
    assert colour_top(train) == colour_top(test) == 3.0  # 95th percentile of the positive inputs (1.42) / p
    assert colour_top(dropout_phases(0.8)) == 8.0
    inputs = train["inputs"]
    assert colour_top(train) < 2 * float(inputs.max()) and np.mean(inputs[inputs > 0] / 0.5 <= 3.0) > 0.95


def test_phase_dashboard_drives_every_control():
    dashboard = DropoutPhaseDashboard()
    input_ax, batch_ax, average_ax = dashboard.axes
    assert dashboard.last_error is None and png(dashboard).startswith(b"\x89PNG")
    assert dashboard.figure._suptitle.get_text().startswith("Inverted dropout (p = 0.50)")
    view = dashboard.last_data
    # the dropped units are crossed grey cells, one cross per dropped unit; the ReLU's zeros are not crossed
    assert crosses(batch_ax) == view["units"] - view["kept"] and crosses(input_ax) == 0
    overlay = batch_ax.images[1].get_array()
    assert to_hex(overlay[~view["mask"]][0]) == to_hex(DROPPED_CELL) and overlay[view["mask"]][:, 3].max() == 0
    assert batch_ax.images[0].norm.vmax == input_ax.images[0].norm.vmax == 3.0
    assert "kept 228 of 512" in batch_ax.get_title()
    mask_before = view["mask"]
    pictures = {png(dashboard)}

    dashboard.controls["phase"].value = "test"
    view = dashboard.last_data
    np.testing.assert_array_equal(view["outputs"]["test"], view["inputs"])  # test phase: the identity
    np.testing.assert_array_equal(view["mask"], mask_before)  # the phase toggle draws no new mask
    assert crosses(batch_ax) == 0 and batch_ax.get_title().startswith("Test phase: y = x")
    assert "test phase returns the input unchanged: yes" in dashboard.status.value
    pictures.add(png(dashboard))

    dashboard.controls["scaling"].value = "mistake"
    assert dashboard.last_data["slope"] == pytest.approx(0.5, abs=0.03)
    assert dashboard.figure._suptitle.get_text().startswith("No scaling (p = 0.50)")
    assert average_ax.get_title().endswith("slope 0.50")
    pictures.add(png(dashboard))

    dashboard.controls["rate"].value = 0.8
    assert dashboard.controls["rate"].description == "dropout rate (keep probability 0.20)"
    assert dashboard.last_data["keep_probability"] == pytest.approx(0.2)
    assert "keep probability p = 0.20" in dashboard.status.value
    assert batch_ax.images[0].norm.vmax == 8.0
    pictures.add(png(dashboard))

    dashboard.set(scaling="original", phase="train")
    np.testing.assert_allclose(dashboard.last_data["outputs"]["test"], 0.2 * dashboard.last_data["inputs"])
    assert crosses(batch_ax) == dashboard.last_data["units"] - dashboard.last_data["kept"]
    pictures.add(png(dashboard))
    assert len(pictures) == 5
    # three panels and one colour bar (an inset of the middle one): a redraw adds no Axes
    assert len(dashboard.figure.axes) == 3 and len(batch_ax.child_axes) == 1


def test_phase_dashboard_reports_bad_settings_instead_of_raising():
    dashboard = DropoutPhaseDashboard()
    picture = png(dashboard)
    refresh_with(dashboard, {"rate": float("nan"), "phase": "train", "scaling": "inverted"})
    assert "dropout rate must be a number" in dashboard.status.value
    refresh_with(dashboard, {"rate": 0.5, "phase": "inference", "scaling": "inverted"})
    assert "phase must be one of" in dashboard.status.value
    assert png(dashboard) == picture


# --------------------------------------------------------------------------------------- overfitting


def test_overfitting_dashboard_shows_every_seed_with_and_without_dropout():
    dashboard = DropoutOverfittingDashboard()
    curve_ax, pair_ax = dashboard.axes
    assert dashboard.last_error is None and png(dashboard).startswith(b"\x89PNG")
    dropped, baseline = dashboard.last_data["dropped"], dashboard.last_data["baseline"]
    assert (dropped.rate, dropped.where, baseline.rate) == (0.5, "inputs and hidden", 0.0)
    assert dropped.seeds == baseline.seeds == (0, 1, 2, 3, 4)
    # left: a median line per loss and setting; right: five seeds joined per loss, train and validation
    assert [line.get_label() for line in curve_ax.lines] == [
        "validation, no dropout", "train, no dropout", "validation, dropout 0.50", "train, dropout 0.50"]
    np.testing.assert_array_equal(curve_ax.lines[2].get_ydata(), np.median(dropped.curves("validation_loss"), axis=0))
    assert len(pair_ax.lines) == 10
    np.testing.assert_array_equal(pair_ax.collections[0].get_offsets()[:, 1], baseline.final("validation_loss").values)
    assert to_hex(pair_ax.collections[0].get_facecolor()[0]) == to_hex(COLORS["validation"])
    assert curve_ax.get_ylim() == pair_ax.get_ylim() == (0.0, 1.5)
    assert dashboard.figure._suptitle.get_text().startswith("Dropout 0.50 on inputs + hidden units: validation loss")
    assert "against no dropout, medians of 5 seeds: validation loss" in dashboard.status.value

    dashboard.controls["where"].value = "hidden"
    assert dashboard.last_data["dropped"] is overfitting_runs(0.5, "hidden")
    assert "hidden units only" in dashboard.figure._suptitle.get_text()

    dashboard.controls["rate"].value = 0.0
    assert dashboard.figure._suptitle.get_text().startswith("No dropout")
    assert dashboard.last_data["baseline"] is baseline  # trained once, shared
    assert len(dashboard.figure.axes) == 2


def test_overfitting_dashboard_with_a_bad_setting_shows_a_message():
    dashboard = DropoutOverfittingDashboard()
    picture = png(dashboard)
    refresh_with(dashboard, {"rate": 1.0, "where": "hidden"})
    assert "dropout rate must be a number in [0, 1)" in dashboard.status.value
    refresh_with(dashboard, {"rate": 0.5, "where": "outputs"})
    assert "where must be one of" in dashboard.status.value
    assert png(dashboard) == picture
