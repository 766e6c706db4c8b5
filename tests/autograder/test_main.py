"""The command line, ``python -m autograder`` (autograder.__main__)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.paths import REPO

SOURCE = REPO / "source" / "02-validation" / "validation.ipynb"


def test_cli_release_check_and_clean_check_pass_on_the_repo():
    run = subprocess.run([sys.executable, "-m", "autograder", "clean", "--check", str(SOURCE)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_cli_grade_rejects_an_unknown_assignment(tmp_path):
    (tmp_path / "source").mkdir()
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(tmp_path), "grade",
                          "no-such-chapter"], capture_output=True, text=True)
    assert run.returncode != 0 and "no assignment 'no-such-chapter'" in run.stderr


def test_a_course_folder_named_course_in_the_working_folder_does_not_shadow_the_package(tmp_path):
    """Check that `python -m autograder` run beside a course folder called `course/` imports the package."""
    course = tmp_path / "course"
    course.mkdir()
    for name in ("source", "release"):
        shutil.copytree(REPO / name, course / name)
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", "course", "grade", "01-ml-taxonomy",
                          "--workers", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "TypeError" not in run.stderr


def test_the_working_folder_is_the_course_when_it_holds_one(tmp_path):
    """Check that without --course-dir a course folder in the working folder is used (as nbgrader finds its
    course), and any other folder falls back to the checkout."""
    from autograder import REPO_ROOT
    from autograder.__main__ import default_course_dir

    assert default_course_dir(tmp_path) == REPO_ROOT
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert default_course_dir(tmp_path) == REPO_ROOT  # a config without source/ is not a course
    (tmp_path / "source" / "02-validation").mkdir(parents=True)
    assert default_course_dir(tmp_path) == tmp_path
    run = subprocess.run([sys.executable, "-m", "autograder", "deadline", "02-validation"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 0 and "no due date" in run.stdout, run.stdout + run.stderr
