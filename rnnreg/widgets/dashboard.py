"""The dashboard pattern every lesson uses: controls, a pure ``compute``, a ``render`` and one picture.

A dashboard is a small experiment a lecturer can run live. Moving a control calls ``compute(params)``
(pure and deterministic: the same parameters give the same data, so results are cached and going back to
an earlier setting is instant), then ``render(data)`` redraws the dashboard's one figure in place, and the
figure reaches the browser as a PNG in an ``ipywidgets.Image``. Replacing the image's bytes is atomic:
however fast the controls move, exactly one picture is on screen, never a stack of stale ones.

A bad value never shows a traceback: the message appears in the status line under the plot and the last
good picture stays. Without a widget front-end (nbviewer, a static HTML export, a printed handout) a
dashboard displays as the PNG of its current state.
"""

import collections
import contextlib
import html
import io

import ipywidgets as widgets

from rnnreg.viz.style import new_figure, projector_style


class Dashboard:
    """Base class: subclasses define ``build_controls``, ``build_axes``, ``compute``, ``render``, ``summary``.

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
    """

    title = ""
    cache_size = 32

    def __init__(self):
        self.controls = self.build_controls()
        with projector_style():
            self.figure, self.axes = self.build_axes()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="1000px"))
        self.status = widgets.HTML()
        self.last_data = None
        self.last_error = None
        self._cache = collections.OrderedDict()
        self._held = False
        for control in self.controls.values():
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
        """Set several controls at once (from a notebook cell or a test) with one refresh."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no control {sorted(unknown)}; its controls: {sorted(self.controls)}"
            )
        with self.hold_refresh():
            for name, value in values.items():
                self.controls[name].value = value
        self.refresh()

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
        params = self.params()
        try:
            data = self._computed(params)
            with projector_style():
                self.render(data)
            self.image.value = self.png()
        except (ValueError, TypeError, RuntimeError, ArithmeticError) as error:
            self.last_error = error
            self.status.value = f"<b>⚠ Cannot show this setting:</b> {html.escape(str(error))}"
            return
        self.last_data, self.last_error = data, None
        self.status.value = html.escape(self.summary(data))

    def png(self):
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    @property
    def widget(self):
        """The whole dashboard: title, controls in one row, the picture, the status line."""
        if not hasattr(self, "_widget"):
            header = [widgets.HTML(f"<h3>{html.escape(self.title)}</h3>")] if self.title else []
            controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
            self._widget = widgets.VBox([*header, controls, self.image, self.status])
        return self._widget

    def _computed(self, params):
        key = tuple(sorted(params.items()))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        data = self.compute(params)
        self._cache[key] = data
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return data

    def _on_change(self, change):
        if not self._held:
            self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/png"] = self.png()
        data["text/plain"] = f"{type(self).__name__}: {self.title}"
        return bundle

    def __repr__(self):
        return f"{type(self).__name__}({self.params()})"
