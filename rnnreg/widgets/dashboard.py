"""The dashboard pattern every lesson uses: controls, a pure ``compute``, a ``render`` and one picture.

A dashboard is a small experiment a lecturer can run live. Moving a control calls ``compute(params)``
(pure and deterministic: the same parameters give the same data, so results are cached and going back to
an earlier setting is instant), then ``render(data)`` redraws the dashboard's one figure in place, and the
figure reaches the browser as a PNG in an ``ipywidgets.Image``. Replacing the image's bytes is atomic:
however fast the controls move, exactly one picture is on screen, never a stack of stale ones.

The figure is laid out once (unless ``freeze_layout`` is False): the first PNG runs its layout engine
(constrained layout for ``new_figure``), later ones keep the axes where that put them, since the panels stay
the same from one setting to the next and laying out again costs a large part of each redraw. The PNG has
a palette of ``palette_colors`` colours: a third of the size of a full-colour one (the notebook stores it
twice: as the widget's value and as the static fallback), quicker to encode, and the same to the eye.

Every picture is a full draw of what ``render`` put into the axes through ``rnnreg.viz``: one drawing path,
the same one a notebook cell or a printed handout uses. Dashboards keep their axis limits fixed (or rounded,
``round_limits``) so that two settings compare at a glance. A setting always gives the same picture, so the
PNGs of the last ``cache_size`` settings are kept with their data: going back to a setting shows its PNG
again (``render`` still runs, so the figure matches the picture) instead of drawing the figure once more.

``presenter=True`` (every dashboard takes it) lays the dashboard out for a lecture room instead: preset
buttons with their takeaways, one large panel at a time, larger text (``rnnreg.widgets.presenter``).

A bad value never shows a traceback: the message appears in the status line under the plot and the last
good picture stays. Without a widget front-end (nbviewer, a static HTML export, a printed handout) a
dashboard displays as the PNG of its current state.
"""

import collections
import contextlib
import html
import io
import math
import threading

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from rnnreg.validation import check_bool
from rnnreg.viz.style import new_figure, projector_style
from rnnreg.widgets.controls import check_value
from rnnreg.widgets.presenter import Presentation


class Dashboard:
    """Base class: subclasses define ``build_controls``, ``build_axes``, ``compute``, ``render``, ``summary``.

    ``refresh`` (run when a control moves) computes and calls ``show``; a subclass that gets new data some
    other way (a live training run) calls ``show(data)`` and ``show_error(error, heading)`` itself.

    Parameters
    ----------
    presenter : bool
        Lay the dashboard out for a lecture room (``rnnreg.widgets.presenter``): every dashboard takes it.

    Attributes
    ----------
    controls : dict
        Name -> ipywidgets control; ``params()`` reads their values under the same names.
    figure : matplotlib.figure.Figure
        The one figure, redrawn in place.
    image : ipywidgets.Image
        What the browser shows: the figure as PNG.
    status : ipywidgets.HTML
        One line of live numbers (``summary``), or the message of a rejected setting.
    last_data : object
        What ``compute`` returned for the picture on screen.
    presentation : rnnreg.widgets.presenter.Presentation or None
        The presenter layout's presets and panel selector, when ``presenter`` is True.
    """

    title = ""
    cache_size = 32  # settings whose data (and picture) are kept
    keep_pictures = True  # False: draw every picture, also of a setting drawn before
    freeze_layout = True  # False: lay the figure out again for every picture (tick labels that change width)
    palette_colors = 256  # colours in the PNG's palette

    def __init__(self, *, presenter=False):
        # JupyterLab may deliver control changes on another thread of the kernel (a subshell) than the
        # cell that built the dashboard: one picture at a time, or two threads draw into one canvas.
        self._drawing = threading.RLock()
        self.controls = self.build_controls()
        with projector_style():
            self.figure, self.axes = self.build_axes()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="1000px"))
        self.status = widgets.HTML()
        self.last_data = None
        self.last_error = None
        self._cache = collections.OrderedDict()  # settings -> what ``compute`` returned, least recent first
        self._pictures = collections.OrderedDict()  # settings -> the PNG of their full draw, least recent first
        self._held = False
        self._laid_out = False
        self.presentation = Presentation(self) if check_bool(f"{type(self).__name__} presenter", presenter) else None
        panels = [self.presentation.panels] if self.presentation else []  # the presenter's panel selector
        for control in [*self.controls.values(), *panels]:
            control.observe(self._on_change, names="value")
        self.refresh()

    # ------------------------------------------------------------------ what a lesson dashboard defines

    def build_controls(self):
        """Return {name: control}."""
        raise NotImplementedError

    def build_axes(self):
        """Return (figure, axes) for ``render``; called inside ``projector_style()``."""
        return new_figure()

    def compute(self, params):
        """Pure: the data to show for ``params`` (a dict of control values)."""
        raise NotImplementedError

    def render(self, data):
        """Draw ``data`` into ``self.axes`` (clearing what was there)."""
        raise NotImplementedError

    def summary(self, data):
        """One line of live numbers under the plot (plain text)."""
        return ""

    # ------------------------------------------------------------------ the machinery

    def params(self):
        """The current control values, by control name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values):
        """Set several controls at once (from a notebook cell or a test) with one refresh: all of them or none.

        Every value is checked against its control first (``controls.check_value``) and the whole setting
        against ``check_setting``; a rejected one changes no control and draws nothing.

        Raises
        ------
        ValueError
            An unknown control, a value outside a slider's range or not among a control's options.
        TypeError
            A value of the wrong type (a string for a slider, a number for a checkbox).
        """
        owner = type(self).__name__
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"{owner} has no control {sorted(unknown)}; its controls: {sorted(self.controls)}")
        checked = {name: check_value(f"{owner} control {name!r}", self.controls[name], value)
                   for name, value in values.items()}
        previous = self.params()
        self.check_setting({**previous, **checked})
        with self.hold_refresh():
            try:
                for name, value in checked.items():
                    self.controls[name].value = value
            except traitlets.TraitError as error:  # a control of a kind check_value does not know refused it
                for previous_name, previous_value in previous.items():
                    self.controls[previous_name].value = previous_value
                raise ValueError(f"{owner} control {name!r} cannot hold {value!r}: {error}") from None
        self.refresh()

    def check_setting(self, params):
        """Raise ValueError or TypeError when ``params`` (every control's value) is no setting ``set`` may apply.

        Here every value a control holds is one; a dashboard whose control takes any number (a typed-in
        learning rate) checks its domain by overriding this.
        """

    @contextlib.contextmanager
    def hold_refresh(self):
        """Within this block control changes do not refresh; call ``refresh()`` after."""
        self._held = True
        try:
            yield
        finally:
            self._held = False

    def refresh(self):
        """Compute (or take from the cache) and redraw; a rejected setting shows its message instead."""
        with self._drawing:
            params = self.params()
            try:
                data = self._computed(params)
                self.show(data, settings=_settings_key(params))
            except (ValueError, TypeError, RuntimeError, ArithmeticError) as error:
                self.show_error(error)

    def png(self):
        """The figure as a palette PNG (``palette_colors`` colours): a full draw of every artist.

        - The figure is drawn inside ``projector_style()``: matplotlib creates tick marks and labels lazily, at
          draw time, from the settings in force then (outside the style they get 10 pt labels and opaque
          grid lines).
        - After the first draw the layout engine is removed (if ``freeze_layout``), so the axes stay where the
          first layout put them: ``set_layout_engine(None)``, not ``"none"``, whose placeholder engine still
          makes ``savefig`` draw the figure twice.
        """
        figure = self.figure
        canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
        with projector_style():
            if not (self.presentation and self._laid_out):  # the presenter lays out the whole figure once
                canvas.draw()
                self._freeze_layout()
            rgb = self.presentation.panel_picture(canvas) if self.presentation else Image.frombuffer(
                "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        picture = io.BytesIO()
        palette = rgb.convert("RGB").quantize(self.palette_colors, method=Image.Quantize.FASTOCTREE)
        palette.save(picture, "png", compress_level=3)  # zlib level 6 (the default): a fifth smaller, slower
        return picture.getvalue()

    def _freeze_layout(self):
        if self.freeze_layout and not self._laid_out:
            with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
                self.figure.set_layout_engine(None)  # None consults these two settings: make it mean "no engine"
            self._laid_out = True

    def set_finding(self, text):
        """Show ``text`` (the computed finding) as the figure's title, in place: where the first layout put it.

        The presenter shows it above the panel instead, in the page's text.
        """
        if self.presentation:
            self.presentation.finding.value = f"<b>{html.escape(text)}</b>"
            return
        title = getattr(self, "_finding", None)
        if title is None:
            self._finding = self.figure.suptitle(text)
        else:
            title.set_text(text)

    def toolbar(self):
        """Rows of widgets between the title and the controls (none here; the live dashboard's Play and Reset)."""
        return []

    @property
    def widget(self):
        """Title, toolbar, controls in one row, the picture, the status line; or the presenter layout."""
        if not hasattr(self, "_widget"):
            if self.presentation:
                self._widget = self.presentation.widget(self.toolbar())
                return self._widget
            header = [widgets.HTML(f"<h3>{html.escape(self.title)}</h3>")] if self.title else []
            controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
            self._widget = widgets.VBox([*header, *self.toolbar(), controls, self.image, self.status])
        return self._widget

    def _computed(self, params):
        key = _settings_key(params)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        data = self.compute(params)
        self._cache[key] = data
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return data

    def show(self, data, settings=None):
        """Render ``data`` (inside ``projector_style()``), put its PNG on screen and its summary in the status line.

        ``render`` always runs, so the figure shows ``data``. The PNG of a setting drawn before (``settings``,
        a hashable key of the control values, while ``keep_pictures``) is the one its first draw made: a
        setting always gives the same bytes (tests/test_dashboard_redraw.py), so going back to it skips
        matplotlib's full draw, most of a redraw. A subclass that computes outside ``refresh`` (a live
        training run) calls this with its new data. A rejected setting raises; the last picture stays.
        """
        with self._drawing:
            with projector_style():
                self.render(data)
            if settings is not None and self.presentation:
                settings = (settings, self.presentation.panels.value)  # the presenter pictures one panel of a setting
            picture = self._pictures.get(settings) if settings is not None else None
            if picture is None:
                picture = self.png()
                if settings is not None and self.keep_pictures:
                    self._pictures[settings] = picture
                    while len(self._pictures) > self.cache_size:
                        self._pictures.popitem(last=False)
            else:
                self._pictures.move_to_end(settings)
            self.image.value = picture
            self.last_data, self.last_error = data, None
            self.status.value = html.escape(self.summary(data))

    def show_error(self, error, heading="Cannot show this setting:"):
        """Show the message of a rejected setting in the status line; the last good picture stays."""
        self.last_error = error
        self.status.value = f"<b>⚠ {heading}</b> {html.escape(str(error))}"

    def _on_change(self, change):
        if not self._held:
            self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/png"] = bytes(self.image.value) or self.png()  # the picture on screen, not drawn again
        data["text/plain"] = f"{type(self).__name__}: {self.title}"
        return bundle

    def __repr__(self):
        return f"{type(self).__name__}({self.params()})"


def _settings_key(params):
    """A hashable key for a dict of control values."""
    return tuple(sorted(params.items()))


FINE_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # for ``round_up`` where the data's range hardly moves


def round_up(value, steps=(1, 2, 5)):
    """``value`` rounded up to one of ``steps`` times a power of ten (9.3 -> 10, 0.43 -> 0.5): a limit that stays put.

    Coarse steps keep a limit across more settings; finer ones (``FINE_STEPS``) waste less of the Axes where
    the data's range is known to stay about the same.
    """
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (*steps, 10) if step * power >= value)


def round_limits(values, *, log=False):
    """Limits that hold ``values`` and stay put across settings: 0 (linear) or whole decades (log) to a round top."""
    values = np.ravel(np.asarray(values, dtype=float))
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return (0.1, 1.0) if log else (0.0, 1.0)
    if log:
        return 10.0 ** math.floor(math.log10(values.min())), 10.0 ** math.ceil(math.log10(values.max()))
    return 0.0, round_up(float(values.max()) * 1.05)
