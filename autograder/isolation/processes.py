"""Process helpers, written once: death with the parent, killing a process group, a child's
resource limits and cgroups, and the disk space a folder takes.

Imports nothing but the standard library: the sandboxed kernel launcher, the fork server and the
warm sandbox's zygote (inside the sandbox) use it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
from collections.abc import Iterable
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38

_LIBC = ctypes.CDLL(None, use_errno=True)


def prctl(option: int, value: int) -> None:
    """Linux's ``prctl(option, value)``; nothing where it does not exist."""
    with contextlib.suppress(OSError, AttributeError):
        _LIBC.prctl(option, value, 0, 0, 0)


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``signum`` to this process when its parent dies (``PR_SET_PDEATHSIG``;
    a change of identity clears it, so call it after one)."""
    prctl(PR_SET_PDEATHSIG, signum)


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (ignores one that is already gone)."""
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def limit_child(*, memory_bytes: int | None = None, cgroup_procs: Iterable[str | None] = (),
                max_tasks: int | None = None, file_bytes: int | None = None, no_core: bool = False) -> None:
    """In a child before it runs anything: join the cgroups (their ``cgroup.procs`` files), then
    cap its address space, processes and threads, file size and core dumps (each when given)."""
    for join in cgroup_procs:
        if join:
            with open(join, "w") as handle:
                handle.write(str(os.getpid()))
    if max_tasks:
        resource.setrlimit(resource.RLIMIT_NPROC, (max_tasks, max_tasks))
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (int(memory_bytes), int(memory_bytes)))
    if file_bytes:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    if no_core:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def folder_bytes(folder: Path, most_entries: int = 10_000) -> int:
    """Disk space used under ``folder`` (every level; allocated blocks, so a sparse file counts for
    what it really takes). A folder that cannot be read, or of more than ``most_entries`` entries,
    counts as infinitely large: whatever hides its size is over any limit."""
    total, seen, todo = 0, 0, [Path(folder)]
    while todo:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen > most_entries:
                        return sys.maxsize
                    info = entry.stat(follow_symlinks=False)
                    total += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(Path(entry.path))
        except FileNotFoundError:
            continue
        except OSError:
            return sys.maxsize
    return total
