"""Install the course's JupyterHub on this machine (run as root; only the standard library).

    python3.11 deploy/jupyterhub/install.py --demo            # what `make hub` runs

What it sets up, each step idempotent (a second run only redoes what changed):

- ``PREFIX/env``: the course environment for every user's server (a venv from requirements.txt
  and constraints.txt, with this checkout's ``course`` and ``autograder`` packages installed as a
  wheel, not as a link to the checkout: students must not be able to read ``source/``);
- ``PREFIX/proxy``: configurable-http-proxy from npm (``npm ci`` of package-lock.json);
- ``PREFIX/jupyterhub_config.py``, ``PREFIX/seal_submissions.py`` and ``PREFIX/hub.json`` (the
  settings the configuration reads), root-owned; ``PREFIX/state`` (0700) holds the hub's database
  and cookie secret;
- ``PREFIX/config/common`` (nbgrader: the exchange and the course id, for every user) and
  ``PREFIX/config/student`` (students only: the instructor's panels disabled and locked, the
  formgrader's server extension off);
- the exchange (``--exchange``, root-owned, mode 1777 as nbgrader documents) with the course's
  folder already owned by the instructor, so no student can take the course id first;
- the Unix users (homes 0700) with their passwords, and the instructor's course folder
  ``~instructor/<course_id>/`` (``source/``, ``release/``, ``nbgrader_config.py``; mode 0700)
  with ``~/.jupyter/nbgrader_config.py`` pointing nbgrader at it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_PREFIX = Path("/srv/course-hub")
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_COURSE_ID = "ml-regularization"
# the instructor's JupyterLab panels a student's installation turns off and locks (README, "Students")
INSTRUCTOR_LAB_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                          "@jupyter/nbgrader:course-list"]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
PACKAGE_FILES = ["pyproject.toml", "requirements.txt", "course", "autograder"]
PIP = ["--disable-pip-version-check", "--no-input", "--quiet"]


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for top in paths:
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*")
                                                   if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            digest.update(str(path.relative_to(REPO)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _step_done(stamp: Path, digest: str) -> bool:
    return stamp.exists() and stamp.read_text() == digest


def usable_by_everyone(path: Path) -> bool:
    """Whether every user may run ``path`` (a Python under /root, pyenv's, would fail in their servers)."""
    target = path.resolve()
    if not target.exists() or not target.stat().st_mode & stat.S_IXOTH:
        return False
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in target.parents)


def base_python(requested: str) -> str:
    """The Python 3.11 the environment's venv is made from: ``requested`` if every user may run it."""
    for candidate in (requested, "/usr/bin/python3.11"):
        found = shutil.which(candidate)
        if found and usable_by_everyone(Path(found)):
            return found
    sys.exit(f"no Python 3.11 that every user may run ({requested} is not): apt-get install python3.11-venv")


def install_environment(env: Path, python: str) -> None:
    """The course environment: every pinned package, then this checkout's packages as a wheel."""
    pins = _digest([REPO / "requirements.txt", REPO / "constraints.txt"])
    stamp = env / ".course-pins"
    interpreter = env / "bin" / "python"
    if interpreter.exists() and not usable_by_everyone(interpreter):
        print(f"[hub] {env} was made from a Python the users cannot run: making it again", flush=True)
        subprocess.run([base_python(python), "-m", "venv", "--clear", str(env)], check=True)
        stamp.unlink(missing_ok=True)
    if not _step_done(stamp, pins):
        print(f"[hub] installing the course environment into {env} (a few minutes the first time)", flush=True)
        if not (env / "bin" / "python").exists():
            subprocess.run([base_python(python), "-m", "venv", str(env)], check=True)
        subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", *PIP, "-r", str(REPO / "requirements.txt"),
                        "-c", str(REPO / "constraints.txt")], check=True)
        stamp.write_text(pins)
    package = _digest([REPO / name for name in PACKAGE_FILES])
    package_stamp = env / ".course-package"
    if not _step_done(package_stamp, package):
        print("[hub] installing the course package (course, autograder) into the environment", flush=True)
        # built from a copy: the checkout gets no build/ folder, and the environment no link back to it
        build = Path(subprocess.run(["mktemp", "-d"], capture_output=True, text=True, check=True).stdout.strip())
        try:
            for name in [*PACKAGE_FILES, "README.md"]:
                source = REPO / name
                if source.is_dir():
                    shutil.copytree(source, build / name, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(source, build / name)
            subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", *PIP, "--no-deps",
                            "--force-reinstall", str(build)], check=True)
        finally:
            shutil.rmtree(build, ignore_errors=True)
        package_stamp.write_text(package)


def install_proxy(proxy: Path) -> Path:
    """configurable-http-proxy, pinned by package-lock.json, installed with Debian's Node."""
    lock = _digest([HERE / "package.json", HERE / "package-lock.json"])
    stamp = proxy / ".course-lock"
    executable = proxy / "node_modules" / ".bin" / "configurable-http-proxy"
    if not (_step_done(stamp, lock) and executable.exists()):
        if shutil.which("npm") is None:
            sys.exit("npm is missing: apt-get install nodejs npm (Debian's Node runs the proxy)")
        print(f"[hub] installing configurable-http-proxy into {proxy}", flush=True)
        proxy.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, proxy / name)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=proxy, check=True)
        stamp.write_text(lock)
    return executable


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def write_jupyter_config(prefix: Path, exchange: Path, course_id: str) -> None:
    common = prefix / "config" / "common"
    _write(common / "nbgrader_config.py",
           '"""nbgrader for every user of the course\'s hub (written by deploy/jupyterhub/install.py)."""\n'
           "c = get_config()  # noqa: F821\n"
           f"c.Exchange.root = {str(exchange)!r}\n"
           f"c.CourseDirectory.course_id = {course_id!r}\n")
    student = prefix / "config" / "student"
    locked = {name: True for name in INSTRUCTOR_LAB_PLUGINS}
    _write(student / "labconfig" / "page_config.json",
           json.dumps({"disabledExtensions": locked, "lockedExtensions": locked}, indent=2) + "\n")
    extensions_off = {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}
    _write(student / "jupyter_server_config.json",
           json.dumps({"ServerApp": {"jpserver_extensions": extensions_off}}, indent=2) + "\n")


def prepare_exchange(exchange: Path, course_id: str, instructor: str) -> None:
    """nbgrader's filesystem exchange: the root world-writable (sticky), the course's folder the instructor's."""
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    exchange.chmod(0o777 | stat.S_ISVTX)
    user = pwd.getpwnam(instructor)
    course = exchange / course_id
    course.mkdir(exist_ok=True)
    os.chown(course, user.pw_uid, user.pw_gid)
    course.chmod(0o755)


def ensure_user(name: str, password: str | None) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name], check=True)
    home = Path(pwd.getpwnam(name).pw_dir)
    home.chmod(0o700)  # no user reads another's work
    if password is not None:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)


def _chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    os.chown(path, user.pw_uid, user.pw_gid)
    for child in path.rglob("*"):
        os.lchown(child, user.pw_uid, user.pw_gid)


def prepare_instructor(name: str, course_id: str, exchange: Path) -> Path:
    """The instructor's course folder (a copy of source/, release/, nbgrader_config.py) and nbgrader config."""
    user = pwd.getpwnam(name)
    home = Path(user.pw_dir)
    course = home / course_id
    if not course.exists():  # never overwrite a class's gradebook or submissions
        course.mkdir(mode=0o700)
        for folder in ("source", "release"):
            shutil.copytree(REPO / folder, course / folder)
        shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    course.chmod(0o700)
    _write(home / ".jupyter" / "nbgrader_config.py",
           '"""The instructor\'s nbgrader (written by deploy/jupyterhub/install.py)."""\n'
           "c = get_config()  # noqa: F821\n"
           f"c.CourseDirectory.root = {str(course)!r}\n"
           f"c.CourseDirectory.course_id = {course_id!r}\n"
           f"c.Exchange.root = {str(exchange)!r}\n")
    _chown_tree(home / ".jupyter", user)
    _chown_tree(course, user)
    return course


def demo_passwords(state: Path, users: list[str]) -> dict[str, str]:
    """Random passwords for the demo users, kept (root-only) so that a second `make hub` prints the same."""
    path = state / "demo-passwords.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    passwords = {user: known.get(user) or secrets.token_hex(6) for user in users}
    _write(path, json.dumps(passwords, indent=2) + "\n", 0o600)
    return passwords


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX)
    parser.add_argument("--env", type=Path, help="the course environment (default PREFIX/env; shareable between hubs)")
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE)
    parser.add_argument("--course-id", default=DEFAULT_COURSE_ID)
    parser.add_argument("--instructor", default="instructor")
    parser.add_argument("--students", default="student-a,student-b", help="comma-separated Unix user names")
    parser.add_argument("--port", type=int, default=8000, help="the hub's public port (on 127.0.0.1)")
    parser.add_argument("--internal-ports", type=int, default=8081,
                        help="the hub's API port; the proxy's API port is the next one")
    parser.add_argument("--demo", action="store_true", help="set random passwords for the users and print them")
    parser.add_argument("--password-file", type=Path,
                        help="JSON {user: password} to set (the test's); without it or --demo, passwords stay")
    parser.add_argument("--fast", action="store_true", help="COURSE_FAST=1 in every server (small experiments; tests)")
    parser.add_argument("--python", default=sys.executable, help="the Python that creates the environment's venv")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        sys.exit("the hub's installation needs root (it creates Unix users and a root-owned exchange)")

    prefix = args.prefix.resolve()
    env = (args.env or prefix / "env").resolve()
    students = [s for s in args.students.split(",") if s]
    users = [args.instructor, *students]
    state = prefix / "state"
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    prefix.chmod(0o755)

    install_environment(env, args.python)
    proxy = install_proxy(prefix / "proxy")
    passwords: dict[str, str | None] = dict.fromkeys(users)
    if args.password_file:
        passwords.update(json.loads(args.password_file.read_text()))
    elif args.demo:
        passwords.update(demo_passwords(state, users))
    for user in users:
        ensure_user(user, passwords[user])
    prepare_exchange(args.exchange.resolve(), args.course_id, args.instructor)
    course = prepare_instructor(args.instructor, args.course_id, args.exchange.resolve())
    write_jupyter_config(prefix, args.exchange.resolve(), args.course_id)
    for name in ("jupyterhub_config.py", "seal_submissions.py"):
        shutil.copy(HERE / name, prefix / name)
        (prefix / name).chmod(0o644)
    settings = {
        "ip": "127.0.0.1", "port": args.port, "hub_port": args.internal_ports,
        "proxy_api_port": args.internal_ports + 1, "proxy": str(proxy), "env": str(env), "state": str(state),
        "config": str(prefix / "config"), "exchange": str(args.exchange.resolve()), "course_id": args.course_id,
        "instructors": [args.instructor], "students": students, "fast": args.fast,
    }
    _write(prefix / "hub.json", json.dumps(settings, indent=2) + "\n")

    print(f"[hub] ready: {env / 'bin' / 'jupyterhub'} -f {prefix / 'jupyterhub_config.py'}")
    print(f"[hub] the instructor's course folder: {course}")
    print(f"[hub] log in at http://127.0.0.1:{args.port}/ as:")
    for user in users:
        role = "instructor" if user == args.instructor else "student"
        shown = passwords[user] if args.demo and passwords[user] else "(password unchanged)"
        print(f"        {user:<20} password {shown:<24} ({role})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
