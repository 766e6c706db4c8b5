"""Generate release/ (the student notebooks) from source/ with nbgrader, and check it is in sync."""

from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import REPO_ROOT


def list_assignments(course_dir: Path = REPO_ROOT) -> list[str]:
    """Assignment names: the folders of ``source/`` that hold a notebook, in order."""
    source = Path(course_dir) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def nbgrader(*args: str, course_dir: Path, check: bool = True, env: dict | None = None,
             timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command in ``course_dir`` with this interpreter.

    With ``timeout``, the command and everything it started (a kernel, say) are killed when
    it runs longer; the result then has return code -9 and says so on stderr.
    """
    command = [sys.executable, "-m", "nbgrader", *args]
    process = subprocess.Popen(command, cwd=course_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\nTimeoutError: `nbgrader {args[0]}` ran longer than {timeout:g} s and was stopped"
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"`nbgrader {' '.join(args)}` failed with exit code {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def generate_release(course_dir: Path = REPO_ROOT, assignments: list[str] | None = None,
                     release_dir: Path | None = None, with_db: bool = False) -> Path:
    """Run ``nbgrader generate_assignment`` for each assignment into ``release_dir``.

    Without ``with_db`` the gradebook is not touched (``--no-db``), which gives
    byte-identical notebooks on repeated runs.
    """
    course_dir = Path(course_dir).resolve()
    release_dir = Path(release_dir).resolve() if release_dir else course_dir / "release"
    for assignment in assignments or list_assignments(course_dir):
        args = ["generate_assignment", assignment, "--force",
                f"--CourseDirectory.release_directory={release_dir}"]
        if not with_db:
            args.append("--no-db")
        nbgrader(*args, course_dir=course_dir)
    return release_dir


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
            and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}


def release_differences(course_dir: Path = REPO_ROOT) -> list[str]:
    """Regenerate into a temporary folder and list every difference from ``release/``."""
    course_dir = Path(course_dir).resolve()
    committed = course_dir / "release"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate_release(course_dir, release_dir=Path(tmp) / "release")
        want, have = _files(fresh), _files(committed) if committed.exists() else set()
        problems = [f"missing from release/: {name}" for name in sorted(want - have)]
        problems += [f"not generated from source/: release/{name}" for name in sorted(have - want)]
        for name in sorted(want & have):
            if not filecmp.cmp(fresh / name, committed / name, shallow=False):
                problems.append(f"differs from what source/ generates: release/{name}")
    return problems
