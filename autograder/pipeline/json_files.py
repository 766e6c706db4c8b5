"""The grader's JSON files in the course directory (records, registrations): read leniently,
changed atomically under a file lock, or grown by appending JSON lines under the same lock.

Several grading commands (on other machines, say) may share a course directory: a change
re-reads the file under the lock, so none is lost, and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path


def read_json(path: Path) -> dict:
    """The file's object; ``{}`` when it is missing or damaged (then everything is redone)."""
    try:
        return json.loads(Path(path).read_text()) if Path(path).exists() else {}
    except json.JSONDecodeError:
        return {}


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock file (``<name>.lock`` beside it) for the block."""
    with open(Path(path).with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` atomically (a temporary file, then a rename); the caller holds the lock."""
    path = Path(path)
    scratch = path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(scratch, path)


def update_json(path: Path, change: Callable[[dict], None]) -> None:
    """Re-read ``path`` under its lock file, apply ``change`` to the object in place and write it
    back atomically."""
    with locked(path):
        data = read_json(path)
        change(data)
        write_json(path, data)


def append_json_line(path: Path, value: object, lock_for: Path) -> None:
    """Append ``value`` as one line of JSON to ``path`` under ``lock_for``'s lock, flushed to disk:
    the cost does not grow with the file."""
    line = json.dumps(value, sort_keys=True) + "\n"
    with locked(lock_for), open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read_json_lines(path: Path) -> Iterator[object]:
    """The values of a file of JSON lines in order, skipping a line that does not parse (the last
    one, cut short when a writer was killed)."""
    if not Path(path).exists():
        return
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            with contextlib.suppress(json.JSONDecodeError):
                yield json.loads(line)
