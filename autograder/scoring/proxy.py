"""The student-function proxy: what a test cell calls in place of the student's function.

A call goes to the sandboxed function server (:class:`autograder.scoring.function_client.FunctionServer`);
what comes back is plain data, arrays and random generators changed in place are written back,
and a student's exception is raised again here as a builtin exception or
:class:`~autograder.scoring.function_client.StudentCodeError`, its text made plain and short.
"""

from __future__ import annotations

import builtins
import contextlib
from typing import Any

import numpy as np

from autograder.isolation import function_server, wire
from autograder.scoring.function_client import FunctionServer, StudentCodeError, short_text

_BUILTIN_EXCEPTIONS = {name: getattr(builtins, name) for name in function_server.BUILTIN_ERRORS}


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
        message = short_text(str(error.get("message", "")))
        type_name = _type_name(error.get("type", "Exception"))
        exception_class = _BUILTIN_EXCEPTIONS.get(error.get("builtin") or "")
        if type_name == "NotImplementedError":
            raise NotImplementedError(message)
        if exception_class is not None:
            shown = message if type_name == error.get("builtin") else short_text(f"{type_name}: {message}")
            raise exception_class(shown)
        raise StudentCodeError(short_text(f"{type_name}: {message}"))
