"""The README's commands for a students' installation turn off nbgrader's instructor panels.

They are run as written in the README, at the user level of a temporary Jupyter configuration
folder instead of the venv's (the venv stays as it is).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

JUPYTER = Path(sys.executable).parent / "jupyter"
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")


def readme_student_commands() -> list[list[str]]:
    """The ``jupyter ...`` lines of the README's block about a students' installation."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"For an installation that\s+students use.*?```bash\n(.*?)```", text, re.S)
    assert block, "the README has no block of commands for a students' installation"
    return [line.split()[1:] for line in block.group(1).splitlines() if line.startswith(".venv/bin/jupyter ")]


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([str(JUPYTER), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"jupyter {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_readme_commands_turn_off_the_instructor_panels(tmp_path):
    """Check that the README's commands disable and lock the instructor's panels, not the student's."""
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings")}
    commands = readme_student_commands()
    assert len(commands) == 2, commands
    for args in commands:
        user_level = ["--level=user" if a == "--level=sys_prefix" else a for a in args]
        _run(user_level, env)

    labextensions = _run(["labextension", "list"], env)
    disabled = re.search(r"Disabled extensions:\n((?:\s+\S+\n?)+)", labextensions)
    locked = next((x for x in labextensions.splitlines() if x.rstrip().endswith("locked)")), "")
    assert disabled, labextensions
    for plugin in INSTRUCTOR_PLUGINS:
        assert plugin in disabled.group(1), f"{plugin} is not disabled:\n{labextensions}"
        assert plugin in locked, f"{plugin} is not locked:\n{labextensions}"
    for student_plugin in ("@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:assignment-list"):
        assert student_plugin not in disabled.group(1), labextensions

