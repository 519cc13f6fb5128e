"""deploy/jupyterhub serves the lessons: a student logs in, gets a server, and the server has the lessons.

The hub test needs the `hub` extra and the proxy from npm (`make test-hub` installs both and runs it). Without
them it skips with the reason: `make test` does not install JupyterHub. The Zero-to-JupyterHub files cannot be
deployed here; their structure is checked in `make test`.
"""

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pytest
import yaml

HUB_FOLDER = Path(__file__).resolve().parents[1] / "deploy" / "jupyterhub"
PROXY = HUB_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"
HUB = Path(sys.executable).parent / "jupyterhub"
LESSON = "rnnreg-lessons/01_regularizers.ipynb"
STARTUP_SECONDS = 60


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_working_in(folder):
    """Pids whose current directory lies in `folder`: the hub, the proxy, the servers and their kernels."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                pids.append(int(entry.name))
        except OSError:
            continue  # the process ended meanwhile, or is not ours to read
    return pids


def _wait_until(condition, what, seconds=STARTUP_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"{what} within {seconds} s")


def _stop_leftovers(folder):
    """End what still works in `folder` after the hub stopped (only processes this test started); return them."""
    leftovers = _processes_working_in(folder)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return leftovers


@pytest.fixture
def hub_folder():
    """The hub's working folder. Not pytest's tmp_path: a concurrent pytest run may prune its base folder."""
    folder = Path(tempfile.mkdtemp(prefix="rnnreg-hub-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def hub(hub_folder):
    """A hub from deploy/jupyterhub on free loopback ports, its state in hub_folder; stopped and checked after."""
    if importlib.util.find_spec("jupyterhub") is None:
        pytest.skip("JupyterHub is not installed here (the `hub` extra): run `make test-hub`")
    if not PROXY.exists():
        pytest.skip("configurable-http-proxy is missing: run `make test-hub` (npm ci in deploy/jupyterhub)")
    requests = pytest.importorskip("requests")  # a dependency of JupyterHub

    port = _free_port()
    environment = dict(
        os.environ,
        RNNREG_HUB_PORT=str(port),
        RNNREG_HUB_API_PORT=str(_free_port()),
        RNNREG_HUB_PROXY_PORT=str(_free_port()),
        RNNREG_HUB_STATE=str(hub_folder / "state"),
    )
    log = (hub_folder / "hub.log").open("w")
    process = subprocess.Popen(
        [str(HUB), "-f", str(HUB_FOLDER / "jupyterhub_config.py")],
        cwd=hub_folder,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"

    def answers():
        assert process.poll() is None, f"the hub exited: {(hub_folder / 'hub.log').read_text()[-3000:]}"
        try:
            return requests.get(f"{base_url}/hub/api/", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        _wait_until(answers, "the hub did not answer on /hub/api/")
        yield base_url
    finally:
        # SIGTERM lets the hub stop the single-user servers and the proxy it started.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        with contextlib.suppress(AssertionError):
            _wait_until(lambda: not _processes_working_in(hub_folder), "", seconds=15)
        leftovers = _stop_leftovers(hub_folder)
        assert not leftovers, f"the hub left processes behind (now killed): {leftovers}"


@pytest.mark.hub
def test_a_student_logs_in_and_is_served_a_lesson(hub):
    import requests

    session = requests.Session()
    session.get(f"{hub}/hub/login", timeout=10).raise_for_status()
    login = session.post(
        f"{hub}/hub/login",
        data={"username": "student1", "password": "rnnreg", "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302, f"login refused: {login.status_code}"
    intruder = requests.Session()
    intruder.get(f"{hub}/hub/login", timeout=10).raise_for_status()
    wrong = intruder.post(
        f"{hub}/hub/login",
        data={"username": "student1", "password": "wrong", "_xsrf": intruder.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=10,
    )
    assert wrong.status_code != 302, "a wrong password was let in"

    api_headers = {"X-XSRFToken": session.cookies["_xsrf"]}
    spawn = session.post(f"{hub}/hub/api/users/student1/server", headers=api_headers, timeout=10)
    assert spawn.status_code in (201, 202), spawn.text

    def server_ready():
        user = session.get(f"{hub}/hub/api/users/student1", headers=api_headers, timeout=10).json()
        return user["servers"].get("", {}).get("ready", False)

    _wait_until(server_ready, "student1's server was not ready")
    # The first page completes the single-user server's OAuth login with the hub's cookie.
    assert session.get(f"{hub}/user/student1/lab", timeout=30).status_code == 200

    lesson = session.get(f"{hub}/user/student1/api/contents/{LESSON}", timeout=30)
    assert lesson.status_code == 200
    model = lesson.json()
    assert model["type"] == "notebook"
    assert model["name"] == "01_regularizers.ipynb"
    assert any(cell["cell_type"] == "code" for cell in model["content"]["cells"])


def test_zero_to_jupyterhub_values_match_the_image_and_the_dry_run():
    values = yaml.safe_load((HUB_FOLDER / "values.yaml").read_text())
    singleuser = values["singleuser"]
    assert singleuser["image"]["name"].endswith("/rnnreg-singleuser")
    assert singleuser["defaultUrl"] == "/lab/tree/rnnreg-lessons"
    copy_lessons = " ".join(singleuser["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "cp -r /opt/rnnreg/notebooks" in copy_lessons
    students = values["hub"]["config"]["Authenticator"]["allowed_users"]
    assert students == [f"student{number}" for number in range(1, 11)]


def test_the_image_is_built_from_environment_yml_with_the_hubs_jupyterhub():
    dockerfile = (HUB_FOLDER / "Dockerfile").read_text()
    pyproject = tomllib.loads((HUB_FOLDER.parents[1] / "pyproject.toml").read_text())
    assert "--file environment.yml" in dockerfile
    assert "COPY notebooks /opt/rnnreg/notebooks" in dockerfile
    (hub_pin,) = pyproject["project"]["optional-dependencies"]["hub"]
    assert hub_pin.startswith("jupyterhub==")
    assert f'"{hub_pin}"' in dockerfile, "the image's single-user server must match the hub's JupyterHub"
