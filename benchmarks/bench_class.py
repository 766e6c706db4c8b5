"""Grading a synthetic class: throughput with 1 and with 2 workers, and the plain-execution floor.

On fresh copies of the course:
- one student (the reference answers) on every chosen assignment: ``grade --all`` wall time on a
  fresh gradebook (which registers the assignments first) and again with them registered
  (``--force``), with the default workers (the number of cores);
- for a synthetic class (``autograder.demo.synthetic``, seeded): ``grade --all`` with ``--workers 1``
  and with ``--workers 2`` (wall time, submissions per minute, speed-up);
- optionally the same with a PostgreSQL gradebook (``--db-url``);
- the floor: the same notebooks executed whole, once, with nbclient in a plain kernel (no
  sandbox, no checks, fast mode as under nbgrader) in one process; the ratio of grading with
  one worker to it (for the one student; for the class too with ``--class-floor``).
Prints figures; asserts nothing. Examples:

    .venv/bin/python benchmarks/bench_class.py --students 40              # all assignments
    .venv/bin/python benchmarks/bench_class.py --students 10 --assignment 02-validation
    .venv/bin/python benchmarks/bench_class.py --students 40 --workers 2 --skip-one-student
"""

from __future__ import annotations

import argparse
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

from autograder.demo.course_folder import copy_course  # noqa: E402
from autograder.demo.synthetic import write_synthetic_class  # noqa: E402
from autograder.pipeline.release import list_assignments  # noqa: E402


def make_course(root: Path, students: int, seed: int, assignments: list[str]) -> Path:
    course = root / "course"
    copy_course(course, assignments)
    write_synthetic_class(course, students, seed, assignments)
    return course


def grade(course: Path, assignments: list[str], workers: int | None, env: dict, *extra: str) -> float:
    """``python -m autograder grade`` on every chosen assignment in one command; wall seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", *assignments,
                    *(["--workers", str(workers)] if workers else []), *extra],
                   env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def plain_execution(course: Path, assignments: list[str]) -> tuple[float, int]:
    """Execute every readable submitted notebook once with nbclient (python3 kernel, fast mode)."""
    import nbformat
    from nbclient import NotebookClient

    started, count = time.perf_counter(), 0
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # the notebooks' fast mode, as when graded
    try:
        for path in sorted(course.glob("submitted/*/*/*.ipynb")):
            if path.parent.name not in assignments:
                continue
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception:  # noqa: BLE001, S112 - broken notebooks are not executed by grading either
                continue
            client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                    resources={"metadata": {"path": str(path.parent)}})
            client.execute()
            count += 1
    finally:
        os.environ.pop("NBGRADER_EXECUTION", None)
    return time.perf_counter() - started, count


def one_student(root: Path, assignments: list[str], env: dict) -> None:
    """The reference student on every chosen assignment: cold (fresh gradebook) and registered."""
    from autograder.demo.samples import write_sample_submissions

    course = root / "one"
    copy_course(course, assignments)
    write_sample_submissions(course, assignments)
    for folder in (course / "submitted").iterdir():
        if folder.name != "demo-reference":
            shutil.rmtree(folder)
    cold = grade(course, assignments, None, env)
    warm = grade(course, assignments, None, env, "--force")
    serial = grade(course, assignments, 1, env, "--force")
    print(f"  one student, {len(assignments)} assignment(s), `grade` wall time: {cold:6.1f} s on a fresh gradebook "
          f"({os.cpu_count()} workers); with the assignments registered: {warm:6.1f} s ({os.cpu_count()} workers), "
          f"{serial:6.1f} s (1 worker)", flush=True)
    floor, executed = plain_execution(course, assignments)
    print(f"  the same {executed} notebooks, whole, with plain nbclient in 1 process: {floor:6.1f} s; "
          f"grading (1 worker) / plain execution: {serial / floor:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--assignment", action="append", help="repeatable; default: every assignment")
    parser.add_argument("--db-url", help="also grade with this (PostgreSQL) gradebook")
    parser.add_argument("--workers", type=int, action="append",
                        help="repeatable; the class is graded with each (default: 1 and 2)")
    parser.add_argument("--skip-one-student", action="store_true", help="only the class runs")
    parser.add_argument("--class-floor", action="store_true",
                        help="also execute every notebook of the class with plain nbclient (long)")
    args = parser.parse_args()
    assignments = args.assignment or list_assignments(REPO)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d')}")
    print(f"class: {args.students} synthetic students (seed {args.seed}), assignments: {', '.join(assignments)}")
    env = {key: value for key, value in os.environ.items() if key != "COURSE_DB_URL"}
    if not args.skip_one_student:
        with tempfile.TemporaryDirectory() as tmp:
            one_student(Path(tmp), assignments, env)
    if args.students <= 0:
        return
    runs = [("sqlite", workers, env) for workers in args.workers or [1, 2]]
    if args.db_url:
        runs.append(("postgresql", 2, {**env, "COURSE_DB_URL": args.db_url}))
    seconds = {}
    for database, workers, run_env in runs:
        with tempfile.TemporaryDirectory() as tmp:
            course = make_course(Path(tmp), args.students, args.seed, assignments)
            submissions = sum(1 for _ in course.glob("submitted/*/*/*.ipynb"))
            took = grade(course, assignments, workers, run_env)
            seconds[(database, workers)] = took
            print(f"  grade, {database:<10} {workers} worker(s): {took:8.1f} s for {submissions} submissions "
                  f"({60 * submissions / took:5.1f} per minute)", flush=True)
            if (database, workers) == ("sqlite", 1) and args.class_floor:
                floor, executed = plain_execution(course, assignments)
                print(f"  plain nbclient execution, 1 process: {floor:8.1f} s for {executed} notebooks", flush=True)
                seconds["floor"] = floor
    if ("sqlite", 1) in seconds and ("sqlite", 2) in seconds:
        print(f"  speed-up with 2 workers: {seconds[('sqlite', 1)] / seconds[('sqlite', 2)]:.2f} x")
    if "floor" in seconds:
        print(f"  grading / plain execution (1 worker): {seconds[('sqlite', 1)] / seconds['floor']:.2f}")
    if ("postgresql", 2) in seconds:
        print(f"  PostgreSQL / SQLite (2 workers): {seconds[('postgresql', 2)] / seconds[('sqlite', 2)]:.2f}")


if __name__ == "__main__":
    main()
