"""How late each submission is, read on the instructor's side as nbgrader reads it.

The time of a submission is its ``timestamp.txt`` (written by ``nbgrader submit``, brought in by
``nbgrader collect``; on the course's JupyterHub the sealing service makes it the time of the
student's last change). The deadline is the assignment's due date in the gradebook (``nbgrader
db assignment add ASSIGNMENT --duedate=...`` or the formgrader) plus the student's extension
(``python -m autograder extension``). Nothing here comes from a run of student code: the
in-kernel run's gradebook is not believed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from autograder.layout import CourseLayout
from autograder.pipeline.gradebook import db_url, sqlite_path
from autograder.pipeline.submission_job import Lateness

TIMESTAMP_FILE = "timestamp.txt"
MAX_TIMESTAMP_BYTES = 4096


def submitted_at(folder: Path) -> tuple[dt.datetime | None, str]:
    """The time in the folder's ``timestamp.txt`` (naive UTC, parsed by nbgrader's ``parse_utc``),
    and why it could not be read ("" when it was, or when there is none)."""
    from nbgrader.utils import parse_utc

    path = Path(folder) / TIMESTAMP_FILE
    if not path.exists() and not path.is_symlink():
        return None, ""
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_TIMESTAMP_BYTES:
        return None, f"{TIMESTAMP_FILE} is not a small regular file"
    text = path.read_bytes().decode("utf-8", "replace").strip()
    try:
        return parse_utc(text), ""
    except (ValueError, OverflowError, TypeError) as error:
        return None, f"{TIMESTAMP_FILE} holds no time nbgrader can read ({text[:40]!r}: {error})"


@dataclass(frozen=True)
class Deadlines:
    """An assignment's due date and its students' extensions, as the gradebook holds them."""

    due: dt.datetime | None = None  # naive UTC, as nbgrader stores it
    extensions: dict[str, dt.timedelta] = field(default_factory=dict)

    @classmethod
    def of(cls, course_dir: Path, assignment: str) -> Deadlines:
        """Read from the course gradebook (no deadline when it or the assignment is not there yet:
        reading never creates a gradebook)."""
        from nbgrader.api import Gradebook, MissingEntry

        url = db_url(course_dir)
        existing = sqlite_path(url)
        if existing is not None and not existing.exists():
            return cls()
        with Gradebook(url) as gradebook:
            try:
                found = gradebook.find_assignment(assignment)
            except MissingEntry:
                return cls()
            return cls(found.duedate, {submission.student.id: submission.extension
                                       for submission in found.submissions if submission.extension})

    def deadline(self, student: str) -> dt.datetime | None:
        if self.due is None:
            return None
        return self.due + self.extensions.get(student, dt.timedelta(0))

    def lateness(self, course_dir: Path, assignment: str, student: str) -> Lateness:
        """How late ``student``'s submission of ``assignment`` is."""
        deadline = self.deadline(student)
        when, unreadable = submitted_at(CourseLayout(course_dir).submitted(student, assignment))
        flag = ""
        if deadline is not None and when is None:
            flag = (f"{unreadable or 'no ' + TIMESTAMP_FILE}: the time of the submission is not known, "
                    "so no late penalty was applied")
        seconds = max(0.0, (when - deadline).total_seconds()) if when and deadline else 0.0
        return Lateness(submitted_at=when.isoformat() if when else None,
                        deadline=deadline.isoformat() if deadline else None, seconds_late=seconds, flag=flag)


def lateness(course_dir: Path, assignment: str, student: str) -> Lateness:
    """How late one submission is (:meth:`Deadlines.lateness`, reading the gradebook once)."""
    return Deadlines.of(course_dir, assignment).lateness(course_dir, assignment, student)


def grant_extension(course_dir: Path, assignment: str, student: str, hours: float) -> dt.datetime | None:
    """Give ``student`` ``hours`` more for ``assignment`` (0 removes the extension; extensions do
    not add up, as in nbgrader); returns the student's deadline, None when the assignment has no
    due date yet. A student who has not submitted gets nbgrader's empty submission row (nbgrader
    keeps extensions there)."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    if hours < 0:
        raise ValueError(f"an extension cannot be negative ({hours} hours)")
    # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warnings; the rows are right
    with Gradebook(db_url(course_dir)) as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        found = gradebook.find_assignment(assignment)
        gradebook.update_or_create_student(student)
        gradebook.update_or_create_submission(assignment, student)
        gradebook.grant_extension(assignment, student, hours=hours)
        return found.duedate + dt.timedelta(hours=hours) if found.duedate else None


def parse_due(text: str) -> dt.datetime:
    """A due date given by a person, as naive UTC: ``2027-01-15 17:00:00 Europe/Paris``,
    ``2027-01-15 17:00 UTC``, ``2027-01-15T17:00:00+01:00``. A time without its zone is refused
    (nbgrader would read it as UTC), as is a zone name this machine does not know."""
    import dateutil.parser
    import dateutil.tz
    from nbgrader.utils import parse_utc

    parts = text.strip().split(" ")
    if len(parts) == 3:
        zone = parts[2]
        if not zone.lstrip("+-").isdigit() and dateutil.tz.gettz(zone) is None:
            raise ValueError(f"unknown time zone {zone!r} in {text!r}")
        return parse_utc(text.strip())
    try:
        parsed = dateutil.parser.isoparse(text.strip())
    except ValueError as error:
        raise ValueError(f"not a date and time: {text!r} ({error})") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: add one, as in '2027-01-15 17:00:00 Europe/Paris' or "
                         "'2027-01-15T17:00:00+01:00'")
    return parse_utc(parsed)


def set_due_date(course_dir: Path, assignment: str, due: dt.datetime | None) -> None:
    """Set (None: remove) ``assignment``'s due date in the course gradebook, as the formgrader does."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course_dir)) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=due)
