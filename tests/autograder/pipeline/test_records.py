"""Grading records (autograder.pipeline.records): a submission's digest."""

from __future__ import annotations

import os

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
