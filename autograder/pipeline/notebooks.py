"""Notebook hygiene: keep source notebooks clean in git except the cells nbval compares.

A source notebook carries no outputs and no execution counts, except for code cells that
start with ``# NBVAL_CHECK_OUTPUT``: those keep the outputs nbval compares against, and an
execution count numbered 1, 2, 3... in order (nbval refuses outputs of "unrun" cells).
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

from autograder import settings

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"


def is_checked_cell(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(CHECK_MARKER)


def hygiene_problems(nb) -> list[str]:
    """Every way ``nb`` is not clean, as readable lines (empty when clean)."""
    problems = []
    expected_count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        label = cell.get("id", index)
        if is_checked_cell(cell):
            expected_count += 1
            if cell.execution_count != expected_count:
                problems.append(f"cell {label}: checked cell should have execution count {expected_count}")
        elif cell.execution_count is not None:
            problems.append(f"cell {label}: has an execution count")
        if is_checked_cell(cell):
            if not cell.outputs:
                problems.append(f"cell {label}: marked {CHECK_MARKER} but has no stored output")
            elif any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs):
                problems.append(f"cell {label}: stored output includes stderr")
        elif cell.outputs:
            problems.append(f"cell {label}: stray output (only {CHECK_MARKER} cells keep outputs)")
    return problems


def clean(nb):
    """Drop execution counts and every output except the checked cells' (in place)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        if is_checked_cell(cell):
            count += 1
            cell.execution_count = count
            kept = []
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    continue
                if "execution_count" in output:
                    output["execution_count"] = count
                kept.append(output)
            cell.outputs = kept
        else:
            cell.outputs = []
    return nb


def refresh_checked_outputs(path: Path, timeout: int = 600) -> None:
    """Execute a source notebook in fast mode and store only the checked cells' outputs."""
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    previous = os.environ.get(settings.FAST)
    os.environ[settings.FAST] = "1"
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if previous is None:
            os.environ.pop(settings.FAST, None)
        else:
            os.environ[settings.FAST] = previous
    nbformat.write(clean(nb), path)
