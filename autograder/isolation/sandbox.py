"""Run untrusted code (a student's functions) in a bubblewrap sandbox with resource limits.

The sandbox sees a read-only allowlist of the file system: system directories, the Python
installation and virtual environment, and the public ``course`` and ``autograder`` packages (the
folders the grader imported them from; :mod:`autograder.isolation.launch` makes every Python it starts
import those).
It does not see ``source/`` (solutions, hidden tests), ``tests/``, the git history, the course
directory (other submissions, the gradebook) or the network; it can write only to its own
scratch directory and a private ``/tmp``. Processes run in a private PID namespace and die with
the grader.

Limits: address space (``RLIMIT_AS``), file size (``RLIMIT_FSIZE``), no core dumps, and a cap
on processes and threads: a cgroup ``pids.max`` where the cgroup file system is writable
(as root on the course machines), else ``RLIMIT_NPROC`` (which the kernel does not apply to
root). Wall-clock limits are enforced by the caller, which kills the process group.

Where bubblewrap is not installed, :func:`command` runs the code unsandboxed (limits still
apply) and :func:`isolation_warning` says so; the grading command prints that warning.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder import settings
from autograder.isolation import launch, processes

PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")
MEMORY_CGROUP_ROOT = Path("/sys/fs/cgroup/memory")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process (and everything it starts)."""

    cell_seconds: float = 120.0  # one cell of nbgrader's in-kernel run
    call_seconds: float = 60.0  # one call of a student function
    startup_seconds: float = 120.0  # running the setup and answer cells
    submission_seconds: float = 900.0  # all trusted checks of one submission
    memory_bytes: int = 4 * 2**30  # address space; TensorFlow needs about 2 GiB of it
    max_tasks: int = 256  # processes and threads (TensorFlow starts a few dozen threads)
    file_bytes: int = 64 * 2**20  # largest file the sandbox may write
    disk_bytes: int = 256 * 2**20  # each in-memory folder it may write to (/tmp, its scratch)
    # everything one warm sandbox holds at once (its zygote, a kernel or function server, their
    # in-memory folders), where memory cgroups are writable
    sandbox_memory_bytes: int = 6 * 2**30
    output_bytes: int = 2 * 2**20  # output kept from one notebook's in-kernel run


DEFAULT_LIMITS = Limits()


def limits_from_env() -> Limits:
    """The default limits, overridden by ``COURSE_<NAME>`` variables (``COURSE_CALL_SECONDS=5``)."""
    overrides = settings.limit_overrides(tuple(Limits.__dataclass_fields__))
    return Limits(**{name: type(getattr(DEFAULT_LIMITS, name))(value) for name, value in overrides.items()})


# The identity a warm sandbox's children run as: not the owner of anything the sandbox keeps
# (its folders, the zygote, the runtime folder's root), so no student's code can change what the
# next submission sees. "nobody" has a name, which some libraries look up.
SANDBOX_UID = SANDBOX_GID = 65534


def bwrap() -> str | None:
    """Path of the bubblewrap executable, or None."""
    return shutil.which("bwrap")


def isolation_available() -> bool:
    return bwrap() is not None and settings.sandbox_enabled()


def separate_identity_available() -> bool:
    """Whether sandboxed children can run as :data:`SANDBOX_UID` (the grader runs as root)."""
    return isolation_available() and os.geteuid() == 0


def isolation_warning() -> str | None:
    """A warning to print when grading runs without isolation, else None."""
    if not settings.sandbox_enabled():
        return ("WARNING: isolation is OFF (COURSE_SANDBOX=off): student code runs with the "
                "grader's file and network access; only resource limits apply.")
    if bwrap() is None:
        return ("WARNING: bubblewrap (bwrap) is not installed, so isolation is OFF: student code "
                "can read the course directory and use the network; only resource limits apply. "
                "Install it with `apt-get install bubblewrap`.")
    return None


def _readable_roots() -> list[Path]:
    """Directories the sandbox may read: system, Python, the venv, the public packages (the
    folders this process imported them from, which every sandboxed Python imports: see
    :mod:`autograder.isolation.launch`; never the rest of a checkout, nor another one)."""
    roots = [Path(p) for p in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin", "/etc")]
    roots += [Path(sys.base_prefix), Path(sys.prefix)]
    roots += list(launch.package_folders().values())
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    roots.append(keras_home)  # cached public data sets
    seen, unique = set(), []
    for root in roots:
        resolved = root.resolve() if root.exists() else None
        for path in (root, resolved):
            if path is not None and path.exists() and str(path) not in seen:
                seen.add(str(path))
                unique.append(path)
    return unique


# The only environment variables the sandbox inherits (the grader's may hold secrets).
ENV_ALLOWLIST = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", settings.FAST, "KERAS_HOME",
                 "KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL", "MPLBACKEND", "PYTHONHASHSEED",
                 "PYTHONDONTWRITEBYTECODE", "NBGRADER_EXECUTION", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                 "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def command(argv: Sequence[str], scratch: Path, writable: bool = True,
            environ: dict[str, str] | None = None, limits: Limits = DEFAULT_LIMITS,
            binds: Sequence[Path] = (), keep_caps: Sequence[str] = ()) -> list[str]:
    """``argv`` wrapped in bubblewrap (or unchanged when isolation is unavailable).

    ``scratch`` is the working folder. With ``writable=True`` the process gets an empty
    in-memory folder at that path (nothing it writes reaches the host's disk); with
    ``writable=False`` the folder is mounted read-only (the in-kernel run: files the kernel
    could plant there, such as symbolic links, would be followed by the unsandboxed grader
    afterwards). Its private ``/tmp`` and ``/dev/shm`` are in memory too; each writable folder
    holds at most ``limits.disk_bytes`` (tmpfs pages do not count against the memory limit).
    ``binds`` are host folders it may write to, at the same paths (the caller caps their size).

    ``keep_caps`` (the warm sandbox's zygote, which never runs student code) keeps those
    capabilities and leaves out the user namespace, so that the process can switch its children
    to :data:`SANDBOX_UID` (only root's uid is mapped in a namespace bubblewrap makes). It needs
    the grader to run as root: see :func:`separate_identity_available`.
    """
    if not isolation_available():
        return list(argv)
    scratch = Path(scratch).resolve()
    home = str(scratch) if writable else "/tmp"
    size = str(int(limits.disk_bytes))
    namespaces = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
                  if keep_caps else ["--unshare-all"])
    capabilities = ["--cap-drop", "ALL"] + [arg for cap in keep_caps for arg in ("--cap-add", cap)]
    wrapped = [bwrap(), *namespaces, "--die-with-parent", "--new-session", "--clearenv", *capabilities,
               "--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm",
               "--size", size, "--tmpfs", "/tmp"]
    environ = os.environ if environ is None else environ
    for name in ENV_ALLOWLIST:
        if name in environ:
            wrapped += ["--setenv", name, environ[name]]
    # the folders above each mount point are made by bubblewrap, mode 0700 unless told: another
    # identity (the warm sandbox's children) could not reach the Python installation beneath them
    mount_points = [*_readable_roots(), scratch, *(Path(folder).resolve() for folder in binds)]
    for folder in sorted({str(parent) for point in mount_points for parent in Path(point).parents} - {"/"}):
        wrapped += ["--perms", "0755", "--dir", folder]
    for root in _readable_roots():
        wrapped += ["--ro-bind", str(root), str(root)]
    wrapped += (["--size", size, "--tmpfs", str(scratch)] if writable else ["--ro-bind", str(scratch), str(scratch)])
    for folder in binds:
        wrapped += ["--bind", str(Path(folder).resolve()), str(Path(folder).resolve())]
    wrapped += ["--chdir", str(scratch),
                "--setenv", "HOME", home, "--setenv", "TMPDIR", "/tmp", "--"]
    return wrapped + list(argv)


TASK_CGROUP_ENV = settings.TASK_CGROUP  # a cgroup the in-kernel run's kernel stays in


class _Cgroup:
    """A cgroup of its own under one controller (where cgroups are writable), removed by
    :meth:`close` with every process in it killed.

    ``existing`` adopts a cgroup that another process created and will remove: this object then
    neither changes nor removes it.
    """

    def __init__(self, root: Path, controls: dict[str, int], existing: str | None = None):
        self.path: Path | None = None
        self.owned = existing is None
        if existing:
            if (Path(existing) / "cgroup.procs").exists():
                self.path = Path(existing)
            return
        if not os.access(root, os.W_OK):
            return
        path = root / f"course-grader-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
            for name, value in controls.items():
                (path / name).write_text(str(value))
        except OSError:
            with contextlib.suppress(OSError):
                path.rmdir()
            return
        self.path = path

    def join_file(self) -> str | None:
        return str(self.path / "cgroup.procs") if self.path else None

    def close(self) -> None:
        if self.path is None or not self.owned:
            self.path = None
            return
        procs = self.path / "cgroup.procs"
        for _ in range(50):
            try:
                pids = [int(p) for p in procs.read_text().split()]
            except OSError:
                break
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            try:
                self.path.rmdir()
                break
            except OSError:
                time.sleep(0.05)
        self.path = None


class TaskCgroup(_Cgroup):
    """A cgroup that caps the number of processes and threads."""

    def __init__(self, max_tasks: int, existing: str | None = None):
        super().__init__(PIDS_CGROUP_ROOT, {"pids.max": max_tasks}, existing)


class MemoryCgroup(_Cgroup):
    """A cgroup that caps the memory its processes use together, the pages the address-space
    limit does not see included (in-memory files, ``memfd`` and shared memory they write): when
    they reach the cap, the kernel's out-of-memory killer picks one of them, never a process
    outside (another worker's, the grader's)."""

    def __init__(self, memory_bytes: int):
        super().__init__(_own_memory_cgroup(), {"memory.limit_in_bytes": memory_bytes})

    def out_of_memory_kills(self) -> int:
        """How many processes the out-of-memory killer has killed in this cgroup (0 where unknown)."""
        if self.path is None:
            return 0
        with contextlib.suppress(OSError, ValueError):
            for line in (self.path / "memory.oom_control").read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill":
                    return int(value)
        return 0


def _own_memory_cgroup() -> Path:
    """The memory cgroup this process is in (new cgroups go beneath it, within its own cap)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):
                return MEMORY_CGROUP_ROOT / path.lstrip("/")
    return MEMORY_CGROUP_ROOT


def preexec(limits: Limits, cgroup_procs: str | None, also_join: Sequence[str | None] = ()) -> Callable[[], None]:
    """A ``preexec_fn`` that applies ``limits`` in the child before it executes: it joins the
    task cgroup ``cgroup_procs`` (else the process limit applies) and the cgroups of
    ``also_join`` (their ``cgroup.procs`` files)."""

    def apply() -> None:
        os.setsid()  # own process group: the caller kills the whole group on a timeout
        processes.limit_child(cgroup_procs=(*also_join, cgroup_procs), memory_bytes=limits.memory_bytes,
                              max_tasks=None if cgroup_procs else limits.max_tasks, file_bytes=limits.file_bytes,
                              no_core=True)

    return apply
