"""Exercise rules: what a graded function must not use, stated next to the exercise and enforced.

Each graded function's docstring in ``source/`` ends with one paragraph that the release keeps, so a
student reads the rule before writing code::

    Exercise rule: do not use `sklearn.model_selection`.
    Exercise rule: do not use `keras.regularizers`, `keras.constraints` or `tensorflow.nn.l2_loss`.
    Exercise rule: none (free text saying why).

:func:`parse_rule` turns it into an :class:`ExerciseRule` (intake keeps them in its ``SourceSpec``).
After the backticked names, free text may follow; only the names are forbidden. A module forbids
everything in it, a class or function itself and its methods. The rule is enforced twice:

- by reading the answer cells (:func:`autograder.scoring.rule_reader.read_code`, in intake): every
  dotted name they use, with the student's imports and aliases followed
  (``from sklearn.model_selection import KFold as K``, ``tf.keras...``,
  ``getattr(keras, "regularizers")``, ``importlib.import_module("...")``, ``__import__("...")``,
  ``sys.modules["..."]``), and every trick that hides a name from a reader
  (``exec``/``eval``/``compile``, a ``getattr`` or import of a computed name, the interpreter's
  internals, the grader's own recorder), which breaks every rule by itself;
- while the checks run the function (:mod:`autograder.scoring.reach`, in the sandbox): which library
  functions run (a module imported for the first time runs its code too), so that a name built at
  run time is caught too, and whether the student's code switched the recorder off.

:func:`autograder.scoring.rule_judge.judge` resolves what both found against the forbidden names (a
name is compared by what it is: ``keras.src.regularizers.regularizers.L2`` and ``tf.keras.regularizers.l2`` are
``keras.regularizers.L2``) and says which graded function breaks its rule, at which cell and line,
and how it was seen. A finding counts against the graded function whose code holds it, or that
reaches it through the helpers it uses (any top-level statement of the answer cells: functions,
classes, imports, assignments), but not through another graded function whose own rule forbids
the same thing: that one answers for it.

What the sandbox reports is evidence the student's code could tamper with: it is believed against
the student (a forbidden call it saw) and never for them (its silence proves nothing: the reading
of the code stands on its own, and a record that was switched off is itself a violation). Only
dotted names from it reach a message, and only places that are lines of the answer cells.

Top-level code that binds nothing but hides what it does (an ``exec`` that defines functions, a
library attribute replaced) counts against every function with a rule in its cell, and a graded
function that no statement defines (made at run time) breaks its rule by itself.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RULE_MARKER = "Exercise rule:"
READING, RUNNING = "found reading the code", "seen while the checks ran it"
FORBIDDEN, DYNAMIC, RECORDER = "forbidden", "dynamic", "recorder"
DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_NAME_LIST = re.compile(r"do not use\s+((?:`[^`]+`)(?:(?:\s*,\s*(?:or\s+)?|\s+or\s+)`[^`]+`)*)", re.IGNORECASE)


# ------------------------------------------------------------------------------ the rules
class RuleFormatError(ValueError):
    """An ``Exercise rule:`` paragraph that does not follow the fixed format."""


@dataclass(frozen=True)
class ExerciseRule:
    """What one graded function must not use, as its docstring states it."""

    function: str
    forbidden: tuple[str, ...]  # dotted names: modules, classes or functions
    statement: str  # the paragraph as written, on one line

    @property
    def restricts(self) -> bool:
        return bool(self.forbidden)


def parse_rule(function: str, docstring: str | None) -> ExerciseRule | None:
    """The rule stated in ``docstring`` (None: it states none). Raises :class:`RuleFormatError`
    when an ``Exercise rule:`` paragraph is there but malformed, or there are several."""
    paragraphs, current = [], None
    for line in (docstring or "").splitlines():
        stripped = line.strip()
        if stripped.startswith(RULE_MARKER):
            current = [stripped]
            paragraphs.append(current)
        elif current is not None and stripped:
            current.append(stripped)
        else:
            current = None
    if not paragraphs:
        return None
    if len(paragraphs) > 1:
        raise RuleFormatError(f"{function}: {len(paragraphs)} 'Exercise rule:' paragraphs; state one")
    statement = " ".join(paragraphs[0])
    body = statement[len(RULE_MARKER):].strip()
    if re.match(r"none\b", body, re.IGNORECASE):
        return ExerciseRule(function, (), statement)
    names = _NAME_LIST.match(body)
    if names is None:
        raise RuleFormatError(f"{function}: the rule must read 'Exercise rule: do not use `a`, `b` or `c`.' "
                              f"or 'Exercise rule: none ...', got {statement!r}")
    forbidden = tuple(re.findall(r"`([^`]+)`", names.group(1)))
    for name in forbidden:
        if not DOTTED_NAME.fullmatch(name):
            raise RuleFormatError(f"{function}: {name!r} is not a dotted name (module, class or function)")
    return ExerciseRule(function, forbidden, statement)


def rules_from_json(data: Iterable[Mapping]) -> dict[str, ExerciseRule]:
    return {item["function"]: ExerciseRule(item["function"], tuple(item["forbidden"]), item["statement"])
            for item in data}


# --------------------------------------------------------------------- names and what they are
# Keras 3's public names live in ``keras.src`` (and ``tf.keras`` is ``keras._tf_keras.keras``):
# compared without those folders, ``keras.src.regularizers.regularizers.L2`` is under
# ``keras.regularizers``.
_CANONICAL_PREFIXES = (("tensorflow.keras.", "keras."), ("keras._tf_keras.keras.", "keras."),
                       ("keras.src.", "keras."), ("keras.api.", "keras."), ("tf_keras.src.", "keras."))


def canonical(name: str) -> str:
    """``name`` under its public Keras spelling (other names unchanged)."""
    changed = True
    while changed:
        changed = False
        for prefix, replacement in _CANONICAL_PREFIXES:
            if (name + ".").startswith(prefix):
                name = (replacement + (name + ".")[len(prefix):])[:-1]
                changed = True
    return name


def within(name: str, prefix: str) -> bool:
    """Whether dotted ``name`` is ``prefix`` or inside it (``a.b.c`` is within ``a.b``, not ``a.bc``)."""
    return name == prefix or name.startswith(prefix + ".")


def identity(obj: Any) -> str | None:
    """The dotted name of what ``obj`` is: a module's name, a class's or function's
    ``module.qualname``, else its class's."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    obj = getattr(obj, "__func__", obj)  # a bound method: its function
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and (inspect.isclass(obj) or callable(obj)):
        return f"{module}.{qualname}"
    if not inspect.isclass(obj):
        return identity(type(obj))
    return None


@dataclass(frozen=True)
class Target:
    """A forbidden name and the canonical dotted names that fall under it."""

    name: str
    prefixes: tuple[str, ...]

    def covers(self, names: Iterable[str]) -> bool:
        return any(within(name, prefix) for name in names for prefix in self.prefixes)


@functools.cache
def resolve_target(name: str, load: bool = True) -> Target:
    """The forbidden ``name`` (the instructor's, from the source notebook) and what it is: imported
    when ``load``, else only as far as modules already imported say (a student's kernel, where a
    check must not import TensorFlow)."""
    parts, obj = name.split("."), None
    if load:
        for end in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:end]))
            except Exception:  # noqa: BLE001, S112 - not a module: try a shorter prefix
                continue
            for part in parts[end:]:
                obj = getattr(obj, part, None)
            break
    else:
        obj, rest = _resolve(name, None)
        obj = obj if not rest else None
    prefixes = {canonical(name)}
    found = identity(obj) if obj is not None else None
    if found:
        prefixes.add(canonical(found))
    return Target(name, tuple(sorted(prefixes)))


def watch_prefixes(rules: Mapping[str, ExerciseRule]) -> tuple[str, ...]:
    """Every canonical prefix any rule forbids: what the run-time recorder keeps."""
    return tuple(sorted({p for rule in rules.values() for name in rule.forbidden
                         for p in resolve_target(name).prefixes}))


def _resolve(path: str, namespace: Mapping[str, Any] | None) -> tuple[Any, str]:
    """The object a dotted path names, as far as it can be followed without running student code:
    its first name from ``namespace`` or an already imported module, then attributes of modules and
    classes only. Returns ``(object or None, the rest that could not be followed)``."""
    parts = path.split(".")
    obj, used = None, 0
    if namespace is not None and parts[0] in namespace:
        obj, used = namespace[parts[0]], 1
    else:
        for end in range(len(parts), 0, -1):
            module = sys.modules.get(".".join(parts[:end]))
            if module is not None:
                obj, used = module, end
                break
    if obj is None:
        return None, path
    while used < len(parts) and (isinstance(obj, types.ModuleType) or inspect.isclass(obj)):
        try:
            obj = getattr(obj, parts[used])
        except Exception:  # noqa: BLE001 - a name the library does not have: compare it as written
            break
        used += 1
    return obj, ".".join(parts[used:])


def names_of(path: str, namespace: Mapping[str, Any] | None = None) -> set[str]:
    """The canonical dotted names ``path`` may stand for: as written, and as what it resolves to."""
    names = {canonical(path)}
    obj, rest = _resolve(path, namespace)
    if obj is not None:
        found = identity(obj)
        if found:
            names.add(canonical(found + ("." + rest if rest else "")))
    return names
