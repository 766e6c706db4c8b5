"""Generate release/ (the student notebooks) from source/ with nbgrader, and check it is in sync."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import REPO_ROOT


def list_assignments(course_dir: Path = REPO_ROOT) -> list[str]:
    """Assignment names: the folders of ``source/`` that hold a notebook, in order."""
    source = Path(course_dir) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


OUTPUT_TAIL_BYTES = 1 << 20  # of nbgrader's stdout and stderr, kept for messages


def _tail(handle) -> str:
    handle.seek(0, os.SEEK_END)
    handle.seek(max(0, handle.tell() - OUTPUT_TAIL_BYTES))
    return handle.read().decode("utf-8", "replace")


def nbgrader(*args: str, course_dir: Path, check: bool = True, env: dict | None = None,
             timeout: float | None = None, cgroup_procs: str | None = None,
             memory_bytes: int | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command in ``course_dir`` (``python -m nbgrader``, forked from the warm
    :mod:`autograder.forkserver`).

    With ``timeout``, the command and everything it started (a kernel, say) are killed when
    it runs longer; the result then has return code -9 and says so on stderr. Output goes to
    files, not pipes: a process that outlives nbgrader while holding a pipe (an orphaned
    kernel) would otherwise block the read forever. ``cgroup_procs`` puts the command in a
    cgroup (its ``cgroup.procs`` file), which the caller kills afterwards with everything in it.
    """
    from autograder import forkserver

    with tempfile.TemporaryDirectory(prefix="course-nbgrader-") as scratch:
        out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
        returncode, timed_out = forkserver.run_module(
            "nbgrader", list(args), cwd=Path(course_dir), env=env, stdout=out, stderr=err,
            timeout=timeout, memory_bytes=memory_bytes, cgroup_procs=cgroup_procs)
        note = (f"\nTimeoutError: `nbgrader {args[0]}` ran longer than {timeout:g} s and was stopped"
                if timed_out else "")
        with open(out, "rb") as handle:
            stdout = _tail(handle)
        with open(err, "rb") as handle:
            stderr = _tail(handle) + note
    result = subprocess.CompletedProcess([sys.executable, "-m", "nbgrader", *args], returncode, stdout, stderr)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"`nbgrader {' '.join(args)}` failed with exit code {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def generate_release(course_dir: Path = REPO_ROOT, assignments: list[str] | None = None,
                     release_dir: Path | None = None, with_db: bool = False,
                     extra_args: list[str] | None = None) -> Path:
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
        nbgrader(*args, *(extra_args or []), course_dir=course_dir)
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
