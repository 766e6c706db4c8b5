"""The reproduction command writes one row per claim; the fast versions run here."""

from __future__ import annotations

import csv
import importlib
import json
import re
import subprocess
import sys

import pytest

from course import claims


def test_every_registered_claim_points_at_a_function_named_for_what_it_measures():
    for statement, target in claims.REGISTRY.values():
        module, _, function = target.partition(":")
        assert statement and module.startswith("course.")
        assert callable(getattr(importlib.import_module(module), function))
        # the number is the registry's key (data); the name says what is measured, not which claim
        assert function.endswith("_claim") and not re.search(r"claim_?\d", function)


def test_every_named_experiment_points_at_a_function():
    for name, (statement, target) in claims.EXPERIMENTS.items():
        module, _, function = target.partition(":")
        assert statement and not name.isdigit() and module.startswith("course.") and function.startswith("measure_")
        assert callable(getattr(importlib.import_module(module), function))


def test_claims_and_experiments_are_keyed_and_ordered():
    assert claims.claim_key("18") == 18 and claims.claim_key("augmentation") == "augmentation"
    assert sorted(["augmentation", 18, 3], key=claims.table_order) == [3, 18, "augmentation"]
    results = {"augmentation": _result("augmentation", False, gain_mean=0.0624, gain_min=-0.0213, gain_max=0.131)}
    text = "a gain of <!--claim augmentation gain-->0.062 (-0.021-0.131) <!--claim augmentation held-->did not hold"
    assert claims.check_quoted_figures(text, results) == []
    assert claims.check_quoted_figures(text.replace("did not", "does"), results)


def test_unknown_claim_is_a_clear_error():
    with pytest.raises(ValueError, match="no experiment registered for claim 99"):
        claims.measure(99)


def test_reproduce_command_fast_writes_csv_and_markdown(tmp_path):
    # The command's plumbing, on the quick claims; each claim's own fast run is tested with its
    # chapter's module (tests/course/ and tests/autograder/checks/), so the slow ones are not trained twice.
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
    result = claims.measure(11, seeds=(0, 1, 2, 3, 4), fast=True)
    assert result.held, result.summary
    assert result.figures["kfold_std_max"] < result.figures["holdout_std_min"]
    assert result.figures["ratio_min"] >= 2


def test_fewer_than_five_seeds_is_refused():
    with pytest.raises(SystemExit):
        claims.main(["--seeds", "0", "1", "2", "3"])


def _result(number: int, held: bool, **figures: float) -> claims.ClaimResult:
    return claims.ClaimResult(number, "a statement", held, figures, [0, 1, 2, 3, 4])


def test_quoted_figures_agree_or_are_named():
    results = {3: _result(3, True, l2_final_val_ce_mean=0.48412, l2_final_val_ce_min=0.4291,
                          l2_final_val_ce_max=0.5322, best_factor=0.001),
               5: _result(5, False)}
    good = ("L2 ends at <!--claim 3 l2_final_val_ce-->0.484 (0.429-0.532), best at <!--claim 3 best_factor-->0.001; "
            "claim 3 <!--claim 3 held-->**held**, claim 5 <!--claim 5 held-->did not hold.")
    assert claims.check_quoted_figures(good, results) == []
    bad = ("<!--claim 3 l2_final_val_ce-->0.48 (0.43-0.54) <!--claim 3 l2_final_val_ce-->0.48 "
           "<!--claim 3 best_factor-->0.01 <!--claim 5 held-->held <!--claim 4 held-->held "
           "<!--claim 3 missing_key-->1.0")
    problems = claims.check_quoted_figures(bad, results)
    assert len(problems) == 6, problems
    assert any("0.5322" in p for p in problems) and any("'mean (min-max)'" in p for p in problems)
    assert any("not in the table" in p for p in problems) and any("no figure 'missing_key'" in p for p in problems)


def test_the_chapters_quote_the_published_table():
    from pathlib import Path

    results = claims.read_results()
    texts = claims.notebook_markdown(sorted(Path("source").glob("*/*.ipynb")))
    problems = [p for path, text in texts.items() for p in claims.check_quoted_figures(text, results, f"{path}: ")]
    assert not problems, "\n".join(problems)
    assert sum(text.count("<!--claim") for text in texts.values()) >= 20  # the chapters do quote the table


def test_the_published_table_measures_every_claim_over_five_seeds():
    results = claims.read_results()
    assert sorted(results, key=claims.table_order) == [*sorted(claims.REGISTRY), *claims.EXPERIMENTS]
    assert all(len(r.seeds) >= claims.MIN_SEEDS for r in results.values())


def test_fill_rewrites_figures_keeping_their_decimals_but_never_a_verdict():
    results = {3: _result(3, True, l2_final_val_ce_mean=0.48412, l2_final_val_ce_min=0.4291,
                          l2_final_val_ce_max=0.5322, best_factor=0.001)}
    text = ("L2: <!--claim 3 l2_final_val_ce-->**0.000 (0.000-0.000)** and <!--claim 3 best_factor-->0.0000, "
            "<!--claim 3 held-->did not hold <!--claim 3 nothing-->7")
    filled = claims.fill_quoted_figures(text, results)
    assert filled == ("L2: <!--claim 3 l2_final_val_ce-->**0.484 (0.429-0.532)** and <!--claim 3 best_factor-->0.0010, "
                      "<!--claim 3 held-->did not hold <!--claim 3 nothing-->7")
    problems = claims.check_quoted_figures(filled, results)
    assert len(problems) == 2 and "did not hold" in problems[0] and "no figure 'nothing'" in problems[1]


def test_the_table_reads_back_whole_so_a_partial_rerun_keeps_the_other_rows(tmp_path):
    rows = [claims.ClaimResult(3, "a statement", True, {"x_mean": 0.5}, [0, 1, 2, 3, 4], "x 0.500 (0.4-0.6)", 1.0),
            claims.ClaimResult("augmentation", "another", False, {"y": 2.0}, [0, 1, 2, 3, 4], "y 2", 3.0)]
    claims.write_results(rows, tmp_path)
    again = claims.read_results(tmp_path / "claims.csv")
    assert list(again) == [3, "augmentation"]
    assert [(r.summary, r.held, r.figures) for r in again.values()] == [(r.summary, r.held, r.figures) for r in rows]
