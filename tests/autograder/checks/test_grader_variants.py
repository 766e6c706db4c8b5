"""Independent student implementations are graded right by the chapters' own test cells.

tests/student_variants/<chapter>/ holds implementations written without looking at the
solutions or the checks, with a manifest saying which are correct. Every correct one must get
full marks for its function; every wrong one must lose marks, with a message. The test cells
run in a namespace built by the notebook's own setup cell, as in the kernel, and with a grading
key (one per variant), so hidden cells draw their inputs as they do when a class is graded.

Entries marked ``"sandbox": true`` are graded a second time the way a class is: the function in
the sandboxed function server, the test cells in this process (:mod:`autograder.scoring.trusted`). There
too a correct one gets full marks and a wrong one loses marks; ``"sandbox_points"`` is the exact
score a wrong one must get there (attacks on what the sandbox reports earn 0), ``"points"`` the
exact score in this process.

A variant whose code raises when it runs (an import of something that does not exist) defines
nothing, as an answer cell that raises in a kernel: its test cells fail on the missing name. The
shortcut variants (``*__shortcut_*``) import an implementation from ``course`` or ``autograder``,
by name, renamed, through ``importlib``/``getattr`` or by scanning the packages: none is there to
find (``tests/system/test_no_reachable_reference.py``), so they score nothing.

The exercise rules are judged as at grading time (:mod:`autograder.scoring.rules`): the variant is read as
the answer cell, and its calls are recorded (in this process, or by the sandbox's function server).
Entries with ``"seen"`` break their function's rule: they must be flagged, for ``"rule"`` (the
forbidden name; none for code that hides what it uses), by each way listed (``"reading"`` the code,
``"running"`` it), and lose every point of the function; ``"passes_checks": true`` says the checks
alone would have given them full marks. Every other entry, right or wrong, must raise no flag.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import io
import json
import linecache
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import nbformat
import pytest

from autograder import checks
from autograder.isolation import sandbox
from autograder.scoring import function_client, intake, reach, rule_judge, rule_reader, rules, trusted
from tests.grading_cells import cells_for, grade_cells
from tests.paths import REPO, STUDENT_VARIANTS

matplotlib.use("Agg")

# variants folder -> source assignment
CHAPTERS = {"taxonomy": "01-ml-taxonomy", "validation": "02-validation",
            "preprocessing": "03-preprocessing", "fitting": "04-fitting",
            "regularization": "05-weight-regularization", "dropout": "06-dropout",
            "workflow": "07-workflow", "optimizers": "07-workflow"}


def _notebook(chapter: str) -> Path:
    return next((REPO / "source" / CHAPTERS[chapter]).glob("*.ipynb"))


def _present() -> list[str]:
    return [c for c in CHAPTERS if (STUDENT_VARIANTS / c / "manifest.json").exists()
            and (REPO / "source" / CHAPTERS[c]).is_dir()]


@functools.cache
def _setup_namespace(chapter: str) -> dict:
    """Run the notebook's locked setup cell, as the kernel does before any test cell."""
    nb = nbformat.read(_notebook(chapter), as_version=4)
    setup = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(setup[0].source, "setup", "exec"), namespace)  # noqa: S102 - the course's own setup cell
    return namespace


def _variants(sandboxed: bool = False):
    for chapter in _present():
        for entry in json.loads((STUDENT_VARIANTS / chapter / "manifest.json").read_text()):
            if entry.get("sandbox") or not sandboxed:
                yield pytest.param(chapter, entry, id=f"{chapter}/{entry['file'][:-3]}")


def _grading_key(chapter: str, entry: dict) -> bytes:
    return hashlib.sha256(f"{chapter}/{entry['file']}".encode()).digest()


@functools.cache
def _spec(chapter: str) -> intake.SourceSpec:
    return intake.read_source(_notebook(chapter))


@dataclass
class Graded:
    results: list  # each test cell's verdict, after the rules
    violations: list[rule_judge.RuleViolation]
    checks_passed: bool  # every cell passed before the rules were applied


RECORDER = reach.Recorder()  # one per process, as in a function server (its audit hook stays installed)


def _recorded(function, watch: tuple[str, ...], records: list):
    """``function``, each call recorded as the function server records it."""
    @functools.wraps(function)
    def call(*args, **kwargs):
        report = {}
        try:
            with RECORDER.recording(watch) as report:
                return function(*args, **kwargs)
        finally:
            records.append(rule_judge.decode_record(function.__name__, report))
    return call


def _judged(chapter: str, entry: dict, results: list, records: list, defined: bool) -> Graded:
    """The verdicts after the exercise rules, judged as at grading time."""
    source = (STUDENT_VARIANTS / chapter / entry["file"]).read_text()
    code = rule_reader.read_code([(entry["function"], source)], _spec(chapter).setup)
    violations = rule_judge.judge(_spec(chapter).rules, code, records, defined=[entry["function"]] if defined else [])
    checks_passed = all(r.passed for r in results)
    for function, found in rule_judge.by_function(violations).items():
        rule_judge.withhold_points(results, function, found)
    return Graded(results, violations, checks_passed)


def _grade(chapter: str, entry: dict) -> Graded:
    """The variant run as the answer cell (compiled under its label, as the function server does) and
    graded by the notebook's test cells in this process."""
    function, source = entry["function"], (STUDENT_VARIANTS / chapter / entry["file"]).read_text()
    linecache.cache[function] = (len(source), None, source.splitlines(True), function)  # as IPython keeps a cell
    RECORDER.student_files.add(function)
    watch = rules.watch_prefixes(_spec(chapter).rules)
    records: list = []
    module = {"__name__": "__main__"}
    with RECORDER.recording(watch) as loading:
        try:
            exec(compile(source, function, "exec"), module)  # noqa: S102 - a student variant, as the kernel runs it
        except Exception:  # noqa: BLE001 - the answer cell raises: nothing it defines exists
            module = {}
    records.append(rule_judge.decode_record(None, loading))
    cells = cells_for(_notebook(chapter), function)
    assert cells, f"no test cells for {function} in {CHAPTERS[chapter]}"
    namespace = dict(_setup_namespace(chapter))
    namespace.pop(function, None)
    ruled = _spec(chapter).rules.get(function)
    if function in module:
        namespace[function] = _recorded(module[function], watch, records) if ruled and ruled.restricts \
            else module[function]
    checks.set_grading_key(_grading_key(chapter, entry))
    try:
        return _judged(chapter, entry, grade_cells(cells, namespace), records, function in module)
    finally:
        checks.set_grading_key(None)


def _grade_in_sandbox(chapter: str, entry: dict) -> Graded:
    """Trusted grading of the variant: its source as the answer cell of a sandboxed function server,
    which records what the function reaches."""
    nb = nbformat.read(_notebook(chapter), as_version=4)
    setup = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    cells = [{"grade_id": c.metadata["nbgrader"]["grade_id"], "points": c.metadata["nbgrader"]["points"],
              "source": c.source} for c in cells_for(_notebook(chapter), entry["function"])]
    function = entry["function"]
    ruled = {name for name, rule in _spec(chapter).rules.items() if rule.restricts}
    answer = (STUDENT_VARIANTS / chapter / entry["file"]).read_text()
    server = function_client.FunctionServer(setup, [(function, answer)],
                                    [function], sandbox.DEFAULT_LIMITS,
                                    watch=rules.watch_prefixes(_spec(chapter).rules), watched_functions=ruled)
    try:
        server.ensure_running()
        assert server.defined == [function] or not entry["correct"], server.cell_errors
        results = trusted.run_test_cells(setup, cells, server, [function],
                                         grading_key=_grading_key(chapter, entry).hex())
    finally:
        server.close()
        checks.set_grading_key(None)
    return _judged(chapter, entry, results, server.records, function in server.defined)


def _assert_rules_judged_right(entry: dict, graded: Graded, ways: tuple[str, ...] = ("reading", "running"),
                               where: str = "") -> None:
    found = "\n".join(v.describe() for v in graded.violations)
    if "seen" not in entry:
        assert not graded.violations, f"{entry['file']} breaks no exercise rule, but was flagged{where}:\n{found}"
        return
    assert graded.violations, f"{entry['mistake']}: not flagged{where}"
    if entry.get("rule"):
        assert any(v.rule == entry["rule"] for v in graded.violations), \
            f"{entry['mistake']}: not flagged for `{entry['rule']}`{where}:\n{found}"
    seen = {"reading": rules.READING, "running": rules.RUNNING}
    for way in entry["seen"]:
        if way in ways:
            assert any(v.seen == seen[way] for v in graded.violations), \
                f"{entry['mistake']}: nothing {seen[way]}{where}:\n{found}"
    for result in graded.results:
        assert not result.passed and result.message.startswith("withheld:"), \
            f"{entry['mistake']}: {result.grade_id} kept its points{where}"
    if entry.get("passes_checks"):
        assert graded.checks_passed, f"{entry['mistake']}: expected to pass the checks without the rule{where}"


def _assert_graded_right(entry: dict, results: list, where: str = "") -> None:
    lost = [r for r in results if not r.passed]
    if entry["correct"]:
        assert not lost, f"a correct implementation lost points{where}:\n" + "\n".join(
            f"{r.grade_id}: {r.message}" for r in lost)
    else:
        assert lost, f"a wrong implementation ({entry['mistake']}) got full marks{where}"
        for r in lost:
            assert r.message.strip(), f"{r.grade_id} failed without a message"


@pytest.mark.parametrize("chapter, entry", list(_variants()))
def test_variant_graded_right(chapter, entry):
    graded = _grade(chapter, entry)
    results = graded.results
    _assert_graded_right(entry, results)
    _assert_rules_judged_right(entry, graded)
    if not entry["correct"] and "points" in entry:
        earned = sum(r.points for r in results if r.passed)
        assert earned == entry["points"], (
            f"{entry['mistake']}: {earned:g} points, expected {entry['points']:g}: "
            + "; ".join(f"{r.grade_id} passed" for r in results if r.passed))


@pytest.mark.parametrize("chapter, entry", list(_variants(sandboxed=True)))
def test_variant_graded_right_in_the_sandbox(chapter, entry):
    graded = _grade_in_sandbox(chapter, entry)
    results = graded.results
    _assert_graded_right(entry, results, " in trusted grading")
    _assert_rules_judged_right(entry, graded, where=" in trusted grading")
    if not entry["correct"] and "sandbox_points" in entry:
        earned = sum(r.points for r in results if r.passed)
        assert earned == entry["sandbox_points"], (
            f"{entry['mistake']}: {earned:g} points in trusted grading, expected {entry['sandbox_points']:g}: "
            + "; ".join(f"{r.grade_id} passed" for r in results if r.passed))


def _graded_functions(assignment: str) -> set[str]:
    nb = nbformat.read(next((REPO / "source" / assignment).glob("*.ipynb")), as_version=4)
    names = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and any(isinstance(n, ast.FunctionDef) for n in ast.parse(cell.source).body):
            names.add(meta["grade_id"])
    return names


@pytest.mark.parametrize("chapter", _present())
def test_manifest_covers_every_graded_function(chapter):
    """The folders mapped to one assignment (chapter 07 has two) cover its graded functions together;
    each folder holds variants of that assignment's functions only."""
    assignment = CHAPTERS[chapter]
    manifest = json.loads((STUDENT_VARIANTS / chapter / "manifest.json").read_text())
    graded = _graded_functions(assignment)
    assert {e["function"] for e in manifest} <= graded, f"{chapter} holds variants of functions {assignment} lacks"
    together = [e for folder in _present() if CHAPTERS[folder] == assignment
                for e in json.loads((STUDENT_VARIANTS / folder / "manifest.json").read_text())]
    for function in graded:
        kinds = {e["correct"] for e in together if e["function"] == function}
        assert kinds == {True, False}, f"{function} needs correct and wrong variants"


def test_every_chapter_with_graded_functions_has_variants():
    for assignment in sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir()):
        if _graded_functions(assignment):
            assert assignment in CHAPTERS.values() and any(
                CHAPTERS[c] == assignment for c in _present()), f"{assignment} has no variants"
