"""Reading a submission (autograder.scoring.intake): answers found, tampering flagged, unreadable and
oversized notebooks survived."""

from __future__ import annotations

import json

import nbformat

from autograder.scoring import intake
from tests.paths import REPO

CHAPTER = REPO / "source" / "02-validation" / "validation.ipynb"


def test_intake_finds_answers_and_flags_tampering(tmp_path):
    spec = intake.read_source(CHAPTER)
    nb = nbformat.read(CHAPTER, as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    tests[0].source = "pass"
    nb.cells.remove(tests[1])
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "k_fold_indices")
    del answer.metadata["nbgrader"]
    path = tmp_path / "validation.ipynb"
    nbformat.write(nb, path)
    received = intake.read_submission(path, spec)
    flags = " | ".join(received.flags)
    assert "was edited" in flags and "was deleted" in flags and "lost its metadata" in flags
    assert any(label.startswith("k_fold_indices") for label, _ in received.answer_cells)
    (tmp_path / "numpy.py").write_text("")
    assert any("numpy.py" in f for f in intake.extra_file_flags(tmp_path, "validation.ipynb"))


def test_intake_reports_an_unreadable_notebook(tmp_path):
    path = tmp_path / "validation.ipynb"
    path.write_text('{"cells": [ not json')
    received = intake.read_submission(path, intake.read_source(CHAPTER))
    assert not received.readable and "JSONDecodeError" in received.reason


def test_intake_survives_deeply_nested_and_oversized_notebooks(tmp_path):
    spec = intake.read_source(CHAPTER)
    nested = tmp_path / "nested.ipynb"
    data = json.loads(CHAPTER.read_text())
    text = json.dumps(data)
    nested.write_text(text[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert not intake.read_submission(nested, spec).readable
    big = tmp_path / "big.ipynb"
    nb = nbformat.read(CHAPTER, as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "holdout_split")
    answer.source += "\n_x = (" + "1," * (intake.MAX_ANSWER_CHARS // 2) + ")\n"
    nbformat.write(nb, big)
    received = intake.read_submission(big, spec)
    assert received.readable and "holdout_split" not in dict(received.answer_cells)
    assert any("not run" in flag for flag in received.flags)


