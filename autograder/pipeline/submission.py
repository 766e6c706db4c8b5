"""One submission of a course directory: build its job from the course directory, grade it with the
one-submission seam (:func:`autograder.pipeline.one_submission.grade_submission`, which touches no
course directory), then write what came back (:func:`write_outcome`, also the writer of a submission graded on a Dask
worker): the gradebook's scores, the feedback page under ``feedback/``, the graded notebook under
``autograded/``, and the :class:`StudentResult`.

:func:`grade_student` never raises for a bad submission and never writes to ``submitted/``;
:func:`grade_student_safely` also turns a failure of the grader itself into a 0 row.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

from autograder.isolation import sandbox
from autograder.layout import CourseLayout
from autograder.pipeline.deadlines import lateness
from autograder.pipeline.feedback import keep_only_the_notebook
from autograder.pipeline.gradebook import write_trusted_scores
from autograder.pipeline.keys import grading_key
from autograder.pipeline.one_submission import TEXT, grade_submission
from autograder.pipeline.records import rule_mode
from autograder.pipeline.results import StudentResult
from autograder.pipeline.submission_job import (
    AssignmentCopy,
    Lateness,
    SubmissionJob,
    SubmissionOutcome,
    SubmittedFolder,
)
from autograder.scoring import intake

# What a job carries of the files beside the notebook (only nbgrader's in-kernel run sees them; the
# trusted checks never do), so that a submitted folder of junk cannot fill the grader's memory.
MAX_EXTRA_BYTES = 20 * 2**20
MAX_EXTRA_FILES = 1000


def _text(path: Path) -> str:
    return path.read_bytes().decode(*TEXT)


def assignment_copy(course_dir: Path, assignment: str) -> AssignmentCopy:
    """The assignment as a job carries it: its source notebook, the student version the feedback is
    built on (``release/``, else the source) and the course's nbgrader configuration."""
    layout = CourseLayout(course_dir)
    source = layout.source_notebook(assignment)
    student_version = layout.release(assignment) / source.name
    config = layout.nbgrader_config()
    return AssignmentCopy.of(assignment, source.name, _text(source),
                             _text(student_version if student_version.exists() else source),
                             _text(config) if config.exists() else "")


def submitted_folder(course_dir: Path, assignment: str, student: str, notebook_name: str) -> SubmittedFolder:
    """A student's submitted folder as data (only read): the notebook's bytes, the other regular
    files (nbgrader copies them next to the notebook for the in-kernel run), and what intake
    flags about the folder."""
    folder = CourseLayout(course_dir).submitted(student, assignment)
    notebook = folder / notebook_name
    links = tuple(intake.special_files(folder))
    folder_flags: list[str] = []
    if notebook.is_symlink():
        raw, reason = None, "the submitted notebook is a symbolic link"
    elif notebook.is_file():
        raw, reason = intake.read_notebook_file(notebook)
        folder_flags = intake.extra_file_flags(folder, notebook_name)
    else:
        raw, reason = None, f"no notebook named {notebook_name}"
    files: list[tuple[str, bytes]] = []
    folders: list[str] = []
    if not links and folder.is_dir():  # with links or special files no kernel runs: no copy needed
        carried = 0
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_dir():
                folders.append(relative)
            elif path.is_file() and path != notebook:
                carried += path.stat().st_size
                if carried > MAX_EXTRA_BYTES or len(files) >= MAX_EXTRA_FILES:
                    folder_flags.append(f"the files beside the notebook exceed {MAX_EXTRA_FILES} files or "
                                        f"{MAX_EXTRA_BYTES / 2**20:.0f} MB: the in-kernel run got none of them")
                    files, folders = [], []
                    break
                files.append((relative, path.read_bytes()))
    return SubmittedFolder(student, raw, reason, tuple(files), tuple(folders), links, tuple(folder_flags))


def submission_job(course_dir: Path, assignment: str, student: str, feedback: bool = True,
                   limits: sandbox.Limits | None = None, kernel_template: Path | None = None,
                   late: Lateness | None = None) -> SubmissionJob:
    """The job of one submission of the course directory; its grading key comes from the course
    secret (which stays here), its lateness from the gradebook's deadline (``late``, when the
    caller has read it already)."""
    course_dir = Path(course_dir).resolve()
    copy = assignment_copy(course_dir, assignment)
    submission = submitted_folder(course_dir, assignment, student, copy.notebook_name)
    key = grading_key(course_dir, assignment, student, submission.digest) if submission.notebook is not None else None
    return SubmissionJob(assignment=copy, submission=submission, grading_key=key,
                         limits=limits or sandbox.limits_from_env(), rule_mode=rule_mode(course_dir),
                         feedback=feedback,
                         in_kernel_gradebook=Path(kernel_template).read_bytes() if kernel_template else None,
                         lateness=late if late is not None else lateness(course_dir, assignment, student))


def _write_graded_notebook(layout: CourseLayout, outcome: SubmissionOutcome, notebook_name: str) -> None:
    """``autograded/<student>/<assignment>/`` holds the graded notebook the seam left, only."""
    folder = layout.autograded(outcome.student, outcome.assignment)
    if outcome.graded_notebook is None:
        keep_only_the_notebook(folder, notebook_name)
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / notebook_name).write_bytes(outcome.graded_notebook.encode(*TEXT))


# what `nbgrader submit` writes beside the notebook and `nbgrader release_feedback` reads beside the page
NBGRADER_FEEDBACK_KEYS = ("timestamp.txt", "submission_secret.txt")


def _write_feedback_page(layout: CourseLayout, outcome: SubmissionOutcome) -> bool:
    """``feedback/<student>/<assignment>/`` holds the outcome's page and the submission's nbgrader keys.

    ``timestamp.txt`` and ``submission_secret.txt`` are copied as nbgrader's generate_feedback copies them:
    ``nbgrader release_feedback`` names the page in the exchange by a hash of the secret, and the student's
    Assignment List finds it by that name (no other student can).
    """
    target = layout.feedback(outcome.student, outcome.assignment)
    shutil.rmtree(target, ignore_errors=True)
    name = outcome.feedback_name
    if outcome.feedback_html is None or not name or Path(name).name != name:
        return False
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_bytes(outcome.feedback_html.encode(*TEXT))
    submitted = layout.submitted(outcome.student, outcome.assignment)
    for name in NBGRADER_FEEDBACK_KEYS:
        source = submitted / name
        # small regular files only: the student wrote them (a link or a huge file is not copied)
        if source.is_file() and not source.is_symlink() and source.stat().st_size <= 4096:
            shutil.copyfile(source, target / name)
    return True


def write_outcome(course_dir: Path, outcome: SubmissionOutcome, notebook_name: str, feedback: bool) -> StudentResult:
    """Write what grading one submission gave into the course directory: the trusted scores into the
    gradebook (one transaction), the graded notebook under ``autograded/``, the feedback page under
    ``feedback/``; return the submission's :class:`StudentResult` (``seconds``: the seam's).

    The one writer of a submission's results, whether the seam ran here or on a Dask worker."""
    course_dir = Path(course_dir).resolve()
    layout = CourseLayout(course_dir)
    result = StudentResult(outcome.student, outcome.assignment, problems=list(outcome.problems),
                           flags=list(outcome.flags), attempts=outcome.attempts, late_penalty=outcome.late_penalty,
                           seconds_late=outcome.lateness.seconds_late)
    result.score, result.max_score = write_trusted_scores(course_dir, outcome.assignment, outcome.student,
                                                          list(outcome.cells), outcome.lateness.submitted_value(),
                                                          outcome.late_penalty)
    result.graded = outcome.readable  # an unreadable notebook still gets its 0 row
    result.cells = list(outcome.cells)
    _write_graded_notebook(layout, outcome, notebook_name)
    if feedback:
        result.feedback = _write_feedback_page(layout, outcome)
        if not result.feedback:
            result.problems.append("feedback could not be generated")
    result.seconds = outcome.timings.total
    return result


def failed_result(course_dir: Path, assignment: str, student: str, error: BaseException) -> StudentResult:
    """The 0 row of a submission whose grading failed (the grader's failure, not the submission's),
    with the reason; its 0 scores are written when the gradebook allows."""
    reason = f"grading failed: {type(error).__name__}: {error}".encode("utf-8", "replace").decode()[:500]
    result = StudentResult(student, assignment, problems=[reason])
    with contextlib.suppress(Exception):
        result.score, result.max_score = write_trusted_scores(course_dir, assignment, student, [])
    return result


def grade_student(course_dir: Path, assignment: str, student: str, feedback: bool = True,
                  limits: sandbox.Limits | None = None, kernel_template: Path | None = None) -> StudentResult:
    """Grade one student; never raises for a bad submission, never writes to ``submitted/``.

    The job is built from the course directory (``kernel_template``: the in-kernel gradebook's
    template the scheduler made, else the seam makes one), graded by
    :func:`~autograder.pipeline.one_submission.grade_submission`, and what comes back is written
    by :func:`write_outcome`: the trusted scores into the gradebook, the feedback page, the graded
    notebook.
    """
    started = time.perf_counter()
    job = submission_job(course_dir, assignment, student, feedback, limits, kernel_template)
    result = write_outcome(course_dir, grade_submission(job), job.assignment.notebook_name, feedback)
    result.seconds = time.perf_counter() - started
    return result


def grade_student_safely(course_dir: Path, assignment: str, student: str, feedback: bool = True,
                         limits: sandbox.Limits | None = None, kernel_template: Path | None = None) -> StudentResult:
    """:func:`grade_student`, turning a failure of the grader itself into a 0 row with the reason
    (a submission must never stop the class)."""
    try:
        return grade_student(course_dir, assignment, student, feedback, limits, kernel_template)
    except Exception as error:  # noqa: BLE001 - reported in the table and the records
        return failed_result(course_dir, assignment, student, error)
