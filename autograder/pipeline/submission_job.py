"""The typed values that cross the one-submission seam (:mod:`autograder.pipeline.one_submission`):
the job that goes in and the outcome that comes out, each with a plain-data form (JSON: bytes as
base64) so that it can cross a process or a machine.

The caller (:mod:`autograder.pipeline.submission`) builds a job from the course directory: the
submitted folder as data, the assignment as text with its digest, the per-submission grading key
(computed from the course secret: the secret itself never enters a job), the limits, the rule
mode. Nothing in a job names a path of the course directory. Imports nothing heavy.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from autograder.isolation.sandbox import Limits
from autograder.scoring import rule_judge
from autograder.scoring.job import CellResult


class StaleAssignment(ValueError):
    """The assignment a job carries does not match its digest (a stale or altered copy)."""


def _encode(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _decode(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def assignment_digest(name: str, notebook_name: str, source: str, student_version: str, nbgrader_config: str) -> str:
    """The digest of what grading an assignment depends on (sha256, hex)."""
    hasher = hashlib.sha256()
    for part in (name, notebook_name, source, student_version, nbgrader_config):
        encoded = part.encode("utf-8", "surrogateescape")
        hasher.update(len(encoded).to_bytes(8, "big") + encoded)
    return hasher.hexdigest()


@dataclass(frozen=True)
class AssignmentCopy:
    """What grading needs of an assignment, as text: a private nbgrader course is made from it."""

    name: str
    notebook_name: str
    source: str  # the instructor's notebook (solutions, hidden tests)
    student_version: str  # the notebook the feedback is built on (release/, else the source)
    nbgrader_config: str  # the course's nbgrader_config.py ("" when it has none)
    digest: str  # :func:`assignment_digest` of the above, checked by :meth:`check`

    @classmethod
    def of(cls, name: str, notebook_name: str, source: str, student_version: str,
           nbgrader_config: str) -> AssignmentCopy:
        return cls(name, notebook_name, source, student_version, nbgrader_config,
                   assignment_digest(name, notebook_name, source, student_version, nbgrader_config))

    def check(self) -> None:
        """Raise :class:`StaleAssignment` unless the text matches the digest."""
        found = assignment_digest(self.name, self.notebook_name, self.source, self.student_version,
                                  self.nbgrader_config)
        if found != self.digest:
            raise StaleAssignment(f"assignment {self.name!r}: its copy has digest {found[:12]}, "
                                  f"the job expects {self.digest[:12]}")


@dataclass(frozen=True)
class SubmittedFolder:
    """A student's submitted folder, as data (read by the caller, never written)."""

    student: str
    notebook: bytes | None  # the notebook's bytes; None when it could not be read (see ``unread_reason``)
    unread_reason: str = ""  # missing, a symbolic link, too large, an OS error
    files: tuple[tuple[str, bytes], ...] = ()  # (relative path, bytes) of the other regular files
    folders: tuple[str, ...] = ()  # relative paths of its subfolders (nbgrader copies them too)
    special_files: tuple[str, ...] = ()  # symbolic links, devices...: flagged; no kernel runs it
    folder_flags: tuple[str, ...] = ()  # what the files beside the notebook look like (intake's flags)

    @property
    def digest(self) -> str:
        """sha256 (hex) of the notebook's bytes ("" when unread)."""
        return hashlib.sha256(self.notebook).hexdigest() if self.notebook is not None else ""


@dataclass(frozen=True)
class Lateness:
    """When a submission was handed in against its deadline, as the instructor's side reads them:
    nbgrader's ``timestamp.txt`` and the gradebook's due date plus the student's extension (UTC,
    ISO format; None when unknown or unset)."""

    submitted_at: str | None = None
    deadline: str | None = None
    seconds_late: float = 0.0  # 0 when on time, or when either time is unknown
    flag: str = ""  # why lateness could not be told, when a deadline is set

    def submitted_value(self) -> datetime | None:
        return datetime.fromisoformat(self.submitted_at) if self.submitted_at else None


@dataclass(frozen=True)
class SubmissionJob:
    """Everything grading one submission needs; see :func:`autograder.pipeline.one_submission.grade_submission`."""

    assignment: AssignmentCopy
    submission: SubmittedFolder
    grading_key: str | None  # hex, per submission (HMAC under the course secret); None when unread
    limits: Limits = field(default_factory=Limits)
    rule_mode: str = rule_judge.WITHHOLD  # or rule_judge.FLAG
    feedback: bool = True
    in_kernel_gradebook: bytes | None = None  # a SQLite template with the assignment; else made privately
    lateness: Lateness = field(default_factory=Lateness)  # the late policy in the course's configuration prices it

    def to_json(self) -> dict:
        submission = self.submission
        return {
            "assignment": asdict(self.assignment),
            "submission": {
                "student": submission.student, "notebook": _encode(submission.notebook),
                "unread_reason": submission.unread_reason,
                "files": [[path, _encode(data)] for path, data in submission.files],
                "folders": list(submission.folders), "special_files": list(submission.special_files),
                "folder_flags": list(submission.folder_flags),
            },
            "grading_key": self.grading_key,
            "limits": asdict(self.limits),
            "rule_mode": self.rule_mode,
            "feedback": self.feedback,
            "in_kernel_gradebook": _encode(self.in_kernel_gradebook),
            "lateness": asdict(self.lateness),
        }

    @classmethod
    def from_json(cls, data: dict) -> SubmissionJob:
        submitted = data["submission"]
        submission = SubmittedFolder(
            student=str(submitted["student"]), notebook=_decode(submitted["notebook"]),
            unread_reason=str(submitted.get("unread_reason", "")),
            files=tuple((str(path), _decode(text) or b"") for path, text in submitted.get("files", [])),
            folders=tuple(submitted.get("folders", [])), special_files=tuple(submitted.get("special_files", [])),
            folder_flags=tuple(submitted.get("folder_flags", [])))
        known = {f.name for f in fields(Limits)}
        return cls(assignment=AssignmentCopy(**data["assignment"]), submission=submission,
                   grading_key=data.get("grading_key"),
                   limits=Limits(**{k: v for k, v in data.get("limits", {}).items() if k in known}),
                   rule_mode=str(data.get("rule_mode", rule_judge.WITHHOLD)), feedback=bool(data.get("feedback", True)),
                   in_kernel_gradebook=_decode(data.get("in_kernel_gradebook")),
                   lateness=Lateness(**data.get("lateness", {})))


@dataclass(frozen=True)
class SubmissionTimings:
    """Seconds spent on each stage of one submission (the last attempt's, but ``total``)."""

    in_kernel: float = 0.0
    trusted: float = 0.0
    feedback: float = 0.0
    total: float = 0.0


@dataclass(frozen=True)
class SubmissionOutcome:
    """What grading one submission gave, before anything is written to the course."""

    student: str
    assignment: str
    readable: bool  # the notebook could be read (an unreadable one still gets its 0 row)
    cells: tuple[CellResult, ...] = ()  # the trusted verdicts: every score
    flags: tuple[str, ...] = ()  # hidden lines redacted
    problems: tuple[str, ...] = ()  # hidden lines redacted
    in_kernel_passed: tuple[tuple[str, bool], ...] = ()  # nbgrader's in-kernel run: grade_id, passed
    lateness: Lateness = field(default_factory=Lateness)  # the job's: when it was handed in, against what deadline
    late_penalty: float = 0.0  # points the course's late policy takes from the trusted score
    graded_notebook: str | None = None  # what the course's autograded/ folder should hold, if anything
    feedback_html: str | None = None  # None when no feedback was asked for or made
    feedback_name: str = ""  # the feedback page's file name
    attempts: int = 1  # 2 when the first run was not verified (the sandbox was unhealthy after it)
    timings: SubmissionTimings = field(default_factory=SubmissionTimings)

    def to_json(self) -> dict:
        values = asdict(self)
        values["in_kernel_passed"] = [list(pair) for pair in self.in_kernel_passed]
        return values

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionOutcome:
        return cls(student=str(data["student"]), assignment=str(data["assignment"]), readable=bool(data["readable"]),
                   cells=tuple(CellResult(**cell) for cell in data.get("cells", [])),
                   flags=tuple(data.get("flags", [])), problems=tuple(data.get("problems", [])),
                   in_kernel_passed=tuple((str(g), bool(p)) for g, p in data.get("in_kernel_passed", [])),
                   lateness=Lateness(**data.get("lateness", {})), late_penalty=float(data.get("late_penalty", 0.0)),
                   graded_notebook=data.get("graded_notebook"),
                   feedback_html=data.get("feedback_html"), feedback_name=str(data.get("feedback_name", "")),
                   attempts=int(data.get("attempts", 1)), timings=SubmissionTimings(**data.get("timings", {})))
