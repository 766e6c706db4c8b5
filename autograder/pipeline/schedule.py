"""Grading a class: which submissions to grade, the worker processes, the order, resumption.

``grade_class`` grades every student under ``submitted/<student>/<assignment>/`` on a course
directory that may be fresh: it registers the assignments in the gradebook first. Scores come
from the trusted checks (:mod:`autograder.scoring.trusted`): nbgrader's own in-kernel run
(:mod:`autograder.pipeline.in_kernel`) executes the notebook's graded cells in a sandboxed
kernel and is only compared with them. A student whose submission cannot be graded never stops
the others, and still gets a grade row (score 0), a feedback file and, when something looked
wrong, flags in the export's ``flags`` column.

Submissions of all the assignments are graded in parallel worker processes, longest first
(:func:`longest_first`). Each worker keeps two warm processes that have the heavy imports
(nbgrader, TensorFlow/Keras, scikit-learn) done: :mod:`autograder.isolation.forkserver` forks
nbgrader's commands and the trusted checks, and :mod:`autograder.isolation.warm_sandbox` forks the
sandboxed kernel and function server. Only the trusted scores reach the gradebook, in one
transaction per submission. Each finished submission gets a record
(:mod:`autograder.pipeline.records`), written by the parent process alone; a rerun skips
submissions whose record matches, so an interrupted run finishes the rest without regrading
anyone.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from tqdm.auto import tqdm

from autograder.isolation import forkserver, sandbox, warm_sandbox
from autograder.layout import CourseLayout, submitted_students
from autograder.pipeline.deadlines import Deadlines
from autograder.pipeline.gradebook import ensure_registered, ensure_students, max_score, stage_new_gradebook
from autograder.pipeline.in_kernel import kernel_gradebook
from autograder.pipeline.keys import CourseSecretError, course_secret
from autograder.pipeline.records import (
    compact_records,
    grading_inputs_digest,
    lateness_key,
    read_records,
    registration_digest,
    result_from_record,
    submission_digest,
    unchanged,
    write_record,
)
from autograder.pipeline.results import StudentResult
from autograder.pipeline.submission import grade_student_safely
from autograder.scoring import function_client, intake

Job = tuple[str, str]  # (assignment, student)
Estimate = Callable[[str, str], float]  # seconds a job is expected to take


class GradingSetupError(RuntimeError):
    """Grading cannot start: nothing was graded (rather than giving a whole class 0)."""


class GradingStopped(RuntimeError):
    """Grading stopped before the end (e.g. the Dask scheduler was lost): the finished submissions
    are recorded, and running the same command again grades the rest."""


def setup_cells(course_dir: Path, assignments: list[str]) -> list[tuple[str, str]]:
    """(assignment, code) of each assignment's setup cell, as :func:`setup_errors` runs them."""
    cells = []
    for assignment in assignments:
        spec = intake.read_source(CourseLayout(course_dir).source_notebook(assignment))
        cells.append((assignment, f"exec(compile({spec.setup!r}, 'setup', 'exec'), {{'__name__': '__main__'}})"))
    return cells


def setup_errors(cells: list[tuple[str, str]], limits: sandbox.Limits) -> list[dict]:
    """Run the setup ``cells`` in one sandboxed process (each in a fresh namespace); the errors
    (``{"cell", "type", "message"}``), none when all ran. Reads no course directory (a Dask worker
    runs it too)."""
    server = function_client.FunctionServer("", cells, [], limits)
    try:
        server.ensure_running()
        return list(server.cell_errors)
    except function_client.SandboxFailure as error:
        return [{"cell": cells[0][0] if cells else "", "type": "SandboxFailure", "message": str(error)}]
    finally:
        server.close()


def preflight(course_dir: Path, assignments: str | list[str], limits: sandbox.Limits | None = None,
              run_cells: Callable[[list[tuple[str, str]], sandbox.Limits], list[dict]] = setup_errors) -> None:
    """Run the assignments' setup cells in one sandboxed process (``run_cells``: here, else on a
    Dask worker); raise :class:`GradingSetupError` if one fails.

    A broken installation (the sandbox cannot import the course package, a data file is
    missing) would otherwise fail every student alike, and grade the whole class 0.
    """
    try:
        course_secret(course_dir)  # a damaged secret would fail every submission alike
    except CourseSecretError as error:
        raise GradingSetupError(f"{error} No student was graded.") from None
    limits = limits or sandbox.limits_from_env()
    assignments = [assignments] if isinstance(assignments, str) else list(assignments)
    errors = run_cells(setup_cells(course_dir, assignments), limits)
    if errors:
        detail = f"{errors[0].get('type')}: {errors[0].get('message', '')}"[:1000]
        isolation = "on" if sandbox.isolation_available() else "off"
        raise GradingSetupError(
            f"grading {errors[0].get('cell')} cannot start: the notebook's setup cell fails in the grading sandbox "
            f"(isolation {isolation}): {detail}. No student was graded. Check that the course package is "
            "installed in this environment (`make venv`) and that the sandbox can read it.")


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _warm_up() -> None:
    """Start this worker's fork server and warm sandbox (their imports overlap the parent's
    preparation)."""
    if forkserver.enabled():
        with contextlib.suppress(RuntimeError, OSError):
            forkserver.server().warm()
    with contextlib.suppress(OSError):
        warm_sandbox.provide(sandbox.limits_from_env())


def grade_class(course_dir: Path, submissions: dict[str, list[str] | None], feedback: bool = True,
                progress: bool = True, workers: int | None = None, force: bool = False,
                scheduler: str | None = None) -> list[StudentResult]:
    """Grade several assignments at once; ``submissions`` maps each assignment to the students to
    grade (None: every submitter). One result per submission, by assignment and student.

    ``workers`` processes grade at once (default: the number of cores), across assignments, so
    one student's whole set is spread over the cores too. A submission whose record matches its
    current files and the current source and checks is not regraded unless ``force``; its
    result comes from the record (``skipped``). Ctrl-C stops the run: finished submissions keep
    their records and scores, the rest are graded by the next run.

    ``scheduler`` (a Dask scheduler's address, ``tcp://HOST:8786``): the submissions are graded
    by that cluster's workers instead (:mod:`autograder.distributed`; ``workers`` is ignored), and
    written here exactly as a local run writes them. Without it nothing imports Dask.
    """
    course_dir = Path(course_dir).resolve()
    layout = CourseLayout(course_dir)
    for assignment in submissions:
        if not layout.source(assignment).is_dir():
            raise ValueError(f"no assignment {assignment!r} under {layout.source_root()}")
    workers = max(1, workers or default_workers())
    compact_records(course_dir)  # what an interrupted run logged
    records = read_records(course_dir)
    results, todo, inputs, digests = [], [], {}, {}
    for assignment, chosen in submissions.items():
        inputs[assignment] = grading_inputs_digest(course_dir, assignment)
        done = records.get(assignment, {})
        deadlines = Deadlines.of(course_dir, assignment)
        for student in chosen if chosen is not None else submitted_students(course_dir, assignment):
            submission = submission_digest(layout.submitted(student, assignment))
            late = lateness_key(course_dir, deadlines.lateness(course_dir, assignment, student).seconds_late)
            if not force and unchanged(course_dir, assignment, student, done.get(student), submission,
                                        inputs[assignment], feedback, late):
                results.append(result_from_record(assignment, student, done[student]))
            else:
                todo.append((assignment, student))
                digests[assignment, student] = submission, late
    order = {assignment: n for n, assignment in enumerate(submissions)}

    def ordered(items: list[StudentResult]) -> list[StudentResult]:
        return sorted(items, key=lambda r: (order[r.assignment], r.student))

    if not todo:
        return ordered(results)
    workers = min(workers, len(todo))
    cluster = None
    if scheduler:  # the only place grading imports Dask
        from autograder.distributed.client import GradingCluster

        cluster = GradingCluster.connect(scheduler, sandbox.limits_from_env())
        workers = 1
    if forkserver.enabled():  # this process registers the assignments: its nbgrader imports start now
        with contextlib.suppress(RuntimeError, OSError):
            forkserver.server().ensure_started()
    context = multiprocessing.get_context("spawn")  # fresh workers: the parent holds threads (tqdm), databases
    pool = (concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up)
            if workers > 1 and cluster is None else None)
    staging = tempfile.TemporaryDirectory(prefix="course-gradebook-")
    try:
        pending = sorted({assignment for assignment, _ in todo}, key=order.get)
        # before anything is written: a broken setup grades nobody (in a worker, whose warm
        # sandbox then has the imports done; the other workers warm up meanwhile)
        if cluster is not None:
            staged = stage_new_gradebook(course_dir, Path(staging.name))
            preflight(course_dir, pending, run_cells=cluster.setup_errors)
        elif pool is not None:
            checked = pool.submit(preflight, course_dir, pending)
            for _ in range(workers - 1):
                pool.submit(int)
            staged = stage_new_gradebook(course_dir, Path(staging.name))  # meanwhile
            checked.result()
        else:
            _warm_up()
            staged = stage_new_gradebook(course_dir, Path(staging.name))
            preflight(course_dir, pending)
        ensure_students(course_dir, sorted({student for _, student in todo}), staged)
        skipped = len(results)
        bar = tqdm(total=len(todo), desc="grading", unit="submission", disable=not progress,
                   bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]")
        failures = 0
        full_marks: dict[str, float] = {}
        observed: dict[str, list[float]] = {}  # seconds per submission, in this run

        def estimate(assignment: str, student: str) -> float:
            return expected_seconds(records, assignment, student, observed)

        def finish(result: StudentResult) -> None:
            nonlocal failures
            if result.graded:
                observed.setdefault(result.assignment, []).append(result.seconds)
            result.max_score = result.max_score or full_marks[result.assignment]
            submission, late = digests[result.assignment, result.student]
            write_record(course_dir, result, submission, inputs[result.assignment], late)
            results.append(result)
            failures += not result.graded
            bar.set_postfix(failures=failures, skipped=skipped, refresh=False)
            bar.update(1)

        with tempfile.TemporaryDirectory(prefix="course-grading-") as scratch:
            def prepare(assignment: str) -> Path:
                """Register ``assignment`` (while the workers grade others) and make the template
                of its in-kernel gradebook."""
                ensure_registered(course_dir, assignment, registration_digest(course_dir, assignment,
                                                                              inputs[assignment]))
                full_marks[assignment] = max_score(course_dir, assignment)
                folder = Path(scratch) / assignment
                folder.mkdir()
                return kernel_gradebook(course_dir, assignment, sorted({s for a, s in todo if a == assignment}),
                                        folder)

            jobs = list(todo)
            try:
                if cluster is not None:
                    cluster.grade(course_dir, jobs, prepare, feedback, finish, estimate)
                elif pool is None:
                    templates: dict[str, Path] = {}
                    while jobs:
                        assignment, student = pop_longest(jobs, estimate)
                        if assignment not in templates:
                            templates[assignment] = prepare(assignment)
                        finish(grade_student_safely(course_dir, assignment, student, feedback, None,
                                                    templates[assignment]))
                else:
                    grade_in_parallel(pool, workers, course_dir, jobs, prepare, feedback, finish, estimate)
            finally:
                bar.close()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if cluster is not None:
            cluster.close()
        staging.cleanup()
        compact_records(course_dir)
    return ordered(results)


def expected_seconds(records: dict, assignment: str, student: str,
                      observed: dict[str, list[float]] | None = None) -> float:
    """How long a submission should take: its last grading in the records, else the mean of its
    assignment there, else the mean of its assignment's submissions graded so far in this run;
    unknown counts as long (so each assignment is timed early)."""
    done = records.get(assignment, {})
    if student in done:
        return float(done[student].get("seconds", 0.0))
    seconds = [float(r.get("seconds", 0.0)) for r in done.values()] or (observed or {}).get(assignment, [])
    return sum(seconds) / len(seconds) if seconds else float("inf")


def longest_first(jobs: list[Job], estimate: Estimate) -> list[Job]:
    """The order in which :func:`grade_class` hands out ``jobs``: the longest expected first (by
    ``estimate(assignment, student)``, e.g. :func:`expected_seconds`), ties in their given order."""
    remaining = list(jobs)
    return [pop_longest(remaining, estimate) for _ in range(len(jobs))]


def pop_longest(jobs: list[Job], estimate: Estimate) -> Job:
    """Remove and return the job expected to take longest (the first such): longest first, so
    that the short ones fill the end and no worker is left alone with a long one."""
    job = max(jobs, key=lambda job: estimate(*job))
    jobs.remove(job)
    return job


def grade_in_parallel(pool: concurrent.futures.ProcessPoolExecutor, workers: int, course_dir: Path,
                      jobs: list[Job], prepare, feedback: bool, finish,
                      estimate: Estimate | None = None, grade=None) -> None:
    """Grade ``jobs`` (assignment, student), longest first by ``estimate(assignment, student)``
    (else in their order), in the worker ``pool`` with ``grade`` (:func:`grade_student_safely`);
    ``finish`` runs here, in order of completion.

    An assignment's jobs are handed out once ``prepare(assignment)`` (registration: the kernel
    gradebook's template) has run here. It runs while the workers grade: one job more than the
    workers is kept queued, and the next assignment is prepared while waiting.
    """
    grade = grade or grade_student_safely
    estimate = estimate or (lambda assignment, student: 0.0)
    queue = list(jobs)
    templates: dict[str, Path] = {}
    running: dict[concurrent.futures.Future, tuple[str, str]] = {}
    failed: list[Exception] = []

    def ready(assignment: str) -> bool:
        if assignment not in templates and not failed:
            try:
                templates[assignment] = prepare(assignment)
            except Exception as error:  # noqa: BLE001 - raised once the running jobs are recorded
                failed.append(error)
                queue.clear()
        return assignment in templates

    try:
        while queue or running:
            while queue and len(running) <= workers:
                assignment, student = pop_longest(queue, estimate)
                if not ready(assignment):
                    break
                future = pool.submit(grade, course_dir, assignment, student, feedback, None, templates[assignment])
                running[future] = (assignment, student)
            upcoming = next((a for a, _ in sorted(queue, key=lambda job: -estimate(*job)) if a not in templates), None)
            if upcoming is not None and running:
                ready(upcoming)
                done = [future for future in running if future.done()]
            elif running:
                done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            else:
                done = []
            for future in done:
                assignment, student = running.pop(future)
                try:
                    result = future.result()
                except concurrent.futures.process.BrokenProcessPool:
                    raise
                except Exception as error:  # noqa: BLE001 - a grading bug must not stop the class
                    result = StudentResult(student, assignment, problems=[f"grading failed: {error!r}"])
                finish(result)
    except BaseException:  # Ctrl-C: let each worker stop its nbgrader and sandbox, then wait
        for future in running:
            future.cancel()
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGINT)
        raise
    if failed:
        raise failed[0]
