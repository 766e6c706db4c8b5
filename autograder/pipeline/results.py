"""The outcome of grading one submission, as the pipeline reports and records it."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograder.scoring.job import CellResult


@dataclass
class StudentResult:
    """Outcome of grading one student's submission of one assignment."""

    student: str
    assignment: str
    score: float = 0.0  # the trusted checks' (before the late penalty)
    max_score: float = 0.0
    graded: bool = False
    feedback: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    cells: list[CellResult] = field(default_factory=list)
    skipped: bool = False  # unchanged since its last grading: taken from the records
    attempts: int = 1  # 2 when the first run was not verified (the sandbox was unhealthy after it)
    late_penalty: float = 0.0  # points the course's late policy takes (nbgrader's export subtracts them)
    seconds_late: float = 0.0  # past the student's deadline, when the course set one

    @property
    def final_score(self) -> float:
        """The score after the late penalty (as ``nbgrader export``'s ``score`` column)."""
        return max(0.0, self.score - self.late_penalty)

    @property
    def status(self) -> str:
        if not self.graded:
            return "NOT GRADED"
        if self.skipped:
            return "unchanged"
        return "ok" if self.feedback else "no feedback"
