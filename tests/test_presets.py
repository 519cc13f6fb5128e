"""The dashboards' presets (rnnreg.lessons.presets): every preset is a setting its dashboard's ``set`` accepts.

Building a dashboard trains (or draws) its first setting, seconds for some; the control checks do not need
that. So most tests build each dashboard with ``refresh`` replaced by a no-op: the real controls, the real
``Dashboard.set`` (every value checked against its control, the whole setting against ``check_setting``),
no training. The dashboards whose settings are cheap also apply every preset for real and draw it.
"""

import pathlib
import re

import pytest
from helpers import controls_only

pytest.importorskip("ipywidgets")

from rnnreg import widgets
from rnnreg.lessons.presets import PANELS, PRESETS, Preset, preset, presets_for
from rnnreg.widgets import DropoutPhaseDashboard, GradientFlowDashboard, LiveTrainingDashboard

DASHBOARDS = {name: getattr(widgets, name) for name in widgets.__all__ if name != "Dashboard"}
ALL_PRESETS = [(name, each) for name, presets in PRESETS.items() for each in presets]
GUIDE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "lecturers-guide.md"
CHEAP = {"DropoutPhaseDashboard": DropoutPhaseDashboard, "GradientFlowDashboard": GradientFlowDashboard}
CHEAP_OPTIONS = {"GradientFlowDashboard": {"seeds": (0, 1)}}


def _preset_id(value):
    return value.name if isinstance(value, Preset) else value


def test_every_dashboard_has_presets_and_only_dashboards_do():
    assert set(PRESETS) == set(DASHBOARDS)
    assert all(len(presets) >= 2 for presets in PRESETS.values())


@pytest.mark.parametrize("dashboard_name", sorted(PRESETS))
def test_preset_names_are_unique_per_dashboard(dashboard_name):
    names = [each.name for each in PRESETS[dashboard_name]]
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize(("dashboard_name", "chosen"), ALL_PRESETS, ids=_preset_id)
def test_set_accepts_every_preset_and_the_controls_then_hold_it(dashboard_name, chosen):
    dashboard = controls_only(DASHBOARDS[dashboard_name])
    assert set(chosen.values) == set(dashboard.controls), "a preset names every control: always the same picture"
    dashboard.set(**chosen.values)
    assert dashboard.params() == dict(chosen.values)


@pytest.mark.parametrize(("dashboard_name", "chosen"), ALL_PRESETS, ids=_preset_id)
def test_every_preset_names_the_panel_that_shows_it(dashboard_name, chosen):
    panels = PANELS[dashboard_name]
    assert chosen.panel in panels if len(panels) > 1 else chosen.panel is None


@pytest.mark.parametrize(("dashboard_name", "chosen"), ALL_PRESETS, ids=_preset_id)
def test_every_takeaway_is_one_sentence(dashboard_name, chosen):
    takeaway = chosen.takeaway
    assert takeaway[0].isupper() and takeaway.endswith("."), takeaway
    assert not re.search(r"[.!?]\s", takeaway[:-1]), f"more than one sentence: {takeaway!r}"
    assert len(takeaway) <= 160, f"too long to read out from a projector: {takeaway!r}"


@pytest.mark.parametrize("dashboard_name", sorted(CHEAP))
def test_cheap_dashboards_draw_every_preset(dashboard_name):
    dashboard = CHEAP[dashboard_name](**CHEAP_OPTIONS.get(dashboard_name, {}))
    pictures = set()
    for chosen in presets_for(dashboard):
        dashboard.set(**chosen.values)
        assert dashboard.last_error is None, (chosen.name, dashboard.last_error)
        pictures.add(bytes(dashboard.image.value))
    assert len(pictures) == len(presets_for(dashboard)), "every preset shows its own picture"


def test_live_dashboard_takes_its_presets_while_training():
    dashboard = LiveTrainingDashboard(steps_per_tick=2)
    for chosen in presets_for(LiveTrainingDashboard):
        dashboard.set(**chosen.values)
        dashboard.step()
        assert dashboard.last_error is None, (chosen.name, dashboard.last_error)
        settings = dashboard.data()["settings"]
        assert settings["l2_strength"] == chosen.values["l2_strength"]
        assert settings["learning_rate"] == chosen.values["learning_rate"]


def test_presets_are_read_only():
    chosen = PRESETS["RegularizerDashboard"][0]
    with pytest.raises(TypeError):
        chosen.values["alpha"] = 1.0
    with pytest.raises(TypeError):
        PRESETS["RegularizerDashboard"] = ()


def test_presets_for_takes_a_class_an_instance_or_a_name():
    dashboard = controls_only(DropoutPhaseDashboard)
    expected = PRESETS["DropoutPhaseDashboard"]
    assert presets_for(DropoutPhaseDashboard) == presets_for("DropoutPhaseDashboard") == expected
    assert presets_for(dashboard) == expected  # a subclass (here: one that never draws) has its parent's presets
    assert preset("RegularizerDashboard", "strong L1").values["regularizer"] == "L1"


def test_presets_for_an_unknown_dashboard_names_it():
    with pytest.raises(ValueError, match="presets_for dashboard must be one of .*got 'NoSuchDashboard'"):
        presets_for("NoSuchDashboard")


def test_an_unknown_preset_name_is_named():
    with pytest.raises(ValueError, match="preset name must be one of .*got 'weak L1'"):
        preset("RegularizerDashboard", "weak L1")


def _lecture_scripts():
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("## Lecture scripts")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def test_the_lecture_scripts_name_only_presets_that_exist_and_show_every_preset():
    preset_cells = re.findall(r"^\|.*\| (preset [^|]*) \|$", _lecture_scripts(), flags=re.M)
    named = {name for cell in preset_cells for name in re.findall(r"`([^`]+)`", cell)}
    known = {each.name for presets in PRESETS.values() for each in presets}
    assert named <= known, f"presets named in the guide that presets.py lacks: {sorted(named - known)}"
    assert known <= named, f"presets the lecture scripts never show: {sorted(known - named)}"


@pytest.mark.parametrize("lesson", ["00", "01", "02", "03", "04", "05"])
def test_every_lesson_has_a_timed_script_with_questions_for_the_room(lesson):
    scripts = _lecture_scripts()
    section = re.search(rf"### {lesson}_\w+.*?(?=\n### |\Z)", scripts, flags=re.S)
    assert section, f"no lecture script for lesson {lesson}"
    minutes = [int(end) for end in re.findall(r"^\| (?:\d+)[–-](\d+) \|", section.group(0), flags=re.M)]
    assert minutes and minutes[-1] == 90 and minutes == sorted(minutes), minutes
    questions = re.findall(r"^\*\*Q\d\.\*\*", section.group(0), flags=re.M)
    assert 2 <= len(questions) <= 3, questions
    assert section.group(0).count("*Answer:*") == len(questions)
    assert section.group(0).count("*Misconception") >= len(questions)
