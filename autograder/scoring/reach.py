"""What a student's code reaches while it runs: the sandboxed half of the exercise rules.

The function server (:mod:`autograder.isolation.function_server`) records while it loads the answer cells
and while the grader calls a graded function with a rule:

- a profile hook (``sys.setprofile``, and ``threading.setprofile`` for threads started meanwhile)
  sees every Python function that runs (the top-level code of a module imported for the first time
  included) and keeps those under a watched name: the canonical dotted names the notebook's
  exercise rules forbid (:func:`autograder.scoring.rules.watch_prefixes`). It also sees the student's own
  calls of ``exec``, ``eval`` and ``compile`` (``c_call`` events);
- an audit hook (``sys.addaudithook``, which nothing can remove) sees every switch of a profile or
  trace function, however it is made (``sys.setprofile`` found by any route, ``cProfile``,
  ``ctypes``): while recording, a switch that is not this recorder's own nor a new thread taking
  the hook is kept as tampering, even if the hook is put back before the call ends.

Each report names what was reached and the student's frames on the stack at that moment
(``(cell label, line)``, innermost first): what the grader needs to say which line reached it; and
whether the hook was still in place at the end. The hook costs one dictionary lookup by module name
per Python call: it reads a frame's code (``frame.f_code``, which raises an audit event once an
audit hook is installed) only in the few modules that can hold a watched name. The report is plain
data: :func:`autograder.scoring.rules.decode_record` reads it on the grader's side, which believes it
against the student only (see :mod:`autograder.scoring.rules`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from autograder.scoring.rule_judge import MAX_FRAMES, MAX_REACHED
from autograder.scoring.rules import canonical, within

# Python functions that switch the hook off for new threads (sys.setprofile & co: the audit hook)
_SWITCHES = {"threading.setprofile", "threading.settrace", "threading.setprofile_all_threads",
             "threading.settrace_all_threads"}
_SWITCH_EVENTS = ("sys.setprofile", "sys.settrace")
# taken before any student code runs: replacing ``sys.setprofile`` later cannot fool the recorder
_SETPROFILE, _GETPROFILE = sys.setprofile, sys.getprofile
_THREADS_SETPROFILE, _THREADS_GETPROFILE = threading.setprofile, threading.getprofile
_GETFRAME = sys._getframe


class Recorder:
    """One per function server: the student's cell labels, and the hooks while recording."""

    def __init__(self) -> None:
        self.student_files: set[str] = set()  # the labels the answer cells were compiled under
        self._watch: tuple[str, ...] = ()  # canonical prefixes
        self._modules: dict[Any, bool] = {}  # module name -> whether it can hold a watched name
        self._names: dict[tuple, tuple[str, str] | None] = {}  # (module, qualname) -> (kind, name) to keep
        self._reached: list[dict] = []
        self._seen: set = set()
        self._active = False
        self._audit_installed = False
        self._hook = self._make_hook()

    # -- what is kept
    def _relevant(self, module: Any) -> bool:
        """Whether code of ``module`` can fall under a watched name (or switch the hook off)."""
        name = canonical(str(module))
        return name == "threading" or any(within(name, p) or p.startswith(name + ".") for p in self._watch)

    def _watched(self, module: Any, qualname: str) -> tuple[str, str] | None:
        """``(kind, name)`` when this code is worth keeping, else None."""
        name = canonical(f"{module}.{qualname}")
        if name in _SWITCHES:
            return "tamper", name
        return ("call", name) if any(within(name, p) for p in self._watch) else None

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
        if kind == "tamper" and frame is not None and frame.f_globals.get("__name__") == "threading":
            return  # a new thread taking this hook (threading's own start-up), not the student's doing
        self._reached.append({"kind": kind, "target": target, "frames": self._student_frames(frame)})

    # -- the hooks
    def _make_hook(self):
        modules, names, relevant, watched, keep = self._modules, self._names, self._relevant, self._watched, self._keep
        files = self.student_files
        runs_strings = {exec: "exec", eval: "eval", compile: "compile"}

        def hook(frame, event, arg):
            if event == "call":
                module = frame.f_globals.get("__name__")
                known = modules.get(module)
                if known is None:
                    known = modules[module] = relevant(module)
                if not known or not self._active:
                    return
                qualname = frame.f_code.co_qualname
                entry = names.get((module, qualname), False)
                if entry is False:
                    entry = names[module, qualname] = watched(module, qualname)
                if entry is not None:
                    keep(*entry, frame.f_back, (module, qualname))
            elif event == "c_call" and arg in runs_strings and self._active:
                code = frame.f_code  # the frame that calls exec/eval/compile: the student's own?
                if code.co_filename in files:
                    keep("exec", runs_strings[arg], frame, ("exec", code.co_filename, frame.f_lineno))

        return hook

    def _audit(self, event: str, args: tuple) -> None:
        if event not in _SWITCH_EVENTS or not self._active:
            return
        try:
            caller = _GETFRAME(1)  # the Python frame running when the switch was made
            self._keep("tamper", event, caller, ("tamper", event, caller.f_lineno))
        except Exception:  # noqa: BLE001, S110 - a hook must never break the code it watches
            pass

    @contextlib.contextmanager
    def recording(self, watch: tuple[str, ...] | list[str]) -> Iterator[dict]:
        """Record while the block runs; the report (plain data) is filled in the yielded dict."""
        watch = tuple(sorted(str(prefix) for prefix in watch))
        if watch != self._watch:
            self._watch = watch
            self._modules.clear()
            self._names.clear()
        if not self._audit_installed:
            sys.addaudithook(self._audit)  # for the life of the process; it does nothing when idle
            self._audit_installed = True
        self._reached, self._seen = [], set()
        report: dict = {}
        previous, previous_threads = _GETPROFILE(), _THREADS_GETPROFILE()
        _THREADS_SETPROFILE(self._hook)
        _SETPROFILE(self._hook)
        self._active = True  # after this recorder's own switch, and off before it switches back
        try:
            yield report
        finally:
            self._active = False
            intact = _GETPROFILE() is self._hook
            _SETPROFILE(previous)
            _THREADS_SETPROFILE(previous_threads)
            report.update({"reached": self._reached, "intact": intact})
