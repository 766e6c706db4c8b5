"""The records file: one record per graded submission (its digest and the inputs it was graded
with, score, flags, every check's message), and the digests that decide whether a submission
must be graded again.

Only the parent grading process writes records: each finished submission appends one line to the
records log under the records' lock (grading commands on other machines sharing the course
directory may add records meanwhile), and a grading run folds the log into the records file when
it starts and when it ends.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import asdict
from pathlib import Path

from autograder import REPO_ROOT
from autograder.layout import CourseLayout
from autograder.pipeline import json_files
from autograder.pipeline.course_config import course_config
from autograder.pipeline.results import StudentResult
from autograder.scoring import late_policy, rule_judge
from autograder.scoring.job import CellResult

SUBMISSION_DIGEST_BYTES = 256 * 2**20  # read of a submission folder; a larger one is digested by its listing


def submission_digest(folder: Path) -> str:
    """Digest of everything in a submission folder (names as bytes, contents, link targets).

    Never fails on what a student left there (undecodable names, unreadable or huge sparse
    files): a digest is made of whatever can be read, files streamed, and past
    :data:`SUBMISSION_DIGEST_BYTES` only names and sizes count."""
    digest = hashlib.sha256()
    folder = Path(folder)
    budget = SUBMISSION_DIGEST_BYTES
    try:
        paths = sorted(folder.rglob("*"), key=lambda p: os.fsencode(p)) if folder.is_dir() else []
    except OSError as error:
        return hashlib.sha256(f"unreadable: {error}".encode("utf-8", "replace")).hexdigest()
    for path in paths:
        digest.update(os.fsencode(path.relative_to(folder)) + b"\0")
        try:
            if path.is_symlink():
                digest.update(b"link:" + os.fsencode(os.readlink(path)))
            elif path.is_file():
                size = path.stat().st_size
                digest.update(b"size:%d\0" % size)
                if size <= budget:
                    budget -= size
                    with open(path, "rb") as handle:
                        for chunk in iter(lambda: handle.read(1 << 20), b""):
                            digest.update(chunk)
        except OSError as error:
            digest.update(b"unreadable:" + str(error).encode("utf-8", "replace"))
        digest.update(b"\0")
    return digest.hexdigest()


def grading_inputs_digest(course_dir: Path, assignment: str) -> str:
    """Digest of what decides a grade besides the submission: the source notebook, the checks and
    the course's setting for exercise rules (the late policy counts for late submissions only:
    :func:`lateness_key`)."""
    digest = hashlib.sha256()
    for path in sorted(CourseLayout(course_dir).source(assignment).glob("*.ipynb")):
        digest.update(path.read_bytes())
    checks = REPO_ROOT / "autograder" / "checks"
    for path in sorted(checks.rglob("*.py")):
        digest.update(path.relative_to(checks).as_posix().encode() + path.read_bytes())
    digest.update(f"rules:{rule_mode(course_dir)}".encode())
    return digest.hexdigest()


def rule_mode(course_dir: Path) -> str:
    """What a broken exercise rule costs, from the course's ``nbgrader_config.py``:
    ``c.ExerciseRules.on_violation = "withhold"`` (the default: the function's test cells score 0)
    or ``"flag"`` (flagged only; the points stay)."""
    value = course_config(course_dir).get("ExerciseRules", {}).get("on_violation", rule_judge.WITHHOLD)
    if value not in (rule_judge.WITHHOLD, rule_judge.FLAG):
        raise ValueError(f"{CourseLayout(course_dir).nbgrader_config()}: c.ExerciseRules.on_violation must be "
                         f"{rule_judge.WITHHOLD!r} or {rule_judge.FLAG!r}, got {value!r}")
    return value


def registration_digest(course_dir: Path, assignment: str, inputs: str) -> str:
    """What a registration depends on: the grading inputs and ``nbgrader_config.py`` (its course
    id and code stub go into the gradebook and the generated notebooks)."""
    config = CourseLayout(course_dir).nbgrader_config()
    extra = config.read_bytes() if config.exists() else b""
    return hashlib.sha256(inputs.encode() + b"\0" + extra).hexdigest()


def lateness_key(course_dir: Path, seconds_late: float) -> str:
    """What a late submission's grade depends on besides its files and the grading inputs: how
    late it is and the course's late policy ("" for a submission on time, whatever the policy)."""
    if seconds_late <= 0:
        return ""
    return f"{seconds_late:.3f} s late; {late_policy.describe(course_config(course_dir))}"


def _replay(records: dict, entries) -> dict:
    """``records`` with the log's ``entries`` applied in order (the last record of a submission wins)."""
    for entry in entries:
        if isinstance(entry, dict) and {"assignment", "student", "record"} <= entry.keys():
            records.setdefault(entry["assignment"], {})[entry["student"]] = entry["record"]
    return records


def read_records(course_dir: Path) -> dict[str, dict[str, dict]]:
    """``{assignment: {student: record}}`` of finished submissions (see :func:`write_record`): the
    records file, then the log of those finished since it was compacted; a damaged file reads as
    empty (everything in it is regraded)."""
    layout = CourseLayout(course_dir)

    def read() -> dict:
        return _replay(json_files.read_json(layout.records()), json_files.read_json_lines(layout.records_log()))

    try:
        lock = json_files.locked(layout.records())  # not between a compaction's write and its log's removal
        with lock:
            return read()
    except OSError:  # a course folder this user may only read
        return read()


def compact_records(course_dir: Path) -> None:
    """Fold the log into the records file (under its lock; other graders may be appending)."""
    layout = CourseLayout(course_dir)
    if not layout.records_log().exists():
        return
    with json_files.locked(layout.records()):
        records = _replay(json_files.read_json(layout.records()), json_files.read_json_lines(layout.records_log()))
        json_files.write_json(layout.records(), records)
        layout.records_log().unlink()


def write_record(course_dir: Path, result: StudentResult, submission: str, inputs: str, late: str = "") -> None:
    """Record a finished submission: one line appended to the records log under the records' lock
    (the cost does not grow with the class; :func:`compact_records` folds the log in). ``late``:
    its :func:`lateness_key`."""
    record = {
        "submission": submission, "inputs": inputs, "late": late, "score": result.score,
        "max_score": result.max_score, "late_penalty": result.late_penalty, "seconds_late": result.seconds_late,
        "graded": result.graded, "feedback": result.feedback, "seconds": round(result.seconds, 2),
        "flags": list(result.flags), "problems": list(result.problems),
        "cells": [asdict(c) for c in result.cells], "attempts": result.attempts,
        "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    layout = CourseLayout(course_dir)
    json_files.append_json_line(layout.records_log(),
                                {"assignment": result.assignment, "student": result.student, "record": record},
                                lock_for=layout.records())


def result_from_record(assignment: str, student: str, record: dict) -> StudentResult:
    return StudentResult(student, assignment, score=record["score"], max_score=record["max_score"],
                         late_penalty=record.get("late_penalty", 0.0), seconds_late=record.get("seconds_late", 0.0),
                         graded=record["graded"], feedback=record["feedback"], seconds=record["seconds"],
                         problems=list(record["problems"]), flags=list(record["flags"]),
                         cells=[CellResult(**c) for c in record["cells"]], skipped=True)


def read_flags(course_dir: Path) -> dict[str, dict[str, list[str]]]:
    return {assignment: {student: list(record.get("flags", [])) for student, record in students.items()}
            for assignment, students in read_records(course_dir).items()}


def unchanged(course_dir: Path, assignment: str, student: str, record: dict | None, submission: str,
              inputs: str, feedback: bool, late: str = "") -> bool:
    """Whether ``record`` still holds for the submission (same files, same grading inputs, the same
    :func:`lateness_key` ``late``, and its feedback page is there when feedback is wanted)."""
    if not record or record.get("submission") != submission or record.get("inputs") != inputs:
        return False
    if record.get("late", "") != late:  # a new due date, extension or late policy
        return False
    return not feedback or any(CourseLayout(course_dir).feedback(student, assignment).glob("*.html"))
