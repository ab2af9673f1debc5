"""The notebooks in notebooks/ run from top to bottom (nbclient) and check their own results.

Each notebook asserts what its outputs show (a table's rows, a figure's points, the flags of its
clip); a failing assert raises ``CellExecutionError`` here, as any error in a cell does. The
accuracy notebook also runs on a small results file written here in the format of
``benchmarks/accuracy.py``, whose summary is known by hand, so it is shown to recompute from the
rows of the file it is given rather than to redraw the committed results.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ACCURACY_NOTEBOOK = ROOT / "notebooks" / "accuracy_plots.ipynb"

#: A guard against a hung kernel only (a cell running MediaPipe on a busy machine takes a while).
CELL_TIMEOUT_S = 900


def _code_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _asserts(source: str) -> int:
    return sum(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(source)))


def _execute(path: Path, extra_cell: str | None = None) -> nbformat.NotebookNode:
    """Run the notebook in a fresh kernel (``extra_cell`` appended) and return it with its outputs."""
    nb = nbformat.read(path, as_version=4)
    if extra_cell is not None:
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell, a failed assert included
    return nb


def _images(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def test_there_are_notebooks() -> None:
    assert {p.name for p in NOTEBOOKS} >= {"api_walkthrough.ipynb", "accuracy_plots.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_figure_and_table_of_a_notebook_is_checked_in_its_cell(path: Path) -> None:
    # a notebook that only shows things passes whatever it shows
    cells = _code_cells(path)
    showing = [c for c in cells if "plt.show()" in c or "display(" in c]
    assert showing, "the notebook shows no figure or table"
    unchecked = [c.splitlines()[0] for c in showing if _asserts(c) == 0]
    assert unchecked == [], f"cells that show without checking: {unchecked}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_its_checks_pass(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIPFORM_ACCURACY_RESULTS", raising=False)  # the committed results
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend: figures become outputs
    nb = _execute(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # every figure drawn is in the notebook's outputs, in the cell that draws it
    assert [_images(c) for c in code] == [c.source.count("plt.show()") for c in code]


# ------------------------------------------------------------------ the accuracy notebook on given rows


def _accuracy_module() -> ModuleType:
    """``benchmarks/accuracy.py`` (not a package: loaded from its path)."""
    name = "accuracy_benchmark"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "accuracy.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # its dataclasses look their module up while it loads
        spec.loader.exec_module(module)
    return sys.modules[name]


def _row(accuracy: ModuleType, case_args: tuple, errors: dict, truth_class: dict, flags: dict) -> dict:
    """One row as ``accuracy.run_case`` writes it; ``errors``: measure → (true values, errors)."""
    case = accuracy.Case(*case_args, reps=2, fps=30.0)
    return {
        "case": asdict(case),
        "name": case.name,
        "detection": 1.0,
        "reps_true": 2,
        "reps_found": 2,
        "errors": {
            name: {"err": err, "ideal_err": [0.0] * len(err), "true": true}
            for name, (true, err) in errors.items()
        },
        # the graded rep values' errors, here the key frames' own
        "graded_errors": {accuracy.RULE_MEASURES[name]: err for name, (_true, err) in errors.items()},
        "truth_class": truth_class,
        "flags": flags,
        "not_assessed": [],
        "seconds": {"render": 0.0, "pose": 0.0, "total": 0.0},
    }


@pytest.mark.slow
def test_accuracy_notebook_recomputes_the_results_file_it_is_given(tmp_path, monkeypatch) -> None:
    accuracy = _accuracy_module()
    nan = float("nan")
    rows = [
        # a right knee collapse of 22°, read 8° and 6° low, flagged on the right: found
        _row(
            accuracy,
            ("single-leg-squat", "front", "knee_collapse", 22.0, "right", 0),
            {"knee FPPA": ([22.0, 22.0], [-8.0, -6.0])},
            {"knee_collapse": "fault", "pelvic_drop": "clean"},
            {"knee_collapse": ["right"]},
        ),
        # a clean single-leg squat flagged anyway: a false alarm
        _row(
            accuracy,
            ("single-leg-squat", "front", None, 0.0, "right", 0),
            {"knee FPPA": ([3.0, 3.0], [2.0, -4.0])},
            {"knee_collapse": "clean", "pelvic_drop": "clean"},
            {"knee_collapse": ["right"]},
        ),
        # an arched bridge not flagged (missed), its second key frame not measured
        _row(
            accuracy,
            ("bridge", "left", "back_arch", 25.0, "right", 1),
            {"bridge hip line": ([25.0, 25.0], [-3.0, nan])},
            {"back_arch": "fault"},
            {},
        ),
    ]
    committed = json.loads(accuracy.RESULTS.read_text())
    assert set(rows[0]) == set(committed["rows"][0]), "the rows here no longer have the benchmark's format"
    results = tmp_path / "accuracy_quick.json"
    stored = {"mode": "quick", "wall_s": 1.0, "summary": accuracy.summarise(rows), "rows": rows}
    results.write_text(json.dumps(stored, indent=1, allow_nan=True))
    monkeypatch.setenv("HIPFORM_ACCURACY_RESULTS", str(results))
    monkeypatch.delenv("MPLBACKEND", raising=False)

    nb = _execute(ACCURACY_NOTEBOOK, extra_cell="print(json.dumps(summary))")
    summary = json.loads("".join(o["text"] for o in nb.cells[-1].outputs if o.get("name") == "stdout"))

    assert summary["clips"] == 3
    fppa, hip_line = summary["measures"]["knee FPPA"], summary["measures"]["bridge hip line"]
    assert (fppa["n"], fppa["missing"], fppa["mae"], fppa["bias"]) == (4, 0, 5.0, -4.0)
    assert (hip_line["n"], hip_line["missing"], hip_line["mae"]) == (1, 1, 3.0)
    assert set(summary["measures"]) == {"knee FPPA", "bridge hip line"}
    counts = {fault: tuple(s[k] for k in ("tp", "fp", "fn", "tn")) for fault, s in summary["flags"].items()}
    assert counts == {"knee_collapse": (1, 1, 0, 0), "pelvic_drop": (0, 0, 0, 2), "back_arch": (0, 0, 1, 0)}
