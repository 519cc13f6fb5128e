"""Every lesson's presenter view as `make present NB=..` shows it, in a 1920×1080 browser window at 100 %.

For each dashboard: the whole of it (title, presets, takeaway, controls, panel selector, picture, status line)
lies inside the window once scrolled to its top, the status line's text is at least 20 px, a preset click
changes the picture (turning to the panel that shows it) and shows that preset's takeaway, and a panel button
shows another panel. The live
dashboard's picture shows what was trained, so a preset shows in its status line (its new settings) and in
the picture once ▶ trained. Screenshots go to tests/browser/screenshots/presenter-NOTEBOOK*.png.
"""

import re

import pytest
from helpers import controls_only

from rnnreg import widgets
from rnnreg.lessons.presets import panels_for, presets_for

from . import harness

pytestmark = pytest.mark.browser

VIEWS = sorted((harness.NOTEBOOKS / "present").glob("*.ipynb"))
PROJECTOR = {"width": 1920, "height": 1080}
MIN_STATUS_PX = 20

BOX_JS = """(e) => {
  e.scrollIntoView({block: 'start'});
  const box = e.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          pageWidth: document.documentElement.scrollWidth};
}"""


def _dashboard_classes(notebook):
    """The dashboards the presenter view builds, in order (read from its code, as the hygiene test does)."""
    names = re.findall(r"\b(\w+Dashboard)\(presenter=True\)", "\n".join(harness.code_lines(notebook)))
    return [getattr(widgets, name) for name in names]


def _first_preset_off_the_start(dashboard_class):
    """A preset whose setting is not the one the dashboard opens with: clicking it must change something."""
    start = controls_only(dashboard_class).params()
    return next(preset for preset in presets_for(dashboard_class) if dict(preset.values) != start)


def _assert_fits_the_projector(page, view):
    box = view.root.locator(".rnnreg-presenter").evaluate(BOX_JS)
    assert box["top"] >= -1 and box["left"] >= 0, box  # -1: scrolling stops on sub-pixel offsets
    assert box["bottom"] <= PROJECTOR["height"] and box["right"] <= PROJECTOR["width"], (
        f"dashboard {view.index + 1} does not fit a 1920×1080 window: {box}")
    assert box["pageWidth"] <= PROJECTOR["width"], "the page scrolls sideways"
    status_px = view.root.locator(".widget-html-content").last.evaluate(
        "(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert status_px >= MIN_STATUS_PX, f"dashboard {view.index + 1}'s status line is {status_px} px"


def _click_a_preset(view, dashboard_class):
    chosen = _first_preset_off_the_start(dashboard_class)
    takeaway = view.root.locator(".widget-html-content", has_text=chosen.takeaway)
    assert takeaway.count() == 0
    picture, status = view.wait_for_picture(), view.status()
    view.root.get_by_role("button", name=chosen.name, exact=True).click()
    harness.wait_for(lambda: takeaway.count() == 1, harness.REDRAW, f"no takeaway of {chosen.name!r}")
    play = view.root.locator(".widget-play button:has(i.fa-play)")
    if play.count():  # the live dashboard: the new setting in the status line now, in the picture once trained
        harness.wait_for(lambda: view.status() != status, harness.REDRAW, "the status line ignored the preset")
        play.click()
        view.wait_for_change(picture)
        view.root.locator(".widget-play button:has(i.fa-pause)").click()
    view.wait_settled(picture)
    assert "⚠" not in view.status(), view.status()
    return chosen


def _show_another_panel(view, dashboard_class, shown):
    other = [name for name in panels_for(dashboard_class) if name != shown]
    if not other:
        return
    picture = view.wait_for_picture()
    view.root.get_by_role("button", name=other[0], exact=True).click()
    view.wait_settled(picture)


@pytest.mark.parametrize("notebook", VIEWS, ids=[path.stem for path in VIEWS])
def test_presenter_view_fits_a_projector_and_its_presets_show_their_takeaways(voila_server, voila, notebook):
    page, views = voila.page, []
    classes = _dashboard_classes(notebook)
    page.set_viewport_size(PROJECTOR)
    try:
        page.goto(f"{voila_server.url}/voila/render/present/{notebook.name}", wait_until="load",
                  timeout=harness.PAGE_LOAD * 1000)
        harness.wait_for(lambda: harness.mark_dashboards(page) == len(classes), harness.REDRAW,
                         f"the presenter view does not show its {len(classes)} dashboards")
        views = [harness.DashboardView(page, index) for index in range(len(classes))]
        for view, dashboard_class in zip(views, classes, strict=True):
            view.wait_for_picture()
            _assert_fits_the_projector(page, view)
            chosen = _click_a_preset(view, dashboard_class)
            _show_another_panel(view, dashboard_class, chosen.panel or panels_for(dashboard_class)[0])
            _assert_fits_the_projector(page, view)
        assert harness.page_problems(page) == []
        assert voila.page_errors == [], "uncaught errors in the page"
        assert harness.outside_requests(voila) == [], "the page asked for something beyond 127.0.0.1"
    except BaseException:
        harness.save_screenshots(page, f"presenter-{notebook.stem}", views, failed=True)
        raise
    harness.save_screenshots(page, f"presenter-{notebook.stem}", views, viewport=PROJECTOR)
