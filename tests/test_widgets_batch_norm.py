"""Lesson 03's dashboards: controls, what retrains and what does not, one drawing path, messages for bad settings."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from helpers import refresh_with

from rnnreg.lessons.batch_norm import BATCH_SIZES, MOMENTA, WITH, WITHOUT, compare_training_speed, lesson_runs
from rnnreg.lessons.claims import SEEDS
from rnnreg.widgets.batch_norm import SPEED_SEEDS, BatchNormDashboard, BatchNormSpeedDashboard

PETAL_LENGTH = 2


@pytest.fixture(scope="module")
def dashboard():
    return BatchNormDashboard()


@pytest.fixture(scope="module")
def speed():
    return BatchNormSpeedDashboard()


def test_dashboard_draws_its_default_state(dashboard):
    assert bytes(dashboard.image.value).startswith(b"\x89PNG")
    assert dashboard.last_error is None
    assert "test phase normalises with the moving averages" in dashboard.status.value
    assert "petal length" in dashboard.status.value
    assert dashboard.figure.get_suptitle().startswith("Batch of 20: variances average")
    mean_ax = dashboard.axes[0][0]
    assert mean_ax.get_xlabel() == "samples seen" and mean_ax.get_xlim() == (0, 1200)
    assert mean_ax.get_ylabel() == "mean of petal length"
    assert [line.get_label() for line in mean_ax.lines][-1] == "training-set mean 3.75"


def test_the_dashboards_draw_through_viz_only():
    for dashboard_class in (BatchNormDashboard, BatchNormSpeedDashboard):
        assert not hasattr(dashboard_class, "static_key")  # no blitted background kept
        assert not any(name.startswith("_update") or name == "_draw_phases" for name in vars(dashboard_class))


def test_phase_and_measurement_reuse_the_trained_network(dashboard):
    trainings = dashboard.trainings
    picture = dashboard.image.value
    dashboard.controls["phase"].value = "train"
    assert "train phase normalises with this batch" in dashboard.status.value
    assert dashboard.last_data["view"]["phase"] == "train"
    assert dashboard.image.value != picture
    dashboard.controls["channel"].value = 0
    assert "sepal length" in dashboard.status.value
    assert dashboard.trainings == trainings
    dashboard.set(phase="test", channel=PETAL_LENGTH)
    assert dashboard.image.value == picture  # the same setting gives the same picture, however it was reached


def test_batch_size_momentum_seed_and_batch_norm_retrain(dashboard):
    trainings = dashboard.trainings
    dashboard.controls["batch_size"].value = 2
    trained = dashboard.last_data["trained"]
    assert trained.settings["batch_size"] == 2
    assert trained.samples_seen[-1] == 1200  # the same flowers as every other batch size
    assert dashboard.axes[0][0].get_xlim() == (0, 1200)
    assert dashboard.figure.get_suptitle().startswith("Batch of 2:")
    assert len(dashboard.last_data["view"]["inputs"]) == 2
    dashboard.controls["seed"].value = 3
    assert dashboard.last_data["trained"].settings["seed"] == 3
    dashboard.controls["momentum"].value = 0.99
    assert dashboard.last_data["trained"].settings["momentum"] == 0.99
    dashboard.controls["batch_norm"].value = False
    assert dashboard.status.value.startswith("no BatchNorm: the phase changes nothing")
    assert dashboard.figure.get_suptitle().startswith("Without BatchNorm")
    assert dashboard.trainings == trainings + 4
    seen = {"batch_norm": True, "momentum": 0.8, "batch_size": 2, "seed": 0, "phase": "test",
            "channel": PETAL_LENGTH}
    assert dashboard.compute(seen)["trained"].settings["batch_size"] == 2
    assert dashboard.trainings == trainings + 4  # seen before: from the cache


def test_every_choice_of_the_sliders_can_be_shown(dashboard):
    assert list(dashboard.controls["batch_size"].options) == list(BATCH_SIZES)
    assert [value for _, value in dashboard.controls["momentum"].options] == list(MOMENTA)
    assert list(dashboard.controls["seed"].options) == list(SEEDS)


def test_a_broken_setting_shows_a_message_instead_of_raising(dashboard):
    picture = dashboard.image.value
    refresh_with(dashboard, {"batch_norm": True, "momentum": float("nan"), "batch_size": 20, "seed": 0,
                             "phase": "test", "channel": 0})
    assert "Cannot show this setting" in dashboard.status.value
    assert "momentum" in dashboard.status.value
    assert dashboard.image.value == picture
    assert isinstance(dashboard.last_error, ValueError)


def test_an_empty_data_set_shows_a_message():
    empty = BatchNormDashboard(data=(np.empty((0, 4)), np.empty(0, dtype=int)))
    assert "Cannot show this setting" in empty.status.value
    assert empty.last_data is None


def test_the_speed_dashboard_shows_every_seed_of_both_networks(speed):
    assert bytes(speed.image.value).startswith(b"\x89PNG")
    assert speed.last_data.seeds == SPEED_SEEDS == (0, 1, 2)
    assert f"{WITH}: validation accuracy median" in speed.status.value
    assert f"{WITHOUT}: validation accuracy median" in speed.status.value
    assert speed.figure.get_suptitle().startswith("After 3 epochs (3 seeds): validation accuracy")
    loss_ax, accuracy_ax = speed.axes
    assert len(loss_ax.lines) == len(accuracy_ax.lines) == 2 * len(SPEED_SEEDS)
    assert loss_ax.get_yscale() == "log" and loss_ax.get_ylim() == pytest.approx((0.03, 50.0))


def test_the_speed_dashboard_retrains_on_its_controls_and_keeps_its_axes(speed):
    speed.controls["learning_rate"].value = 10**-1.25
    large = speed.last_data
    assert large.settings["learning_rate"] == pytest.approx(10**-1.25)
    assert speed.axes[0].get_ylim() == pytest.approx((0.03, 50.0))
    speed.controls["batch_size"].value = 64
    assert speed.last_data.runs[WITH][0]["loss"].size < large.runs[WITH][0]["loss"].size
    refresh_with(speed, {"learning_rate": float("nan"), "batch_size": 32})
    assert "Cannot show this setting" in speed.status.value


def test_known_trainings_are_shown_without_training_again():
    runs = lesson_runs(seeds=(0, 1))
    dashboard = BatchNormDashboard(known=runs.values())
    assert dashboard.trainings == 0 and dashboard.last_data["trained"] is runs[0]
    dashboard.controls["seed"].value = 1
    assert dashboard.trainings == 0 and dashboard.last_data["trained"] is runs[1]
    dashboard.controls["seed"].value = 2
    assert dashboard.trainings == 1


def test_known_speed_comparisons_are_shown_for_the_dashboards_seeds():
    known = compare_training_speed(10**-1.25, 64, seeds=(0, 1, 2, 3))
    speed = BatchNormSpeedDashboard(known=[known])
    speed.set(learning_rate=10**-1.25, batch_size=64)
    shown = speed.last_data
    assert shown.seeds == SPEED_SEEDS and shown.settings == known.settings
    assert shown.runs[WITH][2] is known.runs[WITH][2]
    with pytest.raises(ValueError, match=r"seeds \[7\] are not in this comparison"):
        known.restricted((0, 7))
