"""The typed values that cross into and out of the trusted checks: one submission's job, each test
cell's result and the report.

A job is made on the grading side (:func:`autograder.scoring.intake.make_job`), travels as JSON in
a file to ``python -m autograder.scoring.trusted`` (its wire form: :meth:`GradingJob.to_json`,
:meth:`GradingJob.from_json`), and the report comes back the same way. Imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from autograder.scoring import rule_judge


@dataclass
class CellResult:
    """The trusted verdict on one test cell."""

    grade_id: str
    points: float
    passed: bool
    message: str = ""


@dataclass
class TrustedReport:
    """What the trusted checks found in one submission."""

    cells: list[CellResult] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    cell_errors: list[dict] = field(default_factory=list)
    isolation: bool = False
    seconds: float = 0.0
    violations: list[dict] = field(default_factory=list)  # exercise rules broken (rule_judge.RuleViolation)
    rule_seconds: float = 0.0  # of ``seconds``: reading the code and judging the rules

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> TrustedReport:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["cells"] = [CellResult(**cell) for cell in values.get("cells", [])]
        return cls(**values)


def all_failed(test_cells: list[dict], message: str, flags: list[str] | None = None) -> TrustedReport:
    """A report in which no test cell passed, each with ``message`` (a submission that could not
    be read, or checks that could not run or ran out of time)."""
    return TrustedReport(cells=[CellResult(cell["grade_id"], cell["points"], False, message) for cell in test_cells],
                         flags=list(flags or []))


@dataclass
class GradingJob:
    """Everything the trusted checks need to grade one submission."""

    setup: str  # the source notebook's setup cell
    answer_cells: list[tuple[str, str]]  # (label, source) of the student's answers and helper cells
    functions: list[str]  # the graded functions
    answer_ids: list[str]  # grade_id of each answer cell, in the notebook's order
    test_cells: list[dict]  # {"grade_id", "points", "source"} from the source notebook
    values: list[str] = field(default_factory=list)  # graded names that are data, not functions
    limits: dict[str, Any] = field(default_factory=dict)  # the fields of sandbox.Limits
    exercise_rules: list[dict] = field(default_factory=list)  # rules.ExerciseRule as JSON
    code: dict = field(default_factory=dict)  # what the static reader found (rule_reader.CodeMap as JSON)
    rule_mode: str = rule_judge.WITHHOLD  # or rule_judge.FLAG
    grading_key: str | None = None  # hex; the hidden cells' random inputs are drawn from it

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> GradingJob:
        known = {f.name for f in fields(cls)}
        job = cls(**{key: value for key, value in data.items() if key in known})
        job.answer_cells = [(str(label), str(source)) for label, source in job.answer_cells]
        return job
