"""The records at the scale of a large course: writing one record into records that already hold N
(the grading process writes one per finished submission), reading them, and folding the log in.

Two ways of writing are timed on the same records: the records log (one JSON line appended under
the lock: what ``write_record`` does) and rewriting the whole records file under the lock (what it
did before). Records are made like real ones (23 checks with messages, flags). Prints figures;
asserts nothing.

    .venv/bin/python benchmarks/bench_records.py --records 20000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.layout import CourseLayout  # noqa: E402
from autograder.pipeline import json_files  # noqa: E402
from autograder.pipeline.records import compact_records, read_records, write_record  # noqa: E402
from autograder.pipeline.results import StudentResult  # noqa: E402
from autograder.scoring.job import CellResult  # noqa: E402

ASSIGNMENTS = 7


def _result(number: int) -> StudentResult:
    cells = [CellResult(f"test_function_{n}_property", 1.0, n % 3 != 0,
                        "" if n % 3 else "k_fold_indices returned folds of unequal sizes: 34, 33, 33 for n=100, k=3")
             for n in range(23)]
    return StudentResult(f"student-{number // ASSIGNMENTS:05d}", f"{number % ASSIGNMENTS + 1:02d}-chapter",
                         score=15.0, max_score=23.0, graded=True, feedback=True, seconds=4.2, cells=cells,
                         flags=["in-kernel passes not confirmed by the trusted checks (scored 0): test_a"])


def _timed(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-records-") as scratch:
        course = Path(scratch)
        layout = CourseLayout(course)
        started = time.perf_counter()
        for number in range(args.records):
            write_record(course, _result(number), f"digest-{number}", "inputs")
        appended = time.perf_counter() - started
        compact_records(course)
        size = layout.records().stat().st_size
        print(f"{args.records} records, {size / 2**20:.1f} MB; writing them one by one took {appended:.1f} s "
              f"({1000 * appended / args.records:.2f} ms each, the log growing)")
        extra = _result(args.records)
        append = _timed(lambda: write_record(course, extra, "digest-new", "inputs"), args.repeat)
        record = read_records(course)[extra.assignment][extra.student]
        rewrite = _timed(lambda: json_files.update_json(
            layout.records(), lambda records: records.setdefault(extra.assignment, {}).update({extra.student: record})),
            args.repeat)
        read = _timed(lambda: read_records(course), args.repeat)
        compact = _timed(lambda: compact_records(course), 1)
        print(f"one more record, appended to the log:          {1000 * append:8.2f} ms")
        print(f"one more record, the whole file rewritten:     {1000 * rewrite:8.2f} ms")
        print(f"reading every record (file and log):           {1000 * read:8.2f} ms")
        print(f"folding the log into the file:                 {1000 * compact:8.2f} ms")


if __name__ == "__main__":
    main()
