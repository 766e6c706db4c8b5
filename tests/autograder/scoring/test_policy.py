"""The scoring policy (autograder.scoring.policy): points of a visible example are withheld unless the
hidden cell that runs the same check passes."""

from __future__ import annotations

from autograder.scoring import policy
from autograder.scoring.job import CellResult, GradingJob, TrustedReport


def test_visible_points_need_a_passing_hidden_check():
    cells = [CellResult("test_f_visible", 1, True), CellResult("test_f_hidden", 2, False),
             CellResult("test_g_visible", 1, True), CellResult("test_g_hidden", 2, True)]
    report = TrustedReport(cells=cells)
    job = GradingJob(setup="", answer_cells=[], functions=["f", "g"], answer_ids=["f", "g"], test_cells=[
        {"grade_id": "test_f_visible", "source": "x"},
        {"grade_id": "test_f_hidden", "source": "### BEGIN HIDDEN TESTS"},
        {"grade_id": "test_g_visible", "source": "x"},
        {"grade_id": "test_g_hidden", "source": "### BEGIN HIDDEN TESTS"}])
    policy.withhold_example_only_passes(report, job)
    assert [c.passed for c in report.cells] == [False, False, True, True]
    assert report.flags == ["f passes published examples that fail on hidden inputs (points withheld)"]


def test_a_visible_check_needs_the_hidden_cell_that_runs_the_same_check():
    """A cheap hidden property passing does not unlock an example hard-coded for another check."""
    cells = [CellResult("test_f_example", 1, True), CellResult("test_f_hidden_oracle", 2, False),
             CellResult("test_f_hidden_errors", 1, True), CellResult("test_f_plain", 1, True)]
    hidden = "### BEGIN HIDDEN TESTS\n{}\n### END HIDDEN TESTS"
    job = GradingJob(setup="", answer_cells=[], functions=["f"], answer_ids=["f"], test_cells=[
        {"grade_id": "test_f_example", "source": "checks.check_matches_oracle(f, 10, 3)"},
        {"grade_id": "test_f_hidden_oracle", "source": hidden.format("checks.check_matches_oracle(f, 99, 7)")},
        {"grade_id": "test_f_hidden_errors", "source": hidden.format("checks.check_rejects_bad_k(f)")},
        {"grade_id": "test_f_plain", "source": "assert f(1) == 1"}])
    report = TrustedReport(cells=cells)
    policy.withhold_example_only_passes(report, job)
    assert [c.passed for c in report.cells] == [False, False, True, True]
    assert "check_matches_oracle" in report.cells[0].message


def test_a_cell_runs_the_checks_its_checks_call():
    called = policy.checks_called("### BEGIN HIDDEN TESTS\nchecks.check_penalty_on_random_inputs(f, 'l1')\n"
                                   "### END HIDDEN TESTS")
    assert {"check_penalty_on_random_inputs", "check_l1_penalty"} <= called
    assert policy.checks_called("print('no checks')") == set()


def test_a_fixed_case_inside_another_check_does_not_confirm_a_visible_example():
    called = policy.checks_called("### BEGIN HIDDEN TESTS\nchecks.check_k_fold_rejects_bad_k(k_fold_indices)\n"
                                   "### END HIDDEN TESTS")
    assert "check_k_fold_matches_sklearn" not in called


