"""Similar submissions (``python -m autograder similarity``): what it finds, what it wrongly flags, its time.

1. Exercise by exercise, on the implementations of ``tests/student_variants/`` (written
   independently, many per graded function) and the instructor's solutions:
   - false positives: every pair of *independent correct* implementations of the same function;
     the share at or above each threshold (pairs where one side has under ``MIN_CHARACTERS``
     characters of code are not compared, as in the class comparison, and are counted apart);
   - recall: every implementation (correct or wrong) against a copy of itself disguised by
     :mod:`autograder.demo.disguise` (renamed variables; reordered helpers, for the cells with two
     or more top-level functions; added comments; all three together), seeded per file.
2. Student by student, on a synthetic class (``autograder.demo.synthetic``, seeded; about one student
   in ten per assignment copies another's answers, disguised in all three ways): each pair's
   similarity over the assignment, against what the plan says the pair is, on the exercises
   compared: a copy (or two copies of one student); "shared code", when the two hold the same
   implementation of an exercise (the synthetic class draws honest answers from a small pool:
   the instructor's solution and a few variants per function); "independent", when every
   exercise holds two different correct implementations; "other", when a wrong variant is
   involved (many are one-token changes of a correct variant, so not independent of it).
3. Time: reading, comparing and writing the page for every assignment of that class.

Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_similarity.py                   # class of 40, seed 0
    .venv/bin/python benchmarks/bench_similarity.py --students 80 --seed 1
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402

from autograder.demo import disguise  # noqa: E402
from autograder.demo.course_folder import copy_course  # noqa: E402
from autograder.demo.samples import answer_cells, strip_solution_markers  # noqa: E402
from autograder.demo.synthetic import VARIANT_CHAPTERS, VARIANTS_DIR, plan_class, write_class  # noqa: E402
from autograder.pipeline.release import list_assignments  # noqa: E402
from autograder.review import similarity, similarity_page  # noqa: E402

THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)
ALL_THREE = "all three"


@dataclass(frozen=True)
class Implementation:
    assignment: str
    function: str
    name: str  # the variant's file, or "solution"
    code: str
    correct: bool


def implementations() -> list[Implementation]:
    found = []
    for folder, assignment in VARIANT_CHAPTERS.items():
        source = next((REPO / "source" / assignment).glob("*.ipynb"))
        for grade_id, cell in answer_cells(nbformat.read(source, as_version=4)).items():
            found.append(Implementation(assignment, grade_id, "solution", strip_solution_markers(cell.source), True))
        manifest = VARIANTS_DIR / folder / "manifest.json"
        for entry in json.loads(manifest.read_text()) if manifest.exists() else []:
            found.append(Implementation(assignment, entry["function"], entry["file"],
                                        (VARIANTS_DIR / folder / entry["file"]).read_text(), bool(entry["correct"])))
    return found


def _top_level_functions(code: str) -> int:
    try:
        return sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.parse(code).body)
    except SyntaxError:
        return 0


def exercise_level() -> tuple[list[tuple[float, bool]], dict[str, list[tuple[float, bool]]], int]:
    """(independent pairs, copies per disguise, implementations); each score with its 'comparable'."""
    releases = {a: similarity.read_release(REPO, a) for a in VARIANT_CHAPTERS.values()}
    given = {a: similarity.boilerplate_hashes(list(r.given)) for a, r in releases.items()}
    found = [i for i in implementations() if i.function in releases[i.assignment].starters]

    def compare(first: Implementation, second_code: str) -> tuple[float, bool]:
        result = similarity.compare_code(first.code, second_code, releases[first.assignment].starters[first.function],
                                         given[first.assignment])
        return result.similarity, min(result.compared) >= similarity.MIN_CHARACTERS

    independent = []
    by_function: dict[tuple[str, str], list[Implementation]] = {}
    for item in found:
        if item.correct:
            by_function.setdefault((item.assignment, item.function), []).append(item)
    for group in by_function.values():
        independent += [compare(a, b.code) for a, b in itertools.combinations(group, 2)]

    copies: dict[str, list[tuple[float, bool]]] = {how: [] for how in (*disguise.DISGUISES, ALL_THREE)}
    for item in found:
        for how in copies:
            if how == disguise.REORDER and _top_level_functions(item.code) < 2:
                continue
            ways = disguise.DISGUISES if how == ALL_THREE else (how,)
            rng = random.Random(f"{item.assignment}/{item.name}/{item.function}/{how}")
            (copied,) = disguise.disguise([item.code], rng, ways, keep=[item.function])
            copies[how].append(compare(item, copied))
    return independent, copies, len(found)


def _rate(scores: list[tuple[float, bool]], threshold: float) -> str:
    compared = [s for s, comparable in scores if comparable]
    if not compared:
        return "-"
    return f"{sum(s >= threshold for s in compared) / len(compared):.3f}"


def print_exercise_level() -> None:
    started = time.perf_counter()
    independent, copies, count = exercise_level()
    seconds = time.perf_counter() - started
    comparable = sum(c for _, c in independent)
    print(f"\n1. exercise by exercise: {count} implementations (variants and solutions) of the graded functions, "
          f"{seconds:.1f} s")
    print(f"   independent correct pairs: {len(independent)}, of which {comparable} comparable "
          f"(both sides at least {similarity.MIN_CHARACTERS} characters of tokenized code)")
    for how, scores in copies.items():
        print(f"   disguised copies, {how}: {len(scores)}, of which {sum(c for _, c in scores)} comparable")
    header = f"   {'threshold':>9}  {'false positives':>15}  " + "  ".join(f"{how:>18}" for how in copies)
    print(header)
    for threshold in THRESHOLDS:
        mark = " <- default" if threshold == similarity.DEFAULT_THRESHOLD else ""
        print(f"   {threshold:>9.2f}  {_rate(independent, threshold):>15}  "
              + "  ".join(f"{_rate(scores, threshold):>18}" for scores in copies.values()) + mark)
    top = sorted((s for s, c in independent if c), reverse=True)[:5]
    lowest = {how: min((s for s, c in scores if c), default=float("nan")) for how, scores in copies.items()}
    print("   highest independent pairs: " + ", ".join(f"{s:.2f}" for s in top))
    print("   lowest disguised copy: " + ", ".join(f"{how} {s:.2f}" for how, s in lowest.items()))


def _pair_kind(pair, assignment: str, by_name: dict) -> str:
    """What the plan says a pair is (on the exercises that were compared)."""
    first, second = by_name[pair.first], by_name[pair.second]
    sources = {s.name: s.copies[assignment].source for s in (first, second) if assignment in s.copies}
    if sources.get(first.name) == second.name or sources.get(second.name) == first.name \
            or (first.name in sources and sources.get(second.name) == sources[first.name]):
        return "copy"  # one copied the other, or both copied one student

    def effective(student) -> dict[str, str]:
        source = by_name[sources[student.name]] if student.name in sources else student
        return source.answers.get(assignment, {})

    counted = [e.exercise for e in pair.exercises if e.counted]
    if not counted:
        return "nothing to compare"
    choices = [(effective(first).get(e, ""), effective(second).get(e, "")) for e in counted]
    if any(a == b for a, b in choices):
        return "shared code"
    if all(a.split(":")[0] in ("reference", "variant") and b.split(":")[0] in ("reference", "variant")
           for a, b in choices):
        return "independent"
    return "other"


def class_level(students: int, seed: int, threshold: float, common: int) -> None:
    assignments = list_assignments(REPO)
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as scratch:
        course = Path(scratch) / "course"
        copy_course(course, assignments)
        plan = plan_class(students, seed, assignments, course)
        write_class(plan, course)
        by_name = {s.name: s for s in plan}
        kinds: dict[str, list[tuple[float, bool, str]]] = {"copy": [], "shared code": [], "independent": [],
                                                           "other": [], "nothing to compare": []}
        print(f"\n2. student by student: synthetic class of {students} (seed {seed}), threshold {threshold:g}, "
              f"code of more than {common} students ignored")
        timings = []
        for assignment in assignments:
            started = time.perf_counter()
            report = similarity.compare_class(course, assignment, threshold, common)
            compared = time.perf_counter() - started
            similarity_page.write_page(report, course / "report")
            timings.append((assignment, len(report.students), compared, time.perf_counter() - started))
            for pair in report.pairs:
                kind = _pair_kind(pair, assignment, by_name)
                kinds[kind].append((pair.similarity, pair.compared, assignment))
            planned = sum(assignment in s.copies and s.notebooks.get(assignment) == "ok" for s in plan)
            flagged = len(report.flagged)
            print(f"   {assignment}: {len(report.students)} submissions, {planned} copiers, {flagged} pair(s) "
                  "flagged")
    copies = kinds["copy"]
    print(f"   copied pairs: {len(copies)}, of which {sum(c for _, c, _ in copies)} with code left to compare "
          "(the others copied only code that more students wrote)")
    for kind, scores in kinds.items():
        if kind == "nothing to compare":
            print(f"   {kind:>12}: {len(scores)} pairs")
            continue
        compared = [(s, a) for s, c, a in scores if c]
        flagged = [(s, a) for s, a in compared if s >= threshold]
        lowest = min((s for s, _ in compared), default=float("nan"))
        highest = max((s for s, _ in compared), default=float("nan"))
        share = len(flagged) / max(len(compared), 1)
        print(f"   {kind:>12}: {len(compared)} pairs, {len(flagged)} flagged ({share:.3f}); "
              f"similarity {lowest:.2f} to {highest:.2f}")
    missed = [(s, a) for s, c, a in kinds["copy"] if c and s < threshold]
    if missed:
        print("   copies under the threshold: " + ", ".join(f"{a} {s:.2f}" for s, a in missed))
    independent = sorted(((s, a) for s, c, a in kinds["independent"] if c), reverse=True)[:5]
    print("   most similar independent pairs: " + ", ".join(f"{a} {s:.2f}" for s, a in independent))
    print(f"\n3. time (read every notebook, compare every pair, write the page), class of {students}:")
    for assignment, count, compared, total in timings:
        pairs = count * (count - 1) // 2
        print(f"   {assignment}: {count} submissions, {pairs} pairs: {compared:.2f} s compared, {total:.2f} s "
              "with the page")
    print(f"   all {len(timings)} assignments: {sum(t[3] for t in timings):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=similarity.DEFAULT_THRESHOLD)
    parser.add_argument("--common", type=int, default=similarity.COMMON_STUDENTS,
                        help="ignore code more students wrote (a large number turns the rule off)")
    args = parser.parse_args()
    print(f"settings: noise {similarity.NOISE_CHARACTERS} characters, at least {similarity.MIN_CHARACTERS} "
          f"characters per exercise, default threshold {similarity.DEFAULT_THRESHOLD:g}")
    print_exercise_level()
    class_level(args.students, args.seed, args.threshold, args.common)


if __name__ == "__main__":
    main()
