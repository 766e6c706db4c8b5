"""Late submissions end to end: `python -m autograder deadline` sets the due date and an extension in
the gradebook, `grade` prices lateness with the course's late policy (nbgrader_config.py), and
nbgrader's export and feedback page show the penalty. A new extension regrades that student only;
a new policy regrades the late submissions only.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import MISTAKEN, REFERENCE, write_sample_submissions
from tests.paths import REPO

pytestmark = pytest.mark.grading

ASSIGNMENT = "01-ml-taxonomy"
FULL = 16.0
MISTAKEN_SCORE = 15.0
# student -> (copy of, timestamp.txt or None)
STUDENTS = {
    REFERENCE: (REFERENCE, "2027-01-15 16:59:00.000000 UTC"),
    "one-hour-late": (REFERENCE, "2027-01-15 18:00:00.000000 UTC"),
    "ten-minutes-late": (REFERENCE, "2027-01-15 17:10:00.000000 UTC"),  # within the grace period
    MISTAKEN: (MISTAKEN, "2027-01-17 17:30:00.000000 UTC"),  # 3 started days
    "no-timestamp": (REFERENCE, None),
}


def _cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), *args],
                          capture_output=True, text=True, timeout=900, cwd=REPO)


def _grade(course: Path) -> dict[str, str]:
    """Grade; the status of each student in the grade table."""
    run = _cli(course, "grade", ASSIGNMENT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {m[1]: m[2] for m in re.finditer(rf"^{ASSIGNMENT} (\S+)\s+[\d.]+\s+\d+\s+(\S+)", run.stdout, re.M)}


def _export(course: Path) -> dict[str, dict[str, str]]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("late")
    copy_course(course, [ASSIGNMENT])
    write_sample_submissions(course, [ASSIGNMENT])
    submitted = course / "submitted"
    for student, (original, _) in STUDENTS.items():
        if student != original:
            shutil.copytree(submitted / original / ASSIGNMENT, submitted / student / ASSIGNMENT)
    for student, (_, stamp) in STUDENTS.items():
        if stamp is not None:
            (submitted / student / ASSIGNMENT / "timestamp.txt").write_text(stamp)
    due = _cli(course, "deadline", ASSIGNMENT, "--due", "2027-01-15 18:00:00 Europe/Paris")
    assert due.returncode == 0 and "due 2027-01-15 17:00:00 UTC" in due.stdout, due.stdout + due.stderr
    before = _digests(submitted)
    statuses = _grade(course)
    return course, before, statuses


def test_the_late_policy_prices_each_submission_in_the_export(course):
    """Check raw score, penalty and score per student: on time, in the grace period, 1 hour and 3 days late."""
    folder, _, statuses = course
    assert set(statuses) == set(STUDENTS) | {"demo-blank"}
    rows = _export(folder)
    expected = {REFERENCE: (FULL, 0.0), "ten-minutes-late": (FULL, 0.0), "one-hour-late": (FULL, 1.6),
                MISTAKEN: (MISTAKEN_SCORE, 4.5), "no-timestamp": (FULL, 0.0)}
    for student, (raw, penalty) in expected.items():
        row = rows[student]
        got = (float(row["raw_score"]), float(row["late_submission_penalty"]), float(row["score"]))
        assert got == pytest.approx((raw, penalty, raw - penalty)), (student, row)
        assert row["duedate"] == "2027-01-15 17:00:00"
    assert rows["one-hour-late"]["timestamp"] == "2027-01-15 18:00:00"


def test_the_feedback_page_shows_the_penalty(course):
    """Check that the late student's page shows nbgrader's late penalty line and the score after it."""
    folder, _, _ = course
    page = next((folder / "feedback" / "one-hour-late" / ASSIGNMENT).glob("*.html")).read_text()
    assert "Late submission penalty (Score: -1.6)" in page and "Score: 14.4 / 16.0" in page
    on_time = next((folder / "feedback" / REFERENCE / ASSIGNMENT).glob("*.html")).read_text()
    assert "Late submission penalty (Score" not in on_time


def test_a_submission_without_its_time_is_flagged_not_penalized(course):
    """Check that a submission with a due date but no timestamp.txt is flagged in the export."""
    folder, _, _ = course
    assert "no timestamp.txt" in _export(folder)["no-timestamp"]["flags"]
    assert _export(folder)[REFERENCE]["flags"] == ""


def test_grading_late_submissions_changes_no_submitted_file(course):
    """Check that the submitted folders (timestamps included) are byte for byte what was handed in."""
    folder, before, _ = course
    assert _digests(folder / "submitted") == before


def test_an_extension_regrades_that_student_only_and_a_new_policy_the_late_ones_only(course):
    """Check that an extension covering the lateness removes the penalty with one regrade, and a
    harsher policy regrades the submissions after the due date only (those in the grace period too)."""
    folder, _, _ = course
    extended = _cli(folder, "deadline", ASSIGNMENT, "--student", "one-hour-late", "--extension-hours", "2")
    assert extended.returncode == 0 and "one-hour-late: 2 h more, due 2027-01-15 19:00:00 UTC" in extended.stdout
    statuses = _grade(folder)
    regraded = {student for student, status in statuses.items() if status != "unchanged"}
    assert regraded == {"one-hour-late"}, statuses
    assert float(_export(folder)["one-hour-late"]["late_submission_penalty"]) == 0.0

    config = folder / "nbgrader_config.py"
    config.write_text(config.read_text().replace("c.CourseLatePolicy.percent_per_day = 10",
                                                 "c.CourseLatePolicy.percent_per_day = 25"))
    statuses = _grade(folder)
    regraded = {student for student, status in statuses.items() if status != "unchanged"}
    assert regraded == {MISTAKEN, "ten-minutes-late"}, statuses
    assert float(_export(folder)[MISTAKEN]["late_submission_penalty"]) == pytest.approx(0.75 * MISTAKEN_SCORE)
