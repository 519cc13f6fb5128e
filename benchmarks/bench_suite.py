"""Wall time of the whole test suite as ``make test`` runs it: ruff, unit tests, notebooks, browser tests.

Run from the repository root::

    .venv/bin/python benchmarks/bench_suite.py [--python .venv/bin/python] [--json PATH]

The four steps run one after the other in subprocesses, with the Makefile's flags and environment
(``OPENBLAS_NUM_THREADS`` and ``OMP_NUM_THREADS`` 1 unless set): ``ruff check .``, ``pytest tests -m "not
browser"``, ``pytest notebooks --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg`` and
``pytest tests/browser -m browser`` (a few seconds of skips without Chromium). ``make test`` runs the same
in one pytest session. The table gives each step's wall time and pytest's own summary line, then the
total; the JSON goes to benchmarks/results/suite.json (git-ignored). The exit code is 1 when a step fails
(its time is then not the suite's), else 0."""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(REPOSITORY))

from benchmarks import harness  # noqa: E402

DEFAULT_JSON = REPOSITORY / "benchmarks" / "results" / "suite.json"
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "nbval_sanitize.cfg"]


def steps(python):
    """(name, command) of every step of ``make test``; the browser tests run last, as there."""
    ruff = Path(python).parent / "ruff"
    return [
        ("ruff", [str(ruff), "check", "."]),
        ("unit tests", [python, "-m", "pytest", "tests", "-q", "-m", "not browser"]),
        ("notebooks (nbval)", [python, "-m", "pytest", "notebooks", "-q", *NBVAL]),
        ("browser tests", [python, "-m", "pytest", "tests/browser", "-q", "-m", "browser"]),
    ]


def run(command, environment):
    """``(seconds, exit code, last non-empty output line)`` of ``command`` run in the repository root."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPOSITORY, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return seconds, done.returncode, lines[-1] if lines else ""


def format_table(rows, total):
    lines = [(row["step"], f"{row['seconds']:.1f}", "ok" if row["exit_code"] == 0 else f"FAILED ({row['exit_code']})",
              row["summary"]) for row in rows]
    lines.append(("total", f"{total:.1f}", "", ""))
    header = ("step", "seconds", "result", "summary")
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(len(header))]

    def render(cells):
        return "  ".join(cell.rjust(width) if i == 1 else cell.ljust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([render(header), "  ".join("-" * width for width in widths), *map(render, lines)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=str(REPOSITORY / ".venv" / "bin" / "python"),
                        help="the interpreter whose environment runs the suite (default .venv/bin/python)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="default benchmarks/results/suite.json")
    args = parser.parse_args(argv)
    environment = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", **os.environ}
    load_before = os.getloadavg()
    rows = []
    for name, command in steps(args.python):
        print(f"  {name}: {' '.join(command)}", flush=True)
        seconds, code, summary = run(command, environment)
        rows.append({"step": name, "command": command, "seconds": seconds, "exit_code": code, "summary": summary})
    load_after = os.getloadavg()
    total = sum(row["seconds"] for row in rows)
    print()
    print(format_table(rows, total))
    print(f"\nload average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} on {os.cpu_count()} CPUs")
    payload = {
        "benchmark": "wall time of `make test`: ruff, pytest tests, pytest notebooks under nbval, browser tests",
        "python": args.python,
        "machine": harness.machine_description(load_averages=(load_before, load_after)),
        "rows": rows,
        "total_seconds": total,
    }
    print(f"written: {harness.write_json(args.json, payload)}")
    return 0 if all(row["exit_code"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
