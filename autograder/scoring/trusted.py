"""Trusted grading: the instructor's test cells judge the student's functions from outside.

nbgrader runs a notebook's test cells in the student's own kernel, where the student's code can
rewrite how those cells run. Here nothing that decides a score runs next to student code:

1. :mod:`autograder.scoring.intake` reads the submitted notebook as data and takes out the student's
   answer cells (by grade_id); test cells come from the trusted source notebook, never from the
   submission.
2. :class:`FunctionServer` starts :mod:`autograder.isolation.function_server` in the sandboxed process
   (:mod:`autograder.isolation.sandbox`), which runs the setup cell and the answer cells.
3. This process runs the setup cell and every test cell of the source notebook itself, with each
   graded function name bound to a :class:`StudentFunction`: a proxy that sends the arguments to
   the sandbox, waits (with a time limit) for the result, and gets back only plain data.

A call that times out or kills the sandbox fails that call; the server is restarted (a bounded
number of times) for the next test cell, so one runaway function costs only its own points.

Nothing the sandbox says about what the student's code did is believed. A check's stand-in
object (a model that records how it is called: its class declares ``__grading_remote__``) is
passed by reference: the sandbox gets a :class:`autograder.isolation.function_server.RemoteObject` whose
method calls come back here as callbacks during the call, run on the real object (which records
them here) and are answered with the result. A stand-in that such a call returns (a model
factory's fresh model) goes back by reference as well. What comes back after a call is data the checks
verify: the result, and arrays and random generators changed in place.

``python -m autograder.scoring.trusted JOB.json`` runs one submission's checks and writes the outcomes
as JSON; the grading pipeline starts it as a subprocess with a wall-clock limit.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from autograder.isolation import sandbox
from autograder.scoring import rule_judge, rule_reader, rules
from autograder.scoring.function_client import FunctionServer, SandboxFailure
from autograder.scoring.hidden_tests import (
    hidden_lines,
    redact_hidden,
    runnable_source,
)
from autograder.scoring.job import CellResult, GradingJob, TrustedReport
from autograder.scoring.policy import apply_rules, withhold_example_only_passes
from autograder.scoring.proxy import StudentFunction


# ------------------------------------------------------------------------- running test cells
def run_test_cells(setup: str, test_cells: list[dict], server: FunctionServer,
                   functions: list[str], grading_key: str | None = None) -> list[CellResult]:
    """Run the trusted test cells with the graded names bound to sandboxed proxies.

    With ``grading_key`` (hex), hidden cells draw their random inputs from it
    (:func:`autograder.checks.set_grading_key`) instead of the source notebook's fixed seeds.
    """
    from autograder import checks

    checks.set_grading_key(bytes.fromhex(grading_key) if grading_key else None)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(setup, "setup", "exec"), namespace)  # noqa: S102 - instructor code
    proxies: dict[str, Any] = {name: StudentFunction(name, server) for name in functions}
    proxies.update(server.values)  # answers that are data (dicts of choices, say)
    results = []
    for cell in test_cells:
        scope = dict(namespace)
        scope.update(proxies)
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(runnable_source(cell["source"]), cell["grade_id"], "exec"), scope)  # noqa: S102
        except Exception as error:  # noqa: BLE001 - a failing test cell
            results.append(CellResult(cell["grade_id"], cell["points"], False, _message(error)))
        else:
            results.append(CellResult(cell["grade_id"], cell["points"], True))
    return results


def _message(error: BaseException) -> str:
    from autograder.checks import CheckFailed

    if isinstance(error, CheckFailed):
        return str(error)
    if isinstance(error, NotImplementedError):
        return "not implemented yet: the function still raises NotImplementedError."
    if isinstance(error, SandboxFailure):
        return f"the function was stopped: {error}"
    if isinstance(error, NameError) and "is not defined" in str(error):
        return f"{error} (is the answer cell's function still there, with its original name?)"
    return f"{type(error).__name__}: {error}"


def check_submission(job: GradingJob) -> TrustedReport:
    """Run one submission's trusted checks. ``job`` comes from :func:`autograder.scoring.intake.make_job`."""
    started = time.monotonic()
    limits = sandbox.Limits(**job.limits)
    report = TrustedReport(isolation=sandbox.isolation_available())
    exercise_rules = rules.rules_from_json(job.exercise_rules)
    watched = {name for name, rule in exercise_rules.items() if rule.restricts}
    server = FunctionServer(job.setup, [tuple(c) for c in job.answer_cells], job.functions, limits,
                            job.values, watch=rules.watch_prefixes(exercise_rules) if watched else (),
                            watched_functions=watched)
    try:
        try:
            server.ensure_running()
        except SandboxFailure as error:
            report.flags.append(f"the notebook's code could not be loaded: {error}")
        report.defined = list(server.defined)
        report.cell_errors = list(server.cell_errors)
        report.cells = run_test_cells(job.setup, job.test_cells, server, job.functions,
                                      grading_key=job.grading_key)
    finally:
        server.close()
    withhold_example_only_passes(report, job)
    if watched:
        judged = time.monotonic()
        try:
            violations = rule_judge.judge(exercise_rules, rule_reader.CodeMap.from_json(job.code or {}), server.records,
                                     defined=report.defined)
        except Exception as error:  # noqa: BLE001 - the grader's own failure: the scores stand, flagged
            report.flags.append(f"the exercise rules could not be judged: {type(error).__name__}: {error}"[:300])
        else:
            apply_rules(report, violations, job.rule_mode)
        report.rule_seconds = time.monotonic() - judged
    hidden = [line for cell in job.test_cells for line in hidden_lines(cell["source"])]
    for cell in report.cells:
        cell.message = redact_hidden(cell.message, hidden)
    report.flags = [redact_hidden(flag, hidden) for flag in report.flags]
    report.cell_errors = [{**error, "message": redact_hidden(str(error.get("message", "")), hidden)}
                          for error in report.cell_errors]
    if "timeout" in server.events:
        report.flags.append("a function exceeded the time limit and was stopped")
    if "died" in server.events:
        report.flags.append("the sandboxed process died (os._exit, a crash or the memory limit)")
    if "protocol" in server.events:
        report.flags.append("the sandboxed process broke the grading protocol (a forged or excessive call of "
                            "the grader's objects) and was stopped")
    for label in sorted(server.fatal_cells):
        report.flags.append(f"cell {label!r} killed or hung the process when run, so it was left out")
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str]) -> int:
    job_path, out_path = Path(argv[0]), Path(argv[1])
    report = check_submission(GradingJob.from_json(json.loads(job_path.read_text())))
    out_path.write_text(json.dumps(report.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
