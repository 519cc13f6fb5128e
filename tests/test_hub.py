"""deploy/jupyterhub serves the lessons: a student logs in, gets a server, and the server has the lessons.

The hub test needs the `hub` extra and the proxy from npm (`make test-hub` installs both and runs it). Without
them it skips with the reason: `make test` does not install JupyterHub. The Zero-to-JupyterHub files cannot be
deployed here; their structure is checked in `make test`.
"""

import importlib.util
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from benchmarks.classroom_load import HUB_FOLDER, LESSON, PROXY, log_in, running_hub, wait_until  # noqa: E402


@pytest.fixture
def hub_folder():
    """The hub's working folder. Not pytest's tmp_path: a concurrent pytest run may prune its base folder."""
    folder = Path(tempfile.mkdtemp(prefix="rnnreg-hub-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def hub(hub_folder):
    """A hub from deploy/jupyterhub on free loopback ports (as the classroom load benchmark starts it)."""
    if importlib.util.find_spec("jupyterhub") is None:
        pytest.skip("JupyterHub is not installed here (the `hub` extra): run `make test-hub`")
    if not PROXY.exists():
        pytest.skip("configurable-http-proxy is missing: run `make test-hub` (npm ci in deploy/jupyterhub)")
    pytest.importorskip("requests")  # a dependency of JupyterHub
    with running_hub(hub_folder) as started:
        yield started["url"]
    assert not started["leftovers"], f"the hub left processes behind (now killed): {started['leftovers']}"


@pytest.mark.hub
def test_a_student_logs_in_and_is_served_a_lesson(hub):
    import requests

    session = log_in(hub, "student1")  # raises unless the hub's login form lets student1 in with "rnnreg"
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

    wait_until(server_ready, "student1's server was not ready")
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
