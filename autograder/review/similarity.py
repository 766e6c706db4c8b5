"""Similar submissions: which students handed in the same code, with the variables renamed or not.

``python -m autograder similarity ASSIGNMENT`` compares every pair of students' answer cells with
copydetect's winnowing fingerprints (the method of MOSS): code is tokenized, every variable,
attribute and function name becomes one letter (so renaming changes nothing), comments and
whitespace go, and two cells share the runs of at least ``NOISE_CHARACTERS`` such characters that
both contain. Before that, only what the student wrote is kept: the docstrings, the comments and
the release's starter code (the stub's ``def`` line, ``# YOUR CODE HERE``,
``raise NotImplementedError()``) are removed, and any run that also appears in the release
notebook's own code (setup, lecture examples, visible tests) is boilerplate that no pair is
blamed for. Nor is any run that more than ``COMMON_STUDENTS`` students wrote in the same exercise
(MOSS's rule for passages common to a class: an idiom everyone uses, a table the exercise
dictates).

A cell is compared with the same exercise's cell of the other student; cells a student added to
hold helpers are compared as one more exercise. Answers that are values rather than functions
(chapter 01's tables of scenarios) are not compared: right answers are alike by design. A cell
with fewer than ``MIN_CHARACTERS`` characters of the student's own code (a blank stub, a one-line
answer that every correct student writes the same way) takes no part: short code is similar by
necessity. The pair's similarity is the share of both students' compared code that lies in
shared runs, over the exercises both wrote. Pairs at or above the threshold go to an HTML page,
side by side with the shared code marked (:mod:`autograder.review.similarity_page`). Nothing here runs student code.
"""

from __future__ import annotations

import ast
import io
import itertools
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import numpy as np

from autograder.layout import CourseLayout
from autograder.scoring import intake

if TYPE_CHECKING:  # copydetect imports matplotlib.pyplot: loaded only when something is compared
    from copydetect import CodeFingerprint

NOISE_CHARACTERS = 25  # shortest shared run of tokenized code that counts (copydetect's noise threshold)
MIN_CHARACTERS = 40  # an exercise with less of the student's own tokenized code is not compared
DEFAULT_THRESHOLD = 0.7  # chosen with benchmarks/bench_similarity.py (see BENCHMARKS.md)
COMMON_STUDENTS = 10  # code found in more students' answers to one exercise is ignored (MOSS's default -m)
HELPERS = "helper cells"  # the exercise name of the cells a student added (pooled)
LANGUAGE = "python"


def _docstring_lines(tree: ast.AST, lines: list[str]) -> set[int]:
    """Line numbers (1-based) of every docstring that fills its lines alone (one that shares a
    line with code, ``def f(): "doc"``, stays)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        body = getattr(node, "body", [])
        if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            continue
        first, last = body[0].lineno, body[0].end_lineno or body[0].lineno
        before = lines[first - 1].encode("utf-8")[:body[0].col_offset]  # ast columns count UTF-8 bytes
        after = lines[last - 1].encode("utf-8")[body[0].end_col_offset or 0:]
        if not before.strip() and not after.strip().rstrip(b";"):
            found.update(range(first, last + 1))
    return found


def without_docstrings_and_comments(source: str) -> str:
    """``source`` with its docstrings, comments and blank lines removed (as is when it does not parse)."""
    try:
        tree = ast.parse(source)
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (SyntaxError, tokenize.TokenError, ValueError, RecursionError, MemoryError):
        return "\n".join(line for line in source.splitlines() if line.strip())
    lines = source.splitlines()
    for token in tokens:
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column].rstrip()
    docstrings = _docstring_lines(tree, source.splitlines())
    return "\n".join(line for number, line in enumerate(lines, start=1)
                     if number not in docstrings and line.strip())


def student_code(source: str, starter: str = "") -> str:
    """What the student wrote in an answer cell: no docstrings, comments, blank lines, nor the
    lines of the release's starter code (each starter line removed once)."""
    code = without_docstrings_and_comments(source)
    starter_lines: dict[str, int] = {}
    for line in without_docstrings_and_comments(starter).splitlines():
        starter_lines[line.strip()] = starter_lines.get(line.strip(), 0) + 1
    kept = []
    for line in code.splitlines():
        if starter_lines.get(line.strip(), 0) > 0:
            starter_lines[line.strip()] -= 1
            continue
        kept.append(line)
    return "\n".join(kept)


def fingerprint(code: str, boilerplate: np.ndarray | None = None,
                noise: int = NOISE_CHARACTERS) -> CodeFingerprint:
    """copydetect's fingerprint of ``code``, every k-gram kept (window 1: the result does not
    depend on Python's per-process string hashing) and the boilerplate's removed."""
    from copydetect import CodeFingerprint

    return CodeFingerprint("answer.py", noise, 1, boilerplate=boilerplate if boilerplate is not None else [],
                           language=LANGUAGE, fp=io.StringIO(code))


def boilerplate_hashes(sources: list[str], noise: int = NOISE_CHARACTERS) -> np.ndarray:
    """The fingerprints of the release's own code: matching them is no sign of copying."""
    hashes: set[int] = set()
    for source in sources:
        hashes |= fingerprint(without_docstrings_and_comments(source), None, noise).hashes
    return np.array(sorted(hashes), dtype=np.int64)


def own_characters(print_: CodeFingerprint) -> int:
    """How much of the tokenized code the comparison sees (the boilerplate excluded)."""
    return int(print_.token_coverage)


@dataclass(frozen=True)
class Overlap:
    """How much of two cells lies in shared runs, and where (character slices of each)."""

    shared: tuple[int, int]  # characters of each side's tokenized code in shared runs
    compared: tuple[int, int]  # characters of each side's tokenized code that were compared
    slices: tuple[np.ndarray, np.ndarray]  # 2 x N start/end offsets in each side's code

    @property
    def similarity(self) -> float:
        total = sum(self.compared)
        return sum(self.shared) / total if total else 0.0


def overlap(first: CodeFingerprint, second: CodeFingerprint) -> Overlap:
    """copydetect's comparison of two fingerprints."""
    from copydetect import compare_files

    _, (share_first, share_second), (slices_first, slices_second) = compare_files(first, second)
    compared = (own_characters(first), own_characters(second))
    shared = (round(share_first * compared[0]), round(share_second * compared[1]))
    return Overlap(shared, compared, (np.asarray(slices_first), np.asarray(slices_second)))


def compare_code(first: str, second: str, starter: str = "", boilerplate: np.ndarray | None = None,
                 noise: int = NOISE_CHARACTERS) -> Overlap:
    """Two answer cells of one exercise, compared as the class comparison does (starter removed)."""
    return overlap(fingerprint(student_code(first, starter), boilerplate, noise),
                   fingerprint(student_code(second, starter), boilerplate, noise))


@dataclass(frozen=True)
class ExerciseComparison:
    exercise: str
    overlap: Overlap
    counted: bool  # both sides wrote at least MIN_CHARACTERS of their own code


@dataclass(frozen=True)
class PairComparison:
    """Two students' submissions of one assignment, compared exercise by exercise."""

    first: str
    second: str
    exercises: tuple[ExerciseComparison, ...]

    @property
    def similarity(self) -> float:
        counted = [e.overlap for e in self.exercises if e.counted]
        total = sum(sum(o.compared) for o in counted)
        return sum(sum(o.shared) for o in counted) / total if total else 0.0

    @property
    def compared(self) -> bool:
        return any(e.counted for e in self.exercises)

    @property
    def shared(self) -> int:
        """Characters of tokenized code in shared runs, both sides, over the counted exercises."""
        return sum(sum(e.overlap.shared) for e in self.exercises if e.counted)



def compare_pair(first: dict[str, CodeFingerprint], second: dict[str, CodeFingerprint], names: tuple[str, str],
                 min_characters: int = MIN_CHARACTERS) -> PairComparison:
    """Compare two students' fingerprints exercise by exercise (those both have)."""
    exercises = []
    for exercise in [e for e in first if e in second]:
        found = overlap(first[exercise], second[exercise])
        exercises.append(ExerciseComparison(exercise, found, min(found.compared) >= min_characters))
    return PairComparison(names[0], names[1], tuple(exercises))


@dataclass
class StudentAnswers:
    """One student's code per exercise (what they wrote, starter removed), or why there is none."""

    student: str
    code: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # set when the submission could not be read


@dataclass(frozen=True)
class ReleaseCode:
    """What the students were given, per exercise, and the instructor's solutions."""

    notebooks: tuple[str, ...]  # the assignment's notebook file names
    starters: dict[str, str]  # exercise -> the release's answer cell (stub and docstring); functions only
    solutions: dict[str, str]  # exercise -> the solution as the student would type it, starter removed
    given: tuple[str, ...]  # the release's code cells: setup, lecture examples, stubs, visible tests


def _solution_text(source: str) -> str:
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    return "\n".join(line for line in source.splitlines() if line.strip() not in markers)


def read_release(course_dir: Path, assignment: str) -> ReleaseCode:
    """The starter code and the solutions of ``assignment`` (``source/`` and ``release/``)."""
    course_dir = Path(course_dir)
    layout = CourseLayout(course_dir)
    source_dir, release_dir = layout.source(assignment), layout.release(assignment)
    notebooks = sorted(p.name for p in source_dir.glob("*.ipynb")) if source_dir.is_dir() else []
    if not notebooks:
        raise FileNotFoundError(f"no assignment {assignment!r}: {source_dir} holds no notebook")
    starters, solutions, given = {}, {}, []
    for name in notebooks:
        if not (release_dir / name).is_file():
            raise FileNotFoundError(f"{release_dir / name} is missing: run `python -m autograder release` first")
        release = nbformat.read(release_dir / name, as_version=4)
        source = nbformat.read(source_dir / name, as_version=4)
        given += [cell.source for cell in release.cells if cell.cell_type == "code"]
        functions = set(intake.read_source(source_dir / name).functions)
        for nb, into in ((release, starters), (source, solutions)):
            for cell in nb.cells:
                meta = intake.nbgrader_metadata(cell)
                if cell.cell_type == "code" and meta.get("grade_id") in functions:
                    into[meta["grade_id"]] = cell.source
    solutions = {e: student_code(_solution_text(code), starters.get(e, "")) for e, code in solutions.items()}
    return ReleaseCode(tuple(notebooks), starters, solutions, tuple(given))


def _exercise(label: str) -> str:
    """The exercise an intake label names: ``k_fold_indices``, ``k_fold_indices (recovered)`` or
    ``cell 12 (student helper)``."""
    if label.endswith("(student helper)"):
        return HELPERS
    return label.removesuffix(" (recovered)")


def read_student(folder: Path, release: ReleaseCode, specs: dict[str, intake.SourceSpec]) -> StudentAnswers:
    """One student's answers, read as data through :mod:`autograder.scoring.intake`; never raises."""
    answers = StudentAnswers(folder.parent.name)
    helpers, problems = [], []
    for name in release.notebooks:
        path = folder / name
        try:
            if path.is_symlink():
                problems.append(f"{name} is a symbolic link (not followed)")
                continue
            if not path.is_file():
                problems.append(f"no notebook named {name}")
                continue
        except OSError as error:  # a folder that cannot be read
            problems.append(f"{name}: {type(error).__name__}: {error.strerror}")
            continue
        received = intake.read_submission(path, specs[name])
        if not received.readable:
            problems.append(f"{name}: {received.reason}")
            continue
        for label, source in received.answer_cells:
            exercise = _exercise(label)
            if exercise == HELPERS:
                helpers.append(source)
            elif exercise in release.starters and exercise not in answers.code:
                answers.code[exercise] = student_code(source, release.starters[exercise])
    if helpers:
        answers.code[HELPERS] = student_code("\n\n".join(helpers))
    if problems and not answers.code:
        answers.problem = "; ".join(problems)
    return answers


def read_class(course_dir: Path, assignment: str) -> tuple[ReleaseCode, list[StudentAnswers]]:
    """The release's code and every student's answers under ``submitted/*/ASSIGNMENT/``."""
    course_dir = Path(course_dir)
    release = read_release(course_dir, assignment)
    layout = CourseLayout(course_dir)
    specs = {name: intake.read_source(layout.source(assignment) / name) for name in release.notebooks}
    root = layout.submitted_root()
    folders = sorted(p / assignment for p in root.iterdir() if (p / assignment).is_dir()) if root.is_dir() else []
    return release, [read_student(folder, release, specs) for folder in folders]


@dataclass
class SimilarityReport:
    """Every pair of one assignment's submissions, compared."""

    assignment: str
    threshold: float
    pairs: list[PairComparison]  # most similar first
    students: list[StudentAnswers]
    code: dict[str, dict[str, CodeFingerprint]]  # student -> exercise -> fingerprint (for the page)
    like_solution: dict[str, dict[str, float]]  # student -> exercise -> similarity to the solution
    common: dict[str, int]  # exercise -> fingerprints ignored as common to many students
    common_students: int = COMMON_STUDENTS
    min_characters: int = MIN_CHARACTERS
    noise: int = NOISE_CHARACTERS

    @property
    def flagged(self) -> list[PairComparison]:
        return [p for p in self.pairs if p.compared and p.similarity >= self.threshold]

    @property
    def unreadable(self) -> list[StudentAnswers]:
        return [s for s in self.students if s.problem]

    @property
    def too_little_code(self) -> list[str]:
        """Students none of whose exercises could be compared with anyone's (blank, or only short code)."""
        compared = {name for p in self.pairs if p.compared for name in (p.first, p.second)}
        return sorted(s.student for s in self.students if not s.problem and s.student not in compared)


def _check_threshold(threshold: float) -> float:
    if not 0 < threshold <= 1:
        raise ValueError(f"the threshold is a share of code between 0 and 1, got {threshold}")
    return threshold


def class_common(prints: dict[str, dict[str, CodeFingerprint]], most: int) -> dict[str, np.ndarray]:
    """Per exercise, the fingerprints found in more than ``most`` students' code (MOSS's ``-m``)."""
    counts: dict[str, Counter] = {}
    for exercises in prints.values():
        for exercise, print_ in exercises.items():
            counts.setdefault(exercise, Counter()).update(print_.hashes)
    return {exercise: np.array(sorted(h for h, n in found.items() if n > most), dtype=np.int64)
            for exercise, found in counts.items()}


def compare_class(course_dir: Path, assignment: str, threshold: float = DEFAULT_THRESHOLD,
                  common_students: int = COMMON_STUDENTS, noise: int = NOISE_CHARACTERS,
                  min_characters: int = MIN_CHARACTERS) -> SimilarityReport:
    """Compare every pair of students who submitted ``assignment``."""
    _check_threshold(threshold)
    if common_students < 1:
        raise ValueError(f"common_students is a number of students, at least 1; got {common_students}")
    release, students = read_class(course_dir, assignment)
    given = boilerplate_hashes(list(release.given), noise)
    prints = {}
    for student in students:
        if student.problem:
            continue
        try:
            prints[student.student] = {e: fingerprint(code, given, noise) for e, code in student.code.items()}
        except Exception as error:  # noqa: BLE001 - odd code the tokenizer fails on: that student only
            student.problem = f"could not be compared: {type(error).__name__}"
    codes = {s.student: s.code for s in students if s.student in prints}
    solutions = {e: fingerprint(code, given, noise) for e, code in release.solutions.items()}
    like_solution = {student: {e: overlap(p, solutions[e]).similarity for e, p in exercises.items()
                               if e in solutions and min(own_characters(p), own_characters(solutions[e]))
                               >= min_characters}
                     for student, exercises in prints.items()}
    common = class_common(prints, common_students)
    for student, exercises in codes.items():  # what many students wrote is no sign of copying either
        for exercise, code in exercises.items():
            if common[exercise].size:
                prints[student][exercise] = fingerprint(code, np.union1d(given, common[exercise]), noise)
    pairs = [compare_pair(prints[x], prints[y], (x, y), min_characters)
             for x, y in itertools.combinations(sorted(prints), 2)]
    pairs.sort(key=lambda p: (-p.similarity, -p.shared, p.first, p.second))  # more shared code first
    return SimilarityReport(assignment, threshold, pairs, students, prints, like_solution,
                            {e: int(h.size) for e, h in common.items() if h.size}, common_students,
                            min_characters, noise)
