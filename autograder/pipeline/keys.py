"""The per-submission grading key the hidden inputs are drawn from, under the course secret."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from autograder.layout import CourseLayout

SECRET_BYTES = 32


class CourseSecretError(ValueError):
    """The course secret's file exists but does not hold a secret (64 hexadecimal characters)."""


def course_secret(course_dir: Path) -> bytes:
    """The course secret, created on first use (see :func:`grading_key`)."""
    secret_path = CourseLayout(course_dir).grading_secret()
    if not secret_path.exists():
        descriptor = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES))
    try:
        secret = bytes.fromhex(secret_path.read_bytes().decode("ascii").strip())
    except ValueError as error:  # UnicodeDecodeError is a ValueError too
        problem = str(error)
    else:
        if len(secret) == SECRET_BYTES:
            return secret
        problem = f"{len(secret)} bytes"
    raise CourseSecretError(
        f"the course secret {secret_path} is not 64 hexadecimal characters ({problem}). Restore it from a "
        "backup to repeat earlier grades' hidden inputs, or delete it to have a new one made.")


def grading_key(course_dir: Path, assignment: str, student: str, submission: str = "") -> str:
    """The key a submission's hidden inputs are drawn from (hex), secret to the instructor.

    It is an HMAC of the assignment, the student and the submission's digest under a random
    course secret, created once in ``.grading_secret`` (mode 600, never committed, outside every
    folder the sandbox can see). Regrading a submission repeats its hidden inputs; students
    cannot know them in advance, and a resubmission draws new ones (inputs a submission managed
    to record are no use to the next).
    """
    message = f"{assignment}/{student}/{submission}".encode()
    return hmac.new(course_secret(course_dir), message, hashlib.sha256).hexdigest()
