"""A course folder made from a checkout (its assignments' ``source/`` and ``release/`` and its
``nbgrader_config.py``): where demos, rehearsals, benchmarks and tests grade, away from the checkout."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from autograder import REPO_ROOT


def copy_course(target: Path, assignments: Iterable[str] | None = None, checkout: Path = REPO_ROOT) -> Path:
    """Copy ``checkout``'s ``assignments`` (None: every one) and its ``nbgrader_config.py`` into
    ``target`` (created, or an empty folder); returns ``target``."""
    target = Path(target)
    for name in ("source", "release"):
        if assignments is None:
            shutil.copytree(checkout / name, target / name, dirs_exist_ok=True)
            continue
        for assignment in assignments:
            shutil.copytree(checkout / name / assignment, target / name / assignment)
    shutil.copy(checkout / "nbgrader_config.py", target)
    return target
