"""Redrawing: whatever settings a dashboard visited before, a setting always gives the same picture.

A dashboard draws every picture in full through ``rnnreg.viz`` (one drawing path), and its axes are laid out
once. It keeps the PNG of each setting it drew and shows it again when the setting comes back, which is only
right if a setting always gives the same picture. These tests compare PNGs byte for byte: a dashboard that
went elsewhere and came back (drawing every picture anew) shows exactly the picture of a fresh one, so no
state of an earlier picture (an axis limit, a legend, a colour bar, a title) leaks into a later one. Timings
live in benchmarks/bench_interactive.py, not here.
"""

import ipywidgets
import pytest

from rnnreg import widgets as dashboards

DASHBOARDS = [
    getattr(dashboards, name)
    for name in dashboards.__all__
    if name.endswith("Dashboard") and name != "Dashboard"
]


def other_value(control):
    """A value of ``control`` other than its current one: the next option, the other end of a slider, twice a number."""
    if isinstance(control, ipywidgets.Checkbox):
        return not control.value
    options = getattr(control, "options", None)
    if options:
        values = [option[1] if isinstance(option, tuple) else option for option in options]
        return values[(values.index(control.value) + 1) % len(values)]
    if isinstance(control, ipywidgets.FloatLogSlider):  # its min and max are exponents: the values are base**min ...
        low, high = control.base**control.min, control.base**control.max
        return low if control.value != low else high
    if hasattr(control, "max"):
        return control.max if control.value != control.max else control.min
    return 2 * control.value if control.value else 1  # a number typed into a text box


def png(dashboard):
    assert dashboard.last_error is None, dashboard.last_error
    return bytes(dashboard.image.value)


@pytest.mark.parametrize("make", DASHBOARDS, ids=[make.__name__ for make in DASHBOARDS])
def test_coming_back_to_a_setting_gives_the_byte_identical_picture_of_a_fresh_dashboard(make):
    # every picture of ``moved`` is a full draw, its first one included: the comparison means something
    fresh, moved = make(), type(make.__name__, (make,), {"keep_pictures": False})()
    start = moved.params()
    changed = 0
    for name, control in moved.controls.items():
        if isinstance(control, ipywidgets.Button | ipywidgets.Play):
            continue
        moved.set(**{name: other_value(control)})
        changed += png(moved) != png(fresh)
    assert changed, "no control changed the picture"
    moved.set(**start)
    assert png(moved) == png(fresh)
