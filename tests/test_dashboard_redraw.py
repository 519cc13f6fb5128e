"""Redrawing in place: whatever settings a dashboard visited before, a setting always gives the same PNG.

The dashboards keep the artists of their first picture and give them new data on later ones. These tests
compare PNGs byte for byte: a dashboard that went elsewhere and came back shows exactly the picture of a
fresh one (its first picture, drawn from scratch), and two different routes to a setting end in the same
picture. Redraws are blitted on a kept background while the dashboard's ``static_key`` stays the same: the
last test checks that each such picture is byte for byte the one a full draw gives, so no key misses a
change of the background, and that a dashboard going back to a setting whose background is kept draws the
picture a full draw gives. Timings live in benchmarks/bench_interactive.py, not here.
"""

import pytest

pytest.importorskip("ipywidgets")

from rnnreg.widgets import (
    BatchNormDashboard,
    BatchNormSpeedDashboard,
    DecisionBoundaryDashboard,
    DropoutOverfittingDashboard,
    DropoutPhaseDashboard,
    GradientFlowDashboard,
    L2RulesDashboard,
    LiveTrainingDashboard,
    MemoryTaskDashboard,
    RegularizerDashboard,
)

# (dashboard, settings visited on the way). The first control of each step is one that updates in place.
DETOURS = {
    "memory delay": (MemoryTaskDashboard, [{"delay": 5}, {"model": "LSTM"}]),
    "memory truncation": (MemoryTaskDashboard, [{"truncation": 5}]),
    "gradient flow": (GradientFlowDashboard, [{"delay": 100}, {"forget_bias": 0.0}]),
    "gradient flow, short sequences": (GradientFlowDashboard, [{"delay": 10}, {"delay": 20}]),
    "regularizer": (RegularizerDashboard, [{"alpha": 0.3}, {"regularizer": "L2"}]),
    "regularizer off and on": (RegularizerDashboard, [{"regularizer": "none"}, {"regularizer": "L2"}]),
    "dropout phases": (DropoutPhaseDashboard, [{"rate": 0.3}, {"phase": "test"}, {"scaling": "original"},
                                                {"phase": "train"}]),
    "dropout overfitting": (DropoutOverfittingDashboard, [{"rate": 0.3}, {"rate": 0.0}, {"seed": 1}]),
    "batch norm phase": (BatchNormDashboard, [{"phase": "train"}, {"batch_size": 4}, {"phase": "test"}]),
    "decision boundary": (DecisionBoundaryDashboard, [{"dataset": "spirals"}, {"hidden_units": 32},
                                                      {"phase": "train"}]),
}


def png(dashboard):
    assert dashboard.last_error is None
    return bytes(dashboard.image.value)


@pytest.mark.parametrize("case", DETOURS)
def test_coming_back_to_a_setting_gives_the_byte_identical_picture_of_a_fresh_dashboard(case):
    make, detour = DETOURS[case]
    fresh = make()
    moved = make()
    start = moved.params()
    for settings in detour:
        moved.set(**settings)
        assert png(moved) != png(fresh)
    moved.set(**start)
    assert png(moved) == png(fresh)


@pytest.mark.parametrize(
    ("make", "route", "target"),
    [
        (MemoryTaskDashboard, [{"delay": 15}, {"clip_norm": 1.0}], {"delay": 20}),
        (DropoutPhaseDashboard, [{"phase": "test"}, {"rate": 0.2}], {"phase": "test", "rate": 0.7}),
        (RegularizerDashboard, [{"alpha": 1.0}], {"regularizer": "L2", "alpha": 0.01}),
    ],
    ids=["memory", "dropout, test phase", "regularizer"],
)
def test_two_routes_to_a_setting_end_in_the_same_picture(make, route, target):
    direct = make()
    direct.set(**target)
    detour = make()
    for settings in route:
        detour.set(**settings)
    detour.set(**{**direct.params(), **target})
    assert png(detour) == png(direct)


# (dashboard, settings visited in turn): each with a kept background (``static_key`` not None).
BLITTED = {
    "decision boundary": (DecisionBoundaryDashboard, [{"hidden_units": 32}, {"phase": "train"}, {"dataset": "spirals"},
                                                      {"learning_rate": 0.1}]),
    "gradient flow": (GradientFlowDashboard, [{"delay": 65}, {"forget_bias": 0.0}, {"delay": 10}, {"delay": 60}]),
    "L2 rules": (L2RulesDashboard, [{"alpha": 0.3}, {"optimizer": "SGD"}, {"alpha": 1.0}]),
    "regularizer": (RegularizerDashboard, [{"alpha": 0.3}, {"regularizer": "none"}, {"regularizer": "L2"}]),
    "dropout phases": (DropoutPhaseDashboard, [{"phase": "test"}, {"rate": 0.3}, {"scaling": "original"},
                                                {"phase": "train"}]),
    "dropout overfitting": (DropoutOverfittingDashboard, [{"rate": 0.3}, {"rate": 0.0}, {"seed": 1}]),
    "batch norm": (BatchNormDashboard, [{"phase": "train"}, {"phase": "test"}, {"batch_norm": False},
                                        {"phase": "train"}]),
    # back to a batch size and a measurement whose backgrounds are kept: only the animated artists are new
    "batch norm, back and forth": (BatchNormDashboard, [{"batch_size": 4}, {"batch_size": 16}, {"phase": "train"},
                                                        {"batch_size": 4}, {"channel": 0}, {"channel": 2},
                                                        {"batch_size": 16, "channel": 0}, {"batch_norm": False},
                                                        {"batch_size": 4}, {"batch_size": 16}]),
    "batch norm speed": (BatchNormSpeedDashboard, [{"learning_rate": 10**-2.5}, {"batch_size": 64}]),
    "memory task": (MemoryTaskDashboard, [{"delay": 15}, {"model": "LSTM"}, {"clip_norm": 1.0}]),
    "live": (LiveTrainingDashboard, [{"l2_strength": 0.1}, {"weights_shown": "conv kernels"}]),
}


@pytest.mark.parametrize("case", BLITTED)
def test_a_blitted_picture_is_byte_identical_to_a_full_draw(case):
    make, visits = BLITTED[case]
    dashboard = make()
    for settings in visits:
        dashboard.set(**settings)
        assert dashboard.static_key(dashboard.last_data) is not None
        blitted = png(dashboard)
        kept = dashboard._backgrounds.copy()
        dashboard._backgrounds.clear()  # forget the kept backgrounds: the next picture is a full draw
        dashboard.refresh()  # the same setting: render brings back every artist a full draw needs
        assert png(dashboard) == blitted
        dashboard._backgrounds = kept  # the next settings come back to these backgrounds, as without the check
