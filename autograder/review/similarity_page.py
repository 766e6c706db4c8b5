"""The similarity page and table: the pairs at or above the threshold side by side, shared code
marked, and a histogram of every pair (:mod:`autograder.review.similarity` compares them).
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import numpy as np

from autograder.review.similarity import PairComparison, SimilarityReport


def _marked_lines(code: str, slices: np.ndarray) -> list[tuple[bool, str]]:
    """Each line of ``code`` as HTML with the shared characters marked, and whether it shares any."""
    shared = np.zeros(len(code) + 1, dtype=bool)
    if slices.size:
        for start, end in np.asarray(slices, dtype=int).T:
            shared[max(start, 0):max(end, 0)] = True
    lines, position = [], 0
    for line in code.split("\n"):
        flags = shared[position:position + len(line)]
        parts, index = [], 0
        while index < len(line):
            end = index
            while end < len(line) and flags[end] == flags[index]:
                end += 1
            text = html.escape(line[index:end])
            parts.append(f"<mark>{text}</mark>" if flags[index] else text)
            index = end
        lines.append((bool(flags.any()), "".join(parts)))
        position += len(line) + 1
    return lines


def _code_html(code: str, slices: np.ndarray) -> str:
    rows = [f'<tr class="{"shared" if marked else ""}"><td class="n">{number}</td><td>{text or " "}</td></tr>'
            for number, (marked, text) in enumerate(_marked_lines(code, slices), start=1)]
    return f'<table class="code">{"".join(rows)}</table>'


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _pair_html(report: SimilarityReport, pair: PairComparison, anchor: str) -> str:
    parts = [f'<h3 id="{anchor}">{html.escape(pair.first)} and {html.escape(pair.second)}: '
             f"{_percent(pair.similarity)}</h3>"]
    for exercise in sorted(pair.exercises, key=lambda e: (not e.counted, -e.overlap.similarity)):
        first = report.code[pair.first][exercise.exercise].raw_code
        second = report.code[pair.second][exercise.exercise].raw_code
        solution = [report.like_solution.get(s, {}).get(exercise.exercise) for s in (pair.first, pair.second)]
        note = "" if exercise.counted else f" (not counted: under {report.min_characters} characters of code)"
        if all(s is not None and s >= report.threshold for s in solution):
            note += (f" (both are like the instructor's solution: {_percent(solution[0])} and "
                     f"{_percent(solution[1])}; a leaked solution rather than copying between them?)")
        parts.append(f"<h4>{html.escape(exercise.exercise)}: {_percent(exercise.overlap.similarity)}"
                     f"{html.escape(note)}</h4>")
        parts.append('<div class="sides">'
                     f"<div><p>{html.escape(pair.first)}</p>{_code_html(first, exercise.overlap.slices[0])}</div>"
                     f"<div><p>{html.escape(pair.second)}</p>{_code_html(second, exercise.overlap.slices[1])}</div>"
                     "</div>")
    return "".join(parts)


def _histogram_html(report: SimilarityReport) -> str:
    import base64

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = [p.similarity for p in report.pairs if p.compared]
    if not scores:
        return ""
    figure, axis = plt.subplots(figsize=(7, 2.6))
    axis.hist(scores, bins=np.linspace(0, 1, 41), color="slategray")
    axis.axvline(report.threshold, color="indianred", linestyle="--", label=f"threshold {report.threshold:g}")
    axis.set(xlabel="pair similarity (share of both students' code in shared runs)", ylabel="pairs", xlim=(0, 1))
    axis.legend(loc="upper right")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="distribution of pair similarities" src="data:image/png;base64,{data}">'


STYLE = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
         "table{border-collapse:collapse}td,th{padding:3px 8px;text-align:left;vertical-align:top}"
         "table.pairs td,table.pairs th{border-bottom:1px solid #ddd}"
         ".sides{display:grid;grid-template-columns:1fr 1fr;gap:1em}.sides>div{min-width:0;overflow-x:auto}"
         ".sides p{font-weight:bold;margin:.3em 0}"
         "table.code{font-family:monospace;font-size:85%;white-space:pre;width:100%;background:#fafafa}"
         "table.code td{padding:0 6px}table.code td.n{color:#999;text-align:right;user-select:none}"
         "tr.shared td.n{background:#f4a9a8;color:#333}mark{background:#fde2a7}h4{margin-bottom:.3em}")


def build_html(report: SimilarityReport) -> str:
    """The page: settings, the flagged pairs, then each pair side by side (no script, no link out)."""
    flagged = report.flagged
    compared = sum(p.compared for p in report.pairs)
    title = f"Similar submissions: {report.assignment}"
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>{len(report.students)} submission(s); {compared} pair(s) of students compared; "
             f"<b>{len(flagged)} pair(s) at or above the threshold of {_percent(report.threshold)}</b>.</p>",
             "<p>Compared: what each student wrote in the answer cells (and in cells they added), without "
             "the starter code, docstrings and comments. Names do not count (every variable, attribute and "
             "function name is the same token), nor does code the release notebook itself contains. A pair's "
             f"similarity is the share of both students' code that lies in shared runs of at least "
             f"{report.noise} tokenized characters, over the exercises where both wrote at least "
             f"{report.min_characters} characters. Runs that more than {report.common_students} students "
             "wrote in the same exercise are ignored too (common code), and answers that are values, not "
             "functions, are not compared. Marked below: shared code (yellow) and the lines that hold it "
             "(red line numbers). Similar code is a reason to look, not a proof: short exercises leave "
             "little room to differ.</p>"]
    if report.common:
        parts.append("<p>Ignored as common to the class (fingerprints per exercise): " + html.escape(
            ", ".join(f"{exercise} {count}" for exercise, count in sorted(report.common.items()))) + "</p>")
    if report.unreadable:
        parts.append("<p>Not compared (unreadable): " + "; ".join(
            f"{html.escape(s.student)}: {html.escape(s.problem)}" for s in report.unreadable) + "</p>")
    if report.too_little_code:
        parts.append("<p>Too little code to compare (blank or very short answers): "
                     + html.escape(", ".join(report.too_little_code)) + "</p>")
    parts.append(_histogram_html(report))
    if flagged:
        rows = []
        for rank, pair in enumerate(flagged, start=1):
            counted = [e for e in pair.exercises if e.counted]
            above = [e.exercise for e in counted if e.overlap.similarity >= report.threshold]
            rows.append(f'<tr><td>{rank}</td><td><a href="#pair-{rank}">{html.escape(pair.first)} and '
                        f"{html.escape(pair.second)}</a></td><td>{_percent(pair.similarity)}</td>"
                        f"<td>{len(above)} of {len(counted)}: {html.escape(', '.join(above))}</td></tr>")
        parts.append('<h2>Pairs at or above the threshold</h2><table class="pairs"><tr><th>#</th><th>students</th>'
                     "<th>similarity</th><th>exercises at or above the threshold</th></tr>" + "".join(rows)
                     + "</table>")
        parts += [_pair_html(report, pair, f"pair-{rank}") for rank, pair in enumerate(flagged, start=1)]
    else:
        parts.append("<p>No pair reaches the threshold.</p>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


def page_path(out: Path, assignment: str) -> Path:
    return Path(out) / f"similarity-{assignment}.html"


def write_page(report: SimilarityReport, out: Path) -> Path:
    path = page_path(out, report.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_html(report), encoding="utf-8")
    return path


def format_table(report: SimilarityReport, top: int = 10) -> str:
    """The most similar pairs as a plain-text table (all flagged ones, at least ``top``)."""
    shown = [p for p in report.pairs if p.compared][:max(top, len(report.flagged))]
    if not shown:
        return f"{report.assignment}: no pair of submissions has enough code to compare."
    header = f"{'':2} {'similarity':>10}  {'student':<20} {'student':<20} exercises at or above the threshold"
    lines = [header, "-" * len(header)]
    for pair in shown:
        counted = [e for e in pair.exercises if e.counted]
        above = [e.exercise for e in counted if e.overlap.similarity >= report.threshold]
        mark = "!" if pair.similarity >= report.threshold else ""
        lines.append(f"{mark:2} {_percent(pair.similarity):>10}  {pair.first:<20} {pair.second:<20} "
                     f"{len(above)}/{len(counted)} {', '.join(above)}")
    return "\n".join(lines)
