"""A warm sandbox: one bubblewrap sandbox per grading process that forks each submission's
function server (:mod:`autograder.isolation.function_server`) and kernel from a process with the imports done.

A fresh sandboxed process spends 1-4 s starting Python and importing NumPy, scikit-learn,
Matplotlib and TensorFlow/Keras before it runs a student's first line. Here one sandboxed
process (the *zygote*) imports them once and forks a child per request. No submission can change
what a later one sees, because nothing it can write outlives it:

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

Children run as another identity only where the grader is root (the course machines, CI); where it
is not, grading does not use a warm sandbox and starts a fresh sandbox per process instead
(:func:`sandbox.separate_identity_available`). Where isolation is off, grading does not use this
either (nothing would contain the children); see :class:`autograder.scoring.function_client.FunctionServer`.

``python -m autograder.isolation.warm_sandbox LISTEN_FD DISK_BYTES RUNTIME`` is the zygote (started by
:class:`WarmSandbox` through :func:`autograder.isolation.launch.python_command`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from autograder import settings
from autograder.isolation import launch, preload, processes, sandbox

ENV_VAR = settings.WARM_SANDBOX  # where a grading process's trusted checks find its zygote
PRELOAD = (*preload.NOTEBOOK_MODULES, "IPython.core.inputtransformer2", "autograder.isolation.function_server",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline.backend_inline")
MESSAGE_BYTES = 1 << 16
START_SECONDS = 180.0  # the zygote's imports, on a loaded machine
WRITABLE = ("/tmp", "/dev/shm")
ZYGOTE_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL")  # switch the children's identity; kill them
RUNTIME_MODE = 0o711  # the children may reach their kernel's folder, not list or change the root
KERNEL_CONNECTION = "/tmp/kernel-connection.json"  # where a warm kernel reads its connection info
# Where the owner makes the zygote's folders: not under /tmp, which every child replaces with a
# new folder (the scratch folder and the bound runtime folder would vanish beneath it).
HOST_FOLDER = Path("/var/tmp")


# ------------------------------------------------------------------------- inside the sandbox
_LIBC = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNS, _CLONE_NEWUTS, _CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_all_capabilities() -> None:
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()  # _LINUX_CAPABILITY_VERSION_3
    _check(_LIBC.capset(ctypes.byref(header), data), "capset")


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


# (audit arch, add_key, request_key, keyctl, unshare, clone, clone3) of the machines we grade on
_SYSCALLS = {"x86_64": (0xC000003E, 248, 249, 250, 272, 56, 435),
             "aarch64": (0xC00000B7, 217, 218, 219, 97, 220, 435)}


def _forbid_keys_and_user_namespaces() -> None:
    """A seccomp filter: no kernel keyrings (keys outlive their process: a channel to the next
    submission) and no new user namespaces (each one is counted for the identity machine-wide and
    can be kept alive past the clean-up: enough of them and no later child could start)."""
    arch, add_key, request_key, keyctl, unshare, clone, clone3 = _SYSCALLS[os.uname().machine]
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JSET|K, BPF_RET|K
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    new_user = _CLONE_NEWUSER
    program = [
        (ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, eperm),  # another architecture: refuse everything
        (ld, 0, 0, 0),
        (jeq, 0, 1, add_key), (ret, 0, 0, eperm),
        (jeq, 0, 1, request_key), (ret, 0, 0, eperm),
        (jeq, 0, 1, keyctl), (ret, 0, 0, eperm),
        (jeq, 0, 1, clone3), (ret, 0, 0, enosys),  # its flags are out of reach: the C library falls back to clone
        (jeq, 1, 0, unshare), (jeq, 0, 3, clone),
        (ld, 0, 0, 16),  # the first argument's low 32 bits: the namespace flags of unshare and clone
        (jset, 0, 1, new_user), (ret, 0, 0, eperm),
        (ret, 0, 0, allow),
    ]
    filters = (_SockFilter * len(program))(*[_SockFilter(*instruction) for instruction in program])
    fprog = _SockFprog(len(program), filters)
    _check(_LIBC.prctl(22, 2, ctypes.byref(fprog), 0, 0), "seccomp")  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def _fresh_folder(path: str, disk_bytes: int) -> None:
    options = f"size={int(disk_bytes)},mode=0700,uid={sandbox.SANDBOX_UID},gid={sandbox.SANDBOX_GID}"
    _check(_LIBC.mount(b"tmpfs", path.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options.encode()),
           f"mount {path}")


def _unescape_mount_path(field: str) -> str:
    """A path of ``/proc/self/mountinfo`` (spaces and the like written as octal escapes)."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), field)


def _read_only_mounts_beneath(folders: list[str]) -> list[str]:
    """The read-only mounts (the folders bubblewrap mounted for the sandbox to read) below any of
    ``folders``, outermost only: a checkout or environment under ``/tmp``, which a child's new
    ``/tmp`` would hide."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point, options = _unescape_mount_path(fields[4]), fields[5].split(",")
        if "ro" in options and any(point.startswith(folder.rstrip("/") + "/") for folder in folders):
            points.append(point)
    return sorted(p for p in set(points) if not any(p.startswith(q + "/") for q in points))


def _isolate(scratch: Path, disk_bytes: int) -> None:
    """Become :data:`sandbox.SANDBOX_UID` in namespaces of one's own, with new writable folders and
    no capabilities: what this process and its descendants do dies with them."""
    uid, gid = sandbox.SANDBOX_UID, sandbox.SANDBOX_GID
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # every capability goes with root
    processes.prctl(processes.PR_SET_DUMPABLE, 1)  # a changed identity is not dumpable, and could not map itself
    _check(_LIBC.unshare(_CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWIPC | _CLONE_NEWNET | _CLONE_NEWUTS),
           "unshare")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    _check(_LIBC.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "make mounts private")
    folders = [*WRITABLE, str(scratch)]
    # what the new folders would hide (the grader's packages, its Python, when they are under /tmp)
    # is mounted again at the same place, still read-only (the copies of the sandbox's mounts stay
    # locked read-only in this user namespace)
    hidden = [(point, os.open(point, os.O_PATH)) for point in _read_only_mounts_beneath(folders)
              if os.path.isdir(point)]
    for folder in folders:
        _fresh_folder(folder, disk_bytes)
    for point, handle in hidden:
        os.makedirs(point, exist_ok=True)
        _check(_LIBC.mount(f"/proc/self/fd/{handle}".encode(), point.encode(), None, _MS_BIND | _MS_REC, None),
               f"mount {point} again")
        os.close(handle)
    _drop_all_capabilities()
    processes.prctl(processes.PR_SET_NO_NEW_PRIVS, 1)  # (bubblewrap sets it too): no set-user-ID way back
    _forbid_keys_and_user_namespaces()


def _send(conn: socket.socket, message: dict, fds: list[int] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(conn, [data], list(fds))
    else:
        conn.send(data)


def _other_processes() -> list[int]:
    """Processes of this PID namespace other than bwrap's init and this one."""
    me = os.getpid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]


def _clean_sandbox() -> bool:
    """Kill every process of the namespace but this one and bwrap's init; True if none is left."""
    if os.getpid() != 2:  # bwrap's init is 1: kill(-1) would reach beyond the PID namespace
        return False
    for _ in range(1000):
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        if not _other_processes():
            return True
        time.sleep(0.002)
    return False


def _walk(folder: str) -> Iterator[os.DirEntry]:
    """Every entry under ``folder`` on its own file system (not inside the mounts below it),
    children before their folder."""
    device = os.lstat(folder).st_dev
    with os.scandir(folder) as entries:
        for entry in list(entries):
            if entry.stat(follow_symlinks=False).st_dev != device:
                continue  # a mount point (the scratch folder under /tmp, the runtime folder)
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path)
            yield entry


def _own_folders(scratch: Path) -> list[str]:
    """What the zygote's writable folders hold (nothing should change it: no child can write there)."""
    try:
        return sorted(entry.path for folder in (*WRITABLE, str(scratch)) for entry in _walk(folder))
    except OSError:
        return ["unreadable"]


def _empty_own_folders(scratch: Path) -> None:
    """Remove what the imports left (caches), but the mount points and the folders above them."""
    for folder in (*WRITABLE, str(scratch)):
        for entry in _walk(folder):
            with contextlib.suppress(OSError):
                os.rmdir(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)


def _become_child(request: dict, scratch: Path, disk_bytes: int) -> None:
    """What every child does first: its own session, death with the zygote, its own identity,
    namespaces and folders, the request's memory limit and environment."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with contextlib.suppress(OSError):  # the sandbox's memory cap: the child goes first, not the zygote
        Path("/proc/self/oom_score_adj").write_text("1000")
    _isolate(scratch, disk_bytes)
    processes.die_with_parent()  # die with the zygote (after the identity changed: that clears it)
    if os.getppid() == 1:  # the zygote died before that took effect
        os._exit(1)
    processes.limit_child(memory_bytes=int(request.get("memory_bytes") or 0))
    os.environ.clear()
    os.environ.update(request.get("env") or {})
    os.environ["HOME"] = str(scratch)
    os.chdir(scratch)  # after the mounts: the new folder, not the zygote's beneath it


def _child(request: dict, fds: list[int], scratch: Path, disk_bytes: int) -> None:
    """Become a function server (never returns)."""
    code = 1
    try:
        _become_child(request, scratch, disk_bytes)
        from autograder.isolation import function_server

        code = function_server.main([str(fds[0]), str(fds[1])])
    except BaseException:  # noqa: BLE001 - the grader sees the closed pipe
        code = 1
    os._exit(code or 0)


def _kernel_child(request: dict, scratch: Path, disk_bytes: int) -> None:
    """Become an ipykernel for the request's connection info (never returns)."""
    code = 1
    try:
        _become_child(request, scratch, disk_bytes)
        Path(KERNEL_CONNECTION).write_text(json.dumps(request["connection"]))
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=["-f", KERNEL_CONNECTION])
        code = 0
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else 1
    except BaseException:  # noqa: BLE001 - the kernel manager sees the kernel die
        code = 1
    os._exit(code)


def _valid_kernel_request(request: dict, runtime: Path | None) -> bool:
    """A kernel's ipc sockets must go to a folder of its own directly under the runtime folder."""
    connection = request.get("connection")
    if runtime is None or not isinstance(connection, dict) or connection.get("transport") != "ipc":
        return False
    ip = Path(str(connection.get("ip", "")))
    return ip.is_absolute() and ".." not in ip.parts and ip.parent.parent == runtime


def _serve_connection(conn: socket.socket, listener: socket.socket, scratch: Path, runtime: Path | None,
                      disk_bytes: int, baseline: list[str]) -> None:
    child = None
    while True:
        ready, _, _ = select.select([conn], [], [], 0.05)
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
        if not isinstance(request, dict):
            request = {}
        op = request.get("op")
        if op == "ping":
            clean = _own_folders(scratch) == baseline and not _other_processes()
            _send(conn, {"pong": os.getpid(), "clean": clean})
        elif child is None and (op == "fork" and len(fds) == 2
                                or op == "kernel" and not fds and _valid_kernel_request(request, runtime)):
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                if op == "kernel":
                    _kernel_child(request, scratch, disk_bytes)
                _child(request, fds, scratch, disk_bytes)
            child = pid
            _send(conn, {"forked": pid})
        else:
            _send(conn, {"error": "bad request"})
        for fd in fds:
            os.close(fd)


def serve(listen_fd: int, disk_bytes: int, runtime: Path | None) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    processes.prctl(processes.PR_SET_DUMPABLE, 0)  # the children cannot ptrace this process or read its memory
    processes.die_with_parent()
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
    _empty_own_folders(scratch)  # caches the imports wrote; nothing writes there after this
    baseline = _own_folders(scratch)
    while True:
        conn, _ = listener.accept()
        try:
            _serve_connection(conn, listener, scratch, runtime, disk_bytes, baseline)
        finally:
            conn.close()
            clean = _clean_sandbox()
        if not clean:
            return 3  # fail closed: the owner starts a new sandbox


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
        HOST_FOLDER.mkdir(mode=0o1777, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix="course-warm-", dir=HOST_FOLDER))
        scratch = self.folder / "scratch"
        scratch.mkdir()
        self.runtime.mkdir()
        self.runtime.chmod(RUNTIME_MODE)
        # in memory and capped: a kernel's writes (files it deletes while it holds them open, too)
        # never reach the host's disk, and cannot fill another worker's folder
        self.runtime_mounted = _LIBC.mount(b"tmpfs", str(self.runtime).encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV,
                                           f"size={int(self.limits.disk_bytes)},mode=0{RUNTIME_MODE:o}".encode()) == 0
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(str(self.socket_path))
        listener.listen(4)
        env = {key: value for key, value in os.environ.items() if key in sandbox.ENV_ALLOWLIST}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.cgroup = sandbox.TaskCgroup(self.limits.max_tasks + 16)  # + the zygote's own threads
        self.memory = sandbox.MemoryCgroup(self.limits.sandbox_memory_bytes)
        self.memory_kills = 0
        argv = launch.python_command("autograder.isolation.warm_sandbox", [str(listener.fileno()),
                                     str(int(self.limits.disk_bytes)), str(self.runtime.resolve())])
        try:
            self.process = subprocess.Popen(
                sandbox.command(argv, scratch, environ=env, limits=self.limits, binds=[self.runtime],
                                keep_caps=ZYGOTE_CAPS),
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
            timeout = max(timeout, START_SECONDS)
        try:
            with connect(self.socket_path, timeout) as conn:
                _send(conn, {"op": "ping"})
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
        if left or info.st_uid != os.geteuid() or (info.st_mode & 0o7777) != RUNTIME_MODE:
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
                _LIBC.umount2(str(self.runtime).encode(), 2)  # MNT_DETACH
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
    data = conn.recv(MESSAGE_BYTES)
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
        if _OWNED is not None:
            _OWNED.close()
        _OWNED = WarmSandbox(limits)
        import atexit

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


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None))
