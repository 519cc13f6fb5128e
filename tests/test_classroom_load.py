"""The pure parts of the classroom load benchmark (benchmarks/classroom_load.py): no hub, no kernel.

Message decoding, finding and moving the L1/L2 slider, errors in kernel output, the statistics and the sizing
for a course. The benchmark itself needs the hub's environment and runs by hand (benchmarks/README.md).
"""

import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from benchmarks import classroom_load as load  # noqa: E402

# A comm_open the kernel sent when lesson 01's RegularizerDashboard was shown (recorded, ids kept).
RECORDED_SLIDER_OPEN = json.loads(
    '{"header": {"msg_type": "comm_open", "version": "5.4"}, "parent_header": {"msg_id": "recorded"}, '
    '"metadata": {"version": "2.1.0"}, "content": {"data": {"state": {"_dom_classes": [], '
    '"_model_module": "@jupyter-widgets/controls", "_model_module_version": "2.0.0", '
    '"_model_name": "SelectionSliderModel", "_options_labels": ["off", "0.001", "0.003", "0.01", "0.03", "0.1", '
    '"0.3", "1", "3", "10", "30"], "_view_count": null, "_view_module": "@jupyter-widgets/controls", '
    '"_view_module_version": "2.0.0", "_view_name": "SelectionSliderView", "behavior": "drag-tap", '
    '"continuous_update": false, "description": "regularization strength \\u03b1", "description_allow_html": false, '
    '"disabled": false, "index": 5, "layout": "IPY_MODEL_d50b013b695f4fde98326e1d85d5429f", '
    '"orientation": "horizontal", "readout": true, "style": "IPY_MODEL_be0130380bd84c0c8eacb732c41791a1", '
    '"tabbable": null, "tooltip": null}, "buffer_paths": []}, "comm_id": "5017ed38e5f6469fb5d691cc29ea90cd", '
    '"target_name": "jupyter.widget", "target_module": null}}'
)
SLIDER_ID = "5017ed38e5f6469fb5d691cc29ea90cd"


def message(msg_type, content, parent="p"):
    return {"header": {"msg_type": msg_type}, "parent_header": {"msg_id": parent}, "metadata": {},
            "content": content}


def widget_open(comm_id, state):
    return message("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget",
                                 "data": {"state": state, "buffer_paths": []}})


def widget_update(comm_id, state, method="update"):
    return message("comm_msg", {"comm_id": comm_id, "data": {"method": method, "state": state, "buffer_paths": []}})


def binary_message(body, buffers):
    """The blob jupyter_server sends for a message with buffers (serialize_binary_message's layout)."""
    parts = [json.dumps(body).encode(), *buffers]
    offsets = [4 * (len(parts) + 1)]
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part))
    return struct.pack(f"!{len(parts) + 1}I", len(parts), *offsets) + b"".join(parts)


# ------------------------------------------------------------------------------ the notebook


def test_code_cells_keep_order_and_position_and_skip_markdown_and_empty_cells():
    notebook = {"cells": [{"cell_type": "markdown", "source": "# title"},
                          {"cell_type": "code", "source": ["import numpy as np\n", "x = 1"]},
                          {"cell_type": "code", "source": "  \n"},
                          {"cell_type": "code", "source": "print(x)"}]}
    assert load.code_cells(notebook) == [(2, "import numpy as np\nx = 1"), (4, "print(x)")]


def test_code_cells_of_lesson_01_build_the_dashboard_whose_slider_the_benchmark_moves():
    notebook = json.loads((REPOSITORY / "notebooks" / "01_regularizers.ipynb").read_text())
    cells = load.code_cells(notebook)
    sources = [source for _, source in cells]
    assert len(cells) == sum(cell["cell_type"] == "code" for cell in notebook["cells"])
    assert [position for position, _ in cells] == sorted(position for position, _ in cells)
    assert any("RegularizerDashboard(" in source for source in sources)


def test_the_slider_description_is_the_one_of_the_dashboards_strength_slider():
    from rnnreg.widgets import controls

    assert controls.strength_slider().description == load.SLIDER_DESCRIPTION


# ------------------------------------------------------------------------------ kernel messages


def test_decode_message_reads_json_text():
    body = message("status", {"execution_state": "idle"})
    assert load.decode_message(json.dumps(body)) == body


def test_decode_message_reads_the_binary_form_with_its_buffers():
    body = widget_update("image", {}, method="update")
    decoded = load.decode_message(binary_message(body, [b"\x89PNG-one", b"two"]))
    assert decoded["buffers"] == [b"\x89PNG-one", b"two"]
    assert decoded["content"] == body["content"]


def test_decode_message_rejects_offsets_outside_the_blob():
    blob = struct.pack("!2I", 1, 2) + b"{}"  # the JSON part would start inside the header
    with pytest.raises(ValueError, match=r"offsets outside its 10 bytes, got \[2\]"):
        load.decode_message(blob)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=4), st.text(max_size=20))
def test_decode_message_returns_every_buffer_it_was_given(buffers, text):
    body = message("comm_msg", {"comm_id": text, "data": {}})
    decoded = load.decode_message(binary_message(body, buffers))
    assert decoded["buffers"] == buffers
    assert decoded["content"]["comm_id"] == text


def test_kernel_message_has_a_fresh_id_its_type_and_channel():
    first = load.kernel_message("execute_request", {"code": "1"}, "session")
    second = load.kernel_message("execute_request", {"code": "1"}, "session")
    assert first["header"]["msg_id"] != second["header"]["msg_id"]
    assert first["header"]["msg_type"] == "execute_request"
    assert first["channel"] == "shell"
    assert first["header"]["session"] == "session"


# ------------------------------------------------------------------------------ the slider


def test_find_slider_finds_the_recorded_strength_slider_among_other_widgets():
    other = widget_open("rules", {"_model_name": "SelectionSliderModel", "description": "α, decoupled",
                                  "_options_labels": ["0.01"], "index": 0})
    picture = widget_open("image", {"_model_name": "ImageModel"})
    comm_id, state = load.find_slider(load.widget_states([other, RECORDED_SLIDER_OPEN, picture]))
    assert comm_id == SLIDER_ID
    assert state["_options_labels"][state["index"]] == "0.1"


def test_find_slider_names_the_sliders_it_saw_when_none_matches():
    other = widget_open("rules", {"_model_name": "SelectionSliderModel", "description": "α, decoupled"})
    with pytest.raises(LookupError, match=r"found 0; sliders: \['α, decoupled'\]"):
        load.find_slider(load.widget_states([other]))


def test_find_slider_refuses_two_sliders_with_the_description():
    twin = widget_open("twin", RECORDED_SLIDER_OPEN["content"]["data"]["state"])
    with pytest.raises(LookupError, match="found 2"):
        load.find_slider(load.widget_states([RECORDED_SLIDER_OPEN, twin]))


def test_widget_states_apply_the_kernels_later_updates():
    # Cell 10 of lesson 01 sets α = 0.3 from code: the kernel sends the new index.
    states = load.widget_states([RECORDED_SLIDER_OPEN, widget_update(SLIDER_ID, {"index": 6}),
                                 widget_update(SLIDER_ID, {"index": 7}, method="custom")])
    assert states[SLIDER_ID]["index"] == 6


def test_slider_moves_visit_ten_distinct_options_never_the_current_one():
    state = load.widget_states([RECORDED_SLIDER_OPEN, widget_update(SLIDER_ID, {"index": 6})])[SLIDER_ID]
    moves = load.slider_moves(state, 10)
    indices = [move["index"] for move in moves]
    assert len(set(indices)) == 10
    assert 6 not in indices
    assert all(0 <= index < len(state["_options_labels"]) for index in indices)


def test_slider_moves_refuse_more_moves_than_the_slider_has_other_values():
    state = RECORDED_SLIDER_OPEN["content"]["data"]["state"]
    with pytest.raises(ValueError, match="has 10 other values, fewer than moves=11"):
        load.slider_moves(state, 11)


def test_slider_moves_of_a_float_slider_stay_in_its_range_on_its_step():
    state = {"_model_name": "FloatSliderModel", "description": "L1", "min": 0.0, "max": 1.0, "step": 0.05,
             "value": 0.5}
    values = [move["value"] for move in load.slider_moves(state, 4)]
    assert len(set(values)) == 4
    assert all(0.0 <= value <= 1.0 and not math.isclose(value, 0.5) for value in values)
    assert all(math.isclose(value / 0.05, round(value / 0.05), abs_tol=1e-9) for value in values)


def test_slider_moves_of_a_log_slider_are_powers_of_its_base():
    state = {"_model_name": "FloatLogSliderModel", "description": "η", "min": -3.0, "max": -1.0, "step": 0.25,
             "base": 10.0, "value": 0.01}
    values = [move["value"] for move in load.slider_moves(state, 3)]
    assert all(1e-3 <= value <= 0.1 and not math.isclose(value, 0.01) for value in values)
    assert len(set(values)) == 3


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30).flatmap(lambda size: st.tuples(st.just(size), st.integers(0, size - 1),
                                                          st.integers(1, size - 1))))
def test_slider_moves_of_a_selection_slider_are_distinct_other_options(case):
    size, current, moves = case
    state = {"_model_name": "SelectionSliderModel", "_options_labels": [str(i) for i in range(size)],
             "index": current}
    indices = [move["index"] for move in load.slider_moves(state, moves)]
    assert len(indices) == moves == len(set(indices))
    assert current not in indices


# ------------------------------------------------------------------------------ errors in the output


def test_message_errors_name_the_exception_of_an_error_message():
    error = message("error", {"ename": "NameError", "evalue": "x", "traceback": []})
    assert load.message_errors(error) == ["NameError"]


def test_message_errors_see_a_traceback_printed_to_a_stream():
    printed = message("stream", {"name": "stderr", "text": "Traceback (most recent call last):\n ..."})
    warning = message("stream", {"name": "stderr", "text": "UserWarning: a warning is no error"})
    assert load.message_errors(printed) == ["traceback on stderr"]
    assert load.message_errors(warning) == []


def test_message_errors_see_a_dashboard_that_rejected_its_setting():
    status = widget_update("status", {"value": "<b>⚠ Cannot show this setting:</b> alpha must be ..."})
    fine = widget_update("status", {"value": "medians of 5 seeds: train accuracy 1.000"})
    assert load.message_errors(status) == ["a widget shows a warning or traceback"]
    assert load.message_errors(fine) == []


def test_message_errors_see_a_traceback_in_a_result():
    result = message("execute_result", {"data": {"text/plain": "Traceback (most recent call last)"}})
    assert load.message_errors(result) == ["traceback in an output"]


def test_lost_kernel_signs_are_restarting_and_dead_status_messages():
    messages = [message("status", {"execution_state": state}) for state in ("busy", "idle", "restarting", "dead")]
    assert load.lost_kernel_signs(messages) == ["restarting", "dead"]


# ------------------------------------------------------------------------------ statistics and sizing


def test_percentiles_interpolate_between_samples():
    assert load.percentiles(list(range(1, 21))) == {"p50": 10.5, "p95": pytest.approx(19.05)}
    assert load.percentiles([]) is None


def test_spread_gives_min_median_mean_max_or_none():
    assert load.spread([3.0, 1.0, 2.0, 10.0]) == {"min": 1.0, "median": 2.5, "mean": 4.0, "max": 10.0}
    assert load.spread([]) is None


def student(name, run, sliders, kernel, server, cpu, errors=(), lost=False):
    record = load.new_record(name)
    record.update(spawn_seconds=5.0, run_seconds=run, slider_seconds=list(sliders), kernel_peak_mib=kernel,
                  server_peak_mib=server, kernel_cpu_seconds=cpu - 4.0, server_cpu_seconds=4.0,
                  errors=list(errors), lost_kernel=lost)
    return record


def test_summarize_pools_slider_moves_and_counts_errors_and_lost_kernels():
    students = [student("student1", 70.0, [1.0, 2.0], 140.0, 150.0, 26.0),
                student("student2", 80.0, [3.0, 4.0], 144.0, 152.0, 28.0, errors=[{"stage": "slider"}], lost=True)]
    summary = load.summarize(students, wall_seconds=120.0)
    assert summary["students"] == 2
    assert summary["run_seconds"] == {"min": 70.0, "median": 75.0, "mean": 75.0, "max": 80.0}
    assert summary["slider_moves"] == 4
    assert summary["slider_seconds"]["p50"] == 2.5
    assert summary["kernel_peak_mib"]["max"] == 144.0
    assert summary["cpu_seconds_per_student"]["mean"] == 27.0
    assert (summary["errors"], summary["lost_kernels"]) == (1, 1)


def test_a_student_who_never_got_a_kernel_counts_as_an_error_not_as_a_zero():
    failed = load.new_record("student2")
    failed["errors"].append({"stage": "session", "problems": ["TimeoutError"]})
    summary = load.summarize([student("student1", 70.0, [1.0], 140.0, 150.0, 26.0), failed], wall_seconds=100.0)
    assert summary["run_seconds"]["min"] == 70.0
    assert summary["cpu_seconds_per_student"]["min"] == 26.0
    assert summary["errors"] == 1


def test_course_sizing_scales_memory_and_the_measured_cpu_demand():
    students = [student(f"student{n}", 80.0, [2.0], 140.0 + n, 150.0, 25.0 + n) for n in range(1, 11)]
    summary = load.summarize(students, wall_seconds=160.0)
    sizing = load.course_sizing(summary, {"peak_mib": 190.0, "cpu_seconds": 10.0}, course=80)
    # memory = 80 × (largest kernel + largest server) + hub; cores = 80 × (CPU s per student + hub's share) / wall
    assert sizing["memory_gib"] == pytest.approx((80 * (150.0 + 150.0) + 190.0) / 1024)
    cpu_per_student = np.mean([25.0 + n for n in range(1, 11)]) + 10.0 / 10
    assert sizing["cores"] == pytest.approx(80 * cpu_per_student / 160.0)
    assert sizing["cores_rounded_up"] == math.ceil(sizing["cores"])
    assert sizing["cores_per_student"] == pytest.approx(cpu_per_student / 160.0)


# ------------------------------------------------------------------------------ /proc, JSON, command line


def test_cpu_seconds_and_peak_memory_of_a_living_and_of_a_finished_process():
    assert load.cpu_seconds(os.getpid()) > 0
    assert load.peak_memory_mib(os.getpid()) > 1
    gone = max(load.all_pids()) + 100_000
    assert load.cpu_seconds(gone) is None
    assert load.peak_memory_mib(gone) is None


def test_processes_working_in_a_folder_find_a_child_started_there(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path)
    try:
        load.wait_until(lambda: child.pid in load.processes_working_in(tmp_path), "the child was not seen", 10)
        assert os.getpid() not in load.processes_working_in(tmp_path)
    finally:
        child.kill()
        child.wait()


def test_write_json_keeps_one_run_per_number_of_students(tmp_path):
    path = tmp_path / "results" / "classroom_load.json"
    for students, wall in ((10, 150.0), (1, 20.0), (10, 160.0)):
        load.write_json(path, {"summary": {"students": students, "wall_seconds": wall}})
    runs = json.loads(path.read_text())["runs"]
    assert list(runs) == ["1", "10"]
    assert runs["10"]["summary"]["wall_seconds"] == 160.0


@pytest.mark.parametrize("text", ["0", "11", "ten"])
def test_students_outside_one_to_ten_are_refused(text, capsys):
    with pytest.raises(SystemExit):
        load.parse_arguments(["--students", text])
    error = capsys.readouterr().err
    assert "--students" in error
    assert f"got {text}" in error or f"got {text!r}" in error


def test_default_arguments_are_ten_students_and_ten_moves():
    arguments = load.parse_arguments([])
    assert (arguments.students, arguments.moves, arguments.slider) == (10, 10, load.SLIDER_DESCRIPTION)
