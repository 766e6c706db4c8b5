"""The synthetic class is reproducible and mixes every kind of submission."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import nbformat

from autograder.demo.synthetic import plan_class, write_class
from tests.paths import REPO


def _kinds(students) -> Counter:
    kinds: Counter = Counter()
    for student in students:
        kinds.update(student.notebooks.values())
        for choices in student.answers.values():
            kinds.update(choice.split(":")[0] for choice in choices.values())
    return kinds


def test_the_same_seed_gives_the_same_class_and_another_seed_another():
    first, again, other = plan_class(40, seed=1), plan_class(40, seed=1), plan_class(40, seed=2)
    assert [s.answers for s in first] == [s.answers for s in again]
    assert [s.answers for s in first] != [s.answers for s in other]


def test_a_class_of_forty_mixes_right_wrong_blank_broken_and_missing():
    kinds = _kinds(plan_class(40, seed=0))
    for kind in ("reference", "variant", "wrong", "blank", "copy", "ok", "missing", "truncated", "no-metadata"):
        assert kinds[kind] > 0, kinds


def test_written_notebooks_hold_the_planned_answers(tmp_path):
    for name in ("source", "release"):
        shutil.copytree(REPO / name / "02-validation", tmp_path / name / "02-validation")
    students = plan_class(12, seed=3, assignments=["02-validation"], course_dir=tmp_path)
    written = write_class(students, tmp_path)
    assert written
    for student in students:
        state = student.notebooks["02-validation"]
        path = tmp_path / "submitted" / student.name / "02-validation" / "validation.ipynb"
        if state == "missing":
            assert not path.exists()
        elif state == "truncated":
            try:
                json.loads(path.read_text())
                raise AssertionError("a truncated notebook still parses")
            except json.JSONDecodeError:
                pass
        elif state == "ok":
            nb = nbformat.read(path, as_version=4)
            cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                     if c.metadata.get("nbgrader", {}).get("solution")}
            for grade_id, choice in student.answers["02-validation"].items():
                if choice.startswith("copy:"):
                    choice = next(s for s in students if s.name == choice[5:]).answers["02-validation"][grade_id]
                if choice == "blank":
                    assert "raise NotImplementedError" in cells[grade_id]
                else:
                    assert "raise NotImplementedError()" not in cells[grade_id] or choice.startswith("wrong")


def test_copied_answers_are_disguised_copies_of_an_original(tmp_path):
    """Check that a class of ten or more holds copies: another student's answers, renamed and commented."""
    for name in ("source", "release"):
        shutil.copytree(REPO / name / "02-validation", tmp_path / name / "02-validation")
    students = plan_class(12, seed=3, assignments=["02-validation"], course_dir=tmp_path)
    assert all(not s.copies for s in plan_class(9, seed=3, assignments=["02-validation"], course_dir=tmp_path))
    write_class(students, tmp_path)
    copiers = [s for s in students if s.copies]
    assert len(copiers) == 1
    copier = copiers[0]
    source = copier.copies["02-validation"].source
    assert not next(s for s in students if s.name == source).copies  # copied from an original

    def cells(student: str) -> dict[str, str]:
        nb = nbformat.read(tmp_path / "submitted" / student / "02-validation" / "validation.ipynb", as_version=4)
        return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("solution")}

    original, copied = cells(source), cells(copier.name)
    written = [g for g, c in copier.answers["02-validation"].items() if c.startswith("copy:")]
    assert written
    for grade_id in written:
        assert copied[grade_id] != original[grade_id]
        assert copied[grade_id].count("#") > original[grade_id].count("#")  # comments added
        assert f"def {grade_id}(" in copied[grade_id]  # the graded function keeps its name
