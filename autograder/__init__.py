"""Grading for the course: checks with clear feedback, release generation, the nbgrader pipeline.

Command line: ``python -m autograder --help``.
"""

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# nbgrader's gradebook runs the `alembic` command by name; without an activated venv it would
# not be on PATH, so put this interpreter's bin folder first (inherited by nbgrader children).
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")
