"""Source notebooks follow the style guide; release notebooks behave as nbgrader expects."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbgrader.validator import Validator

from autograder.demo.samples import reference_notebook
from autograder.pipeline.notebooks import hygiene_problems
from tests.paths import REPO

SOURCE_NOTEBOOKS = sorted((REPO / "source").glob("*/*.ipynb"))
IDS = [p.parent.name for p in SOURCE_NOTEBOOKS]


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


@pytest.fixture(params=SOURCE_NOTEBOOKS, ids=IDS)
def source_nb(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_source_notebooks_exist():
    assert SOURCE_NOTEBOOKS, "no source notebooks found"


def test_source_notebook_is_clean(source_nb):
    path, nb = source_nb
    assert not hygiene_problems(nb), f"{path}: run `python -m autograder clean`"


def test_grade_ids_are_unique_and_descriptive(source_nb):
    _, nb = source_nb
    ids = [_meta(c)["grade_id"] for c in nb.cells if _meta(c)]
    assert len(ids) == len(set(ids)), "duplicate grade_id"
    for grade_id in ids:
        assert grade_id.replace("_", "").replace("-", "").isalnum() and grade_id == grade_id.lower()


def test_each_answer_cell_defines_one_function_named_by_its_grade_id(source_nb):
    """A code answer is one function named by its grade_id with a contract docstring; a written
    answer (a dict of choices, say) is one constant named by the upper-cased grade_id."""
    _, nb = source_nb
    answers = [c for c in nb.cells if _meta(c).get("solution")]
    assert answers
    for cell in answers:
        grade_id = _meta(cell)["grade_id"]
        tree = ast.parse(cell.source)
        functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        constants = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                     if isinstance(t, ast.Name)]
        if functions:
            assert functions == [grade_id], functions
            docstring = ast.get_docstring(next(n for n in tree.body if isinstance(n, ast.FunctionDef)))
            assert docstring and "Contract" in docstring, f"{grade_id} needs a contract docstring"
        else:
            assert set(constants) == {grade_id.upper()}, f"{grade_id}: expected one constant {grade_id.upper()}"


def test_each_graded_function_has_visible_and_hidden_tests(source_nb):
    _, nb = source_nb
    test_cells = [c for c in nb.cells if _meta(c).get("grade")]
    for answer in [c for c in nb.cells if _meta(c).get("solution")]:
        name = _meta(answer)["grade_id"]
        mine = [c for c in test_cells if _meta(c)["grade_id"].startswith(f"test_{name}_")]
        visible = [c for c in mine if "### BEGIN HIDDEN TESTS" not in c.source]
        hidden = [c for c in mine if "### BEGIN HIDDEN TESTS" in c.source]
        assert visible and hidden, f"{name}: needs a visible and a hidden test cell"


def test_test_cells_start_with_a_check_docstring(source_nb):
    _, nb = source_nb
    for cell in nb.cells:
        if _meta(cell).get("grade"):
            first = cell.source.splitlines()[0]
            assert first.startswith('"""Check that ') and first.endswith('"""'), first
            assert _meta(cell)["locked"] and _meta(cell)["points"] > 0


def _release_path(source_path: Path) -> Path:
    return REPO / "release" / source_path.parent.name / source_path.name


@pytest.mark.grading
@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=IDS)
def test_no_visible_test_passes_on_the_blank_release(path):
    """nbgrader's Validator in inverted mode lists the test cells that pass on the blank release.

    Only the hidden-test cells may pass there: in the release they hold just their docstring
    (the hidden code is added back at grading time). So the student's Validate fails: in its
    normal mode the Validator reports as failed every grade cell that does not pass (one run of
    the notebook instead of two; the release has no changed cells to report first).
    """
    release = nbformat.read(_release_path(path), as_version=4)
    graded = [c for c in release.cells if _meta(c).get("grade") and c.cell_type == "code"]
    hidden_only = [c for c in graded if c.source.strip().count("\n") == 0 and c.source.strip().startswith('"""')]
    passed = Validator(invert=True).validate(str(_release_path(path))).get("passed", [])
    assert not [c for c in passed if "checks." in str(c)], "a visible test passes on the blank release"
    assert len(passed) == len(hidden_only) < len(graded), "the blank release would pass validation"


@pytest.mark.grading
@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=IDS)
def test_reference_answers_pass_validation(path, tmp_path):
    nb = reference_notebook(nbformat.read(path, as_version=4),
                            nbformat.read(_release_path(path), as_version=4))
    target = tmp_path / path.name
    nbformat.write(nb, target)
    assert Validator().validate(str(target)) == {}
