"""The instructor's reference implementations: the solutions in the source notebooks.

They live only in ``source/``, which neither a student's environment nor the grading sandbox can
read; no package a student can import holds one (``tests/system/test_no_reachable_reference.py``).
Tests that need a reference load it from there: :func:`solution` runs the notebook's setup cell
and answer cells in a namespace, as the kernel runs them, and returns the graded function.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from pathlib import Path

import nbformat

SOURCE = Path(__file__).resolve().parent.parent / "source"


@functools.cache
def solutions(assignment: str) -> dict:
    """The namespace of ``assignment``'s source notebook after its setup and answer cells."""
    nb = nbformat.read(next((SOURCE / assignment).glob("*.ipynb")), as_version=4)
    graded = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id")]
    setup = [c.source for c in graded if c.metadata["nbgrader"]["grade_id"] == "setup"]
    answers = [c.source for c in graded if c.metadata["nbgrader"].get("solution")]
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, source in enumerate(setup + answers):
            exec(compile(source, f"{assignment} cell {index}", "exec"), namespace)  # noqa: S102 - our notebook
    return namespace


def solution(assignment: str, name: str):
    """The source notebook's own implementation of the graded function ``name``."""
    return solutions(assignment)[name]
