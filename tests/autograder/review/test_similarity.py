"""Similar submissions: disguised copies are found, independent answers and blanks are not.

The comparison runs on real submissions: the implementations of ``tests/student_variants/`` (written
independently), copies of them disguised by :mod:`autograder.demo.disguise`, and a small synthetic
course (the release and notebooks written by :mod:`autograder.demo.synthetic`), through the command
line as an instructor runs it. Nothing here grades: comparing needs only the notebooks.
"""

from __future__ import annotations

import ast
import html
import itertools
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import checks
from autograder.demo import disguise
from autograder.demo.samples import BLANK, REFERENCE, answer_cells, strip_solution_markers, write_sample_submissions
from autograder.demo.synthetic import VARIANT_CHAPTERS, VARIANTS_DIR, plan_class, write_class
from autograder.review import similarity, similarity_page
from tests.grading_cells import cells_for, grade_cells
from tests.paths import REPO

ASSIGNMENT = "02-validation"
# measured by benchmarks/bench_similarity.py: 0.7 % of the comparable independent pairs reach the
# default threshold (4 of 548; the highest are textbook code, identical to the solution but for names)
MAX_FALSE_POSITIVE_RATE = 0.02


def _implementations(folder: str, correct_only: bool = True) -> list[tuple[str, str, str]]:
    """(function, name, code) of the chapter's variants and the instructor's solutions."""
    assignment = VARIANT_CHAPTERS[folder]
    source = next((REPO / "source" / assignment).glob("*.ipynb"))
    found = [(grade_id, "solution", strip_solution_markers(cell.source))
             for grade_id, cell in answer_cells(nbformat.read(source, as_version=4)).items()]
    for entry in json.loads((VARIANTS_DIR / folder / "manifest.json").read_text()):
        if entry["correct"] or not correct_only:
            found.append((entry["function"], entry["file"], (VARIANTS_DIR / folder / entry["file"]).read_text()))
    return found


def _release(folder: str):
    release = similarity.read_release(REPO, VARIANT_CHAPTERS[folder])
    return release, similarity.boilerplate_hashes(list(release.given))


def test_code_is_compared_without_starter_docstrings_and_comments():
    """Check that only what the student wrote is compared: no stub, docstring, comment or blank line."""
    release, _ = _release("validation")
    starter = release.starters["k_fold_indices"]
    assert "raise NotImplementedError()" in starter and '"""' in starter
    answer = starter.replace("    # YOUR CODE HERE\n    raise NotImplementedError()",
                             "    # my own comment\n    folds = []  # trailing comment\n\n    return folds")
    kept = similarity.student_code(answer, starter)
    assert kept.splitlines() == ["    folds = []", "    return folds"]
    assert similarity.student_code(starter, starter) == ""  # the untouched stub: nothing written
    # an answer that keeps the stub's raise after the code loses only that line
    assert "raise" not in similarity.student_code(starter.replace("# YOUR CODE HERE", "return 1"), starter)
    # a docstring that shares its line with code leaves the code; nested docstrings go too
    assert similarity.student_code('def f(x): "doc"\ndef g():\n    """a\n    b"""\n    return 1  # c\n') == \
        'def f(x): "doc"\ndef g():\n    return 1'
    # code that does not parse is still compared, as text
    assert similarity.student_code("def f(:\n    x = 1\n", "") == "def f(:\n    x = 1"


def test_students_who_share_only_the_starter_are_not_similar():
    """Check that two answers with the same docstring and signature but different code are not similar."""
    release, given = _release("validation")
    starter = release.starters["k_fold_indices"]
    first = starter.replace("raise NotImplementedError()", (VARIANTS_DIR / "validation" /
                            "k_fold_indices__mask_int32.py").read_text().split("):\n", 1)[1])
    second = starter.replace("raise NotImplementedError()", (VARIANTS_DIR / "validation" /
                             "k_fold_indices__arithmetic_lists.py").read_text().split("):\n", 1)[1])
    assert first.count('"""') == second.count('"""') == 2
    result = similarity.compare_code(first, second, starter, given)
    assert min(result.compared) >= similarity.MIN_CHARACTERS
    assert result.similarity < 0.5, result.similarity
    blank = similarity.compare_code(starter, starter, starter, given)
    assert blank.compared == (0, 0) and blank.similarity == 0.0


@pytest.mark.parametrize("folder", ["validation", "dropout", "regularization"])
def test_disguised_copies_are_found_and_still_earn_full_marks(folder):
    """Check that renamed, reordered and commented copies of every correct answer are flagged and still correct."""
    release, given = _release(folder)
    assignment = VARIANT_CHAPTERS[folder]
    setup = next(c.source for c in nbformat.read(next((REPO / "source" / assignment).glob("*.ipynb")),
                                                  as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    namespace: dict = {}
    exec(compile(setup, "setup", "exec"), namespace)  # noqa: S102 - the course's own setup cell
    notebook = next((REPO / "source" / assignment).glob("*.ipynb"))
    implementations = _implementations(folder)
    for _, name, code in implementations:  # a solution may call the notebook's earlier answers
        if name == "solution":
            exec(compile(code, name, "exec"), namespace)  # noqa: S102 - the course's solutions
    reordered = 0
    for function, name, code in implementations:
        (copied,) = disguise.disguise([code], random.Random(name), disguise.DISGUISES, keep=[function])
        assert copied != code
        names = [n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]
        copied_names = [n.name for n in ast.parse(copied).body if isinstance(n, ast.FunctionDef)]
        assert function in copied_names and len(copied_names) == len(names)
        if len(names) > 1:
            assert copied_names.index(function) != names.index(function), (name, copied)
            reordered += 1
        result = similarity.compare_code(code, copied, release.starters[function], given)
        if min(result.compared) >= similarity.MIN_CHARACTERS:
            assert result.similarity >= similarity.DEFAULT_THRESHOLD, (name, result.similarity, copied)
        module = dict(namespace)  # after the setup cell and the other answers, as in the notebook
        exec(compile(copied, name, "exec"), module)  # noqa: S102 - a disguised copy of a course solution
        scope = dict(namespace, **{function: module[function]})
        checks.set_grading_key(name.encode())
        try:
            lost = [r for r in grade_cells(cells_for(notebook, function), scope) if not r.passed]
        finally:
            checks.set_grading_key(None)
        assert not lost, f"the disguised copy of {name} lost points: {lost[0].message}\n{copied}"
    if folder == "validation":
        assert reordered >= 3


def test_disguise_is_seeded():
    """Check that the same seed gives the same disguised copy and another seed another."""
    code = (VARIANTS_DIR / "validation" / "k_fold_indices__yield_helper.py").read_text()
    first = disguise.disguise([code], random.Random(1), keep=["k_fold_indices"])
    assert first == disguise.disguise([code], random.Random(1), keep=["k_fold_indices"])
    assert first != disguise.disguise([code], random.Random(2), keep=["k_fold_indices"])
    with pytest.raises(ValueError, match="unknown disguise"):
        disguise.disguise([code], random.Random(1), ["translated to Rust"])


def test_independent_correct_implementations_are_rarely_flagged():
    """Check that independently written correct answers to one function are not flagged against each other."""
    flagged, compared = [], 0
    for folder in VARIANT_CHAPTERS:
        release, given = _release(folder)
        by_function: dict[str, list[tuple[str, str]]] = {}
        for function, name, code in _implementations(folder):
            if function in release.starters:
                by_function.setdefault(function, []).append((name, code))
        for function, group in by_function.items():
            for (name_a, code_a), (name_b, code_b) in itertools.combinations(group, 2):
                result = similarity.compare_code(code_a, code_b, release.starters[function], given)
                if min(result.compared) >= similarity.MIN_CHARACTERS:
                    compared += 1
                    if result.similarity >= similarity.DEFAULT_THRESHOLD:
                        flagged.append((name_a, name_b, round(result.similarity, 2)))
    assert compared > 400
    assert len(flagged) / compared <= MAX_FALSE_POSITIVE_RATE, flagged


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """Chapter 02 with the sample students, a synthetic class of 12 (one disguised copy), two blank
    notebooks, an unreadable one, a symbolic link and a folder without a notebook."""
    course = tmp_path_factory.mktemp("similarity-course")
    for name in ("source", "release"):
        shutil.copytree(REPO / name / ASSIGNMENT, course / name / ASSIGNMENT)
    write_sample_submissions(course, [ASSIGNMENT])
    plan = plan_class(12, seed=3, assignments=[ASSIGNMENT], course_dir=course)
    write_class(plan, course)
    submitted = course / "submitted"
    shutil.copytree(submitted / BLANK, submitted / "blank-too")
    (submitted / "garbled" / ASSIGNMENT).mkdir(parents=True)
    (submitted / "garbled" / ASSIGNMENT / "validation.ipynb").write_bytes(b"\xff{not json")
    (submitted / "linked" / ASSIGNMENT).mkdir(parents=True)
    (submitted / "linked" / ASSIGNMENT / "validation.ipynb").symlink_to(
        submitted / REFERENCE / ASSIGNMENT / "validation.ipynb")
    (submitted / "empty-folder" / ASSIGNMENT).mkdir(parents=True)
    (course / "plan.json").write_text(json.dumps({s.name: s.copies[ASSIGNMENT].source for s in plan
                                                  if ASSIGNMENT in s.copies}))
    return course


def test_the_synthetic_class_copy_is_found_and_blanks_are_not(course):
    """Check that the planted copy is flagged, blanks and unreadable notebooks are listed apart, none is flagged."""
    copies = json.loads((course / "plan.json").read_text())
    assert copies, "the class of 12 should hold one copied submission"
    report = similarity.compare_class(course, ASSIGNMENT)
    flagged = {frozenset((p.first, p.second)) for p in report.flagged}
    for copier, source in copies.items():
        assert frozenset((copier, source)) in flagged, report.pairs[:5]
    assert {BLANK, "blank-too"} <= set(report.too_little_code)
    assert not any({BLANK, "blank-too"} & pair for pair in flagged)
    problems = {s.student: s.problem for s in report.unreadable}
    assert set(problems) == {"garbled", "linked", "empty-folder"}
    assert "symbolic link" in problems["linked"] and "no notebook" in problems["empty-folder"]
    copier = next(iter(copies))
    copied = next(p for p in report.pairs if {p.first, p.second} == {copier, copies[copier]})
    assert copied.similarity >= similarity.DEFAULT_THRESHOLD


def test_code_common_to_many_students_is_ignored(course):
    """Check that code more than COMMON_STUDENTS students wrote does not make them similar."""
    everyone = similarity.compare_class(course, ASSIGNMENT, common_students=100)
    assert everyone.flagged and not everyone.common
    # when no run may be shared by more than one student, nothing shared is left to count
    single = similarity.compare_class(course, ASSIGNMENT, common_students=1)
    assert sum(single.common.values()) > 0
    assert not single.flagged and all(p.similarity == 0 for p in single.pairs)
    with pytest.raises(ValueError, match="at least 1"):
        similarity.compare_class(course, ASSIGNMENT, common_students=0)


def test_the_page_shows_both_sides_offline(course):
    """Check that the HTML page lists the flagged pairs with both students' code marked, and loads nothing."""
    report = similarity.compare_class(course, ASSIGNMENT)
    page = similarity_page.write_page(report, course / "out").read_text()
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page
    for rank, pair in enumerate(report.flagged, start=1):
        assert f'id="pair-{rank}"' in page and pair.first in page and pair.second in page
    first = report.flagged[0]
    exercise = next(e for e in first.exercises if e.counted and e.overlap.similarity >= report.threshold)
    shown = page.replace("<mark>", "").replace("</mark>", "")
    for side in (first.first, first.second):
        assert f"<p>{html.escape(side)}</p>" in page
        for line in report.code[side][exercise.exercise].raw_code.splitlines():
            assert html.escape(line) in shown, line
    assert page.count("<mark>") >= 2 and 'class="shared"' in page
    assert "garbled" in page and BLANK in page  # the students left out, with why


def test_the_command_prints_the_pairs_and_survives_bad_input(course):
    """Check ``python -m autograder similarity`` end to end: table, page, bad assignment and notebooks reported."""
    result = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "similarity",
                             "no-such-assignment", ASSIGNMENT, "--threshold", "0.7"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stdout + result.stderr  # the unknown assignment
    assert "no-such-assignment" in result.stderr
    page = course / "report" / f"similarity-{ASSIGNMENT}.html"
    assert page.is_file() and str(page) in result.stdout
    copier, source = next(iter(json.loads((course / "plan.json").read_text()).items()))
    flagged_lines = [line for line in result.stdout.splitlines() if line.startswith("!")]
    assert any(copier in line and source in line for line in flagged_lines), result.stdout
    assert "garbled" in result.stdout and "too little code to compare" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "similarity",
                          ASSIGNMENT, "--threshold", "7"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "between 0 and 1" in bad.stderr


def test_the_report_links_the_similarity_pages(course):
    """Check that ``report`` (before any grading) has a section of similar pairs linking each page."""
    result = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "report",
                             "--out", str(course / "class-report")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    index = (course / "class-report" / "index.html").read_text()
    assert "Similar submissions" in index and f'href="similarity-{ASSIGNMENT}.html"' in index
    assert (course / "class-report" / f"similarity-{ASSIGNMENT}.html").is_file()
    copier, source = next(iter(json.loads((course / "plan.json").read_text()).items()))
    assert copier in index and source in index
