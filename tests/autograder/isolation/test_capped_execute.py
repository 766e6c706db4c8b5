"""The in-kernel run keeps at most ``max_output_bytes`` of output per notebook."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder.isolation.capped_execute import CappedExecute, autograde_preprocessor_flags

CAP = 200_000


def _run(cells: list[str]) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    CappedExecute(max_output_bytes=CAP, timeout=60).preprocess(nb, {"metadata": {"path": "."}})
    return nb


def _size(nb) -> int:
    return sum(len(json.dumps(out)) for cell in nb.cells for out in cell.get("outputs", []))


def test_one_huge_line_an_html_flood_and_an_error_are_cut_but_the_error_is_kept():
    nb = _run([
        'print("small")',
        'print("x" * 5_000_000)',
        "from IPython.display import HTML, display\n"
        "for i in range(3000):\n    display(HTML('<b>' + 'y' * 500 + '</b>'))",
        'raise ValueError("z" * 1_000_000)',
    ])
    assert _size(nb) < 2 * CAP
    assert nb.cells[0].outputs[0]["text"] == "small\n"
    texts = [out.get("text", "") for cell in nb.cells for out in cell.outputs]
    assert sum("output cut" in text for text in texts) == 1
    errors = [out for out in nb.cells[3].outputs if out["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "ValueError", "the in-kernel verdict needs the error"


def test_small_notebooks_are_untouched():
    nb = _run(['print("a")', "1 + 1"])
    assert nb.cells[0].outputs[0]["text"] == "a\n"
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "2"


def test_the_flags_replace_only_execute_in_nbgraders_own_list():
    from nbgrader.converters.autograde import Autograde

    flags = autograde_preprocessor_flags(1234)
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    listed = [f.split("=", 1)[1] for f in flags if f.startswith("--Autograde.")]
    assert len(listed) == len(default)
    assert listed[0] == "autograder.isolation.capped_execute.CappedExecute"
    assert "--CappedExecute.max_output_bytes=1234" in flags


def test_graded_cells_only_leaves_lecture_and_added_cells_unrun():
    """Check that only cells with nbgrader metadata run when grading (setup, answers, tests)."""
    cells = [new_code_cell("ran = ['setup']"), new_code_cell("ran.append('lecture')\nprint('lecture')"),
             new_code_cell("ran.append('answer')"), new_code_cell("print(ran)")]
    for cell, meta in zip(cells, [{"grade_id": "setup", "locked": True, "grade": False, "solution": False},
                                  None,
                                  {"grade_id": "answer", "solution": True, "grade": False, "locked": False},
                                  {"grade_id": "test_answer", "grade": True, "points": 1, "solution": False,
                                   "locked": True}]):
        if meta:
            cell.metadata["nbgrader"] = meta
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    CappedExecute(graded_cells_only=True, timeout=60).preprocess(nb, {"metadata": {"path": "."}})
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert nb.cells[3].outputs[0]["text"] == "['setup', 'answer']\n"
    assert "--CappedExecute.graded_cells_only=True" in autograde_preprocessor_flags()
