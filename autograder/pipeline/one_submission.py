"""Grading one submission as a pure step: :func:`grade_submission` takes a
:class:`~autograder.pipeline.submission_job.SubmissionJob` and returns a
:class:`~autograder.pipeline.submission_job.SubmissionOutcome`.

Everything happens in private temporary folders: a private nbgrader course made from the job
(its ``nbgrader_config.py``, the source notebook, the submitted folder) for nbgrader's in-kernel
run (only compared) and the feedback page, on a private SQLite gradebook. No course directory,
gradebook or records file is read or written, so the step can run in another process or on
another machine; the caller (:mod:`autograder.pipeline.submission`) writes what comes back.

What a job does not carry, by design: the files of ``source/<assignment>/`` other than the notebook
(this course's assignments have none), files beside the submitted notebook past
:data:`autograder.pipeline.submission.MAX_EXTRA_BYTES` (flagged; only the in-kernel run would see
them), a notebook over :data:`autograder.scoring.intake.MAX_NOTEBOOK_BYTES` (not read: its 0 row
says why, and no kernel runs it), and the course gradebook's comments (the page shows the trusted
scores and the checks' messages).

It lives in ``pipeline/`` (not ``scoring/``) because it drives nbgrader's commands and the warm
sandbox; the scoring it calls (intake, the trusted checks) stays in ``scoring/``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.isolation import forkserver, sandbox, warm_sandbox
from autograder.layout import CourseLayout
from autograder.pipeline.course_config import course_config
from autograder.pipeline.feedback import keep_only_the_notebook, write_feedback
from autograder.pipeline.gradebook import add_students, trusted_score, write_scores
from autograder.pipeline.in_kernel import InKernelRun, run_in_kernel
from autograder.pipeline.nbgrader_run import db_flag, failure_reason
from autograder.pipeline.release import generate_release
from autograder.pipeline.results import StudentResult
from autograder.pipeline.submission_job import (
    AssignmentCopy,
    SubmissionJob,
    SubmissionOutcome,
    SubmissionTimings,
    SubmittedFolder,
)
from autograder.scoring import intake
from autograder.scoring.hidden_tests import hidden_lines, redact_hidden
from autograder.scoring.job import GradingJob, TrustedReport, all_failed
from autograder.scoring.late_policy import late_penalty

TRUSTED_EXTRA_MEMORY = 2 * 2**30  # the oracles (Keras) and decoded replies, beyond the sandbox's limit
STDERR_KEPT = 100_000  # characters of the trusted checks' stderr read for a failure's reason
TEXT = ("utf-8", "surrogateescape")  # how the job's texts map to bytes (byte for byte, both ways)

# assignment digest -> a SQLite gradebook (its bytes) holding the assignment, made once per process
# when a job brings none
_templates: dict[str, bytes] = {}


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


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(*TEXT))


def _inside(folder: Path, relative: str) -> Path:
    """``folder / relative`` for a relative path that stays inside ``folder`` (a job's file names
    are data from elsewhere)."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(part in ("..", ".") for part in parts):
        raise ValueError(f"not a relative path inside the submission: {relative!r}")
    return folder.joinpath(*parts)


def _private_course(root: Path, assignment: AssignmentCopy, submission: SubmittedFolder) -> CourseLayout:
    """An nbgrader course in ``root`` with the assignment and the submitted folder."""
    layout = CourseLayout(root)
    if assignment.nbgrader_config:
        _write_text(layout.nbgrader_config(), assignment.nbgrader_config)
    _write_text(layout.source(assignment.name) / assignment.notebook_name, assignment.source)
    _write_text(layout.release(assignment.name) / assignment.notebook_name, assignment.student_version)
    folder = layout.submitted(submission.student, assignment.name)
    folder.mkdir(parents=True)
    for relative in submission.folders:
        _inside(folder, relative).mkdir(parents=True, exist_ok=True)
    for relative, data in submission.files:
        target = _inside(folder, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if submission.notebook is not None:
        (folder / assignment.notebook_name).write_bytes(submission.notebook)
    return layout


def _gradebook_template(job: SubmissionJob, layout: CourseLayout) -> bytes:
    """The job's in-kernel gradebook template, else one made here from the source (once per
    assignment digest and process: ``nbgrader generate_assignment`` takes seconds)."""
    if job.in_kernel_gradebook is not None:
        return job.in_kernel_gradebook
    digest = job.assignment.digest
    if digest not in _templates:
        with tempfile.TemporaryDirectory(prefix="course-template-") as scratch:
            path = Path(scratch) / "template.db"
            generate_release(layout.root, [job.assignment.name], release_dir=Path(scratch) / "release",
                             with_db=True, extra_args=[db_flag(f"sqlite:///{path}"),
                                                       f"--CourseDirectory.root={layout.root}"])
            _templates[digest] = path.read_bytes()
    return _templates[digest]


def _private_gradebook(job: SubmissionJob, layout: CourseLayout, file_name: str) -> Path:
    """A new SQLite gradebook beside the private course, with the assignment and the student."""
    path = layout.root.parent / file_name
    path.write_bytes(_gradebook_template(job, layout))
    add_students(f"sqlite:///{path}", [job.submission.student])
    return path


@dataclass
class _Run:
    """What running one submission (in-kernel, then trusted) gave."""

    report: TrustedReport
    in_kernel: InKernelRun = field(default_factory=InKernelRun)
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    sandbox_problems: list[str] = field(default_factory=list)  # the warm sandbox after each stage
    in_kernel_seconds: float = 0.0
    trusted_seconds: float = 0.0


def _run_submission(job: SubmissionJob, layout: CourseLayout, spec: intake.SourceSpec, received: intake.Intake,
                    attempt: int) -> _Run:
    """Run one submission: nbgrader's in-kernel run (only compared; not when the folder holds links
    or special files), then the trusted checks. The warm sandbox is checked before each stage (a
    new one replaces an unhealthy one) and after it (what it found is in ``sandbox_problems``)."""
    name, student, limits = job.assignment.name, job.submission.student, job.limits
    run = _Run(report=TrustedReport())
    if not job.submission.special_files:
        gradebook = _private_gradebook(job, layout, f"in-kernel-{attempt}.db")
        started = time.perf_counter()
        run.in_kernel = run_in_kernel(layout.root, name, student, limits, gradebook)
        run.in_kernel_seconds = time.perf_counter() - started
        run.sandbox_problems.append(warm_sandbox.problem(limits))
        run.problems += run.in_kernel.problems
        run.flags += run.in_kernel.flags
    keep_only_the_notebook(layout.autograded(student, name), job.assignment.notebook_name)

    if received.readable:
        trusted_job = intake.make_job(spec, received, limits, job.rule_mode, grading_key=job.grading_key)
        started = time.perf_counter()
        warm_sandbox.provide(limits)  # a new one if the in-kernel run left it unhealthy
        run.report = run_trusted_checks(trusted_job, limits)
        run.trusted_seconds = time.perf_counter() - started
        run.sandbox_problems.append(warm_sandbox.problem(limits))
    else:
        run.problems.append(received.reason)
        run.report = all_failed(spec.test_cells, f"not graded: {received.reason}")
    run.sandbox_problems = [problem for problem in run.sandbox_problems if problem]
    return run


def _receive(submission: SubmittedFolder, spec: intake.SourceSpec) -> tuple[intake.Intake, list[str]]:
    """Read the submitted notebook (the job's bytes): what was read, and the flags of the folder
    and the notebook."""
    flags = []
    if submission.special_files:
        flags.append("symbolic links or special files in the submission (not followed; the notebook "
                     "was not executed): " + ", ".join(submission.special_files))
    if submission.notebook is None:
        received = intake.Intake(readable=False, reason=submission.unread_reason)
    else:
        received = intake.read_submission_bytes(submission.notebook, spec)
    flags += list(submission.folder_flags) + received.flags
    return received, flags


def grade_submission(job: SubmissionJob) -> SubmissionOutcome:
    """Grade one submission in private temporary folders; never raises for a bad submission
    (raises :class:`~autograder.pipeline.submission_job.StaleAssignment` for a job whose assignment
    does not match its digest).

    1. nbgrader autograde runs the notebook's graded cells in a sandboxed kernel (its results are
       only compared);
    2. the trusted checks decide every score (:mod:`autograder.scoring.trusted`);
    3. only a verified run counts: when the warm sandbox is found unhealthy after the submission,
       its processes may have died for a reason that was not theirs, so the submission is graded
       again in a new sandbox (and flagged if it leaves that one unhealthy too);
    4. the feedback page shows the checks' messages (never hidden test code); flags and problems
       have hidden lines redacted.
    """
    started = time.perf_counter()
    job.assignment.check()
    name, student, limits = job.assignment.name, job.submission.student, job.limits
    with tempfile.TemporaryDirectory(prefix="course-submission-") as private:
        layout = _private_course(Path(private) / "course", job.assignment, job.submission)
        spec = intake.read_source(layout.source(name) / job.assignment.notebook_name)
        received, flags = _receive(job.submission, spec)

        attempts = 1
        run = _run_submission(job, layout, spec, received, attempts)
        if run.sandbox_problems:  # not a verified run: grade it again from a new sandbox
            warm_sandbox.replace(limits)
            attempts = 2
            run = _run_submission(job, layout, spec, received, attempts)
            if run.sandbox_problems:
                warm_sandbox.replace(limits)
                run.flags.append("the submission's code left the grading sandbox unusable, twice (a new one was "
                                 f"started for the next submission): {run.sandbox_problems[0]}")
        report = run.report
        hidden = [line for test in spec.test_cells for line in hidden_lines(test["source"])]
        problems = [redact_hidden(problem, hidden) for problem in run.problems]
        flags += [redact_hidden(flag, hidden) for flag in run.flags + report.flags]
        # a function withheld for its exercise rule passes in the kernel by design: its flag says why
        ruled_out = tuple(f"test_{v['function']}_" for v in report.violations)
        unconfirmed = sorted(c.grade_id for c in report.cells if not c.passed and run.in_kernel.passed.get(c.grade_id)
                             and not (ruled_out and c.grade_id.startswith(ruled_out)))
        if unconfirmed:
            flags.append("in-kernel passes not confirmed by the trusted checks (scored 0): " + ", ".join(unconfirmed))

        if job.lateness.flag:
            flags.append(job.lateness.flag)
        penalty = late_penalty(course_config(layout.root), student, trusted_score(report.cells),
                               job.lateness.seconds_late)
        feedback_html, feedback_name, feedback_seconds = None, "", 0.0
        if job.feedback:
            feedback_started = time.perf_counter()
            # nbgrader's feedback page reads the scores from a gradebook: a new private one holds the
            # trusted scores only (as the course's does; the in-kernel run's also holds its comments)
            url = f"sqlite:///{_private_gradebook(job, layout, 'feedback.db')}"
            score, max_score = write_scores(url, name, student, report.cells, job.lateness.submitted_value(), penalty)
            shown = StudentResult(student, name, score=score, max_score=max_score, late_penalty=penalty,
                                  problems=list(problems), flags=list(flags))
            plain = write_feedback(layout.root, url, name, student, spec, report, shown, received, limits)
            if plain:
                problems.append(plain)
            feedback_name = Path(job.assignment.notebook_name).stem + ".html"
            page = layout.feedback(student, name) / feedback_name
            if page.is_file():
                feedback_html = page.read_bytes().decode(*TEXT)
            feedback_seconds = time.perf_counter() - feedback_started
        graded = layout.autograded(student, name) / job.assignment.notebook_name
        graded_notebook = graded.read_bytes().decode(*TEXT) if graded.is_file() and not graded.is_symlink() else None
    return SubmissionOutcome(
        student=student, assignment=name, readable=received.readable, cells=tuple(report.cells),
        flags=tuple(flags), problems=tuple(problems),
        in_kernel_passed=tuple(sorted(run.in_kernel.passed.items())), lateness=job.lateness,
        late_penalty=penalty,
        graded_notebook=graded_notebook, feedback_html=feedback_html, feedback_name=feedback_name,
        attempts=attempts,
        timings=SubmissionTimings(in_kernel=run.in_kernel_seconds, trusted=run.trusted_seconds,
                                  feedback=feedback_seconds, total=time.perf_counter() - started))


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.pipeline.one_submission JOB.json OUTCOME.json``: grade one job given in
    its plain-data form (a process of its own, as a remote worker would)."""
    import sys

    job_path, outcome_path = (argv if argv is not None else sys.argv[1:])
    job = SubmissionJob.from_json(json.loads(Path(job_path).read_text()))
    Path(outcome_path).write_text(json.dumps(grade_submission(job).to_json()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
