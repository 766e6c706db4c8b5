"""nbgrader's own commands, run as ``python -m nbgrader`` forked from the warm fork server
(:mod:`autograder.isolation.forkserver`), with a typed outcome.

A run that failed raises :class:`NbgraderFailed` (with ``check=True``); a run stopped at its time
limit says so in :attr:`NbgraderRun.timed_out`, never only in its text.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

OUTPUT_TAIL_BYTES = 1 << 20  # of nbgrader's stdout and stderr, kept for messages
_ERROR_LINE = re.compile(r"^[\w.]+(Error|Exception|Exit)\b.*:")
_ERROR_NAME = re.compile(r"\w{1,60}(Error|Exception|Exit)")


def failure_reason(text: str) -> str:
    """The exception line of an nbgrader log (e.g. ``NotJSONError: ...``), else its last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if _ERROR_LINE.match(line)]
    return (errors or lines or ["no output"])[-1][:500]


@dataclass
class NbgraderRun:
    """What one nbgrader command did (the tails of its output)."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False  # stopped at its time limit (with everything it started)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def error_name(self) -> str:
        """The class name of the exception that stopped it (``SelectorSyntaxError``), else "an
        error": never the error's text, which may quote a notebook."""
        name = failure_reason(self.output).split(":", 1)[0].rsplit(".", 1)[-1]
        return name if _ERROR_NAME.fullmatch(name) else "an error"


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error (``check=True``)."""

    def __init__(self, run: NbgraderRun) -> None:
        note = " (stopped at its time limit)" if run.timed_out else ""
        super().__init__(f"`nbgrader {' '.join(run.args)}` failed with exit code {run.returncode}{note}:\n"
                         f"{run.stdout}\n{run.stderr}")
        self.run = run


def db_flag(url: str) -> str:
    """nbgrader's option for the gradebook at ``url``."""
    return f"--CourseDirectory.db_url={url}"


def _tail(handle) -> str:
    handle.seek(0, os.SEEK_END)
    handle.seek(max(0, handle.tell() - OUTPUT_TAIL_BYTES))
    return handle.read().decode("utf-8", "replace")


def nbgrader(*args: str, course_dir: Path, check: bool = True, env: dict | None = None,
             timeout: float | None = None, cgroup_procs: str | None = None,
             memory_bytes: int | None = None) -> NbgraderRun:
    """Run an nbgrader command in ``course_dir``.

    With ``timeout``, the command and everything it started (a kernel, say) are killed when
    it runs longer (``timed_out``). Output goes to files, not pipes: a process that outlives
    nbgrader while holding a pipe (an orphaned kernel) would otherwise block the read forever.
    ``cgroup_procs`` puts the command in a cgroup (its ``cgroup.procs`` file), which the caller
    kills afterwards with everything in it.
    """
    from autograder.isolation import forkserver

    with tempfile.TemporaryDirectory(prefix="course-nbgrader-") as scratch:
        out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
        returncode, timed_out = forkserver.run_module(
            "nbgrader", list(args), cwd=Path(course_dir), env=env, stdout=out, stderr=err,
            timeout=timeout, memory_bytes=memory_bytes, cgroup_procs=cgroup_procs)
        with open(out, "rb") as handle:
            stdout = _tail(handle)
        with open(err, "rb") as handle:
            stderr = _tail(handle)
    run = NbgraderRun(tuple(args), returncode, stdout, stderr, timed_out)
    if check and run.returncode != 0:
        raise NbgraderFailed(run)
    return run
