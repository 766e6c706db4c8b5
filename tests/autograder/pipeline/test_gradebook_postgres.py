"""Parallel grading against a real PostgreSQL gradebook (nbgrader's ``db_url``).

A throwaway server is started from Debian's ``postgresql`` binaries in a temporary data
directory, listening only on a Unix socket there (trust authentication, no TCP). The test is
skipped, with the reason, only where the server binaries are missing; ``.ci/run`` installs them.
"""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import BLANK, MISTAKEN, REFERENCE, write_sample_submissions
from autograder.demo.synthetic import write_synthetic_class
from autograder.pipeline.records import read_records
from autograder.settings import DB_URL as DB_URL_ENV

pytestmark = pytest.mark.grading

ASSIGNMENT = "02-validation"
PORT = 55432


def _server_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(argv: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


@pytest.fixture(scope="module")
def postgres_url():
    bindir = _server_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    user = None
    if os.getuid() == 0:  # the server refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a 'postgres' user to run the server")
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="course-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if user:
        os.chmod(root, 0o755)
        shutil.chown(root, user)
        shutil.chown(sockets, user)
    log = root / "server.log"
    subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "grader",
                                    "--no-sync"], user), check=True, capture_output=True)
    options = f"-k {sockets} -p {PORT} -c listen_addresses='' -c fsync=off"
    subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
                                    "-w", "start"], user), check=True, capture_output=True)
    try:
        subprocess.run(_as_server_user([str(bindir / "createdb"), "-h", str(sockets), "-p", str(PORT), "-U",
                                        "grader", "course"], user), check=True, capture_output=True)
        yield f"postgresql+psycopg2://grader@/course?host={sockets}&port={PORT}"
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_parallel_grading_against_postgresql(postgres_url, tmp_path):
    course = tmp_path / "course"
    copy_course(course, [ASSIGNMENT])
    write_sample_submissions(course, [ASSIGNMENT])
    write_synthetic_class(course, 3, seed=11, assignments=[ASSIGNMENT])
    env = {**os.environ, DB_URL_ENV: postgres_url}
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT,
                          "--workers", "2"], capture_output=True, text=True, env=env, timeout=1800)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert not (course / "gradebook.db").exists(), "the SQLite gradebook was used instead of PostgreSQL"
    with open(course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert float(rows[REFERENCE]["score"]) == 22.0 and float(rows[BLANK]["score"]) == 0.0
    assert float(rows[MISTAKEN]["score"]) == 15.0


    from nbgrader.api import Gradebook

    records = read_records(course)[ASSIGNMENT]
    with Gradebook(postgres_url) as gradebook:
        stored = {s.student.id: float(s.score) for s in gradebook.find_assignment(ASSIGNMENT).submissions}
    assert stored == {student: record["score"] for student, record in records.items()}
    assert set(stored) == set(rows)
