"""What a student's code reaches while it runs: the sandboxed half of the exercise rules.

The function server (:mod:`autograder.function_server`) records while it loads the answer cells
and while the grader calls a graded function: a profile hook (``sys.setprofile``, and
``threading.setprofile`` for threads started meanwhile) sees every Python function that runs, the
top-level code of a module imported for the first time included, and every call of ``exec``,
``eval`` and ``compile`` (a ``c_call`` event). It keeps only what falls under a watched name (the
canonical dotted names the notebook's exercise rules forbid, :func:`autograder.rules.watch_prefixes`)
and the student's own calls that run a string as code, each with the student's frames on the stack
at that moment (``(cell label, line)``, innermost first): what the grader needs to say which line
reached it.

Each function's code object is matched once (a cache by identity), so the hook costs a dictionary
lookup per call. No audit hook is installed: once one is, every ``frame.f_code`` and ``id()`` in
the process raises an audit event, and the profile hook reads both on every call (it made the
recorded checks several times slower). The report is plain data:
:func:`autograder.rules.decode_record` reads it on the grader's side, which believes it against the
student only (see :mod:`autograder.rules`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from autograder.rules import MAX_FRAMES, MAX_REACHED, canonical


class Recorder:
    """One per function server: the student's cell labels, and the hooks while recording."""

    def __init__(self) -> None:
        self.student_files: set[str] = set()  # the labels the answer cells were compiled under
        self._watch: tuple[str, ...] = ()  # canonical prefixes, each ending in "."
        self._cache: dict[int, tuple[Any, str | None]] = {}  # id(code) -> (code, watched name or None)
        self._reached: list[dict] = []
        self._seen: set = set()
        self._active = False
        self._hook = self._make_hook()

    def _watched(self, name: str) -> str | None:
        name = canonical(name)
        return name if (name + ".").startswith(self._watch) else None

    def _student_frames(self, frame: Any) -> list[list]:
        frames = []
        files = self.student_files
        while frame is not None and len(frames) < MAX_FRAMES:
            if frame.f_code.co_filename in files:
                frames.append([frame.f_code.co_filename, frame.f_lineno])
            frame = frame.f_back
        return frames

    def _keep(self, kind: str, target: str, frame: Any, key: Any) -> None:
        if key in self._seen or len(self._reached) >= MAX_REACHED:
            return
        self._seen.add(key)
        self._reached.append({"kind": kind, "target": target, "frames": self._student_frames(frame)})

    def _make_hook(self):
        cache, watched, keep, files = self._cache, self._watched, self._keep, self.student_files
        runs_strings = {exec: "exec", eval: "eval", compile: "compile"}

        def hook(frame, event, arg):
            if event == "call":
                code = frame.f_code
                entry = cache.get(id(code))
                if entry is None or entry[0] is not code:
                    entry = (code, watched(f"{frame.f_globals.get('__name__')}.{code.co_qualname}"))
                    cache[id(code)] = entry
                if entry[1] is not None and self._active:
                    keep("call", entry[1], frame.f_back, id(code))
            elif event == "c_call" and arg in runs_strings and self._active:
                code = frame.f_code  # the frame that calls exec/eval/compile: the student's own?
                if code.co_filename in files:
                    keep("exec", runs_strings[arg], frame, ("exec", code.co_filename, frame.f_lineno))

        return hook

    @contextlib.contextmanager
    def recording(self, watch: tuple[str, ...] | list[str]) -> Iterator[dict]:
        """Record while the block runs; the report (plain data) is filled in the yielded dict."""
        watch = tuple(sorted(str(prefix) + "." for prefix in watch))
        if watch != self._watch:
            self._watch = watch
            self._cache.clear()
        self._reached, self._seen = [], set()
        report: dict = {}
        previous, previous_threads = sys.getprofile(), threading.getprofile()
        self._active = True
        threading.setprofile(self._hook)
        sys.setprofile(self._hook)
        try:
            yield report
        finally:
            intact = sys.getprofile() is self._hook
            sys.setprofile(previous)
            threading.setprofile(previous_threads)
            self._active = False
            report.update({"reached": self._reached, "intact": intact})
