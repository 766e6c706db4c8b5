"""A real Dask cluster on this machine, for the tests and the benchmark: ``dask scheduler`` and
``dask worker`` processes (each its own process group, stopped by :meth:`Cluster.stop`), each
worker in an empty folder of its own and, where this runs as root, in a mount namespace where a
given folder (the courses) is an empty tmpfs, so that it cannot read the course it grades."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from autograder.isolation import processes

DASK = Path(sys.executable).parent / "dask"
STARTUP_SECONDS = 120


def can_hide_folders() -> bool:
    """Whether a worker can be started unable to read a folder (root, with ``unshare``)."""
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def wait_for(condition: Callable[[], object], seconds: float, what: str):
    """``condition()`` once it is true (polled); TimeoutError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.5)
    raise TimeoutError(f"timed out waiting for {what}")


@dataclasses.dataclass
class Cluster:
    """A scheduler and its workers, each a process group started here."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]

    def stop(self) -> None:
        """SIGTERM to each ``dask`` command (a worker closes its worker processes, which stop their
        warm processes), then SIGKILL to the process groups of those that did not stop in time."""
        for group in (self.workers, [self.scheduler]):
            for process in group:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)
            for process in group:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)
                processes.kill_group(process.pid)
                process.wait(timeout=20)


def kill_processes(pids: list[int]) -> None:
    """SIGKILL each process (its whole group when it leads one: a zygote's sandbox)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(pid) == pid:
                processes.kill_group(pid)
            else:
                os.kill(pid, signal.SIGKILL)


def start_worker(address: str, folder: Path, hidden: Path | None, env: dict[str, str] | None = None,
                 worker_processes: int = 1) -> subprocess.Popen:
    """``dask worker`` (``worker_processes`` single-threaded worker processes) in the empty ``folder``,
    unable to read ``hidden`` where :func:`can_hide_folders`; its log beside the folder."""
    folder.mkdir(parents=True)
    (folder / "tmp").mkdir()
    command = ["nice", "-n", "15", str(DASK), "worker", address, "--nthreads", "1", "--nworkers", str(worker_processes),
               "--no-dashboard", "--local-directory", str(folder), "--preload", "autograder.distributed.worker"]
    if hidden is not None and can_hide_folders():
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount -t tmpfs -o size=1m hidden "$0" && exec "$@"', str(hidden), *command]
    with open(folder.parent / f"{folder.name}.log", "wb") as log:
        return subprocess.Popen(command, cwd=folder, env={**os.environ, "TMPDIR": str(folder / "tmp"), **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_cluster(folder: Path, hidden: Path | None, workers: int = 2, env: dict[str, str] | None = None,
                  worker_processes: int = 1) -> Cluster:
    """A scheduler on a free loopback port and ``workers`` workers (see :func:`start_worker`), once
    every worker process has joined."""
    from distributed import Client

    folder.mkdir(parents=True)
    scheduler_file = folder / "scheduler.json"
    with open(folder / "scheduler.log", "wb") as log:
        scheduler = subprocess.Popen(
            ["nice", "-n", "15", str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    cluster = Cluster("", scheduler, [])
    try:
        cluster.address = wait_for(lambda: scheduler_file.exists() and (json.loads(scheduler_file.read_text() or "{}")
                                                                         .get("address")),
                                   STARTUP_SECONDS, "the scheduler")
        cluster.workers = [start_worker(cluster.address, folder / f"worker-{n}", hidden, env, worker_processes)
                           for n in range(workers)]
        with Client(cluster.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers * worker_processes, timeout=STARTUP_SECONDS)
    except BaseException:
        cluster.stop()
        raise
    return cluster
