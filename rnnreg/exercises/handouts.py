"""Student versions of the exercise notebooks: every solution replaced by ``raise NotImplementedError``.

The exercise notebooks (``notebooks/exercises/*.ipynb``) are stored with their solutions, so that nbval runs
them. In a code cell, each region from a ``### BEGIN SOLUTION`` line to its ``### END SOLUTION`` line becomes
one ``raise NotImplementedError`` at the indentation of the BEGIN line; every code cell loses its outputs,
execution count and run timestamps; the nbgrader cell metadata stays. nbgrader's ``ClearSolutions``
preprocessor does the same (its stub adds a ``# YOUR CODE HERE`` line), so lecturers who grade with nbgrader
can use these notebooks as their source versions; nbgrader itself is not needed here. ``make handouts`` runs::

    python -m rnnreg.exercises.handouts [SOURCE_DIR [TARGET_DIR]]    # notebooks/exercises -> build/handouts

Plain JSON through the ``json`` module: NumPy alone is enough to import ``rnnreg.exercises``.
"""

import json
import sys
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "raise NotImplementedError"
DEFAULT_DIRS = ("notebooks/exercises", "build/handouts")  # relative to the repository root, where make runs


def clear_solutions(source, where="cell"):
    """``source`` (a cell's code) with each BEGIN ... END SOLUTION region replaced by ``raise NotImplementedError``.

    Raises
    ------
    ValueError
        A BEGIN without its END, an END without a BEGIN, or a BEGIN inside a region (``where`` names the cell).
    """
    lines, inside = [], False
    for line in source.splitlines(keepends=True):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"{where}: a second {BEGIN!r} before the {END!r} of the first")
            inside = True
            indentation = line[: len(line) - len(line.lstrip())]
            lines.append(f"{indentation}{STUB}\n")
        elif marker == END:
            if not inside:
                raise ValueError(f"{where}: {END!r} without a {BEGIN!r} before it")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN!r} without its {END!r}")
    return "".join(lines).rstrip("\n")


def student_version(notebook, name="notebook"):
    """A copy of ``notebook`` (the JSON dict of a .ipynb) with solutions cleared and code outputs removed."""
    handout = json.loads(json.dumps(notebook))  # a deep copy; the source notebook stays as it is
    for index, cell in enumerate(handout["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        cell["source"] = clear_solutions(source, where=f"{name} cell {index}")
        cell["outputs"], cell["execution_count"] = [], None
        cell["metadata"].pop("execution", None)  # the timestamps of the run that stored the outputs
    return handout


def write_handouts(source_dir, target_dir):
    """Write the student version of every ``*.ipynb`` in ``source_dir`` to ``target_dir``; return the new paths.

    ``target_dir`` is created when missing; files of the same names there are overwritten.

    Raises
    ------
    FileNotFoundError
        ``source_dir`` is not a folder, or it holds no notebook.
    ValueError
        A notebook with unmatched solution markers (see ``clear_solutions``); nothing of it is written.
    """
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(f"write_handouts source_dir {str(source_dir)!r} is not a folder")
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"write_handouts source_dir {str(source_dir)!r} holds no .ipynb notebook")
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        handout = student_version(json.loads(path.read_text(encoding="utf-8")), name=path.name)
        target = target_dir / path.name
        target.write_text(json.dumps(handout, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(arguments=None):
    """``python -m rnnreg.exercises.handouts [SOURCE_DIR [TARGET_DIR]]``."""
    arguments = sys.argv[1:] if arguments is None else arguments
    if len(arguments) > 2:
        raise SystemExit("usage: python -m rnnreg.exercises.handouts [SOURCE_DIR [TARGET_DIR]]")
    source_dir, target_dir = [*arguments, *DEFAULT_DIRS[len(arguments) :]]
    for path in write_handouts(source_dir, target_dir):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
