"""Presenter mode (``presenter=True``, rnnreg.widgets.presenter): presets with takeaways, one panel at a time.

The browser test (tests/browser/test_presenter.py) checks what a room sees: the whole dashboard inside a
1920×1080 window, a status line of at least 20 px, a preset click changing picture and takeaway. These
tests check the same machinery without a browser, on every dashboard.
"""

import html
import inspect
import io
import re

import pytest

pytest.importorskip("ipywidgets")

from matplotlib.figure import Figure
from PIL import Image

from rnnreg import widgets
from rnnreg.lessons.presets import PANELS, Preset, panels_for, presets_for
from rnnreg.viz.style import DPI
from rnnreg.widgets import Dashboard, DropoutPhaseDashboard, GradientFlowDashboard, RegularizerDashboard
from rnnreg.widgets import controls as ctl
from rnnreg.widgets.presenter import FONT_SIZE, PANEL_SCALE, STYLE

DASHBOARDS = {name: getattr(widgets, name) for name in widgets.__all__ if name != "Dashboard"}
SMALL = {"GradientFlowDashboard": {"seeds": (0, 1)}, "ClippingDashboard": {"seeds": (0,)},
         "RegularizerDashboard": {"seeds": (0, 1)}, "L2RulesDashboard": {"seeds": (0,)}}


def _size(picture):
    return Image.open(io.BytesIO(bytes(picture))).size


def _presenting(name):
    return DASHBOARDS[name](presenter=True, **SMALL.get(name, {}))


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_every_dashboard_takes_presenter_and_shows_each_panel_alone_and_large(name):
    assert "presenter" in inspect.signature(DASHBOARDS[name]).parameters
    dashboard = _presenting(name)
    presentation = dashboard.presentation
    assert [button.description for button in presentation.buttons] == [p.name for p in presets_for(name)]
    assert [label for label, _ in presentation.panels.options] == list(panels_for(name))
    assert len(panels_for(name)) == len(dashboard.figure.axes), "one name per panel, in the figure's order"
    width, height = (round(inches * DPI * PANEL_SCALE) for inches in dashboard.figure.get_size_inches())
    pictures = []
    for index in range(len(dashboard.figure.axes)):
        presentation.panels.value = index
        assert dashboard.last_error is None, dashboard.last_error
        pictures.append(bytes(dashboard.image.value))
        panel_width, panel_height = _size(pictures[-1])
        assert panel_width <= width and panel_height <= height
        assert panel_width * panel_height >= 0.15 * width * height, "a panel, not a sliver of the figure"
    assert len(set(pictures)) == len(pictures), "every panel its own picture"
    assert "rnnreg-presenter" in dashboard.widget._dom_classes
    assert presentation.finding.value.startswith("<b>") and len(presentation.finding.value) > 20
    assert not dashboard.figure.texts and dashboard.figure._suptitle is None, "the finding is text, not in the PNG"


@pytest.mark.parametrize("name", ["DropoutPhaseDashboard", "GradientFlowDashboard", "DecisionBoundaryDashboard"])
def test_a_preset_click_applies_it_and_shows_its_takeaway(name):
    dashboard = _presenting(name)
    presentation = dashboard.presentation
    assert presentation.chosen is None and "Click a preset" in presentation.takeaway.value
    shown = set()
    for button, chosen in zip(presentation.buttons, presets_for(name), strict=True):
        button.click()
        assert dashboard.last_error is None, (chosen.name, dashboard.last_error)
        assert dashboard.params() == dict(chosen.values)
        assert presentation.chosen is chosen
        if chosen.panel:
            assert presentation.panels.label == chosen.panel, "the preset turns to the panel that shows its point"
        assert html.escape(chosen.takeaway) in presentation.takeaway.value
        assert [b.button_style for b in presentation.buttons].count("info") == 1 and button.button_style == "info"
        shown.add((bytes(dashboard.image.value), dashboard.status.value))
    assert len(shown) == len(presets_for(name)), "every preset shows its own picture and numbers"


def test_moving_a_control_away_from_the_preset_takes_its_takeaway_down():
    dashboard = _presenting("DropoutPhaseDashboard")
    presentation = dashboard.presentation
    presentation.choose("rate 0.5, test phase")
    assert presentation.chosen is not None
    dashboard.controls["phase"].value = "train"
    assert presentation.chosen is None
    assert all(button.button_style == "" for button in presentation.buttons)
    assert "Click a preset" in presentation.takeaway.value


def test_a_preset_draws_its_setting_and_its_panel_in_one_refresh(monkeypatch):
    dashboard = _presenting("DropoutPhaseDashboard")
    drawn = []
    monkeypatch.setattr(dashboard, "render", lambda data, render=dashboard.render: (drawn.append(1), render(data)))
    dashboard.presentation.choose("no scaling: the mistake")
    assert dashboard.presentation.panels.label == "averaged over masks"
    assert drawn == [1]


def test_going_back_to_a_panel_shows_the_same_picture_without_drawing_again():
    dashboard = _presenting("GradientFlowDashboard")
    first = bytes(dashboard.image.value)
    dashboard.set(delay=100)
    dashboard.set(delay=60)
    assert bytes(dashboard.image.value) == first


def test_a_preset_the_dashboard_refuses_shows_its_message_not_a_traceback():
    dashboard = _presenting("DropoutPhaseDashboard")
    presentation = dashboard.presentation
    picture = bytes(dashboard.image.value)
    presentation.choose(Preset("broken", {"rate": 7.0}, "Never shown.", "averaged over masks"))
    assert isinstance(dashboard.last_error, ValueError)
    assert presentation.panels.label == "before dropout", "a refused preset leaves the panel as it was"
    assert "Cannot apply the preset 'broken'" in dashboard.status.value and "rate" in dashboard.status.value
    assert bytes(dashboard.image.value) == picture and presentation.chosen is None


def test_an_unknown_preset_name_is_named():
    presentation = _presenting("GradientFlowDashboard").presentation
    with pytest.raises(ValueError, match=r"preset name must be one of 'delay 60, forget bias 5'.*got 'delay 7'"):
        presentation.choose("delay 7")


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_presenter_must_be_true_or_false(value):
    with pytest.raises(TypeError, match=rf"GradientFlowDashboard presenter must be True or False, got {value!r}"):
        GradientFlowDashboard(presenter=value, seeds=(0,))


def test_the_lesson_layout_is_unchanged_without_presenter():
    dashboard = DropoutPhaseDashboard()
    assert dashboard.presentation is None
    assert "rnnreg-presenter" not in dashboard.widget._dom_classes
    assert _size(dashboard.image.value) == tuple(round(v) for v in dashboard.figure.get_size_inches() * DPI)
    assert dashboard.figure._suptitle is not None, "the lesson layout keeps the finding as the figure's title"


def test_the_text_a_room_reads_is_at_least_20_px():
    assert int(re.fullmatch(r"(\d+)px", FONT_SIZE).group(1)) >= 20
    assert f".rnnreg-presenter .widget-html-content {{ font-size: {FONT_SIZE};" in STYLE


class TwoPanels(Dashboard):
    """A dashboard of a user's own, with no presets and no panel names."""

    def build_controls(self):
        return {"scale": ctl.float_slider("scale", 1.0, 0.5, 2.0, 0.5)}

    def build_axes(self):
        figure = Figure(figsize=(8, 3), dpi=DPI, layout="constrained")
        return figure, figure.subplots(1, 2)

    def compute(self, params):
        return params["scale"]

    def render(self, scale):
        for number, axes in enumerate(self.axes, start=1):
            axes.clear()
            axes.plot([0, 1], [0, scale * number])


def test_a_dashboard_without_presets_still_presents_numbered_panels():
    dashboard = TwoPanels(presenter=True)
    assert dashboard.presentation.buttons == [] and dashboard.presentation.presets == ()
    assert [label for label, _ in dashboard.presentation.panels.options] == ["panel 1", "panel 2"]
    dashboard.presentation.panels.value = 1
    assert dashboard.last_error is None and _size(dashboard.image.value)[0] < 8 * DPI * PANEL_SCALE


def test_only_dashboards_have_panel_names():
    assert set(PANELS) == set(DASHBOARDS)
    assert panels_for(RegularizerDashboard) == ("weight histogram", "accuracy", "feature sizes")
    assert panels_for("NoSuchDashboard") == ()
