"""The grader's JSON files in the course directory (records, registrations): read leniently,
changed atomically under a file lock.

Several grading commands (on other machines, say) may share a course directory: a change
re-reads the file under the lock, so none is lost, and a reader never sees half a file.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path


def read_json(path: Path) -> dict:
    """The file's object; ``{}`` when it is missing or damaged (then everything is redone)."""
    try:
        return json.loads(Path(path).read_text()) if Path(path).exists() else {}
    except json.JSONDecodeError:
        return {}


def update_json(path: Path, change: Callable[[dict], None]) -> None:
    """Re-read ``path`` under its lock file, apply ``change`` to the object in place and write it
    back atomically (a temporary file, then a rename)."""
    path = Path(path)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read_json(path)
        change(data)
        scratch = path.with_suffix(".json.tmp")
        scratch.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(scratch, path)
