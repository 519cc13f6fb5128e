"""How quickly the lesson dashboards answer: a slider move (retrain + redraw) and a redraw alone.

Run from the repository root with the lesson environment::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_interactive.py [--quick] [--presenter] [--json PATH]

Every dashboard is built as its notebook builds it (default arguments: the lesson's data and budget). For
each row the script measures, with ``time.perf_counter`` and as the median over a few repeats:

- move: set one control to a value that is not in any cache, as a slider move does, until the new PNG is
  in ``dashboard.image.value`` (compute, i.e. retraining where the control needs it, render and PNG);
- redraw: move back to the starting value, which is cached, so only render and PNG run.

Every repeat builds a fresh dashboard and empties the experiment caches of ``rnnreg.widgets`` first, so
the move is a cache miss each time. Targets (issue 11): redraw <= 250 ms; move <= 1 s for the MLP, dropout
and BatchNorm dashboards, <= 2 s for the recurrent ones. For the live dashboard, "move" is a control change
(no retraining) and the "tick" row is one tick of its Play widget (train ``steps_per_tick`` steps and
redraw), whose target is the Play interval. ``--presenter`` builds every dashboard with ``presenter=True``
(what a lecture room sees: one panel, drawn at 1.5 times the resolution), with the same targets. The script
is a report: rows over their target are marked "OVER", and it exits 0 unless something crashes.
"""

import argparse
import dataclasses
import functools
import os
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(REPOSITORY))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from benchmarks import harness  # noqa: E402
from rnnreg import widgets as dashboards  # noqa: E402
from rnnreg.lessons import all_together as lesson_05  # noqa: E402
from rnnreg.lessons import batch_norm as lesson_03  # noqa: E402
from rnnreg.lessons import dropout as lesson_02  # noqa: E402
from rnnreg.lessons import recurrent as lesson_04  # noqa: E402
from rnnreg.lessons import regularizers as lesson_01  # noqa: E402
from rnnreg.lessons import tour as lesson_00  # noqa: E402
from rnnreg.widgets import batch_norm, dropout, live, recurrent, regularizers, tour  # noqa: E402

EXPERIMENT_MODULES = (lesson_00, lesson_01, lesson_02, lesson_03, lesson_04, lesson_05)

DEFAULT_JSON = REPOSITORY / "benchmarks" / "results" / "interactive.json"
REDRAW_TARGET_MS = 250.0
MLP_TARGET_MS = 1000.0  # the MLP, dropout and BatchNorm dashboards (and the live conv net)
RECURRENT_TARGET_MS = 2000.0
TICK = "tick"  # the live dashboard's Play widget: not a control, a step of training


@dataclasses.dataclass(frozen=True)
class Case:
    """One row: build ``make()``, set ``control`` to ``value`` (or tick), then go back to the start."""

    make: type
    control: str
    value: object
    target_ms: float

    @property
    def name(self):
        return self.make.__name__

    @property
    def moved(self):
        """What the row moves, for the table: "alpha → 0.3", or "tick"."""
        if self.control == TICK:
            return TICK
        return f"{self.control} → {self.value:g}" if isinstance(self.value, float) else f"{self.control} → {self.value}"


CASES = [
    Case(dashboards.DecisionBoundaryDashboard, "hidden_units", 32, MLP_TARGET_MS),
    Case(dashboards.DecisionBoundaryDashboard, "dataset", "spirals", MLP_TARGET_MS),
    Case(dashboards.DecisionBoundaryDashboard, "phase", "train", MLP_TARGET_MS),
    Case(dashboards.RegularizerDashboard, "alpha", 0.3, MLP_TARGET_MS),
    Case(dashboards.RegularizerDashboard, "regularizer", "L1 proximal", MLP_TARGET_MS),
    Case(dashboards.RegularizerDashboard, "learning_rate", 10**-1.5, MLP_TARGET_MS),
    Case(dashboards.L2RulesDashboard, "optimizer", "momentum", MLP_TARGET_MS),
    Case(dashboards.L2RulesDashboard, "alpha_decoupled", 0.3, MLP_TARGET_MS),
    Case(dashboards.DropoutPhaseDashboard, "rate", 0.3, MLP_TARGET_MS),
    Case(dashboards.DropoutPhaseDashboard, "phase", "test", MLP_TARGET_MS),
    Case(dashboards.DropoutOverfittingDashboard, "rate", 0.3, MLP_TARGET_MS),
    Case(dashboards.DropoutOverfittingDashboard, "where", "hidden", MLP_TARGET_MS),
    Case(dashboards.BatchNormDashboard, "batch_size", 4, MLP_TARGET_MS),
    Case(dashboards.BatchNormDashboard, "phase", "train", MLP_TARGET_MS),
    Case(dashboards.BatchNormDashboard, "channel", 0, MLP_TARGET_MS),
    Case(dashboards.BatchNormSpeedDashboard, "learning_rate", 10**-2.5, MLP_TARGET_MS),
    Case(dashboards.BatchNormSpeedDashboard, "batch_size", 64, MLP_TARGET_MS),
    Case(dashboards.GradientFlowDashboard, "delay", 65, RECURRENT_TARGET_MS),
    Case(dashboards.GradientFlowDashboard, "forget_bias", 2.0, RECURRENT_TARGET_MS),
    Case(dashboards.MemoryTaskDashboard, "delay", 20, RECURRENT_TARGET_MS),
    Case(dashboards.MemoryTaskDashboard, "truncation", 10, RECURRENT_TARGET_MS),
    Case(dashboards.MemoryTaskDashboard, "model", "LSTM", RECURRENT_TARGET_MS),
    Case(dashboards.ClippingDashboard, "spectral_radius", 1.5, RECURRENT_TARGET_MS),
    Case(dashboards.ClippingDashboard, "clip_norm", 0.3, RECURRENT_TARGET_MS),
    Case(dashboards.LiveTrainingDashboard, "l2_strength", 0.1, MLP_TARGET_MS),
    Case(dashboards.LiveTrainingDashboard, TICK, None, 700.0),
]


def clear_caches():
    """Empty every ``functools.lru_cache`` of the dashboard modules, so the next training really trains."""
    for module in (*EXPERIMENT_MODULES, tour, regularizers, dropout, batch_norm, recurrent, live):
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()


def timed_ms(action):
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000.0


def check_shown(dashboard, what):
    """The dashboard shows a picture and no error message (a timing of an error path would mislead)."""
    if dashboard.last_error is not None:
        raise RuntimeError(f"{type(dashboard).__name__}: {what} was rejected: {dashboard.last_error}")
    if not bytes(dashboard.image.value).startswith(b"\x89PNG"):
        raise RuntimeError(f"{type(dashboard).__name__}: no PNG after {what}")


def measure(case, repeats, redraws, presenter=False):
    """``(move times, redraw times)`` in ms: ``repeats`` fresh moves, ``redraws`` cached returns after each."""
    moves, back = [], []
    for _ in range(repeats):
        clear_caches()
        dashboard = case.make(presenter=presenter)
        if case.control == TICK:
            moves.append(timed_ms(dashboard.tick))
            check_shown(dashboard, "a tick")
            for _ in range(redraws):
                back.append(timed_ms(dashboard.refresh))
                check_shown(dashboard, "a redraw")
            continue
        control = dashboard.controls[case.control]
        start = control.value
        moves.append(timed_ms(lambda control=control: setattr(control, "value", case.value)))
        check_shown(dashboard, f"{case.control} = {case.value!r}")
        for round_ in range(redraws):
            value = start if round_ % 2 == 0 else case.value  # back and forth between two cached settings
            back.append(timed_ms(lambda control=control, value=value: setattr(control, "value", value)))
            check_shown(dashboard, f"{case.control} = {value!r}")
    return moves, back


def verdict(milliseconds, target):
    return "ok" if milliseconds <= target else "OVER"


def format_table(rows):
    header = ("dashboard", "control moved", "move ms", "target", "", "redraw ms", "target", "")
    lines = [
        (row["dashboard"], row["control"], f"{row['move_ms']:.0f}", f"{row['move_target_ms']:.0f}",
         verdict(row["move_ms"], row["move_target_ms"]), f"{row['redraw_ms']:.0f}", f"{row['redraw_target_ms']:.0f}",
         verdict(row["redraw_ms"], row["redraw_target_ms"]))
        for row in rows
    ]
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(len(header))]
    numeric = {2, 3, 5, 6}

    def render(cells):
        return "  ".join(cell.rjust(width) if i in numeric else cell.ljust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([render(header), "  ".join("-" * width for width in widths), *map(render, lines)])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 moves, 4 redraws after each (default 5, 10)")
    parser.add_argument("--presenter", action="store_true", help="every dashboard in presenter mode")
    parser.add_argument("--json", type=Path, help="default benchmarks/results/interactive.json (-presenter.json)")
    parser.add_argument("--only", nargs="+", metavar="CLASS", help="only the rows of these dashboard classes")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    repeats, redraws = (2, 4) if args.quick else (5, 10)
    cases = [case for case in CASES if not args.only or case.name in args.only]
    load_before = os.getloadavg()
    rows = []
    for case in cases:
        print(f"  {case.name}: {case.control} ...", flush=True)
        moves, back = measure(case, repeats, redraws, args.presenter)
        rows.append({
            "dashboard": case.name, "control": case.moved,
            "move_ms": harness.median(moves), "redraw_ms": harness.median(back),
            "move_target_ms": case.target_ms, "redraw_target_ms": REDRAW_TARGET_MS,
            "move_samples_ms": moves, "redraw_samples_ms": back,
        })
    load_after = os.getloadavg()
    print()
    print(format_table(rows))
    over = [row for row in rows if row["move_ms"] > row["move_target_ms"] or row["redraw_ms"] > REDRAW_TARGET_MS]
    print(f"\n{len(over)} of {len(rows)} rows over a target (medians of {repeats} moves and {repeats * redraws} "
          f"redraws); load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} on "
          f"{os.cpu_count()} CPUs")
    payload = {
        "benchmark": "dashboard interactivity: a slider move (compute + render + PNG) and a cached redraw",
        "settings": {"repeats": repeats, "redraws_per_repeat": redraws, "quick": args.quick,
                     "presenter": args.presenter},
        "machine": harness.machine_description(load_averages=(load_before, load_after)),
        "rows": rows,
    }
    default = DEFAULT_JSON.with_stem("interactive-presenter") if args.presenter else DEFAULT_JSON
    print(f"written: {harness.write_json(args.json or default, payload)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
