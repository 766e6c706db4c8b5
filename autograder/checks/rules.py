"""The exercise rules in a student's own run: a warning in the visible test cell, never a failure.

``warn_if_rule_broken(k_fold_indices)`` reads the function's code (and the helpers it calls that
were written in the notebook) as the grader does (:mod:`autograder.scoring.rules`), against the rule its
docstring states, and prints what the grader would flag, so nobody is surprised at grading time.
It never raises and never imports a library the notebook has not imported. At grading time the
graded name is the grader's proxy, which has no code to read here: the grader judges the rules
itself, reading the submitted cells and watching the calls.
"""

from __future__ import annotations

import inspect
import textwrap
import types
from collections.abc import Callable
from typing import Any

from autograder.scoring import rule_judge, rule_reader, rules

MAX_HELPERS = 20  # functions and classes of the notebook read besides the graded one


def _notebook_code(function: Callable) -> tuple[list[tuple[str, str]], dict[str, rules.ExerciseRule]]:
    """``(label, source)`` of ``function`` and of the notebook's functions and classes it uses, and the
    rules their docstrings state."""
    namespace = getattr(function, "__globals__", {})
    cells, stated, todo, seen = [], {}, [function.__name__], set()
    while todo and len(cells) <= MAX_HELPERS:
        name = todo.pop()
        obj = namespace.get(name) if name != function.__name__ else function
        if name in seen or not isinstance(obj, (types.FunctionType, type)):
            continue
        seen.add(name)
        if getattr(obj, "__module__", None) != function.__module__:
            continue  # a library's or the course's, not the student's
        try:
            lines, first = inspect.getsourcelines(obj)
        except (OSError, TypeError):
            continue
        source = "\n" * max(first - 1, 0) + textwrap.dedent("".join(lines))  # lines counted as in its cell
        cells.append((name, source))
        rule = rules.parse_rule(name, inspect.getdoc(obj)) if isinstance(obj, types.FunctionType) else None
        if rule is not None:
            stated[name] = rule
        for statement in rule_reader.read_code([(name, source)]).statements:
            todo += [used for used in statement.uses if used not in seen]
    return cells, stated


def warn_if_rule_broken(function: Any) -> None:
    """Print a warning for every use of what ``function``'s exercise rule forbids; never fails."""
    try:
        if not isinstance(function, types.FunctionType):
            return  # the grader's proxy, or something that is not the notebook's own function
        cells, stated = _notebook_code(function)
        if function.__name__ not in stated or not stated[function.__name__].restricts:
            return
        violations = [v for v in rule_judge.judge(stated, rule_reader.read_code(cells), namespace=function.__globals__,
                                             load=False)
                      if v.function == function.__name__]
    except Exception:  # noqa: BLE001 - a courtesy check: whatever happens, the test goes on
        return
    for violation in violations:
        print(f"Warning: {violation.describe()}.")
    if violations:
        print(f"Graded, {function.__name__} would get 0 points: {stated[function.__name__].statement}")
