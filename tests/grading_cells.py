"""Run a source notebook's graded test cells in-process against any implementation.

This grades a function exactly as the notebook's visible and hidden test cells do, without a
kernel, so hundreds of independent implementations can be checked in seconds.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import nbformat

HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


@dataclass
class CellOutcome:
    grade_id: str
    points: float
    passed: bool
    message: str


def test_cells(notebook: Path) -> list[nbformat.NotebookNode]:
    nb = nbformat.read(notebook, as_version=4)
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def cells_for(notebook: Path, function_name: str) -> list[nbformat.NotebookNode]:
    """Graded test cells of ``function_name`` (grade_id ``test_<function_name>_...``)."""
    prefix = f"test_{function_name}_"
    return [c for c in test_cells(notebook) if c.metadata["nbgrader"]["grade_id"].startswith(prefix)]


def runnable_source(cell) -> str:
    return "\n".join(line for line in cell.source.splitlines() if line.strip() not in HIDDEN_MARKERS)


def grade_cells(cells, namespace: dict) -> list[CellOutcome]:
    outcomes = []
    for cell in cells:
        meta = cell.metadata["nbgrader"]
        scope = dict(namespace)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(runnable_source(cell), meta["grade_id"], "exec"), scope)  # noqa: S102 - the course's cell
        except Exception as error:  # noqa: BLE001 - a failing test cell, as nbgrader would score it
            outcomes.append(CellOutcome(meta["grade_id"], meta["points"], False,
                                        f"{type(error).__name__}: {error}"))
        else:
            outcomes.append(CellOutcome(meta["grade_id"], meta["points"], True, ""))
    return outcomes
