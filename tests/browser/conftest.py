"""Headless Chromium (Playwright) against JupyterLab and Voilà, each on a free loopback port without a token.

- Without ``/usr/bin/chromium`` or the ``playwright`` package every browser test is skipped, with one line
  saying how to enable them; nothing here is imported or started then.
- The browser tests run after every other test of the session (they are the slowest).
- Each server runs from a temporary copy of ``notebooks/`` (JupyterLab autosaves) with temporary Jupyter,
  IPython, matplotlib and home folders, in a process group of its own. Teardown stops it also when a test
  failed, kills what would not stop, and fails if a process, a port or a changed stored notebook is left.
"""

import hashlib
import os
import shutil
import tempfile
import types
from pathlib import Path

import pytest

from . import harness

MISSING = harness.missing_requirements()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Browser tests last, whatever else was collected (this hook sees the whole session's items)."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser:
        items[:] = [item for item in items if not item.get_closest_marker("browser")] + browser


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Raised here, not as a skip mark, so that pytest -ra groups every skip into one line with this location.
    if MISSING and item.get_closest_marker("browser"):
        pytest.skip(MISSING)


# -------------------------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser_root():
    """One temporary folder for everything the browser tests create; removed at the end."""
    root = Path(tempfile.mkdtemp(prefix="rnnreg-browser-"))
    (root / "matplotlib").mkdir()
    yield root
    strays = harness.wait_until_gone(harness.processes_using(root), 5)  # a grace period for those on their way out
    harness.kill(strays)
    shutil.rmtree(root, ignore_errors=True)
    assert not strays, f"processes were still running in the browser tests' folder: {harness.describe(strays)}"


@pytest.fixture(scope="session")
def browser(browser_root):
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    children_before = harness.descendants(os.getpid())
    playwright = sync_playwright().start()
    driver = harness.descendants(os.getpid()) - children_before  # Playwright's driver: Chromium runs under it
    home = browser_root / "chromium-home"
    home.mkdir()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(harness.CHROMIUM), headless=True, args=harness.CHROMIUM_FLAGS,
            env={**os.environ, "HOME": str(home)}, timeout=60_000,
        )
    except BaseException:
        playwright.stop()
        raise
    yield chromium
    ours = set(driver) | harness.processes_using(home)  # Chromium's crash handler leaves the process tree
    for process_id in driver:
        ours |= harness.descendants(process_id[0])
    try:
        chromium.close()
    finally:
        playwright.stop()
    left = harness.wait_until_gone(ours | harness.processes_using(home), harness.SERVER_STOP)
    harness.kill(left)
    assert not left, f"Chromium or Playwright processes would not stop: {harness.describe(left)}"


@pytest.fixture
def browser_page(browser):
    """A fresh browser context and page; records uncaught page errors and requests that left 127.0.0.1."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    record = types.SimpleNamespace(page=page, page_errors=[], external_requests=[])
    page.on("pageerror", lambda error: record.page_errors.append(str(error)[:500]))
    page.on(
        "request",
        lambda request: None if request.url.startswith(("http://127.0.0.1:", "blob:", "data:"))
        else record.external_requests.append(request.url),
    )
    yield record
    context.close()


# -------------------------------------------------------------------------------------------- the servers


def _stored_notebooks():
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in harness.NOTEBOOKS.glob("*.ipynb")}


def _start_server(name, root, command_for, ready_path, shared_matplotlib):
    """Start ``command_for(port, notebooks)`` under ``root`` on a free port; retry if the port was taken meanwhile."""
    notebooks = root / "notebooks"
    shutil.copytree(harness.NOTEBOOKS, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = harness.isolated_environment(root, shared_matplotlib=shared_matplotlib)
    for attempt in range(3):
        port = harness.free_port()
        server = harness.Server(
            name, command_for(port, notebooks), env=env, cwd=root, log_path=root / "server.log", port=port,
        )
        server.notebooks = notebooks
        try:
            server.start()
            server.wait_ready(ready_path)
            return server
        except RuntimeError:  # exited early: most likely the port was taken between our probe and its bind
            server.stop()
            if attempt == 2:
                raise
        except BaseException:
            server.stop()
            raise
    raise AssertionError("unreachable")


def _stop_server(server, root, stored_before):
    problems = []
    left = server.stop()
    if left:
        problems.append(f"{server.name} processes would not die: {harness.describe(left)}")
    strays = harness.wait_until_gone(harness.processes_using(root), 5)
    harness.kill(strays)
    if strays:
        problems.append(f"processes still running in {server.name}'s folder: {harness.describe(strays)}")
    if not harness.port_is_closed(server.port):
        problems.append(f"port {server.port} still accepts connections after {server.name} stopped")
    if _stored_notebooks() != stored_before:
        problems.append("a stored notebook in notebooks/ changed while the browser tests ran")
    assert not problems, "; ".join(problems)


@pytest.fixture(scope="module")
def lab_server(browser_root):
    """JupyterLab without token on 127.0.0.1, default settings except the news pop-up."""
    root = browser_root / "lab"
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    stored = _stored_notebooks()

    def command(port, notebooks):
        return harness.python_module_command(
            "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={notebooks}", "--IdentityProvider.token=", "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True", "--ServerApp.terminals_enabled=False", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root",
        )

    server = _start_server("JupyterLab", root, command, "/api/status", browser_root / "matplotlib")
    yield server
    _stop_server(server, root, stored)


@pytest.fixture(scope="session")
def voila_server(browser_root):
    """Voilà serving the notebooks folder as apps on 127.0.0.1, one server for the lessons and the presenter views.

    Its XSRF check is off: Voilà stops an app's kernel when the page goes away by a beacon that carries no
    XSRF token, and refuses it otherwise (voila-dashboards/voila#1458, open), so every page left a kernel
    running. A server on a random loopback port for a few minutes loses nothing by it.
    """
    root = browser_root / "voila"
    root.mkdir()
    stored = _stored_notebooks()

    def command(port, notebooks):
        return harness.python_module_command(
            "voila", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            "--show_tracebacks=True", "--Voila.tornado_settings={'disable_check_xsrf': True}",
            f"--Voila.connection_dir_root={root / 'runtime'}", str(notebooks),
        )

    server = _start_server("Voilà", root, command, "/", browser_root / "matplotlib")
    yield server
    _stop_server(server, root, stored)



def _app_kernels(server):
    server.remember_processes()
    children = harness.descendants(server.process.pid)
    return [pid for pid, _ in children if "ipykernel" in (harness.command_line(pid) or "")]


@pytest.fixture
def voila(voila_server, browser_page):
    """A page for one Voilà app; its kernel is gone after the test, pass or fail (Voilà stops it when the page goes)."""
    harness.wait_for(lambda: not _app_kernels(voila_server), harness.SERVER_STOP, "a kernel of an earlier app runs")
    yield browser_page
    browser_page.page.close(run_before_unload=True)
    harness.wait_for(lambda: not _app_kernels(voila_server), harness.SERVER_STOP,
                     "Voilà did not stop the app's kernel after the page closed")
