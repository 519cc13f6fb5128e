"""The benchmark harness (benchmarks/): timing, interleaving, comparison, table, JSON, the rnnreg models.

Everything here runs without PyTorch. The tests of the PyTorch twins live in benchmarks/test_torch_twin.py
and run in ``.venv-bench`` when ``make bench`` starts (the main test environment never installs PyTorch).
"""

import cProfile
import dataclasses
import gc
import json
import math
import pstats
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnreg import BaseLayer

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from benchmarks import bench_plain, bench_torch, harness, models  # noqa: E402
from benchmarks.plain_numpy import PlainMlp  # noqa: E402

# ------------------------------------------------------------------------------------------------- timing


def test_median_of_odd_and_even_counts():
    assert harness.median([3, 1, 2]) == 2
    assert harness.median([4, 1, 3, 2]) == 2.5
    assert harness.median([7.5]) == 7.5


def test_median_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="at least one value"):
        harness.median([])


def test_quantile_interpolates_between_order_statistics():
    values = [10, 0, 30, 20]
    assert harness.quantile(values, 0) == 0
    assert harness.quantile(values, 1) == 30
    assert harness.quantile(values, 0.5) == 15
    assert harness.quantile(values, 0.25) == pytest.approx(7.5)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        harness.quantile(values, 1.5)


class FakeClock:
    """A clock that only moves when a step says so."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def make_step(name, log, clock, seconds):
    def step(index):
        log.append((name, index))
        clock.now += seconds

    return step


def test_run_interleaved_alternates_the_libraries_round_by_round():
    log, clock = [], FakeClock()
    steps = [("rnnreg", make_step("rnnreg", log, clock, 0.002)), ("torch", make_step("torch", log, clock, 0.003))]

    harness.run_interleaved(steps, warmup=2, repeats=3, clock=clock, cpu_clock=None)

    assert log == [(name, index) for index in range(5) for name in ("rnnreg", "torch")]


def test_run_interleaved_records_only_the_timed_rounds():
    log, clock, cpu = [], FakeClock(), FakeClock()

    def rnnreg_step(index):
        log.append(("rnnreg", index))
        clock.now += 0.010 if index < 2 else 0.002  # slow warm-up rounds must not be recorded
        cpu.now += 0.001

    steps = [("rnnreg", rnnreg_step), ("torch", make_step("torch", log, clock, 0.003))]
    timings = harness.run_interleaved(steps, warmup=2, repeats=4, clock=clock, cpu_clock=cpu)

    assert timings.wall["rnnreg"] == pytest.approx([0.002] * 4)
    assert timings.wall["torch"] == pytest.approx([0.003] * 4)
    assert timings.cpu["rnnreg"] == pytest.approx([0.001] * 4)
    assert timings.cpu["torch"] == pytest.approx([0.0] * 4)


def test_run_interleaved_switches_the_garbage_collector_back_on():
    assert gc.isenabled()
    seen = []
    harness.run_interleaved([("only", lambda index: seen.append(gc.isenabled()))], warmup=0, repeats=2)
    assert seen == [False, False]
    assert gc.isenabled()


def test_run_interleaved_switches_the_collector_back_on_after_an_error():
    def failing(index):
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        harness.run_interleaved([("bad", failing)], warmup=0, repeats=1)
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("steps", "warmup", "repeats", "message"),
    [
        ([], 1, 1, "at least one"),
        ([("a", print), ("a", print)], 1, 1, "unique"),
        ([("a", print)], -1, 1, "warmup >= 0"),
        ([("a", print)], 0, 0, "repeats >= 1"),
    ],
)
def test_run_interleaved_rejects_bad_arguments(steps, warmup, repeats, message):
    with pytest.raises(ValueError, match=message):
        harness.run_interleaved(steps, warmup, repeats)


def test_timing_summary_is_in_milliseconds():
    summary = harness.TimingSummary.from_seconds([0.004, 0.001, 0.003, 0.002, 0.005])
    assert summary.median_ms == pytest.approx(3.0)
    assert summary.q1_ms == pytest.approx(2.0)
    assert summary.q3_ms == pytest.approx(4.0)
    assert summary.min_ms == pytest.approx(1.0)
    assert summary.steps == 5


# --------------------------------------------------------------------------------------------- comparison


def test_max_relative_difference_is_relative_to_the_largest_expected_entry():
    expected = np.array([2.0, -4.0, 1e-18])
    actual = np.array([2.0, -4.0 + 4e-12, 2e-18])
    assert harness.max_relative_difference(actual, expected) == pytest.approx(1e-12)
    assert harness.max_relative_difference(actual, expected, scale=8.0) == pytest.approx(5e-13)


def test_max_relative_difference_of_zero_arrays_is_absolute():
    assert harness.max_relative_difference(np.array([1e-17]), np.array([0.0])) == pytest.approx(1e-17)
    assert harness.max_relative_difference(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_max_relative_difference_needs_equal_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        harness.max_relative_difference(np.zeros(3), np.zeros(4))


def test_compare_arrays_measures_a_zero_gradient_against_its_layer():
    # The bias of a Conv followed by BatchNorm has gradient exactly 0: both sides return rounding noise.
    pairs = {
        "0 Conv.weights": (np.array([20.0, -3.0]), np.array([20.0, -3.0 + 2e-13])),
        "0 Conv.bias": (np.array([3e-14, -1e-14]), np.array([-2e-14, 1e-14])),
    }
    alone, worst_alone, _ = harness.compare_arrays(pairs)
    grouped, worst, details = harness.compare_arrays(pairs, {name: 0 for name in pairs})

    assert alone > 1 and worst_alone == "0 Conv.bias"
    assert grouped == pytest.approx(1e-14)
    assert worst == "0 Conv.weights"
    assert details["0 Conv.bias"] == pytest.approx(5e-14 / 20)


def test_check_result_passes_only_within_the_tolerance():
    assert harness.CheckResult(loss=1e-15, gradients=3e-14, weights=1e-16, tolerance=1e-10).passed
    assert not harness.CheckResult(loss=1e-15, gradients=2e-10, weights=1e-16, tolerance=1e-10).passed


# --------------------------------------------------------------------------------------------- reporting


def summary(milliseconds):
    return harness.TimingSummary.from_seconds([milliseconds / 1000.0])


def example_rows():
    checked = harness.Row(
        model="MLP 64-128-128-10",
        family="mlp",
        batch=64,
        dtype="float64",
        rnnreg=summary(3.0),
        torch=summary(2.0),
        rnnreg_cpu=summary(2.5),
        torch_cpu=summary(2.0),
        check=harness.CheckResult(loss=1e-15, gradients=4e-14, weights=2e-16, tolerance=1e-10),
    )
    unsupported = harness.Row(
        model="Conv net, 8x8 digits",
        family="conv",
        batch=64,
        dtype="float32",
        torch=summary(7.5),
        torch_cpu=summary(7.0),
        note="rnnreg float32 not supported yet (CrossEntropyLoss.backward output: float64; 10 places)",
    )
    failed = harness.Row(
        model="LSTM 8-64-1, T=50",
        family="lstm",
        batch=32,
        dtype="float64",
        rnnreg=summary(40.0),
        torch=summary(50.0),
        check=harness.CheckResult(loss=0.1, gradients=0.2, weights=0.3, tolerance=1e-10),
    )
    return [checked, unsupported, failed]


def test_row_ratios_and_targets():
    checked, unsupported, failed = example_rows()
    assert checked.ratio == pytest.approx(1.5)
    assert checked.cpu_ratio == pytest.approx(1.25)
    assert checked.target == 1.0 and checked.meets_target is False
    assert failed.ratio == pytest.approx(0.8)
    assert failed.cpu_ratio is None
    assert failed.meets_target is True
    assert unsupported.ratio is None and unsupported.meets_target is None


def test_format_table_lines_up_every_row():
    table = harness.format_table(example_rows())
    lines = table.splitlines()

    assert lines[0].split()[:3] == ["model", "batch", "dtype"]
    assert "rnnreg ms" in lines[0] and "torch ms" in lines[0] and "cpu ratio" in lines[0]
    assert set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + 3
    mlp, conv, lstm = lines[2:]
    assert "3.000" in mlp and "2.000" in mlp and "1.500" in mlp and "1.250" in mlp
    assert "<= 1.0 missed" in mlp and "ok (max rel. diff 4.0e-14)" in mlp
    assert "rnnreg float32 not supported yet" in conv and "7.500" in conv
    assert "FAILED" in lstm and "<= 1.0 met" in lstm
    # The columns line up: "batch" values end where the header's "batch" ends.
    batch_end = lines[0].index("batch") + len("batch")
    assert all(line[batch_end - 2 : batch_end] in ("64", "32") for line in lines[2:])


def test_write_json_creates_folders_and_round_trips(tmp_path):
    path = tmp_path / "results" / "nested" / "torch.json"
    payload = {
        "rows": [row.to_dict() for row in example_rows()],
        "numbers": np.arange(3),
        "scalar": np.float64(1.5),
        "path": Path("a/b"),
    }

    written = harness.write_json(path, payload)

    assert written == path
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["numbers"] == [0, 1, 2] and data["scalar"] == 1.5 and data["path"] == "a/b"
    first = data["rows"][0]
    assert first["model"] == "MLP 64-128-128-10" and first["batch"] == 64
    assert first["rnnreg"]["median_ms"] == pytest.approx(3.0)
    assert first["ratio"] == pytest.approx(1.5) and first["cpu_ratio"] == pytest.approx(1.25)
    assert first["check"]["passed"] is True and first["meets_target"] is False
    assert data["rows"][1]["rnnreg"] is None and data["rows"][1]["ratio"] is None
    assert data["rows"][2]["check"]["passed"] is False


def test_write_json_refuses_what_json_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match="cannot write object as JSON"):
        harness.write_json(tmp_path / "bad.json", {"thing": object()})


def test_machine_description_names_the_essentials():
    machine = harness.machine_description()
    assert machine["numpy"] == np.__version__
    assert machine["cpu_count"] >= 1
    assert set(machine["openblas_env"]) <= set(harness.OPENBLAS_VARIABLES)
    assert "load_average_before" not in machine


def test_machine_description_records_the_load_averages_of_a_run():
    machine = harness.machine_description(load_averages=((0.5, 0.4, 0.3), (1.5, 1.0, 0.5)))
    assert machine["load_average_before"] == (0.5, 0.4, 0.3)
    assert machine["load_average_after"] == (1.5, 1.0, 0.5)


def busy(count):
    return sum(math.sqrt(value) for value in range(count))


def test_summarize_profile_reports_per_step_numbers_sorted_by_own_time():
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(4):
        busy(20000)
    profiler.disable()

    entries = harness.summarize_profile(pstats.Stats(profiler), steps=4, top=5)

    assert 1 <= len(entries) <= 5
    own = [entry["own_ms_per_step"] for entry in entries]
    assert own == sorted(own, reverse=True)
    busy_entry = next(entry for entry in entries if entry["function"].endswith("(busy)"))
    assert busy_entry["calls_per_step"] == pytest.approx(1.0)
    assert busy_entry["function"].startswith("test_benchmark_harness.py:")
    assert busy_entry["cumulative_ms_per_step"] >= busy_entry["own_ms_per_step"]
    text = harness.format_profile(entries)
    assert "own ms" in text.splitlines()[0] and "(busy)" in text


def test_format_breakdown_shows_shares():
    text = harness.format_breakdown([("0 RNN forward", 3.0), ("0 RNN backward", 1.0)])
    assert "75.0 %" in text.splitlines()[0] and "25.0 %" in text.splitlines()[1]


# ------------------------------------------------------------------------------------ the rnnreg models


@pytest.mark.parametrize("spec", models.SPECS, ids=lambda spec: spec.key)
def test_every_model_trains_in_rnnreg_alone(spec):
    case = models.build_case(spec, "float64", seed=3, batch_count=2)

    losses = [case.step(index) for index in range(3)]

    assert all(np.isfinite(losses))
    inputs, labels = case.batches[1]
    assert inputs.shape[0] == spec.batch and labels.shape[0] == spec.batch
    assert models.dtype_leaks(case) == []


def test_the_same_seed_builds_the_same_case():
    spec = models.spec_by_key("mlp-64")
    first, second = (models.build_case(spec, seed=5, batch_count=2) for _ in range(2))
    for (label, layer, name), (_, other, _) in zip(
        models.parameter_items(first.network), models.parameter_items(second.network), strict=True
    ):
        np.testing.assert_array_equal(getattr(layer, name), getattr(other, name), err_msg=label)
    np.testing.assert_array_equal(first.batches[1][0], second.batches[1][0])
    # Dropout masks come from NumPy's global state, as in rnnreg by default.
    np.random.seed(1)
    first_loss = first.step(0)
    np.random.seed(1)
    assert second.step(0) == first_loss


def test_float32_cases_hold_float32_arrays_and_batches():
    case = models.build_case(models.spec_by_key("elman-32"), "float32", batch_count=2)
    assert case.dtype == "float32"
    for _, layer, name in models.parameter_items(case.network):
        assert getattr(layer, name).dtype == np.float32
    assert all(inputs.dtype == labels.dtype == np.float32 for inputs, labels in case.batches)


class ToFloat64(BaseLayer):
    """An identity layer whose output is float64 whatever came in."""

    def forward(self, input_tensor):
        return np.asarray(input_tensor, dtype=np.float64)

    def backward(self, error_tensor):
        return error_tensor


def test_dtype_leaks_names_every_place_that_leaves_float32():
    case = models.build_case(models.spec_by_key("elman-32"), "float32", batch_count=1)
    case.network.append_layer(ToFloat64())

    leaks = models.dtype_leaks(case)

    assert leaks[0] == "1 ToFloat64.forward output: float64"
    assert "L2Loss.backward output: float64" in leaks
    assert all("RNN" not in leak for leak in leaks)  # the RNN itself stays in float32
    # The case itself is left alone (the check works on a copy).
    assert case.network.layers[0].gradient_weights is None


def test_unknown_model_and_dtype_are_rejected():
    with pytest.raises(ValueError, match="unknown model 'gru'"):
        models.spec_by_key("gru")
    with pytest.raises(ValueError, match="dtype must be one of"):
        models.build_case(models.SPECS[0], "float16")


def test_layer_breakdown_covers_every_layer_and_leaves_the_case_alone():
    case = models.build_case(models.spec_by_key("conv-64"), batch_count=2)
    before = [np.copy(getattr(layer, name)) for _, layer, name in models.parameter_items(case.network)]

    breakdown = models.layer_breakdown(case, steps=2)

    parts = [part for part, _ in breakdown]
    assert parts[:3] == ["0 Conv forward", "0 Conv backward", "0 Conv update"]
    assert "3 Pooling forward" in parts and "6 SoftMax backward" in parts
    assert parts[-3:-1] == ["CrossEntropyLoss forward", "CrossEntropyLoss backward"]
    assert parts[-1].startswith("network")
    assert all(np.isfinite(ms) and ms >= 0 for _, ms in breakdown)
    after = [getattr(layer, name) for _, layer, name in models.parameter_items(case.network)]
    for old, new in zip(before, after, strict=True):
        np.testing.assert_array_equal(old, new)
    assert "forward" not in vars(case.network.layers[0])  # no timing wrapper left on the real layers


# ----------------------------------------------------------------------------------------- the script


def test_quick_mode_and_overrides():
    quick = bench_torch.settings_from(bench_torch.parse_args(["--quick"]))
    full = bench_torch.settings_from(bench_torch.parse_args([]))
    assert quick.repeats < full.repeats and quick.warmup < full.warmup
    custom = bench_torch.settings_from(bench_torch.parse_args(["--quick", "--repeats", "7", "--no-profile"]))
    assert custom.repeats == 7 and custom.warmup == quick.warmup and custom.profile_steps == 0
    with pytest.raises(SystemExit):
        bench_torch.settings_from(bench_torch.parse_args(["--repeats", "0"]))


def test_default_json_paths_lie_in_the_ignored_results_folder():
    for path in bench_torch.DEFAULT_JSON.values():
        assert path.parent == REPOSITORY / "benchmarks" / "results"
    assert bench_torch.DEFAULT_JSON["float64"].name == "torch.json"


def test_every_float64_model_has_the_target_one():
    checked, _, _ = example_rows()
    for family in ("mlp", "conv", "elman", "lstm"):
        row = dataclasses.replace(checked, family=family)
        assert row.target == 1.0 and row.meets_target is False  # ratio 1.5


def test_float32_rows_have_the_float32_targets():
    checked, _, _ = example_rows()
    for family in ("mlp", "conv", "elman"):
        row = dataclasses.replace(checked, dtype="float32", family=family)
        assert row.target == 1.0 and row.meets_target is False  # ratio 1.5
    lstm = dataclasses.replace(checked, dtype="float32", family="lstm")
    assert lstm.target == 2.0 and lstm.meets_target is True


# ------------------------------------------------------------------------------------- plain NumPy reference


@pytest.mark.parametrize("key", bench_plain.MODELS)
def test_plain_numpy_mlp_computes_the_same_steps_as_rnnreg(key):
    assert bench_plain.plain_agrees(models.spec_by_key(key), seed=3) < 1e-12


def test_plain_numpy_reference_is_only_for_the_mlp():
    case = models.build_case(models.spec_by_key("elman-32"), batch_count=1)
    with pytest.raises(ValueError, match="PlainMlp needs an MLP case, got family 'elman'"):
        PlainMlp(case)
