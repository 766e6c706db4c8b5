"""Look for a graded function's implementation among the callables of the sandbox's packages.

Run by ``tests/system/test_no_reachable_reference.py`` inside the grading sandbox (bubblewrap, a PID
namespace of its own, read-only file system), started as every sandboxed Python is
(:func:`autograder.isolation.launch.python_command`): a module, copied next to its job, that imports only
the ``course`` and ``autograder`` packages, numpy and the standard library, and reads its job
(``job.json`` in its working folder, written by the test from the source notebooks: each
chapter's setup cell, solutions, graded functions' signatures and hidden test cells).

Every module of ``course`` and ``autograder`` is imported, and every callable defined there is
collected: module-level functions and classes, functions, static and class methods of those
classes, and functions held in module-level lists, tuples and dicts. For each graded function,
every callable whose signature accepts the function's arguments is adapted to the function's
name and signature (so a renamed copy is found as well as the original) and graded by the
chapter's own hidden test cells, as in trusted grading: with a grading key, so the hidden
inputs are drawn as they are when a class is graded. A callable that earns at least half of the
function's hidden points reproduces it. Callables that train a Keras model are skipped (no
graded function does), and so are those built on Keras when the function's checks never use it.

Candidates run one after another in a forked child per graded function (the setup cell and the
solutions run there, never in this process: a fork after a TensorFlow operation is unsafe; Keras is
imported here first, without an operation, as the grading sandbox's zygote does). The
child first grades the solution, which times the cells; each candidate then gets one call on the
checks' first input (2 s: a callable that cannot answer that in seconds is no shortcut) and a
time limit per cell of 10 times the solution's (at least 3 s); before each, the grading key and
the random states are reset, and ``os._exit`` only raises. A child stuck in native code past a
candidate's limit is killed and a new one goes on. At the end of each child the solution must
again earn every hidden point (the canary): if a candidate broke the checks for those after it,
the function's candidates are graded again, each in a child of its own.

Prints one JSON object: per graded function, the candidates tried and skipped, the ones that
reproduce it, those past their time limit or that ended their process, and the canary's verdict.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import inspect
import io
import json
import os
import pkgutil
import random
import resource
import select
import signal
import sys
import time
import types
import warnings
from pathlib import Path

from autograder.isolation import preload

PACKAGES = ("course", "autograder")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
STALL_SECONDS = 180.0  # no word from a child for this long (stuck in C code, say): it is killed


class CandidateTimeout(BaseException):
    """Raised by the alarm in a candidate that runs past its time limit (not an Exception, so a
    check's ``except Exception`` cannot swallow it)."""


def _ours(obj: object) -> bool:
    module = getattr(obj, "__module__", None)
    return isinstance(module, str) and module.split(".")[0] in PACKAGES


def import_modules() -> tuple[list[types.ModuleType], list[str]]:
    """Every module of the packages (``__main__`` ones too: the sandbox can import them)."""
    modules, failures = [], []
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules.append(package)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            try:
                modules.append(importlib.import_module(info.name))
            except BaseException as error:  # noqa: BLE001 - reported, the scan goes on
                failures.append(f"{info.name}: {type(error).__name__}: {error}")
    return modules, failures


def collect_callables(modules: list[types.ModuleType]) -> list[tuple[str, object]]:
    """``(qualified name, callable)`` for every callable defined in the packages, once each."""
    found: dict[int, tuple[str, object]] = {}

    def add(name: str, obj: object) -> None:
        if callable(obj) and _ours(obj) and id(obj) not in found:
            found[id(obj)] = (name, obj)

    for module in modules:
        for key, value in sorted(vars(module).items()):
            where = f"{module.__name__}.{key}"
            if isinstance(value, type):
                if not _ours(value):
                    continue
                add(where, value)
                for attr, member in sorted(vars(value).items()):
                    if attr.startswith("__") and attr != "__call__":
                        continue
                    if isinstance(member, (staticmethod, classmethod)):
                        add(f"{where}.{attr}", getattr(value, attr))
                    elif isinstance(member, (types.FunctionType, functools.partial)):
                        add(f"{where}.{attr}", member)
            elif callable(value):
                add(where, value)
            elif isinstance(value, (list, tuple, dict)):
                items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
                for index, item in items:
                    for part in item if isinstance(item, tuple) else (item,):
                        if isinstance(part, types.FunctionType):
                            add(f"{where}[{index!r}]", part)
    return sorted(found.values(), key=lambda pair: pair[0])


TRAINING_NAMES = frozenset({"fit", "train_on_batch"})
KERAS_NAMES = frozenset({"import_keras", "_keras", "keras"})


def _code_objects(code: types.CodeType):
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


@functools.cache
def _our_modules_named(name: str) -> tuple[types.ModuleType, ...]:
    """The packages' modules whose last dotted part is ``name`` (what ``from course import name``
    inside a function, or a module-level import, binds); asked once every module is imported."""
    return tuple(module for key, module in list(sys.modules.items())
                 if module is not None and key.split(".")[0] in PACKAGES and key.rsplit(".", 1)[-1] == name)


_REACHED: dict[int, frozenset[str]] = {}


def _names_reached(candidate: object) -> frozenset[str]:
    """:func:`_reach`, once per candidate."""
    if id(candidate) not in _REACHED:
        _REACHED[id(candidate)] = frozenset(_reach(candidate))
    return _REACHED[id(candidate)]


def _reach(candidate: object) -> set[str]:
    """Names used by ``candidate`` and, transitively, by the package functions it calls: through
    its module's globals, through attributes of the package modules it names (``fashion.train``,
    also after an import inside the function) and through the methods of the package classes it
    names."""
    names: set[str] = set()
    todo, seen = [candidate], set()
    while todo:
        function = todo.pop()
        function = getattr(function, "__func__", function)
        function = getattr(function, "__wrapped__", function)
        if id(function) in seen:
            continue
        seen.add(id(function))
        if isinstance(function, type):
            if _ours(function):
                todo += [member for member in vars(function).values()
                         if isinstance(member, (types.FunctionType, staticmethod, classmethod))]
            continue
        if not isinstance(function, types.FunctionType):
            continue
        used = {name for code in _code_objects(function.__code__) for name in code.co_names}
        names |= used
        for name in used:
            value = function.__globals__.get(name)
            if value is not None and not isinstance(value, types.ModuleType) and _ours(value):
                todo.append(value)
            modules = [value] if isinstance(value, types.ModuleType) else _our_modules_named(name)
            for module in modules:
                if module.__name__.split(".")[0] in PACKAGES:
                    todo += [getattr(module, attr) for attr in used
                             if _ours(getattr(module, attr, None))]
    return names


def trains_a_model(candidate: object) -> bool:
    """Whether ``candidate`` (or a package function it calls) trains a Keras model: no graded
    function does, so the scan skips those, which would spend seconds each."""
    names = _names_reached(candidate)
    return bool(names & TRAINING_NAMES and names & KERAS_NAMES)


def uses_keras(candidate: object) -> bool:
    return bool(_names_reached(candidate) & KERAS_NAMES)


def checks_use_keras(function: dict, modules: list[types.ModuleType]) -> bool:
    """Whether the function's hidden cells reach Keras (through the checks they call). When they
    do not, a callable built on Keras cannot be what they accept, and it is skipped: building
    models of the sizes other functions' arguments make can hold a child in native code for long."""
    checks = [m for m in modules if m.__name__.startswith("autograder.checks")]
    for cell in function["cells"]:
        code = compile(runnable(cell["source"]), cell["grade_id"], "exec")
        names = {name for part in _code_objects(code) for name in part.co_names}
        if names & KERAS_NAMES:
            return True
        for module in checks:
            for name in names:
                value = getattr(module, name, None)
                if value is not None and callable(value) and _ours(value) and uses_keras(value):
                    return True
    return False


def positional_count(candidate: object, params: list[str], required: int) -> int | None:
    """How many of the graded function's arguments ``candidate`` takes positionally: all of them,
    or only the required ones; None when it takes neither."""
    try:
        signature = inspect.signature(candidate)
    except (TypeError, ValueError):
        return len(params)  # a builtin without a signature: try it
    for count in dict.fromkeys((len(params), required)):
        try:
            signature.bind(*range(count))
        except TypeError:
            continue
        return count
    return None


def adapted(candidate: object, name: str, params: list[str], defaults: dict, count: int):
    """``candidate`` with the graded function's name and signature: what a one-line wrapper in an
    answer cell would make of it."""

    def graded(*args, **kwargs):
        values = list(args)
        for param in params[len(args):]:
            if param in kwargs:
                values.append(kwargs.pop(param))
            elif param in defaults:
                values.append(defaults[param])
            else:
                raise TypeError(f"{name}() missing argument {param!r}")
        if kwargs:
            raise TypeError(f"{name}() got unexpected arguments {sorted(kwargs)}")
        return candidate(*values[:count])

    graded.__name__ = graded.__qualname__ = name
    return graded


def runnable(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in HIDDEN_MARKERS)


def _on_alarm(signum, frame):
    raise CandidateTimeout()


def _send(fd: int, message: dict) -> None:
    os.write(fd, (json.dumps(message) + "\n").encode())


def _reset(job: dict, numpy_state, python_state) -> None:
    import numpy as np

    from autograder import checks

    checks.set_grading_key(bytes.fromhex(job["grading_key"]))
    np.random.set_state(numpy_state)
    random.setstate(python_state)


def grade(function: dict, graded, namespace: dict, stop_early: bool,
          limits: list[float] | None = None) -> tuple[float, list[str], list[float]]:
    """Hidden points ``graded`` earns (the function's hidden cells, in order), the cells it passed
    and the seconds each cell took; with ``stop_early``, stops as soon as half the points are out
    of reach. ``limits`` are the cells' time limits (:class:`CandidateTimeout` past one)."""
    total = sum(cell["points"] for cell in function["cells"])
    earned, left, passed, seconds = 0.0, total, [], []
    for number, cell in enumerate(function["cells"]):
        if stop_early and earned + left < total / 2:
            break
        left -= cell["points"]
        scope = dict(namespace)
        scope[function["name"]] = graded
        begun = time.monotonic()
        if limits:
            signal.setitimer(signal.ITIMER_REAL, limits[number])
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(runnable(cell["source"]), cell["grade_id"], "exec"), scope)  # noqa: S102
        except Exception:  # noqa: BLE001, S112 - a failing cell
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            seconds.append(time.monotonic() - begun)
        earned += cell["points"]
        passed.append(cell["grade_id"])
    return earned, passed, seconds


class CandidateExit(BaseException):
    """Raised instead of ending the process when a candidate calls ``os._exit`` (several of the
    sandbox's own functions end the process they run in): the candidate failed, the scan goes on."""


def _refuse_exit(code: int = 0) -> None:
    raise CandidateExit(code)


class _FirstCall(BaseException):
    """Stops the solution's grading at its first call, once its arguments are recorded."""


def _setup(chapter: dict) -> dict:
    """The chapter's setup cell and solutions, run as the kernel runs them."""
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(chapter["setup"], "setup", "exec"), namespace)  # noqa: S102
        for index, source in enumerate(chapter["answers"]):
            exec(compile(source, f"answer {index}", "exec"), namespace)  # noqa: S102
    return namespace


def child(job: dict, chapter: dict, function: dict, candidates: list[tuple[str, object]], indices: list[int],
          fd: int, limits: list[float] | None) -> None:
    """Grade ``candidates[i]`` for each ``i`` of ``indices``, then the solution (the canary); report
    on ``fd``. Without ``limits``, the solution is graded first too, to time the cells."""
    signal.signal(signal.SIGALRM, _on_alarm)
    resource.setrlimit(resource.RLIMIT_AS, (job["memory_bytes"], job["memory_bytes"]))
    quiet = os.open(os.devnull, os.O_WRONLY)  # what candidates print must not reach the report
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    namespace = _setup(chapter)
    import numpy as np

    numpy_state, python_state = np.random.get_state(), random.getstate()
    params, required = function["params"], function["required"]
    defaults = {name: eval(text) for name, text in function["defaults"].items()}  # noqa: S307 - literals
    half = sum(cell["points"] for cell in function["cells"]) / 2
    solution = adapted(namespace[function["name"]], function["name"], params, defaults, len(params))
    first_call: list = []

    def recording(*args, **kwargs):
        if not first_call:
            with contextlib.suppress(Exception):
                first_call.append(copy.deepcopy((args, kwargs)))
            if limits is not None:
                raise _FirstCall()
        return solution(*args, **kwargs)

    _reset(job, numpy_state, python_state)
    if limits is None:
        earned, _, seconds = grade(function, recording, namespace, stop_early=False)
        # a cell may take a candidate several times as long as it takes the solution
        limits = [max(job["cell_seconds"], job["cell_factor"] * spent) for spent in seconds]
        _send(fd, {"limits": limits, "canary": earned})
    else:
        with contextlib.suppress(_FirstCall):
            grade(function, recording, namespace, stop_early=False)
    for index in indices:
        _, candidate = candidates[index]
        count = positional_count(candidate, params, required)
        earned, passed, outcome = 0.0, [], "skipped"
        begun = time.monotonic()
        if count is not None:
            graded = adapted(candidate, function["name"], params, defaults, count)
            end_process, os._exit = os._exit, _refuse_exit
            try:
                if first_call:  # one call on the checks' first input: a callable that cannot answer
                    _send(fd, {"start": index, "seconds": job["probe_seconds"]})  # it in seconds is no shortcut
                    _reset(job, numpy_state, python_state)
                    args, kwargs = copy.deepcopy(first_call[0])
                    signal.setitimer(signal.ITIMER_REAL, job["probe_seconds"])
                    try:
                        graded(*args, **kwargs)
                    except Exception:  # noqa: BLE001, S110 - it may still pass other calls
                        pass
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                _send(fd, {"start": index, "seconds": 2 * sum(limits)})
                _reset(job, numpy_state, python_state)
                earned, passed, _ = grade(function, graded, namespace, stop_early=True, limits=limits)
                if earned >= half:  # every hidden cell, for the report
                    _reset(job, numpy_state, python_state)
                    earned, passed, _ = grade(function, graded, namespace, stop_early=False, limits=limits)
                outcome = "graded"
            except CandidateTimeout:
                outcome = "timeout"
            except BaseException:  # noqa: BLE001 - SystemExit, CandidateExit and the like: it failed
                outcome = "graded"
            finally:
                os._exit = end_process
        _send(fd, {"done": index, "outcome": outcome, "earned": earned, "passed": passed,
                   "seconds": round(time.monotonic() - begun, 2)})
    _reset(job, numpy_state, python_state)
    earned, _, _ = grade(function, solution, namespace, stop_early=False)
    _send(fd, {"canary": earned})


def run_children(job: dict, chapter: dict, function: dict, candidates: list, indices: list[int],
                 limits: list[float] | None = None) -> dict:
    """Grade ``indices`` in forked children; collect the reports.

    A child that stays in one candidate past its time limit (stuck in native code, where the
    alarm cannot reach) is killed, as is one that stops answering, and a new child goes on; the
    candidates the killed child graded since its start are graded again in the new one, so that
    every result is followed by a canary in the same child.
    """
    results: dict[int, dict] = {}
    canaries: list[float] = []
    restarts = regraded = 0  # children killed in a candidate; candidates graded again after them
    todo = list(indices)
    while True:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            code = 0
            try:
                os.chdir(job["folder"])
                child(job, chapter, function, candidates, todo, write_fd, limits)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(write_fd)
        running, deadline, buffer, finished, graded_here = None, None, b"", False, []
        last = time.monotonic()
        while True:
            ready, _, _ = select.select([read_fd], [], [], 0.2)
            now = time.monotonic()
            if not ready:
                late = deadline is not None and now > deadline
                if late or now - last > STALL_SECONDS:
                    os.kill(pid, signal.SIGKILL)
                    break
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            last = now
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                message = json.loads(line)
                if "limits" in message:
                    limits = message["limits"]
                if "start" in message:
                    running, deadline = message["start"], now + message["seconds"] + 2.0
                elif "done" in message:
                    results[message["done"]] = message
                    graded_here.append(message["done"])
                    running = deadline = None
                elif "canary" in message:
                    canaries.append(message["canary"])
                    finished = finished or "limits" not in message
        os.close(read_fd)
        os.waitpid(pid, 0)
        if finished:
            return {"results": results, "canaries": canaries, "limits": limits, "restarts": restarts,
                    "regraded": regraded}
        if running is None or limits is None:  # it died outside a candidate (its setup, the canary)
            canaries.append(-1.0)
            return {"results": results, "canaries": canaries, "limits": limits, "restarts": restarts,
                    "regraded": regraded}
        results[running] = {"done": running, "outcome": "timeout" if deadline and time.monotonic() > deadline
                            else "crashed", "earned": 0.0, "passed": [], "seconds": None}
        # again, after a canary: what the killed child graded, then what it did not reach
        todo = graded_here + todo[todo.index(running) + 1:]
        restarts, regraded = restarts + 1, regraded + len(graded_here)
        for index in graded_here:
            results.pop(index, None)


def scan_function(job: dict, chapter: dict, function: dict, candidates: list, modules: list) -> dict:
    started = time.monotonic()
    total = sum(cell["points"] for cell in function["cells"])
    accepting = [i for i, (_, candidate) in enumerate(candidates)
                 if positional_count(candidate, function["params"], function["required"]) is not None]
    keras_allowed = checks_use_keras(function, modules)
    indices = [i for i in accepting if not trains_a_model(candidates[i][1])
               and (keras_allowed or not uses_keras(candidates[i][1]))]
    run = run_children(job, chapter, function, candidates, indices)
    isolated = False
    if min(run["canaries"], default=-1.0) < total:
        # a candidate broke the checks for those after it: each one in a child of its own
        isolated = True
        runs = [run_children(job, chapter, function, candidates, [i], run["limits"]) for i in indices]
        run = {"results": {i: r["results"][i] for r, i in zip(runs, indices) if i in r["results"]},
               "canaries": [c for r in runs for c in r["canaries"]],
               "restarts": sum(r["restarts"] for r in runs), "regraded": 0}
    results = run["results"]
    return {
        "hidden_points": total,
        "tried": len(indices),
        "checks_use_keras": keras_allowed,
        "skipped": [candidates[i][0] for i in accepting if i not in indices],
        "reproduce": [{"name": candidates[i][0], "earned": r["earned"], "passed": r["passed"]}
                      for i, r in sorted(results.items()) if r["earned"] >= total / 2],
        "timeouts": [candidates[i][0] for i, r in sorted(results.items()) if r["outcome"] == "timeout"],
        "crashed": [candidates[i][0] for i, r in sorted(results.items()) if r["outcome"] == "crashed"],
        "ungraded": [candidates[i][0] for i in indices if i not in results],
        "canary_passed": min(run["canaries"], default=-1.0) >= total,
        "isolated": isolated,
        "restarts": run["restarts"],
        "regraded": run["regraded"],
        "slowest": [(candidates[i][0], r["seconds"]) for i, r in
                    sorted(results.items(), key=lambda item: -(item[1]["seconds"] or 0))[:3]],
        "seconds": round(time.monotonic() - started, 1),
    }


def scan(job: dict) -> dict:
    """Every graded function of every chapter of ``job``, against every callable of the packages."""
    started = time.monotonic()
    modules, failures = import_modules()
    # Keras imported (no operation run) before the children fork, as the warm sandbox's zygote
    # does: each child's setup cell then costs milliseconds instead of seconds
    preload.import_keras()
    candidates = collect_callables(modules)
    report = {"modules": len(modules), "import_failures": failures, "callables": len(candidates),
              "import_seconds": round(time.monotonic() - started, 1), "chapters": {}}
    for chapter in job["chapters"]:
        report["chapters"][chapter["assignment"]] = {
            function["name"]: scan_function(job, chapter, function, candidates, modules)
            for function in chapter["functions"]}
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def main() -> int:
    job = json.loads(Path(sys.argv[1]).read_text())
    job["folder"] = str(Path(sys.argv[1]).resolve().parent)
    sys.stdout.write(json.dumps(scan(job)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
