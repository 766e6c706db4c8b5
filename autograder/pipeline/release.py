"""Generate release/ (the student notebooks) from source/ with nbgrader, and check it is in sync."""

from __future__ import annotations

import filecmp
import tempfile
from pathlib import Path

from autograder import REPO_ROOT
from autograder.layout import CourseLayout
from autograder.pipeline.nbgrader_run import nbgrader


def list_assignments(course_dir: Path = REPO_ROOT) -> list[str]:
    """Assignment names: the folders of ``source/`` that hold a notebook, in order."""
    source = CourseLayout(course_dir).source_root()
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def generate_release(course_dir: Path = REPO_ROOT, assignments: list[str] | None = None,
                     release_dir: Path | None = None, with_db: bool = False,
                     extra_args: list[str] | None = None) -> Path:
    """Run ``nbgrader generate_assignment`` for each assignment into ``release_dir``.

    Without ``with_db`` the gradebook is not touched (``--no-db``), which gives
    byte-identical notebooks on repeated runs.
    """
    course_dir = Path(course_dir).resolve()
    release_dir = Path(release_dir).resolve() if release_dir else CourseLayout(course_dir).release()
    for assignment in assignments or list_assignments(course_dir):
        args = ["generate_assignment", assignment, "--force",
                f"--CourseDirectory.release_directory={release_dir}"]
        if not with_db:
            args.append("--no-db")
        nbgrader(*args, *(extra_args or []), course_dir=course_dir)
    return release_dir


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
            and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}


def release_differences(course_dir: Path = REPO_ROOT) -> list[str]:
    """Regenerate into a temporary folder and list every difference from ``release/``."""
    course_dir = Path(course_dir).resolve()
    committed = CourseLayout(course_dir).release()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate_release(course_dir, release_dir=Path(tmp) / "release")
        want, have = _files(fresh), _files(committed) if committed.exists() else set()
        problems = [f"missing from release/: {name}" for name in sorted(want - have)]
        problems += [f"not generated from source/: release/{name}" for name in sorted(have - want)]
        for name in sorted(want & have):
            if not filecmp.cmp(fresh / name, committed / name, shallow=False):
                problems.append(f"differs from what source/ generates: release/{name}")
    return problems
