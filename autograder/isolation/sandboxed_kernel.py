"""Kernel launcher for nbgrader's in-kernel run: ipykernel inside the sandbox, over ipc sockets.

nbgrader still executes each submitted notebook's graded cells (its in-kernel results are
compared with the trusted ones), but the kernel runs under :mod:`autograder.isolation.sandbox`: no
network, a read-only allowlist of the file system, no writes outside its in-memory folders and
the runtime folder below, and the resource limits. TCP would not cross the sandbox's private
network namespace, so the kernel manager uses the ``ipc`` transport: the sockets are files in a
runtime folder, which is bound into the sandbox.

When the grading process has a warm sandbox (:mod:`autograder.isolation.warm_sandbox`) and the connection
file is in a kernel folder of its runtime folder, the kernel is forked there, with the imports
done, and this launcher caps that folder's size; otherwise a fresh sandboxed ipykernel starts, in
the notebook's folder (mounted read-only).

:func:`install_kernelspec` writes the kernel spec ``course-sandboxed`` into a folder that the
grading pipeline puts on ``JUPYTER_PATH``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from autograder import settings
from autograder.isolation import launch, processes, sandbox, warm_sandbox

KERNEL_NAME = "course-sandboxed"


def install_kernelspec(jupyter_dir: Path) -> Path:
    """Write ``<jupyter_dir>/kernels/course-sandboxed/kernel.json``; return ``jupyter_dir``."""
    spec_dir = Path(jupyter_dir) / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    # started by jupyter_client in the notebook's folder, where the student's files are: it must
    # import the grader's own packages (and nothing else) from nowhere else
    spec = {"argv": launch.python_command("autograder.isolation.sandboxed_kernel", ["{connection_file}"]),
            "display_name": "Python 3 (course grading sandbox)", "language": "python",
            "interrupt_mode": "message", "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return Path(jupyter_dir)


def kernel_command(connection_file: Path, workdir: Path) -> list[str]:
    """The sandboxed ipykernel command for ``connection_file``, run in ``workdir``."""
    argv = launch.python_command("ipykernel_launcher", ["-f", str(connection_file)])
    if not sandbox.isolation_available():
        return argv
    wrapped = sandbox.command(argv, workdir, writable=False, limits=sandbox.limits_from_env())
    # the connection file and the ipc sockets live in the per-submission runtime folder
    runtime = str(Path(connection_file).resolve().parent)
    if runtime in ("/", "/tmp", str(Path.home())):  # binding it would expose far more than the sockets
        raise RuntimeError(f"the kernel's connection file must be in a folder of its own, not {runtime}; "
                           "set JUPYTER_RUNTIME_DIR")
    insert_at = wrapped.index("--chdir")
    wrapped[insert_at:insert_at] = ["--bind", runtime, runtime,
                                    "--unsetenv", "JPY_PARENT_PID",  # its parent is the sandbox's init
                                    "--setenv", "IPYTHONDIR", "/tmp/ipython",
                                    "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib"]
    return wrapped


def _wait_capping_folder(poll, stop, folder: Path, disk_bytes: int) -> int:
    """Wait until ``poll()`` returns the kernel's return code; ``stop()`` it when ``folder`` (the
    one host folder it can write to: its ipc sockets) grows past ``disk_bytes``, or can no longer
    be measured."""
    while True:
        code = poll()
        if code is not None:
            return code
        if processes.folder_bytes(folder) > disk_bytes:
            stop()


def main(argv: list[str]) -> int:
    # when nbgrader dies: SIGTERM below stops the kernel; bwrap --die-with-parent does the rest
    processes.die_with_parent(signal.SIGTERM)
    if os.getppid() == 1:  # nbgrader died before the request took effect
        return 1
    connection_file = Path(argv[0]).resolve()
    limits = sandbox.limits_from_env()
    warm = warm_sandbox.start_kernel(connection_file, limits, dict(os.environ))
    if warm is not None:  # forked by the grading process's warm sandbox
        return _wait_for_warm_kernel(warm, connection_file.parent, limits)
    # stay in the grading pipeline's cgroup for this submission when there is one (it is killed
    # as a whole afterwards); else make our own
    cgroup = sandbox.TaskCgroup(limits.max_tasks, existing=settings.task_cgroup())
    if cgroup.path is None:
        cgroup = sandbox.TaskCgroup(limits.max_tasks)
    # no inherited stdout/stderr: a kernel holding nbgrader's output open must not stall the grader
    child = subprocess.Popen(kernel_command(connection_file, Path.cwd()), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=sandbox.preexec(limits, cgroup.join_file()))

    def forward(signum, _frame):  # interrupts from the kernel manager reach the kernel
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(signum, forward)

    def poll() -> int | None:
        try:
            return child.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            return None

    try:
        return _wait_capping_folder(poll, lambda: processes.kill_group(child.pid), connection_file.parent,
                                    limits.disk_bytes)
    finally:
        processes.kill_group(child.pid)
        cgroup.close()


def _wait_for_warm_kernel(kernel: warm_sandbox.WarmChild, folder: Path, limits: sandbox.Limits) -> int:
    """Wait for a warm kernel; stop it when its folder (the one host folder it can write to) grows
    past the disk limit, or can no longer be measured."""
    def stop(_signum, _frame):  # closing the connection makes the sandbox kill the kernel
        kernel.kill()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(signum, stop)

    def poll() -> int | None:
        if kernel.poll() is None:
            time.sleep(0.1)
            return None
        return kernel.returncode if kernel.returncode >= 0 else 128 - kernel.returncode

    try:
        return _wait_capping_folder(poll, kernel.kill, folder, limits.disk_bytes)
    finally:
        kernel.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
