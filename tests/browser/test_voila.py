"""Every lesson as a Voilà app (`make present NB=notebooks/<lesson>.ipynb`): it renders, its dashboards answer.

Voilà runs the whole notebook on the server, then shows the outputs without the code. For each notebook: the
page renders with no error output, every dashboard the stored notebook shows is there with a picture, and
moving one control of each changes its picture and leaves exactly one. Screenshots go to
tests/browser/screenshots/voila-NOTEBOOK*.png.
"""

import pytest

from . import harness

pytestmark = pytest.mark.browser

APPS = sorted(path for path in harness.NOTEBOOKS.glob("*.ipynb") if harness.expected_dashboards(path))


@pytest.mark.parametrize("notebook", APPS, ids=[path.stem for path in APPS])
def test_lesson_works_as_a_voila_app(voila_server, voila, notebook):
    page, views = voila.page, []
    expected = harness.expected_dashboards(voila_server.notebooks / notebook.name)
    try:
        # "load" comes when the server has run every cell and sent the last output.
        page.goto(f"{voila_server.url}/voila/render/{notebook.name}", wait_until="load",
                  timeout=harness.PAGE_LOAD * 1000)
        harness.wait_for(lambda: harness.mark_dashboards(page) == expected, harness.REDRAW,
                         f"the app does not show the {expected} dashboards of the notebook")
        assert harness.page_problems(page) == []
        views = [harness.DashboardView(page, index) for index in range(expected)]
        for view in views:
            harness.exercise(view, quick_pairs=False)
        assert harness.page_problems(page) == []
        assert voila.page_errors == [], "uncaught errors in the page"
        outside = harness.outside_requests(voila)
        assert outside == [], "the page asked for something beyond 127.0.0.1"
    except BaseException:
        harness.save_screenshots(page, f"voila-{notebook.stem}", views, failed=True)
        raise
    harness.save_screenshots(page, f"voila-{notebook.stem}", views)
