"""The sandbox runs the grader's own code (issue 17, requirement 4).

Every Python process the grader starts (the fresh sandboxed function server, the warm sandbox's
zygote and the function servers and kernels it forks, the kernel launcher and its fresh sandboxed
kernel, the fork server and the fresh processes that replace it) must import exactly the ``course``
and ``autograder`` files the grader itself imported: not those of the checkout an editable install
points at, nor a regular install of another version, nor packages in its working folder (a course
directory, or a notebook's folder, which holds the student's files).

Each case starts a real grader process (``tests/sandbox_import_probe.py``) in such an environment;
it starts every kind of process and reports which files each imported, by path and by a token the
test writes into each copy of the packages. Each case first checks that a plain ``python`` there
finds other files (else it would prove nothing).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import REFERENCE, sample_notebooks
from autograder.isolation import launch, sandbox, warm_sandbox, wire
from autograder.scoring import function_client
from tests.paths import REPO, SANDBOX_IMPORT_PROBE
from tests.sandbox_import_probe import REPORT

pytestmark = pytest.mark.grading  # each case starts real sandboxes and kernels

LIMITS_ENV = {"COURSE_CALL_SECONDS": "60", "COURSE_STARTUP_SECONDS": "180"}
ALL_STAGES = ("fresh function server", "fresh kernel", "warm function server", "warm kernel", "fork server",
              "fresh command")
QUICK_STAGES = ("fresh function server", "fresh kernel", "fresh command")  # no zygote, no fork server
MARKER = ('"""Written by the sandbox import test: which copy of the packages a process imported."""\n\n'
          "TOKEN = {token!r}\n" + REPORT.replace("{", "{{").replace("}", "}}") +
          '\n\nif __name__ == "__main__":\n    print(json.dumps(report()))\n')
PROJECT_FILES = ("pyproject.toml", "requirements.txt", "README.md")  # what `pip install` reads


def _copy_packages(root: Path, token: str) -> Path:
    """A copy of this checkout's packages (and what pip needs to install them) marked with ``token``."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("course", "autograder"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        (root / name / "checkout_marker.py").write_text(MARKER.format(token=token))
    for name in PROJECT_FILES:
        shutil.copy(REPO / name, root / name)
    return root


def _student_packages(folder: Path, tripwire: Path) -> Path:
    """``course`` and ``autograder`` packages of a student's, next to a notebook: importing either
    on the host writes to ``tripwire``."""
    for name in ("course", "autograder"):
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text(
            f"try:\n    open({str(tripwire)!r}, 'a').write(__file__ + '\\n')\nexcept OSError:\n    pass\n")
        (folder / name / "checkout_marker.py").write_text(MARKER.format(token="student"))
    return folder


def _plain_import(python: Path, cwd: Path) -> Path:
    """The folder a plain ``python`` started in ``cwd`` imports ``autograder`` from."""
    run = subprocess.run([str(python), "-c", "import autograder; print(autograder.__file__)"], cwd=cwd,
                         env=_env(), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return Path(run.stdout.strip()).resolve().parent


def _env() -> dict[str, str]:
    """This environment, without what would choose the packages or the sandbox for the grader."""
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", warm_sandbox.ENV_VAR, "COURSE_FORKSERVER", "JUPYTER_PATH")}


def _probe(python: Path, cwd: Path, children_cwd: Path, kernel_cwd: Path, stages=ALL_STAGES) -> dict:
    """What each process a grader started in ``cwd`` imported. Its function servers also report which
    of these they can see: the rest of the grader's checkout and of this one, ``children_cwd``."""
    hidden = [cwd / "pyproject.toml", REPO / "source", REPO / "pyproject.toml", children_cwd]
    config = {"env": LIMITS_ENV, "children_cwd": str(children_cwd), "kernel_cwd": str(kernel_cwd),
              "stages": list(stages), "hidden": [str(path) for path in hidden if path.exists()]}
    run = subprocess.run([str(python), "-c", SANDBOX_IMPORT_PROBE.read_text(), json.dumps(config)], cwd=cwd, env=_env(),
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-5000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _assert_every_process_imports(results: dict, folder: Path, token: str, stages=ALL_STAGES) -> None:
    """Every process of ``results`` imported the packages in ``folder`` (marked with ``token``)."""
    expected = {"autograder": folder / "autograder" / "__init__.py", "course": folder / "course" / "__init__.py",
                "tokens": [token, token]}

    def found(report: dict) -> dict:
        if "error" in report:
            return report
        return {"autograder": Path(report["autograder"]).resolve(), "course": Path(report["course"]).resolve(),
                "tokens": report["tokens"]}

    seen = {stage: results[stage]["seen"] for stage in ("fresh function server", "warm function server")
            if stage in results and results[stage].get("seen")}
    if sandbox.isolation_available():
        assert not seen, f"the sandbox could read more than the grader's packages: {seen}"

    assert found(results["grader"]) == expected, "the probe's grader did not import the packages meant"
    wanted = [s for s in stages if results["warm sandboxes"] or not s.startswith("warm")]
    if warm_sandbox.available():
        assert results["warm sandboxes"], "the grader found no warm sandbox where this process does"
    wrong = {stage: found(results[stage]) for stage in wanted if stage in results and found(results[stage]) != expected}
    assert not wrong, f"expected every process to import {expected}, these did not: {wrong}"
    assert not [s for s in wanted if s not in results], results


def test_editable_install_of_another_checkout(tmp_path):
    """Check that a grader run from a checkout other than the editable install's runs its own code everywhere."""
    checkout = _copy_packages(tmp_path / "checkout", "grader")
    elsewhere = (tmp_path / "elsewhere")
    elsewhere.mkdir()
    assert _plain_import(Path(sys.executable), elsewhere) != checkout / "autograder"
    results = _probe(Path(sys.executable), checkout, elsewhere, elsewhere)
    _assert_every_process_imports(results, checkout, "grader")


def _hard_link_tree(source: Path, target: Path) -> None:
    """``target`` as a copy of ``source`` made of hard links (a second Python environment in a second)."""
    run = subprocess.run(["cp", "-al", str(source), str(target)], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip(f"cannot hard-link {source} into {target.parent}: {run.stderr.strip()}")


def _site_packages(prefix: Path) -> Path:
    return prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def _course_venv_site_packages() -> Path:
    path = _site_packages(Path(sys.prefix))
    if not path.is_dir():
        pytest.skip(f"this environment's packages are not in {path}")
    return path


def _without_this_project(site_packages: Path) -> None:
    """Remove the project's own install (editable or not) from a linked copy of site-packages."""
    for path in site_packages.iterdir():
        if path.name.startswith(("__editable__", "ml_regularization_course")) or path.name in ("course", "autograder"):
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def _regular_install_venv(root: Path, project: Path) -> Path:
    """A new virtual environment with the course's dependencies (linked from this one) and a regular,
    non-editable ``pip install`` of ``project``; its Python."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site_packages = _site_packages(venv)
    site_packages.rmdir()
    _hard_link_tree(_course_venv_site_packages(), site_packages)
    _without_this_project(site_packages)
    python = venv / "bin" / "python"
    run = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                          "--no-index", "--disable-pip-version-check", str(project)],
                         cwd=root, env=_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return python


def test_regular_install(tmp_path):
    """Check that a regular (site-packages) install is what every process imports when the grader runs
    from it, and that a grader run from a checkout runs the checkout's code everywhere, not the install's."""
    installed = _copy_packages(tmp_path / "installed-project", "installed")
    python = _regular_install_venv(tmp_path, installed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    site_packages = _site_packages(python.parent.parent)
    assert _plain_import(python, elsewhere) == site_packages / "autograder"
    assert not (site_packages / "autograder" / "__init__.py").is_symlink()
    results = _probe(python, elsewhere, elsewhere, elsewhere, QUICK_STAGES)
    _assert_every_process_imports(results, site_packages, "installed", QUICK_STAGES)

    checkout = _copy_packages(tmp_path / "checkout", "grader")
    results = _probe(python, checkout, elsewhere, elsewhere)
    _assert_every_process_imports(results, checkout, "grader")


def _conda_like_prefix(root: Path) -> Path:
    """A Python installation laid out as a conda environment is: a prefix of its own (not a virtual
    environment: no ``pyvenv.cfg``, ``sys.base_prefix == sys.prefix``) outside the system folders,
    holding the interpreter, ``libpython`` (found through ``$ORIGIN/../lib``), the standard library,
    ``site-packages`` (this environment's, linked, with its editable install) and ``conda-meta/``.
    Conda itself cannot be installed here (its packages come from channels this machine cannot
    reach), so the prefix is built from this Python's own files."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(sys.base_prefix)
    executable = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    stdlib = base / "lib" / version
    if not (stdlib / "os.py").exists() or not executable.is_relative_to(base):
        pytest.skip(f"the base Python ({base}) is not laid out as a prefix of its own")
    prefix = root / "conda-env"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "lib").mkdir()
    binary = executable.read_bytes()
    base_lib = str(base / "lib").encode() + b"\0"
    origin_lib = b"$ORIGIN/../lib"
    if base_lib in binary:  # the run path of libpython: the prefix's own, as conda's builds have it
        if len(origin_lib) >= len(base_lib):
            pytest.skip(f"cannot point {executable}'s library path at its own prefix")
        binary = binary.replace(base_lib, origin_lib.ljust(len(base_lib), b"\0"), 1)
    (prefix / "bin" / version).write_bytes(binary)
    (prefix / "bin" / version).chmod(0o755)
    for library in (base / "lib").glob("libpython*"):
        os.link(library, prefix / "lib" / library.name)
    _hard_link_tree(stdlib, prefix / "lib" / version)
    site_packages = _site_packages(prefix)
    shutil.rmtree(site_packages, ignore_errors=True)
    _hard_link_tree(_course_venv_site_packages(), site_packages)
    (prefix / "conda-meta").mkdir()
    (prefix / "conda-meta" / "history").write_text("==> 2025-01-01 00:00:00 <==\n# cmd: (laid out by a test)\n")
    python = prefix / "bin" / version
    check = "import sys, numpy, tensorflow; print(sys.prefix); print(sys.base_prefix)"
    run = subprocess.run([str(python), "-c", check],
                         cwd=root, env=_env(), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == [str(prefix), str(prefix)], run.stdout
    assert not (prefix / "pyvenv.cfg").exists()
    return python


def test_conda_environment(tmp_path):
    """Check that a grader in a conda-style environment (a Python prefix of its own, not a virtual
    environment) whose editable install names another checkout runs its own code everywhere."""
    python = _conda_like_prefix(tmp_path)
    checkout = _copy_packages(tmp_path / "checkout", "grader")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _plain_import(python, elsewhere) != checkout / "autograder"
    results = _probe(python, checkout, elsewhere, elsewhere)
    _assert_every_process_imports(results, checkout, "grader")


def test_course_dir_elsewhere_with_packages_of_its_own(tmp_path):
    """Check that neither a course directory's packages (nbgrader's commands run there) nor a
    student's next to the notebook (its kernel starts there) are imported by any process."""
    checkout = _copy_packages(tmp_path / "checkout", "grader")
    course_dir = _copy_packages(tmp_path / "course-dir", "course-dir")  # an older clone as the course folder
    tripwire = tmp_path / "tripwire.txt"
    notebook_folder = _student_packages(course_dir / "autograded" / "ada" / "02-validation", tripwire)
    assert _plain_import(Path(sys.executable), course_dir) == course_dir / "autograder"
    assert _plain_import(Path(sys.executable), notebook_folder) == notebook_folder / "autograder"
    assert tripwire.exists(), "the student's packages did not write to the tripwire when imported"
    tripwire.unlink()
    results = _probe(Path(sys.executable), checkout, course_dir, notebook_folder)
    # (the kernel launcher runs on the host, in the notebook's folder)
    assert not tripwire.exists(), f"the student's packages ran on the host: {tripwire.read_text()}"
    _assert_every_process_imports(results, checkout, "grader")


ASSIGNMENT = "01-ml-taxonomy"
DECOY = "demo-reference-with-packages"  # the reference answers, with packages named course and autograder


def test_grading_from_another_checkout_gives_the_reference_full_marks(tmp_path):
    """Check that `python -m autograder grade` run from a checkout other than the environment's own
    install grades the reference submission in full, with a course directory elsewhere; and that a
    student's packages next to the notebook never run on the host."""
    checkout = _copy_packages(tmp_path / "checkout", "grader")
    assert _plain_import(Path(sys.executable), tmp_path) != checkout / "autograder"
    course = tmp_path / "course-dir"
    copy_course(course, [ASSIGNMENT])
    tripwire = tmp_path / "tripwire.txt"
    for student in (REFERENCE, DECOY):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, notebook in sample_notebooks(ASSIGNMENT, REPO)[REFERENCE].items():
            nbformat.write(notebook, folder / name)
    _student_packages(course / "submitted" / DECOY / ASSIGNMENT, tripwire)
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT,
                          "--no-feedback", "--workers", "2"],  # the default on the course machines: spawned workers
                         cwd=checkout, env=_env(), capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    assert not tripwire.exists(), f"the student's packages ran on the host: {tripwire.read_text()}"
    assert "in-kernel run failed" not in run.stdout, run.stdout[-5000:]
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    for student in (REFERENCE, DECOY):
        assert float(rows[student]["score"]) == float(rows[student]["max_score"]) > 0, rows[student]
    assert "could not be loaded" not in rows[REFERENCE]["flags"], rows[REFERENCE]["flags"]


def test_a_warm_child_reads_the_grader_packages_under_tmp_read_only(monkeypatch):
    """Check that the grader's packages under /tmp, which a warm child's new /tmp would hide, are
    mounted again there, read-only (a module the zygote did not import is read from them)."""
    if not warm_sandbox.available():
        pytest.skip("warm sandboxes need bubblewrap and a grader running as root")
    limits = sandbox.Limits(call_seconds=60, startup_seconds=180)
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        checkout = _copy_packages(Path(folder) / "checkout", "grader")
        monkeypatch.setattr(launch, "package_folders", lambda: {name: checkout / name for name in launch.PACKAGES})
        monkeypatch.delenv(warm_sandbox.ENV_VAR, raising=False)
        owner = warm_sandbox.WarmSandbox(limits)
        owner.start()
        try:
            assert owner.healthy(), owner.problem()
            monkeypatch.setenv(warm_sandbox.ENV_VAR, owner.description())
            answer = ("def probe():\n    import os, autograder\n"
                      "    from autograder import checkout_marker  # not imported by the zygote\n"
                      "    read_only = os.statvfs(os.path.dirname(autograder.__file__)).f_flag & os.ST_RDONLY\n"
                      "    return [autograder.__file__, checkout_marker.TOKEN, read_only]\n")
            server = function_client.FunctionServer("", [("answer", answer)], ["probe"], limits)
            try:
                server.ensure_running()
                assert isinstance(server.process, warm_sandbox.WarmChild)
                reply = server.call("probe", (), {})
            finally:
                server.close()
        finally:
            owner.close()
    assert reply["ok"], reply
    assert wire.decode(reply["result"]) == [str(checkout / "autograder" / "__init__.py"), "grader", os.ST_RDONLY]
