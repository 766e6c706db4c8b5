"""A warm sandbox: one bubblewrap sandbox per grading process that forks each submission's function
server (:mod:`autograder.isolation.function_server`) and kernel from a process with the imports done.

A fresh sandboxed process spends 1-4 s starting Python and importing NumPy, scikit-learn, Matplotlib
and TensorFlow/Keras before it runs a student's first line. Here one sandboxed process (the *zygote*)
imports them once and forks a child per request. No submission can change what a later one sees,
because nothing it can write outlives it:

- every child gives up root before it runs anything: it runs as :data:`sandbox.SANDBOX_UID`, which
  owns nothing the sandbox keeps, so it can neither signal, trace nor re-limit the zygote, nor
  write to the zygote's folders or to the root of the runtime folder;
- every child then gets namespaces of its own (user, mount, IPC, network, UTS): new in-memory
  ``/tmp``, ``/dev/shm`` and scratch folders (so a new ``HOME``, ``IPYTHONDIR``, Jupyter and
  Matplotlib configuration; the sandbox's read-only folders beneath them, a checkout or an
  environment under ``/tmp``, are mounted there again, still read-only), no System V IPC or
  abstract sockets shared with anyone, and no capability left (the mounts it inherits are
  locked: it cannot uncover what lies beneath);
- a submission holds one connection to the zygote; when it closes (or the grader dies), the
  zygote kills every other process in the sandbox's PID namespace and checks that none is left
  (else it exits, and the owner starts a new sandbox) before it accepts the next connection;
- a kernel's sockets go to a folder of its own under the runtime folder, made by the owner for
  that kernel and removed after it; the kernel launcher on the host caps its size;
- the sandbox (zygote and children) has a memory cgroup of its own, capped at
  ``limits.sandbox_memory_bytes``: pages the address-space limit does not see (in-memory files,
  ``memfd``) count there, and its out-of-memory kills (children first) stay inside it;
- the zygote is not dumpable, keeps only the capabilities to switch identity and to kill, and never
  runs student code; the owner checks it (it answers, it is clean, the runtime folder is as made)
  before and after each submission and replaces it when anything is off.

Children run as another identity only where the grader is root (the course machines, CI); where it is
not, grading does not use a warm sandbox and starts a fresh sandbox per process instead
(:func:`sandbox.separate_identity_available`). Where isolation is off, grading does not use this either
(nothing would contain the children); see :class:`autograder.scoring.function_client.FunctionServer`.

The zygote, inside the sandbox, is :mod:`autograder.isolation.zygote`; this module is the owner's
side (start, check, replace) and the client's (ask the zygote for a function server or a kernel).
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from autograder import settings
from autograder.isolation import launch, processes, sandbox, zygote

ENV_VAR = settings.WARM_SANDBOX  # where a grading process's trusted checks find its zygote


# ------------------------------------------------------------------------------ the owner side
class WarmSandbox:
    """The grading process's zygote: started on demand, checked before and after each submission."""

    def __init__(self, limits: sandbox.Limits):
        self.limits = limits
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None
        self.cgroup: sandbox.TaskCgroup | None = None
        self.memory: sandbox.MemoryCgroup | None = None
        self.memory_kills = 0  # the out-of-memory kills in its cgroup when last checked
        self.answered = False
        self.damaged = False  # something the owner found that a check of the zygote cannot see
        self.runtime_mounted = False

    @property
    def socket_path(self) -> Path:
        assert self.folder is not None
        return self.folder / "zygote.sock"

    @property
    def runtime(self) -> Path:
        """The root of the kernels' folders (connection files, ipc sockets): bound into the sandbox."""
        assert self.folder is not None
        return self.folder / "runtime"

    def start(self) -> None:
        self.close()
        self.answered = self.damaged = False
        zygote.HOST_FOLDER.mkdir(mode=0o1777, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix="course-warm-", dir=zygote.HOST_FOLDER))
        scratch = self.folder / "scratch"
        scratch.mkdir()
        self.runtime.mkdir()
        self.runtime.chmod(zygote.RUNTIME_MODE)
        # in memory and capped: a kernel's writes (files it deletes while it holds them open, too)
        # never reach the host's disk, and cannot fill another worker's folder
        options = f"size={int(self.limits.disk_bytes)},mode=0{zygote.RUNTIME_MODE:o}".encode()
        self.runtime_mounted = zygote.LIBC.mount(b"tmpfs", str(self.runtime).encode(), b"tmpfs",
                                                 zygote.MS_NOSUID | zygote.MS_NODEV, options) == 0
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(str(self.socket_path))
        listener.listen(4)
        env = {key: value for key, value in os.environ.items() if key in sandbox.ENV_ALLOWLIST}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.cgroup = sandbox.TaskCgroup(self.limits.max_tasks + 16)  # + the zygote's own threads
        self.memory = sandbox.MemoryCgroup(self.limits.sandbox_memory_bytes)
        self.memory_kills = 0
        argv = launch.python_command("autograder.isolation.zygote", [str(listener.fileno()),
                                     str(int(self.limits.disk_bytes)), str(self.runtime.resolve())])
        try:
            self.process = subprocess.Popen(
                sandbox.command(argv, scratch, environ=env, limits=self.limits, binds=[self.runtime],
                                keep_caps=zygote.ZYGOTE_CAPS),
                pass_fds=(listener.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, cwd=scratch, env=env,
                preexec_fn=sandbox.preexec(self.limits, self.cgroup.join_file(), [self.memory.join_file()]))
        finally:
            listener.close()

    def problem(self, timeout: float = 5.0) -> str | None:
        """Why this sandbox may not take the next submission, or None when it may: the zygote
        answers, has no other process and its folders are empty, and the runtime folder holds
        nothing and is as it was made."""
        if self.damaged:
            return "damaged"
        if self.memory is not None and self.memory.out_of_memory_kills() > self.memory_kills:
            self.memory_kills = self.memory.out_of_memory_kills()
            return f"a process reached the sandbox's memory limit ({self.limits.sandbox_memory_bytes / 2**30:g} GiB)"
        if self.process is None or self.process.poll() is not None:
            return "the zygote is not running"
        if not self.answered:  # the first answer comes after the imports
            timeout = max(timeout, zygote.START_SECONDS)
        try:
            with connect(self.socket_path, timeout) as conn:
                zygote.send_message(conn, {"op": "ping"})
                reply = _receive(conn, timeout)
        except (OSError, ValueError):
            return "the zygote does not answer"
        self.answered = "pong" in reply
        if not self.answered:
            return "the zygote does not answer"
        if reply.get("clean") is not True:
            return "the zygote reports processes or files left"
        try:
            info = self.runtime.lstat()
            left = os.listdir(self.runtime)
        except OSError:
            return "the runtime folder is gone"
        if left or info.st_uid != os.geteuid() or (info.st_mode & 0o7777) != zygote.RUNTIME_MODE:
            return "the runtime folder was changed"
        return None

    def healthy(self, timeout: float = 5.0) -> bool:
        return self.problem(timeout) is None

    def ensure(self) -> None:
        if not self.healthy():
            self.start()

    @contextlib.contextmanager
    def kernel_folder(self) -> Iterator[Path]:
        """A new folder for one kernel's connection file and sockets, that only the sandbox's
        identity may write to; removed afterwards (after the zygote has killed the kernel)."""
        folder = self.runtime / f"kernel-{uuid.uuid4().hex[:12]}"
        folder.mkdir(mode=0o700)
        os.chown(folder, sandbox.SANDBOX_UID, sandbox.SANDBOX_GID)
        try:
            yield folder
        finally:
            self.healthy()  # answers once the zygote has cleaned up after the kernel's connection
            try:
                shutil.rmtree(folder)
            except OSError:
                self.damaged = True  # something still writes there: this sandbox is not used again

    def description(self) -> str:
        """The value of :data:`ENV_VAR` for the trusted checks."""
        return json.dumps({"socket": str(self.socket_path), "runtime": str(self.runtime.resolve()),
                           "limits": asdict(self.limits)})

    def close(self) -> None:
        if self.process is not None:
            processes.kill_group(self.process.pid)
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
            self.process = None
        for group in (self.cgroup, self.memory):
            if group is not None:
                group.close()
        self.cgroup = self.memory = None
        if self.folder is not None:
            if self.runtime_mounted:
                zygote.LIBC.umount2(str(self.runtime).encode(), 2)  # MNT_DETACH
                self.runtime_mounted = False
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def connect(path: Path, timeout: float) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    conn.settimeout(timeout)
    try:
        conn.connect(str(path))
    except OSError:
        conn.close()
        raise
    return conn


def _receive(conn: socket.socket, timeout: float) -> dict:
    conn.settimeout(timeout)
    data = conn.recv(zygote.MESSAGE_BYTES)
    if not data:
        raise OSError("the zygote closed the connection")
    reply = json.loads(data)
    if not isinstance(reply, dict):
        raise ValueError("not a message")
    return reply


_OWNED: WarmSandbox | None = None


def available() -> bool:
    """Whether this machine grades with warm sandboxes (isolation on, and the grader is root, so
    that the children can run as another identity)."""
    return sandbox.separate_identity_available() and not settings.warm_sandbox_disabled()


def provide(limits: sandbox.Limits) -> None:
    """Make sure this process has a healthy zygote for ``limits`` (a new one if the last one is
    not: see :meth:`WarmSandbox.problem`) and advertise it in :data:`ENV_VAR` (the trusted checks,
    forked from this process, inherit it). Does nothing where warm sandboxes are not available."""
    global _OWNED
    if not available():
        os.environ.pop(ENV_VAR, None)
        return
    if _OWNED is None or _OWNED.limits != limits:
        close()
        _OWNED = WarmSandbox(limits)
        atexit.register(_OWNED.close)
    _OWNED.ensure()
    os.environ[ENV_VAR] = _OWNED.description()


def problem(limits: sandbox.Limits) -> str | None:
    """What is wrong with this process's warm sandbox for ``limits`` after a submission, or None
    (also None where there is none: a fresh sandbox is made per process then)."""
    if _OWNED is None or _OWNED.limits != limits or not available():
        return None
    return _OWNED.problem()


def replace(limits: sandbox.Limits) -> None:
    """Start a new warm sandbox for ``limits`` (the last one is closed, whatever its state)."""
    if _OWNED is not None and _OWNED.limits == limits:
        _OWNED.close()
    provide(limits)


def close() -> None:
    """Close this process's warm sandbox, if it has one (a Dask worker that stops: its atexit may
    never run)."""
    global _OWNED
    if _OWNED is not None:
        _OWNED.close()
        _OWNED = None
    os.environ.pop(ENV_VAR, None)


def owned_pid() -> int | None:
    """The process id of this process's zygote (its sandbox's process group), if it has one."""
    return _OWNED.process.pid if _OWNED is not None and _OWNED.process is not None else None


@contextlib.contextmanager
def kernel_folder(limits: sandbox.Limits, fallback: Path) -> Iterator[Path]:
    """The folder for one in-kernel run's connection file and sockets: a new one under the warm
    sandbox's runtime folder (its zygote forks the kernel), else ``fallback`` (a fresh sandboxed
    kernel binds it)."""
    if _OWNED is not None and _OWNED.limits == limits and _OWNED.process is not None and available():
        with _OWNED.kernel_folder() as folder:
            yield folder
    else:
        fallback.mkdir(exist_ok=True)
        yield fallback


# ----------------------------------------------------------------------------- the client side
class WarmChild:
    """A function server forked by the zygote; quacks like the ``Popen`` it replaces."""

    def __init__(self, conn: socket.socket, pid: int):
        self.conn, self.pid, self.returncode = conn, pid, None

    def poll(self) -> int | None:
        if self.returncode is None and self.conn is not None:
            with contextlib.suppress(OSError, ValueError):
                while select.select([self.conn], [], [], 0)[0]:
                    data = self.conn.recv(zygote.MESSAGE_BYTES)
                    if not data:  # the zygote is gone, and the child with it
                        self.returncode = -signal.SIGKILL
                        break
                    message = json.loads(data)
                    if "exited" in message:
                        self.returncode = int(message["exited"])
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = time.monotonic() + (timeout or 0)
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        """Close the connection: the zygote kills the child and cleans the sandbox."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
            if self.returncode is None:
                self.returncode = -signal.SIGKILL


def _description(limits: sandbox.Limits) -> dict | None:
    """This grading process's zygote (from :data:`ENV_VAR`) if it was made for ``limits``."""
    raw = settings.warm_sandbox_description()
    if not raw or not sandbox.isolation_available():
        return None
    try:
        description = json.loads(raw)
    except ValueError:
        return None
    return description if isinstance(description, dict) and description.get("limits") == asdict(limits) else None


def kernel_runtime(limits: sandbox.Limits) -> Path | None:
    """The runtime folder of this grading process's zygote, or None (no zygote here)."""
    description = _description(limits)
    return Path(description["runtime"]) if description else None


def _request(limits: sandbox.Limits, message: dict, fds: list[int], timeout: float) -> WarmChild | None:
    description = _description(limits)
    if description is None:
        return None
    try:
        conn = connect(Path(description["socket"]), timeout)
    except (OSError, KeyError, TypeError):
        return None
    try:
        data = json.dumps(message).encode()
        if fds:
            socket.send_fds(conn, [data], list(fds))
        else:
            conn.send(data)
        reply = _receive(conn, timeout)
        if "forked" not in reply:
            raise OSError(f"the zygote refused: {reply}")
        conn.setblocking(True)
        return WarmChild(conn, int(reply["forked"]))
    except (OSError, ValueError):
        conn.close()
        return None


def _allowed(env: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in env.items() if key in sandbox.ENV_ALLOWLIST}


def fork_function_server(request_fd: int, reply_fd: int, limits: sandbox.Limits, env: dict[str, str],
                         timeout: float = 60.0) -> WarmChild | None:
    """A function server from this grading process's zygote, or None (no zygote for these
    limits, or it does not answer: the caller starts a fresh sandboxed process)."""
    return _request(limits, {"op": "fork", "memory_bytes": limits.memory_bytes, "env": _allowed(env)},
                    [request_fd, reply_fd], timeout)


def start_kernel(connection_file: Path, limits: sandbox.Limits, env: dict[str, str],
                 timeout: float = 60.0) -> WarmChild | None:
    """An ipykernel from the zygote for ``connection_file`` (which must be in a kernel folder of
    :func:`kernel_runtime`), or None (the launcher then starts a fresh sandboxed kernel).

    The zygote cannot read the connection file (only the kernel's identity and root may): this
    process reads it and sends what it holds."""
    runtime = kernel_runtime(limits)
    connection_file = Path(connection_file).resolve()
    if runtime is None or connection_file.parent.parent != runtime.resolve():
        return None
    try:
        connection = json.loads(connection_file.read_text())
    except (OSError, ValueError):
        return None
    kernel_env = {**_allowed(env), "IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/matplotlib",
                  "JUPYTER_CONFIG_DIR": "/tmp/jupyter/config", "JUPYTER_DATA_DIR": "/tmp/jupyter/data",
                  "JUPYTER_RUNTIME_DIR": "/tmp/jupyter/runtime", "XDG_CONFIG_HOME": "/tmp/config",
                  "XDG_CACHE_HOME": "/tmp/cache"}
    return _request(limits, {"op": "kernel", "connection": connection,
                             "memory_bytes": limits.memory_bytes, "env": kernel_env}, [], timeout)
