"""No callable that a student's code or the grading sandbox can import reproduces a graded function.

``tests/reference_scan.py`` runs once inside the grading sandbox (so it sees exactly the packages
a submission sees, and a callable that kills processes or deletes files reaches nothing outside
it): it imports every module of ``course`` and ``autograder``, adapts every callable that accepts
a graded function's arguments to that function's name and signature, and grades it with the
chapter's hidden test cells on hidden inputs drawn from a grading key. A callable that earns half
of a function's hidden points or more is an implementation within the student's reach (a
reference, a renamed copy, a thin wrapper of the library call): the chapter's test fails and
names it. The notebook's own solution, graded the same way after the candidates, must keep every
point, so a candidate that broke the checks cannot hide the others.

The references are the source notebooks' solution cells, and a source folder holds nothing else:
nbgrader would copy any other file of it to the students (release/) and into the folder the
sandboxed kernel runs in.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.isolation import launch, sandbox
from autograder.scoring.intake import read_source
from tests.paths import REFERENCE_SCAN, REPO

isolated = pytest.mark.skipif(not sandbox.isolation_available(),
                              reason="bubblewrap is not installed: the candidates must run isolated")

GRADING_KEY = "5ca11ab1e0f0e1ce" * 4  # any fixed key: the hidden inputs are drawn as at grading time
PROBE_SECONDS = 2.0  # a candidate's first call (on the checks' first input)
CELL_SECONDS, CELL_FACTOR = 3.0, 10.0  # then its limit per cell: the larger of 3 s and 10x the solution's
MEMORY_BYTES = 4 * 2**30
SCAN_SECONDS = 1200.0
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def _signature(source: str, name: str) -> dict:
    """Parameter names, the number of required ones and the defaults (as source text) of ``name``."""
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    params = [a.arg for a in node.args.args]
    defaults = dict(zip(params[len(params) - len(node.args.defaults):],
                        (ast.get_source_segment(source, d) for d in node.args.defaults)))
    return {"params": params, "required": len(params) - len(defaults), "defaults": defaults}


def _chapter(assignment: str) -> dict:
    notebook = next((REPO / "source" / assignment).glob("*.ipynb"))
    spec = read_source(notebook)
    nb = nbformat.read(notebook, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    functions = []
    for name in spec.functions:
        hidden = [c for c in spec.test_cells
                  if c["grade_id"].startswith(f"test_{name}_") and "### BEGIN HIDDEN TESTS" in c["source"]]
        assert hidden, f"{name} has no hidden test cell"
        functions.append({"name": name, "cells": hidden, **_signature(answers[name], name)})
    return {"assignment": assignment, "setup": spec.setup, "answers": list(answers.values()), "functions": functions}


def scan(assignments: list[str], scratch: Path) -> dict:
    """Run the scan of ``assignments`` in the sandbox; its report."""
    scratch.mkdir(parents=True, exist_ok=True)
    job = {"chapters": [_chapter(a) for a in assignments], "grading_key": GRADING_KEY,
           "probe_seconds": PROBE_SECONDS, "cell_seconds": CELL_SECONDS, "cell_factor": CELL_FACTOR,
           "memory_bytes": MEMORY_BYTES}
    (scratch / "job.json").write_text(json.dumps(job))
    shutil.copy(REFERENCE_SCAN, scratch / REFERENCE_SCAN.name)
    env = {**os.environ, "COURSE_FAST": "1", "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONDONTWRITEBYTECODE": "1"}
    # the grader's own packages, as every sandboxed Python imports them (autograder.isolation.launch)
    argv = sandbox.command(launch.python_command(REFERENCE_SCAN.stem, [str(scratch / "job.json")],
                                                 working_folder_first=True),
                           scratch, writable=False, environ=env)
    completed = subprocess.run(argv, cwd=scratch, env=env, capture_output=True, text=True,
                               timeout=SCAN_SECONDS, start_new_session=True)
    lines = completed.stdout.strip().splitlines()
    assert completed.returncode == 0 and lines, f"the scan failed:\n{completed.stderr[-5000:]}"
    return json.loads(lines[-1])


@functools.cache
def _scanned() -> dict | BaseException:
    """The report of one scan of every chapter, or what stopped it: a scan that failed or ran out of
    time fails every chapter's test once, instead of running again for each."""
    with tempfile.TemporaryDirectory(prefix="course-reference-scan-") as scratch:
        try:
            return scan(ASSIGNMENTS, Path(scratch))
        except (AssertionError, subprocess.TimeoutExpired) as error:
            return error


def _report() -> dict:
    outcome = _scanned()
    if isinstance(outcome, BaseException):
        pytest.fail(f"the scan did not finish: {outcome}", pytrace=False)
    return outcome


def problems(assignment: str, report: dict) -> list[str]:
    """What the scan found in one chapter: reproductions, and anything that makes it prove less."""
    found = []
    for name, result in report["chapters"][assignment].items():
        for hit in result["reproduce"]:
            found.append(f"{hit['name']} reproduces {name}: {hit['earned']:g} of {result['hidden_points']:g} "
                         f"hidden points ({', '.join(hit['passed'])})")
        if not result["canary_passed"]:
            found.append(f"{name}'s own solution lost hidden points in the scan: it proves nothing")
        if result["ungraded"]:
            found.append(f"{name}: {result['ungraded']} were never graded")
    return found


@isolated
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_callable_reproduces_a_graded_function(assignment):
    report = _report()
    assert not report["import_failures"], report["import_failures"]
    print(f"{report['callables']} callables in {report['modules']} modules; scan {report['seconds']} s")
    for name, result in report["chapters"][assignment].items():
        # a candidate that runs past its limit or ends its process earns nothing in grading either
        print(f"  {name}: {result['tried']} callables graded in {result['seconds']} s; past the time limit: "
              f"{result['timeouts']}; ended the process: {result['crashed']}; children killed in a candidate: "
              f"{result['restarts']} ({result['regraded']} candidates graded again)")
    found = problems(assignment, report)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_source_folder_holds_only_its_notebook(assignment):
    """nbgrader copies every other file of a source folder into release/ (the students') and into
    the autograded folder (where the sandboxed kernel runs): a reference kept there would reach
    both. The references are the notebook's own solution cells."""
    files = [p.name for p in (REPO / "source" / assignment).rglob("*")
             if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    assert files == [next((REPO / "source" / assignment).glob("*.ipynb")).name], files
