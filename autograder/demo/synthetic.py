"""A synthetic class for benchmarks and tests: reproducible submissions of mixed quality.

Each student has a skill level; for every graded function the student submits the instructor's
solution or an independently written correct variant (with probability = skill), else a
realistic wrong variant or the untouched stub. A few notebooks are broken (truncated JSON, lost
nbgrader metadata) and a few students skip an assignment. The implementations come from
``tests/student_variants/<chapter>/`` (written without looking at the solutions; a manifest
says which are correct), so the class holds the mistakes real students make, not random noise.
In each assignment about one student in ten copies another's answers, disguised
(:mod:`autograder.demo.disguise`: renamed variables, reordered helpers, added comments), for
``python -m autograder similarity`` to find.

``python -m autograder synthetic N --seed S`` writes ``submitted/synth-XXX/<assignment>/``.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import REPO_ROOT
from autograder.demo import disguise
from autograder.demo.samples import answer_cells, reference_notebook
from autograder.layout import CourseLayout
from autograder.pipeline.release import list_assignments

VARIANTS_DIR = REPO_ROOT / "tests" / "student_variants"
# variants folder -> assignment
VARIANT_CHAPTERS = {"taxonomy": "01-ml-taxonomy", "validation": "02-validation",
                    "preprocessing": "03-preprocessing", "fitting": "04-fitting",
                    "regularization": "05-weight-regularization", "dropout": "06-dropout",
                    "workflow": "07-workflow"}
SKILLS = (0.95, 0.8, 0.6, 0.35)  # share of functions a student gets right
BROKEN_SHARE = 0.03  # notebooks that arrive damaged
MISSING_SHARE = 0.03  # assignments a student does not hand in
BLANK_SHARE_OF_WRONG = 0.3  # wrong answers that are the untouched stub
COPY_SHARE = 0.1  # students per assignment who copy another's answers (none in a class under 10)


@dataclass(frozen=True)
class Copy:
    """A copied submission: whose answers, disguised how (a seed for :func:`autograder.demo.disguise.disguise`)."""

    source: str
    seed: int
    how: tuple[str, ...] = disguise.DISGUISES


@dataclass
class SyntheticStudent:
    name: str
    skill: float
    # assignment -> {grade_id: "reference" | "variant:<file>" | "wrong:<file>" | "blank" | "copy:<student>"},
    # or a whole-notebook state: "missing", "truncated", "no-metadata"
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    notebooks: dict[str, str] = field(default_factory=dict)
    copies: dict[str, Copy] = field(default_factory=dict)  # assignment -> whose answers this student copied


def _variants(folder: str, variants_dir: Path) -> dict[str, dict[bool, list[dict]]]:
    manifest = variants_dir / folder / "manifest.json"
    pool: dict[str, dict[bool, list[dict]]] = {}
    if manifest.exists():
        for entry in json.loads(manifest.read_text()):
            pool.setdefault(entry["function"], {True: [], False: []})[bool(entry["correct"])].append(entry)
    return pool


def plan_class(n_students: int, seed: int = 0, assignments: list[str] | None = None,
               course_dir: Path = REPO_ROOT, variants_dir: Path = VARIANTS_DIR) -> list[SyntheticStudent]:
    """Decide every student's answers (no files written); the same seed gives the same class."""
    rng = random.Random(seed)
    assignments = assignments or list_assignments(course_dir)
    folders = {assignment: folder for folder, assignment in VARIANT_CHAPTERS.items()}
    students = []
    for index in range(n_students):
        student = SyntheticStudent(f"synth-{index:03d}", SKILLS[index % len(SKILLS)])
        for assignment in assignments:
            if rng.random() < MISSING_SHARE:
                student.notebooks[assignment] = "missing"
                continue
            student.notebooks[assignment] = ("truncated" if rng.random() < BROKEN_SHARE / 2 else
                                             "no-metadata" if rng.random() < BROKEN_SHARE / 2 else "ok")
            source = CourseLayout(course_dir).source_notebook(assignment)
            pool = _variants(folders.get(assignment, ""), variants_dir)
            choices = {}
            for grade_id in answer_cells(nbformat.read(source, as_version=4)):
                options = pool.get(grade_id, {True: [], False: []})
                if rng.random() < student.skill:
                    correct = options[True]
                    choices[grade_id] = ("reference" if not correct or rng.random() < 0.5
                                         else f"variant:{rng.choice(correct)['file']}")
                elif options[False] and rng.random() >= BLANK_SHARE_OF_WRONG:
                    choices[grade_id] = f"wrong:{rng.choice(options[False])['file']}"
                else:
                    choices[grade_id] = "blank"
            student.answers[assignment] = choices
        students.append(student)
    _plan_copies(students, assignments, random.Random(f"copies:{seed}"))
    return students


def _plan_copies(students: list[SyntheticStudent], assignments: list[str], rng: random.Random) -> None:
    """Make ``COPY_SHARE`` of the students of each assignment copy another student's answers (from
    a generator of its own, so that the rest of the class is the same with or without copies)."""
    for assignment in assignments:
        handed_in = [s for s in students if s.notebooks.get(assignment) == "ok"]
        sources = [s for s in handed_in if any(c != "blank" for c in s.answers[assignment].values())]
        copiers = rng.sample(handed_in, min(int(len(students) * COPY_SHARE), len(handed_in) // 2))
        for copier in copiers:
            candidates = [s for s in sources if s not in copiers]  # a copy of an original, never of a copy
            if not candidates:
                continue
            source = rng.choice(candidates)
            copier.copies[assignment] = Copy(source.name, rng.randrange(2**32))
            copier.answers[assignment] = {grade_id: "blank" if choice == "blank" else f"copy:{source.name}"
                                          for grade_id, choice in source.answers[assignment].items()}


def write_class(students: list[SyntheticStudent], course_dir: Path = REPO_ROOT,
                variants_dir: Path = VARIANTS_DIR) -> list[Path]:
    """Write the planned submissions to ``submitted/<student>/<assignment>/`` (replacing earlier ones)."""
    course_dir = Path(course_dir)
    folders = {assignment: folder for folder, assignment in VARIANT_CHAPTERS.items()}
    by_name = {student.name: student for student in students}
    written = []
    for student in students:
        for assignment, state in student.notebooks.items():
            folder = CourseLayout(course_dir).submitted(student.name, assignment)
            if folder.exists():
                shutil.rmtree(folder)
            if state == "missing":
                continue
            folder.mkdir(parents=True)
            for release_path in sorted(CourseLayout(course_dir).release(assignment).glob("*.ipynb")):
                source_nb = nbformat.read(CourseLayout(course_dir).source(assignment) / release_path.name,
                                          as_version=4)
                release_nb = nbformat.read(release_path, as_version=4)
                reference = answer_cells(reference_notebook(source_nb, release_nb))
                variants = variants_dir / folders.get(assignment, "")
                nb = copy.deepcopy(release_nb)
                cells = answer_cells(nb)
                planned = student.answers[assignment]
                copied = student.copies.get(assignment)
                if copied:  # the other student's answers, disguised together (helper names stay consistent)
                    original = by_name[copied.source].answers[assignment]
                    planned = {g: original[g] if c.startswith("copy:") else c for g, c in planned.items()}
                texts = {grade_id: _answer_text(choice, reference[grade_id], variants)
                         for grade_id, choice in planned.items() if grade_id in cells and choice != "blank"}
                if copied:
                    disguised = disguise.disguise(list(texts.values()), random.Random(copied.seed), copied.how,
                                                  keep=set(cells))
                    texts = dict(zip(texts, disguised))
                for grade_id, text in texts.items():
                    cells[grade_id].source = text
                if state == "no-metadata":
                    for cell in nb.cells:
                        cell.metadata.pop("nbgrader", None)
                path = folder / release_path.name
                nbformat.write(nb, path)
                if state == "truncated":
                    text = path.read_text()
                    path.write_text(text[: len(text) // 2])
                written.append(path)
    return written


def _answer_text(choice: str, reference_cell, variants: Path) -> str:
    """The answer cell's text for a planned choice (not "blank")."""
    if choice == "reference":
        return reference_cell.source
    return (variants / choice.split(":", 1)[1]).read_text().rstrip("\n")


def write_synthetic_class(course_dir: Path, n_students: int, seed: int = 0,
                          assignments: list[str] | None = None) -> list[SyntheticStudent]:
    """Plan and write a class of ``n_students``; returns the plan."""
    students = plan_class(n_students, seed, assignments, course_dir)
    write_class(students, course_dir)
    return students
