"""Grading one synthetic class on a Dask cluster on this machine (``grade --scheduler``) against
grading it locally (issue 22).

The same class (``autograder.demo.synthetic``, seeded) and course secret, graded three times on
fresh copies of the course with ``python -m autograder grade``:
- locally, ``--workers W`` (W: the number of cores by default);
- over a loopback cluster of one ``dask worker`` process (one thread), then of W processes
  (``autograder.distributed.loopback``: each worker in a folder of its own, unable to read the
  courses where this runs as root). The cluster is started before the timing (as it is when
  workers run next to a hub) and its warm-up is waited for (the first ``grade``'s connection);
  the time to start it is printed apart.
Prints wall times, submissions per minute, the speed-up of W workers over one, the overhead of
the cluster over the local run, and whether the three exports are identical. Asserts nothing.

    .venv/bin/python benchmarks/bench_cluster.py --students 40 --assignment 01-ml-taxonomy
    .venv/bin/python benchmarks/bench_cluster.py --students 6 --assignment 01-ml-taxonomy
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from compare_class import compare, exports, make_course  # noqa: E402

from autograder.demo.course_folder import copy_course  # noqa: E402
from autograder.demo.synthetic import write_synthetic_class  # noqa: E402
from autograder.distributed.loopback import start_cluster  # noqa: E402
from autograder.pipeline.release import list_assignments  # noqa: E402


def grade(course: Path, assignments: list[str], *options: str) -> float:
    """``python -m autograder grade`` on ``course``; wall seconds."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", *assignments,
                           *options], cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    (course.parent / "grade.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"grading failed (exit {done.returncode}); see {course.parent / 'grade.log'}")
    return seconds


def warm(address: str) -> float:
    """Connect once (the workers accept and finish warming up): seconds."""
    from autograder.distributed.client import GradingCluster
    from autograder.isolation import sandbox

    started = time.perf_counter()
    GradingCluster.connect(address, sandbox.limits_from_env()).close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--assignment", action="append", help="default: every assignment")
    args = parser.parse_args()
    assignments = args.assignment or list_assignments(REPO)

    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as scratch:
        root = Path(scratch)
        courses, clusters = root / "courses", root / "clusters"
        copy_course(root / "class", assignments)
        write_synthetic_class(root / "class", args.students, args.seed, assignments)
        secret = secrets.token_hex(32).encode()
        count = sum(1 for _ in (root / "class" / "submitted").glob("*/*"))
        print(f"class: {args.students} students, seed {args.seed}, {count} submissions, {len(assignments)} "
              f"assignment(s); {os.cpu_count()} cores")
        found, seconds = {}, {}
        runs = [("local", 0), ("cluster-1", 1), (f"cluster-{args.workers}", args.workers)]
        for label, processes in runs:
            course = make_course(REPO, courses / label, assignments, root / "class" / "submitted", secret)
            if not processes:
                seconds[label] = grade(course, assignments, "--workers", str(args.workers))
                print(f"{label:10s} {seconds[label]:7.1f} s  {60 * count / seconds[label]:5.1f} submissions/min "
                      f"(--workers {args.workers})", flush=True)
            else:
                started = time.perf_counter()
                cluster = start_cluster(clusters / label, courses, workers=1, worker_processes=processes)
                try:
                    joined = time.perf_counter() - started
                    warmed = warm(cluster.address)
                    seconds[label] = grade(course, assignments, "--scheduler", cluster.address)
                finally:
                    cluster.stop()
                print(f"{label:10s} {seconds[label]:7.1f} s  {60 * count / seconds[label]:5.1f} submissions/min "
                      f"({processes} worker process(es); started in {joined:.1f} s, warmed up in {warmed:.1f} s)",
                      flush=True)
            found[label] = exports(course)
        many = f"cluster-{args.workers}"
        print(f"speed-up of {args.workers} worker processes over 1: {seconds['cluster-1'] / seconds[many]:.2f}x")
        print(f"cluster ({args.workers}) over local --workers {args.workers}: "
              f"{100 * (seconds[many] / seconds['local'] - 1):+.1f} %")
        differing = sum(compare(found["local"], found[label]) for label, _ in runs[1:])
        print("identical exports" if not differing else f"{differing} file(s) differ")


if __name__ == "__main__":
    main()
