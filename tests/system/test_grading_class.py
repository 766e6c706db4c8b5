"""Grading a class: parallel workers, Ctrl-C midway, an idempotent rerun, a student list, the report.

One course (chapter 02, the three sample students and a synthetic class) goes through:
1. ``grade --workers 2``, interrupted with SIGINT (as Ctrl-C sends it to the whole process
   group) once two submissions are recorded: the gradebook holds only recorded, trusted scores
   and nothing the run started is left running;
2. the same command with nbgrader's student CSV (one student never submitted): the recorded
   submissions are not regraded, the rest are, the absent student gets a 0 row;
3. a serial ``--force`` regrade of two students gives the scores the parallel run gave;
4. ``report`` writes the CSVs and the HTML page.
"""

from __future__ import annotations

import atexit
import csv
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import BLANK, MISTAKEN, REFERENCE, write_sample_submissions
from autograder.demo.synthetic import write_synthetic_class
from autograder.pipeline.records import read_records

pytestmark = pytest.mark.grading

ASSIGNMENT = "02-validation"
SYNTHETIC = 5


def _grade(course: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT,
                           *args], capture_output=True, text=True, timeout=timeout)


def _records(course: Path) -> dict:
    return read_records(course).get(ASSIGNMENT, {})


def _gradebook_scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student.id: float(s.score) for s in gradebook.find_assignment(ASSIGNMENT).submissions}


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(cmdline[:200])
    return found


@functools.cache
def _course() -> dict:
    course = Path(tempfile.mkdtemp(prefix="course-class-"))
    atexit.register(shutil.rmtree, course, True)
    copy_course(course, [ASSIGNMENT])
    write_sample_submissions(course, [ASSIGNMENT])
    write_synthetic_class(course, SYNTHETIC, seed=7, assignments=[ASSIGNMENT])
    students = sorted(p.name for p in (course / "submitted").iterdir() if (p / ASSIGNMENT).is_dir())

    # 1. interrupted. SIGINT as a terminal delivers it: default handling, even if this test process
    # inherited an ignored SIGINT (children would inherit that too, and ignore the Ctrl-C)
    process = subprocess.Popen([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT,
                                "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 900
    while len(_records(course)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    _, interrupted_err = process.communicate(timeout=300)
    time.sleep(2)
    after_interrupt = {"returncode": process.returncode, "stderr": interrupted_err,
                       "records": _records(course), "gradebook": _gradebook_scores(course),
                       "leftovers": _processes_mentioning(str(course))}

    # 2. rerun from nbgrader's student list, with one student who never submitted
    roster = course / "students.csv"
    with open(roster, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "first_name", "last_name", "email"])
        writer.writeheader()
        for student in students + ["no-show"]:
            writer.writerow({"id": student, "first_name": student, "last_name": "Test", "email": ""})
    rerun = _grade(course, "--workers", "2", "--students-csv", str(roster))
    with open(course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}

    # 3. serial regrade of two synthetic students
    serial = _grade(course, "--workers", "1", "--force", "--student", "synth-000", "--student", "synth-001")
    report = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "report"],
                            capture_output=True, text=True, timeout=600)
    return {"course": course, "students": students, "interrupted": after_interrupt, "rerun": rerun, "rows": rows,
            "serial": serial, "serial_records": _records(course), "report": report}


def test_an_interrupted_run_leaves_only_recorded_trusted_scores_and_no_processes():
    state = _course()["interrupted"]
    assert state["returncode"] != 0, "the run should have been interrupted"
    assert len(state["records"]) >= 2
    for student, record in state["records"].items():
        assert state["gradebook"].get(student) == record["score"], student
    # a submission in the gradebook without a record was interrupted after its scores were written:
    # its scores are trusted ones too, and the rerun grades it again
    assert not state["leftovers"], state["leftovers"]


def test_the_rerun_grades_only_the_rest_and_every_student_has_a_row():
    data = _course()
    assert data["rerun"].returncode == 0, data["rerun"].stdout[-2000:] + data["rerun"].stderr[-2000:]
    done = len(data["interrupted"]["records"])
    assert f"{done} unchanged submission(s) were not regraded" in data["rerun"].stdout
    rows = data["rows"]
    assert set(rows) == set(data["students"]) | {"no-show"}
    assert float(rows["no-show"]["score"]) == 0.0
    assert float(rows[REFERENCE]["score"]) == float(rows[REFERENCE]["max_score"]) == 22.0
    assert float(rows[BLANK]["score"]) == 0.0
    assert float(rows[MISTAKEN]["score"]) == 15.0


def test_serial_and_parallel_grading_agree():
    data = _course()
    assert data["serial"].returncode == 0, data["serial"].stderr[-2000:]
    for student in ("synth-000", "synth-001"):
        assert float(data["rows"][student]["score"]) == data["serial_records"][student]["score"], student


def test_the_report_has_the_csvs_and_the_figures():
    data = _course()
    assert data["report"].returncode == 0, data["report"].stderr[-2000:]
    report = data["course"] / "report"
    page = (report / "index.html").read_text()
    assert page.count("data:image/png;base64,") == 4
    with open(report / "exercises.csv", newline="") as handle:
        exercises = list(csv.DictReader(handle))
    assert {r["student_id"] for r in exercises} == set(data["students"])
    with open(report / "grades.csv", newline="") as handle:
        header = next(csv.reader(handle))
    assert {"k_fold_indices", "holdout_split", "flags"} <= set(header)
