"""The sandboxed side of trusted grading: holds a student's functions and calls them on request.

Started by :class:`autograder.scoring.function_client.FunctionServer` inside the sandbox as
``python -m autograder.isolation.function_server REQUEST_FD REPLY_FD``. It executes the notebook's setup
cell and the student's answer cells in one namespace (as the kernel would), then answers calls
``name(*args, **kwargs)`` with the result and the state of the arguments afterwards (arrays and
random generators), all encoded as plain data by :mod:`autograder.isolation.wire`. Nothing it returns is
trusted beyond being data.

A grader's stand-in object passed as an argument (a model that records how it is called) stays
in the grader: the function receives a :class:`RemoteObject` whose declared methods send the
call back to the grader over the reply pipe and wait for its result on the request pipe. The
grader runs the method on the real object, which records the call there. Nothing the student
does to the :class:`RemoteObject` itself (attributes, its class) leaves the sandbox.

While it loads the answer cells, and while it runs a call whose request names ``watch`` prefixes
(the exercise rules' forbidden names), :class:`autograder.scoring.reach.Recorder` records which of them the
student's code reaches; the reply carries that record (``"reach"``), evidence the grader believes
only against the student (:mod:`autograder.scoring.rules`).

The student's prints go nowhere: descriptors 1 and 2 point at ``/dev/null``.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import sys
import traceback
from typing import Any

import numpy as np

from autograder.isolation import wire
from autograder.scoring import reach

BUILTIN_ERRORS = {cls.__name__ for cls in (
    ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, NotImplementedError,
    AttributeError, RuntimeError, ArithmeticError, OverflowError, FloatingPointError,
    AssertionError, NameError, LookupError, RecursionError, MemoryError, UnboundLocalError)}


def as_python(source: str) -> str:
    """IPython syntax (magics, ``!shell``) as plain Python, as the kernel would run it, with the
    cell's leading blank lines kept (IPython drops them): line numbers are the cell's own."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    try:
        python = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - leave it to compile() to report
        return source
    lines = source.splitlines()
    blank = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    return "\n" * blank + python if blank and not python.startswith("\n" * blank) else python


def _error(error: BaseException) -> dict:
    builtin = next((cls.__name__ for cls in type(error).__mro__ if cls.__name__ in BUILTIN_ERRORS
                    and cls.__module__ == "builtins"), None)
    return {"type": type(error).__name__[:100], "builtin": builtin, "message": str(error)[:2000]}


def state_of(value: Any, depth: int = 0) -> Any:
    """What a call may have changed in an argument, as plain data (None: nothing tracked)."""
    if depth > 10:
        return None
    if isinstance(value, np.ndarray):
        return {"array": wire.encode(value)}
    if isinstance(value, np.random.Generator):
        return {"generator": wire.encode(value.bit_generator.state)}
    if isinstance(value, (list, tuple)):
        return {"items": [state_of(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"values": [[wire.encode(k), state_of(v, depth + 1)] for k, v in value.items()
                           if isinstance(k, (str, int))]}
    return None


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is data whose conversion by :func:`wire.encode` runs none of the student's
    code (exact NumPy arrays and scalars, Python numbers and strings, and containers of them)."""
    if depth > 20:
        return False
    if value is None or type(value) in (bool, int, float, complex, str):
        return True
    if type(value) is np.ndarray or (isinstance(value, np.generic) and type(value).__module__ == "numpy"):
        return True
    if type(value) in (list, tuple):
        return all(_plain(item, depth + 1) for item in value)
    if type(value) is dict:
        return all(type(key) in (str, int) and _plain(item, depth + 1) for key, item in value.items())
    return False


# --------------------------------------------------------------- the grader's objects, by reference
_channel: tuple[int, int] | None = None  # (request fd, reply fd) while serving; set by main()


def _exception(error: dict) -> Exception:
    """The exception a callback's error stands for, as the function sees it: the grader's builtin
    class (ValueError, ...) when it was one, RuntimeError otherwise."""
    message = str(error.get("message", ""))
    builtin = error.get("builtin")
    if builtin in BUILTIN_ERRORS:
        return getattr(builtins, builtin)(message)
    return RuntimeError(f"{error.get('type', 'Exception')}: {message}")


class RemoteObject:
    """A grader's stand-in object as the sandbox sees it: its declared methods call the real one.

    The grader builds it (:meth:`autograder.scoring.function_client.FunctionServer.call`) and sends it pickled;
    calling ``obj(...)`` or ``obj.method(...)`` sends the arguments as plain data back to the
    grader, which runs the method on its own object and answers with the result.
    """

    def __init__(self, ref: int, methods: tuple[str, ...], description: str):
        self._grading_ref = ref
        self._grading_methods = tuple(methods)
        self._grading_description = description

    def __reduce__(self):
        return RemoteObject, (self._grading_ref, self._grading_methods, self._grading_description)

    def __repr__(self) -> str:
        return str(self.__dict__.get("_grading_description", "<the grader's object>"))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if "__call__" not in self._grading_methods:
            raise TypeError(f"{self!r} is not callable")
        return self._grading_invoke("__call__", args, kwargs)

    def __getattr__(self, name: str) -> Any:
        methods = self.__dict__.get("_grading_methods", ())
        if name.startswith("_") or name not in methods:
            offered = ", ".join("calls" if m == "__call__" else f".{m}(...)" for m in methods)
            raise AttributeError(f"{self!r} has no attribute {name!r}: this stand-in offers only {offered}")

        def method(*args: Any, **kwargs: Any) -> Any:
            return self._grading_invoke(name, args, kwargs)

        method.__name__ = method.__qualname__ = name
        return method

    def _grading_invoke(self, method: str, args: tuple, kwargs: dict) -> Any:
        if _channel is None:
            raise RuntimeError(f"{self!r} can only be used while the grader is calling the function")
        request_fd, reply_fd = _channel
        message = {"callback": {"ref": self._grading_ref, "method": method,
                                "args": [wire.encode(a) for a in args],
                                "kwargs": {str(k): wire.encode(v) for k, v in kwargs.items()}}}
        wire.write_frame(reply_fd, wire.dump_reply(message))
        answer = wire.load_request(wire.read_frame(request_fd, limit=1 << 34))
        if answer.get("ok"):
            return answer.get("result")
        raise _exception(answer.get("error") or {})


class Server:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
        self.recorder = reach.Recorder()

    def exec_cell(self, request: dict) -> dict:
        """Run one cell (the setup cell or an answer cell) in the notebook namespace; an answer cell
        with ``watch`` prefixes runs under the recorder."""
        watch = request.get("watch") or ()
        student = request["label"] != "setup"
        if student:
            self.recorder.student_files.add(request["label"])
        with self.recorder.recording(watch) if student and watch else contextlib.nullcontext({}) as record:
            try:
                exec(compile(as_python(request["source"]), request["label"], "exec"), self.namespace)  # noqa: S102
            except BaseException as error:  # noqa: BLE001 - reported; the next cell still runs
                if isinstance(error, KeyboardInterrupt):
                    error = RuntimeError("KeyboardInterrupt")
                reply = {"ok": False, "error": _error(error)}
            else:
                reply = {"ok": True}
        if record:
            reply["reach"] = record
        return reply

    def collect(self, request: dict) -> dict:
        """Which graded functions exist, and the answers that are data."""
        defined = [name for name in request["functions"] if callable(self.namespace.get(name))]
        values = {name: wire.encode(self.namespace[name]) for name in request.get("values", [])
                  if name in self.namespace}
        return {"ok": True, "defined": defined, "values": values}

    def call(self, request: dict) -> dict:
        function = self.namespace.get(request["name"])
        if not callable(function):
            return {"ok": False, "error": {"type": "NameError", "builtin": "NameError",
                                           "message": f"name {request['name']!r} is not defined"}}
        args, kwargs = request["args"], request["kwargs"]
        watch = request.get("watch") or ()
        reply = None
        with self.recorder.recording(watch) if watch else contextlib.nullcontext({}) as record:
            try:
                result = function(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 - SystemExit and friends are the student's
                reply = {"ok": False, "error": _error(error)}
            else:
                if not _plain(result):  # converting it runs the student's code (``__array__``): recorded too
                    reply = {"ok": True, "result": wire.encode(result)}
        if reply is None:
            reply = {"ok": True, "result": wire.encode(result)}
        if watch:
            reply["reach"] = record
        reply["args_after"] = [state_of(a) for a in args]
        reply["kwargs_after"] = {k: state_of(v) for k, v in kwargs.items()}
        return reply


def main(argv: list[str]) -> int:
    request_fd, reply_fd = int(argv[0]), int(argv[1])
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sink = open(os.devnull, "wb")  # noqa: SIM115 - stdout and stderr for the process's lifetime
    sys.stdout = sys.stderr = io.TextIOWrapper(sink, write_through=True)
    global _channel
    _channel = (request_fd, reply_fd)
    server = Server()
    while True:
        try:
            request = wire.load_request(wire.read_frame(request_fd, limit=1 << 34))
        except wire.WireError:
            return 0  # the grader is done
        try:
            handler = {"exec": server.exec_cell, "collect": server.collect, "call": server.call}[request["op"]]
            reply = handler(request)
            payload = wire.dump_reply(reply)
        except BaseException:  # noqa: BLE001 - e.g. an unencodable reply; report, keep serving
            payload = wire.dump_reply({"ok": False, "error": {
                "type": "GraderError", "builtin": None,
                "message": traceback.format_exc(limit=3)[-2000:]}})
        wire.write_frame(reply_fd, payload)


if __name__ == "__main__":
    # run the imported module's main, not this __main__ copy: the grader's RemoteObjects are
    # unpickled as autograder.isolation.function_server.RemoteObject and use that module's channel
    from autograder.isolation import function_server

    sys.exit(function_server.main(sys.argv[1:]))
