"""Shared test set-up.

- Every test starts from the same NumPy random state, whatever ran before it.
- Property tests draw the same examples on every run.
- Nothing may reach the network (see ``network_guard``): an attempt fails the run.
"""

import matplotlib
import network_guard
import numpy as np
import pytest
from hypothesis import settings

matplotlib.use("Agg")  # tests draw off-screen; figures are compared as data, never shown

settings.register_profile("rnnreg", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("rnnreg")

network_guard.install()


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(20261126)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def pytest_sessionfinish(session, exitstatus):
    if network_guard.blocked_attempts:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    for attempt in network_guard.blocked_attempts:
        terminalreporter.write_line(f"NETWORK ACCESS BLOCKED during the tests: {attempt}", red=True)
