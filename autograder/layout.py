"""The course directory's paths, in one place (nbgrader's layout plus the grader's own files).

::

    COURSE/source/<assignment>/<notebook>.ipynb         the instructor's version (solutions, hidden tests)
    COURSE/release/<assignment>/                        the student version (generated, committed)
    COURSE/submitted/<student>/<assignment>/            what a student handed in (never written to)
    COURSE/autograded/<student>/<assignment>/           nbgrader's graded copy
    COURSE/feedback/<student>/<assignment>/*.html       the feedback page
    COURSE/gradebook.db                                 the SQLite gradebook (unless $COURSE_DB_URL)
    COURSE/grading_records.json                         one record per graded submission
    COURSE/grading_records.jsonl                        records finished since the last compaction
    COURSE/grading_registered.json                      what each assignment was registered from
    COURSE/.grading_secret                              the course secret of the hidden inputs (mode 600)
    COURSE/grades.csv, COURSE/report/                   the export and the class report
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GRADEBOOK = "gradebook.db"
RECORDS_FILE = "grading_records.json"
RECORDS_LOG = "grading_records.jsonl"  # appended per finished submission, folded into RECORDS_FILE
REGISTERED_FILE = "grading_registered.json"  # gradebook -> assignment -> the inputs it was registered from
GRADING_SECRET_FILE = ".grading_secret"
NOTEBOOK_SUFFIX = ".ipynb"


@dataclass(frozen=True)
class CourseLayout:
    """The paths of one course directory (``root``)."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    def source_root(self) -> Path:
        return self.root / "source"

    def source(self, assignment: str) -> Path:
        return self.root / "source" / assignment

    def release(self, assignment: str | None = None) -> Path:
        return self.root / "release" if assignment is None else self.root / "release" / assignment

    def submitted_root(self) -> Path:
        return self.root / "submitted"

    def submitted(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment

    def feedback(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment

    def feedback_root(self) -> Path:
        return self.root / "feedback"

    def source_notebook(self, assignment: str) -> Path:
        """The assignment's notebook in ``source/`` (one per assignment)."""
        return next(self.source(assignment).glob("*" + NOTEBOOK_SUFFIX))

    def notebook_name(self, assignment: str) -> str:
        return self.source_notebook(assignment).name

    def gradebook(self) -> Path:
        return self.root.resolve() / GRADEBOOK

    def records(self) -> Path:
        return self.root / RECORDS_FILE

    def records_log(self) -> Path:
        """The records finished since the records file was last compacted, one JSON line each."""
        return self.root / RECORDS_LOG

    def registered(self) -> Path:
        return self.root / REGISTERED_FILE

    def grading_secret(self) -> Path:
        return self.root / GRADING_SECRET_FILE

    def nbgrader_config(self) -> Path:
        return self.root / "nbgrader_config.py"

    def grades_csv(self) -> Path:
        return self.root / "grades.csv"

    def report(self) -> Path:
        return self.root / "report"


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    """Students with a folder ``submitted/<student>/<assignment>/``."""
    root = CourseLayout(course_dir).submitted_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir())
