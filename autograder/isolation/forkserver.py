"""Run ``python -m MODULE ARGS`` as forks of a warm process, so each command starts in milliseconds.

Grading one submission starts three Python programs: ``nbgrader autograde``, the trusted checks
(:mod:`autograder.scoring.trusted`) and ``nbgrader generate_feedback``. Each would spend 2-5 s importing
nbgrader, TensorFlow/Keras, scikit-learn and the checks before doing any work, which is most of
the time a submission takes. The fork server imports them once per grading process and forks a
child per command; the child then runs the module as ``python -m`` would
(:func:`runpy.run_module`), with the caller's environment, working folder, output files, memory
limit and cgroup, in a session of its own that the caller kills on a timeout. Like every Python
the grader starts, the server imports the grader's own ``course`` and ``autograder`` files,
whatever its working folder holds (:mod:`autograder.isolation.launch`); so do its children and the fresh
processes that replace them.

The server only imports: it never runs a TensorFlow operation, opens a database or starts a
thread of its own, since a fork after any of those is unsafe. It ignores Ctrl-C (the caller
stops the running child) and dies with the process that started it.

``COURSE_FORKSERVER=off`` starts every command as a fresh process instead (as plain
``subprocess`` would; slower, same results).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from autograder import settings
from autograder.isolation import launch, preload, processes

# nbgrader's apps and exporters, always; the grading set (what the notebooks' setup cells and the
# checks import, Keras included) once a grading process asks for it (see ForkServer.warm)
PRELOAD = ("nbformat", "nbconvert", "nbconvert.exporters", "jupyter_client", "sqlalchemy",
           "nbgrader.apps.nbgraderapp", "nbgrader.apps.autogradeapp", "nbgrader.apps.generatefeedbackapp",
           "nbgrader.apps.exportapp", "nbgrader.apps.dbapp", "nbgrader.converters", "nbgrader.preprocessors",
           "nbgrader.api", "autograder.isolation.capped_execute", "autograder.isolation.function_server",
           "autograder.isolation.wire")
START_SECONDS = 300.0  # importing everything on a cold disk
ENV_SWITCH = settings.FORKSERVER


def enabled() -> bool:
    return settings.forkserver_enabled()


def _exit_code(error: SystemExit) -> int:
    if error.code is None:
        return 0
    if isinstance(error.code, int):
        return error.code
    print(error.code, file=sys.stderr)
    return 1


def _child(request: dict) -> None:
    """Become the requested command (never returns)."""
    code = 1
    try:
        os.setsid()  # own process group: the caller kills the whole group on a timeout
        processes.die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        processes.limit_child(cgroup_procs=[request.get("cgroup_procs")], memory_bytes=request.get("memory_bytes"))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the descriptors outlive this frame
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [request["module"], *request["args"]]
        sys.path[0] = request["cwd"]  # as `python -m` started in that folder would have it
        import runpy

        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as error:
        code = _exit_code(error)
    except BaseException:  # noqa: BLE001 - reported on the command's stderr
        with contextlib.suppress(Exception):
            traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code if 0 <= code < 256 else 1)


def serve() -> int:
    """The server's loop: one JSON request per line on stdin, JSON replies on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    processes.die_with_parent()
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # stray prints of imported modules must not corrupt the replies
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Ready at once; nbgrader's imports then run while no request is waiting (a request that
    # comes first is served by a fork with what is imported so far: slower, same result).
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    steps: list = [*PRELOAD, preload.render_html_once]
    requests = os.fdopen(0, "r", buffering=1)
    while True:
        while steps and not select.select([requests], [], [], 0)[0]:
            preload.run(steps.pop(0))
        line = requests.readline()
        if not line:
            return 0
        request = json.loads(line)
        if request.get("op") == "warm":  # a grading process: import the grading set now
            # (in full before the next request: a child forked halfway would import it again)
            for step in steps + preload.steps(preload.NOTEBOOK_MODULES):
                preload.run(step)
            steps = []
            continue
        pid = os.fork()
        if pid == 0:
            replies.close()
            _child(request)
        replies.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")


class ForkServer:
    """The caller's handle on one server process (started on first use)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.warmed = False
        self.pending = b""  # read from the server, not yet returned as a reply

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.close()
            self._start()

    def warm(self) -> None:
        """Have the server import the grading set (Keras, the checks) while it is idle."""
        self.ensure_started()
        if not self.warmed:
            self._send({"op": "warm"})
            self.warmed = True

    def _start(self) -> None:
        self.warmed, self.pending = False, b""
        command = launch.python_command("autograder.isolation.forkserver", working_folder_first=True)
        self.process = subprocess.Popen(command,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, bufsize=0,
                                        env=dict(os.environ), cwd=os.getcwd())
        reply = self._reply(time.monotonic() + START_SECONDS)
        if reply is None or "ready" not in reply:
            self.close()
            raise RuntimeError("the fork server did not start")

    def _send(self, message: dict) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")

    def _reply(self, deadline: float | None) -> dict | None:
        """The next reply line, or None at ``deadline`` (or when the server is gone).

        Lines are split here, from unbuffered reads: two replies that arrive together (a command
        that ends at once) would otherwise leave the second in a file object's buffer, where
        ``select`` cannot see it, and the wait for it would never end."""
        assert self.process is not None and self.process.stdout is not None
        while b"\n" not in self.pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.process.stdout], [], [], wait)
            if not ready:
                return None
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> None:
        if self.process is not None:
            with contextlib.suppress(OSError):
                self.process.kill()
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
            for stream in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(Exception):
                    stream.close()
            self.process = None

    def run(self, module: str, args: list[str], *, cwd: Path, env: dict[str, str], stdout: Path,
            stderr: Path, timeout: float | None = None, memory_bytes: int | None = None,
            cgroup_procs: str | None = None) -> tuple[int, bool]:
        """Run ``python -m module *args``; ``(return code, timed out)``. On a timeout or Ctrl-C
        the command's process group is killed (the return code is then -9)."""
        self.ensure_started()
        assert self.process is not None and self.process.stdin is not None
        request = {"module": module, "args": list(args), "cwd": str(cwd), "env": dict(env),
                   "stdout": str(stdout), "stderr": str(stderr), "memory_bytes": memory_bytes,
                   "cgroup_procs": cgroup_procs}
        try:
            self._send(request)
            started = self._reply(time.monotonic() + 60)
        except (OSError, ValueError):
            started = None
        if not started or "pid" not in started:
            self.close()
            raise RuntimeError("the fork server stopped answering")
        pid = started["pid"]
        deadline = None if timeout is None else time.monotonic() + timeout
        timed_out = False
        try:
            finished = self._reply(deadline)
            if finished is None and self.process.poll() is None:  # the time limit
                timed_out = True
                processes.kill_group(pid)
                finished = self._reply(time.monotonic() + 60)
        except BaseException:  # Ctrl-C: stop the command and what it started
            processes.kill_group(pid)
            raise
        if not finished or "returncode" not in finished:
            processes.kill_group(pid)
            self.close()
            return -signal.SIGKILL, timed_out
        return int(finished["returncode"]), timed_out


_SERVER: ForkServer | None = None
_SERVER_PID: int | None = None


def server() -> ForkServer:
    """This process's fork server (a forked or spawned process gets its own)."""
    global _SERVER, _SERVER_PID
    if _SERVER is None or os.getpid() != _SERVER_PID:
        _SERVER, _SERVER_PID = ForkServer(), os.getpid()
    return _SERVER


def close() -> None:
    """Stop this process's fork server, if it started one."""
    if _SERVER is not None and os.getpid() == _SERVER_PID:
        _SERVER.close()


def run_module(module: str, args: list[str], *, cwd: Path, env: dict[str, str] | None, stdout: Path,
               stderr: Path, timeout: float | None = None, memory_bytes: int | None = None,
               cgroup_procs: str | None = None) -> tuple[int, bool]:
    """``python -m module *args`` through the fork server, or as a fresh process when it is off
    (see :data:`ENV_SWITCH`); ``(return code, timed out)``. Output goes to the two files."""
    env = dict(os.environ) if env is None else dict(env)
    if enabled():
        try:
            return server().run(module, args, cwd=cwd, env=env, stdout=stdout, stderr=stderr,
                                timeout=timeout, memory_bytes=memory_bytes, cgroup_procs=cgroup_procs)
        except RuntimeError:
            pass  # the server could not start: a fresh process does the same work
    return _run_fresh(module, args, cwd=cwd, env=env, stdout=stdout, stderr=stderr, timeout=timeout,
                      memory_bytes=memory_bytes, cgroup_procs=cgroup_procs)


def _run_fresh(module: str, args: list[str], *, cwd: Path, env: dict[str, str], stdout: Path, stderr: Path,
               timeout: float | None, memory_bytes: int | None, cgroup_procs: str | None) -> tuple[int, bool]:
    def limits() -> None:
        processes.limit_child(cgroup_procs=[cgroup_procs], memory_bytes=memory_bytes)

    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(launch.python_command(module, args, working_folder_first=True), cwd=cwd, env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True,
                                   preexec_fn=limits if cgroup_procs or memory_bytes else None)
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        except BaseException:
            processes.kill_group(process.pid)
            raise
        finally:
            if process.poll() is None:
                processes.kill_group(process.pid)
                process.wait()
    return process.returncode, timed_out


if __name__ == "__main__":
    sys.exit(serve())
