"""The instructor's report after grading: CSV files and one HTML page of seaborn figures.

``python -m autograder report`` reads the grading records (``read_records``, one entry
per graded submission: score, flags, every check's verdict and message, seconds) and nbgrader's
export, and writes into ``report/``:

- ``grades.csv``: nbgrader's export (every student x assignment) plus the points of each
  exercise and the ``flags`` column;
- ``exercises.csv``: one row per student, assignment and check, with points and message;
- ``index.html``: score distribution per assignment, failure rate per check, the most common
  failure messages (the misconceptions the class holds), the slowest submissions, and the most
  similar pairs of submissions of each assignment, linked to ``similarity-<assignment>.html``
  (:mod:`autograder.review.similarity`; written beside it).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from autograder.layout import CourseLayout  # noqa: E402
from autograder.pipeline.records import read_records  # noqa: E402
from autograder.pipeline.tables import export_grades  # noqa: E402

TOP_MESSAGES = 12
SLOWEST = 10
SIMILAR_PAIRS = 10  # per assignment, in the report (all of them on the assignment's similarity page)


def exercise_rows(records: dict) -> list[dict]:
    """One row per (assignment, student, check) from the grading records."""
    rows = []
    for assignment, students in sorted(records.items()):
        for student, record in sorted(students.items()):
            for cell in record.get("cells", []):
                rows.append({"assignment": assignment, "student_id": student, "check": cell["grade_id"],
                             "points": cell["points"] if cell["passed"] else 0.0, "max_points": cell["points"],
                             "passed": cell["passed"], "message": cell.get("message", "")})
    return rows


def exercise_of(check: str, exercises: list[str]) -> str:
    """The exercise (answer grade_id) a check belongs to: the longest one its name starts with."""
    owners = [e for e in exercises if check.startswith(f"test_{e}_") or check == f"test_{e}"]
    return max(owners, key=len) if owners else check


def add_exercise_columns(grades_csv: Path, records: dict, course_dir: Path) -> None:
    """Add one column per exercise (points earned) to nbgrader's export."""
    from autograder.scoring import intake

    with open(grades_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return
    columns: list[str] = []
    earned: dict[tuple[str, str], dict[str, float]] = {}
    for assignment, students in sorted(records.items()):
        source = next(CourseLayout(course_dir).source(assignment).glob("*.ipynb"), None)
        exercises = list(intake.read_source(source).answers) if source else []
        columns += [e for e in exercises if e not in columns]
        for student, record in students.items():
            totals = earned.setdefault((assignment, student), {})
            for cell in record.get("cells", []):
                name = exercise_of(cell["grade_id"], exercises)
                totals[name] = totals.get(name, 0.0) + (cell["points"] if cell["passed"] else 0.0)
    fields = list(rows[0].keys())
    fields = fields[:-1] + columns + fields[-1:] if fields[-1] == "flags" else fields + columns
    with open(grades_csv, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            totals = earned.get((row.get("assignment", ""), row.get("student_id", "")), {})
            writer.writerow({**row, **{c: (f"{totals[c]:g}" if c in totals else "") for c in columns}})


def submission_rows(records: dict) -> list[dict]:
    """One row per recorded submission: its trusted score (before the late penalty, which is beside it)."""
    rows = []
    for assignment, students in sorted(records.items()):
        for student, record in sorted(students.items()):
            rows.append({"assignment": assignment, "student_id": student, "score": record.get("score", 0.0),
                         "late_penalty": record.get("late_penalty", 0.0), "max_score": record.get("max_score", 0.0),
                         "seconds": record.get("seconds", 0.0),
                         "flags": "; ".join(record.get("flags", [])),
                         "problems": "; ".join(record.get("problems", []))})
    return rows


def _figure_html(figure, title: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<h2>{html.escape(title)}</h2><img alt="{html.escape(title)}" src="data:image/png;base64,{data}">'


def _table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, classes="table")


NOT_IMPLEMENTED = re.compile(r"not implemented yet|NotImplementedError|no answer found")


def misconception(message: str) -> str:
    """A failure message with the per-student details (numbers, index lists) blanked out, so the
    same mistake on different hidden inputs counts as one."""
    text = " ".join(str(message).split())
    text = re.sub(r"\[[^\[\]]*\]", "[...]", text)
    text = re.sub(r"\b\d+(?:\.\d+)?(?:e-?\d+)?\b", "#", text)
    text = re.sub(r"^\w+\([^)]*\)[^:]{0,60}: ", "", text)  # the call that failed: "f(#, #), split #: "
    return text[:150] + ("..." if len(text) > 150 else "")


def similarity_section(course_dir: Path, out: Path) -> str:
    """Similar submissions of every assignment handed in: the pairs at or above the default
    threshold, each assignment's side-by-side page written next to the report and linked."""
    from autograder.pipeline.release import list_assignments
    from autograder.review import similarity, similarity_page

    rows, notes = [], []
    for assignment in list_assignments(course_dir):
        try:
            result = similarity.compare_class(course_dir, assignment)
        except (FileNotFoundError, ValueError, OSError) as error:  # one assignment never stops the report
            notes.append(f"{assignment}: not compared ({error})")
            continue
        if not result.students:
            continue
        page = similarity_page.write_page(result, out).name
        flagged = result.flagged
        notes.append(f'<a href="{html.escape(page)}">{html.escape(assignment)}</a>: {len(result.students)} '
                     f"submission(s), {len(flagged)} pair(s) at or above {result.threshold:.0%}")
        rows += [{"assignment": assignment, "student": pair.first, "and student": pair.second,
                  "similarity": f"{pair.similarity:.0%}",
                  "exercises": ", ".join(e.exercise for e in pair.exercises
                                         if e.counted and e.overlap.similarity >= result.threshold)}
                 for pair in flagged[:SIMILAR_PAIRS]]
    if not notes:
        return ""
    parts = ["<h2>Similar submissions</h2>",
             "<p>Pairs of students whose answers share most of their code once names, comments, docstrings "
             "and the starter code are left out (<code>python -m autograder similarity</code>; each "
             "assignment's page shows the pairs side by side).</p>",
             "<ul>" + "".join(f"<li>{note}</li>" for note in notes) + "</ul>"]
    if rows:
        parts.append(_table_html(pd.DataFrame(rows)))
    return "".join(parts)


def build_html(submissions: pd.DataFrame, exercises: pd.DataFrame, title: str, extra: str = "") -> str:
    """The report page; ``extra`` is HTML added at the end (the similar submissions)."""
    sns.set_theme(style="whitegrid")
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if submissions.empty:
        parts.append("<p>No graded submission yet: run <code>python -m autograder grade</code>.</p>")
    else:
        parts += _grading_parts(submissions, exercises)
    parts.append(extra)
    style = ("<style>body{font-family:sans-serif;max-width:980px;margin:2em auto}"
             "table{border-collapse:collapse;font-size:90%}td,th{padding:4px 8px;border-bottom:1px solid #ddd;"
             "text-align:left;vertical-align:top}img{max-width:100%}</style>")
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>{style}</head>" \
           f"<body>{''.join(parts)}</body></html>"


def _grading_parts(submissions: pd.DataFrame, exercises: pd.DataFrame) -> list[str]:
    parts = []
    n_flagged = int((submissions["flags"] != "").sum())
    parts.append(f"<p>{len(submissions)} graded submission(s) of {submissions['student_id'].nunique()} "
                 f"student(s) over {submissions['assignment'].nunique()} assignment(s); "
                 f"{n_flagged} flagged.</p>")

    shares = submissions.assign(share=lambda d: 100 * d["score"] / d["max_score"].where(d["max_score"] > 0, 1))
    figure, axis = plt.subplots(figsize=(8, 0.6 + 0.5 * shares["assignment"].nunique()))
    sns.boxplot(data=shares, x="share", y="assignment", color="lightsteelblue", ax=axis, fliersize=0)
    sns.stripplot(data=shares, x="share", y="assignment", color="0.25", size=3, jitter=0.25, ax=axis)
    axis.set(xlabel="score (% of the maximum)", ylabel="", xlim=(-3, 103))
    parts.append(_figure_html(figure, "Score distribution per assignment"))

    if not exercises.empty:
        failure = (exercises.assign(failed=~exercises["passed"].astype(bool))
                   .groupby(["assignment", "check"], as_index=False)["failed"].mean()
                   .sort_values(["assignment", "failed"], ascending=[True, False]))
        failure["failed"] *= 100
        figure, axis = plt.subplots(figsize=(9, 0.8 + 0.22 * len(failure)))
        sns.barplot(data=failure, x="failed", y="check", hue="assignment", dodge=False, ax=axis)
        axis.set(xlabel="students failing the check (%)", ylabel="", xlim=(0, 100))
        axis.legend(loc="lower right", fontsize="small", title="")
        parts.append(_figure_html(figure, "Failure rate per check"))

        failed = exercises[~exercises["passed"].astype(bool) & (exercises["message"] != "")]
        blank = failed["message"].str.contains(NOT_IMPLEMENTED)
        counts = Counter(zip(failed[~blank]["check"], failed[~blank]["message"].map(misconception)))
        top = pd.DataFrame([{"check": check, "message": message, "students": n}
                            for (check, message), n in counts.most_common(TOP_MESSAGES)])
        parts.append(f"<p>{int(blank.sum())} failed check(s) were not attempted (the stub still raises "
                     "NotImplementedError); they are left out below.</p>")
        if not top.empty:
            figure, axis = plt.subplots(figsize=(9, 0.8 + 0.35 * len(top)))
            labels = [f"{c.removeprefix('test_')}: {m[:60]}..." for c, m in zip(top["check"], top["message"])]
            sns.barplot(x=top["students"], y=labels, color="indianred", ax=axis)
            axis.set(xlabel="students", ylabel="")
            axis.xaxis.get_major_locator().set_params(integer=True)
            parts.append(_figure_html(figure, "Most common failure messages (the class's misconceptions)"))
            parts.append(_table_html(top))

    slowest = submissions.sort_values("seconds", ascending=False).head(SLOWEST)
    figure, axis = plt.subplots(figsize=(8, 0.8 + 0.35 * len(slowest)))
    sns.barplot(x=slowest["seconds"], y=slowest["assignment"] + " / " + slowest["student_id"], color="slategray",
                ax=axis)
    axis.set(xlabel="grading time (s)", ylabel="")
    parts.append(_figure_html(figure, "Slowest submissions"))

    flagged = submissions[submissions["flags"] != ""][["assignment", "student_id", "score", "max_score", "flags"]]
    if not flagged.empty:
        parts.append("<h2>Flagged submissions</h2>" + _table_html(flagged))
    return parts


def write_report(course_dir: Path, out: Path | None = None) -> Path:
    """Write ``report/{grades.csv, exercises.csv, index.html}``; returns the HTML page's path."""
    course_dir = Path(course_dir).resolve()
    out = Path(out) if out else CourseLayout(course_dir).report()
    out.mkdir(parents=True, exist_ok=True)
    records = read_records(course_dir)
    if records:
        export_grades(course_dir, out / "grades.csv")
        add_exercise_columns(out / "grades.csv", records, course_dir)
    exercises = exercise_rows(records)
    with open(out / "exercises.csv", "w", newline="") as handle:
        fields = ["assignment", "student_id", "check", "points", "max_points", "passed", "message"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(exercises)
    submissions = pd.DataFrame(submission_rows(records),
                               columns=["assignment", "student_id", "score", "late_penalty", "max_score", "seconds",
                                        "flags", "problems"])
    page = out / "index.html"
    page.write_text(build_html(submissions, pd.DataFrame(exercises, columns=[
        "assignment", "student_id", "check", "points", "max_points", "passed", "message"]),
        f"Grading report: {course_dir.name}", similarity_section(course_dir, out)))
    return page
