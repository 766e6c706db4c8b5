"""What a Dask worker must share with the instructor's process to grade a submission the same way:
the Python and package versions, the digest of the checks and of the grader's own code, and the
settings the checks read. A worker whose versions differ refuses to grade, naming each difference.
Imports no Dask."""

from __future__ import annotations

import hashlib
import platform
from dataclasses import dataclass
from importlib import metadata

from autograder import REPO_ROOT, settings

# the packages whose version can change a grade or the grading itself
PACKAGES = ("ml-regularization-course", "nbgrader", "nbconvert", "nbclient", "nbformat", "jupyter-client",
            "ipykernel", "tensorflow", "keras", "numpy", "pandas", "scikit-learn", "dask", "distributed")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _files_digest(folders: list[str]) -> str:
    """sha256 of the Python files under ``folders`` of the checkout (relative names and contents)."""
    digest = hashlib.sha256()
    for folder in folders:
        root = REPO_ROOT / folder
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class GraderVersions:
    """One process's grading versions (compared field by field; plain data on the wire)."""

    python: str
    packages: tuple[tuple[str, str], ...]
    checks: str  # digest of autograder/checks (what the records' grading inputs hold too)
    code: str  # digest of the autograder and course packages
    fast: str  # COURSE_FAST as the sandboxed checks read it

    @classmethod
    def current(cls) -> GraderVersions:
        return cls(python=platform.python_version(), packages=tuple((name, _version(name)) for name in PACKAGES),
                   checks=_files_digest(["autograder/checks"]), code=_files_digest(["autograder", "course"]),
                   fast=settings.fast_mode())

    @property
    def digest(self) -> str:
        """A short name of these versions (the Dask resource a matching worker offers)."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]

    def differences(self, client: GraderVersions) -> list[str]:
        """What differs from the ``client``'s versions, one sentence each (empty: none)."""
        found = []
        if self.python != client.python:
            found.append(f"Python {self.python} here, {client.python} on the client")
        mine, theirs = dict(self.packages), dict(client.packages)
        for name in sorted(set(mine) | set(theirs)):
            if mine.get(name) != theirs.get(name):
                found.append(f"{name} {mine.get(name, 'not checked')} here, {theirs.get(name, 'not checked')} "
                             "on the client")
        if self.checks != client.checks:
            found.append(f"the checks (autograder/checks) have digest {self.checks[:12]} here, "
                         f"{client.checks[:12]} on the client")
        elif self.code != client.code:
            found.append(f"the grader's code (autograder/, course/) has digest {self.code[:12]} here, "
                         f"{client.code[:12]} on the client")
        if self.fast != client.fast:
            found.append(f"{settings.FAST}={self.fast} here, {client.fast} on the client")
        return found

    def to_json(self) -> dict:
        return {"python": self.python, "packages": [list(pair) for pair in self.packages], "checks": self.checks,
                "code": self.code, "fast": self.fast}

    @classmethod
    def from_json(cls, data: dict) -> GraderVersions:
        return cls(python=str(data["python"]), packages=tuple((str(n), str(v)) for n, v in data["packages"]),
                   checks=str(data["checks"]), code=str(data["code"]), fast=str(data["fast"]))
