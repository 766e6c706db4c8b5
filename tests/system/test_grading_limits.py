"""A submission that outlives its time limit and leaves processes behind cannot stall a class.

Found by a red team: a kernel that outlived nbgrader (nbgrader was killed at the submission
limit, the kernel was in a session of its own) kept nbgrader's output pipes open, and the grader
waited for them forever. Graded here end to end with a short submission limit: the run finishes,
the submission is flagged and keeps its row, the next student is graded, and nothing the
submission started is still running.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import BLANK, REFERENCE, write_sample_submissions
from autograder.isolation.sandbox import isolation_available

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not isolation_available(), reason="bubblewrap is not installed: isolation is off")]

ASSIGNMENT = "02-validation"
NOTEBOOK = "validation.ipynb"
SUBMISSION_SECONDS = 30


def _pids_with(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return [pid for pid in found if pid != os.getpid()]


def test_an_over_time_submission_with_an_escaped_process_cannot_stall_the_class(tmp_path):
    course = tmp_path / "course"
    copy_course(course, [ASSIGNMENT])
    write_sample_submissions(course, [ASSIGNMENT])
    shutil.rmtree(course / "submitted" / "demo-mistaken")
    marker = f"orphan-marker-{uuid.uuid4().hex}"
    folder = course / "submitted" / "aaa-orphan" / ASSIGNMENT
    shutil.copytree(course / "submitted" / BLANK / ASSIGNMENT, folder)
    nb = nbformat.read(folder / NOTEBOOK, as_version=4)
    escape = ("import subprocess, sys\n"
              f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(900)', {marker!r}],\n"
              "                 start_new_session=True)\n")
    # grading runs the answer cells (not cells a student adds): each sleeps, 45 s in all
    answers = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert len(answers) >= 5
    for n, cell in enumerate(answers):
        cell.source = (escape if n == 0 else "") + "import time\ntime.sleep(9)\n" + cell.source
    nbformat.write(nb, folder / NOTEBOOK)

    env = {**os.environ, "COURSE_SUBMISSION_SECONDS": str(SUBMISSION_SECONDS), "COURSE_CELL_SECONDS": "10",
           "COURSE_CALL_SECONDS": "5", "COURSE_STARTUP_SECONDS": "30"}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT],
                         capture_output=True, text=True, env=env, timeout=900)
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert "exceeded the submission time limit" in rows["aaa-orphan"]["flags"], rows["aaa-orphan"]
    assert float(rows["aaa-orphan"]["score"]) == 0.0
    assert float(rows[REFERENCE]["score"]) == float(rows[REFERENCE]["max_score"]) > 0
    assert list((course / "feedback" / "aaa-orphan" / ASSIGNMENT).glob("*.html"))
    # three students, one of them stopped at its limit: minutes, not the orphan's 900 s
    assert seconds < 4 * SUBMISSION_SECONDS + 200, seconds
    assert _pids_with(marker) == [], "a process the submission started is still running"
