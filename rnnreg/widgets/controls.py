"""The controls every lesson shares, labelled in words a student knows.

Sliders that trigger a retrain use ``continuous_update=False``: the dashboard recomputes once, when the
slider is released, not for every pixel it passes.
"""

import numbers

import ipywidgets as widgets
from ipywidgets.widgets.widget_bool import _Bool
from ipywidgets.widgets.widget_float import _BoundedFloat, _BoundedLogFloat, _Float
from ipywidgets.widgets.widget_int import _BoundedInt
from ipywidgets.widgets.widget_selection import _Selection

from rnnreg.lessons.experiment import keep_probability
from rnnreg.validation import check_bool, check_finite_number

STYLE = {"description_width": "initial"}
LAYOUT = widgets.Layout(width="auto", min_width="260px")

# Strengths on a log scale, with an explicit "off".
STRENGTHS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)


def _strength_label(value):
    return "off" if value == 0 else f"{value:g}"


def strength_slider(description="regularization strength α", values=STRENGTHS, value=0.0):
    """A log-scale selection slider for α, with "off" at the left end."""
    return widgets.SelectionSlider(
        options=[(_strength_label(v), v) for v in values], value=value, description=description,
        continuous_update=False, style=STYLE, layout=LAYOUT,
    )


def learning_rate_slider(value=1e-2, minimum_exponent=-4, maximum_exponent=0, description="learning rate η"):
    """A log-scale learning-rate slider."""
    return widgets.FloatLogSlider(
        value=value, base=10, min=minimum_exponent, max=maximum_exponent, step=0.25, description=description,
        readout_format=".0e", continuous_update=False, style=STYLE, layout=LAYOUT,
    )


def regularizer_buttons(value="L2", options=("none", "L1", "L2")):
    """none | L1 | L2."""
    return widgets.ToggleButtons(options=list(options), value=value, description="regularizer", style=STYLE)


def dropout_rate_slider(value=0.5, maximum=0.9):
    """The DROP rate a student thinks in; the description also shows the exercise's keep probability."""
    slider = widgets.FloatSlider(
        value=value, min=0.0, max=maximum, step=0.05, description=_dropout_description(value),
        continuous_update=False, readout_format=".2f", style=STYLE, layout=LAYOUT,
    )

    def describe(change):
        slider.description = _dropout_description(change["new"])

    slider.observe(describe, names="value")
    return slider


def _dropout_description(rate):
    return f"dropout rate (keep probability {keep_probability(rate):.2f})"


def phase_buttons(value="train"):
    """phase: train | test."""
    return widgets.ToggleButtons(options=["train", "test"], value=value, description="phase", style=STYLE)


def checkbox(description, value=True):
    return widgets.Checkbox(value=value, description=description, indent=False, style=STYLE)


def choice_buttons(description, options, value=None):
    return widgets.ToggleButtons(
        options=list(options), value=value if value is not None else options[0], description=description,
        style=STYLE,
    )


def int_slider(description, value, minimum, maximum, step=1):
    return widgets.IntSlider(
        value=value, min=minimum, max=maximum, step=step, description=description, continuous_update=False,
        style=STYLE, layout=LAYOUT,
    )


def float_slider(description, value, minimum, maximum, step):
    return widgets.FloatSlider(
        value=value, min=minimum, max=maximum, step=step, description=description, continuous_update=False,
        style=STYLE, layout=LAYOUT,
    )


def clipping_slider(value=0.0, values=(0.0, 0.1, 0.3, 1.0, 3.0, 10.0)):
    """Gradient clipping by global norm, with "off" at the left end."""
    return widgets.SelectionSlider(
        options=[(_strength_label(v), v) for v in values], value=value, description="clip gradient norm at",
        continuous_update=False, style=STYLE, layout=LAYOUT,
    )


def check_value(name, control, value):
    """Return ``value`` if ``control`` can hold it as it is; else raise naming the control (``name``).

    ipywidgets would clamp a slider's value into its range without a word and raise a bare TraitError
    naming no control for a wrong option, so ``Dashboard.set`` checks every value here first.

    Raises
    ------
    TypeError
        A number where a choice is meant, a string for a slider, anything but True/False for a checkbox.
    ValueError
        A value outside a slider's range or not among a choice's options.
    """
    if isinstance(control, _Bool):
        return check_bool(name, value)
    if isinstance(control, _Selection):
        return _check_option(name, control, value)
    if isinstance(control, _BoundedInt) and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if isinstance(control, _BoundedInt | _BoundedFloat | _BoundedLogFloat):
        return _check_range(name, control, value)
    if isinstance(control, _Float):
        return check_finite_number(name, value)
    return value


def _check_option(name, control, value):
    options = control._options_values
    # True == 1 in Python: a checkbox-like value must not pass as the option 1.
    if any(value == option and isinstance(value, bool) == isinstance(option, bool) for option in options):
        return value
    raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")


def _check_range(name, control, value):
    number = check_finite_number(name, value)
    low, high = control.min, control.max
    if isinstance(control, _BoundedLogFloat):  # its min and max are exponents of its base
        low, high = control.base**low, control.base**high
    if not low <= number <= high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}] (the slider's range), got {value!r}")
    return value
