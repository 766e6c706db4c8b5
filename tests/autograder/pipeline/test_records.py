"""Grading records (autograder.pipeline.records): a submission's digest, the records log and its compaction."""

from __future__ import annotations

import json
import os
from pathlib import Path

from autograder.pipeline.records import submission_digest


def test_a_submission_folder_never_stops_the_class_digest(tmp_path):
    """Check that undecodable names and a huge sparse file are digested, stably, without reading them whole."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "validation.ipynb").write_text("{}")
    with open(os.path.join(os.fsencode(folder), b"\xff\xfe-name.txt"), "wb") as handle:
        handle.write(b"x")
    with open(folder / "sparse.bin", "wb") as handle:
        handle.truncate(64 * 2**30)
    first = submission_digest(folder)
    assert first == submission_digest(folder) and len(first) == 64
    (folder / "validation.ipynb").write_text("{ }")
    assert submission_digest(folder) != first


def _result(student: str, score: float):
    from autograder.pipeline.results import StudentResult
    from autograder.scoring.job import CellResult

    return StudentResult(student, "02-validation", score=score, max_score=22.0, graded=True,
                         cells=[CellResult("test_a", 1.0, True)])


def test_records_are_appended_then_folded_into_the_records_file(tmp_path):
    """Check that a record is one appended line, the last record of a submission wins, a line cut short is
    skipped, and compaction leaves the same records in the records file alone."""
    from autograder.layout import CourseLayout
    from autograder.pipeline.records import compact_records, read_records, write_record

    layout = CourseLayout(tmp_path)
    write_record(tmp_path, _result("ada", 3.0), "digest-1", "inputs")
    write_record(tmp_path, _result("bob", 5.0), "digest-2", "inputs")
    assert not layout.records().exists() and len(layout.records_log().read_text().splitlines()) == 2
    write_record(tmp_path, _result("ada", 4.0), "digest-3", "inputs")
    with open(layout.records_log(), "a") as log:
        log.write('{"assignment": "02-validation", "student": "cy", "rec')  # a writer killed mid-line
    records = read_records(tmp_path)
    assert {s: r["score"] for s, r in records["02-validation"].items()} == {"ada": 4.0, "bob": 5.0}
    assert records["02-validation"]["ada"]["submission"] == "digest-3"
    compact_records(tmp_path)
    assert not layout.records_log().exists() and read_records(tmp_path) == records
    write_record(tmp_path, _result("bob", 6.0), "digest-4", "inputs")
    assert read_records(tmp_path)["02-validation"]["bob"]["score"] == 6.0
    assert json.loads(layout.records().read_text())["02-validation"]["bob"]["score"] == 5.0


def _write_many(course: str, prefix: str, count: int) -> None:
    from autograder.pipeline.records import write_record

    for n in range(count):
        write_record(Path(course), _result(f"{prefix}{n:03d}", float(n)), f"d{n}", "inputs")


def test_graders_writing_and_compacting_at_once_lose_no_record(tmp_path):
    """Check that two processes appending 60 records each while a third compacts lose none."""
    import concurrent.futures
    import multiprocessing

    from autograder.pipeline.records import compact_records, read_records

    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        writers = [pool.submit(_write_many, str(tmp_path), prefix, 60) for prefix in ("a", "b")]
        while not all(w.done() for w in writers):
            compact_records(tmp_path)
        for writer in writers:
            writer.result()
    compact_records(tmp_path)
    assert len(read_records(tmp_path)["02-validation"]) == 120
