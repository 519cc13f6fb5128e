"""Presenter mode: a dashboard for the front of a lecture room (``presenter=True`` on every dashboard).

On a 1080p projector the lesson layout does not fit: its figure alone is 450-860 px tall, and at the zoom a
room needs, controls and picture are never on screen together. The presenter layout puts the title on top,
then side by side, as a slide would on a wide screen:

- one panel of the figure at a time: drawn alone at ``PANEL_SCALE`` times the figure's resolution and
  cropped to its own labels and legend, so that one panel is about as large as the whole figure was; the
  browser fits it into ``PICTURE_HEIGHT`` of the window;
- beside it, one button per named setting of the lecturers' guide (``rnnreg.lessons.presets``) and the
  takeaway of the one clicked last (clicking applies the preset and turns to the panel that shows it, in one
  refresh; the takeaway stays until a control moves away from the preset), the controls, the panel selector
  (names in ``rnnreg.lessons.presets.PANELS``), the computed finding (the lesson layout's figure title) and
  the status line; every text at ``FONT_SIZE``, the controls' labels larger too.

Presets and takeaways are data in ``rnnreg.lessons.presets``: nothing here knows a lesson.
"""

import html
import math

import ipywidgets as widgets
from PIL import Image

from rnnreg.lessons.presets import panels_for, presets_for
from rnnreg.lessons.presets import preset as named_preset
from rnnreg.widgets import controls as ctl

__all__ = ["PANEL_SCALE", "Presentation"]

PANEL_SCALE = 1.5  # the figure's resolution in presenter mode: one panel of it fills a projector's picture
PANEL_PADDING = 10  # pixels kept around a panel's labels
PICTURE_HEIGHT = "84vh"  # of the browser window, under the title
FONT_SIZE = "22px"  # the status line, the finding and the takeaway: read from the back of the room
STYLE = f"""<style>
.rnnreg-presenter {{ --jp-widgets-font-size: 17px; --jp-widgets-inline-height: 32px; }}
.rnnreg-presenter .widget-html-content {{ font-size: {FONT_SIZE}; line-height: 1.3; }}
.rnnreg-presenter h3 {{ margin: 0 0 4px 0; }}
.rnnreg-presenter .widget-toggle-button {{ width: auto !important; }}  /* whole labels, not cut at a fixed width */
</style>"""


class Presentation:
    """The presenter layout of one dashboard: preset buttons, takeaway, panel selector and finding.

    Attributes
    ----------
    presets : tuple of rnnreg.lessons.presets.Preset
        The dashboard's presets (none for a dashboard the lecturers' guide does not name).
    chosen : Preset or None
        The preset the controls show, if they still show one.
    buttons : list of ipywidgets.Button
        One per preset, in the guide's order.
    takeaway, finding : ipywidgets.HTML
        The chosen preset's sentence; the computed finding of the picture on screen.
    panels : ipywidgets.ToggleButtons
        Which panel of the figure is on screen (its value: the panel's index in ``figure.axes``).
    """

    def __init__(self, dashboard):
        self.dashboard = dashboard
        dashboard.figure.dpi *= PANEL_SCALE
        # Not stretched to the column's width (a flex item's default): the height limit keeps the aspect ratio.
        dashboard.image.layout = widgets.Layout(width="auto", max_width="62%", max_height=PICTURE_HEIGHT,
                                                align_self="flex-start")
        try:
            self.presets = presets_for(dashboard)
        except ValueError:  # a dashboard of the user's own: no presets, the rest of the layout still helps
            self.presets = ()
        self.chosen = None
        self.buttons = [widgets.Button(description=preset.name, tooltip=preset.takeaway,
                                       layout=widgets.Layout(width="auto")) for preset in self.presets]
        for button, preset in zip(self.buttons, self.presets, strict=True):
            button.on_click(lambda _button, preset=preset: self.choose(preset))
        self.takeaway = widgets.HTML()
        self.finding = widgets.HTML()
        count, names = len(dashboard.figure.axes), panels_for(dashboard)
        if len(names) != count:  # a dashboard of the user's own: numbered panels
            names = [f"panel {number}" for number in range(1, count + 1)]
        self.panels = ctl.choice_buttons("panel", [(name, index) for index, name in enumerate(names)], 0)
        for control in dashboard.controls.values():
            control.observe(self._on_control, names="value")
        self._mark(None)

    def choose(self, preset):
        """Apply ``preset`` (a Preset of this dashboard, or its name), turn to its panel, show its takeaway.

        One refresh draws it all. A preset the dashboard refuses shows its message in the status line, as a
        rejected setting does, and changes nothing.
        """
        preset = named_preset(self.dashboard, preset) if isinstance(preset, str) else preset
        shown = self.panels.value
        with self.dashboard.hold_refresh():  # Dashboard.set below refreshes once, for the panel too
            self.panels.label = preset.panel or self.panels.label
        try:
            self.dashboard.set(**preset.values)
        except (ValueError, TypeError) as error:
            with self.dashboard.hold_refresh():
                self.panels.value = shown
            self.dashboard.show_error(error, f"Cannot apply the preset {preset.name!r}:")
            return
        self._mark(preset)

    def widget(self, toolbar=()):
        """The whole presenter layout; ``toolbar``: rows between the takeaway and the controls (Play, Reset)."""
        dashboard, wrapping = self.dashboard, widgets.Layout(flex_flow="row wrap")
        side = [widgets.HBox(self.buttons, layout=wrapping), self.takeaway] if self.buttons else []
        side += [*toolbar, widgets.HBox(list(dashboard.controls.values()), layout=wrapping)]
        if len(self.panels.options) > 1:
            side.append(self.panels)
        beside = widgets.VBox([*side, self.finding, dashboard.status],
                              layout=widgets.Layout(flex="1 1 0", min_width="0", padding="0 0 0 16px"))
        box = widgets.VBox([widgets.HTML(STYLE + f"<h3>{html.escape(dashboard.title)}</h3>"),
                            widgets.HBox([dashboard.image, beside])])
        box.add_class("rnnreg-presenter")
        return box

    def panel_picture(self, canvas):
        """The panel on screen as an RGB image: the figure drawn with only that panel, cropped to it.

        The other panels are hidden while drawing (their colour bars, inset Axes of theirs, go with them), so
        neither their time nor their labels reach the picture.
        """
        figure = canvas.figure
        panel = figure.axes[self.panels.value]
        others = [axes for axes in figure.axes if axes is not panel and axes.get_visible()]
        for axes in others:
            axes.set_visible(False)
        try:
            canvas.draw()
            box = panel.get_tightbbox(canvas.get_renderer()).padded(PANEL_PADDING)
        finally:
            for axes in others:
                axes.set_visible(True)
        width, height = canvas.get_width_height()
        whole = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        # Display coordinates count up from the bottom of the figure, image rows down from its top.
        left, right = max(0, math.floor(box.x0)), min(width, math.ceil(box.x1))
        top, bottom = max(0, math.floor(height - box.y1)), min(height, math.ceil(height - box.y0))
        return whole.crop((left, top, right, bottom)).convert("RGB")

    def _on_control(self, _change):
        if self.chosen is not None and self.dashboard.params() != dict(self.chosen.values):
            self._mark(None)

    def _mark(self, preset):
        self.chosen = preset
        for button, candidate in zip(self.buttons, self.presets, strict=True):
            button.button_style = "info" if candidate is preset else ""
        self.takeaway.value = (
            f"<b>{html.escape(preset.name)}:</b> {html.escape(preset.takeaway)}" if preset is not None
            else "<i>Click a preset: the settings of the lecture script, each with the point it makes.</i>"
        )
