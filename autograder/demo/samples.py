"""Sample submissions for the demo and the end-to-end tests.

For each assignment: ``demo-reference`` (the release with the source's solutions filled in),
``demo-blank`` (the untouched release) and ``demo-mistaken`` (the reference with one realistic
mistake). Solutions are read from ``source/`` at run time; only the mistakes live here.
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import REPO_ROOT
from autograder.layout import CourseLayout
from autograder.pipeline.release import list_assignments
from autograder.scoring.intake import nbgrader_metadata

REFERENCE, BLANK, MISTAKEN = "demo-reference", "demo-blank", "demo-mistaken"
SAMPLE_STUDENTS = (REFERENCE, BLANK, MISTAKEN)
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Mistake:
    """One answer cell replaced by a realistic wrong implementation."""

    grade_id: str
    description: str
    code: str


MISTAKES: dict[str, Mistake] = {
    "01-ml-taxonomy": Mistake(
        grade_id="last_layer_for",
        description="'multi means softmax': multilabel gets softmax + categorical crossentropy",
        code='''def last_layer_for(problem_type):
    if problem_type == "binary_classification":
        return "sigmoid", "binary_crossentropy"
    if problem_type in ("multiclass_classification", "multilabel_classification"):
        return "softmax", "categorical_crossentropy"
    if problem_type == "scalar_regression":
        return None, "mse"
    if problem_type == "regression_0_1":
        return "sigmoid", "mse"
    raise ValueError(f"unknown problem type {problem_type!r}; expected one of binary_classification, "
                     "multiclass_classification, multilabel_classification, scalar_regression, regression_0_1")
''',
    ),
    "02-validation": Mistake(
        grade_id="k_fold_indices",
        description=(
            "every fold gets n // k samples, so the last n % k samples are never validated "
            "(and shuffled and iterated K-fold, built on it, inherit the bug)"
        ),
        code='''def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    fold_size = n_samples // k
    indices = np.arange(n_samples)
    folds = []
    for i in range(k):
        val_idx = indices[i * fold_size:(i + 1) * fold_size]
        train_idx = np.concatenate([indices[:i * fold_size], indices[(i + 1) * fold_size:]])
        folds.append((train_idx, val_idx))
    return folds
''',
    ),
    "03-preprocessing": Mistake(
        grade_id="standardize",
        description="mean and standard deviation computed on train and test together (an information leak)",
        code='''def standardize(train, test):
    both = np.concatenate([train, test])
    mean = both.mean(axis=0)
    std = both.std(axis=0)
    return (train - mean) / std, (test - mean) / std
''',
    ),
    "04-fitting": Mistake(
        grade_id="overfitting_onset",
        description="returns the 0-based index of the minimum, not the epoch counted from 1",
        code='''def overfitting_onset(val_losses):
    return int(np.argmin(val_losses))
''',
    ),
    "05-weight-regularization": Mistake(
        grade_id="l2_cost",
        description="uses lambda/m instead of lambda/(2m)",
        code='''def l2_cost(weights, lambd, m):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    return float(lambd / m * sum(np.sum(np.square(w)) for w in arrays))
''',
    ),
    "06-dropout": Mistake(
        grade_id="dropout_forward",
        description="original (not inverted) dropout: no 1/(1-rate) in training, scales by 1-rate at inference",
        code='''def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError(f"rate must satisfy 0 <= rate < 1, got {rate}")
    a = np.asarray(a)
    if not training or rate == 0:
        return a * (1 - rate), np.ones(a.shape)
    mask = (rng.random(a.shape) >= rate).astype(np.float64)
    return a * mask, mask
''',
    ),
    "07-workflow": Mistake(
        grade_id="early_stopping_epoch",
        description="patience counted with > instead of >=: training stops one epoch late",
        code='''def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if len(val_losses) == 0:
        raise ValueError("val_losses is empty")
    if patience < 0:
        raise ValueError("patience must be >= 0")
    best = val_losses[0]
    best_epoch = 1
    epochs_without_improvement = 0
    for epoch in range(2, len(val_losses) + 1):
        loss = val_losses[epoch - 1]
        if loss < best - min_delta:
            best = loss
            best_epoch = epoch
            epochs_without_improvement = 0
        else:
            epochs_without_improvement += 1
            if epochs_without_improvement > patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
''',
    ),
}


def strip_solution_markers(source: str) -> str:
    """The solution as a student who solved the exercise would have typed it."""
    lines = [line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS]
    return "\n".join(lines)


def answer_cells(nb) -> dict[str, object]:
    """Answer (solution) cells by grade_id."""
    return {nbgrader_metadata(c)["grade_id"]: c for c in nb.cells if nbgrader_metadata(c).get("solution")}


def reference_notebook(source_nb, release_nb):
    """The release notebook with every answer cell holding the source's solution."""
    nb = copy.deepcopy(release_nb)
    solutions = answer_cells(source_nb)
    for grade_id, cell in answer_cells(nb).items():
        cell.source = strip_solution_markers(solutions[grade_id].source)
    return nb


def mistaken_notebook(reference_nb, mistake: Mistake):
    nb = copy.deepcopy(reference_nb)
    cells = answer_cells(nb)
    if mistake.grade_id not in cells:
        raise KeyError(f"no answer cell with grade_id {mistake.grade_id!r}")
    cells[mistake.grade_id].source = mistake.code.rstrip("\n")
    return nb


def sample_notebooks(assignment: str, course_dir: Path = REPO_ROOT) -> dict[str, dict[str, object]]:
    """``{student: {notebook file name: notebook}}`` for the three sample students."""
    course_dir = Path(course_dir)
    samples: dict[str, dict[str, object]] = {s: {} for s in SAMPLE_STUDENTS}
    layout = CourseLayout(course_dir)
    for release_path in sorted(layout.release(assignment).glob("*.ipynb")):
        source_nb = nbformat.read(layout.source(assignment) / release_path.name, as_version=4)
        release_nb = nbformat.read(release_path, as_version=4)
        reference = reference_notebook(source_nb, release_nb)
        samples[REFERENCE][release_path.name] = reference
        samples[BLANK][release_path.name] = release_nb
        mistake = MISTAKES.get(assignment)
        if mistake and mistake.grade_id in answer_cells(reference):
            samples[MISTAKEN][release_path.name] = mistaken_notebook(reference, mistake)
    return {student: nbs for student, nbs in samples.items() if nbs}


def write_sample_submissions(course_dir: Path = REPO_ROOT,
                             assignments: list[str] | None = None) -> list[Path]:
    """Write the samples to ``submitted/<student>/<assignment>/`` (replacing earlier ones)."""
    course_dir = Path(course_dir)
    written = []
    for assignment in assignments or list_assignments(course_dir):
        for student, notebooks in sample_notebooks(assignment, course_dir).items():
            folder = CourseLayout(course_dir).submitted(student, assignment)
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            for name, nb in notebooks.items():
                nbformat.write(nb, folder / name)
                written.append(folder / name)
    return written
