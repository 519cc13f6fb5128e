"""Each model three ways: rnnreg, the same step in plain NumPy, and PyTorch, interleaved, one thread each.

Run from the repository root with the benchmark environment (the only one with PyTorch)::

    .venv-bench/bin/python benchmarks/bench_plain.py [--quick] [--models KEY ...] [--json PATH]

``bench_torch.py`` races rnnreg against PyTorch. This script adds a third runner from ``plain_numpy``:
the training step of the MLP, the Elman RNN or the LSTM written out in plain NumPy in one function (same
weights, batches and update rule; checked against rnnreg's first steps before timing). Its ratio to
PyTorch is what NumPy itself can reach at the lesson sizes on this machine; ``rnnreg/plain`` is the
price of rnnreg's structure (issue 12 aims at <= 1.5). float64 only, the dtype of the targets.
"""

import argparse
import contextlib
import os
import sys
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(REPOSITORY))

from benchmarks import harness, models  # noqa: E402
from benchmarks.plain_numpy import plain_twin  # noqa: E402

DEFAULT_JSON = REPOSITORY / "benchmarks" / "results" / "plain.json"
MODELS = ("mlp-64", "mlp-256", "elman-32", "lstm-32")
TOLERANCE = 1e-12
# rnnreg / plain NumPy that issue 12 aims at (rnnreg / PyTorch: harness.TARGET_RATIOS).
PLAIN_TARGET = 1.5
RUNNERS = ("rnnreg", "plain", "torch")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (5 warm-up + 30 timed per model)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=MODELS, help="only these models (default: all)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, data and dropout (default 0)")
    return parser.parse_args(argv)


def plain_agrees(spec, seed, steps=3):
    """The largest relative difference between rnnreg and its plain twin over ``steps`` steps (losses, then weights)."""
    case = models.build_case(spec, "float64", seed, batch_count=2)
    plain = plain_twin(case)
    worst = 0.0
    for index in range(steps):
        np.random.seed(seed + index)  # the same dropout masks for both
        expected = case.step(index)
        np.random.seed(seed + index)
        worst = max(worst, abs(plain.step(index) - expected) / abs(expected))
    arrays = [getattr(layer, name) for _, layer, name in models.parameter_items(case.network)]
    return max([worst] + [harness.max_relative_difference(p, a) for p, a in zip(plain.parameters, arrays, strict=True)])


def run_model(spec, warmup, repeats, seed):
    """Check, then time the three runners on ``spec``; return a dict of medians and ratios."""
    import torch

    from benchmarks import torch_models

    difference = plain_agrees(spec, seed)
    if difference > TOLERANCE:
        raise RuntimeError(f"plain NumPy and rnnreg disagree on {spec.key}: relative difference {difference:.1e}")
    torch.manual_seed(seed)
    case = models.build_case(spec, "float64", seed)
    plain = plain_twin(models.build_case(spec, "float64", seed))
    twin = torch_models.translate(case)
    timings = harness.run_interleaved(
        [("rnnreg", case.step), ("plain", plain.step), ("torch", twin.step)], warmup, repeats
    )
    result = {"model": spec.title, "batch": spec.batch, "check_max_rel_diff": difference}
    for clock in ("wall", "cpu"):
        seconds = getattr(timings, clock)
        medians = {name: harness.TimingSummary.from_seconds(seconds[name]).median_ms for name in RUNNERS}
        result[clock] = {f"{name}_ms": medians[name] for name in RUNNERS}
        result[clock] |= {f"{name}/torch": medians[name] / medians["torch"] for name in ("rnnreg", "plain")}
        result[clock]["rnnreg/plain"] = medians["rnnreg"] / medians["plain"]
    return result


def format_rows(results):
    header = (f"{'model':<22}  {'batch':>5}  {'rnnreg ms':>9}  {'plain ms':>8}  {'torch ms':>8}  "
              f"{'rnnreg/torch':>12}  {'plain/torch':>11}  {'rnnreg/plain':>12}  (cpu time; targets "
              f"rnnreg/torch <= {harness.TARGET_RATIOS['float64']['mlp']:.1f}, rnnreg/plain <= {PLAIN_TARGET:.1f})")
    lines = [header, "-" * len(header)]
    for result in results:
        cpu = result["cpu"]
        lines.append(
            f"{result['model']:<22}  {result['batch']:>5}  {cpu['rnnreg_ms']:>9.3f}  {cpu['plain_ms']:>8.3f}  "
            f"{cpu['torch_ms']:>8.3f}  {cpu['rnnreg/torch']:>12.2f}  {cpu['plain/torch']:>11.2f}  "
            f"{cpu['rnnreg/plain']:>12.2f}"
        )
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    warmup, repeats = (5, 30) if args.quick else (20, 100)
    try:
        import torch
        from threadpoolctl import threadpool_limits
    except ImportError as error:
        print(f"bench_plain needs PyTorch and threadpoolctl ({error}): run it with .venv-bench/bin/python "
              "(`make bench` makes that environment)", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    load_before = os.getloadavg()
    with threadpool_limits(limits=1):
        results = [run_model(models.spec_by_key(key), warmup, repeats, args.seed) for key in args.models]
    load_after = os.getloadavg()
    print(format_rows(results))
    print(f"\nplain NumPy agrees with rnnreg to {max(r['check_max_rel_diff'] for r in results):.1e} (relative) "
          f"over 3 steps; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    payload = {
        "benchmark": "one training step: rnnreg, plain NumPy and PyTorch, interleaved, one CPU thread each",
        "settings": {"dtype": "float64", "seed": args.seed, "warmup": warmup, "repeats": repeats},
        "machine": harness.machine_description(load_averages=(load_before, load_after)),
        "rows": results,
    }
    print(f"written: {harness.write_json(args.json, payload)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
