"""The promises of the packaging: public names, light core import, two-command set-up, conda route."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import rnnreg
import rnnreg.validation

ROOT = Path(__file__).resolve().parent.parent

CONTRACT_NAMES = [
    "BaseLayer", "FullyConnected", "ReLU", "TanH", "Sigmoid", "SoftMax", "Flatten", "Conv", "Pooling", "Dropout",
    "BatchNormalization", "RNN", "LSTM", "Constant", "UniformRandom", "Xavier", "He", "Optimizer", "Sgd",
    "SgdWithMomentum", "Adam", "L1Regularizer", "L2Regularizer", "L1_Regularizer", "L2_Regularizer",
    "CrossEntropyLoss", "NeuralNetwork",
]


def test_every_contract_name_is_exported():
    missing = [name for name in CONTRACT_NAMES if not hasattr(rnnreg, name)]
    assert missing == []
    assert set(CONTRACT_NAMES) <= set(rnnreg.__all__)


def test_base_layer_defaults():
    layer = rnnreg.BaseLayer()
    assert layer.trainable is False
    assert layer.testing_phase is False


def test_core_import_needs_numpy_only():
    code = (
        "import sys, rnnreg, rnnreg.gradcheck, rnnreg.data, rnnreg.exercises; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'tqdm', 'torch', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


BLOCKED_IMPORTS = """
import importlib.abc, sys

class Blocked(importlib.abc.MetaPathFinder):
    # As if only NumPy were installed: matplotlib, ipywidgets, PIL and the other extras cannot be imported.
    names = ("matplotlib", "ipywidgets", "PIL", "IPython", "tqdm", "scipy", "torch")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, Blocked())
"""


def test_the_blocker_really_blocks():
    code = BLOCKED_IMPORTS + "import numpy\ntry:\n    import matplotlib\nexcept ImportError:\n    print('blocked')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "blocked"


def test_every_lesson_module_imports_and_runs_with_numpy_alone():
    code = BLOCKED_IMPORTS + (
        "import importlib, pkgutil, rnnreg.lessons, rnnreg.training, rnnreg.data\n"
        "names = [m.name for m in pkgutil.iter_modules(rnnreg.lessons.__path__, 'rnnreg.lessons.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "from rnnreg.lessons.dropout import train_with_dropout\n"
        "run = train_with_dropout(0.5, steps=20, steps_per_epoch=10)\n"
        "print(len(names), run.curves['step'].tolist())"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    count, steps = result.stdout.strip().split(" ", 1)
    assert int(count) >= 9 and steps == "[0.0, 10.0, 20.0]"


def test_the_exercise_checker_runs_with_numpy_alone():
    code = BLOCKED_IMPORTS + (
        "import rnnreg\n"
        "from rnnreg.exercises import check\n"
        "report = check('dropout', rnnreg.Dropout)\n"
        "print(report.passed, '<' in report._repr_html_())"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "True True"


def test_the_shared_checks_and_the_rng_convention_are_defined_once_in_rnnreg_validation():
    import ast

    shared = {name for name in dir(rnnreg.validation) if name.startswith(("check_", "resolve_"))}
    assert {"check_positive_int", "check_choice", "check_non_negative_int", "resolve_rng"} <= shared
    copies = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for path in (ROOT / "rnnreg").rglob("*.py") if path.name != "validation.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in shared
    ]
    assert copies == []


def test_readme_quick_start_is_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, flags=re.S | re.M)
    assert section, "README needs a '## Quick start' section"
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section.group(1), flags=re.S)
    assert len(blocks) == 1
    assert blocks[0].split("\n")[:-1] == ["make lab", "make test"]


def test_environment_yml_is_the_conda_forge_binder_route():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    dependencies = environment["dependencies"]
    assert "python=3.11" in dependencies
    assert "numpy" in dependencies
    pip_entries = next(entry["pip"] for entry in dependencies if isinstance(entry, dict))
    assert pip_entries == ["-e ."]


def test_dependencies_have_no_upper_pins_and_test_never_pulls_torch():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = project["dependencies"]
    extras = project["optional-dependencies"]
    for requirement in runtime + extras["lab"] + extras["test"]:
        assert "<" not in requirement and "==" not in requirement, requirement
        assert not requirement.startswith("torch")
    assert runtime == ["numpy>=1.24"]
    assert "torch==2.13.0" in extras["bench"]


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_widgets_stay_controls_and_layout():
    """Issue 15: presets and takeaways are data in rnnreg.lessons; rnnreg/widgets stays under 1,950 lines."""
    folder = Path(rnnreg.__file__).parent / "widgets"
    lines = sum(len(path.read_text().splitlines()) for path in folder.glob("*.py"))
    assert lines < 1950, f"rnnreg/widgets has {lines} lines"
