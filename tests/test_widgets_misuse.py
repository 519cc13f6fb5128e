"""Issue 13, point 8: ``Dashboard.set`` checks every value first, then applies all of them or none.

For every dashboard class one bad value among good ones is refused with a ValueError (or TypeError) naming the
control, the allowed values and the value received; no control changes and the picture stays.
"""

import functools

import ipywidgets as widgets
import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from rnnreg.widgets import (
    BatchNormDashboard,
    BatchNormSpeedDashboard,
    ClippingDashboard,
    Dashboard,
    DecisionBoundaryDashboard,
    DropoutOverfittingDashboard,
    DropoutPhaseDashboard,
    GradientFlowDashboard,
    L2RulesDashboard,
    LiveTrainingDashboard,
    MemoryTaskDashboard,
    RegularizerDashboard,
)
from rnnreg.widgets import controls as ctl

# class, constructor options, good values set with the bad one, the bad control, its bad value, the message
BAD_SETTINGS = [
    (DecisionBoundaryDashboard, {}, {"learning_rate": 1e-3, "phase": "train"}, "hidden_units", 10**9,
     r"one of 2, 4, 8, 16, 32, 64, got 1000000000"),
    (RegularizerDashboard, {"seeds": (0,)}, {"regularizer": "L2"}, "alpha", 0.5, r"one of .*got 0\.5"),
    (L2RulesDashboard, {"seeds": (0,)}, {"optimizer": "SGD"}, "alpha_gradient", -1.0, r"got -1\.0"),
    (DropoutPhaseDashboard, {}, {"phase": "test"}, "rate", 0.95, r"\[0, 0\.9\] .*got 0\.95"),
    (DropoutOverfittingDashboard, {}, {"rate": 0.25}, "where", "everywhere", r"'hidden', got 'everywhere'"),
    (BatchNormDashboard, {}, {"phase": "train", "momentum": 0.5}, "batch_size", 1000, r"one of 2, 4, .*got 1000"),
    (BatchNormSpeedDashboard, {}, {"batch_size": 16}, "learning_rate", 1.0, r"\[0\.0001, 0\.1\] .*got 1\.0"),
    (MemoryTaskDashboard, {}, {"model": "LSTM"}, "seed", 99, r"got 99"),
    (GradientFlowDashboard, {"seeds": (0,)}, {"forget_bias": 1.0}, "delay", 10**6, r"\[5, 100\] .*got 1000000"),
    (ClippingDashboard, {"seeds": (0,)}, {"spectral_radius": 0.9}, "clip_norm", -1.0, r"got -1\.0"),
    (LiveTrainingDashboard, {}, {"weights_shown": "conv kernels"}, "dropout_rate", 1.0, r"\[0, 0\.9\] .*got 1\.0"),
]


@functools.cache
def built(cls, options):
    return cls(**dict(options))


def board(cls, options):
    """One dashboard per class for the whole file (each trains on construction)."""
    return built(cls, tuple(sorted(options.items())))


def picture(dashboard):
    return bytes(dashboard.image.value)


@pytest.mark.parametrize(
    ("cls", "options", "good", "control", "value", "message"), BAD_SETTINGS,
    ids=[row[0].__name__ for row in BAD_SETTINGS],
)
def test_one_bad_value_among_good_ones_changes_no_control_and_keeps_the_picture(
    cls, options, good, control, value, message
):
    dashboard = board(cls, options)
    before, shown, data = dashboard.params(), picture(dashboard), dashboard.last_data
    with pytest.raises(ValueError, match=rf"{cls.__name__} control '{control}' must .*{message}"):
        dashboard.set(**good, **{control: value})
    assert dashboard.params() == before
    assert picture(dashboard) == shown and dashboard.last_data is data


@pytest.mark.parametrize("cls", [DecisionBoundaryDashboard, GradientFlowDashboard])
def test_an_unknown_control_is_named_with_the_controls_there_are(cls):
    dashboard = board(cls, {"seeds": (0,)} if cls is GradientFlowDashboard else {})
    before = dashboard.params()
    with pytest.raises(ValueError, match=r"has no control \['hiden_units'\]; its controls: \[.*\]"):
        dashboard.set(hiden_units=8)
    assert dashboard.params() == before


class SquareDashboard(Dashboard):
    """A cheap dashboard with one control of every kind ``set`` checks."""

    def build_controls(self):
        return {
            "a": ctl.float_slider("a", 1.0, -3.0, 3.0, 0.5),
            "n": ctl.int_slider("n", 3, 1, 10),
            "rate": ctl.learning_rate_slider(1e-2, -4, 0),
            "alpha": ctl.strength_slider(),
            "phase": ctl.phase_buttons(),
            "grid": ctl.checkbox("grid"),
            "typed": widgets.FloatText(value=2.0),
            "label": widgets.Text(value="x"),
        }

    def compute(self, params):
        x = np.linspace(-1, 1, 11)
        return {"x": x, "y": params["a"] * params["typed"] * x**2}

    def render(self, data):
        self.axes.clear()
        self.axes.plot(data["x"], data["y"])


@pytest.fixture
def square():
    return SquareDashboard()


@pytest.mark.parametrize(
    ("control", "value", "error", "message"),
    [
        ("a", 3.5, ValueError, r"'a' must be in \[-3, 3\] \(the slider's range\), got 3\.5"),
        ("a", float("nan"), ValueError, r"'a' must be a finite number, got nan"),
        ("a", "1.0", TypeError, r"'a' must be a real number, got '1\.0'"),
        ("n", 0, ValueError, r"'n' must be in \[1, 10\] .*got 0"),
        ("n", 2.5, TypeError, r"'n' must be an integer, got 2\.5"),
        ("n", True, TypeError, r"'n' must be an integer, got True"),
        ("rate", 10.0, ValueError, r"'rate' must be in \[0\.0001, 1\] .*got 10\.0"),
        ("rate", 0.0, ValueError, r"'rate' must be in \[0\.0001, 1\] .*got 0\.0"),
        ("alpha", 2e-3, ValueError, r"'alpha' must be one of 0\.0, 0\.0001, .*got 0\.002"),
        ("alpha", "off", ValueError, r"'alpha' must be one of .*got 'off'"),
        ("phase", "TEST", ValueError, r"'phase' must be one of 'train', 'test', got 'TEST'"),
        ("grid", 1, TypeError, r"'grid' must be True or False, got 1"),
        ("typed", float("inf"), ValueError, r"'typed' must be a finite number, got inf"),
        ("label", 5, ValueError, r"'label' cannot hold 5"),
    ],
)
def test_every_kind_of_control_refuses_a_bad_value_without_clamping_it(square, control, value, error, message):
    before, shown = square.params(), picture(square)
    with pytest.raises(error, match=rf"SquareDashboard control {message}"):
        square.set(**{"a": 2.0, "n": 5, "phase": "test", control: value})
    assert square.params() == before and picture(square) == shown


def test_a_refused_text_value_rolls_back_the_controls_already_changed(square):
    before = square.params()
    with pytest.raises(ValueError, match="'label' cannot hold 5"):
        square.set(a=2.0, typed=3.0, label=5)  # "label" comes last: a and typed were already changed
    assert square.params() == before


def test_good_values_are_all_applied_with_one_draw(square):
    draws = []
    square.png = lambda: draws.append(1) or Dashboard.png(square)
    square.set(a=-2.0, n=10, rate=1e-4, alpha=1.0, phase="test", grid=False, typed=0.5, label="y")
    assert square.params() == {"a": -2.0, "n": 10, "rate": 1e-4, "alpha": 1.0, "phase": "test", "grid": False,
                               "typed": 0.5, "label": "y"}
    assert len(draws) == 1 and square.last_data["y"][0] == -1.0


def test_the_ends_of_a_range_and_an_int_for_a_float_option_are_accepted(square):
    square.set(a=-3, n=1, rate=1.0, alpha=0)
    assert square.params()["a"] == -3 and square.params()["alpha"] == 0


def test_the_live_dashboard_refuses_a_typed_in_learning_rate_outside_its_domain():
    dashboard = board(LiveTrainingDashboard, {})
    before, shown = dashboard.params(), picture(dashboard)
    with pytest.raises(ValueError, match=r"learning rate η must be positive .*got -0\.01"):
        dashboard.set(dropout_rate=0.5, learning_rate=-0.01)
    assert dashboard.params() == before and picture(dashboard) == shown
    assert dashboard.run.settings["learning_rate"] == before["learning_rate"]
