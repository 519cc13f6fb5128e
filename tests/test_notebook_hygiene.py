"""What nbval does not check: lessons and presenter views complete, seeded, thin, stored in order, and small.

nbval itself (``make test`` runs it on ``notebooks/``) re-executes every notebook and compares the stored
outputs; these tests read the stored files only.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
PRESENTER = Path(__file__).resolve().parent.parent / "notebooks" / "present"
PRESENTER_VIEWS = sorted(PRESENTER.glob("*.ipynb"))
STORED = NOTEBOOKS + PRESENTER_VIEWS  # every notebook nbval runs but the exercises (test_exercise_notebooks.py)
LESSONS = ["00_tour", "01_regularizers", "02_dropout", "03_batch_norm", "04_recurrent", "05_all_together"]
MAX_OUTPUT_BYTES = 300_000
MAX_NOTEBOOK_BYTES = 1_500_000


def load(path):
    return json.loads(path.read_text())


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]


def markdown(notebook):
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")


def test_every_lesson_of_the_series_is_there():
    present = {path.stem for path in NOTEBOOKS}
    assert [lesson for lesson in LESSONS if lesson not in present] == []


@pytest.mark.parametrize("path", STORED, ids=[f"{path.parent.name}/{path.stem}" for path in STORED])
class TestStoredNotebook:
    def test_stored_with_outputs_in_execution_order(self, path):
        cells = code_cells(load(path))
        counts = [cell.get("execution_count") for cell in cells]
        assert None not in counts, "every code cell must be executed and stored (make notebooks)"
        assert counts == list(range(1, len(counts) + 1)), "execution counts must run 1, 2, 3, ... (a fresh run)"
        assert any(cell["outputs"] for cell in cells)

    def test_outputs_and_file_stay_small(self, path):
        assert path.stat().st_size < MAX_NOTEBOOK_BYTES
        for index, cell in enumerate(code_cells(load(path))):
            for output in cell["outputs"]:
                assert len(json.dumps(output)) < MAX_OUTPUT_BYTES, f"cell {index} has an output over 300 kB"

    def test_no_errors_stored(self, path):
        for cell in code_cells(load(path)):
            assert all(output["output_type"] != "error" for output in cell["outputs"])

    def test_first_code_cell_seeds_numpy(self, path):
        first = "".join(code_cells(load(path))[0]["source"])
        assert re.search(r"np\.random\.seed\(\d+\)", first)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
class TestLesson:
    def test_opens_with_objectives_prerequisites_and_time(self, path):
        text = markdown(load(path)).lower()
        for heading in ("learning objectives", "prerequisites", "expected time"):
            assert heading in text, f"missing '{heading}'"

    def test_has_exercises_with_answers_to_reveal(self, path):
        text = markdown(load(path))
        assert re.search(r"exercise", text, flags=re.I)
        assert "<details>" in text and "</details>" in text

    def test_is_thin(self, path):
        for cell in code_cells(load(path)):
            source = "".join(cell["source"])
            assert not re.search(r"^\s*class\s", source, flags=re.M), "no classes in a lesson: the library owns them"
            assert not re.search(r"def\s+(forward|backward)\b", source), "no layers defined in a cell"
            assert not re.search(r"^\s*for\s.*:\s*\n\s+.*\.(train_step|backward)\(", source, flags=re.M)

    def test_ends_with_a_link_to_write_it_yourself(self, path):
        last = "".join(load(path)["cells"][-1]["source"])
        assert last.startswith("## Now write it yourself")
        targets = re.findall(r"\]\((exercises/[^)]+\.ipynb)\)", last)
        assert targets, "the last cell links the lesson's exercise notebook"
        assert [target for target in targets if not (path.parent / target).exists()] == []

    def test_shows_at_least_one_dashboard(self, path):
        sources = "\n".join("".join(cell["source"]) for cell in code_cells(load(path)))
        assert "Dashboard" in sources


def _dashboards_built(notebook, pattern=r"\b(\w+Dashboard)\("):
    return sorted(re.findall(pattern, "\n".join("".join(cell["source"]) for cell in code_cells(notebook))))


@pytest.mark.parametrize("lesson", LESSONS)
class TestPresenterView:
    """notebooks/present/: what `make present NB=..` shows a room, one per lesson."""

    def test_shows_every_dashboard_of_its_lesson_in_presenter_mode(self, lesson):
        shown = _dashboards_built(load(PRESENTER / f"{lesson}.ipynb"), r"\b(\w+Dashboard)\(presenter=True\)")
        assert shown == _dashboards_built(load(NOTEBOOKS[0].parent / f"{lesson}.ipynb"))

    def test_headings_and_dashboards_but_no_lesson_prose(self, lesson):
        cells = load(PRESENTER / f"{lesson}.ipynb")["cells"]
        texts = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
        assert texts[0].startswith("# ") and f"make present NB={lesson[:2]}" in texts[0]
        assert all(re.fullmatch(r"## [^\n]+", text) for text in texts[1:]), "after the opening: one heading each"
        assert len(texts) - 1 == len(_dashboards_built(load(PRESENTER / f"{lesson}.ipynb")))


def test_every_lesson_has_a_presenter_view_and_nothing_else_is_one():
    assert [path.stem for path in PRESENTER_VIEWS] == LESSONS
