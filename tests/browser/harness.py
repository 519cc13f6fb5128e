"""What the browser tests share: isolated servers that always stop, leftover checks, and a dashboard driver.

Nothing here imports Playwright: the test modules must import (and then skip) on a machine without it.
"""

import contextlib
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Debian's package; another path (or a missing one, to see the skip) can be given for a trial run.
CHROMIUM = Path(os.environ.get("RNNREG_CHROMIUM", "/usr/bin/chromium"))

# Quiet, root-safe, and offline: every host name but 127.0.0.1 fails to resolve, so a page that asks for a
# CDN (Voilà's icon fonts) gets a fast error instead of the network.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1400, "height": 1000}

# Seconds. Generous: they only guard against hangs (a retrain takes up to ~2 s, a run-all up to ~30 s).
SERVER_START = 90
SERVER_STOP = 20
PAGE_LOAD = 180
KERNEL_READY = 90
RUN_ALL = 240
REDRAW = 90
QUIET = 1.5  # a settled dashboard: the same picture and an idle kernel for this long

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def missing_requirements():
    """None when the browser tests can run, else the one line that says how to enable them."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"browser tests skipped: no Chromium at {CHROMIUM}; install it with `apt-get install chromium` "
                "(Debian) to run them")
    missing = [name for name in ("playwright", "jupyterlab", "voila") if importlib.util.find_spec(name) is None]
    if missing:
        return (f"browser tests skipped: the Python package(s) {', '.join(missing)} missing; "
                f"`pip install {' '.join(missing)}` (never `playwright install`: the tests use Debian's Chromium) "
                "to run them")
    return None


def code_lines(notebook_path):
    """Every line of the stored notebook's code cells."""
    cells = json.loads(Path(notebook_path).read_text())["cells"]
    return [line for cell in cells if cell["cell_type"] == "code" for line in "".join(cell["source"]).splitlines()]


def expected_dashboards(notebook_path):
    """How many widget views the stored notebook shows: the dashboards a browser must render."""
    cells = json.loads(Path(notebook_path).read_text())["cells"]
    return sum(WIDGET_VIEW in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))


# ---------------------------------------------------------------------------------------------- processes


# The process helpers live with the benchmarks, which start hubs and servers the same way; the browser tests
# call them as harness.<name>.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from benchmarks.processes import (  # noqa: E402, F401
    command_line,
    descendants,
    describe,
    free_port,
    identity,
    is_alive,
    kill,
    port_is_closed,
    processes_using,
    wait_until_gone,
)


class Server:
    """A server started in its own process group, with its output in a log file.

    ``stop()`` terminates the group, kills it after a timeout, and then kills, by pid, whatever the server
    started in a session of its own (Jupyter kernels do that) and left behind.
    """

    def __init__(self, name, command, *, env, cwd, log_path, port):
        self.name, self.command, self.env, self.cwd, self.log_path, self.port = name, command, env, cwd, log_path, port
        self.process = None
        self.seen = set()  # identities of every process of this server seen so far

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        # Should this process die without its teardown (SIGKILL), the kernel sends the server SIGTERM.
        guard = ["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [*guard, *self.command], env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.seen.add(identity(self.process.pid) or (self.process.pid, -1))
        return self

    def log_tail(self, lines=40):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_ready(self, path, timeout=SERVER_START):
        """Poll GET ``path`` until it answers 200; fail early if the server exits."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode} before it was ready; log:\n"
                    f"{self.log_tail()}"
                )
            try:
                with opener.open(self.url + path, timeout=10) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError, http.client.HTTPException):
                pass
            time.sleep(0.25)
        raise TimeoutError(f"{self.name} did not answer {path} within {timeout} s; log:\n{self.log_tail()}")

    def request(self, method, path, timeout=30):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(urllib.request.Request(self.url + path, method=method), timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def remember_processes(self):
        if self.process is not None:
            self.seen |= descendants(self.process.pid)

    def stop(self, timeout=SERVER_STOP):
        """Stop everything this server started; return the identities of processes that would not die."""
        if self.process is None:
            return set()
        self.remember_processes()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        # Kernels live in sessions of their own: they exit when the server shuts them down (or notices its
        # parent gone within a second); whatever is still there after the grace period is killed by pid.
        left = wait_until_gone(self.seen, timeout)
        kill(left)
        return wait_until_gone(left, 5)


def isolated_environment(root, repo=REPO, shared_matplotlib=None):
    """Environment for a server under ``root``: none of the user's Jupyter, IPython or matplotlib set-up."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_", "IPYTHON", "MPL", "VOILA", "PYTHONPATH"))
    }
    folders = {
        "HOME": "home", "JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data", "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
    }
    if shared_matplotlib is not None:  # one font cache for all servers of a session
        del folders["MPLCONFIGDIR"]
        env["MPLCONFIGDIR"] = str(shared_matplotlib)
    for key, name in folders.items():
        folder = Path(root) / name
        folder.mkdir(parents=True, exist_ok=True)
        env[key] = str(folder)
    env.update(
        PYTHONPATH=str(repo),  # the kernels import this checkout's rnnreg
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",  # as `make` sets them: lesson-sized matrices
        PYDEVD_DISABLE_FILE_VALIDATION="1", PYTHONUNBUFFERED="1",
    )
    return env


def python_module_command(module, *arguments):
    return [sys.executable, "-m", module, *arguments]


# ---------------------------------------------------------------------------------------------- dashboards

# The SHA-256 of the PNG an <img> shows, or null while it is being replaced (its blob URL revoked).
DIGEST_JS = r"""async (img) => {
  if (!img.complete || !img.naturalWidth || !img.src) return null;
  try {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    if (!bytes.byteLength) return null;
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  } catch (error) {
    return null;
  }
}"""

# Marks every top-level output that holds a widget image (a dashboard) with data-rnnreg-dashboard=index.
MARK_DASHBOARDS_JS = r"""() => {
  const outputs = [...document.querySelectorAll('.jp-OutputArea-output')]
    .filter((output) => output.querySelector('img.widget-image'));
  const top = outputs.filter((output) => !outputs.some((other) => other !== output && other.contains(output)));
  top.forEach((output, index) => output.setAttribute('data-rnnreg-dashboard', String(index)));
  return top.length;
}"""

ERROR_TEXTS = ("Error displaying widget", "There was an error when executing cell", "Traceback (most recent call last)")


# All text of the page but scripts and styles. Not innerText: JupyterLab skips rendering cells out of view
# (content-visibility), and innerText leaves their text out.
PAGE_TEXT_JS = r"""() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(node.parentElement && node.parentElement.tagName)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const parts = [];
  while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
  return parts.join(' ');
}"""


def page_problems(page):
    """Error outputs and widget errors on the page, as short texts."""
    problems = [
        f"error output: {text.strip()[:300]}"
        for text in page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        .all_text_contents()
    ]
    text = page.evaluate(PAGE_TEXT_JS)
    problems += [f"the page says {error!r}" for error in ERROR_TEXTS if error in text]
    return problems


class Control:
    """One control of a dashboard that can be changed and changed back: a slider step, a button, a checkbox."""

    def __init__(self, kind, locator, label):
        self.kind, self.locator, self.label = kind, locator, label
        self.original = self.value()
        if kind == "slider":
            at_maximum = float(locator.get_attribute("aria-valuenow")) >= float(locator.get_attribute("aria-valuemax"))
            self.keys = ("ArrowLeft", "ArrowRight") if at_maximum else ("ArrowRight", "ArrowLeft")
        elif kind == "buttons":
            texts = [text.strip() for text in locator.locator("button").all_text_contents()]
            self.target = next(text for text in texts if text != self.original)

    def value(self):
        if self.kind == "slider":
            return self.locator.get_attribute("aria-valuenow")
        if self.kind == "buttons":
            return self.locator.locator("button.mod-active").text_content().strip()
        return self.locator.is_checked()

    def change(self):
        self._act(forward=True)

    def change_back(self):
        self._act(forward=False)

    def _act(self, forward):
        if self.kind == "slider":
            self.locator.press(self.keys[0] if forward else self.keys[1])
        elif self.kind == "buttons":
            text = self.target if forward else self.original
            self.locator.locator("button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).click()
        else:
            self.locator.click()

    def __str__(self):
        return f"{self.kind} {self.label!r}"


class DashboardView:
    """A dashboard as the browser shows it: its controls, its picture (by content digest), its status line.

    ``busy`` is a callable telling whether the kernel is still working (JupyterLab shows it; Voilà does not).
    """

    def __init__(self, page, index, busy=lambda: False):
        self.page, self.index, self.busy = page, index, busy
        self.root = page.locator(f"[data-rnnreg-dashboard='{index}']")
        self.image = self.root.locator("img.widget-image").first  # the plot; more pictures are counted apart

    def digest(self):
        if not self.image.count():
            return None
        return self.image.evaluate(DIGEST_JS)

    def image_count(self):
        """Every picture inside the dashboard's output: a stale figure stacked under the plot would count too."""
        return self.root.locator("img").count()

    def output_count(self):
        """Outputs of the dashboard's cell: a stale figure displayed under the widget would count too."""
        return self.root.evaluate(
            "(e) => { const area = e.closest('.jp-OutputArea'); "
            "return area ? area.querySelectorAll(':scope > .jp-OutputArea-child').length : 1; }"
        )

    def status(self):
        texts = self.root.locator(".widget-html").all_text_contents()
        return texts[-1].strip() if texts else ""

    def controls(self):
        """(primary, secondary): a slider first; then the phase switch, another button group, a checkbox, a slider."""
        handles = self._all(".widget-slider .noUi-handle")
        sliders = [Control("slider", handle, self._label(handle)) for handle in handles]
        groups = [Control("buttons", group, self._label(group)) for group in self._all(".widget-toggle-buttons")]
        boxes = [Control("checkbox", box, self._label(box)) for box in self._all(".widget-checkbox input")]
        phases = [group for group in groups if self._button_texts(group.locator) == ["test", "train"]]
        ordered = sliders + groups + boxes
        primary = ordered[0]
        secondary = next(
            control for control in [*phases, *groups, *boxes, *sliders] if control is not primary
        )
        return primary, secondary

    def wait_for_picture(self, timeout=REDRAW):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            digest = self.digest()
            if digest is not None:
                return digest
            time.sleep(0.2)
        raise AssertionError(f"dashboard {self.index + 1} shows no picture after {timeout} s")

    def wait_for_change(self, before, timeout=REDRAW):
        """The first new picture after ``before``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            digest = self.digest()
            if digest is not None and digest != before:
                return digest
            time.sleep(0.1)
        raise AssertionError(
            f"dashboard {self.index + 1}: the picture did not change within {timeout} s (status: {self.status()!r})"
        )

    def wait_settled(self, before, timeout=REDRAW, quiet=QUIET):
        """The picture once it differs from ``before`` and stays the same, with the kernel idle, for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        last, since, changed = None, None, False
        while time.monotonic() < deadline:
            digest = None if self.busy() else self.digest()
            now = time.monotonic()
            changed = changed or digest not in (None, before)
            if digest is None or digest == before or digest != last:
                last, since = digest, now
            elif now - since >= quiet:
                return digest
            time.sleep(0.1)
        what = "kept changing or the kernel stayed busy" if changed else "did not change"
        raise AssertionError(
            f"dashboard {self.index + 1}: the picture {what} for {timeout} s (status: {self.status()!r})"
        )

    def _all(self, selector):
        found = self.root.locator(selector)
        return [found.nth(index) for index in range(found.count())]

    @staticmethod
    def _button_texts(group):
        return sorted(text.strip() for text in group.locator("button").all_text_contents())

    @staticmethod
    def _label(element):
        return element.evaluate(
            r"""(e) => {
              const box = e.closest('.widget-inline-hbox, .widget-toggle-buttons, .widget-checkbox') || e;
              const label = box.querySelector('.widget-label, label');
              return (label ? label.textContent : box.textContent).trim().slice(0, 60);
            }"""
        )


def exercise(view, quick_pairs=True):
    """Move the dashboard's controls as a student would and check the picture answers each time.

    One control: the picture changes. With ``quick_pairs``, two controls in quick succession (the race that
    once left a stale second figure): one settled picture, the right one. Going back to a setting shows its
    picture again, byte for byte.
    """
    start = view.wait_for_picture()
    primary, secondary = view.controls()
    play = view.root.locator(".widget-play button:has(i.fa-play)")
    if play.count():
        # A live dashboard: a new setting applies from the next training step on, so the status line shows
        # it at once and the picture once ▶ has trained a few steps.
        status = view.status()
        primary.change()
        wait_for(lambda: view.status() != status, REDRAW, f"the status line does not show the new {primary}")
        play.click()
        view.wait_for_change(start)
        view.root.locator(".widget-play button:has(i.fa-pause)").click()
    else:
        primary.change()
    one = view.wait_settled(start)
    assert primary.value() != primary.original, f"{primary} did not move"
    _assert_one_picture(view)
    if not quick_pairs:
        return
    secondary.change()
    primary.change_back()
    two = view.wait_settled(one)
    assert (primary.value(), secondary.value() != secondary.original) == (primary.original, True), (
        f"the controls do not show the setting asked for: {primary}={primary.value()}, {secondary}={secondary.value()}"
    )
    assert two != start, f"dashboard {view.index + 1}: {secondary} did not change the picture"
    _assert_one_picture(view)
    secondary.change_back()
    primary.change()
    again = view.wait_settled(two)
    _assert_one_picture(view)
    assert again == one, (
        f"dashboard {view.index + 1}: after {secondary} and {primary} moved quickly, the picture is not the one "
        "this setting showed before (a stale or non-reproducible picture)"
    )


def _assert_one_picture(view):
    assert view.image_count() == 1, f"dashboard {view.index + 1} shows {view.image_count()} pictures"
    assert view.output_count() == 1, f"dashboard {view.index + 1}'s cell has {view.output_count()} outputs"
    assert "⚠" not in view.status(), f"dashboard {view.index + 1} rejected a setting: {view.status()}"


def wait_for(condition, timeout, message, interval=0.2):
    """Poll ``condition()`` until it returns something true; fail with ``message`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{message} (waited {timeout} s)")


# Voilà's page template asks a CDN for the Font Awesome stylesheets. Chromium resolves no host but 127.0.0.1
# here, so the request fails at once and nothing leaves the machine; any other outside request fails a test.
KNOWN_OUTSIDE_REQUESTS = ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free",)


def outside_requests(record):
    """The requests of a page (``browser_page``'s record) that left 127.0.0.1, but the known harmless one."""
    return [url for url in record.external_requests if not url.startswith(KNOWN_OUTSIDE_REQUESTS)]


def mark_dashboards(page):
    return page.evaluate(MARK_DASHBOARDS_JS)


def save_screenshots(page, prefix, dashboards, failed=False, viewport=VIEWPORT):
    """The page (scrolled to the first dashboard) and each dashboard alone, under tests/browser/screenshots/.

    After a failure only the page is saved, as PREFIX-failed.png; a later pass removes that file.
    """
    SCREENSHOTS.mkdir(exist_ok=True)
    failed_path = SCREENSHOTS / f"{prefix}-failed.png"
    if failed:
        with contextlib.suppress(Exception):  # the page itself may be what failed: the test's error matters more
            page.screenshot(path=failed_path)
        return [failed_path]
    failed_path.unlink(missing_ok=True)
    paths = []
    for view in dashboards:
        # The whole dashboard must fit in the visible part of the page, or toolbars cover its edges.
        height = view.root.bounding_box()["height"]
        page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], int(height) + 400)})
        view.root.scroll_into_view_if_needed()
        box, margin = view.root.bounding_box(), 12  # a little of the page around it, for a calmer picture
        left, top = max(box["x"] - margin, 0), max(box["y"] - margin, 0)
        clip = {"x": left, "y": top, "width": box["x"] + box["width"] + margin - left,
                "height": box["y"] + box["height"] + margin - top}
        path = SCREENSHOTS / f"{prefix}-dashboard{view.index + 1}.png"
        page.screenshot(path=path, clip=clip, animations="disabled")
        paths.append(path)
    page.set_viewport_size(viewport)
    if dashboards:  # the first dashboard's title at the top of the view, as a student scrolls to it
        dashboards[0].root.evaluate("(e) => e.scrollIntoView({block: 'start'})")
    path = SCREENSHOTS / f"{prefix}.png"
    page.screenshot(path=path, animations="disabled")
    return [path, *paths]
