"""Wall time of each grading-pipeline step on a scratch copy of the course (prints figures).

Steps: release generation, grading one submission (plain nbgrader autograde, then the whole
trusted pipeline with isolation on and off), feedback, export, and each chapter notebook under
nbval in fast mode. Run with `make bench`; nothing here asserts.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.demo.samples import REFERENCE, write_sample_submissions  # noqa: E402
from autograder.pipeline.gradebook import ensure_students, register_assignment  # noqa: E402
from autograder.pipeline.nbgrader_run import nbgrader  # noqa: E402
from autograder.pipeline.release import generate_release, list_assignments  # noqa: E402


def timed(label: str, action, *args, **kwargs) -> float:
    """Run ``action(*args, **kwargs)`` once; print and return its wall time."""
    start = time.perf_counter()
    action(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label:<46} {seconds:7.1f} s", flush=True)
    return seconds


def grade_one(course: Path, assignment: str, isolation: str) -> None:
    """``python -m autograder grade`` for the reference student, without feedback."""
    env = {**os.environ, "COURSE_SANDBOX": isolation}
    subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", assignment,
                    f"--student={REFERENCE}", "--no-feedback", "--force", "--workers", "1"], cwd=REPO, env=env,
                   check=True,
                   capture_output=True)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", help="repeatable; default: every assignment")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        shutil.copytree(REPO / "source", course / "source")
        shutil.copy(REPO / "nbgrader_config.py", course)
        timed("release generation (all chapters)", lambda: generate_release(course))
        for assignment in args.assignment or list_assignments(course):
            print(f"{assignment}:")
            write_sample_submissions(course, [assignment])
            timed("register assignment in gradebook", register_assignment, course, assignment)
            ensure_students(course, [REFERENCE])
            timed("autograde one submission (reference)", nbgrader,
                  "autograde", assignment, f"--student={REFERENCE}", "--force", course_dir=course)
            on = timed("grade one submission, trusted, isolation on", grade_one, course, assignment, "on")
            off = timed("grade one submission, trusted, isolation off", grade_one, course, assignment, "off")
            print(f"  {'isolation cost (on / off)':<46} {on / off:7.2f} x", flush=True)
            timed("generate_feedback (one submission)", nbgrader,
                  "generate_feedback", assignment, f"--student={REFERENCE}", "--force", course_dir=course)
            timed("export grades", nbgrader, "export", f"--to={course / 'grades.csv'}", course_dir=course)
            notebook = next((REPO / "source" / assignment).glob("*.ipynb"))
            env = {**os.environ, "COURSE_FAST": "1"}
            timed("chapter notebook under nbval (fast mode)", subprocess.run,
                  [sys.executable, "-m", "pytest", str(notebook), "-q"],
                  cwd=REPO, env=env, check=True, capture_output=True)

if __name__ == "__main__":
    main()
