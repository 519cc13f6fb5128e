"""rnnreg against PyTorch on the CPU, one thread each: the time of one training step, side by side.

Run from the repository root with the benchmark environment (the only one with PyTorch)::

    .venv-bench/bin/python benchmarks/bench_torch.py [--quick] [--dtype float32] [--json PATH]

For every model the script builds the rnnreg network and its PyTorch twin with the same weights, data,
dtype and update rule, checks that the first training step gives the same loss, gradients and weights,
then times training steps of both libraries interleaved in this one process and prints a table (and a
profile of where rnnreg spends its time). benchmarks/README.md explains what is measured and how to
read it.
"""

import argparse
import contextlib
import cProfile
import os
import pstats
import sys
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(REPOSITORY))

from benchmarks import harness, models  # noqa: E402

DEFAULT_JSON = {
    "float64": REPOSITORY / "benchmarks" / "results" / "torch.json",
    "float32": REPOSITORY / "benchmarks" / "results" / "torch-float32.json",
}
TOLERANCE = {"float64": 1e-10, "float32": 1e-4}


@dataclass(frozen=True)
class Settings:
    """How many rounds to run: warm-up and timed rounds per model, and profiled rnnreg steps."""

    warmup: int
    repeats: int
    profile_steps: int


FULL = Settings(warmup=20, repeats=100, profile_steps=40)
QUICK = Settings(warmup=5, repeats=30, profile_steps=15)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (5 warm-up + 30 timed per model)")
    parser.add_argument("--dtype", choices=sorted(models.DTYPES), default="float64", help="float64 (default)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results (default: "
                        "benchmarks/results/torch.json, torch-float32.json for --dtype float32)")
    parser.add_argument("--models", nargs="+", choices=[spec.key for spec in models.SPECS], default=None,
                        help="only these models (default: all)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up rounds per model (overrides --quick)")
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds per model (overrides --quick)")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile of rnnreg")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, data and dropout (default 0)")
    return parser.parse_args(argv)


def settings_from(args):
    base = QUICK if args.quick else FULL
    warmup = base.warmup if args.warmup is None else args.warmup
    repeats = base.repeats if args.repeats is None else args.repeats
    if warmup < 0 or repeats < 1:
        raise SystemExit(f"need --warmup >= 0 and --repeats >= 1, got {warmup} and {repeats}")
    return Settings(warmup=warmup, repeats=repeats, profile_steps=0 if args.no_profile else base.profile_steps)


def profile_rnnreg(case, steps):
    """cProfile ``steps`` rnnreg training steps: the top functions by own time, per step."""
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(steps):
        case.step(index)
    profiler.disable()
    return harness.summarize_profile(pstats.Stats(profiler), steps, top=15)


def run_model(spec, settings, dtype, seed):
    """Check, time and profile one model; return (Row, profile dict)."""
    import torch

    from benchmarks import torch_models

    torch.manual_seed(seed)
    case = models.build_case(spec, dtype, seed)
    row = harness.Row(model=spec.title, family=spec.family, batch=spec.batch, dtype=dtype)
    leaks = models.dtype_leaks(case) if dtype != "float64" else []
    torch_case = torch_models.translate(case)
    if leaks:
        # rnnreg would compute partly in float64: time PyTorch alone and say where rnnreg leaves float32.
        row.note = f"rnnreg {dtype} not supported yet ({leaks[0]}; {len(leaks)} places)"
        timings = harness.run_interleaved([("torch", torch_case.step)], settings.warmup, settings.repeats)
        row.torch = harness.TimingSummary.from_seconds(timings.wall["torch"])
        row.torch_cpu = harness.TimingSummary.from_seconds(timings.cpu["torch"])
        return row, {"dtype_leaks": leaks}

    row.check = torch_models.first_step_check(case, torch_case, TOLERANCE[dtype])
    timings = harness.run_interleaved(
        [("rnnreg", case.step), ("torch", torch_case.step)], settings.warmup, settings.repeats
    )
    row.rnnreg = harness.TimingSummary.from_seconds(timings.wall["rnnreg"])
    row.torch = harness.TimingSummary.from_seconds(timings.wall["torch"])
    row.rnnreg_cpu = harness.TimingSummary.from_seconds(timings.cpu["rnnreg"])
    row.torch_cpu = harness.TimingSummary.from_seconds(timings.cpu["torch"])
    profile = {}
    if settings.profile_steps:
        profile["top_functions"] = profile_rnnreg(case, settings.profile_steps)
        profile["breakdown"] = models.layer_breakdown(case, settings.profile_steps)
    return row, profile


def main(argv=None):
    args = parse_args(argv)
    settings = settings_from(args)
    try:
        import torch
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError as error:
        print(
            f"bench_torch needs PyTorch and threadpoolctl ({error}). Make the benchmark environment with\n"
            '  python3.11 -m venv .venv-bench && .venv-bench/bin/pip install -e ".[bench]"\n'
            "(or `make bench`) and run .venv-bench/bin/python benchmarks/bench_torch.py",
            file=sys.stderr,
        )
        return 2

    import rnnreg

    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # only allowed before PyTorch's first parallel work
        torch.set_num_interop_threads(1)
    specs = [spec for spec in models.SPECS if args.models is None or spec.key in args.models]
    machine = harness.machine_description()
    if machine["openblas_env"]:
        print(f"note: {machine['openblas_env']} is set; it slows a current NumPy (see benchmarks/README.md)")

    rows, profiles = [], {}
    load_before = os.getloadavg()
    with threadpool_limits(limits=1):
        pools = threadpool_info()
        threads = ", ".join(f"{pool['internal_api']} {pool['num_threads']}" for pool in pools)
        print(f"threads: torch {torch.get_num_threads()}; {threads}; dtype {args.dtype}; "
              f"{settings.warmup} warm-up + {settings.repeats} timed steps per library")
        for spec in specs:
            print(f"  {spec.key} ...", flush=True)
            row, profile = run_model(spec, settings, args.dtype, args.seed)
            rows.append(row)
            profiles[spec.key] = profile
    load_after = os.getloadavg()

    print()
    print(harness.format_table(rows))
    targets = ", ".join(f"{family} <= {ratio:.1f}" for family, ratio in harness.TARGET_RATIOS[args.dtype].items())
    print(f"\ntargets (issue 12, rnnreg / PyTorch wall-clock ratio, {args.dtype}): {targets}")
    print(f"\nload average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} on {os.cpu_count()} CPUs")
    for spec in specs:
        profile = profiles[spec.key]
        if "top_functions" in profile:
            print(f"\n== where rnnreg spends its time: {spec.key} (cProfile, per step, includes profiler overhead)")
            print(harness.format_profile(profile["top_functions"]))
            print(f"-- per layer (timers around forward / backward / update, per step) for {spec.key}")
            print(harness.format_breakdown(profile["breakdown"]))
        elif "dtype_leaks" in profile:
            print(f"\n== {spec.key}: rnnreg leaves {args.dtype} at")
            print("\n".join(f"   {leak}" for leak in profile["dtype_leaks"]))

    failed = [row for row in rows if row.check is not None and not row.check.passed]
    for row in failed:
        print(f"\nFIRST-STEP CHECK FAILED for {row.model} (batch {row.batch}): {row.check}", file=sys.stderr)

    payload = {
        "benchmark": "one training step (forward, backward, update), rnnreg vs PyTorch, one CPU thread each",
        "settings": {"dtype": args.dtype, "seed": args.seed, "warmup": settings.warmup, "repeats": settings.repeats,
                     "profile_steps": settings.profile_steps, "interleaved": True, "tolerance": TOLERANCE[args.dtype]},
        "versions": {"rnnreg": rnnreg.__version__, "torch": torch.__version__, "numpy": machine["numpy"]},
        "machine": harness.machine_description(load_averages=(load_before, load_after)),
        "threadpools": pools,
        "torch_threads": torch.get_num_threads(),
        "rows": [row.to_dict() for row in rows],
        "profiles": {key: _jsonable_profile(profile) for key, profile in profiles.items()},
    }
    path = harness.write_json(args.json or DEFAULT_JSON[args.dtype], payload)
    print(f"\nwritten: {path}")
    return 1 if failed else 0


def _jsonable_profile(profile):
    result = dict(profile)
    if "breakdown" in result:
        result["breakdown"] = [{"part": part, "ms_per_step": ms} for part, ms in result["breakdown"]]
    return result


if __name__ == "__main__":
    sys.exit(main())
