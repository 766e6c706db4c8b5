"""A warm sandbox: one bubblewrap sandbox per grading process that forks each submission's
function server (:mod:`autograder.function_server`) from a process with the imports done.

A fresh sandboxed process spends 1-4 s starting Python and importing NumPy, scikit-learn,
Matplotlib and TensorFlow/Keras before it runs a student's first line. Here one sandboxed
process (the *zygote*) imports them once and forks a child per request. Between submissions
nothing of one student reaches the next:

- a submission holds one connection to the zygote; when it closes (or the grader dies), the
  zygote kills every other process in the sandbox's PID namespace (``kill(-1)``, which stops at
  the namespace) and empties the writable folders (``/tmp``, ``/dev/shm``, the scratch folder)
  before it accepts the next connection;
- the zygote is not dumpable (no ptrace, no ``/proc/PID/mem``); its listening socket is closed
  in every child; it never runs student code itself;
- the owner checks it with a ping before each submission and starts a new sandbox when it does
  not answer (a student may kill or stop it: that costs only a restart).

Each child gets the request's memory limit and environment; the sandbox's process cap
(``pids.max`` or ``RLIMIT_NPROC``) and folder sizes are the grading limits. Where isolation is
off, grading does not use this (nothing would contain the children); see
:class:`autograder.trusted.FunctionServer`.

``python -m autograder.warm_sandbox LISTEN_FD`` is the zygote (started by :class:`WarmSandbox`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from autograder import preload, sandbox

ENV_VAR = "COURSE_WARM_SANDBOX"  # where a grading process's trusted checks find its zygote
PRELOAD = (*preload.NOTEBOOK_MODULES, "IPython.core.inputtransformer2", "autograder.function_server",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline.backend_inline")
MESSAGE_BYTES = 1 << 16
START_SECONDS = 180.0  # the zygote's imports, on a loaded machine
WRITABLE = ("/tmp", "/dev/shm")


# ------------------------------------------------------------------------- inside the sandbox
def _prctl(option: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _send(conn: socket.socket, message: dict, fds: list[int] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(conn, [data], list(fds))
    else:
        conn.send(data)


def _empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        for entry in list(folder.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


def _clean_sandbox(scratch: Path, folders: list[Path]) -> None:
    """Kill every process of the namespace but this one and bwrap's init; empty the folders."""
    if os.getpid() == 2:  # bwrap's init is 1: kill(-1) reaches only this PID namespace
        for _ in range(1000):
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                break  # nothing left to signal
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            time.sleep(0.002)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    for folder in (*folders, *map(Path, WRITABLE), scratch):
        _empty(folder)


def _become_child(request: dict, scratch: Path) -> None:
    """What every child does first: its own session, death with the zygote, the request's memory
    limit and environment, the scratch folder."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the zygote
    memory = int(request.get("memory_bytes") or 0)
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.environ.clear()
    os.environ.update(request.get("env") or {})
    os.chdir(scratch)


def _child(request: dict, fds: list[int], scratch: Path) -> None:
    """Become a function server (never returns)."""
    code = 1
    try:
        _become_child(request, scratch)
        from autograder import function_server

        code = function_server.main([str(fds[0]), str(fds[1])])
    except BaseException:  # noqa: BLE001 - the grader sees the closed pipe
        code = 1
    os._exit(code or 0)


def _kernel_child(request: dict, scratch: Path) -> None:
    """Become an ipykernel for the request's connection file (never returns)."""
    code = 1
    try:
        _become_child(request, scratch)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=["-f", str(request["connection_file"])])
        code = 0
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else 1
    except BaseException:  # noqa: BLE001 - the kernel manager sees the kernel die
        code = 1
    os._exit(code)


def folder_bytes(folder: Path, most_entries: int = 10_000) -> int:
    """Bytes of the files directly in ``folder``; a folder of more than ``most_entries`` entries
    counts as infinitely large (counting them all would take too long)."""
    total = 0
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for n, entry in enumerate(entries):
            if n >= most_entries:
                return sys.maxsize
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
    return total


def _serve_connection(conn: socket.socket, listener: socket.socket, scratch: Path, bound: list[Path],
                      disk_bytes: int) -> None:
    child = None
    checked = time.monotonic()
    while True:
        ready, _, _ = select.select([conn], [], [], 0.05)
        if child is not None and time.monotonic() - checked > 0.2:
            checked = time.monotonic()
            # the bound host folders (the kernel's sockets) are on the host's disk: cap them
            if any(folder_bytes(folder) > disk_bytes for folder in bound):
                with contextlib.suppress(OSError):
                    os.killpg(child, signal.SIGKILL)
                if os.getpid() == 2:
                    with contextlib.suppress(OSError):
                        os.kill(-1, signal.SIGKILL)
        if child is not None:
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                child = None
                with contextlib.suppress(OSError):
                    _send(conn, {"exited": os.waitstatus_to_exitcode(status)})
        if not ready:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(conn, MESSAGE_BYTES, 4)
        except OSError:
            data, fds = b"", []
        if not data:
            for fd in fds:
                os.close(fd)
            return  # the submission is done (or its grader died)
        try:
            request = json.loads(data)
        except ValueError:
            request = {}
        if request.get("op") == "ping":
            _send(conn, {"pong": os.getpid()})
        elif child is None and (request.get("op") == "fork" and len(fds) == 2
                                or request.get("op") == "kernel" and not fds):
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                if request["op"] == "kernel":
                    _kernel_child(request, scratch)
                _child(request, fds, scratch)
            child = pid
            _send(conn, {"forked": pid})
        else:
            _send(conn, {"error": "bad request"})
        for fd in fds:
            os.close(fd)


def serve(listen_fd: int, disk_bytes: int, bound: list[Path]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _prctl(4, 0)  # PR_SET_DUMPABLE 0: the children cannot ptrace this process or read its memory
    _prctl(1, signal.SIGKILL)
    scratch = Path.cwd()
    sys.path[:] = [p for p in sys.path if p not in ("", str(scratch))]  # the scratch folder is writable
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    listener = socket.socket(fileno=listen_fd)
    # every import first (connections wait in the backlog): a child forked halfway through
    # would import the rest again, for nothing
    for step in preload.steps(PRELOAD):
        preload.run(step)
    while True:
        conn, _ = listener.accept()
        try:
            _serve_connection(conn, listener, scratch, bound, disk_bytes)
        finally:
            conn.close()
            _clean_sandbox(scratch, bound)


# ------------------------------------------------------------------------------ the owner side
class WarmSandbox:
    """The grading process's zygote: started on demand, checked before each submission."""

    def __init__(self, limits: sandbox.Limits):
        self.limits = limits
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None
        self.cgroup: sandbox.TaskCgroup | None = None
        self.answered = False

    @property
    def socket_path(self) -> Path:
        assert self.folder is not None
        return self.folder / "zygote.sock"

    @property
    def runtime(self) -> Path:
        """The kernels' runtime folder (connection files, ipc sockets): bound into the sandbox."""
        assert self.folder is not None
        return self.folder / "runtime"

    def start(self) -> None:
        self.close()
        self.answered = False
        self.folder = Path(tempfile.mkdtemp(prefix="course-warm-"))
        scratch = self.folder / "scratch"
        scratch.mkdir()
        self.runtime.mkdir(mode=0o700)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(str(self.socket_path))
        listener.listen(4)
        env = {key: value for key, value in os.environ.items() if key in sandbox.ENV_ALLOWLIST}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.cgroup = sandbox.TaskCgroup(self.limits.max_tasks + 16)  # + the zygote's own threads
        argv = [sys.executable, "-m", "autograder.warm_sandbox", str(listener.fileno()),
                str(int(self.limits.disk_bytes)), str(self.runtime)]
        try:
            self.process = subprocess.Popen(
                sandbox.command(argv, scratch, environ=env, limits=self.limits, binds=[self.runtime]),
                pass_fds=(listener.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, cwd=scratch, env=env,
                preexec_fn=sandbox.preexec(self.limits, self.cgroup.join_file()))
        finally:
            listener.close()

    def healthy(self, timeout: float = 5.0) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        if not self.answered:  # the first answer comes after the imports
            timeout = max(timeout, START_SECONDS)
        try:
            with connect(self.socket_path, timeout) as conn:
                _send(conn, {"op": "ping"})
                self.answered = "pong" in _receive(conn, timeout)
                return self.answered
        except (OSError, ValueError):
            return False

    def ensure(self) -> None:
        if not self.healthy():
            self.start()

    def description(self) -> str:
        """The value of :data:`ENV_VAR` for the trusted checks."""
        return json.dumps({"socket": str(self.socket_path), "runtime": str(self.runtime),
                           "limits": asdict(self.limits)})

    def close(self) -> None:
        if self.process is not None:
            sandbox.kill_group(self.process.pid)
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
            self.process = None
        if self.cgroup is not None:
            self.cgroup.close()
            self.cgroup = None
        if self.folder is not None:
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
    data = conn.recv(MESSAGE_BYTES)
    if not data:
        raise OSError("the zygote closed the connection")
    return json.loads(data)


_OWNED: WarmSandbox | None = None


def provide(limits: sandbox.Limits) -> None:
    """Make sure this process has a healthy zygote for ``limits`` and advertise it in
    :data:`ENV_VAR` (the trusted checks, forked from this process, inherit it). Does nothing
    where isolation is off."""
    global _OWNED
    if not sandbox.isolation_available() or os.environ.get(ENV_VAR + "_OFF"):
        os.environ.pop(ENV_VAR, None)
        return
    if _OWNED is None or _OWNED.limits != limits:
        if _OWNED is not None:
            _OWNED.close()
        _OWNED = WarmSandbox(limits)
        import atexit

        atexit.register(_OWNED.close)
    _OWNED.ensure()
    os.environ[ENV_VAR] = _OWNED.description()


# ----------------------------------------------------------------------------- the client side
class WarmChild:
    """A function server forked by the zygote; quacks like the ``Popen`` it replaces."""

    def __init__(self, conn: socket.socket, pid: int):
        self.conn, self.pid, self.returncode = conn, pid, None

    def poll(self) -> int | None:
        if self.returncode is None and self.conn is not None:
            with contextlib.suppress(OSError, ValueError):
                while select.select([self.conn], [], [], 0)[0]:
                    data = self.conn.recv(MESSAGE_BYTES)
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
    raw = os.environ.get(ENV_VAR)
    if not raw or not sandbox.isolation_available():
        return None
    try:
        description = json.loads(raw)
    except ValueError:
        return None
    return description if isinstance(description, dict) and description.get("limits") == asdict(limits) else None


def kernel_runtime(limits: sandbox.Limits) -> Path | None:
    """The folder a warm kernel's connection file must be in, or None (no zygote here)."""
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
    """An ipykernel from the zygote for ``connection_file`` (which must be in
    :func:`kernel_runtime`), or None (the launcher then starts a fresh sandboxed kernel)."""
    runtime = kernel_runtime(limits)
    if runtime is None or Path(connection_file).resolve().parent != runtime.resolve():
        return None
    kernel_env = {**_allowed(env), "IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/matplotlib"}
    return _request(limits, {"op": "kernel", "connection_file": str(Path(connection_file).resolve()),
                             "memory_bytes": limits.memory_bytes, "env": kernel_env}, [], timeout)


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2]), [Path(p) for p in sys.argv[3:]]))
