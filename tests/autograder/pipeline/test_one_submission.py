"""The one-submission seam: a typed job in, a typed outcome out, graded with no course folder.

The job is built from the repository's source notebook and the sample submissions (as bytes),
crosses into a process of its own as JSON (as it would to a worker on another machine), is graded
there with its working directory an empty folder, and comes back as JSON. Nothing outside the
temporary folders is written.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.demo.samples import MISTAKEN, REFERENCE, sample_notebooks
from autograder.isolation import sandbox
from autograder.pipeline.one_submission import grade_submission
from autograder.pipeline.submission import assignment_copy
from autograder.pipeline.submission_job import (
    Lateness,
    StaleAssignment,
    SubmissionJob,
    SubmissionOutcome,
    SubmissionTimings,
    SubmittedFolder,
)
from autograder.scoring.hidden_tests import hidden_lines
from autograder.scoring.job import CellResult
from tests.paths import REPO

ASSIGNMENT = "01-ml-taxonomy"
MISTAKEN_FAILS = {"test_last_layer_for_multilabel"}  # the sample mistake (autograder.demo.samples.MISTAKES)
KEY = "5e" * 32
SKIPPED = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules",
           "browser-screenshots"}  # the browser and hub tests write there meanwhile


def _job(student: str, **changes) -> SubmissionJob:
    (notebook_node,) = sample_notebooks(ASSIGNMENT)[student].values()
    notebook = nbformat.writes(notebook_node).encode()
    submission = SubmittedFolder(student, notebook, files=(("notes/readme.txt", b"my notes\n"),),
                                 folders=("notes",))
    job = SubmissionJob(assignment_copy(REPO, ASSIGNMENT), submission, grading_key=KEY,
                        limits=sandbox.limits_from_env())
    return dataclasses.replace(job, **changes)


def _plain(value: dict) -> dict:
    """The form that crosses a process or a machine."""
    return json.loads(json.dumps(value))


def test_a_job_survives_its_plain_data_form():
    """Check that a job (bytes, files, limits, key) comes back equal from its JSON form."""
    job = _job(MISTAKEN, in_kernel_gradebook=b"\x00sqlite\xff", feedback=False, rule_mode="flag",
               lateness=Lateness("2027-01-15T18:00:00", "2027-01-15T17:00:00", 3600.0))
    assert SubmissionJob.from_json(_plain(job.to_json())) == job
    assert "course_dir" not in json.dumps(job.to_json()) and str(REPO / "source") not in json.dumps(job.to_json())


def test_an_outcome_survives_its_plain_data_form():
    """Check that an outcome (verdicts, in-kernel comparison, feedback page) comes back equal from JSON."""
    outcome = SubmissionOutcome(
        student="ada", assignment=ASSIGNMENT, readable=True,
        cells=(CellResult("test_a", 2.0, True), CellResult("test_b", 3.0, False, "wrong shape")),
        flags=("answer cell 'f' is missing",), problems=("in-kernel run failed: an error",),
        in_kernel_passed=(("test_a", True), ("test_b", True)),
        lateness=Lateness("2026-12-07T05:00:00.123456", "2026-12-07T04:00:00", 3600.123456), late_penalty=0.5,
        graded_notebook='{"cells": []}', feedback_html="<html>\udcff é</html>", feedback_name="taxonomy.html",
        attempts=2, timings=SubmissionTimings(in_kernel=1.5, trusted=2.5, feedback=0.5, total=4.75))
    assert SubmissionOutcome.from_json(_plain(outcome.to_json())) == outcome
    assert outcome.lateness.submitted_value().microsecond == 123456


def test_a_job_whose_assignment_does_not_match_its_digest_is_refused():
    """Check that a stale or altered copy of the assignment is refused before anything runs."""
    job = _job(REFERENCE)
    altered = dataclasses.replace(job.assignment, source=job.assignment.source.replace("points", "point", 1))
    with pytest.raises(StaleAssignment, match=ASSIGNMENT):
        grade_submission(dataclasses.replace(job, assignment=altered))


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [s for s in subfolders if s not in SKIPPED and not s.endswith(".egg-info")]
        for name in files:
            stat = (Path(folder) / name).stat()
            found[str(Path(folder) / name)] = (stat.st_mtime_ns, stat.st_size)
    return found


@pytest.mark.grading
@pytest.mark.skipif(not sandbox.isolation_available(), reason="bubblewrap is not installed: isolation is off")
def test_the_seam_grades_with_no_course_folder(tmp_path):
    """Check that jobs graded in a process of their own, with an empty working folder and no course
    folder, give the exact verdicts, a feedback page without hidden code, and write nothing else."""
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    before = _snapshot(REPO)
    outcomes = {}
    for student in (REFERENCE, MISTAKEN):
        job_path, outcome_path = tmp_path / f"{student}.job.json", tmp_path / f"{student}.outcome.json"
        job_path.write_text(json.dumps(_job(student).to_json()))
        env = {**os.environ, "TMPDIR": str(temporary)}
        subprocess.run([sys.executable, "-m", "autograder.pipeline.one_submission", str(job_path), str(outcome_path)],
                       cwd=work, env=env, check=True, timeout=900)
        outcomes[student] = SubmissionOutcome.from_json(json.loads(outcome_path.read_text()))

    points = {c.grade_id: c.points for c in outcomes[REFERENCE].cells}
    assert points and all(c.passed for c in outcomes[REFERENCE].cells), outcomes[REFERENCE].cells
    assert {c.grade_id for c in outcomes[MISTAKEN].cells if not c.passed} == MISTAKEN_FAILS
    source = json.loads(assignment_copy(REPO, ASSIGNMENT).source)
    hidden = [line for cell in source["cells"] for line in hidden_lines("".join(cell["source"]))
              if cell["metadata"].get("nbgrader", {}).get("grade")]
    assert hidden, "the assignment has no hidden test lines to look for"
    for student, outcome in outcomes.items():
        assert outcome.readable and outcome.attempts == 1, (student, outcome.problems, outcome.flags)
        assert dict(outcome.in_kernel_passed), f"{student}: nbgrader's in-kernel run gave no results"
        assert outcome.feedback_html and "Score" in outcome.feedback_html, student
        assert not [line for line in hidden if line in html.unescape(outcome.feedback_html)], student
        assert outcome.graded_notebook and outcome.timings.total > 0, student
    assert dict(outcomes[REFERENCE].in_kernel_passed) == {grade_id: True for grade_id in points}

    assert list(work.iterdir()) == [], "the seam wrote into its working folder"
    assert not [p.name for p in temporary.iterdir() if p.name.startswith(("course-submission-", "course-kernel-"))]
    assert _snapshot(REPO) == before, "the seam wrote into the repository (the course the job came from)"


def test_a_folder_of_junk_beside_the_notebook_is_not_carried_and_is_flagged(tmp_path, monkeypatch):
    """Check that files beside the notebook past the cap stay out of the job (flagged), the notebook in."""
    from autograder.pipeline import submission

    folder = tmp_path / "submitted" / "amy" / ASSIGNMENT
    (folder / "data").mkdir(parents=True)
    (folder / "taxonomy.ipynb").write_bytes(b"{}")
    (folder / "data" / "small.csv").write_bytes(b"1,2\n")
    monkeypatch.setattr(submission, "MAX_EXTRA_BYTES", 100)
    within = submission.submitted_folder(tmp_path, ASSIGNMENT, "amy", "taxonomy.ipynb")
    assert within.files == (("data/small.csv", b"1,2\n"),) and within.folders == ("data",)
    assert not within.folder_flags
    (folder / "data" / "large.bin").write_bytes(b"x" * 101)
    beyond = submission.submitted_folder(tmp_path, ASSIGNMENT, "amy", "taxonomy.ipynb")
    assert beyond.notebook == b"{}" and beyond.files == () and beyond.folders == ()
    assert any("in-kernel run got none of them" in flag for flag in beyond.folder_flags)
