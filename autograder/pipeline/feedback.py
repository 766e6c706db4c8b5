"""A submission's feedback: nbgrader's HTML of the student version with the student's answers and
the trusted verdicts, else a plain page. Never shows hidden test code or anything the kernel
wrote.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import nbformat

from autograder.isolation import sandbox
from autograder.layout import CourseLayout
from autograder.pipeline.nbgrader_run import db_flag, nbgrader
from autograder.pipeline.results import StudentResult
from autograder.scoring import intake, rule_judge
from autograder.scoring.hidden_tests import visible_source
from autograder.scoring.job import CellResult, TrustedReport

FEEDBACK_SECONDS = 180  # nbconvert's HTML export of one notebook; else the plain page


def _verdict_output(cell: CellResult) -> dict:
    if cell.passed:
        text = f"Passed: {cell.points:g} / {cell.points:g} points.\n"
    else:
        text = f"Not passed: 0 / {cell.points:g} points.\n{cell.message}\n"
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _rule_output(violations: list[rule_judge.RuleViolation]) -> dict:
    """What the feedback shows under an answer cell that breaks its exercise rule."""
    lines = [f"Exercise rule broken: {v.describe()}." for v in violations]
    return nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n")


def _feedback_notebook(course_dir: Path, assignment: str, student: str, spec: intake.SourceSpec,
                       report: TrustedReport, received: intake.Intake) -> Path:
    """Write the notebook nbgrader turns into feedback: the student version, the student's answers
    and the trusted verdicts; replaces the copy the in-kernel run produced.

    Nothing comes from the kernel-executed notebook: the in-kernel run executed hidden test
    cells next to student code, and anything the kernel wrote there (outputs, execution counts,
    widget state in the metadata) could carry them.
    """
    layout = CourseLayout(course_dir)
    name = layout.notebook_name(assignment)
    path = layout.autograded(student, assignment) / name
    student_version = layout.release(assignment) / name
    if not student_version.exists():
        student_version = layout.source(assignment) / name
    nb = nbformat.read(student_version, as_version=4)
    answers = {label.removesuffix(" (recovered)"): source for label, source in received.answer_cells}
    verdicts = {c.grade_id: c for c in report.cells}
    tests = {t["grade_id"]: t for t in spec.test_cells}
    broken = rule_judge.by_function(rule_judge.violations_from_json(report.violations))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id in tests:
            cell.source = visible_source(tests[grade_id]["source"])
            cell.outputs = [_verdict_output(verdicts[grade_id])] if grade_id in verdicts else []
        elif meta.get("solution"):
            cell.source = answers.get(grade_id, "# (no answer found in the submission)")
        if cell.cell_type == "code":
            cell.execution_count = None
            if grade_id not in tests:
                cell.outputs = [_rule_output(broken[grade_id])] if grade_id in broken else []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # nbgrader leaves its graded copy read-only (0444): only root could overwrite it
    nbformat.write(nb, path)
    return path


def _plain_feedback(path: Path, student: str, assignment: str, result: StudentResult,
                    report: TrustedReport) -> None:
    rows = "".join(f"<tr><td>{html.escape(c.grade_id)}</td><td>{c.points if c.passed else 0:g} / {c.points:g}</td>"
                   f"<td>{html.escape(c.message)}</td></tr>" for c in report.cells)
    notes = "".join(f"<li>{html.escape(p)}</li>" for p in result.problems + result.flags)
    if result.late_penalty:
        notes += f"<li>Late submission penalty: -{result.late_penalty:g} (score before it: {result.score:g})</li>"
    path.write_text(f"<html><head><meta charset='utf-8'></head><body>"
                    f"<h1>{html.escape(assignment)}: {html.escape(student)}</h1>"
                    f"<p>Score: {result.final_score:g} / {result.max_score:g}</p><ul>{notes}</ul>"
                    f"<table><tr><th>test</th><th>points</th><th>message</th></tr>{rows}</table></body></html>",
                    encoding="utf-8", errors="replace")


def write_feedback(course_dir: Path, gradebook_url: str, assignment: str, student: str, spec: intake.SourceSpec,
                   report: TrustedReport, result: StudentResult, received: intake.Intake,
                   limits: sandbox.Limits | None = None) -> str:
    """nbgrader's feedback HTML from the rewritten notebook, its scores read from the gradebook at
    ``gradebook_url``; a plain HTML page if that fails. Returns "" for nbgrader's page, else why
    the plain page was written (the error's class only: nbgrader's log may quote the notebook)."""
    limits = limits or sandbox.DEFAULT_LIMITS
    layout = CourseLayout(course_dir)
    target = layout.feedback(student, assignment)
    shutil.rmtree(target, ignore_errors=True)
    try:
        _feedback_notebook(course_dir, assignment, student, spec, report, received)
        made = nbgrader("generate_feedback", assignment, f"--student={student}", "--force",
                        db_flag(gradebook_url), f"--CourseDirectory.root={course_dir}", course_dir=course_dir,
                        check=False,
                        timeout=FEEDBACK_SECONDS, memory_bytes=limits.memory_bytes)
        if made.returncode == 0 and any(target.glob("*.html")):
            return ""
        why = "timed out" if made.timed_out else f"{made.error_name()}, exit code {made.returncode}"
    except Exception as error:  # noqa: BLE001 - fall back to the plain page below
        why = type(error).__name__
    target.mkdir(parents=True, exist_ok=True)
    _plain_feedback(target / (Path(layout.notebook_name(assignment)).stem + ".html"),
                    student, assignment, result, report)
    return f"nbgrader's feedback page could not be made ({why}): a plain page was written"


def keep_only_the_notebook(folder: Path, notebook_name: str) -> None:
    """Remove everything but the notebook from a grading copy, without following links, so
    nothing the kernel or the submission left there reaches the feedback folder."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in folder.iterdir():
        if entry.name == notebook_name and entry.is_file() and not entry.is_symlink():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
