"""Lint and the pre-commit hooks: ruff over the packages, tests, benchmarks and notebooks; the
hooks clean a notebook without touching nbgrader's metadata."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder.pipeline.notebooks import hygiene_problems, is_checked_cell
from tests.paths import REPO

CHAPTER_NOTEBOOK = Path("source") / "02-validation" / "validation.ipynb"


def test_ruff_finds_nothing_in_the_code_or_the_notebooks():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    listed = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--show-files", "."],
                            cwd=REPO, capture_output=True, text=True, timeout=300).stdout
    for folder in ("course/", "autograder/", "tests/", "benchmarks/", "source/", "release/"):
        assert f"/{folder}" in listed, f"ruff does not look at {folder}"
    assert ".ipynb" in listed, "ruff does not look at the notebooks"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args], cwd=repo,
                   check=True, capture_output=True)


def test_the_pre_commit_hooks_clean_a_notebook_and_keep_nbgrader_metadata(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in (".pre-commit-config.yaml", "pyproject.toml", "nbgrader_config.py"):
        shutil.copy(REPO / name, clone / name)
    for name in ("source", "release"):
        shutil.copytree(REPO / name, clone / name)
    (clone / ".venv").symlink_to(REPO / ".venv")
    (clone / ".gitignore").write_text(".venv\n")
    _git(clone, "init", "-q")
    _git(clone, "add", "-A")
    _git(clone, "commit", "-q", "-m", "course")

    # a student of the course team commits the notebook after running it
    path = clone / CHAPTER_NOTEBOOK
    original = nbformat.read(path, as_version=4)
    ran = copy.deepcopy(original)
    for number, cell in enumerate(c for c in ran.cells if c.cell_type == "code"):
        cell.execution_count = number + 7
        if not is_checked_cell(cell):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a stray output\n")]
    nbformat.write(ran, path)
    assert hygiene_problems(nbformat.read(path, as_version=4))
    _git(clone, "add", "-A")

    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = [str(REPO / ".venv" / "bin" / "pre-commit"), "run", "--files", str(CHAPTER_NOTEBOOK)]
    first = subprocess.run(pre_commit, cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout, first.stdout + first.stderr

    cleaned = nbformat.read(path, as_version=4)
    assert hygiene_problems(cleaned) == []
    assert [c.metadata for c in cleaned.cells] == [c.metadata for c in original.cells], "cell metadata changed"
    assert [c.source for c in cleaned.cells] == [c.source for c in original.cells]
    for kept, committed in zip(cleaned.cells, original.cells):
        if is_checked_cell(committed):
            assert kept.outputs == committed.outputs, "the outputs nbval compares were dropped"

    _git(clone, "add", "-A")
    second = subprocess.run(pre_commit, cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    for hook in ("ruff", "source notebooks clean", "release/ is what source/ generates"):
        assert hook in second.stdout and "Passed" in second.stdout
