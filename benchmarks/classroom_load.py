"""Classroom load: N students on one JupyterHub run lesson 01 and move its L1/L2 slider (issue 15 point 4).

    deploy/jupyterhub/.venv/bin/python benchmarks/classroom_load.py [--students 10] [--moves 10] [--json PATH]

The hub of deploy/jupyterhub starts on free loopback ports with its state in a fresh temporary folder. Every
simulated student (student1 ... studentN, at the same time) logs in through the login form, spawns a server,
starts a kernel for their copy of ``rnnreg-lessons/01_regularizers.ipynb`` over the Jupyter REST API, runs every
code cell over the kernel's websocket as JupyterLab's "Run All" does, then moves the dashboard's L1/L2 strength
slider ``--moves`` times with the comm message a browser sends. Kernel and server memory and CPU time come from
/proc. The table goes to the terminal, the numbers to JSON, with what a course of 80 needs (benchmarks/README.md,
"Classroom load"). At the end the hub stops and no process it started is left behind.

Runs in the hub's environment (``make test-hub`` creates it: JupyterHub, requests, tornado, the proxy from npm).
The pure helpers (message decoding, the slider's moves, statistics, sizing) need only the standard library and
NumPy, so ``tests/test_classroom_load.py`` tests them in the main environment; requests and tornado are imported
where the hub is driven.
"""

import argparse
import asyncio
import contextlib
import datetime
import itertools
import json
import math
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(REPOSITORY))

from benchmarks import harness  # noqa: E402
from benchmarks.processes import (  # noqa: E402
    all_pids,
    command_line,
    free_port,
    kill,
    processes_using,
    wait_until_gone,
)

HUB_FOLDER = REPOSITORY / "deploy" / "jupyterhub"
PROXY = HUB_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"
LESSON = "rnnreg-lessons/01_regularizers.ipynb"
PASSWORD = "rnnreg"
MOST_STUDENTS = 10  # jupyterhub_config.py allows student1 ... student10
DEFAULT_JSON = REPOSITORY / "benchmarks" / "results" / "classroom_load.json"
COURSE = 80

# The L1/L2 strength slider of RegularizerDashboard (rnnreg/widgets/controls.py, strength_slider): a
# SelectionSlider, whose synced state is the index of its option, not the value.
SLIDER_DESCRIPTION = "regularization strength α"
SLIDER_MODELS = ("SelectionSliderModel", "FloatSliderModel", "FloatLogSliderModel")
PICTURE_MODEL = "ImageModel"  # every dashboard draws its figure into an ipywidgets Image
# Dashboard.show_error starts the status line with this sign when a setting is rejected.
WARNING_SIGN = "⚠"

STARTUP_SECONDS = 120
CELL_SECONDS = 900  # one cell of a loaded machine: the lesson's sweeps train for minutes when 10 kernels share 2 cores
MOVE_SECONDS = 300
MIB = 1024 * 1024


# ------------------------------------------------------------------------------ notebook and kernel messages


def code_cells(notebook):
    """[(cell, source)] of every non-empty code cell of a notebook (nbformat 4 JSON), in order.

    ``cell`` is the cell's position among all cells of the notebook, counted from 1, as a student counts them.
    """
    cells = []
    for position, cell in enumerate(notebook["cells"], start=1):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "code" and source.strip():
            cells.append((position, source))
    return cells


def kernel_message(msg_type, content, session, channel="shell"):
    """A Jupyter message as the server's kernel websocket takes it (JSON, with the channel named)."""
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student", "session": session,
                   "date": datetime.datetime.now(datetime.UTC).isoformat(), "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": [],
    }


def decode_message(raw):
    """A kernel message from the server's websocket: JSON text, or the binary form of a message with buffers.

    The binary form (jupyter_server's ``serialize_binary_message``): a big-endian uint32 count of parts, one
    uint32 offset per part from the start of the blob, then the parts; the first part is the JSON message, the
    others are its buffers (a widget's PNG, for instance).

    Raises
    ------
    ValueError
        When the blob's offsets do not fit inside it.
    """
    if isinstance(raw, str):
        return json.loads(raw)
    (parts,) = struct.unpack_from("!I", raw, 0)
    offsets = [*struct.unpack_from(f"!{parts}I", raw, 4), len(raw)]
    if parts < 1 or offsets != sorted(offsets) or offsets[0] < 4 * (parts + 1):
        raise ValueError(f"a binary kernel message with offsets outside its {len(raw)} bytes, got {offsets[:-1]!r}")
    message = json.loads(raw[offsets[0]:offsets[1]].decode("utf-8"))
    message["buffers"] = [raw[start:stop] for start, stop in itertools.pairwise(offsets[1:])]
    return message


def widget_states(messages):
    """{comm_id: state} of every widget the messages opened, with the updates the kernel sent after applied."""
    states = {}
    for message in messages:
        kind, content = message["header"]["msg_type"], message["content"]
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            states[content["comm_id"]] = dict(content["data"]["state"])
        elif (kind == "comm_msg" and content["comm_id"] in states
              and content["data"].get("method") in ("update", "echo_update")):
            states[content["comm_id"]].update(content["data"].get("state", {}))
    return states


def find_slider(states, description=SLIDER_DESCRIPTION):
    """(comm_id, state) of the one slider widget with this description.

    Raises
    ------
    LookupError
        When no slider or more than one has it; the message lists the sliders there are.
    """
    sliders = {comm_id: state for comm_id, state in states.items() if state.get("_model_name") in SLIDER_MODELS}
    matches = [(comm_id, state) for comm_id, state in sliders.items() if state.get("description") == description]
    if len(matches) != 1:
        seen = sorted({str(state.get("description")) for state in sliders.values()})
        raise LookupError(f"expected one slider described {description!r}, found {len(matches)}; sliders: {seen}")
    return matches[0]


def slider_moves(state, moves):
    """``moves`` state updates that each set the slider to a distinct value of its own range, never its current one.

    Distinct values make every move draw a picture the dashboard has not drawn yet (a setting seen before would
    show a kept PNG). A SelectionSlider syncs the ``index`` of its option; a Float(Log)Slider its ``value``,
    here spread evenly over its range (over the exponents for a log slider) and snapped to its step.

    Raises
    ------
    ValueError
        When the slider has fewer other values than ``moves``.
    """
    if state["_model_name"] == "SelectionSliderModel":
        choices = [{"index": index} for index in range(len(state["_options_labels"])) if index != state["index"]]
    else:
        low, high, step = state["min"], state["max"], state["step"]
        points = np.unique(np.round(np.linspace(low, high, moves + 1) / step) * step)
        if state["_model_name"] == "FloatLogSliderModel":
            points = state["base"] ** points
        choices = [{"value": float(value)} for value in points if not math.isclose(value, state["value"])]
    if len(choices) < moves:
        raise ValueError(f"the slider {state.get('description')!r} has {len(choices)} other values, "
                         f"fewer than moves={moves!r}")
    return choices[:moves]


def message_errors(message):
    """What one message from the kernel shows of an error: [] or short descriptions ("ValueError", ...).

    An ``error`` message, a traceback in any text output, and a dashboard status line that starts with
    ``WARNING_SIGN`` (a setting the dashboard rejected) count.
    """
    kind, content = message["header"]["msg_type"], message["content"]
    if kind == "error":
        return [content.get("ename", "error")]
    if kind == "stream":
        return [f"traceback on {content['name']}"] if "Traceback" in content["text"] else []
    if kind in ("execute_result", "display_data", "update_display_data"):
        text = content.get("data", {}).get("text/plain", "")
        return ["traceback in an output"] if "Traceback" in text else []
    if kind in ("comm_open", "comm_msg"):
        state = content.get("data", {}).get("state", {})
        texts = [value for value in state.values() if isinstance(value, str)]
        if any(WARNING_SIGN in text or "Traceback" in text for text in texts):
            return ["a widget shows a warning or traceback"]
    return []


def lost_kernel_signs(messages):
    """Status messages that say the kernel died or was restarted by the server (``restarting``, ``dead``)."""
    return [message["content"]["execution_state"] for message in messages
            if message["header"]["msg_type"] == "status"
            and message["content"].get("execution_state") in ("restarting", "dead")]


# ------------------------------------------------------------------------------ statistics and sizing


def spread(values):
    """{"min", "median", "mean", "max"} of ``values``, or None when there are none."""
    if len(values) == 0:
        return None
    return {"min": float(np.min(values)), "median": float(np.median(values)), "mean": float(np.mean(values)),
            "max": float(np.max(values))}


def percentiles(values, levels=(50, 95)):
    """{"p50": ..., "p95": ...} of ``values`` (linear interpolation between samples), or None when there are none."""
    if len(values) == 0:
        return None
    return {f"p{level}": float(np.percentile(values, level)) for level in levels}


def student_cpu_seconds(student):
    """CPU seconds of a student's kernel and server together, or None unless both were measured."""
    if student["kernel_cpu_seconds"] is None or student["server_cpu_seconds"] is None:
        return None
    return student["kernel_cpu_seconds"] + student["server_cpu_seconds"]


def summarize(students, wall_seconds):
    """The figures of one run over all students: what the README table shows."""
    latencies = [latency for student in students for latency in student["slider_seconds"]]

    def measured(values):
        return spread([value for value in values if value is not None])

    return {
        "students": len(students),
        "wall_seconds": wall_seconds,
        "spawn_seconds": measured(s["spawn_seconds"] for s in students),
        "run_seconds": measured(s["run_seconds"] for s in students),
        "slider_seconds": percentiles(latencies),
        "slider_moves": len(latencies),
        "kernel_peak_mib": measured(s["kernel_peak_mib"] for s in students),
        "server_peak_mib": measured(s["server_peak_mib"] for s in students),
        "cpu_seconds_per_student": measured(student_cpu_seconds(s) for s in students),
        "errors": sum(len(student["errors"]) for student in students),
        "lost_kernels": sum(bool(student["lost_kernel"]) for student in students),
    }


def course_sizing(summary, hub, course=COURSE):
    """What ``course`` students working at the same time need to get the speed this run measured.

    memory = course × (largest kernel peak + largest server peak) + the hub's and proxy's peak
    cores  = course × (mean CPU seconds per student + the hub's and proxy's CPU seconds / N) / wall seconds

    The cores are the measured CPU demand scaled: N students used that many CPU seconds within the run's wall
    time, so ``course`` students doing the same in the same time keep ``cores`` busy on average.
    """
    students = summary["students"]
    per_student_mib = summary["kernel_peak_mib"]["max"] + summary["server_peak_mib"]["max"]
    hub_cpu_per_student = hub["cpu_seconds"] / students
    cpu_per_student = summary["cpu_seconds_per_student"]["mean"] + hub_cpu_per_student
    cores_per_student = cpu_per_student / summary["wall_seconds"]
    return {
        "course": course,
        "memory_per_student_mib": per_student_mib,
        "hub_memory_mib": hub["peak_mib"],
        "memory_gib": (course * per_student_mib + hub["peak_mib"]) / 1024,
        "cpu_seconds_per_student": cpu_per_student,
        "cores_per_student": cores_per_student,
        "cores": course * cores_per_student,
        "cores_rounded_up": math.ceil(course * cores_per_student),
    }


# ------------------------------------------------------------------------------ processes, from /proc


def _proc_field(pid, name):
    """A ``kB`` field of /proc/<pid>/status in MiB (VmRSS, VmHWM), or None when the process is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1]) / 1024
    return None


def peak_memory_mib(pid):
    """The process's peak resident memory (VmHWM: the kernel's own high-water mark, no sampling gaps), in MiB."""
    return _proc_field(pid, "VmHWM")


def cpu_seconds(pid):
    """User plus system CPU seconds the process has used (/proc/<pid>/stat utime + stime), or None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _environment(pid):
    with contextlib.suppress(OSError):
        entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        return dict(entry.decode(errors="replace").split("=", 1) for entry in entries if b"=" in entry)
    return {}


def kernel_pid(kernel_id):
    """The pid of the kernel process: its command line names its connection file, ``kernel-<id>.json``."""
    return next((pid for pid in all_pids() if f"kernel-{kernel_id}.json" in (command_line(pid) or "")), None)


def server_pid(user):
    """The pid of ``user``'s single-user server (the spawner sets JUPYTERHUB_USER in its environment)."""
    return next((pid for pid in all_pids() if "jupyterhub-singleuser" in (command_line(pid) or "")
                 and _environment(pid).get("JUPYTERHUB_USER") == user), None)


def processes_working_in(folder):
    """Pids of the processes working in ``folder``: the hub, the proxy, the servers and their kernels."""
    return sorted(pid for pid, _ in processes_using(folder))


def machine_busy_seconds():
    """Busy CPU seconds of the whole machine since boot, all cores (/proc/stat): to see others' load."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def memory_gib():
    """The machine's memory (MemTotal of /proc/meminfo) in GiB."""
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    return round(memory_kib / 1024 / 1024, 1)


def git_state():
    """The commit, and which files behind the run differ from it (the working tree is shared while it runs)."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=REPOSITORY, capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--", "notebooks/01_regularizers.ipynb", "rnnreg", "deploy/jupyterhub",
                  "benchmarks/classroom_load.py")
    return {"commit": git("rev-parse", "HEAD"), "changed_files": changed.splitlines()}


# ------------------------------------------------------------------------------ the hub


def wait_until(condition, what, seconds=STARTUP_SECONDS):
    """Call ``condition`` every quarter second until it is true; TimeoutError naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise TimeoutError(f"{what} within {seconds} s")


@contextlib.contextmanager
def running_hub(folder):
    """A hub from deploy/jupyterhub on free loopback ports, its state in ``folder``.

    Yields {"url", "process"}; after the block the hub is stopped with SIGTERM (it stops the proxy and the servers
    it started), whatever still works in ``folder`` is killed (only processes this hub started) and their pids are
    in the dict's "leftovers" ([] when the hub cleaned up after itself). Raises RuntimeError if the hub exits while
    starting, TimeoutError if it does not answer.
    """
    import requests

    port = free_port()
    environment = dict(os.environ, RNNREG_HUB_PORT=str(port), RNNREG_HUB_API_PORT=str(free_port()),
                       RNNREG_HUB_PROXY_PORT=str(free_port()), RNNREG_HUB_STATE=str(folder / "state"))
    hub = Path(sys.executable).parent / "jupyterhub"
    with (folder / "hub.log").open("w") as log:
        process = subprocess.Popen([str(hub), "-f", str(HUB_FOLDER / "jupyterhub_config.py")], cwd=folder,
                                   env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        hub = {"url": f"http://127.0.0.1:{port}", "process": process, "leftovers": None}

        def answers():
            if process.poll() is not None:
                raise RuntimeError(f"the hub exited: {(folder / 'hub.log').read_text()[-3000:]}")
            try:
                return requests.get(f"{hub['url']}/hub/api/", timeout=5).status_code == 200
            except requests.ConnectionError:
                return False

        try:
            wait_until(answers, "the hub did not answer on /hub/api/")
            yield hub
        finally:
            hub["leftovers"] = _stop_hub(process, folder)


def _stop_hub(process, folder):
    """SIGTERM to the hub, then kill what still works in ``folder``; return the pids that had to be killed."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    leftovers = wait_until_gone(processes_using(folder), 20)
    kill(leftovers)
    return sorted(pid for pid, _ in leftovers)


def hub_processes(hub_process, folder):
    """{"peak_mib", "cpu_seconds"} of the hub and its proxy together: the part of the machine no student owns."""
    proxies = [pid for pid in processes_working_in(folder) if "configurable-http-proxy" in (command_line(pid) or "")]
    pids = [hub_process.pid, *proxies]
    return {"pids": pids, "peak_mib": sum(peak_memory_mib(pid) or 0.0 for pid in pids),
            "cpu_seconds": sum(cpu_seconds(pid) or 0.0 for pid in pids)}


# ------------------------------------------------------------------------------ one student


def log_in(url, name):
    """A requests session logged in through the hub's login form, as a browser does."""
    import requests

    session = requests.Session()
    session.get(f"{url}/hub/login", timeout=30).raise_for_status()
    answer = session.post(f"{url}/hub/login", data={"username": name, "password": PASSWORD,
                                                    "_xsrf": session.cookies["_xsrf"]},
                          allow_redirects=False, timeout=60)
    if answer.status_code != 302:
        raise RuntimeError(f"{name}: login refused with HTTP {answer.status_code}")
    return session


def wait_for_server(session, url, name, headers):
    """Follow the hub's spawn progress events, as the browser's spawn page does, until the server is ready.

    Listening instead of polling the hub's REST API keeps the hub's CPU what a class of browsers costs it.
    Raises RuntimeError when the spawn failed or the stream ended before the server was ready.
    """
    with session.get(f"{url}/hub/api/users/{name}/server/progress", headers=headers, stream=True,
                     timeout=STARTUP_SECONDS) as events:
        events.raise_for_status()
        for line in events.iter_lines(decode_unicode=True):
            event = json.loads(line[len("data:"):]) if line.startswith("data:") else {}
            if event.get("failed"):
                raise RuntimeError(f"{name}'s server failed to start: {event.get('message')}")
            if event.get("ready"):
                return
    raise RuntimeError(f"{name}'s spawn progress ended before the server was ready")


def spawn(session, url, name):
    """Start ``name``'s server and wait until the hub reports it ready; return an API token for it."""
    headers = {"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")}
    answer = session.post(f"{url}/hub/api/users/{name}/server", headers=headers, timeout=60)
    if answer.status_code not in (201, 202):
        raise RuntimeError(f"{name}: spawn refused with HTTP {answer.status_code}: {answer.text[:300]}")

    wait_for_server(session, url, name, headers)
    # The first page completes the server's OAuth login with the hub's cookie, as opening JupyterLab does.
    session.get(f"{url}/user/{name}/lab", timeout=60).raise_for_status()
    token = session.post(f"{url}/hub/api/users/{name}/tokens", headers=headers, timeout=30,
                         json={"note": "classroom load benchmark", "expires_in": 7200})
    token.raise_for_status()
    return token.json()["token"]


def open_lesson(url, name, token):
    """Start a kernel for the student's copy of the lesson, as opening the notebook does: (notebook, kernel id)."""
    import requests

    headers = {"Authorization": f"token {token}"}
    lesson = requests.get(f"{url}/user/{name}/api/contents/{LESSON}", headers=headers, timeout=60)
    lesson.raise_for_status()
    kernel_session = requests.post(f"{url}/user/{name}/api/sessions", headers=headers, timeout=120,
                                   json={"path": LESSON, "name": Path(LESSON).name, "type": "notebook",
                                         "kernel": {"name": "python3"}})
    kernel_session.raise_for_status()
    return lesson.json()["content"], kernel_session.json()["kernel"]["id"]


def kernel_alive(url, name, token, kernel_id):
    """True while the server lists the kernel and does not report it dead."""
    import requests

    answer = requests.get(f"{url}/user/{name}/api/kernels/{kernel_id}",
                          headers={"Authorization": f"token {token}"}, timeout=60)
    return answer.status_code == 200 and answer.json().get("execution_state") != "dead"


class KernelChannels:
    """The kernel's websocket (/user/<name>/api/kernels/<id>/channels): send a request, wait until it is handled.

    Every message the kernel sends is kept in ``messages`` in order; ``request`` returns those that answer it.
    """

    def __init__(self, connection):
        self.connection = connection
        self.session = uuid.uuid4().hex
        self.messages = []
        self.closed = False
        self._pending = {}  # msg_id -> {"future", "needs_reply", "replied", "idle"}
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, url, name, token, kernel_id):
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        address = url.replace("http://", "ws://") + f"/user/{name}/api/kernels/{kernel_id}/channels"
        request = HTTPRequest(address, headers={"Authorization": f"token {token}"}, request_timeout=120)
        return cls(await websocket_connect(request, max_message_size=256 * MIB))

    async def _read(self):
        while (raw := await self.connection.read_message()) is not None:
            message = decode_message(raw)
            self.messages.append(message)
            self._note(message)
        self.closed = True
        for waiting in self._pending.values():
            if not waiting["future"].done():
                waiting["future"].set_exception(ConnectionError("the kernel's websocket closed"))

    def _note(self, message):
        waiting = self._pending.get(message["parent_header"].get("msg_id"))
        if waiting is None:
            return
        kind = message["header"]["msg_type"]
        waiting["replied"] |= kind.endswith("_reply")
        waiting["idle"] |= kind == "status" and message["content"]["execution_state"] == "idle"
        if waiting["idle"] and (waiting["replied"] or not waiting["needs_reply"]) and not waiting["future"].done():
            waiting["future"].set_result(None)

    async def request(self, msg_type, content, seconds, needs_reply=True):
        """Send one shell message and wait until the kernel replied (if ``needs_reply``) and went idle after it.

        Returns the messages the kernel sent for it. Raises TimeoutError after ``seconds``, ConnectionError when
        the websocket closes first.
        """
        message = kernel_message(msg_type, content, self.session)
        msg_id = message["header"]["msg_id"]
        future = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = {"future": future, "needs_reply": needs_reply, "replied": False, "idle": False}
        await self.connection.write_message(json.dumps(message))
        try:
            await asyncio.wait_for(future, seconds)
        finally:
            del self._pending[msg_id]
        return [answer for answer in self.messages if answer["parent_header"].get("msg_id") == msg_id]

    async def close(self):
        self.connection.close()
        with contextlib.suppress(ConnectionError):
            await self._reader


def new_record(name):
    return {"name": name, "spawn_seconds": None, "run_seconds": None, "slider_seconds": [], "pictures": 0,
            "kernel_peak_mib": None, "server_peak_mib": None, "kernel_cpu_seconds": None, "server_cpu_seconds": None,
            "errors": [], "lost_kernel": False}


async def run_notebook(channels, notebook, record):
    """Run every code cell in order, as "Run All" does; stop at the first error (later cells depend on it)."""
    started = time.monotonic()
    for cell, source in code_cells(notebook):
        answers = await channels.request("execute_request", {
            "code": source, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False,
            "stop_on_error": True}, CELL_SECONDS)
        problems = [problem for answer in answers for problem in message_errors(answer)]
        reply = next(answer for answer in answers if answer["header"]["msg_type"] == "execute_reply")
        if reply["content"]["status"] != "ok" and not problems:
            problems = [reply["content"].get("ename", reply["content"]["status"])]
        if problems:
            record["errors"].append({"stage": "notebook", "cell": cell, "problems": sorted(set(problems))})
            return False
    record["run_seconds"] = time.monotonic() - started
    return True


async def move_slider(channels, moves, record, description):
    """Move the L1/L2 slider to ``moves`` distinct values, timing each from sending until the kernel is idle."""
    # The widgets the lesson opened, read once: a slider move opens no new widget, it updates the picture's.
    states = widget_states(channels.messages)
    comm_id, state = find_slider(states, description)
    pictures = {comm for comm, widget in states.items() if widget.get("_model_name") == PICTURE_MODEL}
    for update in slider_moves(state, moves):
        started = time.monotonic()
        answers = await channels.request("comm_msg", {"comm_id": comm_id, "data": {
            "method": "update", "state": update, "buffer_paths": []}}, MOVE_SECONDS, needs_reply=False)
        record["slider_seconds"].append(time.monotonic() - started)
        redrawn = any(answer["header"]["msg_type"] == "comm_msg" and answer["content"]["comm_id"] in pictures
                      and answer["content"]["data"].get("method") == "update" for answer in answers)
        record["pictures"] += redrawn
        problems = [problem for answer in answers for problem in message_errors(answer)]
        if not redrawn:
            problems.append("no new picture")
        if problems:
            record["errors"].append({"stage": "slider", "move": update, "problems": sorted(set(problems))})


async def run_student(url, name, moves, description):
    """One student's session from login to the last slider move; returns their record."""
    record = new_record(name)
    started = time.monotonic()
    channels = None
    try:
        session = await asyncio.to_thread(log_in, url, name)
        token = await asyncio.to_thread(spawn, session, url, name)
        record["spawn_seconds"] = time.monotonic() - started
        notebook, kernel_id = await asyncio.to_thread(open_lesson, url, name, token)
        pids = {"kernel": kernel_pid(kernel_id), "server": server_pid(name)}
        channels = await KernelChannels.open(url, name, token, kernel_id)
        if await run_notebook(channels, notebook, record):
            await move_slider(channels, moves, record, description)
        # Read before anything stops: the peaks and CPU time of the whole session.
        record["kernel_peak_mib"], record["kernel_cpu_seconds"] = peak_memory_mib(pids["kernel"]), cpu_seconds(
            pids["kernel"])
        record["server_peak_mib"], record["server_cpu_seconds"] = peak_memory_mib(pids["server"]), cpu_seconds(
            pids["server"])
        alive = await asyncio.to_thread(kernel_alive, url, name, token, kernel_id)
        signs = lost_kernel_signs(channels.messages)
        record["lost_kernel"] = bool(signs) or not alive or kernel_pid(kernel_id) != pids["kernel"]
        if record["lost_kernel"]:
            record["errors"].append({"stage": "kernel", "problems": signs or ["the kernel process is gone"]})
    except (OSError, RuntimeError, TimeoutError, LookupError, ValueError) as error:
        record["errors"].append({"stage": "session", "problems": [f"{type(error).__name__}: {error}"]})
        record["lost_kernel"] = record["lost_kernel"] or (channels is not None and channels.closed)
    finally:
        if channels is not None:
            await channels.close()
    return record


async def run_class(url, students, moves, description):
    """Every student at the same time: their records and the wall time from the first login to the last move."""
    # requests blocks: one thread per student, or the default pool (cores + 4) would queue the logins.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=students))
    started = time.monotonic()
    names = [f"student{number}" for number in range(1, students + 1)]
    records = await asyncio.gather(*(run_student(url, name, moves, description) for name in names))
    return list(records), time.monotonic() - started


# ------------------------------------------------------------------------------ report


def format_table(result):
    """The per-student rows, the summary and the sizing, as text."""
    def number(value, digits=1):
        return "-" if value is None else f"{value:.{digits}f}"

    lines = [f"{'student':<10} {'spawn s':>8} {'run s':>7} {'slider p50 s':>12} {'p95 s':>6} {'kernel MiB':>10} "
             f"{'server MiB':>10} {'CPU s':>7} {'errors':>6} {'lost':>5}"]
    for student in result["per_student"]:
        slider = percentiles(student["slider_seconds"]) or {"p50": None, "p95": None}
        cpu = student_cpu_seconds(student)
        lines.append(f"{student['name']:<10} {number(student['spawn_seconds']):>8} {number(student['run_seconds']):>7} "
                     f"{number(slider['p50'], 2):>12} {number(slider['p95'], 2):>6} "
                     f"{number(student['kernel_peak_mib'], 0):>10} {number(student['server_peak_mib'], 0):>10} "
                     f"{number(cpu):>7} {len(student['errors']):>6} {'yes' if student['lost_kernel'] else 'no':>5}")
    summary, sizing = result["summary"], result.get("sizing")

    def triple(values, digits=1):
        return "-" if values is None else "/".join(number(values[key], digits) for key in ("min", "median", "max"))

    slider = summary["slider_seconds"] or {"p50": None, "p95": None}
    lines += [
        "",
        f"N = {summary['students']} on {result['machine']['cpu_count']} cores, "
        f"wall time {summary['wall_seconds']:.1f} s",
        f"notebook run s (min/median/max): {triple(summary['run_seconds'])}; "
        f"spawn s: {triple(summary['spawn_seconds'])}",
        f"slider over {summary['slider_moves']} moves: p50 {number(slider['p50'], 2)} s, "
        f"p95 {number(slider['p95'], 2)} s",
        f"kernel peak MiB: {triple(summary['kernel_peak_mib'], 0)}; server peak MiB: "
        f"{triple(summary['server_peak_mib'], 0)}; hub + proxy {result['hub']['peak_mib']:.0f} MiB",
        f"CPU s per student (kernel + server): {triple(summary['cpu_seconds_per_student'])}; "
        f"hub + proxy {result['hub']['cpu_seconds']:.1f} s; others on the machine {result['other_cpu_seconds']:.1f} s",
        f"errors {summary['errors']}, lost kernels {summary['lost_kernels']}, processes left behind by the hub "
        f"{len(result['leftover_processes'])}",
    ]
    if sizing is not None:
        lines.append(f"a course of {sizing['course']}: {sizing['memory_gib']:.1f} GiB "
                     f"({sizing['course']} × {sizing['memory_per_student_mib']:.0f} MiB + hub "
                     f"{sizing['hub_memory_mib']:.0f} MiB), {sizing['cores']:.1f} cores "
                     f"({sizing['course']} × {sizing['cpu_seconds_per_student']:.1f} CPU s / "
                     f"{summary['wall_seconds']:.0f} s = {sizing['cores_per_student']:.3f} cores per student)")
    return "\n".join(lines)


def write_json(path, result):
    """Keep one run per N in the file: a new run replaces the earlier run with the same N, others stay."""
    runs = json.loads(path.read_text()).get("runs", {}) if path.exists() else {}
    runs[str(result["summary"]["students"])] = result
    harness.write_json(path, {"benchmark": "classroom_load",
                              "runs": dict(sorted(runs.items(), key=lambda item: int(item[0])))})


def count(text, most=None):
    """argparse type: a whole number ≥ 1 (and ≤ ``most``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1 or (most is not None and value > most):
        raise argparse.ArgumentTypeError(f"expected 1 ... {most or 'more'}, got {value}")
    return value


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=lambda text: count(text, MOST_STUDENTS), default=10,
                        help=f"simulated students at the same time, 1 ... {MOST_STUDENTS} (default 10)")
    parser.add_argument("--moves", type=count, default=10, help="slider moves per student (default 10)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"results file (default {DEFAULT_JSON})")
    parser.add_argument("--slider", default=SLIDER_DESCRIPTION, help="the description of the slider to move")
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    if not PROXY.exists():
        sys.exit("configurable-http-proxy is missing: run `make test-hub` first (npm ci in deploy/jupyterhub)")
    folder = Path(tempfile.mkdtemp(prefix="rnnreg-classroom-load-"))
    load_before = os.getloadavg()
    result = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "git": git_state(), "settings": {"students": arguments.students, "moves": arguments.moves,
                                               "slider": arguments.slider, "lesson": LESSON}}
    try:
        with running_hub(folder) as hub:
            url, hub_process = hub["url"], hub["process"]
            hub_before = hub_processes(hub_process, folder)
            busy_before = machine_busy_seconds()
            ours_before = resource.getrusage(resource.RUSAGE_SELF)
            records, wall = asyncio.run(run_class(url, arguments.students, arguments.moves, arguments.slider))
            busy_after = machine_busy_seconds()
            ours_after = resource.getrusage(resource.RUSAGE_SELF)
            result["hub"] = hub_processes(hub_process, folder)
            # The hub's start-up is not the class's work: count its CPU from the first login on.
            result["hub"]["cpu_seconds"] -= hub_before["cpu_seconds"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["leftover_processes"] = hub["leftovers"]
    result["machine"] = {**harness.machine_description((load_before, os.getloadavg())), "memory_gib": memory_gib()}
    result["per_student"] = records
    result["summary"] = summary = summarize(records, wall)
    # CPU the machine spent in this window on anything but the hub, the students' servers and kernels and this
    # driver (whose own decoding is a browser's work, not the server's): other jobs that slowed the run down.
    driver = (ours_after.ru_utime + ours_after.ru_stime) - (ours_before.ru_utime + ours_before.ru_stime)
    result["driver_cpu_seconds"] = driver
    students_cpu = sum(student_cpu_seconds(s) or 0.0 for s in records)
    result["other_cpu_seconds"] = max(0.0, (busy_after - busy_before) - students_cpu - result["hub"]["cpu_seconds"]
                                      - driver)
    if summary["kernel_peak_mib"] and summary["server_peak_mib"] and summary["cpu_seconds_per_student"]:
        result["sizing"] = course_sizing(summary, result["hub"])
    print(format_table(result))
    write_json(arguments.json, result)
    print(f"\nresults in {arguments.json}")
    return 1 if summary["errors"] or summary["lost_kernels"] or result["leftover_processes"] else 0


if __name__ == "__main__":
    sys.exit(main())
