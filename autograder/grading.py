"""The grading pipeline: register, autograde, feedback and grades, with nbgrader's own commands.

``grade_assignment`` grades every student under ``submitted/<student>/<assignment>/`` on a
course directory that may be fresh: it registers the assignment in the gradebook first. A
student whose submission cannot be graded never stops the others, and still gets a grade row
(score 0) so that ``nbgrader export`` lists every student.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from autograder import REPO_ROOT
from autograder.release import generate_release, nbgrader

GRADEBOOK = "gradebook.db"


@dataclass
class StudentResult:
    """Outcome of grading one student's submission of one assignment."""

    student: str
    assignment: str
    score: float = 0.0
    max_score: float = 0.0
    graded: bool = False
    feedback: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.graded:
            return "NOT GRADED"
        return "ok" if self.feedback else "no feedback"


def db_url(course_dir: Path) -> str:
    return f"sqlite:///{Path(course_dir).resolve() / GRADEBOOK}"


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    """Students with a folder ``submitted/<student>/<assignment>/``."""
    root = Path(course_dir) / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir())


def register_assignment(course_dir: Path, assignment: str) -> None:
    """Record the assignment, its notebooks and grade cells in the gradebook.

    ``generate_assignment`` with the database does this; it writes its student version to a
    scratch folder so the committed ``release/`` is never touched by grading.
    """
    with tempfile.TemporaryDirectory() as scratch:
        generate_release(course_dir, [assignment], release_dir=Path(scratch), with_db=True)


def ensure_students(course_dir: Path, students: list[str]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course_dir)) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)


def read_scores(course_dir: Path, assignment: str, student: str) -> tuple[float, float] | None:
    """``(score, max_score)`` from the gradebook, or None when nothing was graded."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url(course_dir)) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return None
        return float(submission.score), float(submission.max_score)


def max_score(course_dir: Path, assignment: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course_dir)) as gradebook:
        return float(gradebook.find_assignment(assignment).max_score)


def _failure_reason(text: str) -> str:
    """The exception line of an nbgrader log (e.g. ``NotJSONError: ...``), else its last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b.*:", line)]
    return (errors or lines or ["no output"])[-1][:500]


def grade_student(course_dir: Path, assignment: str, student: str,
                  feedback: bool = True) -> StudentResult:
    """Autograde one student and generate their feedback; never raises for a bad submission."""
    result = StudentResult(student, assignment)
    started = time.perf_counter()
    autograde = nbgrader("autograde", assignment, f"--student={student}", "--force",
                         course_dir=course_dir, check=False)
    scores = read_scores(course_dir, assignment, student)
    if scores is not None:
        result.score, result.max_score = scores
    if autograde.returncode != 0 or scores is None:
        result.problems.append("autograde failed: " + _failure_reason(autograde.stdout + autograde.stderr))
    else:
        result.graded = True
        if feedback:
            shutil.rmtree(Path(course_dir) / "feedback" / student / assignment, ignore_errors=True)
            report = nbgrader("generate_feedback", assignment, f"--student={student}", "--force",
                              course_dir=course_dir, check=False)
            produced = (Path(course_dir) / "feedback" / student / assignment).glob("*.html")
            result.feedback = report.returncode == 0 and any(produced)
            if not result.feedback:
                result.problems.append("feedback failed: " + _failure_reason(report.stdout + report.stderr))
    result.seconds = time.perf_counter() - started
    return result


def grade_assignment(course_dir: Path, assignment: str, students: list[str] | None = None,
                     feedback: bool = True, progress: bool = True) -> list[StudentResult]:
    """Grade ``students`` (default: every submitter) of ``assignment``; one result each."""
    course_dir = Path(course_dir).resolve()
    if not (course_dir / "source" / assignment).is_dir():
        raise ValueError(f"no assignment {assignment!r} under {course_dir / 'source'}")
    students = students if students is not None else submitted_students(course_dir, assignment)
    register_assignment(course_dir, assignment)
    ensure_students(course_dir, students)
    full_marks = max_score(course_dir, assignment)
    results = []
    bar = tqdm(students, desc=f"grading {assignment}", unit="student", disable=not progress)
    for student in bar:
        result = grade_student(course_dir, assignment, student, feedback=feedback)
        result.max_score = result.max_score or full_marks
        results.append(result)
        bar.set_postfix(failures=sum(not r.graded for r in results))
    return results


def export_grades(course_dir: Path, to: Path | None = None) -> Path:
    """Write nbgrader's grades CSV (every student x assignment in the gradebook)."""
    course_dir = Path(course_dir).resolve()
    to = Path(to) if to else course_dir / "grades.csv"
    nbgrader("export", f"--to={to}", course_dir=course_dir)
    return to


def format_table(results: list[StudentResult]) -> str:
    """A plain-text grade table (columns sized to the longest assignment and student names)."""
    a = max([len("assignment")] + [len(r.assignment) for r in results])
    w = max([len("student")] + [len(r.student) for r in results])
    header = f"{'assignment':<{a}} {'student':<{w}} {'score':>7} {'max':>5}  {'status':<11} {'time':>6}"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.assignment:<{a}} {r.student:<{w}} {r.score:>7.1f} {r.max_score:>5.0f}  "
                     f"{r.status:<11} {r.seconds:>5.1f}s")
        for problem in r.problems:
            lines.append("    ! " + problem.replace("\n", "\n      "))
    return "\n".join(lines)
