"""The scoring policy on top of the test cells' verdicts: points withheld for a broken exercise rule
and for published examples that only pass when hard-coded (a visible cell scores only if a hidden
cell running the same check passes; the check call graph says which checks run which).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import asdict
from pathlib import Path

from autograder.scoring import rule_judge
from autograder.scoring.hidden_tests import (
    has_hidden_part,
    runnable_source,
)
from autograder.scoring.job import GradingJob, TrustedReport


def apply_rules(report: TrustedReport, violations: list[rule_judge.RuleViolation],
                mode: str = rule_judge.WITHHOLD) -> None:
    """Flag each graded function that breaks its exercise rule and, unless the course keeps the
    points (``mode`` :data:`rule_judge.FLAG`), fail its test cells with a message naming the rule and line."""
    report.violations = [asdict(v) for v in violations]
    for function, found in rule_judge.by_function(violations).items():
        if mode == rule_judge.FLAG:
            report.flags.append(f"{rule_judge.summary(found)} (flagged only: the course keeps the points)")
            continue
        report.flags.append(f"{rule_judge.summary(found)} (points withheld)")
        rule_judge.withhold_points(report.cells, function, found)


def _check_calls(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name.startswith("check_"):
                names.add(name)
    return names


@functools.cache
def _check_call_graph() -> dict[str, frozenset[str]]:
    """Random-input check -> the checks it runs on its drawn inputs, over :mod:`autograder.checks`.

    Only checks driven by a ``seeds`` argument count (``check_penalty_on_random_inputs`` runs
    ``check_l1_penalty`` on new inputs); a check that calls another on one fixed case (say, an
    error check trying leave-one-out) does not confirm that other check.
    """
    from autograder import checks

    graph: dict[str, set[str]] = {}
    for path in sorted(Path(checks.__file__).parent.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("check_") and \
                    "seeds" in [a.arg for a in node.args.args + node.args.kwonlyargs]:
                graph.setdefault(node.name, set()).update(_check_calls(node) - {node.name})
    return {name: frozenset(called) for name, called in graph.items()}


def checks_called(source: str) -> set[str]:
    """The check functions a test cell runs on new inputs: those it calls (``checks.check_x(...)``)
    and those its random-input checks run (see :func:`_check_call_graph`)."""
    try:
        tree = ast.parse(runnable_source(source))
    except SyntaxError:
        return set()
    graph = _check_call_graph()
    names, todo = set(), list(_check_calls(tree))
    while todo:
        name = todo.pop()
        if name not in names:
            names.add(name)
            todo += graph.get(name, ())
    return names


def withhold_example_only_passes(report: TrustedReport, job: GradingJob) -> None:
    """A visible cell scores only if a hidden cell of the same answer running the same check passes.

    The visible examples are public, so answers hard-coded for them would pass. Each check a
    visible cell calls must also pass in a hidden cell, on inputs the student never saw (any
    hidden cell of the answer, when no hidden cell calls that check).
    """
    answers = list(job.answer_ids) or list(job.functions)
    sources = {t["grade_id"]: t["source"] for t in job.test_cells}
    hidden = {grade_id: has_hidden_part(source) for grade_id, source in sources.items()}
    for answer in answers:
        group = [c for c in report.cells if c.grade_id.startswith(f"test_{answer}_")]
        hidden_cells = [c for c in group if hidden.get(c.grade_id)]
        if not hidden_cells:
            continue
        withheld = False
        for cell in [c for c in group if not hidden.get(c.grade_id) and c.passed]:
            unconfirmed = []
            for check in sorted(checks_called(sources[cell.grade_id])) or [""]:
                same = [h for h in hidden_cells if check and check in checks_called(sources[h.grade_id])]
                if not any(h.passed for h in (same or hidden_cells)):
                    unconfirmed.append(check or "its checks")
            if unconfirmed:
                cell.passed = False
                cell.message = (f"withheld: {answer} passes the published example, but fails the hidden "
                                f"checks on new inputs that run the same test ({', '.join(unconfirmed)})")
                withheld = True
        if withheld:
            report.flags.append(f"{answer} passes published examples that fail on hidden inputs (points withheld)")
