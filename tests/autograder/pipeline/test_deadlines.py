"""Deadlines (autograder.pipeline.deadlines): a submission's time from its timestamp.txt, the due date
and extensions from the gradebook, and how late each submission is."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from autograder.pipeline.deadlines import Deadlines, grant_extension, lateness, parse_due, set_due_date, submitted_at

ASSIGNMENT = "02-validation"


@pytest.fixture
def course(tmp_path):
    (tmp_path / "source" / ASSIGNMENT).mkdir(parents=True)
    return tmp_path


def _submit(course, student: str, timestamp: str | None):
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    if timestamp is not None:
        (folder / "timestamp.txt").write_text(timestamp + "\n")
    return folder


def test_a_timestamp_is_read_as_nbgrader_reads_it(tmp_path):
    """Check nbgrader's format, another zone, and that none, garbage, a link and a huge file give no time."""
    (tmp_path / "timestamp.txt").write_text("2027-01-15 17:00:00.123456 UTC\n")
    assert submitted_at(tmp_path) == (dt.datetime(2027, 1, 15, 17, 0, 0, 123456), "")
    (tmp_path / "timestamp.txt").write_text("2027-01-15 17:00:00 Europe/Paris")
    assert submitted_at(tmp_path)[0] == dt.datetime(2027, 1, 15, 16, 0)
    (tmp_path / "timestamp.txt").unlink()
    assert submitted_at(tmp_path) == (None, "")
    (tmp_path / "timestamp.txt").write_text("the day before the deadline")
    when, why = submitted_at(tmp_path)
    assert when is None and "holds no time" in why
    (tmp_path / "timestamp.txt").unlink()
    os.symlink("/etc/hostname", tmp_path / "timestamp.txt")
    assert submitted_at(tmp_path)[0] is None and "regular file" in submitted_at(tmp_path)[1]
    (tmp_path / "timestamp.txt").unlink()
    (tmp_path / "timestamp.txt").write_text("2027-01-15 17:00:00 UTC" + " " * 5000)
    assert submitted_at(tmp_path)[0] is None


def test_reading_deadlines_never_creates_a_gradebook(course):
    """Check that a course without a gradebook has no deadline, and still has no gradebook after."""
    _submit(course, "alice", "2030-01-01 00:00:00 UTC")
    assert Deadlines.of(course, ASSIGNMENT) == Deadlines()
    assert lateness(course, ASSIGNMENT, "alice").seconds_late == 0.0
    assert not (course / "gradebook.db").exists()


def test_lateness_against_the_due_date_and_the_extension(course):
    """Check seconds late against the due date, an extension that covers it, and the flag without a timestamp."""
    set_due_date(course, ASSIGNMENT, parse_due("2027-01-15 17:00:00 UTC"))
    _submit(course, "on-time", "2027-01-15 16:59:59 UTC")
    _submit(course, "late", "2027-01-15 19:00:00 UTC")
    _submit(course, "extended", "2027-01-15 19:00:00 UTC")
    _submit(course, "no-stamp", None)
    assert grant_extension(course, ASSIGNMENT, "extended", 2.5) == dt.datetime(2027, 1, 15, 19, 30)
    late = lateness(course, ASSIGNMENT, "late")
    assert (late.seconds_late, late.flag) == (7200.0, "")
    assert late.submitted_at == "2027-01-15T19:00:00" and late.deadline == "2027-01-15T17:00:00"
    assert lateness(course, ASSIGNMENT, "on-time").seconds_late == 0.0
    extended = lateness(course, ASSIGNMENT, "extended")
    assert extended.seconds_late == 0.0 and extended.deadline == "2027-01-15T19:30:00"
    unknown = lateness(course, ASSIGNMENT, "no-stamp")
    assert unknown.seconds_late == 0.0 and "no timestamp.txt" in unknown.flag
    grant_extension(course, ASSIGNMENT, "extended", 0)
    assert lateness(course, ASSIGNMENT, "extended").seconds_late == 7200.0
    set_due_date(course, ASSIGNMENT, None)
    assert lateness(course, ASSIGNMENT, "late").seconds_late == 0.0
    assert lateness(course, ASSIGNMENT, "no-stamp").flag == ""  # no deadline: nothing to tell


def test_a_due_date_needs_its_time_zone():
    """Check that zone names, offsets and UTC are read, and a time without a zone or with an unknown one is refused."""
    assert parse_due("2027-01-15 17:00:00 Europe/Paris") == dt.datetime(2027, 1, 15, 16, 0)
    assert parse_due("2027-01-15T17:00:00+01:00") == dt.datetime(2027, 1, 15, 16, 0)
    assert parse_due("2027-01-15 17:00 UTC") == dt.datetime(2027, 1, 15, 17, 0)
    with pytest.raises(ValueError, match="no time zone"):
        parse_due("2027-01-15 17:00:00")
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_due("2027-01-15 17:00:00 Mars/Olympus")
    with pytest.raises(ValueError, match="cannot be negative"):
        grant_extension(__import__("pathlib").Path("/nonexistent"), ASSIGNMENT, "a", -1)
