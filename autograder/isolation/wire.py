"""Messages between the trusted grader and the sandboxed function server.

Trusted -> sandbox: pickle (the sandbox may unpickle the grader's data; the grader's classes are
importable there). Sandbox -> trusted: JSON in which arrays travel as ``.npy`` bytes loaded with
``allow_pickle=False``. Decoding never runs code and never builds objects of the student's
classes: whatever the student returns arrives as plain data (numbers, strings, lists, tuples,
dicts, NumPy arrays and scalars), as a :class:`ForeignArray` for other array-likes (a TensorFlow
tensor, say), as a :class:`autograder.scoring.keras_models.ReturnedModel` for a Keras model (its JSON
description and weights, which the checks parse against a whitelist and rebuild), or as an
:class:`Unsupported` placeholder that fails on use.

Frames are an 8-byte length and a payload, on dedicated pipes. During a call the sandbox may send
callbacks (``{"callback": ...}``, JSON like a reply) on the reply pipe: calls of the grader's
stand-in objects, which the grader answers (pickle, like a request) on the request pipe.
"""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.scoring import keras_models

MAX_REPLY_BYTES = 64 * 2**20  # a reply larger than this is refused (memory bomb)
# Containers ("[" and "{") in one reply: each costs the trusted side ~50 times its bytes once
# parsed, so a reply of a million empty lists would need gigabytes. Arrays travel as npy bytes.
MAX_REPLY_CONTAINERS = 200_000
_HEADER = struct.Struct("!Q")


class WireError(RuntimeError):
    """The other side sent something malformed, too large, or closed the pipe."""


# ------------------------------------------------------------------------------ framing
def frame(payload: bytes) -> bytes:
    """``payload`` with its length in front, as it goes on the pipe."""
    return _HEADER.pack(len(payload)) + payload


def write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(frame(payload))
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_chunk(fd: int, size: int) -> bytes:
    chunk = os.read(fd, size)
    if not chunk:
        raise WireError("the sandboxed process closed the connection")
    return chunk


def read_frame_from(read_some: Callable[[int], bytes], limit: int = MAX_REPLY_BYTES) -> bytes:
    """One frame, read with ``read_some(most)`` (at least one byte, at most ``most``, or an
    exception: the caller decides how long to wait)."""
    def read_exact(size: int) -> bytes:
        chunks, remaining = [], size
        while remaining:
            chunk = read_some(min(remaining, 1 << 20))
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    (size,) = _HEADER.unpack(read_exact(_HEADER.size))
    if size > limit:
        raise WireError(f"reply of {size:,} bytes exceeds the limit of {limit:,}")
    return read_exact(size)


def read_frame(fd: int, limit: int = MAX_REPLY_BYTES) -> bytes:
    """One frame from ``fd``, blocking until it is complete."""
    return read_frame_from(lambda most: _read_chunk(fd, most), limit)


# ------------------------------------------------------------------- trusted -> sandbox
def dump_request(request: Any) -> bytes:
    return pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)


def load_request(payload: bytes) -> Any:
    return pickle.loads(payload)  # noqa: S301 - the grader is the sender


# ------------------------------------------------------------------- sandbox -> trusted
def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _from_npy(text: str) -> np.ndarray:
    return np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)


def encode(value: Any, depth: int = 0) -> Any:
    """Plain-data form of ``value`` (sandbox side)."""
    if depth > 20:
        return {"__unsupported__": "nesting deeper than 20 levels"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):  # before float and complex: np.float64 is a float, with a repr float() rejects
        if value.dtype.hasobject:
            return {"__unsupported__": "a NumPy object scalar"}
        return {"__npscalar__": _npy(np.asarray(value))}
    if isinstance(value, int):
        return value if abs(value) < 2**62 else {"__bigint__": str(value)}
    if isinstance(value, float):
        return {"__float__": repr(value)}
    if isinstance(value, complex):
        return {"__complex__": [repr(value.real), repr(value.imag)]}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return {"__unsupported__": "a NumPy array of Python objects"}
        return {"__nd__": _npy(np.ascontiguousarray(value)), "sub": type(value) is not np.ndarray}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, np.random.Generator):
        return {"__generator__": encode(value.bit_generator.state, depth + 1)}
    # a Keras model as its description: JSON text and weights (autograder.scoring.keras_models)
    if keras_models.is_keras_model(value):
        try:
            return {"__keras_model__": encode(keras_models.to_plain(value), depth + 1)}
        except Exception as error:  # noqa: BLE001 - a model that cannot describe itself is unsupported
            return {"__unsupported__": f"a Keras model that could not be described ({type(error).__name__})"}
    if hasattr(value, "__array__") or hasattr(value, "numpy"):
        try:
            array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        except Exception as error:  # noqa: BLE001 - any failure makes it unsupported
            return {"__unsupported__": f"{type(value).__name__} ({type(error).__name__})"}
        if array.dtype.hasobject:
            return {"__unsupported__": type(value).__name__}
        return {"__foreign__": f"{type(value).__module__}.{type(value).__qualname__}", "value": _npy(array)}
    return {"__unsupported__": f"{type(value).__module__}.{type(value).__qualname__}"}


class ForeignArray:
    """An array-like the student returned that is not a NumPy array (a tensor, say).

    It behaves like the original for ``np.asarray``, ``.numpy()``, ``shape`` and ``dtype``,
    but, like a tensor, it is not an ``np.ndarray``.
    """

    def __init__(self, type_name: str, value: np.ndarray):
        self.type_name = type_name
        self._value = value

    def __array__(self, dtype=None, copy=None):
        return self._value if dtype is None else self._value.astype(dtype)

    def numpy(self) -> np.ndarray:
        return self._value.copy()

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"<{self.type_name} {self._value!r}>"


class Unsupported:
    """Placeholder for a returned object that cannot cross the sandbox boundary as data."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return f"<unsupported return value: {self.description}>"

    def __getattr__(self, name: str):
        raise TypeError(f"the function returned {self.description}, which the grader cannot use; "
                        "return NumPy arrays, numbers, strings, lists, tuples or dicts")


def decode(data: Any) -> Any:
    """Inverse of :func:`encode` (trusted side); builds only plain data."""
    if data is None or isinstance(data, (bool, str, int)):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise WireError(f"malformed value: {type(data).__name__}")
    if "__float__" in data:
        return float(data["__float__"])
    if "__bigint__" in data:
        return int(data["__bigint__"])
    if "__complex__" in data:
        real, imag = data["__complex__"]
        return complex(float(real), float(imag))
    if "__nd__" in data:
        return _from_npy(data["__nd__"])
    if "__npscalar__" in data:
        return _from_npy(data["__npscalar__"])[()]
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        result = {}
        for key, value in data["__dict__"]:
            key = decode(key)
            try:
                hash(key)
            except TypeError:
                raise WireError("unhashable dict key") from None
            result[key] = decode(value)
        return result
    if "__generator__" in data:
        generator = np.random.default_rng()
        try:
            generator.bit_generator.state = decode(data["__generator__"])
        except (TypeError, ValueError, KeyError):
            return Unsupported("a random generator in an unknown state")
        return generator
    if "__keras_model__" in data:
        try:
            return keras_models.ReturnedModel.from_plain(decode(data["__keras_model__"]))
        except ValueError as error:
            return Unsupported(f"a Keras model in a malformed description ({error})")
    if "__foreign__" in data:
        return ForeignArray(str(data["__foreign__"]), _from_npy(data["value"]))
    if "__unsupported__" in data:
        return Unsupported(str(data["__unsupported__"]))
    raise WireError("malformed value")


def dump_reply(reply: dict) -> bytes:
    return json.dumps(reply, allow_nan=True).encode("utf-8")


def load_reply(payload: bytes) -> dict:
    containers = payload.count(b"[") + payload.count(b"{")
    if containers > MAX_REPLY_CONTAINERS:
        raise WireError(f"reply refused: {containers} nested lists or dicts (at most {MAX_REPLY_CONTAINERS}); "
                        "return arrays instead")
    try:
        reply = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise WireError(f"malformed reply: {type(error).__name__}") from None
    if not isinstance(reply, dict):
        raise WireError("malformed reply")
    return reply
