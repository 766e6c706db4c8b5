"""nbgrader's own in-kernel run of one submission, in the sandboxed kernel, on a private copy of
the gradebook. Its results are only compared with the trusted checks (they decide every score).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from autograder.isolation import sandbox, warm_sandbox
from autograder.isolation.capped_execute import autograde_preprocessor_flags
from autograder.isolation.sandboxed_kernel import KERNEL_NAME, install_kernelspec
from autograder.pipeline.gradebook import add_students, copy_sqlite, db_url, sqlite_path
from autograder.pipeline.nbgrader_run import NbgraderRun, db_flag, nbgrader
from autograder.pipeline.release import generate_release


@dataclass
class InKernelRun:
    """What nbgrader's in-kernel run of one submission gave."""

    passed: dict[str, bool] = field(default_factory=dict)  # grade_id -> whether the test cell passed
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def kernel_gradebook(course_dir: Path, assignment: str, students: list[str], folder: Path) -> Path:
    """A private SQLite gradebook for nbgrader's in-kernel runs, with the assignment and students.

    The in-kernel scores are only compared with the trusted ones; writing them to a copy keeps
    them out of the real gradebook, which then only ever holds trusted scores (even after an
    interrupted run), and keeps concurrent nbgrader processes off it.
    """
    path = Path(folder) / "kernel-gradebook.db"
    main = sqlite_path(db_url(course_dir))
    if main is not None and main.exists():
        copy_sqlite(main, path)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            generate_release(course_dir, [assignment], release_dir=Path(scratch), with_db=True,
                             extra_args=[db_flag(f"sqlite:///{path}")])
    add_students(f"sqlite:///{path}", students)
    return path


def _sandboxed_autograde(course_dir: Path, assignment: str, student: str, limits: sandbox.Limits,
                         gradebook_copy: Path) -> NbgraderRun:
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
                        f"--CourseDirectory.root={course_dir}",
                        f"--Execute.kernel_name={KERNEL_NAME}", "--KernelManager.transport=ipc",
                        f"--KernelManager.ip={runtime / kernel}",
                        f"--KernelManager.connection_file={runtime / (kernel + '.json')}",
                        f"--Execute.timeout={int(limits.cell_seconds)}",
                        "--Execute.store_widget_state=False",  # else kernel-sent widget state piles up
                        *autograde_preprocessor_flags(limits.output_bytes),
                        course_dir=course_dir, check=False, env=env,
                        timeout=limits.submission_seconds, cgroup_procs=tasks.join_file(),
                        memory_bytes=limits.memory_bytes)


def _in_kernel_results(gradebook_copy: Path, assignment: str, student: str) -> dict[str, bool]:
    """grade_id -> whether nbgrader's in-kernel run passed the test cell."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{gradebook_copy}") as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {}
        return {grade.name: bool(grade.auto_score is not None and grade.max_score
                                 and grade.auto_score >= grade.max_score)
                for notebook in submission.notebooks for grade in notebook.grades
                if grade.cell.cell_type == "code"}


def run_in_kernel(course_dir: Path, assignment: str, student: str, limits: sandbox.Limits,
                  gradebook: Path) -> InKernelRun:
    """nbgrader autograde of one submission in the sandboxed kernel (forked by this process's warm
    sandbox where there is one), writing to ``gradebook`` (a private SQLite copy that holds the
    assignment and the student: see :func:`kernel_gradebook`)."""
    run = InKernelRun()
    warm_sandbox.provide(limits)  # this process's warm sandbox: it forks the kernel and the function server
    autograde = _sandboxed_autograde(course_dir, assignment, student, limits, gradebook)
    run.passed = _in_kernel_results(gradebook, assignment, student)
    if autograde.returncode != 0:
        # the exception's class name and exit code only: nbgrader's error text may carry what the
        # kernel sent (hidden tests)
        error = "TimeoutError" if autograde.timed_out else autograde.error_name()
        run.problems.append(f"in-kernel run failed: {error} (nbgrader exited with code {autograde.returncode}); "
                            "its results are only compared, the scores come from the trusted checks")
    if autograde.timed_out:
        run.flags.append(f"the in-kernel run exceeded the submission time limit of "
                         f"{limits.submission_seconds:g} s and was stopped")
    return run
