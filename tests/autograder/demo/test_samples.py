"""The demo's sample submissions (autograder.demo.samples): the reference and the mistaken notebooks."""

from __future__ import annotations

import nbformat

from autograder.demo.samples import (
    MISTAKES,
    answer_cells,
    mistaken_notebook,
    reference_notebook,
    strip_solution_markers,
)
from tests.paths import REPO

SOURCE = REPO / "source" / "02-validation" / "validation.ipynb"
RELEASE = REPO / "release" / "02-validation" / "validation.ipynb"


def test_reference_and_mistaken_samples():
    source, release = nbformat.read(SOURCE, as_version=4), nbformat.read(RELEASE, as_version=4)
    reference = reference_notebook(source, release)
    for grade_id, cell in answer_cells(reference).items():
        assert "NotImplementedError" not in cell.source and "### BEGIN SOLUTION" not in cell.source
        assert cell.source == strip_solution_markers(answer_cells(source)[grade_id].source)
    mistake = MISTAKES["02-validation"]
    mistaken = mistaken_notebook(reference, mistake)
    changed = [g for g, c in answer_cells(mistaken).items() if c.source != answer_cells(reference)[g].source]
    assert changed == [mistake.grade_id]
    # metadata nbgrader relies on is untouched
    assert [c.metadata for c in mistaken.cells] == [c.metadata for c in release.cells]


