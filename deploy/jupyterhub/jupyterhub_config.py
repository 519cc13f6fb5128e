"""JupyterHub for a course: the rnnreg lessons in every student's home, on one machine.

A dry run (`make hub`): users student1 ... student10 with the password ``rnnreg`` (a dummy authenticator),
each single-user server started as the hub's own user (SimpleLocalProcessSpawner, which also works as root, as
in CI and containers) with a home of its own under ``state/users/``, seeded with a copy of ``notebooks/``.
For a real course, replace the authenticator (see README.md); the rest stays.

Settings from the environment (the defaults suit `make hub`; the tests pick free ports):
    RNNREG_HUB_PORT          the public port on 127.0.0.1 (8000)
    RNNREG_HUB_API_PORT      the hub's internal API port (8081)
    RNNREG_HUB_PROXY_PORT    the proxy's REST API port (8001)
    RNNREG_HUB_STATE         database, cookie secret and users' homes (deploy/jupyterhub/state)
    RNNREG_HUB_LESSONS       the folder copied into each new home (the repository's notebooks/)
"""

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
STATE = Path(os.environ.get("RNNREG_HUB_STATE", HERE / "state")).resolve()
LESSONS = Path(os.environ.get("RNNREG_HUB_LESSONS", REPOSITORY / "notebooks")).resolve()
STUDENTS = {f"student{number}" for number in range(1, 11)}
LESSONS_FOLDER_IN_HOME = "rnnreg-lessons"

c = get_config()  # noqa: F821 (JupyterHub defines get_config when it loads this file)

STATE.mkdir(parents=True, exist_ok=True)

# --- Network: loopback only, on ports the caller can choose.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("RNNREG_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("RNNREG_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('RNNREG_HUB_PROXY_PORT', '8001')}"
# configurable-http-proxy from npm, installed next to this file by `npm ci` (package-lock.json pins it).
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]

# --- State: everything the hub writes stays in one git-ignored folder.
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# --- Authentication: a dummy one for the dry run. A course sets its own (README.md, "For a real course").
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "rnnreg"
c.Authenticator.allowed_users = STUDENTS


def seed_lessons(spawner):
    """Copy the lessons into the student's home once; later spawns keep the student's own edits."""
    target = Path(spawner.home_dir) / LESSONS_FOLDER_IN_HOME
    if not target.exists():
        shutil.copytree(LESSONS, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


# --- Spawner: one single-user server per student, run as the hub's own user (no system accounts needed).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
c.Spawner.pre_spawn_hook = seed_lessons
# The single-user server and the kernels come from the hub's own environment (rnnreg and the lab extra).
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = f"/lab/tree/{LESSONS_FOLDER_IN_HOME}"
c.Spawner.args = [
    # No news or update checks: a classroom server must not reach out on every page load.
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
if os.geteuid() == 0:
    # CI and containers run as root, where Jupyter servers refuse to start without this flag.
    c.Spawner.args.append("--allow-root")
c.Spawner.environment = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
# A first start imports JupyterLab and its extensions: give a busy two-core machine time.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
