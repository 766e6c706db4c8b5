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

# jsonschema (imported by nbformat) builds ~40 Lark parsers when it imports `rfc3987_syntax`,
# its checker for the "iri" string format: 2 s of CPU in every grading process, for a format no
# notebook schema uses (python-jsonschema/jsonschema#1428). Without it, jsonschema skips that check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
