"""Every lesson in JupyterLab in a real browser: Run All Cells runs clean, and every dashboard answers its controls.

For each notebook: open it on a server with no kernel running, clear the outputs, Run All Cells, then check
that no cell failed and no widget failed to display, that every dashboard the stored notebook shows is
there, and that each one redraws its picture when a slider moves and when two controls move quickly (the
phase switch where it has one), ending with exactly one picture, the right one. Screenshots go to
tests/browser/screenshots/lab-NOTEBOOK*.png.
"""

import re

import pytest

from . import harness

pytestmark = pytest.mark.browser

LESSONS = sorted(harness.NOTEBOOKS.glob("*.ipynb"))
PROMPTS_JS = (
    "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map((p) => p.textContent.trim())"
)
INDICATOR = ".jp-Notebook-ExecutionIndicator"


@pytest.fixture
def lab(lab_server, browser_page):
    """A page on a server without kernels; the kernels the test started are shut down after it, pass or fail."""
    assert lab_server.request("GET", "/api/sessions") == [], "a kernel of an earlier test is still running"
    yield browser_page
    browser_page.page.close()
    lab_server.remember_processes()
    for session in lab_server.request("GET", "/api/sessions"):
        lab_server.request("DELETE", f"/api/sessions/{session['id']}")
    harness.wait_for(lambda: lab_server.request("GET", "/api/kernels") == [], harness.SERVER_STOP,
                     "JupyterLab did not shut the test's kernel down")


def kernel_states(server):
    return [session["kernel"]["execution_state"] for session in server.request("GET", "/api/sessions")]


def kernel_idle(page):
    return page.locator(INDICATOR).get_attribute("data-status") == "idle"


def open_notebook(page, server, name):
    page.goto(f"{server.url}/lab/tree/{name}?reset", wait_until="domcontentloaded",
              timeout=harness.PAGE_LOAD * 1000)
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(timeout=harness.PAGE_LOAD * 1000)
    harness.wait_for(lambda: kernel_states(server) == ["idle"], harness.KERNEL_READY, f"no idle kernel for {name}")
    harness.wait_for(lambda: kernel_idle(page), harness.KERNEL_READY, "JupyterLab does not show the kernel idle")


def menu(page, top, item):
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def run_all_cells(page):
    """Clear every output (so that no stored output can pass for a new one), Run All Cells, wait until done."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    harness.wait_for(lambda: all(p == "[ ]:" for p in page.evaluate(PROMPTS_JS)), 30, "outputs were not cleared")
    menu(page, "Run", "Run All Cells")

    def finished():
        problems = harness.page_problems(page)
        assert not problems, f"a cell failed during Run All Cells: {problems}"
        prompts = page.evaluate(PROMPTS_JS)
        counts = [int(m.group(1)) if (m := re.fullmatch(r"\[(\d+)\]:", p)) else None for p in prompts]
        return counts == list(range(1, len(counts) + 1)) and kernel_idle(page)

    harness.wait_for(finished, harness.RUN_ALL, "Run All Cells did not finish", interval=0.25)


@pytest.mark.parametrize("notebook", LESSONS, ids=[path.stem for path in LESSONS])
def test_lesson_runs_and_its_dashboards_answer_in_jupyterlab(lab_server, lab, notebook):
    page, views = lab.page, []
    expected = harness.expected_dashboards(lab_server.notebooks / notebook.name)
    try:
        open_notebook(page, lab_server, notebook.name)
        run_all_cells(page)
        assert harness.page_problems(page) == []
        found = harness.mark_dashboards(page)
        assert found == expected, f"{found} dashboards drawn, the stored notebook shows {expected}"
        views = [harness.DashboardView(page, index, busy=lambda: not kernel_idle(page)) for index in range(found)]
        for view in views:
            harness.exercise(view)
        assert harness.page_problems(page) == []
        assert lab.page_errors == [], "uncaught errors in the page"
        assert lab.external_requests == [], "the page asked for something beyond 127.0.0.1"
    except BaseException:
        harness.save_screenshots(page, f"lab-{notebook.stem}", views, failed=True)
        raise
    harness.save_screenshots(page, f"lab-{notebook.stem}", views)
