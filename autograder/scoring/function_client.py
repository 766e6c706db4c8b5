"""The trusted side's client of the sandboxed function server: starting it (forked from the warm
sandbox, else a fresh sandbox), frames with deadlines, restarts after a runaway function, and the
grader's stand-in objects passed by reference (their calls come back here as callbacks).

Nothing the sandbox says is believed: replies are plain data (:mod:`autograder.isolation.wire`),
and each call has a time limit. :mod:`autograder.scoring.proxy` wraps a call as a function.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import select
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from autograder import settings
from autograder.isolation import function_server, launch, processes, sandbox, warm_sandbox, wire
from autograder.scoring import rule_judge
from autograder.scoring.hidden_tests import plain_text

MAX_RESTARTS = 8  # each runaway function is stopped once and never called again
# callbacks (calls of the grader's stand-in objects) during one call of a student function, and
# the size of one; beyond either the call fails as a protocol failure
MAX_CALLBACKS = 10_000
MAX_CALLBACK_BYTES = 16 * 2**20
_REFERENCES = itertools.count(1)  # ids of stand-in objects passed by reference (never reused)
# exceptions a student's function may raise that the checks test for by type


STUDENT_TEXT_CHARS = 300  # of a student exception's message that may reach the feedback


def short_text(text: str) -> str:
    """A student's error text, made plain, cut and made writable: it is shown in feedback, and
    student code chooses it (it could otherwise carry every hidden input it recorded, escape
    sequences that hide text from a check but not from a page, or a lone surrogate that no file
    can hold)."""
    text = plain_text(str(text).encode("utf-8", "replace").decode("utf-8"))
    return text if len(text) <= STUDENT_TEXT_CHARS else text[:STUDENT_TEXT_CHARS] + " ... (cut)"


class StudentCodeError(Exception):
    """The student's function failed in a way that is not a plain Python exception."""


class SandboxFailure(StudentCodeError):
    """The sandboxed process timed out, died or broke the protocol during a call."""


class _Deadline(Exception):
    """The exchange's time ran out (waiting for the sandbox, or for it to read)."""


class _ProtocolError(wire.WireError):
    """The sandbox sent a callback the grader does not accept."""


# ------------------------------------------------------------------------ the sandboxed server
class FunctionServer:
    """One sandboxed :mod:`autograder.isolation.function_server` process and its pipes."""

    def __init__(self, setup: str, cells: list[tuple[str, str]], functions: list[str],
                 limits: sandbox.Limits = sandbox.DEFAULT_LIMITS, values: list[str] = (),
                 watch: tuple[str, ...] = (), watched_functions: set[str] | frozenset[str] = frozenset()):
        self.setup, self.cells, self.functions, self.limits = setup, cells, functions, limits
        # the exercise rules' forbidden names, recorded while the cells load and while the checks call
        # ``watched_functions`` (those with a rule); the records the sandbox sent back
        self.watch, self.watched_functions = tuple(watch), set(watched_functions)
        self.records: list[rule_judge.RunRecord] = []
        self.value_names = list(values)
        self.values: dict[str, Any] = {}
        self.process: subprocess.Popen | warm_sandbox.WarmChild | None = None
        self.restarts = -1
        self.defined: list[str] = []
        self.cell_errors: list[dict] = []
        self.events: list[str] = []  # timeouts, deaths, restarts (for flags)
        self.fatal_cells: set[str] = set()  # cells that killed or hung the process when run
        self.stopped_functions: dict[str, str] = {}  # functions that timed out or killed the process
        self._scratch = tempfile.TemporaryDirectory(prefix="course-sandbox-")
        self._cgroup: sandbox.TaskCgroup | None = None

    # -- life cycle
    def start(self) -> None:
        self.stop()
        self.restarts += 1
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        env = {key: value for key, value in os.environ.items() if key != "NBGRADER_EXECUTION"}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env[settings.FAST] = settings.fast_mode()
        # a fork of the grading process's warm sandbox when there is one; else a fresh sandbox
        self.process = warm_sandbox.fork_function_server(request_read, reply_write, self.limits, env)
        if self.process is None:
            argv = launch.python_command("autograder.isolation.function_server", [str(request_read), str(reply_write)])
            self._cgroup = sandbox.TaskCgroup(self.limits.max_tasks)
            self.process = subprocess.Popen(
                sandbox.command(argv, Path(self._scratch.name), environ=env, limits=self.limits),
                pass_fds=(request_read, reply_write), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, cwd=self._scratch.name, env=env,
                preexec_fn=sandbox.preexec(self.limits, self._cgroup.join_file()))
        os.close(request_read)
        os.close(reply_write)
        self.cell_errors = [e for e in self.cell_errors if e.get("type") == "SandboxFailure"]
        for label, source in [("setup", self.setup)] + [c for c in self.cells if c[0] not in self.fatal_cells]:
            watch = self.watch if label != "setup" else ()
            try:
                reply = self._exchange({"op": "exec", "label": label, "source": source, "watch": watch},
                                       self.limits.startup_seconds)
            except SandboxFailure as error:
                if label == "setup":
                    raise
                # this cell kills or hangs the process: leave it out and load the rest again
                self.fatal_cells.add(label)
                self.cell_errors.append({"cell": label, "type": "SandboxFailure", "message": str(error)})
                self.restarts -= 1  # not counted: each fatal cell is dropped once
                return self.start()
            if not reply.get("ok"):
                self.cell_errors.append({"cell": label, **(reply.get("error") or {})})
            if watch:
                self._keep_record(None, reply)
        reply = self._exchange({"op": "collect", "functions": self.functions, "values": self.value_names},
                               self.limits.startup_seconds)
        self.defined = list(reply.get("defined", []))
        raw_values = reply.get("values") or {}
        self.values = {name: wire.decode(raw_values[name]) for name in self.value_names if name in raw_values}

    def stop(self) -> None:
        if isinstance(self.process, warm_sandbox.WarmChild):
            self.process.kill()  # the zygote kills it and cleans the sandbox for the next one
        elif self.process is not None:
            processes.kill_group(self.process.pid)
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
            for fd in (self._request_write, self._reply_read):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.process = None
        if self._cgroup is not None:
            self._cgroup.close()
            self._cgroup = None

    def close(self) -> None:
        self.stop()
        self._scratch.cleanup()

    @property
    def scratch_folder(self) -> Path:
        """The host folder a fresh sandbox starts in (what the sandbox writes there stays in memory)."""
        return Path(self._scratch.name)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ensure_running(self) -> None:
        if self.alive:
            return
        if self.restarts >= MAX_RESTARTS:
            raise SandboxFailure(f"the sandbox was restarted {MAX_RESTARTS} times already; "
                                 "no more calls are made for this submission")
        if self.restarts >= 0:
            self.events.append("restart")
        self.start()

    # -- one request
    def _exchange(self, request: dict, timeout: float, remote: dict[int, Any] | None = None) -> dict:
        """Send ``request`` and return its reply. Until the reply comes, the sandbox may call
        methods of the objects in ``remote`` (the stand-ins passed by reference); they run here.
        ``timeout`` covers the whole exchange, callbacks included."""
        deadline = time.monotonic() + timeout
        callbacks = 0
        try:
            self._send(wire.dump_request(request), deadline)
            while True:
                ready, _, _ = select.select([self._reply_read], [], [], max(deadline - time.monotonic(), 0))
                if not ready:
                    raise _Deadline
                payload = self._read_reply(deadline)
                reply = wire.load_reply(payload)
                if "callback" not in reply:
                    break
                callbacks += 1
                if callbacks > MAX_CALLBACKS:
                    raise _ProtocolError(f"more than {MAX_CALLBACKS:,} calls of the grader's objects in one call")
                if len(payload) > MAX_CALLBACK_BYTES:
                    raise _ProtocolError(f"a call of the grader's objects with {len(payload):,} bytes of arguments "
                                         f"(at most {MAX_CALLBACK_BYTES:,})")
                self._send(_answer_callback(reply["callback"], remote or {}), deadline)
            if reply.get("ok") and "result" in reply:
                wire.decode(reply["result"])  # fails here (RecursionError...) rather than in a check
            return reply
        except _Deadline:
            self.events.append("timeout")
            self.stop()
            raise SandboxFailure(f"the call did not finish within {timeout:g} s and was stopped") from None
        except _ProtocolError as error:
            self.events.append("protocol")
            self.stop()
            raise SandboxFailure(f"the sandboxed process broke the grading protocol and was stopped: {error}") \
                from None
        except (BrokenPipeError, wire.WireError, OSError, RecursionError, ValueError, TypeError) as error:
            code = self.process.poll() if self.process else None
            self.events.append("died")
            self.stop()
            detail = f" (exit code {code})" if code is not None else ""
            raise SandboxFailure(f"the sandboxed process stopped during the call{detail}: {error}") from None

    def _send(self, payload: bytes, deadline: float) -> None:
        """Write one frame to the sandbox by ``deadline``: a sandbox that stops reading (with a
        callback's answer on its way, say) cannot block the grader."""
        view = memoryview(wire.frame(payload))
        fd = self._request_write
        os.set_blocking(fd, False)
        try:
            while view:
                try:
                    view = view[os.write(fd, view):]
                    continue
                except BlockingIOError:
                    pass
                _, ready, _ = select.select([], [fd], [], max(deadline - time.monotonic(), 0))
                if not ready:
                    raise _Deadline
        finally:
            with contextlib.suppress(OSError):
                os.set_blocking(fd, True)

    def _read_reply(self, deadline: float) -> bytes:
        # a reply is read in full; a process that stalls mid-reply is stopped at the deadline
        return wire.read_frame_from(lambda size: self._read_some(deadline, size))

    def _read_some(self, deadline: float, size: int) -> bytes:
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([self._reply_read], [], [], max(remaining, 0))
        if not ready:
            raise wire.WireError("the reply stalled")
        chunk = os.read(self._reply_read, size)
        if not chunk:
            raise wire.WireError("the sandboxed process closed the connection")
        return chunk

    def call(self, name: str, args: tuple, kwargs: dict) -> dict:
        if name in self.stopped_functions:
            raise SandboxFailure(f"{name} was stopped in an earlier check ({self.stopped_functions[name]}); "
                                 "it is not called again")
        self.ensure_running()
        remote: dict[int, Any] = {}  # stand-ins passed by reference: their calls run here
        args = tuple(_by_reference(value, remote) for value in args)
        kwargs = {key: _by_reference(value, remote) for key, value in kwargs.items()}
        try:
            payload_check = wire.dump_request((args, kwargs))  # fail here, not in the sandbox
        except Exception as error:  # noqa: BLE001
            raise StudentCodeError(f"the grader could not send the arguments: {error}") from None
        del payload_check
        watch = self.watch if name in self.watched_functions else ()
        try:
            reply = self._exchange({"op": "call", "name": name, "args": args, "kwargs": kwargs, "watch": watch},
                                   self.limits.call_seconds, remote)
        except SandboxFailure as error:
            # one runaway costs its own function's points, not the other functions' time
            self.stopped_functions[name] = str(error)
            raise
        if watch:
            self._keep_record(name, reply)
        return reply

    def _keep_record(self, function: str | None, reply: dict) -> None:
        """Keep what the recorder saw (only what may count against the student: a reply that failed
        without a record is a failed call, nothing more)."""
        if "reach" not in reply and not reply.get("ok"):
            return
        record = rule_judge.decode_record(function, reply.get("reach"))
        if record.reached or not record.complete:
            self.records.append(record)


# ------------------------------------------------------------------ stand-ins passed by reference
def _remote_methods(value: Any) -> tuple[str, ...]:
    """The methods the sandbox may call on ``value`` by reference (empty: ``value`` is sent as a copy)."""
    methods = getattr(type(value), "__grading_remote__", ())
    return tuple(m for m in methods if isinstance(m, str)) if isinstance(methods, tuple) else ()


def _by_reference(value: Any, remote: dict[int, Any]) -> Any:
    """``value`` as it is sent to the sandbox: a stand-in object becomes a reference to itself."""
    methods = _remote_methods(value)
    if not methods:
        return value
    ref = next(_REFERENCES)
    remote[ref] = value
    return function_server.RemoteObject(ref, methods, short_text(repr(value)))


def _answer_callback(message: Any, remote: dict[int, Any]) -> bytes:
    """Run a callback of the sandbox on the grader's own object (which records it); the answer as a
    request payload: the result, or the error the object raised. A malformed callback, one on an
    object the call was not given or of a method the object does not offer raises
    :class:`_ProtocolError`."""
    if not isinstance(message, dict) or set(message) != {"ref", "method", "args", "kwargs"}:
        raise _ProtocolError("a malformed call of the grader's objects")
    ref, method = message["ref"], message["method"]
    if type(ref) is not int or ref not in remote:
        raise _ProtocolError("a call of an object that the function was not given")
    target = remote[ref]
    if not isinstance(method, str) or method not in _remote_methods(target):
        raise _ProtocolError(f"a call of a method the grader's object does not offer ({str(method)[:40]!r})")
    if not isinstance(message["args"], list) or not isinstance(message["kwargs"], dict):
        raise _ProtocolError("a malformed call of the grader's objects")
    try:
        args = [wire.decode(value) for value in message["args"]]
        kwargs = {str(key): wire.decode(value) for key, value in message["kwargs"].items()}
    except Exception as error:  # noqa: BLE001 - whatever the sandbox sent, it is not plain data
        raise _ProtocolError(f"malformed arguments in a call of the grader's objects ({type(error).__name__})") \
            from None
    function = target if method == "__call__" else getattr(target, method)
    try:
        # a stand-in that the call returns (a factory's fresh model) goes back by reference too
        answer = {"ok": True, "result": _by_reference(function(*args, **kwargs), remote)}
    except Exception as error:  # noqa: BLE001 - the object refused the call: the function sees the error
        answer = {"ok": False, "error": function_server._error(error)}
    try:
        return wire.dump_request(answer)
    except Exception as error:  # noqa: BLE001 - a result that cannot be sent
        return wire.dump_request({"ok": False, "error": function_server._error(error)})
