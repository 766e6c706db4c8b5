"""One submission end to end: read it, nbgrader's in-kernel run (only compared), the trusted checks
(every score), the gradebook's scores and the feedback.

:func:`grade_student` never raises for a bad submission and never writes to ``submitted/``;
:func:`grade_student_safely` also turns a failure of the grader itself into a 0 row.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.isolation import forkserver, sandbox, warm_sandbox
from autograder.layout import CourseLayout
from autograder.pipeline.feedback import keep_only_the_notebook, write_feedback
from autograder.pipeline.gradebook import write_trusted_scores
from autograder.pipeline.in_kernel import InKernelRun, failure_reason, run_in_kernel
from autograder.pipeline.keys import grading_key
from autograder.pipeline.records import rule_mode
from autograder.pipeline.results import StudentResult
from autograder.scoring import intake
from autograder.scoring.hidden_tests import hidden_lines, redact_hidden
from autograder.scoring.job import GradingJob, TrustedReport, all_failed

TRUSTED_EXTRA_MEMORY = 2 * 2**30  # the oracles (Keras) and decoded replies, beyond the sandbox's limit
STDERR_KEPT = 100_000  # characters of the trusted checks' stderr read for a failure's reason


def run_trusted_checks(job: GradingJob, limits: sandbox.Limits) -> TrustedReport:
    """Run the trusted checks (a child of the fork server) with the per-submission time limit."""
    with tempfile.TemporaryDirectory(prefix="course-trusted-") as scratch:
        job_path, out_path = Path(scratch) / "job.json", Path(scratch) / "report.json"
        job_path.write_text(json.dumps(job.to_json()))
        stderr_path = Path(scratch) / "stderr"
        _, timed_out = forkserver.run_module("autograder.scoring.trusted", [str(job_path), str(out_path)],
                                             cwd=Path(scratch), env=None, stdout=Path(os.devnull),
                                             stderr=stderr_path, timeout=limits.submission_seconds,
                                             memory_bytes=limits.memory_bytes + TRUSTED_EXTRA_MEMORY)
        if timed_out:
            return all_failed(job.test_cells, "not checked: the submission exceeded its total time limit",
                              [f"the submission exceeded its total time limit of {limits.submission_seconds:g} s"])
        if not out_path.exists():
            stderr = stderr_path.read_text(errors="replace")[-STDERR_KEPT:] if stderr_path.exists() else ""
            return all_failed(job.test_cells, "not checked: the grader failed",
                              [f"the trusted checks failed to run: {failure_reason(stderr)}"])
        return TrustedReport.from_json(json.loads(out_path.read_text()))


@dataclass
class _Run:
    """What running one submission (in-kernel, then trusted) gave, before anything is written."""

    report: TrustedReport
    in_kernel: InKernelRun = field(default_factory=InKernelRun)
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    sandbox_problems: list[str] = field(default_factory=list)  # the warm sandbox after each stage


def _run_submission(course_dir: Path, assignment: str, student: str, spec: intake.SourceSpec,
                    received: intake.Intake, submitted: Path, run_kernel: bool, limits: sandbox.Limits,
                    kernel_template: Path | None) -> _Run:
    """Run one submission: nbgrader's in-kernel run (only compared), then the trusted checks.
    The warm sandbox is checked before each stage (a new one replaces an unhealthy one) and after
    it (what it found is in ``sandbox_problems``)."""
    layout = CourseLayout(course_dir)
    run = _Run(report=TrustedReport())
    if run_kernel:
        run.in_kernel = run_in_kernel(course_dir, assignment, student, limits, kernel_template)
        run.sandbox_problems.append(warm_sandbox.problem(limits))
        run.problems += run.in_kernel.problems
        run.flags += run.in_kernel.flags
    keep_only_the_notebook(layout.autograded(student, assignment), layout.notebook_name(assignment))

    if received.readable:
        key = grading_key(course_dir, assignment, student, hashlib.sha256(submitted.read_bytes()).hexdigest())
        job = intake.make_job(spec, received, limits, rule_mode(course_dir), grading_key=key)
        warm_sandbox.provide(limits)  # a new one if the in-kernel run left it unhealthy
        run.report = run_trusted_checks(job, limits)
        run.sandbox_problems.append(warm_sandbox.problem(limits))
    else:
        run.problems.append(received.reason)
        run.report = all_failed(spec.test_cells, f"not graded: {received.reason}")
    run.sandbox_problems = [problem for problem in run.sandbox_problems if problem]
    return run


def _receive(layout: CourseLayout, assignment: str, student: str, spec: intake.SourceSpec,
             result: StudentResult) -> tuple[intake.Intake, Path, bool]:
    """Read the submitted notebook as data (flags go to ``result``): (what was read, its path,
    whether the folder holds links or special files, in which case no kernel runs it)."""
    notebook_name = layout.notebook_name(assignment)
    submission_dir = layout.submitted(student, assignment)
    submitted = submission_dir / notebook_name
    links = intake.special_files(submission_dir)
    if links:
        result.flags.append("symbolic links or special files in the submission (not followed; the notebook "
                            "was not executed): " + ", ".join(links))
    if submitted.is_symlink():
        received = intake.Intake(readable=False, reason="the submitted notebook is a symbolic link")
    elif submitted.is_file():
        received = intake.read_submission(submitted, spec)
        result.flags += intake.extra_file_flags(submission_dir, notebook_name)
    else:
        received = intake.Intake(readable=False, reason=f"no notebook named {notebook_name}")
    result.flags += received.flags
    return received, submitted, bool(links)


def grade_student(course_dir: Path, assignment: str, student: str, feedback: bool = True,
                  limits: sandbox.Limits | None = None, kernel_template: Path | None = None) -> StudentResult:
    """Grade one student; never raises for a bad submission, never writes to ``submitted/``.

    1. nbgrader autograde runs the notebook's graded cells in a sandboxed kernel (its results are
       only compared);
    2. the trusted checks decide every score (:mod:`autograder.scoring.trusted`);
    3. only a verified run counts: when the warm sandbox is found unhealthy after the submission,
       its processes may have died for a reason that was not theirs, so the submission is graded
       again in a new sandbox (and flagged if it leaves that one unhealthy too);
    4. the trusted scores go into the gradebook, the feedback notebook shows the checks'
       messages (never hidden test code), and flags are recorded for the export.
    """
    course_dir = Path(course_dir).resolve()
    layout = CourseLayout(course_dir)
    limits = limits or sandbox.limits_from_env()
    result = StudentResult(student, assignment)
    started = time.perf_counter()
    spec = intake.read_source(layout.source_notebook(assignment))
    received, submitted, links = _receive(layout, assignment, student, spec, result)

    def run_once() -> _Run:
        return _run_submission(course_dir, assignment, student, spec, received, submitted, not links, limits,
                               kernel_template)

    run = run_once()
    if run.sandbox_problems:  # not a verified run: grade it again from a new sandbox
        warm_sandbox.replace(limits)
        run = run_once()
        result.attempts = 2
        if run.sandbox_problems:
            warm_sandbox.replace(limits)
            run.flags.append("the submission's code left the grading sandbox unusable, twice (a new one was "
                             f"started for the next submission): {run.sandbox_problems[0]}")
    report = run.report
    hidden = [line for test in spec.test_cells for line in hidden_lines(test["source"])]
    result.problems += [redact_hidden(problem, hidden) for problem in run.problems]
    result.flags += [redact_hidden(flag, hidden) for flag in run.flags + report.flags]
    # a function withheld for its exercise rule passes in the kernel by design: its flag says why
    ruled_out = tuple(f"test_{v['function']}_" for v in report.violations)
    unconfirmed = sorted(c.grade_id for c in report.cells if not c.passed and run.in_kernel.passed.get(c.grade_id)
                         and not (ruled_out and c.grade_id.startswith(ruled_out)))
    if unconfirmed:
        result.flags.append("in-kernel passes not confirmed by the trusted checks (scored 0): "
                            + ", ".join(unconfirmed))
    result.score, result.max_score = write_trusted_scores(course_dir, assignment, student, report.cells,
                                                          run.in_kernel.timestamp)
    result.graded = received.readable  # an unreadable notebook still gets its 0 row
    result.cells = report.cells
    if feedback:
        result.feedback = write_feedback(course_dir, assignment, student, spec, report, result, received,
                                         limits)
        if not result.feedback:
            result.problems.append("feedback could not be generated")
    result.seconds = time.perf_counter() - started
    return result


def grade_student_safely(course_dir: Path, assignment: str, student: str, feedback: bool = True,
                         limits: sandbox.Limits | None = None, kernel_template: Path | None = None) -> StudentResult:
    """:func:`grade_student`, turning a failure of the grader itself into a 0 row with the reason
    (a submission must never stop the class)."""
    try:
        return grade_student(course_dir, assignment, student, feedback, limits, kernel_template)
    except Exception as error:  # noqa: BLE001 - reported in the table and the records
        reason = f"grading failed: {type(error).__name__}: {error}".encode("utf-8", "replace").decode()[:500]
        result = StudentResult(student, assignment, problems=[reason])
        with contextlib.suppress(Exception):
            result.score, result.max_score = write_trusted_scores(course_dir, assignment, student, [])
        return result
