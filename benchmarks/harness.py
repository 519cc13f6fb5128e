"""Timing, comparison, table and JSON helpers of the benchmarks; NumPy and the standard library only.

Nothing here imports PyTorch, so the main test suite can test all of it.
"""

import gc
import json
import math
import os
import platform
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

# The ratios rnnreg / PyTorch that issue 12 aims at, per dtype and model family (for information: the
# benchmark reports them, it does not fail on them): every model at most PyTorch's time, except the LSTM in
# float32, whose gates cost NumPy several element-wise passes each where PyTorch fuses them.
TARGET_RATIOS = {
    "float64": {"mlp": 1.0, "conv": 1.0, "elman": 1.0, "lstm": 1.0},
    "float32": {"mlp": 1.0, "conv": 1.0, "elman": 1.0, "lstm": 2.0},
}

# ------------------------------------------------------------------------------------------------- timing


def median(values):
    """The median of a non-empty sequence of numbers (the mean of the two middle values for an even count)."""
    ordered = sorted(float(value) for value in values)
    if not ordered:
        raise ValueError("median needs at least one value, got an empty sequence")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def quantile(values, fraction):
    """The ``fraction`` quantile (0..1) with linear interpolation between order statistics."""
    ordered = sorted(float(value) for value in values)
    if not ordered:
        raise ValueError("quantile needs at least one value, got an empty sequence")
    if not 0 <= fraction <= 1:
        raise ValueError(f"quantile fraction must be in [0, 1], got {fraction!r}")
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Timings:
    """Recorded durations in seconds per step name: ``wall`` (``clock``) and ``cpu`` (``cpu_clock``)."""

    wall: dict
    cpu: dict


def run_interleaved(steps, warmup, repeats, *, clock=time.perf_counter, cpu_clock=time.process_time, disable_gc=True):
    """Time several step functions in turn, round after round, and return the timed durations per name.

    Round ``i`` calls every step once, in the order given, as ``step(i)`` (so each library can pick the
    i-th batch): A(0), B(0), A(1), B(1), ... Machine noise (another process, a frequency change) then hits
    every library alike instead of spoiling one library's whole run. The first ``warmup`` rounds are run
    but not recorded.

    Parameters
    ----------
    steps : sequence of (name, callable)
        The step functions; each is called with the round index.
    warmup, repeats : int
        Rounds run without and with recording (``warmup >= 0``, ``repeats >= 1``).
    clock : callable
        Wall-clock seconds as a float; ``time.perf_counter`` by default (a test can pass a fake clock).
    cpu_clock : callable or None
        CPU seconds of this process; ``time.process_time`` by default, None to skip. On a busy machine
        the CPU time of a single-threaded step is much steadier than its wall time, which also counts
        the time the process waited for a core.
    disable_gc : bool
        Switch Python's cyclic garbage collector off while timing (as ``timeit`` does), for every library
        alike, so a collection does not land in one step at random. It is switched back on afterwards.

    Returns
    -------
    Timings
        ``wall[name]`` and ``cpu[name]``: ``repeats`` durations in seconds per name, in measured order
        (``cpu`` is empty without ``cpu_clock``).
    """
    steps = list(steps)
    if not steps:
        raise ValueError("run_interleaved needs at least one (name, step) pair, got none")
    names = [name for name, _ in steps]
    if len(set(names)) != len(names):
        raise ValueError(f"run_interleaved step names must be unique, got {names}")
    if warmup < 0 or repeats < 1:
        raise ValueError(f"run_interleaved needs warmup >= 0 and repeats >= 1, got warmup={warmup}, repeats={repeats}")
    timings = Timings(wall={name: [] for name in names}, cpu={name: [] for name in names} if cpu_clock else {})
    was_enabled = gc.isenabled()
    if disable_gc:
        gc.collect()
        gc.disable()
    try:
        for round_index in range(warmup + repeats):
            for name, step in steps:
                cpu_start = cpu_clock() if cpu_clock else 0.0
                start = clock()
                step(round_index)
                elapsed = clock() - start
                cpu_elapsed = cpu_clock() - cpu_start if cpu_clock else 0.0
                if round_index >= warmup:
                    timings.wall[name].append(elapsed)
                    if cpu_clock:
                        timings.cpu[name].append(cpu_elapsed)
    finally:
        if disable_gc and was_enabled:
            gc.enable()
    return timings


@dataclass
class TimingSummary:
    """Milliseconds per step: median, quartiles and minimum of the recorded steps."""

    median_ms: float
    q1_ms: float
    q3_ms: float
    min_ms: float
    steps: int

    @classmethod
    def from_seconds(cls, seconds):
        milliseconds = [1000.0 * value for value in seconds]
        return cls(
            median_ms=median(milliseconds),
            q1_ms=quantile(milliseconds, 0.25),
            q3_ms=quantile(milliseconds, 0.75),
            min_ms=min(milliseconds),
            steps=len(milliseconds),
        )


# --------------------------------------------------------------------------------------------- comparison


def max_relative_difference(actual, expected, scale=None):
    """max |actual − expected| / scale, with scale = max |expected| unless given.

    Relative to the array's largest magnitude rather than element by element, so an entry that is zero
    up to rounding (a gradient where two terms cancel) does not turn a 1e-17 difference into a huge
    "relative" one. A caller may pass a larger ``scale`` (the largest gradient of the whole layer) for an
    array that is zero up to rounding as a whole. A zero scale gives the absolute difference.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise ValueError(f"max_relative_difference: shapes differ, {actual.shape} vs {expected.shape}")
    if actual.size == 0:
        return 0.0
    difference = float(np.max(np.abs(actual - expected)))
    if scale is None:
        scale = float(np.max(np.abs(expected)))
    return difference / scale if scale > 0 else difference


@dataclass
class CheckResult:
    """How closely the two libraries agree on the first training step."""

    loss: float
    gradients: float
    weights: float
    tolerance: float
    worst_gradient: str = ""
    worst_weight: str = ""
    details: dict = field(default_factory=dict)

    @property
    def passed(self):
        return max(self.loss, self.gradients, self.weights) <= self.tolerance


def compare_arrays(pairs, groups=None):
    """Compare ``{name: (actual, expected)}``; return (largest difference, its name, {name: difference}).

    ``groups`` maps a name to a group (such as its layer): every array is then measured relative to the
    largest ``expected`` magnitude in its group, so an array that is mathematically zero (the bias of a
    Conv followed by BatchNorm has gradient exactly 0) compares its rounding noise with the layer's scale
    instead of with itself. Without ``groups`` each array is its own group.
    """
    groups = groups or {}
    scales = defaultdict(float)
    for name, (_, expected) in pairs.items():
        magnitude = float(np.max(np.abs(expected))) if np.size(expected) else 0.0
        scales[groups.get(name, name)] = max(scales[groups.get(name, name)], magnitude)
    differences = {
        name: max_relative_difference(actual, expected, scales[groups.get(name, name)])
        for name, (actual, expected) in pairs.items()
    }
    if not differences:
        return 0.0, "", differences
    worst = max(differences, key=differences.get)
    return differences[worst], worst, differences


# --------------------------------------------------------------------------------------------- reporting


@dataclass
class Row:
    """One line of the result table (one model at one batch size and dtype)."""

    model: str
    family: str
    batch: int
    dtype: str
    rnnreg: TimingSummary | None = None
    torch: TimingSummary | None = None
    rnnreg_cpu: TimingSummary | None = None
    torch_cpu: TimingSummary | None = None
    check: CheckResult | None = None
    note: str = ""

    @property
    def ratio(self):
        """rnnreg / PyTorch of the median wall-clock step times (the headline number)."""
        return _ratio(self.rnnreg, self.torch)

    @property
    def cpu_ratio(self):
        """rnnreg / PyTorch of the median CPU times per step (steadier on a busy machine)."""
        return _ratio(self.rnnreg_cpu, self.torch_cpu)

    @property
    def target(self):
        return TARGET_RATIOS.get(self.dtype, {}).get(self.family)

    @property
    def meets_target(self):
        if self.ratio is None or self.target is None:
            return None
        return self.ratio <= self.target

    def to_dict(self):
        data = asdict(self)
        data.update(ratio=self.ratio, cpu_ratio=self.cpu_ratio, target=self.target, meets_target=self.meets_target)
        if self.check is not None:
            data["check"]["passed"] = self.check.passed
        return data


def _ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator.median_ms <= 0:
        return None
    return numerator.median_ms / denominator.median_ms


def _format_number(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"


def format_table(rows):
    """The result table as text: model, batch, dtype, both medians, the ratios, target and the first-step check.

    "ratio" is rnnreg / PyTorch of the median wall-clock times, "cpu ratio" the same for CPU time.
    """
    header = ("model", "batch", "dtype", "rnnreg ms", "torch ms", "ratio", "cpu ratio", "target", "first-step check")
    lines = []
    for row in rows:
        if row.check is None:
            check = row.note or "-"
        else:
            verdict = "ok" if row.check.passed else "FAILED"
            worst = max(row.check.loss, row.check.gradients, row.check.weights)
            check = f"{verdict} (max rel. diff {worst:.1e})"
            if row.note:
                check += f"; {row.note}"
        target = "-" if row.target is None else f"<= {row.target:.1f}"
        if row.meets_target is not None:
            target += " met" if row.meets_target else " missed"
        lines.append(
            (
                row.model,
                str(row.batch),
                row.dtype,
                _format_number(row.rnnreg and row.rnnreg.median_ms, 3),
                _format_number(row.torch and row.torch.median_ms, 3),
                _format_number(row.ratio, 3),
                _format_number(row.cpu_ratio, 3),
                target,
                check,
            )
        )
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(len(header))]
    numeric = {1, 3, 4, 5, 6}

    def render(cells):
        return "  ".join(
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    separator = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), separator, *(render(line) for line in lines)])


def write_json(path, payload):
    """Write ``payload`` as indented JSON to ``path`` (parent folders are created); return the Path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, sort_keys=False, default=_json_default)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# Set on some processors of this workplace for old OpenBLAS builds; they slow a current NumPy down.
OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def machine_description(load_averages=None):
    """What the numbers depend on: Python, NumPy, the processor and BLAS settings from the environment.

    ``load_averages``, a pair of ``os.getloadavg()`` results taken before and after a run, adds them as
    ``load_average_before`` and ``load_average_after``.
    """
    description = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "openblas_env": {name: os.environ[name] for name in OPENBLAS_VARIABLES if name in os.environ},
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if load_averages is not None:
        description["load_average_before"], description["load_average_after"] = load_averages
    return description


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# ------------------------------------------------------------------------------------------------ profile


def summarize_profile(stats, steps, *, top=12, prefix_filter=None):
    """Turn a ``pstats.Stats`` of ``steps`` training steps into the top functions by own time per step.

    Returns a list of dicts (function, calls_per_step, own_ms_per_step, cumulative_ms_per_step), sorted by
    own time. ``prefix_filter`` (a callable on the file name) keeps only some files, e.g. rnnreg's.
    Time spent inside NumPy operators written as ``a @ b`` or ``a * b`` is not a separate call for the
    profiler: it counts as own time of the Python function that wrote the expression.
    """
    entries = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        if prefix_filter is not None and not prefix_filter(filename):
            continue
        entries.append(
            {
                "function": _function_label(filename, line, name),
                "calls_per_step": calls / steps,
                "own_ms_per_step": 1000.0 * own / steps,
                "cumulative_ms_per_step": 1000.0 * cumulative / steps,
            }
        )
    entries.sort(key=lambda entry: entry["own_ms_per_step"], reverse=True)
    return entries[:top]


def _function_label(filename, line, name):
    if filename == "~":  # a built-in (C) function such as numpy's matmul or ufunc methods
        return name
    parts = Path(filename).parts
    # rnnreg/layers/rnn.py rather than the whole path; other files by their name alone.
    start = len(parts) - 1 - parts[::-1].index("rnnreg") if "rnnreg" in parts else len(parts) - 1
    short = "/".join(parts[start:])
    return f"{short}:{line}({name})"


def format_profile(entries):
    """A small text table of ``summarize_profile`` entries."""
    lines = [f"{'own ms':>8} {'cum ms':>8} {'calls':>7}  function"]
    for entry in entries:
        lines.append(
            f"{entry['own_ms_per_step']:8.3f} {entry['cumulative_ms_per_step']:8.3f} "
            f"{entry['calls_per_step']:7.1f}  {entry['function']}"
        )
    return "\n".join(lines)


def format_breakdown(breakdown):
    """A text table of a per-part time split: ``[(part, ms per step), ...]`` with shares of the total."""
    total = sum(ms for _, ms in breakdown) or 1.0
    width = max((len(part) for part, _ in breakdown), default=4)
    return "\n".join(f"{part.ljust(width)} {ms:8.3f} ms {100 * ms / total:5.1f} %" for part, ms in breakdown)

