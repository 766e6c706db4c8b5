"""The per-submission grading key the hidden inputs are drawn from, under the course secret."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from autograder.layout import CourseLayout


def grading_key(course_dir: Path, assignment: str, student: str, submission: str = "") -> str:
    """The key a submission's hidden inputs are drawn from (hex), secret to the instructor.

    It is an HMAC of the assignment, the student and the submission's digest under a random
    course secret, created once in ``.grading_secret`` (mode 600, never committed, outside every
    folder the sandbox can see). Regrading a submission repeats its hidden inputs; students
    cannot know them in advance, and a resubmission draws new ones (inputs a submission managed
    to record are no use to the next).
    """
    secret_path = CourseLayout(course_dir).grading_secret()
    if not secret_path.exists():
        descriptor = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    secret = bytes.fromhex(secret_path.read_text().strip())
    return hmac.new(secret, f"{assignment}/{student}/{submission}".encode(), hashlib.sha256).hexdigest()
