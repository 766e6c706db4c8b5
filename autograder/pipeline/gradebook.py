"""nbgrader's gradebook: where it is, registering assignments and students, the trusted scores.

The gradebook is ``$COURSE_DB_URL`` (PostgreSQL, say) or SQLite in the course directory. Several
grading processes write to it at once; a write that meets SQLite's lock waits and retries
(:func:`retry_while_locked`, the one place that recognises a locked database).
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from autograder import settings
from autograder.layout import CourseLayout
from autograder.pipeline import json_files
from autograder.pipeline.nbgrader_run import NbgraderFailed, db_flag, nbgrader
from autograder.pipeline.release import generate_release
from autograder.scoring.job import CellResult

REGISTER_ATTEMPTS = 5
SCORE_ATTEMPTS = 40
_LOCKED = "is locked"  # SQLite's "database is locked" and "database table is locked"

T = TypeVar("T")


def db_url(course_dir: Path) -> str:
    """The gradebook: ``$COURSE_DB_URL`` (PostgreSQL, say) or SQLite at the course root."""
    return settings.db_url() or f"sqlite:///{CourseLayout(course_dir).gradebook()}"


def sqlite_path(url: str) -> Path | None:
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None


def database_locked(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's lock held by another grading process (in this process, or in
    an nbgrader command)."""
    from sqlalchemy.exc import OperationalError

    if isinstance(error, OperationalError):
        return _LOCKED in str(error)
    if isinstance(error, NbgraderFailed):
        return _LOCKED in error.run.output
    return False


def retry_while_locked(action: Callable[[], T], attempts: int, pause: Callable[[int], float]) -> T:
    """``action()``, again after ``pause(attempt)`` seconds while the database is locked (at most
    ``attempts`` times; then the error is raised)."""
    for attempt in range(attempts):
        try:
            return action()
        except Exception as error:
            if not database_locked(error) or attempt == attempts - 1:
                raise
            time.sleep(pause(attempt))
    raise ValueError("attempts must be at least 1")


def register_assignment(course_dir: Path, assignment: str) -> None:
    """Record the assignment, its notebooks and grade cells in the gradebook.

    ``generate_assignment`` with the database does this; it writes its student version to a
    scratch folder so the committed ``release/`` is never touched by grading.
    """
    with tempfile.TemporaryDirectory() as scratch:
        generate_release(course_dir, [assignment], release_dir=Path(scratch), with_db=True,
                         extra_args=[db_flag(db_url(course_dir))])


def ensure_registered(course_dir: Path, assignment: str, inputs: str, force: bool = False) -> bool:
    """:func:`register_assignment` unless the gradebook holds the assignment as registered from
    the same source and checks (``inputs``: :func:`autograder.pipeline.records.registration_digest`);
    True if it ran."""
    from nbgrader.api import Gradebook, MissingEntry

    url = db_url(course_dir)
    registered_file = CourseLayout(course_dir).registered()
    if not force and json_files.read_json(registered_file).get(url, {}).get(assignment) == inputs:
        with contextlib.suppress(Exception), Gradebook(url) as gradebook:
            try:
                gradebook.find_assignment(assignment)
                return False
            except MissingEntry:
                pass
    # graders may be writing scores meanwhile
    retry_while_locked(lambda: register_assignment(course_dir, assignment), REGISTER_ATTEMPTS,
                       lambda attempt: 1.0 + attempt)
    json_files.update_json(registered_file,
                           lambda registered: registered.setdefault(url, {}).update({assignment: inputs}))
    return True


def import_students(course_dir: Path, csv_path: Path) -> list[str]:
    """Import students with nbgrader's own ``db student import`` (its CSV format); return their ids."""
    csv_path = Path(csv_path).resolve()
    with open(csv_path, newline="") as handle:
        ids = [row["id"].strip() for row in csv.DictReader(handle) if (row.get("id") or "").strip()]
    nbgrader("db", "student", "import", str(csv_path), db_flag(db_url(course_dir)), course_dir=Path(course_dir))
    return ids


def stage_new_gradebook(course_dir: Path, folder: Path) -> Path | None:
    """An empty SQLite gradebook in ``folder`` when the course's does not exist yet (nbgrader
    creates one by running ``alembic`` in a fresh process: seconds), to be put in place with
    :func:`ensure_students` once grading may write; None otherwise."""
    from nbgrader.api import Gradebook

    main = sqlite_path(db_url(course_dir))
    if main is None or main.exists():
        return None
    staged = Path(folder) / main.name
    with Gradebook(f"sqlite:///{staged}"):
        pass
    return staged


def ensure_students(course_dir: Path, students: list[str], staged: Path | None = None) -> None:
    """Add ``students`` to the gradebook; a gradebook from :func:`stage_new_gradebook` becomes
    the course's if it still has none."""
    main = sqlite_path(db_url(course_dir))
    if staged is not None and main is not None:
        if staged.stat().st_dev != main.parent.stat().st_dev:  # a link cannot cross file systems
            beside = main.with_name(f".{main.name}.{uuid.uuid4().hex[:8]}")
            shutil.copy(staged, beside)
            staged = beside
        try:
            with contextlib.suppress(FileExistsError):  # another grader created it meanwhile: keep that one
                os.link(staged, main)
        finally:
            if staged.parent == main.parent:
                staged.unlink(missing_ok=True)
    add_students(db_url(course_dir), students)


def add_students(url: str, students: list[str]) -> None:
    """``students`` in the gradebook at ``url`` (those already there are kept)."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)


def max_score(course_dir: Path, assignment: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course_dir)) as gradebook:
        return float(gradebook.find_assignment(assignment).max_score)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database that other processes may be writing (its backup
    API, which reads under a shared lock; a plain file copy could catch half a transaction)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(source, timeout=60)) as reader, \
            contextlib.closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


def trusted_score(cells: list[CellResult] | tuple[CellResult, ...]) -> float:
    """The score the trusted verdicts give (before any late penalty), as :func:`write_scores` stores it."""
    return float(sum(cell.points for cell in cells if cell.passed))


def write_trusted_scores(course_dir: Path, assignment: str, student: str, cells: list[CellResult],
                         timestamp: object = None, late_penalty: float = 0.0,
                         attempts: int = SCORE_ATTEMPTS) -> tuple[float, float]:
    """Store the trusted verdicts as the course gradebook's scores (:func:`write_scores`)."""
    return write_scores(db_url(course_dir), assignment, student, cells, timestamp, late_penalty, attempts)


def write_scores(url: str, assignment: str, student: str, cells: list[CellResult],
                 timestamp: object = None, late_penalty: float = 0.0,
                 attempts: int = SCORE_ATTEMPTS) -> tuple[float, float]:
    """Store the trusted verdicts as the scores of the gradebook at ``url``, and the late penalty
    as nbgrader's (its export and feedback subtract it), in one transaction; creates the
    submission if needed, keeping its extension. Retries while another grading process holds the
    database's lock. Returns (score before the penalty, max score)."""
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    def write() -> tuple[float, float]:
        # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are right
        with Gradebook(url) as gradebook, warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                submission = gradebook.add_submission(assignment, student)
            submission.timestamp = timestamp  # the one lateness was read from (None: unknown)
            verdicts = {c.grade_id: c for c in cells}
            for number, notebook in enumerate(submission.notebooks):
                # nbgrader's penalty is per notebook: the whole of it on the first (one per assignment here)
                notebook.late_submission_penalty = late_penalty if late_penalty and number == 0 else None
                for grade in notebook.grades:
                    verdict = verdicts.get(grade.name)
                    grade.auto_score = float(verdict.points) if verdict and verdict.passed else 0.0
                    grade.manual_score = None
                    grade.extra_credit = None
                    grade.needs_manual_grade = False
            gradebook.db.commit()
            return float(submission.score), float(submission.max_score)

    return retry_while_locked(write, attempts, lambda attempt: 0.25 + 0.05 * attempt)
