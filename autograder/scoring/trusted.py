"""Trusted grading: the instructor's test cells judge the student's functions from outside.

nbgrader runs a notebook's test cells in the student's own kernel, where the student's code can
rewrite how those cells run. Here nothing that decides a score runs next to student code:

1. :mod:`autograder.scoring.intake` reads the submitted notebook as data and takes out the student's
   answer cells (by grade_id); test cells come from the trusted source notebook, never from the
   submission.
2. :class:`FunctionServer` starts :mod:`autograder.isolation.function_server` in the sandboxed process
   (:mod:`autograder.isolation.sandbox`), which runs the setup cell and the answer cells.
3. This process runs the setup cell and every test cell of the source notebook itself, with each
   graded function name bound to a :class:`StudentFunction`: a proxy that sends the arguments to
   the sandbox, waits (with a time limit) for the result, and gets back only plain data.

A call that times out or kills the sandbox fails that call; the server is restarted (a bounded
number of times) for the next test cell, so one runaway function costs only its own points.

Nothing the sandbox says about what the student's code did is believed. A check's stand-in
object (a model that records how it is called: its class declares ``__grading_remote__``) is
passed by reference: the sandbox gets a :class:`autograder.isolation.function_server.RemoteObject` whose
method calls come back here as callbacks during the call, run on the real object (which records
them here) and are answered with the result. A stand-in that such a call returns (a model
factory's fresh model) goes back by reference as well. What comes back after a call is data the checks
verify: the result, and arrays and random generators changed in place.

``python -m autograder.scoring.trusted JOB.json`` runs one submission's checks and writes the outcomes
as JSON; the grading pipeline starts it as a subprocess with a wall-clock limit.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import io
import itertools
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from autograder import settings
from autograder.isolation import function_server, launch, processes, sandbox, warm_sandbox, wire
from autograder.scoring import rules
from autograder.scoring.hidden_tests import (
    has_hidden_part,
    hidden_lines,
    plain_text,
    redact_hidden,
    runnable_source,
)
from autograder.scoring.job import CellResult, GradingJob, TrustedReport

MAX_RESTARTS = 8  # each runaway function is stopped once and never called again
# callbacks (calls of the grader's stand-in objects) during one call of a student function, and
# the size of one; beyond either the call fails as a protocol failure
MAX_CALLBACKS = 10_000
MAX_CALLBACK_BYTES = 16 * 2**20
_REFERENCES = itertools.count(1)  # ids of stand-in objects passed by reference (never reused)
# exceptions a student's function may raise that the checks test for by type
_BUILTIN_EXCEPTIONS = {name: getattr(builtins, name) for name in function_server.BUILTIN_ERRORS}


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
        self.records: list[rules.RunRecord] = []
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
        record = rules.decode_record(function, reply.get("reach"))
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
    return function_server.RemoteObject(ref, methods, _short(repr(value)))


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


# ------------------------------------------------------------------------------- the proxy
def _write_back(original: Any, state: Any) -> None:
    """Apply what the call changed in place: arrays and generator states (data the checks verify;
    a stand-in object's record of its calls is kept here, never copied back)."""
    if state is None or not isinstance(state, dict):
        return
    if "array" in state and isinstance(original, np.ndarray):
        after = wire.decode(state["array"])
        if isinstance(after, np.ndarray) and after.shape == original.shape and after.dtype == original.dtype \
                and original.flags.writeable:
            np.copyto(original, after)
    elif "generator" in state and isinstance(original, np.random.Generator):
        with contextlib.suppress(TypeError, ValueError, KeyError):
            original.bit_generator.state = wire.decode(state["generator"])
    elif "items" in state and isinstance(original, (list, tuple)):
        items = state["items"]
        if isinstance(items, list) and len(items) == len(original):
            for value, item_state in zip(original, items):
                _write_back(value, item_state)
    elif "values" in state and isinstance(original, dict):
        for key, value_state in state["values"]:
            key = wire.decode(key)
            if key in original:
                _write_back(original[key], value_state)


STUDENT_TEXT_CHARS = 300  # of a student exception's message that may reach the feedback


def _short(text: str) -> str:
    """A student's error text, made plain, cut and made writable: it is shown in feedback, and
    student code chooses it (it could otherwise carry every hidden input it recorded, escape
    sequences that hide text from a check but not from a page, or a lone surrogate that no file
    can hold)."""
    text = plain_text(str(text).encode("utf-8", "replace").decode("utf-8"))
    return text if len(text) <= STUDENT_TEXT_CHARS else text[:STUDENT_TEXT_CHARS] + " ... (cut)"


def _type_name(name: object) -> str:
    """An exception class name as the student's code reported it, if it is a plain identifier."""
    name = str(name)
    return name if name.isidentifier() and len(name) <= 60 else "an exception with an unusual class name"


class StudentFunction:
    """Stands in for the student's function in the trusted namespace."""

    def __init__(self, name: str, server: FunctionServer):
        self.__name__ = self.__qualname__ = name
        self._server = server

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        reply = self._server.call(self.__name__, args, kwargs)
        for original, state in zip(args, reply.get("args_after") or []):
            _write_back(original, state)
        for key, state in (reply.get("kwargs_after") or {}).items():
            if key in kwargs:
                _write_back(kwargs[key], state)
        if reply.get("ok"):
            return wire.decode(reply.get("result"))
        error = reply.get("error") or {}
        message = _short(str(error.get("message", "")))
        type_name = _type_name(error.get("type", "Exception"))
        exception_class = _BUILTIN_EXCEPTIONS.get(error.get("builtin") or "")
        if type_name == "NotImplementedError":
            raise NotImplementedError(message)
        if exception_class is not None:
            shown = message if type_name == error.get("builtin") else _short(f"{type_name}: {message}")
            raise exception_class(shown)
        raise StudentCodeError(_short(f"{type_name}: {message}"))


# ------------------------------------------------------------------------- running test cells
def run_test_cells(setup: str, test_cells: list[dict], server: FunctionServer,
                   functions: list[str], grading_key: str | None = None) -> list[CellResult]:
    """Run the trusted test cells with the graded names bound to sandboxed proxies.

    With ``grading_key`` (hex), hidden cells draw their random inputs from it
    (:func:`autograder.checks.set_grading_key`) instead of the source notebook's fixed seeds.
    """
    from autograder import checks

    checks.set_grading_key(bytes.fromhex(grading_key) if grading_key else None)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(setup, "setup", "exec"), namespace)  # noqa: S102 - instructor code
    proxies: dict[str, Any] = {name: StudentFunction(name, server) for name in functions}
    proxies.update(server.values)  # answers that are data (dicts of choices, say)
    results = []
    for cell in test_cells:
        scope = dict(namespace)
        scope.update(proxies)
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(runnable_source(cell["source"]), cell["grade_id"], "exec"), scope)  # noqa: S102
        except Exception as error:  # noqa: BLE001 - a failing test cell
            results.append(CellResult(cell["grade_id"], cell["points"], False, _message(error)))
        else:
            results.append(CellResult(cell["grade_id"], cell["points"], True))
    return results


def _message(error: BaseException) -> str:
    from autograder.checks import CheckFailed

    if isinstance(error, CheckFailed):
        return str(error)
    if isinstance(error, NotImplementedError):
        return "not implemented yet: the function still raises NotImplementedError."
    if isinstance(error, SandboxFailure):
        return f"the function was stopped: {error}"
    if isinstance(error, NameError) and "is not defined" in str(error):
        return f"{error} (is the answer cell's function still there, with its original name?)"
    return f"{type(error).__name__}: {error}"


def check_submission(job: GradingJob) -> TrustedReport:
    """Run one submission's trusted checks. ``job`` comes from :func:`autograder.scoring.intake.make_job`."""
    started = time.monotonic()
    limits = sandbox.Limits(**job.limits)
    report = TrustedReport(isolation=sandbox.isolation_available())
    exercise_rules = rules.rules_from_json(job.exercise_rules)
    watched = {name for name, rule in exercise_rules.items() if rule.restricts}
    server = FunctionServer(job.setup, [tuple(c) for c in job.answer_cells], job.functions, limits,
                            job.values, watch=rules.watch_prefixes(exercise_rules) if watched else (),
                            watched_functions=watched)
    try:
        try:
            server.ensure_running()
        except SandboxFailure as error:
            report.flags.append(f"the notebook's code could not be loaded: {error}")
        report.defined = list(server.defined)
        report.cell_errors = list(server.cell_errors)
        report.cells = run_test_cells(job.setup, job.test_cells, server, job.functions,
                                      grading_key=job.grading_key)
    finally:
        server.close()
    withhold_example_only_passes(report, job)
    if watched:
        judged = time.monotonic()
        try:
            violations = rules.judge(exercise_rules, rules.CodeMap.from_json(job.code or {}), server.records,
                                     defined=report.defined)
        except Exception as error:  # noqa: BLE001 - the grader's own failure: the scores stand, flagged
            report.flags.append(f"the exercise rules could not be judged: {type(error).__name__}: {error}"[:300])
        else:
            apply_rules(report, violations, job.rule_mode)
        report.rule_seconds = time.monotonic() - judged
    hidden = [line for cell in job.test_cells for line in hidden_lines(cell["source"])]
    for cell in report.cells:
        cell.message = redact_hidden(cell.message, hidden)
    report.flags = [redact_hidden(flag, hidden) for flag in report.flags]
    report.cell_errors = [{**error, "message": redact_hidden(str(error.get("message", "")), hidden)}
                          for error in report.cell_errors]
    if "timeout" in server.events:
        report.flags.append("a function exceeded the time limit and was stopped")
    if "died" in server.events:
        report.flags.append("the sandboxed process died (os._exit, a crash or the memory limit)")
    if "protocol" in server.events:
        report.flags.append("the sandboxed process broke the grading protocol (a forged or excessive call of "
                            "the grader's objects) and was stopped")
    for label in sorted(server.fatal_cells):
        report.flags.append(f"cell {label!r} killed or hung the process when run, so it was left out")
    report.seconds = time.monotonic() - started
    return report


def apply_rules(report: TrustedReport, violations: list[rules.RuleViolation], mode: str = rules.WITHHOLD) -> None:
    """Flag each graded function that breaks its exercise rule and, unless the course keeps the
    points (``mode`` :data:`rules.FLAG`), fail its test cells with a message naming the rule and line."""
    report.violations = [asdict(v) for v in violations]
    for function, found in rules.by_function(violations).items():
        if mode == rules.FLAG:
            report.flags.append(f"{rules.summary(found)} (flagged only: the course keeps the points)")
            continue
        report.flags.append(f"{rules.summary(found)} (points withheld)")
        rules.withhold_points(report.cells, function, found)


def _check_calls(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name.startswith("check_"):
                names.add(name)
    return names


@functools.cache
def _check_call_graph() -> dict[str, frozenset[str]]:
    """Random-input check -> the checks it runs on its drawn inputs, over :mod:`autograder.checks`.

    Only checks driven by a ``seeds`` argument count (``check_penalty_on_random_inputs`` runs
    ``check_l1_penalty`` on new inputs); a check that calls another on one fixed case (say, an
    error check trying leave-one-out) does not confirm that other check.
    """
    from autograder import checks

    graph: dict[str, set[str]] = {}
    for path in sorted(Path(checks.__file__).parent.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("check_") and \
                    "seeds" in [a.arg for a in node.args.args + node.args.kwonlyargs]:
                graph.setdefault(node.name, set()).update(_check_calls(node) - {node.name})
    return {name: frozenset(called) for name, called in graph.items()}


def checks_called(source: str) -> set[str]:
    """The check functions a test cell runs on new inputs: those it calls (``checks.check_x(...)``)
    and those its random-input checks run (see :func:`_check_call_graph`)."""
    try:
        tree = ast.parse(runnable_source(source))
    except SyntaxError:
        return set()
    graph = _check_call_graph()
    names, todo = set(), list(_check_calls(tree))
    while todo:
        name = todo.pop()
        if name not in names:
            names.add(name)
            todo += graph.get(name, ())
    return names


def withhold_example_only_passes(report: TrustedReport, job: GradingJob) -> None:
    """A visible cell scores only if a hidden cell of the same answer running the same check passes.

    The visible examples are public, so answers hard-coded for them would pass. Each check a
    visible cell calls must also pass in a hidden cell, on inputs the student never saw (any
    hidden cell of the answer, when no hidden cell calls that check).
    """
    answers = list(job.answer_ids) or list(job.functions)
    sources = {t["grade_id"]: t["source"] for t in job.test_cells}
    hidden = {grade_id: has_hidden_part(source) for grade_id, source in sources.items()}
    for answer in answers:
        group = [c for c in report.cells if c.grade_id.startswith(f"test_{answer}_")]
        hidden_cells = [c for c in group if hidden.get(c.grade_id)]
        if not hidden_cells:
            continue
        withheld = False
        for cell in [c for c in group if not hidden.get(c.grade_id) and c.passed]:
            unconfirmed = []
            for check in sorted(checks_called(sources[cell.grade_id])) or [""]:
                same = [h for h in hidden_cells if check and check in checks_called(sources[h.grade_id])]
                if not any(h.passed for h in (same or hidden_cells)):
                    unconfirmed.append(check or "its checks")
            if unconfirmed:
                cell.passed = False
                cell.message = (f"withheld: {answer} passes the published example, but fails the hidden "
                                f"checks on new inputs that run the same test ({', '.join(unconfirmed)})")
                withheld = True
        if withheld:
            report.flags.append(f"{answer} passes published examples that fail on hidden inputs (points withheld)")


def main(argv: list[str]) -> int:
    job_path, out_path = Path(argv[0]), Path(argv[1])
    report = check_submission(GradingJob.from_json(json.loads(job_path.read_text())))
    out_path.write_text(json.dumps(report.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
