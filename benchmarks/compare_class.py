"""Grade one synthetic class with two checkouts of the course and compare what they export.

For a change that must not change behaviour (a refactoring): the same class (``autograder.demo.
synthetic``, seeded, written once and copied), the same course secret (so the same hidden inputs),
each checkout's own ``source/``, ``release/`` and grader, run one after the other on this machine.
Prints, per checkout, the wall time of ``grade`` (submissions per minute), then what differs:

- ``grades.csv`` and the other CSV exports, line by line;
- the grading records (``read_records``: the file and its log), without the fields that hold times, digests or paths;
- the feedback pages, with their dates masked (one sha256 each; the differing pages are listed).

A timing from one pair of runs is one sample: run it twice (``--repeat``) before calling a change
slower. Prints figures; asserts nothing. Examples:

    .venv/bin/python benchmarks/compare_class.py --before /path/to/old/checkout
    .venv/bin/python benchmarks/compare_class.py --before ../old --students 10 --assignment 02-validation

A checkout's Python is its ``.venv/bin/python`` when it has one (else this one). Make an old
checkout with ``git worktree add /tmp/old <rev>`` and ``cp -a .venv /tmp/old/`` (then
``/tmp/old/.venv/bin/python -m pip install --no-deps -e /tmp/old``).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import secrets
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
from autograder.pipeline.records import read_records  # noqa: E402
from autograder.pipeline.release import list_assignments  # noqa: E402

VOLATILE_KEY = re.compile(r"second|time|when|digest|inputs|submission|graded_at")
DATE = re.compile(r"\d{4}-\d\d-\d\d[ T][\d:.+]+")


def python_of(checkout: Path) -> str:
    venv = checkout / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def make_course(checkout: Path, folder: Path, assignments: list[str], submitted: Path, secret: bytes) -> Path:
    """A course directory with ``checkout``'s assignments, the class's submissions and the secret."""
    course = folder / "course"
    copy_course(course, assignments, checkout=checkout)
    shutil.copytree(submitted, course / "submitted")
    (course / ".grading_secret").write_bytes(secret)
    return course


def grade(checkout: Path, course: Path, assignments: list[str], workers: int) -> float:
    """``python -m autograder grade`` with ``checkout``'s grader; wall seconds."""
    started = time.perf_counter()
    done = subprocess.run([python_of(checkout), "-m", "autograder", "--course-dir", str(course), "grade",
                           *assignments, "--workers", str(workers)], cwd=checkout, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    (course.parent / "grade.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"grading with {checkout} failed (exit {done.returncode}); see {course.parent / 'grade.log'}")
    return seconds


def _stable(value):
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if not VOLATILE_KEY.search(k)}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def exports(course: Path) -> dict[str, dict[str, str]]:
    """What a run leaves that must not change: CSV texts, stable records, feedback page digests."""
    csv = {str(p.relative_to(course)): p.read_text() for p in sorted(course.rglob("*.csv"))}
    records = {"records": json.dumps(_stable(read_records(course)), indent=1, sort_keys=True)}
    feedback = {str(p.relative_to(course)): hashlib.sha256(DATE.sub("<time>", p.read_text(errors="replace")).encode())
                .hexdigest() for p in sorted((course / "feedback").rglob("*.html"))}
    return {"csv": csv, "records": records, "feedback": feedback}


def compare(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> int:
    """Print what differs; the number of differing files."""
    differing = 0
    for kind in ("csv", "records", "feedback"):
        names = sorted(set(before[kind]) | set(after[kind]))
        changed = [n for n in names if before[kind].get(n) != after[kind].get(n)]
        differing += len(changed)
        print(f"{kind:9s} {len(names) - len(changed):4d} identical, {len(changed):3d} different")
        for name in changed[:10]:
            print(f"  differs: {name}")
            if kind != "feedback" and name in before[kind] and name in after[kind]:
                diff = difflib.unified_diff(before[kind][name].splitlines(), after[kind][name].splitlines(),
                                            "before", "after", lineterm="", n=0)
                for line in list(diff)[2:14]:
                    print("    " + line)
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the other checkout (the baseline)")
    parser.add_argument("--after", type=Path, default=REPO, help="default: this checkout")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignment", action="append", help="default: every assignment")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (timings only; exports of the first)")
    parser.add_argument("--keep", type=Path, help="keep the courses here (default: a temporary folder)")
    args = parser.parse_args()
    checkouts = {"before": args.before.resolve(), "after": args.after.resolve()}
    assignments = args.assignment or list_assignments(REPO)

    with tempfile.TemporaryDirectory(prefix="compare-class-") as scratch:
        root = args.keep.resolve() if args.keep else Path(scratch)
        shutil.rmtree(root / "class", ignore_errors=True)
        copy_course(root / "class", assignments)  # the class is written from this checkout's notebooks
        write_synthetic_class(root / "class", args.students, args.seed, assignments)
        secret = secrets.token_hex(32).encode()
        count = sum(1 for _ in (root / "class" / "submitted").glob("*/*"))
        print(f"class: {args.students} students, seed {args.seed}, {count} submissions, "
              f"{len(assignments)} assignment(s), --workers {args.workers}")
        found: dict[str, dict] = {}
        for run in range(args.repeat):
            for label, checkout in checkouts.items():
                folder = root / f"{label}-{run}"
                shutil.rmtree(folder, ignore_errors=True)
                course = make_course(checkout, folder, assignments, root / "class" / "submitted", secret)
                seconds = grade(checkout, course, assignments, args.workers)
                print(f"{label:6s} run {run + 1}: {seconds:7.1f} s, {60 * count / seconds:5.1f} submissions/min "
                      f"({checkout})")
                found.setdefault(label, exports(course))
        differing = compare(found["before"], found["after"])
        print("identical exports" if not differing else f"{differing} file(s) differ")


if __name__ == "__main__":
    main()
