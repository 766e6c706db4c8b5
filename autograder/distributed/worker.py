"""The worker side of grading on Dask: a worker plugin that the client registers, and the task
functions that workers run.

:class:`GraderPlugin` (registered by :class:`~autograder.distributed.client.GradingCluster` on
every worker, present and future) compares the worker's :class:`~autograder.distributed.versions.
GraderVersions` with the client's and checks isolation: a worker without bubblewrap refuses unless
it was started with ``COURSE_SANDBOX=off``. A worker that accepts starts its warm processes (the
fork server and the warm sandbox that local grading uses, once per worker process) and then offers
the Dask resource named after the client's versions, which every grading task requires: a worker
that refused never receives one. The verdict, with the reasons, is what :func:`worker_verdict`
returns to the client.

Each grading task is one :class:`~autograder.pipeline.submission_job.SubmissionJob` in plain data
whose assignment is named by its digest (:func:`job_message`), plus the assignment itself as the
result of another task (:func:`load_assignment`: computed once per assignment, copied to each
worker once by Dask, digest-checked); the outcome goes back in plain data. Nothing here reads or
writes a course directory: a worker starts in a folder of its own.

Started with ``dask worker tcp://HOST:8786 --nthreads 1 --preload autograder.distributed.worker``,
a worker starts its warm processes before any client comes (:func:`dask_setup`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import threading
from dataclasses import asdict, dataclass, fields

from distributed import WorkerPlugin

from autograder import settings
from autograder.distributed.versions import GraderVersions
from autograder.isolation import forkserver, sandbox, warm_sandbox
from autograder.pipeline.one_submission import grade_submission
from autograder.pipeline.schedule import setup_errors
from autograder.pipeline.submission_job import AssignmentCopy, StaleAssignment, SubmissionJob

logger = logging.getLogger(__name__)


def limits_from_json(data: dict) -> sandbox.Limits:
    known = {f.name for f in fields(sandbox.Limits)}
    return sandbox.Limits(**{name: value for name, value in data.items() if name in known})


@dataclass(frozen=True)
class AssignmentPackage:
    """An assignment as workers receive it, once each: its copy and the in-kernel gradebook template
    the client made for it."""

    copy: AssignmentCopy
    kernel_gradebook: bytes | None

    def to_json(self) -> dict:
        template = self.kernel_gradebook
        return {"copy": asdict(self.copy),
                "kernel_gradebook": None if template is None else base64.b64encode(template).decode("ascii")}

    @classmethod
    def from_json(cls, data: dict) -> AssignmentPackage:
        template = data.get("kernel_gradebook")
        return cls(AssignmentCopy(**data["copy"]), None if template is None else base64.b64decode(template))


def job_message(job: SubmissionJob) -> dict:
    """The plain data of ``job`` as a task carries it: its assignment named by name and digest only
    (the assignment reaches each worker once, apart)."""
    message = job.to_json()
    message["assignment"] = {"name": job.assignment.name, "digest": job.assignment.digest}
    message["in_kernel_gradebook"] = None
    return message


def job_from_message(message: dict, package: AssignmentPackage) -> SubmissionJob:
    """The job again, with the worker's copy of its assignment; :class:`StaleAssignment` when that
    copy is not the one the job was made with, or does not match its own digest."""
    wanted = message["assignment"]
    if package.copy.name != wanted["name"] or package.copy.digest != wanted["digest"]:
        raise StaleAssignment(f"assignment {wanted['name']!r}: this worker holds {package.copy.name!r} with digest "
                              f"{package.copy.digest[:12]}, the job expects {wanted['digest'][:12]}")
    package.copy.check()
    template = package.kernel_gradebook
    return SubmissionJob.from_json({**message, "assignment": asdict(package.copy),
                                    "in_kernel_gradebook": None if template is None else
                                    base64.b64encode(template).decode("ascii")})


@dataclass(frozen=True)
class WorkerVerdict:
    """Whether this worker process grades for a client, and why not."""

    accepted: bool
    reasons: tuple[str, ...] = ()
    isolation: bool = True

    def to_json(self) -> dict:
        return {"accepted": self.accepted, "reasons": list(self.reasons), "isolation": self.isolation}

    @classmethod
    def from_json(cls, data: dict) -> WorkerVerdict:
        return cls(bool(data["accepted"]), tuple(data.get("reasons", ())), bool(data.get("isolation", True)))


_VERDICTS: dict[str, WorkerVerdict] = {}  # client versions digest -> this process's verdict


def judge(client: GraderVersions) -> WorkerVerdict:
    """This process's verdict for a client with ``client``'s versions."""
    reasons = [f"versions differ: {difference}" for difference in GraderVersions.current().differences(client)]
    if sandbox.bwrap() is None and settings.sandbox_enabled():
        reasons.append("bubblewrap (bwrap) is not installed on this worker, so student code would run without "
                       f"isolation: install it, or start the worker with {settings.SANDBOX}=off to grade without it")
    return WorkerVerdict(not reasons, tuple(reasons), sandbox.isolation_available())


_WARMING = threading.Lock()  # the preload's warm-up and the plugin's may overlap


def warm_up(limits: sandbox.Limits) -> None:
    """Start this process's fork server and warm sandbox (as a local grading worker does)."""
    with _WARMING:
        if forkserver.enabled():
            with contextlib.suppress(RuntimeError, OSError):
                forkserver.server().warm()
        with contextlib.suppress(OSError):
            warm_sandbox.provide(limits)


def cool_down() -> None:
    """Stop this process's warm sandbox and fork server (a worker that closes)."""
    with _WARMING:
        warm_sandbox.close()
        forkserver.close()


def warm_processes() -> list[int]:
    """The process ids of this worker process's zygote and fork server (run by ``Client.run``)."""
    server = forkserver.server()
    return [pid for pid in (warm_sandbox.owned_pid(), server.process.pid if server.process else None) if pid]


def resource_name(client: GraderVersions) -> str:
    """The Dask resource a worker offers once it accepted a client with these versions."""
    return f"course-grader-{client.digest}"


class GraderPlugin(WorkerPlugin):
    """Registered by the client on every worker (those that join later too): checks versions and
    isolation, warms up, then offers the grading resource (see the module's docstring)."""

    def __init__(self, client_versions: dict, limits: dict) -> None:
        self.client_versions = client_versions
        self.limits = limits

    async def setup(self, worker) -> None:
        stop_profiling(worker)
        client = GraderVersions.from_json(self.client_versions)
        verdict = judge(client)
        if not verdict.accepted:
            _VERDICTS[client.digest] = verdict
            logger.error("this worker refuses to grade: %s", "; ".join(verdict.reasons))
            return
        await asyncio.get_running_loop().run_in_executor(None, warm_up, limits_from_json(self.limits))
        await worker.set_resources(**{resource_name(client): 1})
        _VERDICTS[client.digest] = verdict

    def teardown(self, worker) -> None:
        cool_down()


def worker_verdict(digest: str) -> dict | None:
    """This worker's verdict for the client whose versions have ``digest`` (None: not decided yet);
    run on every worker by ``Client.run``."""
    verdict = _VERDICTS.get(digest)
    return None if verdict is None else verdict.to_json()


def load_assignment(package: dict) -> AssignmentPackage:
    """Task: an assignment's package from its plain data, digest-checked (a worker that holds it gives
    it to the others)."""
    loaded = AssignmentPackage.from_json(package)
    loaded.copy.check()
    return loaded


def grade_job(message: dict, package: AssignmentPackage) -> dict:
    """Task: grade one submission (:func:`~autograder.pipeline.one_submission.grade_submission`) and
    return its outcome in plain data."""
    return grade_submission(job_from_message(message, package)).to_json()


def run_setup_cells(cells: list[tuple[str, str]], limits: dict) -> list[dict]:
    """Task: the grading preflight (:func:`autograder.pipeline.schedule.setup_errors`) on this worker."""
    return setup_errors([tuple(cell) for cell in cells], limits_from_json(limits))


def stop_profiling(worker) -> None:
    """Stop the worker's statistical profiler: it samples every thread's stack every 10 ms, and
    grading with it on took 558 s instead of 509 s for the class of 40 on two worker processes
    (BENCHMARKS.md). Grading needs no profile of its task thread."""
    for name in ("profile", "profile-cycle"):
        callback = worker.periodic_callbacks.pop(name, None)
        if callback is not None:
            callback.stop()


def dask_setup(worker) -> None:
    """``--preload autograder.distributed.worker``: stop the profiler and start the warm processes
    (with this worker's limits) while no client is there yet; a client with other limits replaces
    the warm sandbox."""
    stop_profiling(worker)
    threading.Thread(target=warm_up, args=(sandbox.limits_from_env(),), name="course-warm-up", daemon=True).start()


def dask_teardown(worker) -> None:
    """The worker closes: stop its warm processes (the zygote would outlive it otherwise)."""
    cool_down()
