"""The instructor's side of grading on Dask: :class:`GradingCluster` connects to a scheduler,
registers the worker plugin (versions, isolation, warm processes: :mod:`autograder.distributed.
worker`), and grades a class's submissions there, writing each outcome here with the writer a local
run uses (:func:`autograder.pipeline.submission.write_outcome`).

What crosses the wire: per assignment, once, its :class:`~autograder.distributed.worker.
AssignmentPackage` (source, student version, nbgrader config, digest, in-kernel gradebook
template), a task whose result Dask copies to each worker that needs it; per submission, one task
with the job in plain data (the submitted files, the per-submission grading key, the limits, the
rule mode; the course secret never leaves), its priority from the longest-first order, and the
resource that only workers matching this client's versions offer, a few per worker thread ahead of
those finished (the window); back, the outcome in plain data.
Only this process writes the gradebook, the course's files and the records (through the
scheduler's ``finish``), so a submission whose worker died and was graded again elsewhere is
recorded once.
"""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import CancelledError
from dataclasses import asdict
from pathlib import Path

from distributed import Client, as_completed

from autograder.distributed.versions import GraderVersions
from autograder.distributed.worker import (
    AssignmentPackage,
    GraderPlugin,
    WorkerVerdict,
    grade_job,
    job_message,
    load_assignment,
    resource_name,
    run_setup_cells,
    worker_verdict,
)
from autograder.isolation import sandbox
from autograder.pipeline.results import StudentResult
from autograder.pipeline.schedule import GradingSetupError, GradingStopped, Job, longest_first
from autograder.pipeline.submission import assignment_copy, failed_result, submission_job, write_outcome
from autograder.pipeline.submission_job import SubmissionOutcome

CONNECT_SECONDS = 30  # to reach the scheduler
WORKERS_SECONDS = 300  # for a first worker to accept (warming up takes a minute on a busy machine)
WINDOW_PER_THREAD = 4  # submissions sent ahead per worker thread: each has the next ones queued
MIN_WINDOW = 8


class ClusterUnavailable(GradingSetupError):
    """The scheduler cannot be reached, or no worker of it can grade: nothing was graded."""


class SchedulerLost(GradingStopped):
    """The connection to the scheduler was lost in the middle of a class."""


class GradingCluster:
    """A connection to a Dask scheduler whose accepting workers grade this client's jobs."""

    def __init__(self, client: Client, address: str, limits: sandbox.Limits, versions: GraderVersions) -> None:
        self.client, self.address, self.limits, self.versions = client, address, limits, versions
        self.resource = resource_name(versions)

    @classmethod
    def connect(cls, address: str, limits: sandbox.Limits, wait_seconds: float = WORKERS_SECONDS) -> GradingCluster:
        """Connect, register the worker plugin and wait until a worker accepts (each worker that
        refuses is named on stderr with its reasons); :class:`ClusterUnavailable` when none does."""
        try:
            client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {error}. "
                                     "No student was graded.") from None
        versions = GraderVersions.current()
        cluster = cls(client, address, limits, versions)
        try:
            client.register_plugin(GraderPlugin(versions.to_json(), asdict(limits)), name=cluster.resource)
            cluster._wait_for_workers(wait_seconds)
        except BaseException:
            cluster.close()
            raise
        return cluster

    def verdicts(self) -> dict[str, WorkerVerdict | None]:
        """Each worker's verdict for this client (None: still deciding or warming up)."""
        found = self.client.run(worker_verdict, self.versions.digest)
        return {worker: None if data is None else WorkerVerdict.from_json(data) for worker, data in found.items()}

    def _wait_for_workers(self, wait_seconds: float) -> None:
        deadline = time.monotonic() + wait_seconds
        while True:
            verdicts = self.verdicts()
            accepted = [w for w, v in verdicts.items() if v is not None and v.accepted]
            refused = {w: v for w, v in verdicts.items() if v is not None and not v.accepted}
            if accepted or (verdicts and len(refused) == len(verdicts)) or time.monotonic() > deadline:
                break
            time.sleep(1)
        for worker, verdict in sorted(refused.items()):
            print(f"warning: Dask worker {worker} refuses to grade: {'; '.join(verdict.reasons)}", file=sys.stderr)
        if not accepted:
            reasons = "; ".join(f"{w}: {' / '.join(v.reasons)}" for w, v in sorted(refused.items()))
            raise ClusterUnavailable(f"no worker of the Dask scheduler at {self.address} can grade "
                                     f"({len(verdicts)} worker(s); {reasons or 'none accepted in time'}). "
                                     "No student was graded.")

    def _submit(self, function: Callable, *args, priority: int = 0, key: str):
        return self.client.submit(function, *args, priority=priority, resources={self.resource: 1}, pure=False,
                                  key=f"{key}-{uuid.uuid4().hex[:8]}")

    def setup_errors(self, cells: list[tuple[str, str]], limits: sandbox.Limits) -> list[dict]:
        """The grading preflight, run on a worker (see :func:`autograder.pipeline.schedule.preflight`)."""
        future = self._submit(run_setup_cells, [list(cell) for cell in cells], asdict(limits),
                              priority=sys.maxsize, key="course-preflight")
        try:
            return future.result()
        except CancelledError:
            raise SchedulerLost(f"the Dask scheduler at {self.address} was lost before grading started. "
                                "No student was graded.") from None

    def window(self) -> int:
        """How many submissions are sent ahead: :data:`WINDOW_PER_THREAD` per worker thread, at
        least :data:`MIN_WINDOW` (asked of the scheduler: workers that join later widen it)."""
        workers = self.client.scheduler_info()["workers"].values()
        return max(MIN_WINDOW, WINDOW_PER_THREAD * sum(int(worker.get("nthreads") or 1) for worker in workers))

    def grade(self, course_dir: Path, jobs: list[Job], prepare: Callable[[str], Path], feedback: bool,
              finish: Callable[[StudentResult], None], estimate: Callable[[str, str], float],
              window: int | None = None) -> None:
        """Grade ``jobs`` (assignment, student) on the cluster, longest first (Dask priorities), and
        ``finish`` each result here in order of completion. An assignment is prepared here
        (``prepare``: registration, the in-kernel gradebook's template) before its first job is sent.
        At most ``window`` submissions (default: :meth:`window`) are read and sent ahead of those
        finished, so neither this process nor the scheduler holds a whole class's notebooks.
        Raises :class:`SchedulerLost` when the scheduler goes away (what finished is recorded)."""
        order = longest_first(jobs, estimate)
        upcoming = iter(enumerate(order))
        packages, notebooks, running = {}, {}, {}
        completed = as_completed(loop=self.client.loop)

        def send_next() -> bool:
            """Send the next submission (a folder that cannot be read gets its 0 row at once)."""
            for rank, (assignment, student) in upcoming:
                if assignment not in packages:
                    template = prepare(assignment)
                    copy = assignment_copy(course_dir, assignment)
                    notebooks[assignment] = copy.notebook_name
                    package = AssignmentPackage(copy, Path(template).read_bytes() if template else None)
                    packages[assignment] = self._submit(load_assignment, package.to_json(), priority=sys.maxsize,
                                                        key=f"course-assignment-{assignment}")
                try:
                    job = submission_job(course_dir, assignment, student, feedback, self.limits)
                except Exception as error:  # noqa: BLE001 - an unreadable folder must not stop the class
                    finish(failed_result(course_dir, assignment, student, error))
                    continue
                future = self._submit(grade_job, job_message(job), packages[assignment], priority=len(order) - rank,
                                      key=f"course-grade-{assignment}-{student}")
                running[future] = (assignment, student)
                completed.add(future)
                return True
            return False

        def fill() -> None:
            limit = window or self.window()
            while len(running) < limit and send_next():
                pass

        try:
            fill()
            for future in completed:
                assignment, student = running.pop(future)
                finish(self._written(course_dir, future, assignment, student, notebooks[assignment], feedback))
                fill()
        except BaseException:  # Ctrl-C, the scheduler lost: nothing more is written
            for future in running:
                future.cancel()
            raise

    def _written(self, course_dir: Path, future, assignment: str, student: str, notebook: str,
                 feedback: bool) -> StudentResult:
        """Write one finished task's outcome (a failed task: its 0 row, with the reason)."""
        started = time.perf_counter()
        try:
            outcome = SubmissionOutcome.from_json(future.result())
        except CancelledError:
            raise SchedulerLost(f"the connection to the Dask scheduler at {self.address} was lost: grading stopped. "
                                "The finished submissions are recorded; run the same command again to grade the "
                                "rest.") from None
        except Exception as error:  # noqa: BLE001 - the grader failed on the worker: a 0 row, as locally
            return failed_result(course_dir, assignment, student, error)
        try:
            result = write_outcome(course_dir, outcome, notebook, feedback)
        except Exception as error:  # noqa: BLE001 - as grade_student_safely
            return failed_result(course_dir, assignment, student, error)
        result.seconds = outcome.timings.total + time.perf_counter() - started
        return result

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a client whose scheduler is gone
            self.client.close(timeout=10)
