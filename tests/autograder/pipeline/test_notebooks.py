"""Notebook hygiene (autograder.pipeline.notebooks): only the outputs nbval compares are kept."""

from __future__ import annotations

import nbformat

from autograder.pipeline.notebooks import clean, hygiene_problems


def test_clean_keeps_only_checked_outputs():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print(1)", execution_count=5,
                                  outputs=[nbformat.v4.new_output("stream", text="1\n")]),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)", execution_count=9,
                                  outputs=[nbformat.v4.new_output("stream", text="2\n"),
                                           nbformat.v4.new_output("stream", name="stderr", text="w")]),
    ])
    assert len(hygiene_problems(nb)) == 4
    clean(nb)
    assert hygiene_problems(nb) == []
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
    assert [o.text for o in nb.cells[1].outputs] == ["2\n"] and nb.cells[1].execution_count == 1


