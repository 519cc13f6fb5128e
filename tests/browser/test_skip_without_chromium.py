"""Without Chromium the browser tests must skip with one clear line, and the run must still pass."""

import os
import subprocess
import sys

from . import harness


def test_missing_chromium_is_named_with_how_to_install_it(monkeypatch):
    monkeypatch.setattr(harness, "CHROMIUM", harness.Path("/nonexistent/chromium"))
    message = harness.missing_requirements()
    assert "/nonexistent/chromium" in message
    assert "apt-get install chromium" in message


def test_a_run_without_chromium_skips_every_browser_test_with_one_line(tmp_path):
    env = {**os.environ, "RNNREG_CHROMIUM": str(tmp_path / "no-chromium")}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "browser", "-rs", "tests/browser"]
    run = subprocess.run(
        command,
        cwd=harness.REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    skip_lines = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skip_lines) == 1, run.stdout[-2000:]
    assert "apt-get install chromium" in skip_lines[0]
    assert " passed" not in run.stdout and " failed" not in run.stdout
