"""The dashboard machinery, driven without a browser (ipywidgets work without a kernel)."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import matplotlib.pyplot as plt

from rnnreg.widgets import Dashboard
from rnnreg.widgets import controls as ctl


class SquareDashboard(Dashboard):
    title = "y = a x²"

    def __init__(self):
        self.computed = []
        super().__init__()

    def build_controls(self):
        return {"a": ctl.float_slider("a", 1.0, -3.0, 3.0, 0.5), "phase": ctl.phase_buttons()}

    def compute(self, params):
        self.computed.append(params)
        if params["a"] == 0:
            raise ValueError("a must not be 0 in this lesson")
        x = np.linspace(-1, 1, 21)
        return {"x": x, "y": params["a"] * x**2}

    def render(self, data):
        self.axes.clear()
        self.axes.plot(data["x"], data["y"])

    def summary(self, data):
        return f"max y = {data['y'].max():.2f}"


def test_initial_state_is_drawn_and_summarised():
    dashboard = SquareDashboard()
    assert bytes(dashboard.image.value).startswith(b"\x89PNG")
    assert dashboard.status.value == "max y = 1.00"
    assert plt.get_fignums() == []


def test_a_subclass_shows_data_it_computed_itself_and_errors_through_the_public_methods():
    dashboard = SquareDashboard()
    before = bytes(dashboard.image.value)
    dashboard.show({"x": np.linspace(-1, 1, 5), "y": np.full(5, 3.0)})
    assert dashboard.status.value == "max y = 3.00" and bytes(dashboard.image.value) != before
    assert dashboard.last_data["y"][0] == 3.0 and dashboard.last_error is None
    shown = bytes(dashboard.image.value)
    dashboard.show_error(ValueError("too steep"), "Training stopped:")
    assert "Training stopped:" in dashboard.status.value and "too steep" in dashboard.status.value
    assert bytes(dashboard.image.value) == shown and str(dashboard.last_error) == "too steep"


def test_moving_a_control_recomputes_and_redraws_in_place():
    dashboard = SquareDashboard()
    before = dashboard.image.value
    dashboard.controls["a"].value = 2.0
    assert dashboard.status.value == "max y = 2.00"
    assert dashboard.image.value != before
    assert len(dashboard.axes.lines) == 1


def test_going_back_to_a_setting_uses_the_cache():
    dashboard = SquareDashboard()
    dashboard.controls["a"].value = 2.0
    dashboard.controls["a"].value = 1.0
    assert len(dashboard.computed) == 2


class CountingDraws(SquareDashboard):
    def __init__(self):
        self.draws = 0
        super().__init__()

    def png(self):
        self.draws += 1
        return super().png()


def test_going_back_to_a_setting_shows_its_kept_picture_and_renders_its_data():
    dashboard = CountingDraws()
    first = bytes(dashboard.image.value)
    dashboard.controls["a"].value = 2.0
    dashboard.controls["a"].value = 1.0
    assert dashboard.draws == 2
    assert bytes(dashboard.image.value) == first
    np.testing.assert_array_equal(dashboard.axes.lines[0].get_ydata(), np.linspace(-1, 1, 21) ** 2)


class DrawingEveryPicture(CountingDraws):
    keep_pictures = False


def test_without_kept_pictures_every_picture_is_drawn():
    dashboard = DrawingEveryPicture()
    dashboard.controls["a"].value = 2.0
    dashboard.controls["a"].value = 1.0
    assert dashboard.draws == 3


def test_set_changes_several_controls_with_one_refresh():
    dashboard = SquareDashboard()
    dashboard.set(a=-1.0, phase="test")
    assert dashboard.computed[-1] == {"a": -1.0, "phase": "test"}
    assert len(dashboard.computed) == 2


def test_a_rejected_setting_shows_a_message_and_keeps_the_last_picture():
    dashboard = SquareDashboard()
    picture = dashboard.image.value
    dashboard.controls["a"].value = 0.0
    assert "a must not be 0 in this lesson" in dashboard.status.value
    assert dashboard.image.value == picture
    assert isinstance(dashboard.last_error, ValueError)
    dashboard.controls["a"].value = 0.5
    assert dashboard.last_error is None


def test_unknown_control_names_are_reported():
    with pytest.raises(ValueError, match=r"has no control \['b'\]"):
        SquareDashboard().set(b=1)


def test_static_display_carries_a_png_fallback():
    bundle = SquareDashboard()._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["image/png"].startswith(b"\x89PNG")
    assert data["text/plain"] == "SquareDashboard: y = a x²"
    assert "application/vnd.jupyter.widget-view+json" in data


def test_dropout_slider_describes_the_keep_probability():
    slider = ctl.dropout_rate_slider(0.3)
    assert slider.description == "dropout rate (keep probability 0.70)"
    slider.value = 0.5
    assert slider.description == "dropout rate (keep probability 0.50)"
    assert ctl.keep_probability(0.3) == 0.7


def test_strength_slider_has_an_explicit_off():
    slider = ctl.strength_slider()
    assert slider.options[0] == ("off", 0.0)
    assert slider.value == 0.0
