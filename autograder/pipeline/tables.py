"""The grading run's outputs for people: nbgrader's grades CSV with a flags column, the grade table
and the summary of flagged submissions."""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.layout import CourseLayout
from autograder.pipeline.gradebook import db_url
from autograder.pipeline.nbgrader_run import db_flag, nbgrader
from autograder.pipeline.records import read_flags
from autograder.pipeline.results import StudentResult


def export_grades(course_dir: Path, to: Path | None = None) -> Path:
    """nbgrader's grades CSV (every student x assignment), plus a ``flags`` column."""
    course_dir = Path(course_dir).resolve()
    to = Path(to) if to else CourseLayout(course_dir).grades_csv()
    nbgrader("export", f"--to={to}", db_flag(db_url(course_dir)), course_dir=course_dir)
    flags = read_flags(course_dir)
    with open(to, newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0].keys()) if rows else ["assignment", "student_id", "score", "max_score"]
    with open(to, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields + ["flags"])
        writer.writeheader()
        for row in rows:
            row["flags"] = "; ".join(flags.get(row.get("assignment", ""), {}).get(row.get("student_id", ""), []))
            writer.writerow(row)
    return to


def flag_summary(results: list[StudentResult]) -> str:
    """The flagged submissions and why, for the end of a grading run."""
    flagged = [r for r in results if r.flags]
    if not flagged:
        return "No submission was flagged."
    lines = [f"{len(flagged)} flagged submission(s):"]
    for r in flagged:
        lines.append(f"  {r.assignment} / {r.student} ({r.final_score:g} / {r.max_score:g}):")
        lines += [f"    - {flag}" for flag in r.flags]
    return "\n".join(lines)


def format_table(results: list[StudentResult]) -> str:
    """A plain-text grade table (columns sized to the longest assignment and student names)."""
    a = max([len("assignment")] + [len(r.assignment) for r in results])
    w = max([len("student")] + [len(r.student) for r in results])
    header = f"{'assignment':<{a}} {'student':<{w}} {'score':>7} {'max':>5}  {'status':<11} {'time':>6}"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.assignment:<{a}} {r.student:<{w}} {r.final_score:>7.1f} {r.max_score:>5.0f}  "
                     f"{r.status:<11} {r.seconds:>5.1f}s")
        if r.late_penalty:
            lines.append(f"    late by {r.seconds_late / 3600:.1f} h: {r.score:g} less the late penalty of "
                         f"{r.late_penalty:g}")
        for problem in r.problems:
            lines.append("    ! " + problem.replace("\n", "\n      "))
        if r.flags:
            lines.append(f"    flagged: {len(r.flags)} reason(s), see the summary")
    return "\n".join(lines)
