"""The reproduction command writes one row per claim; the fast versions run here."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from course import claims


def test_every_registered_claim_points_at_a_function():
    for statement, target in claims.REGISTRY.values():
        module, _, function = target.partition(":")
        assert statement and module.startswith("course.") and function.startswith("measure_claim_")


def test_unknown_claim_is_a_clear_error():
    with pytest.raises(ValueError, match="no experiment registered for claim 99"):
        claims.measure(99)


def test_reproduce_command_fast_writes_csv_and_markdown(tmp_path):
    # The command's plumbing, on the quick claims; each claim's own fast run is tested with its
    # chapter's module (tests/test_<chapter>_course.py), so the slow ones are not trained twice.
    quick = [7, 8, 11]
    run = subprocess.run([sys.executable, "-m", "course.claims", "--fast", "--claims", *map(str, quick),
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(tmp_path / "claims.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["number"]) for r in rows] == quick
    for row in rows:
        assert row["held"] in {"yes", "no"} and json.loads(row["figures"])
        assert len(row["seeds"].split()) >= claims.MIN_SEEDS
    markdown = (tmp_path / "claims.md").read_text()
    assert markdown.count("\n| ") == len(rows) + 2  # header, separator, one row per claim


def test_claim_11_holds_in_the_fast_version():
    result = claims.measure(11, seeds=(0, 1, 2), fast=True)
    assert result.held, result.summary
    assert result.figures["holdout_std_mean"] > 2 * result.figures["kfold_std_mean"]


def test_fewer_than_five_seeds_is_refused():
    with pytest.raises(SystemExit):
        claims.main(["--seeds", "0", "1", "2", "3"])
