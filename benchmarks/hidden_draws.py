"""How often the reference solution fails a hidden check under inputs drawn at grading time.

Hidden test cells draw their inputs from a per-submission grading key
(:func:`autograder.checks.hidden_seeds`). A check whose tolerance is too tight for some draws
would fail a correct student at random. This script runs every hidden test cell of every
chapter against the instructor's reference answers (in this process, no sandbox) under many
random keys, and prints the failures per cell. Nothing asserts; run:

    .venv/bin/python benchmarks/hidden_draws.py [--keys 40] [--chapters 02-validation ...]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import secrets
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("COURSE_FAST", "1")

from autograder import checks  # noqa: E402
from autograder.scoring import hidden_tests, intake  # noqa: E402


def reference_namespace(path: Path, spec: intake.SourceSpec) -> dict:
    """The setup cell and the instructor's answer cells, run in one namespace."""
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(spec.setup, "setup", "exec"), namespace)  # noqa: S102 - instructor code
        for label, source in intake.read_submission(path, spec).answer_cells:
            exec(compile(source, label, "exec"), namespace)  # noqa: S102
    return namespace


def run(chapter: str, keys: int) -> tuple[Counter, int, float]:
    path = next((REPO / "source" / chapter).glob("*.ipynb"))
    spec = intake.read_source(path)
    namespace = reference_namespace(path, spec)
    hidden = [c for c in spec.test_cells if hidden_tests.has_hidden_part(c["source"])]
    failures: Counter = Counter()
    started = time.perf_counter()
    for _ in range(keys):
        checks.set_grading_key(secrets.token_bytes(32))
        for cell in hidden:
            try:
                with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(hidden_tests.runnable_source(cell["source"]), cell["grade_id"], "exec"),  # noqa: S102
                         dict(namespace))
            except Exception as error:  # noqa: BLE001 - counted and shown
                failures[cell["grade_id"]] += 1
                print(f"    {cell['grade_id']}: {type(error).__name__}: {str(error)[:300]}", flush=True)
    checks.set_grading_key(None)
    return failures, len(hidden), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=40, help="random grading keys per chapter")
    parser.add_argument("--chapters", nargs="*", default=None)
    args = parser.parse_args()
    chapters = args.chapters or sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    print(f"reference answers against hidden cells, {args.keys} random grading keys per chapter")
    total_runs = total_failures = 0
    for chapter in chapters:
        failures, cells, seconds = run(chapter, args.keys)
        runs = cells * args.keys
        total_runs += runs
        total_failures += sum(failures.values())
        print(f"  {chapter:<26} {cells:2d} hidden cells x {args.keys} keys: {sum(failures.values())} failures "
              f"of {runs} ({seconds:.0f} s)", flush=True)
    print(f"total: {total_failures} failures in {total_runs} hidden-cell runs")


if __name__ == "__main__":
    main()
