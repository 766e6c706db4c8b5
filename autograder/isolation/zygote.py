"""The warm sandbox's zygote, inside the sandbox: imports the notebooks' libraries once, then forks
one child per request (a function server or a kernel) that gives up root, gets namespaces and
folders of its own, and runs the student's code; after each connection it kills what is left and
checks that the sandbox is clean. See :mod:`autograder.isolation.warm_sandbox` for why it is safe
and for the owner's side.

``python -m autograder.isolation.zygote LISTEN_FD DISK_BYTES RUNTIME`` (started by
:class:`autograder.isolation.warm_sandbox.WarmSandbox` through
:func:`autograder.isolation.launch.python_command`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import select
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from autograder.isolation import preload, processes, sandbox

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



LIBC = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNS, _CLONE_NEWUTS, _CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
MS_NOSUID, MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000


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
    _check(LIBC.capset(ctypes.byref(header), data), "capset")


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
    _check(LIBC.prctl(22, 2, ctypes.byref(fprog), 0, 0), "seccomp")  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def _fresh_folder(path: str, disk_bytes: int) -> None:
    options = f"size={int(disk_bytes)},mode=0700,uid={sandbox.SANDBOX_UID},gid={sandbox.SANDBOX_GID}"
    _check(LIBC.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode()),
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
    _check(LIBC.unshare(_CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWIPC | _CLONE_NEWNET | _CLONE_NEWUTS),
           "unshare")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    _check(LIBC.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "make mounts private")
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
        _check(LIBC.mount(f"/proc/self/fd/{handle}".encode(), point.encode(), None, _MS_BIND | _MS_REC, None),
               f"mount {point} again")
        os.close(handle)
    _drop_all_capabilities()
    processes.prctl(processes.PR_SET_NO_NEW_PRIVS, 1)  # (bubblewrap sets it too): no set-user-ID way back
    _forbid_keys_and_user_namespaces()


def send_message(conn: socket.socket, message: dict, fds: list[int] = ()) -> None:
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
                    send_message(conn, {"exited": os.waitstatus_to_exitcode(status)})
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
            send_message(conn, {"pong": os.getpid(), "clean": clean})
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
            send_message(conn, {"forked": pid})
        else:
            send_message(conn, {"error": "bad request"})
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


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None))
