"""The grading pipeline: register, autograde, feedback and grades, with nbgrader's own commands.

``grade_class`` (``grade_assignment`` for one assignment) grades every student under
``submitted/<student>/<assignment>/`` on a course directory that may be fresh: it registers the
assignments in the gradebook first. Scores come from the trusted checks
(:mod:`autograder.trusted`): nbgrader's own in-kernel run executes the notebook's graded cells
(setup, answers, tests; not the lecture's experiments, on which no score depends) in a sandboxed
kernel and is only compared with them. A student whose submission cannot be graded never stops
the others, and still gets a grade row (score 0), a feedback file and, when something looked
wrong, flags in the export's ``flags`` column.

Submissions of all the assignments are graded in parallel worker processes, the longest first.
Each worker keeps two warm processes that have the heavy imports (nbgrader, TensorFlow/Keras,
scikit-learn) done: :mod:`autograder.forkserver` forks nbgrader's commands and the trusted
checks, and :mod:`autograder.warm_sandbox` forks the sandboxed kernel and function server. Only
the trusted scores reach the gradebook, in one transaction per submission: nbgrader's in-kernel
run writes to a private copy. Each finished submission gets a record in ``grading_records.json``
(its digest, score, flags and every check's message), written by the parent process alone; a
rerun skips submissions whose record matches, so an interrupted run finishes the rest without
regrading anyone.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import fcntl
import hashlib
import hmac
import html
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from autograder import REPO_ROOT, forkserver, intake, rules, sandbox, trusted, warm_sandbox
from autograder.capped_execute import autograde_preprocessor_flags
from autograder.release import generate_release, nbgrader
from autograder.sandboxed_kernel import KERNEL_NAME, install_kernelspec

GRADEBOOK = "gradebook.db"
RECORDS_FILE = "grading_records.json"
REGISTERED_FILE = "grading_registered.json"  # gradebook -> assignment -> the inputs it was registered from
DB_URL_ENV = "COURSE_DB_URL"  # e.g. postgresql://grader@/course?host=/run/postgresql


@dataclass
class StudentResult:
    """Outcome of grading one student's submission of one assignment."""

    student: str
    assignment: str
    score: float = 0.0
    max_score: float = 0.0
    graded: bool = False
    feedback: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    cells: list = field(default_factory=list)
    skipped: bool = False  # unchanged since its last grading: taken from the records
    attempts: int = 1  # 2 when the first run was not verified (the sandbox was unhealthy after it)

    @property
    def status(self) -> str:
        if not self.graded:
            return "NOT GRADED"
        if self.skipped:
            return "unchanged"
        return "ok" if self.feedback else "no feedback"


GRADING_SECRET_FILE = ".grading_secret"


def grading_key(course_dir: Path, assignment: str, student: str, submission: str = "") -> str:
    """The key a submission's hidden inputs are drawn from (hex), secret to the instructor.

    It is an HMAC of the assignment, the student and the submission's digest under a random
    course secret, created once in ``.grading_secret`` (mode 600, never committed, outside every
    folder the sandbox can see). Regrading a submission repeats its hidden inputs; students
    cannot know them in advance, and a resubmission draws new ones (inputs a submission managed
    to record are no use to the next).
    """
    secret_path = Path(course_dir) / GRADING_SECRET_FILE
    if not secret_path.exists():
        descriptor = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    secret = bytes.fromhex(secret_path.read_text().strip())
    return hmac.new(secret, f"{assignment}/{student}/{submission}".encode(), hashlib.sha256).hexdigest()


def db_url(course_dir: Path) -> str:
    """The gradebook: ``$COURSE_DB_URL`` (PostgreSQL, say) or SQLite at the course root."""
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{Path(course_dir).resolve() / GRADEBOOK}"


def db_flag(url: str) -> str:
    return f"--CourseDirectory.db_url={url}"


def _sqlite_path(url: str) -> Path | None:
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    """Students with a folder ``submitted/<student>/<assignment>/``."""
    root = Path(course_dir) / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir())


def register_assignment(course_dir: Path, assignment: str) -> None:
    """Record the assignment, its notebooks and grade cells in the gradebook.

    ``generate_assignment`` with the database does this; it writes its student version to a
    scratch folder so the committed ``release/`` is never touched by grading.
    """
    with tempfile.TemporaryDirectory() as scratch:
        generate_release(course_dir, [assignment], release_dir=Path(scratch), with_db=True,
                         extra_args=[db_flag(db_url(course_dir))])


REGISTER_ATTEMPTS = 5


def _registered(course_dir: Path) -> dict[str, dict[str, str]]:
    path = Path(course_dir) / REGISTERED_FILE
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except json.JSONDecodeError:
        return {}


def ensure_registered(course_dir: Path, assignment: str, inputs: str, force: bool = False) -> bool:
    """:func:`register_assignment` unless the gradebook holds the assignment as registered from
    the same source and checks (``inputs``: :func:`grading_inputs_digest`); True if it ran."""
    from nbgrader.api import Gradebook, MissingEntry

    url = db_url(course_dir)
    if not force and _registered(course_dir).get(url, {}).get(assignment) == inputs:
        with contextlib.suppress(Exception), Gradebook(url) as gradebook:
            try:
                gradebook.find_assignment(assignment)
                return False
            except MissingEntry:
                pass
    for attempt in range(REGISTER_ATTEMPTS):  # graders may be writing scores meanwhile
        try:
            register_assignment(course_dir, assignment)
            break
        except RuntimeError as error:
            if "database is locked" not in str(error) or attempt == REGISTER_ATTEMPTS - 1:
                raise
            time.sleep(1.0 + attempt)
    path = Path(course_dir) / REGISTERED_FILE
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        registered = _registered(course_dir)
        registered.setdefault(url, {})[assignment] = inputs
        scratch = path.with_suffix(".json.tmp")
        scratch.write_text(json.dumps(registered, indent=1, sort_keys=True))
        os.replace(scratch, path)
    return True


def import_students(course_dir: Path, csv_path: Path) -> list[str]:
    """Import students with nbgrader's own ``db student import`` (its CSV format); return their ids."""
    csv_path = Path(csv_path).resolve()
    with open(csv_path, newline="") as handle:
        ids = [row["id"].strip() for row in csv.DictReader(handle) if (row.get("id") or "").strip()]
    nbgrader("db", "student", "import", str(csv_path), db_flag(db_url(course_dir)), course_dir=Path(course_dir))
    return ids


def stage_new_gradebook(course_dir: Path, folder: Path) -> Path | None:
    """An empty SQLite gradebook in ``folder`` when the course's does not exist yet (nbgrader
    creates one by running ``alembic`` in a fresh process: seconds), to be put in place with
    :func:`ensure_students` once grading may write; None otherwise."""
    from nbgrader.api import Gradebook

    main = _sqlite_path(db_url(course_dir))
    if main is None or main.exists():
        return None
    staged = Path(folder) / main.name
    with Gradebook(f"sqlite:///{staged}"):
        pass
    return staged


def ensure_students(course_dir: Path, students: list[str], staged: Path | None = None) -> None:
    """Add ``students`` to the gradebook; a gradebook from :func:`stage_new_gradebook` becomes
    the course's if it still has none."""
    from nbgrader.api import Gradebook

    main = _sqlite_path(db_url(course_dir))
    if staged is not None and main is not None:
        if staged.stat().st_dev != main.parent.stat().st_dev:  # a link cannot cross file systems
            beside = main.with_name(f".{main.name}.{uuid.uuid4().hex[:8]}")
            shutil.copy(staged, beside)
            staged = beside
        try:
            with contextlib.suppress(FileExistsError):  # another grader created it meanwhile: keep that one
                os.link(staged, main)
        finally:
            if staged.parent == main.parent:
                staged.unlink(missing_ok=True)
    with Gradebook(db_url(course_dir)) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)


def read_scores(course_dir: Path, assignment: str, student: str) -> tuple[float, float] | None:
    """``(score, max_score)`` from the gradebook, or None when nothing was graded."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url(course_dir)) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return None
        return float(submission.score), float(submission.max_score)


def max_score(course_dir: Path, assignment: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course_dir)) as gradebook:
        return float(gradebook.find_assignment(assignment).max_score)


def _failure_reason(text: str) -> str:
    """The exception line of an nbgrader log (e.g. ``NotJSONError: ...``), else its last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b.*:", line)]
    return (errors or lines or ["no output"])[-1][:500]


limits_from_env = sandbox.limits_from_env


def kernel_gradebook(course_dir: Path, assignment: str, students: list[str], folder: Path) -> Path:
    """A private SQLite gradebook for nbgrader's in-kernel runs, with the assignment and students.

    The in-kernel scores are only compared with the trusted ones; writing them to a copy keeps
    them out of the real gradebook, which then only ever holds trusted scores (even after an
    interrupted run), and keeps concurrent nbgrader processes off it.
    """
    path = Path(folder) / "kernel-gradebook.db"
    main = _sqlite_path(db_url(course_dir))
    if main is not None and main.exists():
        copy_sqlite(main, path)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            generate_release(course_dir, [assignment], release_dir=Path(scratch), with_db=True,
                             extra_args=[db_flag(f"sqlite:///{path}")])
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{path}") as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)
    return path


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database that other processes may be writing (its backup
    API, which reads under a shared lock; a plain file copy could catch half a transaction)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(source, timeout=60)) as reader, \
            contextlib.closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


def _sandboxed_autograde(course_dir: Path, assignment: str, student: str, limits: sandbox.Limits,
                         gradebook_copy: Path) -> subprocess.CompletedProcess:
    """``nbgrader autograde`` for one student, its kernel in the sandbox over ipc sockets, writing
    to ``gradebook_copy`` (a private copy: see :func:`kernel_gradebook`)."""
    # nbgrader, the kernel launcher and the kernel share one cgroup (where cgroups are writable),
    # killed as a whole afterwards: a kernel that outlives nbgrader cannot stall the class
    tasks = sandbox.TaskCgroup(limits.max_tasks + 64)  # + nbgrader's own threads
    # (closed in reverse: the cgroup's processes are killed before the kernel folder is removed)
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as scratch, contextlib.ExitStack() as stack, \
            contextlib.closing(tasks):
        jupyter_dir = install_kernelspec(Path(scratch) / "jupyter")
        # a new folder under the warm sandbox's runtime folder when there is one (its zygote forks
        # the kernel); removed afterwards
        runtime = stack.enter_context(warm_sandbox.kernel_folder(limits, Path(scratch) / "runtime"))
        kernel = f"kernel-{uuid.uuid4().hex[:12]}"
        env = dict(os.environ)
        env["JUPYTER_PATH"] = os.pathsep.join([str(jupyter_dir)] + [p for p in [env.get("JUPYTER_PATH")] if p])
        env["JUPYTER_RUNTIME_DIR"] = str(runtime)
        if tasks.path is not None:
            env[sandbox.TASK_CGROUP_ENV] = str(tasks.path)
        return nbgrader("autograde", assignment, f"--student={student}", "--force", db_flag(f"sqlite:///{gradebook_copy}"),
                        f"--Execute.kernel_name={KERNEL_NAME}", "--KernelManager.transport=ipc",
                        f"--KernelManager.ip={runtime / kernel}",
                        f"--KernelManager.connection_file={runtime / (kernel + '.json')}",
                        f"--Execute.timeout={int(limits.cell_seconds)}",
                        "--Execute.store_widget_state=False",  # else kernel-sent widget state piles up
                        *autograde_preprocessor_flags(limits.output_bytes),
                        course_dir=course_dir, check=False, env=env,
                        timeout=limits.submission_seconds, cgroup_procs=tasks.join_file(),
                        memory_bytes=limits.memory_bytes)


# ------------------------------------------------------------------------------ flags
SUBMISSION_DIGEST_BYTES = 256 * 2**20  # read of a submission folder; a larger one is digested by its listing


def submission_digest(folder: Path) -> str:
    """Digest of everything in a submission folder (names as bytes, contents, link targets).

    Never fails on what a student left there (undecodable names, unreadable or huge sparse
    files): a digest is made of whatever can be read, files streamed, and past
    :data:`SUBMISSION_DIGEST_BYTES` only names and sizes count."""
    digest = hashlib.sha256()
    folder = Path(folder)
    budget = SUBMISSION_DIGEST_BYTES
    try:
        paths = sorted(folder.rglob("*"), key=lambda p: os.fsencode(p)) if folder.is_dir() else []
    except OSError as error:
        return hashlib.sha256(f"unreadable: {error}".encode("utf-8", "replace")).hexdigest()
    for path in paths:
        digest.update(os.fsencode(path.relative_to(folder)) + b"\0")
        try:
            if path.is_symlink():
                digest.update(b"link:" + os.fsencode(os.readlink(path)))
            elif path.is_file():
                size = path.stat().st_size
                digest.update(b"size:%d\0" % size)
                if size <= budget:
                    budget -= size
                    with open(path, "rb") as handle:
                        for chunk in iter(lambda: handle.read(1 << 20), b""):
                            digest.update(chunk)
        except OSError as error:
            digest.update(b"unreadable:" + str(error).encode("utf-8", "replace"))
        digest.update(b"\0")
    return digest.hexdigest()


def grading_inputs_digest(course_dir: Path, assignment: str) -> str:
    """Digest of what decides a grade besides the submission: the source notebook, the checks and
    the course's setting for exercise rules."""
    digest = hashlib.sha256()
    for path in sorted((Path(course_dir) / "source" / assignment).glob("*.ipynb")):
        digest.update(path.read_bytes())
    for path in sorted((REPO_ROOT / "autograder" / "checks").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    digest.update(f"rules:{rule_mode(course_dir)}".encode())
    return digest.hexdigest()


def rule_mode(course_dir: Path) -> str:
    """What a broken exercise rule costs, from the course's ``nbgrader_config.py``:
    ``c.ExerciseRules.on_violation = "withhold"`` (the default: the function's test cells score 0)
    or ``"flag"`` (flagged only; the points stay)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = Path(course_dir) / "nbgrader_config.py"
    if not config.exists():
        return rules.WITHHOLD
    value = PyFileConfigLoader(config.name, path=str(config.parent)).load_config() \
        .get("ExerciseRules", {}).get("on_violation", rules.WITHHOLD)
    if value not in (rules.WITHHOLD, rules.FLAG):
        raise ValueError(f"{config}: c.ExerciseRules.on_violation must be {rules.WITHHOLD!r} or {rules.FLAG!r}, "
                         f"got {value!r}")
    return value


def registration_digest(course_dir: Path, assignment: str, inputs: str) -> str:
    """What a registration depends on: the grading inputs and ``nbgrader_config.py`` (its course
    id and code stub go into the gradebook and the generated notebooks)."""
    config = Path(course_dir) / "nbgrader_config.py"
    extra = config.read_bytes() if config.exists() else b""
    return hashlib.sha256(inputs.encode() + b"\0" + extra).hexdigest()


def read_records(course_dir: Path) -> dict[str, dict[str, dict]]:
    """``{assignment: {student: record}}`` of finished submissions (see :func:`write_record`)."""
    path = Path(course_dir) / RECORDS_FILE
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except json.JSONDecodeError:
        return {}  # a damaged file: everything is regraded


def write_record(course_dir: Path, result: StudentResult, submission: str, inputs: str) -> None:
    """Record a finished submission: atomically, under a lock, re-reading the file first (grading
    commands on other machines sharing the course directory may add records meanwhile)."""
    path = Path(course_dir) / RECORDS_FILE
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _write_record_locked(path, course_dir, result, submission, inputs)


def _write_record_locked(path: Path, course_dir: Path, result: StudentResult, submission: str, inputs: str) -> None:
    records = read_records(course_dir)
    records.setdefault(result.assignment, {})[result.student] = {
        "submission": submission, "inputs": inputs, "score": result.score, "max_score": result.max_score,
        "graded": result.graded, "feedback": result.feedback, "seconds": round(result.seconds, 2),
        "flags": list(result.flags), "problems": list(result.problems),
        "cells": [asdict(c) for c in result.cells], "attempts": result.attempts,
        "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    scratch = path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(records, indent=1, sort_keys=True))
    os.replace(scratch, path)


def result_from_record(assignment: str, student: str, record: dict) -> StudentResult:
    return StudentResult(student, assignment, score=record["score"], max_score=record["max_score"],
                         graded=record["graded"], feedback=record["feedback"], seconds=record["seconds"],
                         problems=list(record["problems"]), flags=list(record["flags"]),
                         cells=[trusted.CellResult(**c) for c in record["cells"]], skipped=True)


def read_flags(course_dir: Path) -> dict[str, dict[str, list[str]]]:
    return {assignment: {student: list(record.get("flags", [])) for student, record in students.items()}
            for assignment, students in read_records(course_dir).items()}


# ------------------------------------------------------------------------------ feedback
def _verdict_output(cell: trusted.CellResult) -> dict:
    if cell.passed:
        text = f"Passed: {cell.points:g} / {cell.points:g} points.\n"
    else:
        text = f"Not passed: 0 / {cell.points:g} points.\n{cell.message}\n"
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _rule_output(violations: list[rules.RuleViolation]) -> dict:
    """What the feedback shows under an answer cell that breaks its exercise rule."""
    lines = [f"Exercise rule broken: {v.describe()}." for v in violations]
    return nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n")


def _feedback_notebook(course_dir: Path, assignment: str, student: str, spec: intake.SourceSpec,
                       report: trusted.TrustedReport, received: intake.Intake,
                       limits: sandbox.Limits) -> Path:
    """Write the notebook nbgrader turns into feedback: the student version, the student's answers
    and the trusted verdicts; replaces the copy the in-kernel run produced.

    Nothing comes from the kernel-executed notebook: the in-kernel run executed hidden test
    cells next to student code, and anything the kernel wrote there (outputs, execution counts,
    widget state in the metadata) could carry them.
    """
    name = _notebook_name(course_dir, assignment)
    path = Path(course_dir) / "autograded" / student / assignment / name
    student_version = Path(course_dir) / "release" / assignment / name
    if not student_version.exists():
        student_version = Path(course_dir) / "source" / assignment / name
    nb = nbformat.read(student_version, as_version=4)
    answers = {label.removesuffix(" (recovered)"): source for label, source in received.answer_cells}
    verdicts = {c.grade_id: c for c in report.cells}
    tests = {t["grade_id"]: t for t in spec.test_cells}
    broken = rules.by_function(rules.violations_from_json(report.violations))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id in tests:
            cell.source = trusted.visible_source(tests[grade_id]["source"])
            cell.outputs = [_verdict_output(verdicts[grade_id])] if grade_id in verdicts else []
        elif meta.get("solution"):
            cell.source = answers.get(grade_id, "# (no answer found in the submission)")
        if cell.cell_type == "code":
            cell.execution_count = None
            if grade_id not in tests:
                cell.outputs = [_rule_output(broken[grade_id])] if grade_id in broken else []
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _plain_feedback(path: Path, student: str, assignment: str, result: StudentResult,
                    report: trusted.TrustedReport) -> None:
    rows = "".join(f"<tr><td>{html.escape(c.grade_id)}</td><td>{c.points if c.passed else 0:g} / {c.points:g}</td>"
                   f"<td>{html.escape(c.message)}</td></tr>" for c in report.cells)
    notes = "".join(f"<li>{html.escape(p)}</li>" for p in result.problems + result.flags)
    path.write_text(f"<html><head><meta charset='utf-8'></head><body>"
                    f"<h1>{html.escape(assignment)}: {html.escape(student)}</h1>"
                    f"<p>Score: {result.score:g} / {result.max_score:g}</p><ul>{notes}</ul>"
                    f"<table><tr><th>test</th><th>points</th><th>message</th></tr>{rows}</table></body></html>",
                    encoding="utf-8", errors="replace")


FEEDBACK_SECONDS = 180  # nbconvert's HTML export of one notebook; else the plain page


def write_feedback(course_dir: Path, assignment: str, student: str, spec: intake.SourceSpec,
                   report: trusted.TrustedReport, result: StudentResult, received: intake.Intake,
                   limits: sandbox.Limits | None = None) -> bool:
    """nbgrader's feedback HTML from the rewritten notebook; a plain HTML page if that fails."""
    limits = limits or sandbox.DEFAULT_LIMITS
    target = Path(course_dir) / "feedback" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    try:
        _feedback_notebook(course_dir, assignment, student, spec, report, received, limits)
        made = nbgrader("generate_feedback", assignment, f"--student={student}", "--force",
                        db_flag(db_url(course_dir)), course_dir=course_dir, check=False,
                        timeout=FEEDBACK_SECONDS, memory_bytes=limits.memory_bytes)
        if made.returncode == 0 and any(target.glob("*.html")):
            return True
    except Exception:  # noqa: BLE001 - fall back to the plain page below
        pass
    target.mkdir(parents=True, exist_ok=True)
    _plain_feedback(target / (Path(_notebook_name(course_dir, assignment)).stem + ".html"),
                    student, assignment, result, report)
    return True


def _keep_only_the_notebook(folder: Path, notebook_name: str) -> None:
    """Remove everything but the notebook from a grading copy, without following links, so
    nothing the kernel or the submission left there reaches the feedback folder."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in folder.iterdir():
        if entry.name == notebook_name and entry.is_file() and not entry.is_symlink():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _notebook_name(course_dir: Path, assignment: str) -> str:
    return next((Path(course_dir) / "source" / assignment).glob("*.ipynb")).name


def _in_kernel_results(gradebook_copy: Path, assignment: str, student: str) -> tuple[dict[str, bool], object]:
    """(grade_id -> whether nbgrader's in-kernel run passed the test cell, submission timestamp)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{gradebook_copy}") as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {}, None
        return ({grade.name: bool(grade.auto_score is not None and grade.max_score
                                  and grade.auto_score >= grade.max_score)
                 for notebook in submission.notebooks for grade in notebook.grades
                 if grade.cell.cell_type == "code"}, submission.timestamp)


def write_trusted_scores(course_dir: Path, assignment: str, student: str, cells: list[trusted.CellResult],
                         timestamp: object = None, attempts: int = 40) -> tuple[float, float]:
    """Store the trusted verdicts as the gradebook's scores, in one transaction; creates the
    submission if needed. Retries while another grading process holds the database's lock."""
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import OperationalError, SAWarning

    for attempt in range(attempts):
        try:
            # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are right
            with Gradebook(db_url(course_dir)) as gradebook, warnings.catch_warnings():
                warnings.simplefilter("ignore", SAWarning)
                try:
                    submission = gradebook.find_submission(assignment, student)
                except MissingEntry:
                    submission = gradebook.add_submission(assignment, student)
                if timestamp is not None:
                    submission.timestamp = timestamp
                verdicts = {c.grade_id: c for c in cells}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        verdict = verdicts.get(grade.name)
                        grade.auto_score = float(verdict.points) if verdict and verdict.passed else 0.0
                        grade.manual_score = None
                        grade.extra_credit = None
                        grade.needs_manual_grade = False
                gradebook.db.commit()
                return float(submission.score), float(submission.max_score)
        except OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.25 + 0.05 * attempt)
    raise RuntimeError("unreachable")


TRUSTED_EXTRA_MEMORY = 2 * 2**30


def _trusted_check(job: dict, limits: sandbox.Limits) -> trusted.TrustedReport:
    """Run the trusted checks (a child of the fork server) with the per-submission time limit."""
    with tempfile.TemporaryDirectory(prefix="course-trusted-") as scratch:
        job_path, out_path = Path(scratch) / "job.json", Path(scratch) / "report.json"
        job_path.write_text(json.dumps(job))
        memory = limits.memory_bytes + TRUSTED_EXTRA_MEMORY  # the oracles (Keras) and decoded replies
        stderr_path = Path(scratch) / "stderr"
        _, timed_out = forkserver.run_module("autograder.trusted", [str(job_path), str(out_path)],
                                             cwd=Path(scratch), env=None, stdout=Path(os.devnull),
                                             stderr=stderr_path, timeout=limits.submission_seconds,
                                             memory_bytes=memory)
        if timed_out:
            return trusted.TrustedReport(
                cells=[trusted.CellResult(t["grade_id"], t["points"], False,
                                          "not checked: the submission exceeded its total time limit")
                       for t in job["test_cells"]],
                flags=[f"the submission exceeded its total time limit of {limits.submission_seconds:g} s"])
        stderr = stderr_path.read_text(errors="replace")[-100_000:] if stderr_path.exists() else ""
        if not out_path.exists():
            reason = _failure_reason(stderr or "")
            return trusted.TrustedReport(
                cells=[trusted.CellResult(t["grade_id"], t["points"], False, "not checked: the grader failed")
                       for t in job["test_cells"]],
                flags=[f"the trusted checks failed to run: {reason}"])
        data = json.loads(out_path.read_text())
        data["cells"] = [trusted.CellResult(**c) for c in data["cells"]]
        return trusted.TrustedReport(**data)


@dataclass
class _Run:
    """What running one submission (in-kernel, then trusted) gave, before anything is written."""

    report: trusted.TrustedReport
    in_kernel: dict[str, bool] = field(default_factory=dict)
    timestamp: object = None
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    sandbox_problems: list[str] = field(default_factory=list)  # the warm sandbox after each stage


def _run_submission(course_dir: Path, assignment: str, student: str, spec: intake.SourceSpec,
                    received: intake.Intake, submitted: Path, run_kernel: bool, limits: sandbox.Limits,
                    kernel_template: Path | None) -> _Run:
    """Run one submission: nbgrader's in-kernel run (only compared), then the trusted checks.
    The warm sandbox is checked before each stage (a new one replaces an unhealthy one) and after
    it (what it found is in ``sandbox_problems``)."""
    run = _Run(report=trusted.TrustedReport())
    if run_kernel:
        warm_sandbox.provide(limits)  # this process's warm sandbox: it forks the kernel and the function server
        with tempfile.TemporaryDirectory(prefix="course-gradebook-") as private:
            template = kernel_template or kernel_gradebook(course_dir, assignment, [student], Path(private))
            copy = Path(private) / "in-kernel.db"
            shutil.copy(template, copy)
            autograde = _sandboxed_autograde(course_dir, assignment, student, limits, copy)
            run.in_kernel, run.timestamp = _in_kernel_results(copy, assignment, student)
        run.sandbox_problems.append(warm_sandbox.problem(limits))
        if autograde.returncode != 0:
            # the exception's class name and exit code only: nbgrader's error text may carry what the
            # kernel sent (hidden tests)
            error = _failure_reason(autograde.stdout + autograde.stderr).split(":", 1)[0].rsplit(".", 1)[-1]
            error = error if re.fullmatch(r"\w{1,60}(Error|Exception|Exit)", error) else "an error"
            run.problems.append(f"in-kernel run failed: {error} (nbgrader exited with code {autograde.returncode}); "
                                "its results are only compared, the scores come from the trusted checks")
        if "TimeoutError: `nbgrader autograde` ran longer than" in autograde.stderr:
            run.flags.append(f"the in-kernel run exceeded the submission time limit of "
                             f"{limits.submission_seconds:g} s and was stopped")
    _keep_only_the_notebook(course_dir / "autograded" / student / assignment, _notebook_name(course_dir, assignment))

    if received.readable:
        job = intake.make_job(spec, received, limits, rule_mode(course_dir))
        job["grading_key"] = grading_key(course_dir, assignment, student,
                                         hashlib.sha256(submitted.read_bytes()).hexdigest())
        warm_sandbox.provide(limits)  # a new one if the in-kernel run left it unhealthy
        run.report = _trusted_check(job, limits)
        run.sandbox_problems.append(warm_sandbox.problem(limits))
    else:
        run.problems.append(received.reason)
        run.report = trusted.TrustedReport(cells=[trusted.CellResult(t["grade_id"], t["points"], False,
                                                                     f"not graded: {received.reason}")
                                                  for t in spec.test_cells])
    run.sandbox_problems = [problem for problem in run.sandbox_problems if problem]
    return run


def grade_student(course_dir: Path, assignment: str, student: str, feedback: bool = True,
                  limits: sandbox.Limits | None = None, kernel_template: Path | None = None) -> StudentResult:
    """Grade one student; never raises for a bad submission, never writes to ``submitted/``.

    1. nbgrader autograde runs the notebook's graded cells in a sandboxed kernel (its results are
       only compared);
    2. the trusted checks decide every score (:mod:`autograder.trusted`);
    3. only a verified run counts: when the warm sandbox is found unhealthy after the submission,
       its processes may have died for a reason that was not theirs, so the submission is graded
       again in a new sandbox (and flagged if it leaves that one unhealthy too);
    4. the trusted scores go into the gradebook, the feedback notebook shows the checks'
       messages (never hidden test code), and flags are recorded for the export.
    """
    course_dir = Path(course_dir).resolve()
    limits = limits or limits_from_env()
    result = StudentResult(student, assignment)
    started = time.perf_counter()
    spec = intake.read_source(next((course_dir / "source" / assignment).glob("*.ipynb")))
    notebook_name = _notebook_name(course_dir, assignment)
    submission_dir = course_dir / "submitted" / student / assignment
    submitted = submission_dir / notebook_name
    links = intake.special_files(submission_dir)
    if links:
        result.flags.append("symbolic links or special files in the submission (not followed; the notebook "
                            "was not executed): " + ", ".join(links))
    if submitted.is_symlink():
        received = intake.Intake(readable=False, reason="the submitted notebook is a symbolic link")
    elif submitted.is_file():
        received = intake.read_submission(submitted, spec)
        result.flags += intake.extra_file_flags(submission_dir, notebook_name)
    else:
        received = intake.Intake(readable=False, reason=f"no notebook named {notebook_name}")
    result.flags += received.flags

    def run_once() -> _Run:
        return _run_submission(course_dir, assignment, student, spec, received, submitted, not links, limits,
                               kernel_template)

    run = run_once()
    if run.sandbox_problems:  # not a verified run: grade it again from a new sandbox
        warm_sandbox.replace(limits)
        run = run_once()
        result.attempts = 2
        if run.sandbox_problems:
            warm_sandbox.replace(limits)
            run.flags.append("the submission's code left the grading sandbox unusable, twice (a new one was "
                             f"started for the next submission): {run.sandbox_problems[0]}")
    report = run.report
    hidden = [line for test in spec.test_cells for line in trusted.hidden_lines(test["source"])]
    result.problems += [trusted.redact_hidden(problem, hidden) for problem in run.problems]
    result.flags += [trusted.redact_hidden(flag, hidden) for flag in run.flags + report.flags]
    # a function withheld for its exercise rule passes in the kernel by design: its flag says why
    ruled_out = tuple(f"test_{v['function']}_" for v in report.violations)
    unconfirmed = sorted(c.grade_id for c in report.cells if not c.passed and run.in_kernel.get(c.grade_id)
                         and not (ruled_out and c.grade_id.startswith(ruled_out)))
    if unconfirmed:
        result.flags.append("in-kernel passes not confirmed by the trusted checks (scored 0): "
                            + ", ".join(unconfirmed))
    result.score, result.max_score = write_trusted_scores(course_dir, assignment, student, report.cells,
                                                          run.timestamp)
    result.graded = received.readable  # an unreadable notebook still gets its 0 row
    result.cells = report.cells
    if feedback:
        result.feedback = write_feedback(course_dir, assignment, student, spec, report, result, received,
                                         limits)
        if not result.feedback:
            result.problems.append("feedback could not be generated")
    result.seconds = time.perf_counter() - started
    return result


class GradingSetupError(RuntimeError):
    """Grading cannot start: nothing was graded (rather than giving a whole class 0)."""


def preflight(course_dir: Path, assignments: str | list[str], limits: sandbox.Limits | None = None) -> None:
    """Run the assignments' setup cells in one sandboxed process (each in a fresh namespace);
    raise :class:`GradingSetupError` if one fails.

    A broken installation (the sandbox cannot import the course package, a data file is
    missing) would otherwise fail every student alike, and grade the whole class 0.
    """
    limits = limits or limits_from_env()
    assignments = [assignments] if isinstance(assignments, str) else list(assignments)
    cells = []
    for assignment in assignments:
        spec = intake.read_source(next((Path(course_dir) / "source" / assignment).glob("*.ipynb")))
        cells.append((assignment, f"exec(compile({spec.setup!r}, 'setup', 'exec'), {{'__name__': '__main__'}})"))
    server = trusted.FunctionServer("", cells, [], limits)
    try:
        server.ensure_running()
        errors = list(server.cell_errors)
    except trusted.SandboxFailure as error:
        errors = [{"cell": assignments[0], "type": "SandboxFailure", "message": str(error)}]
    finally:
        server.close()
    if errors:
        detail = f"{errors[0].get('type')}: {errors[0].get('message', '')}"[:1000]
        isolation = "on" if sandbox.isolation_available() else "off"
        raise GradingSetupError(
            f"grading {errors[0].get('cell')} cannot start: the notebook's setup cell fails in the grading sandbox "
            f"(isolation {isolation}): {detail}. No student was graded. Check that the course package is "
            "installed in this environment (`make venv`) and that the sandbox can read it.")


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _unchanged(course_dir: Path, assignment: str, student: str, record: dict | None, submission: str,
               inputs: str, feedback: bool) -> bool:
    if not record or record.get("submission") != submission or record.get("inputs") != inputs:
        return False
    if feedback and not any((Path(course_dir) / "feedback" / student / assignment).glob("*.html")):
        return False
    return True


def grade_student_safely(course_dir: Path, assignment: str, student: str, feedback: bool = True,
                         limits: sandbox.Limits | None = None, kernel_template: Path | None = None) -> StudentResult:
    """:func:`grade_student`, turning a failure of the grader itself into a 0 row with the reason
    (a submission must never stop the class)."""
    try:
        return grade_student(course_dir, assignment, student, feedback, limits, kernel_template)
    except Exception as error:  # noqa: BLE001 - reported in the table and the records
        reason = f"grading failed: {type(error).__name__}: {error}".encode("utf-8", "replace").decode()[:500]
        result = StudentResult(student, assignment, problems=[reason])
        with contextlib.suppress(Exception):
            result.score, result.max_score = write_trusted_scores(course_dir, assignment, student, [])
        return result


def grade_assignment(course_dir: Path, assignment: str, students: list[str] | None = None,
                     feedback: bool = True, progress: bool = True, workers: int | None = None,
                     force: bool = False) -> list[StudentResult]:
    """Grade ``students`` (default: every submitter) of ``assignment``; see :func:`grade_class`."""
    return grade_class(course_dir, {assignment: students}, feedback, progress, workers, force)


def _warm_up() -> None:
    """Start this worker's fork server and warm sandbox (their imports overlap the parent's
    preparation)."""
    if forkserver.enabled():
        with contextlib.suppress(RuntimeError, OSError):
            forkserver.server().warm()
    with contextlib.suppress(OSError):
        warm_sandbox.provide(limits_from_env())


def grade_class(course_dir: Path, submissions: dict[str, list[str] | None], feedback: bool = True,
                progress: bool = True, workers: int | None = None, force: bool = False) -> list[StudentResult]:
    """Grade several assignments at once; ``submissions`` maps each assignment to the students to
    grade (None: every submitter). One result per submission, by assignment and student.

    ``workers`` processes grade at once (default: the number of cores), across assignments, so
    one student's whole set is spread over the cores too. A submission whose record matches its
    current files and the current source and checks is not regraded unless ``force``; its
    result comes from the record (``skipped``). Ctrl-C stops the run: finished submissions keep
    their records and scores, the rest are graded by the next run.
    """
    course_dir = Path(course_dir).resolve()
    for assignment in submissions:
        if not (course_dir / "source" / assignment).is_dir():
            raise ValueError(f"no assignment {assignment!r} under {course_dir / 'source'}")
    workers = max(1, workers or default_workers())
    records = read_records(course_dir)
    results, todo, inputs, digests = [], [], {}, {}
    for assignment, chosen in submissions.items():
        inputs[assignment] = grading_inputs_digest(course_dir, assignment)
        done = records.get(assignment, {})
        for student in chosen if chosen is not None else submitted_students(course_dir, assignment):
            submission = submission_digest(course_dir / "submitted" / student / assignment)
            if not force and _unchanged(course_dir, assignment, student, done.get(student), submission,
                                        inputs[assignment], feedback):
                results.append(result_from_record(assignment, student, done[student]))
            else:
                todo.append((assignment, student))
                digests[assignment, student] = submission
    order = {assignment: n for n, assignment in enumerate(submissions)}

    def ordered(items: list[StudentResult]) -> list[StudentResult]:
        return sorted(items, key=lambda r: (order[r.assignment], r.student))

    if not todo:
        return ordered(results)
    workers = min(workers, len(todo))
    if forkserver.enabled():  # this process registers the assignments: its nbgrader imports start now
        with contextlib.suppress(RuntimeError, OSError):
            forkserver.server().ensure_started()
    context = multiprocessing.get_context("spawn")  # fresh workers: the parent holds threads (tqdm), databases
    pool = (concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up)
            if workers > 1 else None)
    staging = tempfile.TemporaryDirectory(prefix="course-gradebook-")
    try:
        pending = sorted({assignment for assignment, _ in todo}, key=order.get)
        # before anything is written: a broken setup grades nobody (in a worker, whose warm
        # sandbox then has the imports done; the other workers warm up meanwhile)
        if pool is not None:
            checked = pool.submit(preflight, course_dir, pending)
            for _ in range(workers - 1):
                pool.submit(int)
            staged = stage_new_gradebook(course_dir, Path(staging.name))  # meanwhile
            checked.result()
        else:
            _warm_up()
            staged = stage_new_gradebook(course_dir, Path(staging.name))
            preflight(course_dir, pending)
        ensure_students(course_dir, sorted({student for _, student in todo}), staged)
        skipped = len(results)
        bar = tqdm(total=len(todo), desc="grading", unit="submission", disable=not progress,
                   bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]")
        failures = 0
        full_marks: dict[str, float] = {}
        observed: dict[str, list[float]] = {}  # seconds per submission, in this run

        def estimate(assignment: str, student: str) -> float:
            return _expected_seconds(records, assignment, student, observed)

        def finish(result: StudentResult) -> None:
            nonlocal failures
            if result.graded:
                observed.setdefault(result.assignment, []).append(result.seconds)
            result.max_score = result.max_score or full_marks[result.assignment]
            write_record(course_dir, result, digests[result.assignment, result.student], inputs[result.assignment])
            results.append(result)
            failures += not result.graded
            bar.set_postfix(failures=failures, skipped=skipped, refresh=False)
            bar.update(1)

        with tempfile.TemporaryDirectory(prefix="course-grading-") as scratch:
            def prepare(assignment: str) -> Path:
                """Register ``assignment`` (while the workers grade others) and make the template
                of its in-kernel gradebook."""
                ensure_registered(course_dir, assignment, registration_digest(course_dir, assignment,
                                                                              inputs[assignment]))
                full_marks[assignment] = max_score(course_dir, assignment)
                folder = Path(scratch) / assignment
                folder.mkdir()
                return kernel_gradebook(course_dir, assignment, sorted({s for a, s in todo if a == assignment}),
                                        folder)

            jobs = list(todo)
            try:
                if pool is None:
                    templates: dict[str, Path] = {}
                    while jobs:
                        assignment, student = _pop_longest(jobs, estimate)
                        if assignment not in templates:
                            templates[assignment] = prepare(assignment)
                        finish(grade_student_safely(course_dir, assignment, student, feedback, None,
                                                    templates[assignment]))
                else:
                    _grade_in_parallel(pool, workers, course_dir, jobs, prepare, feedback, finish, estimate)
            finally:
                bar.close()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        staging.cleanup()
    return ordered(results)


def _expected_seconds(records: dict, assignment: str, student: str,
                      observed: dict[str, list[float]] | None = None) -> float:
    """How long a submission should take: its last grading in the records, else the mean of its
    assignment there, else the mean of its assignment's submissions graded so far in this run;
    unknown counts as long (so each assignment is timed early)."""
    done = records.get(assignment, {})
    if student in done:
        return float(done[student].get("seconds", 0.0))
    seconds = [float(r.get("seconds", 0.0)) for r in done.values()] or (observed or {}).get(assignment, [])
    return sum(seconds) / len(seconds) if seconds else float("inf")


def _pop_longest(jobs: list[tuple[str, str]], estimate) -> tuple[str, str]:
    """Remove and return the job expected to take longest (the first such): longest first, so
    that the short ones fill the end and no worker is left alone with a long one."""
    job = max(jobs, key=lambda job: estimate(*job))
    jobs.remove(job)
    return job


def _grade_in_parallel(pool: concurrent.futures.ProcessPoolExecutor, workers: int, course_dir: Path,
                       jobs: list[tuple[str, str]], prepare, feedback: bool, finish,
                       estimate=None, grade=None) -> None:
    """Grade ``jobs`` (assignment, student), longest first by ``estimate(assignment, student)``
    (else in their order), in the worker ``pool`` with ``grade`` (:func:`grade_student_safely`);
    ``finish`` runs here, in order of completion.

    An assignment's jobs are handed out once ``prepare(assignment)`` (registration: the kernel
    gradebook's template) has run here. It runs while the workers grade: one job more than the
    workers is kept queued, and the next assignment is prepared while waiting.
    """
    grade = grade or grade_student_safely
    estimate = estimate or (lambda assignment, student: 0.0)
    queue = list(jobs)
    templates: dict[str, Path] = {}
    running: dict[concurrent.futures.Future, tuple[str, str]] = {}
    failed: list[Exception] = []

    def ready(assignment: str) -> bool:
        if assignment not in templates and not failed:
            try:
                templates[assignment] = prepare(assignment)
            except Exception as error:  # noqa: BLE001 - raised once the running jobs are recorded
                failed.append(error)
                queue.clear()
        return assignment in templates

    try:
        while queue or running:
            while queue and len(running) <= workers:
                assignment, student = _pop_longest(queue, estimate)
                if not ready(assignment):
                    break
                future = pool.submit(grade, course_dir, assignment, student, feedback, None, templates[assignment])
                running[future] = (assignment, student)
            upcoming = next((a for a, _ in sorted(queue, key=lambda job: -estimate(*job)) if a not in templates), None)
            if upcoming is not None and running:
                ready(upcoming)
                done = [future for future in running if future.done()]
            elif running:
                done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            else:
                done = []
            for future in done:
                assignment, student = running.pop(future)
                try:
                    result = future.result()
                except concurrent.futures.process.BrokenProcessPool:
                    raise
                except Exception as error:  # noqa: BLE001 - a grading bug must not stop the class
                    result = StudentResult(student, assignment, problems=[f"grading failed: {error!r}"])
                finish(result)
    except BaseException:  # Ctrl-C: let each worker stop its nbgrader and sandbox, then wait
        for future in running:
            future.cancel()
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGINT)
        raise
    if failed:
        raise failed[0]


def export_grades(course_dir: Path, to: Path | None = None) -> Path:
    """nbgrader's grades CSV (every student x assignment), plus a ``flags`` column."""
    course_dir = Path(course_dir).resolve()
    to = Path(to) if to else course_dir / "grades.csv"
    nbgrader("export", f"--to={to}", db_flag(db_url(course_dir)), course_dir=course_dir)
    flags = read_flags(course_dir)
    with open(to, newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0].keys()) if rows else ["assignment", "student_id", "score", "max_score"]
    with open(to, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields + ["flags"])
        writer.writeheader()
        for row in rows:
            row["flags"] = "; ".join(flags.get(row.get("assignment", ""), {}).get(row.get("student_id", ""), []))
            writer.writerow(row)
    return to


def flag_summary(results: list[StudentResult]) -> str:
    """The flagged submissions and why, for the end of a grading run."""
    flagged = [r for r in results if r.flags]
    if not flagged:
        return "No submission was flagged."
    lines = [f"{len(flagged)} flagged submission(s):"]
    for r in flagged:
        lines.append(f"  {r.assignment} / {r.student} ({r.score:g} / {r.max_score:g}):")
        lines += [f"    - {flag}" for flag in r.flags]
    return "\n".join(lines)


def format_table(results: list[StudentResult]) -> str:
    """A plain-text grade table (columns sized to the longest assignment and student names)."""
    a = max([len("assignment")] + [len(r.assignment) for r in results])
    w = max([len("student")] + [len(r.student) for r in results])
    header = f"{'assignment':<{a}} {'student':<{w}} {'score':>7} {'max':>5}  {'status':<11} {'time':>6}"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.assignment:<{a}} {r.student:<{w}} {r.score:>7.1f} {r.max_score:>5.0f}  "
                     f"{r.status:<11} {r.seconds:>5.1f}s")
        for problem in r.problems:
            lines.append("    ! " + problem.replace("\n", "\n      "))
        if r.flags:
            lines.append(f"    flagged: {len(r.flags)} reason(s), see the summary")
    return "\n".join(lines)
