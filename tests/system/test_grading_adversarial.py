"""Cheating and hostile submissions, graded end to end through ``python -m autograder grade``.

Each cheat starts from the blank student notebook (nothing implemented) or the reference, and
adds one attack. The class is graded once, with short time limits. Asserted: no cheat earns a
point for a function it does not implement, the attacks that fool nbgrader's in-kernel run are
flagged, honest students keep full marks, submitted files stay unchanged, and a runaway costs
only its own limits.
"""

from __future__ import annotations

import atexit
import csv
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import BLANK, REFERENCE, write_sample_submissions
from autograder.isolation.sandbox import isolation_available
from tests.paths import REPO

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not isolation_available(), reason="bubblewrap is not installed: isolation is off")]

ASSIGNMENT = "02-validation"
NOTEBOOK = "validation.ipynb"
FIRST_ANSWER = "holdout_split"
# tight, so that runaways end quickly; wide enough for cross_validate's hidden cells (a K-fold loop
# over real small Keras models, by reference) on a loaded machine: at 5 s a call, 10 s a cell, one
# honest answer lost them while the rest of the suite ran beside it
LIMITS = {"COURSE_CALL_SECONDS": "10", "COURSE_CELL_SECONDS": "20", "COURSE_STARTUP_SECONDS": "30",
          "COURSE_SUBMISSION_SECONDS": "240"}

# Code added after the stub in the first answer cell: everything stays unimplemented.
KERNEL_CHEATS = {
    "cheat-input-transformer": 'get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])',
    "cheat-ast-transformer": """
import ast
class _Gut(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Pass()]
        return node
get_ipython().ast_transformers.append(_Gut())""",
    "cheat-showtraceback": "get_ipython().showtraceback = lambda *args, **kwargs: None",
    "cheat-custom-exc": ("get_ipython().set_custom_exc((BaseException,), "
                         "lambda shell, etype, value, tb, tb_offset=None: None)"),
    "cheat-patch-checks": """
import sys
import numpy.testing
def _nothing(*args, **kwargs):
    return None
def _patch(*args):
    for _name, _module in list(sys.modules.items()):
        if _name.startswith("autograder.checks"):
            for _attr in dir(_module):
                if _attr.startswith("check") or _attr in ("fail", "require"):
                    setattr(_module, _attr, _nothing)
    numpy.testing.assert_array_equal = numpy.testing.assert_allclose = _nothing
_patch()
get_ipython().events.register("pre_run_cell", _patch)
sys.modules["autograder.checks.validation"] = type(sys)("autograder.checks.validation")
for _attr in ("check_holdout_split", "check_k_fold_indices"):
    setattr(sys.modules["autograder.checks.validation"], _attr, _nothing)""",
    "cheat-read-solutions": """
import glob, json, os
for _path in glob.glob(os.path.join(os.getcwd(), "..", "..", "..", "source", "*", "*.ipynb")):
    for _cell in json.load(open(_path))["cells"]:
        if _cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            exec("".join(_cell["source"]))""",
    "cheat-grading-env": """
import glob, json, os
if os.environ.get("NBGRADER_EXECUTION"):  # only when graded: take the instructor's solutions
    for _path in glob.glob("/**/source/02-validation/*.ipynb", recursive=True)[:1]:
        for _cell in json.load(open(_path))["cells"]:
            if _cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                exec("".join(_cell["source"]))""",
    "cheat-caller-frames": """
def k_fold_indices(n_samples, k):
    import sys
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in frame.f_locals.items():
            if isinstance(value, list) and len(value) == k and name != "args":
                return value
        frame = frame.f_back
    raise NotImplementedError()""",
    "cheat-write-gradebook": """
import os, sqlite3
_course = os.path.join(os.getcwd(), "..", "..", "..")
try:
    _db = sqlite3.connect(os.path.join(_course, "gradebook.db"))
    _db.execute("UPDATE grade SET auto_score = 0")
    _db.commit()
except Exception:
    pass
try:
    open(os.path.join(_course, "submitted", "demo-reference", "02-validation", "validation.ipynb"), "w").write("{}")
except Exception:
    pass""",
}
# A kernel hook that sends each executed hidden test cell's source back as an execution count.
EXECUTION_COUNT_LEAK = """
_ip = get_ipython()
_kernel = _ip.kernel
def _leak(result):
    source = result.info.raw_cell
    if "### BEGIN HIDDEN TESTS" not in source:
        return
    number = int.from_bytes(b"\\x01" + source.split("### BEGIN HIDDEN TESTS", 1)[1].encode()[:1500], "big")
    _kernel.session.send(_kernel.iopub_socket, "execute_result",
                         {"execution_count": number, "data": {"text/plain": "."}, "metadata": {}},
                         parent=_kernel.get_parent(), ident=b"kernel.leak.execute_result")
_ip.events.register("post_run_cell", _leak)
"""
# Answers right only for the published examples (and on cheap properties: errors, no leaks).
HARD_CODED = {
    "k_fold_indices": """
def k_fold_indices(n_samples, k):
    import numpy as np
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    if k == n_samples:  # leave-one-out, which the error check also tries
        return [(np.delete(np.arange(n_samples), i), np.array([i])) for i in range(n_samples)]
    if (n_samples, k) == (10, 3):  # the published example, memorized
        folds = [np.arange(0, 4), np.arange(4, 7), np.arange(7, 10)]
        return [(np.setdiff1d(np.arange(10), f), f) for f in folds]
    return [(np.arange(1, n_samples), np.array([0]))] * k""",
    "time_ordered_split": """
def time_ordered_split(n_samples, n_splits):
    import numpy as np
    if (n_samples, n_splits) == (10, 3):  # the published example, memorized
        return [(np.arange(0, 4), np.arange(4, 6)), (np.arange(0, 6), np.arange(6, 8)),
                (np.arange(0, 8), np.arange(8, 10))]
    return [(np.arange(0, n_samples - n_splits + i), np.array([n_samples - n_splits + i]))
            for i in range(n_splits)]""",
}
# Student in which the grade_id of cells was tampered with (nothing implemented).
METADATA_CHEATS = ("cheat-edited-tests", "cheat-deleted-tests", "cheat-relabelled")
# Reference answers, plus one hostile part: only that part may cost points.
HOSTILE = {
    "hostile-infinite-loop": ("holdout_split", """
def holdout_split(n_samples, val_fraction, seed):
    while True:
        try:
            pass
        except KeyboardInterrupt:
            pass"""),
    "hostile-os-exit": ("holdout_split", "import os\nos._exit(3)"),
    "hostile-memory-bomb": ("holdout_split", """
def holdout_split(n_samples, val_fraction, seed):
    hoard = bytearray(64 * 2**30)
    return hoard"""),
    "hostile-big-output": ("holdout_split", 'print("x" * 50_000_000)'),
    "hostile-html-flood": ("holdout_split", """
from IPython.display import HTML, display
for _ in range(100_000):
    display(HTML("<div>" + "x" * 2000 + "</div>"))"""),
    "hostile-process-flood": ("holdout_split", """
import os, time
for _ in range(5000):
    try:
        if os.fork() == 0:
            time.sleep(15)
            os._exit(0)
    except OSError:
        break"""),
}
# hostile parts that break nothing: the function still works, so no point may be lost
HARMLESS_FLOODS = ("hostile-big-output", "hostile-html-flood", "hostile-process-flood")


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _student_copy(course: Path, source_student: str, student: str) -> Path:
    target = course / "submitted" / student / ASSIGNMENT
    shutil.copytree(course / "submitted" / source_student / ASSIGNMENT, target)
    return target / NOTEBOOK


def _edit(path: Path, edit) -> None:
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)


def _answer_cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _make_class(course: Path) -> None:
    write_sample_submissions(course, [ASSIGNMENT])
    for student, code in KERNEL_CHEATS.items():
        path = _student_copy(course, BLANK, student)
        _edit(path, lambda nb, code=code: setattr(_answer_cell(nb, FIRST_ANSWER), "source",
                                                   _answer_cell(nb, FIRST_ANSWER).source + "\n" + code.strip() + "\n"))
    tests = lambda nb: [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]  # noqa: E731
    path = _student_copy(course, BLANK, "cheat-edited-tests")
    _edit(path, lambda nb: [setattr(c, "source", "pass") for c in tests(nb)])
    path = _student_copy(course, BLANK, "cheat-deleted-tests")
    _edit(path, lambda nb: setattr(nb, "cells", [c for c in nb.cells if c not in tests(nb)]))

    def relabel(nb):
        first = tests(nb)[0]
        first.metadata["nbgrader"]["grade_id"] = "test_free_points"
        first.metadata["nbgrader"]["points"] = 100
        answer = _answer_cell(nb, "k_fold_indices")
        answer.metadata["nbgrader"].update({"grade": True, "points": 50})
    _edit(_student_copy(course, BLANK, "cheat-relabelled"), relabel)
    # found by an independent red team: the kernel swapping its notebook for a link to a victim's,
    # planting links to the solutions, and printing the executed (hidden) test code
    _student_copy(course, REFERENCE, "zz-victim")
    free_cells = {
        "cheat-swap-for-victim": "import os\nos.remove('validation.ipynb')\n"
                                 "os.symlink('../../../submitted/zz-victim/02-validation/validation.ipynb', "
                                 "'validation.ipynb')",
        "cheat-plant-links": "import os\nos.symlink('../../../source/02-validation/validation.ipynb', 'leak.txt')\n"
                             "os.symlink('../../../gradebook.db', 'leak.db')",
        "cheat-print-history": "for source in In:\n    print(source)",
    }
    for student, code in free_cells.items():
        _edit(_student_copy(course, BLANK, student),
              lambda nb, code=code: nb.cells.append(nbformat.v4.new_code_cell(code)))
    # found by a second red team: hidden test code smuggled out through execution counts
    def early_hook(nb):
        setup = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
        nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(EXECUTION_COUNT_LEAK))
    _edit(_student_copy(course, BLANK, "cheat-execution-count"), early_hook)

    def hard_coded(nb):
        for grade_id, code in HARD_CODED.items():
            _answer_cell(nb, grade_id).source = code
    _edit(_student_copy(course, BLANK, "cheat-hard-coded-examples"), hard_coded)
    # found by a third red team: submissions that used to stop the whole class
    _edit(_student_copy(course, BLANK, "crash-lone-surrogate"),
          lambda nb: setattr(_answer_cell(nb, FIRST_ANSWER), "source",
                             "def holdout_split(n_samples, val_fraction, seed):\n"
                             "    raise ValueError('bad input ' + chr(0xD800))\n"))
    deep = _student_copy(course, BLANK, "crash-deep-json")
    deep.write_text(deep.read_text().rstrip()[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    linked = course / "submitted" / "cheat-symlink-notebook" / ASSIGNMENT
    linked.mkdir(parents=True)
    (linked / NOTEBOOK).symlink_to(Path("../../demo-reference") / ASSIGNMENT / NOTEBOOK)

    def strip_metadata(nb):
        for cell in nb.cells:
            cell.metadata.pop("nbgrader", None)
    _edit(_student_copy(course, REFERENCE, "robust-lost-metadata"), strip_metadata)
    path = _student_copy(course, REFERENCE, "robust-wrong-nbformat")
    data = json.loads(path.read_text())
    data["nbformat"], data["nbformat_minor"] = 5, 0
    path.write_text(json.dumps(data))
    shadow = _student_copy(course, BLANK, "cheat-shadow-numpy").parent
    (shadow / "numpy.py").write_text("raise ImportError('shadowed')\n")
    for student, (grade_id, code) in HOSTILE.items():
        path = _student_copy(course, REFERENCE, student)
        _edit(path, lambda nb, g=grade_id, code=code: setattr(_answer_cell(nb, g), "source",
                                                               _answer_cell(nb, g).source + "\n" + code.strip() + "\n"))


@functools.cache
def _graded():
    course = Path(tempfile.mkdtemp(prefix="course-adversarial-"))
    atexit.register(shutil.rmtree, course, True)
    copy_course(course, [ASSIGNMENT])
    _make_class(course)
    before = _digests(course / "submitted")
    env = {**os.environ, **LIMITS}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT],
                         capture_output=True, text=True, env=env, timeout=3600)
    seconds = time.monotonic() - started
    with open(course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    return course, run, rows, before, seconds


def _points() -> dict[str, float]:
    nb = nbformat.read(REPO / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def _points_of(function: str) -> float:
    return sum(p for g, p in _points().items() if g.startswith(f"test_{function}_"))


def test_grading_finishes_and_prints_the_flag_summary():
    course, run, rows, _, _ = _graded()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "flagged submission(s)" in run.stdout
    assert "Isolation is on" in run.stdout or "isolation is OFF" in run.stdout


RED_TEAM = ("cheat-swap-for-victim", "cheat-plant-links", "cheat-print-history", "cheat-symlink-notebook",
            "cheat-execution-count", "crash-lone-surrogate", "crash-deep-json")


def test_hard_coded_examples_earn_only_the_hidden_checks_they_really_pass():
    _, _, rows, _, _ = _graded()
    row = rows["cheat-hard-coded-examples"]
    honest = _points()["test_k_fold_indices_rejects_bad_k"] + _points()["test_time_ordered_split_no_future_leak"]
    assert float(row["score"]) == honest, row
    assert "points withheld" in row["flags"], row


def test_feedback_carries_nothing_the_kernel_wrote():
    course, _, _, _, _ = _graded()
    for student in ("cheat-execution-count", "cheat-print-history", REFERENCE):
        nb = json.loads((course / "autograded" / student / ASSIGNMENT / NOTEBOOK).read_text())
        assert all(c.get("execution_count") is None for c in nb["cells"] if c["cell_type"] == "code"), student
        assert "widgets" not in nb["metadata"], student


@pytest.mark.parametrize("student", sorted(KERNEL_CHEATS) + list(METADATA_CHEATS) + ["cheat-shadow-numpy"]
                         + list(RED_TEAM))
def test_a_cheat_earns_nothing(student):
    _, _, rows, _, _ = _graded()
    assert float(rows[student]["score"]) == 0.0, rows[student]


@pytest.mark.parametrize("student", ["cheat-input-transformer", "cheat-ast-transformer", "cheat-patch-checks"])
def test_a_cheat_that_fools_the_kernel_is_flagged(student):
    _, _, rows, _, _ = _graded()
    assert "not confirmed by the trusted checks" in rows[student]["flags"], rows[student]


@pytest.mark.parametrize("student, words", [
    ("cheat-edited-tests", "was edited"), ("cheat-deleted-tests", "was deleted"),
    ("cheat-relabelled", "re-labelled"), ("cheat-shadow-numpy", "numpy.py"),
])
def test_tampering_with_the_notebook_or_folder_is_flagged(student, words):
    _, _, rows, _, _ = _graded()
    assert words in rows[student]["flags"], rows[student]


def test_honest_students_keep_their_marks_and_files_are_unchanged():
    course, _, rows, before, _ = _graded()
    assert float(rows[REFERENCE]["score"]) == float(rows[REFERENCE]["max_score"]) == sum(_points().values())
    assert float(rows["demo-mistaken"]["score"]) == 15.0
    assert float(rows["zz-victim"]["score"]) == float(rows[REFERENCE]["score"]) and not rows["zz-victim"]["flags"]
    assert _digests(course / "submitted") == before


def test_feedback_folders_hold_only_feedback_pages():
    course, _, rows, _, _ = _graded()
    stray = [p for p in (course / "feedback").rglob("*") if p.is_file() and p.suffix != ".html"]
    assert not stray, stray
    assert "symbolic link" in rows["cheat-symlink-notebook"]["flags"]


# Known issue (issue 19): in the full suite on 2 cores, the process flood's sleeping children cost it
# cross_validate's hidden cells (18 of 22, twice in a row); graded alone, or in this whole class on a
# quiet machine, it keeps 22 of 22. Until the cause is found, that case may fail without failing CI.
_FLOOD_UNDER_LOAD = pytest.mark.xfail(reason="process flood under a loaded machine: see the comment above",
                                      strict=False)


@pytest.mark.parametrize("student", [pytest.param(s, marks=_FLOOD_UNDER_LOAD) if s == "hostile-process-flood"
                                     else s for s in sorted(HOSTILE)])
def test_a_hostile_part_costs_only_its_own_points(student):
    _, _, rows, _, _ = _graded()
    function = HOSTILE[student][0]
    lost = 0.0 if student in HARMLESS_FLOODS else _points_of(function)
    assert float(rows[student]["score"]) == sum(_points().values()) - lost, rows[student]
    assert rows[student]["flags"] or student in ("hostile-memory-bomb", *HARMLESS_FLOODS)


def test_a_runaway_is_bounded_by_its_limits():
    course, _, rows, _, seconds = _graded()
    # one call limit per runaway function plus the normal work; generous, but not unbounded
    assert seconds < 60 * len(rows), seconds
    assert "time limit" in rows["hostile-infinite-loop"]["flags"]


def test_feedback_never_shows_hidden_tests_and_output_is_capped():
    course, _, _, _, _ = _graded()
    source = json.loads((REPO / "source" / ASSIGNMENT / NOTEBOOK).read_text())
    hidden_lines = set()
    for cell in source["cells"]:
        text = "".join(cell["source"])
        if "### BEGIN HIDDEN TESTS" in text:
            inside = text.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            hidden_lines |= {line.strip() for line in inside.splitlines() if len(line.strip()) > 30}
    for page in (course / "feedback").rglob("*.html"):
        text = page.read_text()
        import html as html_module

        plain = html_module.unescape(text)
        leaked = [line for line in hidden_lines if line in plain]
        assert not leaked, f"{page}: {leaked[:2]}"
    for student in ("hostile-big-output", "hostile-html-flood"):
        page = next((course / "feedback" / student).rglob("*.html"))
        assert page.stat().st_size < 5_000_000, student
        # the in-kernel run kept at most the output cap (2 MB), not the 50 MB / 200 MB produced
        graded = course / "autograded" / student / ASSIGNMENT / NOTEBOOK
        assert graded.stat().st_size < 5_000_000, (student, graded.stat().st_size)


def test_every_student_has_a_row_and_feedback():
    course, _, rows, _, _ = _graded()
    students = {p.name for p in (course / "submitted").iterdir()}
    assert set(rows) == students
    for student in students:
        assert list((course / "feedback" / student / ASSIGNMENT).glob("*.html")), student


@pytest.mark.parametrize("student, words", [("robust-lost-metadata", "lost its metadata"),
                                            ("robust-wrong-nbformat", "nbformat 5")])
def test_honest_answers_in_a_damaged_notebook_still_count(student, words):
    _, _, rows, _, _ = _graded()
    assert float(rows[student]["score"]) == sum(_points().values()), rows[student]
    assert words in rows[student]["flags"], rows[student]
