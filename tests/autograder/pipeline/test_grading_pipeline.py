"""The class run's plumbing, without grading a notebook: handing out jobs while assignments are
registered, copying a SQLite gradebook that is being written, the gradebook staged during the
setup check, and the grading processes' start-up imports."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder import layout, settings
from autograder.pipeline import gradebook, schedule
from autograder.pipeline.results import StudentResult
from tests.paths import REPO


# ---------------------------------------------------------------- handing out jobs
def pretend_to_grade(course_dir, assignment, student, feedback, limits, template):
    """A stand-in job for the pool: fails unless the assignment's template was prepared first."""
    time.sleep(0.4)
    result = StudentResult(student, assignment)
    result.graded = Path(template).read_text() == assignment
    result.seconds = time.monotonic()
    return result


@pytest.fixture(scope="module")
def pool():
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=context) as executor:
        executor.submit(int).result()  # started
        yield executor


def _run(pool, tmp_path, jobs, fail_on=None):
    prepared, finished = {}, []

    def prepare(assignment):
        if assignment == fail_on:
            raise RuntimeError(f"cannot register {assignment}")
        prepared[assignment] = time.monotonic()
        template = tmp_path / f"{assignment}.db"
        template.write_text(assignment)
        return template

    def finish(result):
        finished.append(result)

    error = None
    try:
        schedule.grade_in_parallel(pool, 2, tmp_path, jobs, prepare, False, finish, grade=pretend_to_grade)
    except RuntimeError as raised:
        error = raised
    return prepared, finished, error


def test_each_assignment_is_prepared_once_before_its_jobs_and_while_others_are_graded(pool, tmp_path):
    jobs = [("a", "s1"), ("a", "s2"), ("b", "s1"), ("a", "s3"), ("c", "s1"), ("b", "s2")]
    prepared, finished, error = _run(pool, tmp_path, jobs)
    assert error is None
    assert sorted((r.assignment, r.student) for r in finished) == sorted(jobs)
    assert all(r.graded for r in finished), "a job ran before its assignment's template was prepared"
    assert sorted(prepared) == ["a", "b", "c"]
    first_done = min(r.seconds for r in finished)
    assert max(prepared.values()) < first_done, "later assignments were not registered while the first were graded"


def test_a_registration_failure_lets_running_jobs_finish_and_then_raises(pool, tmp_path):
    jobs = [("a", "s1"), ("a", "s2"), ("b", "s1"), ("c", "s1")]
    prepared, finished, error = _run(pool, tmp_path, jobs, fail_on="b")
    assert error is not None and "cannot register b" in str(error)
    assert sorted((r.assignment, r.student) for r in finished) == [("a", "s1"), ("a", "s2")]
    assert "c" not in prepared, "kept registering after a registration failed"


# ---------------------------------------------------------------- the SQLite gradebook
WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
while True:  # each transaction rewrites every page: a plain file copy catches a mix of two versions
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE scores SET version = version + 1, payload = randomblob(2000)")
    db.execute("COMMIT")
"""


def test_the_kernel_gradebook_copy_is_consistent_while_graders_write(tmp_path):
    source = tmp_path / "gradebook.db"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE scores (id INTEGER PRIMARY KEY, version INTEGER, payload BLOB)")
        db.executemany("INSERT INTO scores VALUES (?, 0, randomblob(2000))", [(n,) for n in range(3000)])
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(source)])
    try:
        time.sleep(0.5)
        versions = set()
        for copy_number in range(10):
            target = tmp_path / f"copy-{copy_number}.db"
            gradebook.copy_sqlite(source, target)
            with sqlite3.connect(target) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                seen = [v for (v,) in db.execute("SELECT DISTINCT version FROM scores")]
                assert db.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 3000
            assert len(seen) == 1, f"copy {copy_number} mixes transactions: versions {seen}"
            versions.update(seen)
            target.unlink()
        assert len(versions) > 1, "the writer made no progress while copies were taken"
    finally:
        writer.kill()
        writer.wait()


def _course_with_config(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    return course


def test_the_staged_gradebook_is_put_in_place_only_when_the_course_has_none(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    monkeypatch.delenv(settings.DB_URL, raising=False)
    course = _course_with_config(tmp_path)
    staged = gradebook.stage_new_gradebook(course, tmp_path)
    assert staged is not None and staged.exists()
    assert not (course / layout.GRADEBOOK).exists(), "staging wrote to the course before grading may write"
    gradebook.ensure_students(course, ["ada"], staged)
    with Gradebook(gradebook.db_url(course)) as book:
        assert [s.id for s in book.students] == ["ada"]
    assert gradebook.stage_new_gradebook(course, tmp_path / "again") is None

    # another grader created the course's gradebook between staging and grading: it is kept
    other = _course_with_config(tmp_path / "other")
    staged = gradebook.stage_new_gradebook(other, tmp_path / "other")
    with Gradebook(gradebook.db_url(other)) as book:
        book.add_student("grace")
    gradebook.ensure_students(other, ["ada"], staged)
    with Gradebook(gradebook.db_url(other)) as book:
        assert sorted(s.id for s in book.students) == ["ada", "grace"]


# ---------------------------------------------------------------- start-up imports
def test_grading_processes_skip_the_iri_format_parsers_and_still_validate_notebooks():
    notebook = next((REPO / "source" / "02-validation").glob("*.ipynb"))
    code = ("import sys, autograder.pipeline.schedule, nbformat\n"
            f"nbformat.validate(nbformat.read({str(notebook)!r}, as_version=4))\n"
            "print('lark' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False", "importing the autograder built jsonschema's IRI parsers (2 s per process)"


def test_longest_first_uses_the_records_then_this_runs_timings_and_times_unknown_assignments_first():
    records = {"a": {"ann": {"seconds": 2.0}, "bob": {"seconds": 4.0}}}
    observed = {"b": [9.0, 11.0], "d": [1.0]}

    def estimate(assignment, student):
        return schedule.expected_seconds(records, assignment, student, observed)

    assert estimate("a", "ann") == 2.0 and estimate("a", "cat") == 3.0  # its record, else the mean
    assert estimate("b", "ann") == 10.0 and estimate("c", "ann") == float("inf")
    jobs = [("a", "ann"), ("d", "x"), ("b", "y"), ("c", "z"), ("a", "cat"), ("c", "w")]
    order = schedule.longest_first(jobs, estimate)
    assert order == [("c", "z"), ("c", "w"), ("b", "y"), ("a", "cat"), ("a", "ann"), ("d", "x")]


def test_a_new_gradebook_staged_on_another_file_system_becomes_the_courses(tmp_path):
    """Check that the staged gradebook is put in place even when a hard link cannot reach the course folder."""
    import tempfile as _tempfile

    course = tmp_path / "course"
    course.mkdir()
    other = Path("/dev/shm")
    if not other.is_dir() or other.stat().st_dev == course.stat().st_dev:
        pytest.skip("no second file system to stage on")
    with _tempfile.TemporaryDirectory(dir=other) as staging:
        staged = gradebook.stage_new_gradebook(course, Path(staging))
        assert staged is not None and staged.stat().st_dev != course.stat().st_dev
        gradebook.ensure_students(course, ["ada"], staged)
    assert (course / layout.GRADEBOOK).exists()
    assert not [p for p in course.iterdir() if p.name.startswith(".")], "a temporary copy was left"


@pytest.mark.parametrize("content", [b"\xdb\x01not text", b"not hexadecimal", b""])
def test_a_damaged_course_secret_stops_grading_before_any_student_with_a_clear_error(tmp_path, content):
    """Check that a course secret that is not hex text fails the grading setup once, naming the file."""
    layout.CourseLayout(tmp_path).grading_secret().write_bytes(content)
    with pytest.raises(schedule.GradingSetupError, match=r"\.grading_secret is not 64 hexadecimal.*No student"):
        schedule.preflight(tmp_path, [])


# ---------------------------------------------------------------- the setup check
def test_grading_stops_before_zeroing_a_class_when_the_setup_cannot_run(tmp_path):
    chapter = REPO / "source" / "02-validation" / "validation.ipynb"
    source = tmp_path / "source" / "02-validation"
    source.mkdir(parents=True)
    nb = nbformat.read(chapter, as_version=4)
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    setup.source = "import a_module_the_sandbox_cannot_find\n" + setup.source
    nbformat.write(nb, source / chapter.name)
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    (tmp_path / "submitted" / "ada" / "02-validation").mkdir(parents=True)
    shutil.copy(chapter, tmp_path / "submitted" / "ada" / "02-validation")
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(tmp_path), "grade", "02-validation"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "No student was graded" in run.stderr and "a_module_the_sandbox_cannot_find" in run.stderr
    assert not (tmp_path / "gradebook.db").exists()
