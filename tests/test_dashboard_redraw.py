"""Redrawing in place: whatever settings a dashboard visited before, a setting always gives the same PNG.

The dashboards keep the artists of their first picture and give them new data on later ones. These tests
compare PNGs byte for byte: a dashboard that went elsewhere and came back shows exactly the picture of a
fresh one (its first picture, drawn from scratch), and two different routes to a setting end in the same
picture. Timings live in benchmarks/bench_interactive.py, not here.
"""

import pytest

pytest.importorskip("ipywidgets")

from rnnreg.widgets import (
    DropoutPhaseDashboard,
    GradientFlowDashboard,
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
