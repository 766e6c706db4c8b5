"""Every environment variable the grader reads, one documented name or function each.

The other modules of :mod:`autograder` read the environment only through this module (the
variables a child process is *given*, such as the warm sandbox's description, are written where
that child is started, under the names defined here). Imports nothing but the standard library:
sandboxed processes import it too.
"""

from __future__ import annotations

import os

PREFIX = "COURSE_"

# The gradebook's database URL, e.g. ``postgresql://grader@/course?host=/run/postgresql``; unset:
# SQLite in the course directory (see :func:`autograder.layout.CourseLayout.gradebook`).
DB_URL = "COURSE_DB_URL"
# ``off`` (or 0, no, false): every nbgrader command and trusted check starts as a fresh process
# instead of a fork of the warm fork server (:mod:`autograder.isolation.forkserver`).
FORKSERVER = "COURSE_FORKSERVER"
# ``off``: no bubblewrap isolation even where it is installed (resource limits only).
SANDBOX = "COURSE_SANDBOX"
# A task cgroup that the in-kernel run's kernel launcher joins (set by the grader for its child).
TASK_CGROUP = "COURSE_TASK_CGROUP"
# Where a grading process's trusted checks find its warm sandbox's zygote (set by the grader).
WARM_SANDBOX = "COURSE_WARM_SANDBOX"
# Set (to anything): grade without warm sandboxes, a fresh sandbox per process.
WARM_SANDBOX_OFF = "COURSE_WARM_SANDBOX_OFF"
# A Dask scheduler's address (``tcp://HOST:8786``): ``grade`` sends the submissions to its workers
# (the ``--scheduler`` option wins); unset: grading runs on this machine.
SCHEDULER = "COURSE_SCHEDULER"
# ``1``: the notebooks' experiments run on small data and few epochs (:mod:`course.runtime`).
FAST = "COURSE_FAST"
# ``COURSE_<LIMIT>`` overrides one field of :class:`autograder.isolation.sandbox.Limits`, in its unit
# (``COURSE_CALL_SECONDS=5``, ``COURSE_MEMORY_BYTES=2147483648``): see :func:`limit_overrides`.

_OFF = {"off", "0", "no", "false"}


def db_url() -> str | None:
    """The gradebook URL from :data:`DB_URL`, or None (SQLite in the course directory)."""
    return os.environ.get(DB_URL) or None


def scheduler_address() -> str | None:
    """The Dask scheduler from :data:`SCHEDULER`, or None (grade on this machine)."""
    return os.environ.get(SCHEDULER, "").strip() or None


def forkserver_enabled() -> bool:
    return os.environ.get(FORKSERVER, "on").strip().lower() not in _OFF


def sandbox_enabled() -> bool:
    """False when :data:`SANDBOX` turns isolation off."""
    return os.environ.get(SANDBOX, "on") != "off"


def task_cgroup() -> str | None:
    return os.environ.get(TASK_CGROUP) or None


def warm_sandbox_description() -> str | None:
    return os.environ.get(WARM_SANDBOX) or None


def warm_sandbox_disabled() -> bool:
    return bool(os.environ.get(WARM_SANDBOX_OFF))


def fast_mode(default: str = "1") -> str:
    """:data:`FAST` as set, else ``default`` (sandboxed checks run fast unless told otherwise)."""
    return os.environ.get(FAST, default)


def limit_overrides(names: list[str] | tuple[str, ...]) -> dict[str, float]:
    """``{name: value}`` for each limit ``name`` set as ``COURSE_<NAME>`` (a number)."""
    values = {}
    for name in names:
        raw = os.environ.get(PREFIX + name.upper())
        if raw:
            values[name] = float(raw)
    return values
