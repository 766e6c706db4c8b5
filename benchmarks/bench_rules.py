"""The time the exercise rules add to grading one submission (prints figures; nothing here asserts).

For each chapter, the reference submission (the source's solutions) is graded by the chapter's
trusted checks in one sandboxed function server, in rounds that alternate between the rules on (the
run-time recorder watches every call of a function with a rule) and off, on the same hidden inputs.
The static part is timed on its own: reading the answer cells as code (intake) and judging what
was read and recorded (the trusted process). Run with `make bench`, or
``.venv/bin/python benchmarks/bench_rules.py --rounds 3 [--assignment 02-validation ...]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import checks  # noqa: E402
from autograder.demo.samples import answer_cells, reference_notebook  # noqa: E402
from autograder.isolation import sandbox  # noqa: E402
from autograder.pipeline.release import list_assignments  # noqa: E402
from autograder.scoring import function_client, intake, rule_judge, rule_reader, rules, trusted  # noqa: E402

GRADING_KEY = "00" * 32  # the same hidden inputs in every round


def _median_ms(action, repeats: int = 20) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def bench(assignment: str, rounds: int) -> None:
    source_path = next((REPO / "source" / assignment).glob("*.ipynb"))
    spec = intake.read_source(source_path)
    ruled = {name for name, rule in spec.rules.items() if rule.restricts}
    print(f"{assignment}: {len(ruled)} of {len(spec.rules)} graded functions have a rule that restricts", flush=True)
    if not ruled:
        return
    reference = reference_notebook(nbformat.read(source_path, as_version=4),
                                   nbformat.read(REPO / "release" / assignment / source_path.name, as_version=4))
    cells = [(grade_id, cell.source) for grade_id, cell in answer_cells(reference).items()]
    watch = rules.watch_prefixes(spec.rules)  # imports the forbidden names once, as the trusted process does
    reading = _median_ms(lambda: rule_reader.read_code(cells, spec.setup))
    code = rule_reader.read_code(cells, spec.setup)
    judging = _median_ms(lambda: rule_judge.judge(spec.rules, code))
    print(f"  {'read the answer cells as code (intake)':<52} {reading:8.1f} ms", flush=True)
    print(f"  {'judge the rules (trusted process)':<52} {judging:8.1f} ms", flush=True)

    server = function_client.FunctionServer(spec.setup, cells, spec.functions, sandbox.DEFAULT_LIMITS, spec.value_names,
                                    watch=watch, watched_functions=ruled)
    seconds: dict[bool, list[float]] = {True: [], False: []}
    try:
        server.ensure_running()
        for round_number in range(rounds):
            for recording in ((True, False) if round_number % 2 == 0 else (False, True)):
                server.watched_functions = set(ruled) if recording else set()
                server.records.clear()
                start = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    results = trusted.run_test_cells(spec.setup, spec.test_cells, server, spec.functions,
                                                     grading_key=GRADING_KEY)
                seconds[recording].append(time.perf_counter() - start)
                failed = [r.grade_id for r in results if not r.passed]
                if failed:
                    print(f"  (reference failed {failed})", flush=True)
            violations = rule_judge.judge(spec.rules, code, server.records)
            if violations:
                print(f"  (reference flagged: {rule_judge.summary(violations)})", flush=True)
    finally:
        server.close()
        checks.set_grading_key(None)
    on, off = statistics.median(seconds[True]), statistics.median(seconds[False])
    label = f"trusted checks, recorder on (median of {rounds})"
    print(f"  {label:<52} {on:8.2f} s", flush=True)
    print(f"  {'trusted checks, recorder off':<52} {off:8.2f} s", flush=True)
    print(f"  {'run-time recording adds':<52} {on - off:8.2f} s ({100 * (on - off) / off:+.1f} %)", flush=True)
    total = (reading + judging) / 1000 + (on - off)
    print(f"  {'the rules add per submission (static + run time)':<52} {total:8.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", help="repeatable; default: every assignment")
    parser.add_argument("--rounds", type=int, default=3, help="runs of the checks with and without the recorder")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"isolation {'on' if sandbox.isolation_available() else 'off'}", flush=True)
    for assignment in args.assignment or list_assignments(REPO):
        bench(assignment, args.rounds)


if __name__ == "__main__":
    main()
