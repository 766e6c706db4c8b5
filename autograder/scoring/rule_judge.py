"""Exercise rules, judged: what the reading of the code (:mod:`autograder.scoring.rule_reader`) and the
run-time record (:mod:`autograder.scoring.reach`) found, resolved against each graded function's
forbidden names; which function breaks its rule, where, and what that costs (the course setting).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from autograder.scoring.rule_reader import GRADERS_CODE, CodeMap
from autograder.scoring.rules import (
    DYNAMIC,
    FORBIDDEN,
    READING,
    RECORDER,
    RUNNING,
    ExerciseRule,
    canonical,
    names_of,
    resolve_target,
)


# ----------------------------------------------------------------------- what was seen running
@dataclass(frozen=True)
class Reached:
    """Library code the student's code reached while running (a module imported for the first time
    runs its ``<module>`` code), or a call of exec/eval/compile by the student's own code; and the
    student's frames on the stack then, innermost first: ``(cell, line)``."""

    kind: str  # "call" | "exec" | "tamper" (a call that switches the recorder off)
    target: str
    frames: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class RunRecord:
    """What the sandbox's recorder reported for one call of a graded function (``function``), or for
    loading the answer cells (``function`` None)."""

    function: str | None
    reached: tuple[Reached, ...] = ()
    complete: bool = True


MAX_REACHED = 64  # per call; the rest is dropped (the first are enough to judge)
MAX_FRAMES = 16
_RECORDED_NAME = re.compile(r"[\w.<>]{1,300}")  # module.qualname, e.g. ``a.b.<locals>.f``


def decode_record(function: str | None, data: Any) -> RunRecord:
    """A recorder's report as sent by the sandbox (plain JSON data the student could forge); never
    raises. No report, or a report that says the hook was switched off, is incomplete."""
    if not isinstance(data, dict) or not isinstance(data.get("reached"), list):
        return RunRecord(function, (), False)
    reached = []
    for item in data["reached"][:MAX_REACHED]:
        with contextlib.suppress(Exception):
            kind, target = str(item["kind"]), str(item["target"])
            if kind not in ("call", "exec", "tamper") or not _RECORDED_NAME.fullmatch(target):
                continue  # a dotted name is all a recorder reports (nothing else may reach feedback)
            frames = tuple((str(cell)[:200], int(line)) for cell, line in item["frames"][:MAX_FRAMES])
            reached.append(Reached(kind, target, frames))
    return RunRecord(function, tuple(reached), data.get("intact") is True)


# ------------------------------------------------------------------------------- judging
@dataclass(frozen=True)
class RuleViolation:
    """A graded function breaks its stated rule: where, with what, and how it was seen."""

    function: str
    kind: str  # FORBIDDEN, DYNAMIC (code that hides what it uses) or RECORDER (the run-time record)
    rule: str  # the forbidden name (FORBIDDEN)
    found: str  # the name used, or what the code does
    cell: str
    line: int
    seen: str  # READING or RUNNING

    def describe(self) -> str:
        where = ("its answer cell" if self.cell.removesuffix(" (recovered)") == self.function
                 else f"cell {self.cell!r}")
        place = f"line {self.line} of {where}" if self.line else where
        if self.kind == FORBIDDEN:
            return (f"{self.function} breaks its exercise rule (do not use `{self.rule}`): {place} uses "
                    f"`{self.found}` ({self.seen})")
        if self.kind == DYNAMIC and not self.line:
            return f"{self.function} breaks its exercise rule: it {self.found}, which hides its code from the grader"
        if self.kind == DYNAMIC and self.found.startswith(GRADERS_CODE.split("(")[0]):
            return f"{self.function} breaks its exercise rule: {place} {self.found} ({self.seen})"
        if self.kind == DYNAMIC:
            return (f"{self.function} breaks its exercise rule: {place} {self.found}, which hides from the "
                    f"grader what the code uses ({self.seen})")
        if self.line:
            return f"{self.function} breaks its exercise rule: {place} {self.found} ({self.seen})"
        return (f"{self.function} breaks its exercise rule: the run-time record of its calls was switched off "
                f"or is missing ({self.found})")


def violations_from_json(data: Iterable[Mapping]) -> list[RuleViolation]:
    return [RuleViolation(**item) for item in data]


# what no graded function may use, whatever its rule says: the grader's own code (its checks'
# messages would give the expected values away); read in the code only (the function server's own
# frames are the grader's code too)
COURSE_WIDE = ("autograder",)


def _with_course_wide(rule: ExerciseRule) -> ExerciseRule:
    extra = tuple(name for name in COURSE_WIDE if name not in rule.forbidden)
    return ExerciseRule(rule.function, rule.forbidden + extra, rule.statement)


class _Judge:
    def __init__(self, rules: Mapping[str, ExerciseRule], code: CodeMap, namespace: Mapping | None, load: bool):
        self.rules = {name: _with_course_wide(rule) for name, rule in rules.items()}
        self.recorded = {name for name, rule in rules.items() if rule.restricts}  # the sandbox records their calls
        self.code, self.namespace, self.load = code, namespace, load
        self.binders = code.binders()
        self.graded_at = {index: [name for name in s.binds if name in rules] for index, s in enumerate(code.statements)}
        self.found: dict[tuple, RuleViolation] = {}

    def broken(self, function: str, names: set[str] | None) -> str | None:
        """The forbidden name of ``function``'s rule that ``names`` fall under ('' for code that hides
        names, which breaks every rule); None if the rule allows it (or there is none)."""
        rule = self.rules.get(function)
        if rule is None:
            return None
        if names is None:
            return ""
        return next((name for name in rule.forbidden if resolve_target(name, self.load).covers(names)), None)

    def answerable(self, start: int, names: set[str] | None) -> list[tuple[str, str]]:
        """``(function, forbidden name)`` for each ruled graded function that answers for statement
        ``start``'s finding: it reaches the statement (its own, or a helper it uses) without passing
        through another graded function whose rule forbids the same."""
        blamed = []
        statement = self.code.statements[start]
        # top-level code that binds nothing but hides what it does (an exec that defines functions, a
        # library changed in place) acts on the whole notebook: every ruled function of its cell answers
        acts_on_cell = names is None and not statement.binds
        for function in self.rules:
            forbidden = self.broken(function, names)
            if forbidden is None:
                continue
            if acts_on_cell and any(self.code.statements[i].cell == statement.cell
                                    for i in self.binders.get(function, [])):
                blamed.append((function, forbidden))
                continue
            todo, seen = list(self.binders.get(function, [])), set()
            while todo:
                index = todo.pop()
                if index in seen:
                    continue
                seen.add(index)
                if index == start:
                    blamed.append((function, forbidden))
                    break
                for name in self.code.statements[index].uses:
                    for nxt in self.binders.get(name, []) + self.binders.get("*", []):
                        others = [g for g in self.graded_at[nxt] if g != function]
                        if any(self.broken(g, names) is not None for g in others) and \
                                function not in self.graded_at[nxt]:
                            continue  # that graded function answers for it
                        todo.append(nxt)
        return blamed

    def add(self, violation: RuleViolation) -> None:
        """Keep one violation per function, place and way it was seen (the first: the name the student's
        line uses, or the library function it called before what that one called)."""
        key = (violation.function, violation.kind, violation.cell, violation.line, violation.seen)
        self.found.setdefault(key, violation)

    # -- reading
    def read(self, defined: Iterable[str]) -> None:
        for function in sorted(set(defined) & set(self.rules)):
            if function not in self.binders:  # it exists when run, yet no statement defines it
                self.add(RuleViolation(function, DYNAMIC, "", "is not defined by any statement of the answer "
                                       "cells (it is made at run time)", function, 0, READING))
        for index, statement in enumerate(self.code.statements):
            for finding in statement.findings:
                names = None if finding.hides else names_of(finding.path, self.namespace)
                for function, forbidden in self.answerable(index, names):
                    kind = DYNAMIC if finding.hides else FORBIDDEN
                    self.add(RuleViolation(function, kind, forbidden, finding.hides or _shown(finding.path, names),
                                           finding.cell, finding.line, READING))

    # -- running
    def run(self, records: Iterable[RunRecord]) -> None:
        for record in records:
            if not record.complete and record.function in self.recorded:
                self.add(RuleViolation(record.function, RECORDER, "", "the recorder was replaced or its report "
                                       "is missing", record.function, 0, RUNNING))
            for reached in record.reached:
                names = None if reached.kind in ("exec", "tamper") else {canonical(reached.target)}
                found = {"exec": f"runs code compiled from a string ({reached.target})",
                         "tamper": f"calls {reached.target}, which switches the recorder off"}.get(
                    reached.kind, reached.target)
                kind = {"exec": DYNAMIC, "tamper": RECORDER}.get(reached.kind, FORBIDDEN)
                if record.function is None:
                    self._loading(reached, names, found, kind)
                else:
                    self._calling(record.function, reached, names, found, kind)

    def _calling(self, called: str, reached: Reached, names: set[str] | None, found: str, kind: str) -> None:
        """Reached during a call of ``called``: it counts against the innermost graded function on the
        stack whose rule forbids it, else against ``called``; the place shown is the student's line
        nearest to it (in a helper, say)."""
        known = [(cell, line, index) for cell, line in reached.frames
                 if (index := self.code.statement_at(cell, line)) is not None]
        cell, line = known[0][:2] if known else (called, 0)
        for _, _, index in known:  # innermost first
            for function in self.graded_at[index]:
                forbidden = self.broken(function, names)
                if forbidden is not None:
                    self.add(RuleViolation(function, kind, forbidden, found, cell, line, RUNNING))
                    return
        forbidden = self.broken(called, names)
        if forbidden is not None:
            self.add(RuleViolation(called, kind, forbidden, found, cell, line, RUNNING))

    def _loading(self, reached: Reached, names: set[str] | None, found: str, kind: str) -> None:
        """Reached while a cell's top-level code ran: every graded function that uses that statement."""
        if not reached.frames:
            return
        cell, line = reached.frames[-1]  # the outermost: the cell's own top-level code
        index = self.code.statement_at(cell, line)
        if index is None:
            return
        for function, forbidden in self.answerable(index, names):
            self.add(RuleViolation(function, kind, forbidden, found, cell, line, RUNNING))


def judge(rules: Mapping[str, ExerciseRule], code: CodeMap, records: Iterable[RunRecord] = (),
          namespace: Mapping[str, Any] | None = None, load: bool = True,
          defined: Iterable[str] = ()) -> list[RuleViolation]:
    """Every rule violation the reading of the code (``code``) and the run-time ``records`` show.
    ``namespace`` (optional) gives what the code's global names are (in a kernel: the function's
    globals); without it, the setup cell's imports and already imported modules say. ``load``:
    whether the forbidden names may be imported to see what they are. ``defined``: the graded
    functions that exist when the cells run (one that no statement defines was made at run time)."""
    judged = _Judge(rules, code, namespace, load)
    judged.read(defined)
    judged.run(records)
    return sorted(judged.found.values(), key=lambda v: (v.function, v.seen != READING, v.cell, v.line))


def _shown(path: str, names: set[str] | None) -> str:
    """A name as the student wrote it, with what it is when it is a bare name (``KFold``)."""
    if "." in path or not names:
        return path
    resolved = sorted(name for name in names if name != canonical(path))
    return f"{path} ({resolved[0]})" if resolved else path


def by_function(violations: Iterable[RuleViolation]) -> dict[str, list[RuleViolation]]:
    grouped: dict[str, list[RuleViolation]] = {}
    for violation in violations:
        grouped.setdefault(violation.function, []).append(violation)
    return grouped


# --------------------------------------------------------------------------- the course setting
WITHHOLD, FLAG = "withhold", "flag"
SETTING = "ExerciseRules.on_violation"  # in nbgrader_config.py


def summary(violations: list[RuleViolation], limit: int = 2) -> str:
    """The first violations' descriptions, and how many more there are."""
    text = "; ".join(v.describe() for v in violations[:limit])
    return text + (f" (and {len(violations) - limit} more)" if len(violations) > limit else "")


def withhold_points(cells: Iterable[Any], function: str, violations: list[RuleViolation]) -> None:
    """Fail every test cell of ``function`` (grade_id ``test_<function>_...``; objects with ``grade_id``,
    ``passed`` and ``message``) with a message that names the rule and the line."""
    for cell in cells:
        if cell.grade_id.startswith(f"test_{function}_"):
            cell.passed = False
            cell.message = f"withheld: {summary(violations)}. The exercise's docstring states its rule."
