"""The course on its JupyterHub: a class's round trip through nbgrader's exchange, in Chromium.

The hub of ``deploy/jupyterhub/`` is installed into a temporary prefix with three Unix users of
its own (an instructor and two students, created here and removed after), PAM logins, JupyterHub's
LocalProcessSpawner and configurable-http-proxy from npm, and nbgrader's filesystem exchange.
Then, as a class goes:

1. the instructor releases chapter 02 (``nbgrader release_assignment`` in their course folder);
2. student A logs in, fetches it in the Assignment List, implements one function, validates and
   submits; student B fetches it and submits it blank (all in the browser: no terminal);
3. the instructor sets a due date that A missed by an hour, collects (``nbgrader collect``), grades
   (``python -m autograder grade``; the course's late policy takes 10 % of A's score), sees both
   scores in the gradebook and the formgrader, and releases the feedback;
4. student A fetches the feedback in the Assignment List and reads it, late penalty included, in the browser.

Each step saves a screenshot ``tests/browser-screenshots/hub-*.png``. The permission tests that
follow check, as the students' own Unix users, what nbgrader's exchange and the hub let them do.
Skipped with the reason where the hub cannot run (not root, no Node/npm, no Chromium); with
``COURSE_REQUIRE_HUB=1`` (set by ``.ci/run``) that is a failure instead.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc

from autograder.pipeline.records import read_records
from autograder.scoring import intake
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, LAB_SETTINGS, browser_missing, wait_for_http
from tests.paths import BROWSER_SCREENSHOTS, REPO

pytestmark = pytest.mark.hub

INSTALLER = REPO / "deploy" / "jupyterhub" / "install.py"
# the course environment is shared with `make hub` (building it takes minutes; the pins decide it)
HUB_ENV = Path(os.environ.get("COURSE_HUB_ENV", "/srv/course-hub/env"))
SCREENSHOTS = BROWSER_SCREENSHOTS
CHAPTER = "02-validation"
EXERCISE = "holdout_split"
INSTRUCTOR, STUDENT_A, STUDENT_B = "hubtest-instructor", "hubtest-student-a", "hubtest-student-b"
USERS = (INSTRUCTOR, STUDENT_A, STUDENT_B)
COURSE_ID = "ml-regularization"
PAGE_TIMEOUT_MS = 180_000
EXPECT_TIMEOUT_MS = 60_000


def _hub_or_skip() -> None:
    reason = None
    if os.geteuid() != 0:
        reason = "the hub test needs root (it creates Unix users; make test-hub as root)"
    elif shutil.which("node") is None or shutil.which("npm") is None:
        reason = "no Node/npm for configurable-http-proxy (Debian: apt-get install nodejs npm)"
    elif shutil.which("useradd") is None or shutil.which("runuser") is None:
        reason = "no useradd/runuser to create and act as the hub's users"
    else:
        reason = browser_missing()
    if reason:
        if os.environ.get("COURSE_REQUIRE_HUB") == "1":
            pytest.fail(f"the hub test is required but cannot run: {reason}")
        pytest.skip(reason)


def _free_ports(count: int) -> list[int]:
    """``count`` consecutive free loopback ports (the hub's API and the proxy's API are adjacent)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            sockets = []
            for port in range(first, first + count):
                held = socket.socket()
                sockets.append(held)
                held.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for held in sockets:
                held.close()
        return list(range(first, first + count))
    raise RuntimeError("no free loopback ports")


def _kill_processes_of(user: str) -> None:
    """End what the hub started as this test's user (by process id)."""
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return
    for _ in range(3):
        pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)


def _owner(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


def _remove_users() -> None:
    for user in USERS:
        _kill_processes_of(user)
        subprocess.run(["userdel", "--remove", user], capture_output=True)
        subprocess.run(["groupdel", user], capture_output=True)


@dataclass(frozen=True)
class Hub:
    base: str
    prefix: Path
    exchange: Path
    course: Path  # the instructor's course folder
    passwords: dict[str, str]
    log: Path

    @property
    def inbound(self) -> Path:
        return self.exchange / COURSE_ID / "inbound"

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def run_as(self, user: str, *command: str, cwd: Path | None = None, timeout: float = 600):
        """A command as the user would type it in their hub terminal (their environment, no root)."""
        config = [self.prefix / "config" / "common"]
        if user != INSTRUCTOR:
            config.insert(0, self.prefix / "config" / "student")
        env = {"HOME": str(self.home(user)), "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
               "PATH": f"{HUB_ENV / 'bin'}:/usr/bin:/bin", "JUPYTER_CONFIG_PATH": ":".join(map(str, config)),
               "COURSE_FAST": "1"}
        return subprocess.run(["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
                               *command], cwd=cwd or self.home(user), capture_output=True, text=True,
                              timeout=timeout)

    def attempt(self, user: str, statement: str) -> str:
        """Run one Python statement as the user: "ok", or the name of the exception it raised."""
        code = f"import os, shutil\ntry:\n    {statement}\n    print('ok')\nexcept Exception as e:\n" \
               "    print(type(e).__name__)"
        run = self.run_as(user, "python", "-c", code, cwd=Path("/"))
        assert run.returncode == 0, run.stderr
        return run.stdout.strip().splitlines()[-1]


def _write_lab_settings(user: str) -> None:
    account = pwd.getpwnam(user)
    settings_dir = Path(account.pw_dir) / ".jupyter" / "lab" / "user-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    for path in [Path(account.pw_dir) / ".jupyter", *(Path(account.pw_dir) / ".jupyter").rglob("*")]:
        os.lchown(path, account.pw_uid, account.pw_gid)


@pytest.fixture(scope="module")
def hub():
    """The course's hub in a temporary prefix, with this test's users; everything removed after."""
    _hub_or_skip()
    _remove_users()  # a run that was killed may have left them
    prefix = Path(tempfile.mkdtemp(prefix="course-hub-test-"))
    prefix.chmod(0o755)
    exchange = prefix / "exchange"
    passwords = {user: secrets.token_urlsafe(12) for user in USERS}
    password_file = prefix / "passwords.json"
    password_file.write_text(json.dumps(passwords))
    password_file.chmod(0o600)
    port, hub_port, _proxy_api_port = _free_ports(3)
    log = prefix / "jupyterhub.log"
    process = None
    try:
        install = subprocess.run(
            [sys.executable, str(INSTALLER), "--prefix", str(prefix), "--env", str(HUB_ENV), "--exchange",
             str(exchange), "--course-id", COURSE_ID, "--instructor", INSTRUCTOR, "--students",
             f"{STUDENT_A},{STUDENT_B}", "--port", str(port), "--internal-ports", str(hub_port),
             "--password-file", str(password_file), "--fast", "--python", shutil.which("python3.11") or sys.executable],
            capture_output=True, text=True, timeout=1800)
        assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
        for user in USERS:
            _write_lab_settings(user)
        with open(log, "w") as out:
            hub_command = [str(HUB_ENV / "bin" / "jupyterhub"), "-f", str(prefix / "jupyterhub_config.py")]
            process = subprocess.Popen(hub_command,
                                       cwd=prefix / "state", stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/hub/health", process, log, "JupyterHub")
        yield Hub(base=base, prefix=prefix, exchange=exchange, course=Path(pwd.getpwnam(INSTRUCTOR).pw_dir) / COURSE_ID,
                  passwords=passwords, log=log)
    finally:
        if process is not None:
            process.terminate()  # the hub stops every user's server on its way out
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if log.exists():
            shutil.copy(log, SCREENSHOTS / "hub-jupyterhub.log") if SCREENSHOTS.is_dir() else None
        _remove_users()
        shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(hub):
    from playwright.sync_api import expect, sync_playwright

    # a loaded 2-core machine renders a 59-cell notebook in more than expect's default 5 s
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            expect.set_options(timeout=5_000)  # playwright's default, for the other browser tests


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"hub-{name}.png"))


def _log_in(browser, hub: Hub, user: str):
    """A fresh browser session of ``user``, logged in through the hub's PAM form, in JupyterLab."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{hub.base}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"), timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader")).to_be_visible()
    return page


def _open_assignment_list(page) -> None:
    from playwright.sync_api import expect

    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator("li[data-command='nbgrader:open-assignment-list']").click()
    expect(page.locator("#released_assignments_list")).to_be_attached()


def _rows(page, status: str, count: int):
    from playwright.sync_api import expect

    rows = page.locator(f"#{status}_assignments_list > .list_item")
    expect(rows).to_have_count(count)
    return rows


def _fetch(page) -> None:
    from playwright.sync_api import expect

    released = _rows(page, "released", 1)
    expect(released.first.locator(".item_name")).to_have_text(CHAPTER)
    expect(released.first.locator(".item_course")).to_have_text(COURSE_ID)
    released.first.locator(".item_status button").click()
    fetched = _rows(page, "fetched", 1)
    expect(fetched.first.locator(".item_name").first).to_have_text(CHAPTER)


def _submit(page) -> None:
    from playwright.sync_api import expect

    _rows(page, "fetched", 1).first.locator(".item_status button", has_text="Submit").click()
    submitted = _rows(page, "submitted", 1)
    expect(submitted.first.locator(".item_name").first).to_have_text(CHAPTER)


def _solution_code(grade_id: str) -> str:
    source = nbformat.read(next((REPO / "source" / CHAPTER).glob("*.ipynb")), as_version=4)
    cell = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(line for line in cell.source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def _points() -> float:
    spec = intake.read_source(next((REPO / "source" / CHAPTER).glob("*.ipynb")))
    return float(sum(cell["points"] for cell in spec.test_cells))


def _wait_sealed(hub: Hub, count: int, seconds: float = 60) -> list[Path]:
    """The inbound folders once the hub's seal service has made ``count`` of them root's."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sealed = [p for p in hub.inbound.iterdir() if p.lstat().st_uid == 0]
        if len(sealed) >= count:
            return sealed
        time.sleep(1)
    found = [(p.name, p.lstat().st_uid) for p in hub.inbound.iterdir()]
    raise AssertionError(f"{count} sealed submissions expected: {found}\n{hub.log.read_text()[-3000:]}")


def test_a_class_round_trip_through_the_exchange_in_the_browser(hub, browser):
    from playwright.sync_api import expect

    started = time.monotonic()
    notebook = next((REPO / "release" / CHAPTER).glob("*.ipynb")).name
    # 1. the instructor releases chapter 02 from their course folder
    release = hub.run_as(INSTRUCTOR, "nbgrader", "release_assignment", CHAPTER, cwd=hub.course)
    assert release.returncode == 0, release.stdout + release.stderr
    assert (hub.exchange / COURSE_ID / "outbound" / CHAPTER / notebook).is_file()

    # 2a. student A: log in, no instructor panels, fetch in the Assignment List
    page = _log_in(browser, hub, STUDENT_A)
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    expect(page.locator("li[data-command='nbgrader:open-assignment-list']")).to_be_visible()
    # the menu keeps a slot for each command; the student's are empty: the instructor's plugins are locked off
    for command in ("open-formgrader", "open-formgrader-local", "open-course-list"):
        expect(page.locator(f"li[data-command='nbgrader:{command}']")).to_be_hidden()
    page.keyboard.press("Escape")
    # and the formgrader's server extension is off in a student's server
    assert page.request.get(f"{hub.base}/user/{STUDENT_A}/formgrader").status == 404
    _shot(page, "01-student-a-logged-in")
    _open_assignment_list(page)
    _fetch(page)
    _shot(page, "02-student-a-fetched")

    # 2b. implement one function in the fetched notebook and validate (the other stubs still fail)
    page.goto(f"{hub.base}/user/{STUDENT_A}/lab/tree/{CHAPTER}/{notebook}")
    answer = page.locator(".jp-Notebook .jp-Cell").filter(
        has=page.locator(".jp-InputArea-editor", has_text=f"def {EXERCISE}(")).first
    expect(answer).to_contain_text("raise NotImplementedError")
    answer.locator(".jp-InputArea-editor .cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(_solution_code(EXERCISE))
    expect(answer.locator(".jp-InputArea-editor")).not_to_contain_text("NotImplementedError")
    page.locator("jp-button.validate-button, button.validate-button").first.click()
    dialog = page.locator(".nbgrader-ErrorDialog, .nbgrader-SuccessDialog")
    expect(dialog).to_be_visible(timeout=300_000)
    expect(dialog.locator(".validation-failed")).to_be_visible()
    expect(dialog).to_contain_text("k_fold_indices")
    expect(dialog).not_to_contain_text(f"{EXERCISE}(")  # hers passes now
    _shot(page, "03-student-a-validated")
    dialog.locator("button").last.click()
    saved = nbformat.read(hub.home(STUDENT_A) / CHAPTER / notebook, as_version=4)
    assert any(f"def {EXERCISE}(" in c.source and "NotImplementedError" not in c.source for c in saved.cells)

    # 2c. submit from the Assignment List
    _open_assignment_list(page)
    _submit(page)
    _shot(page, "04-student-a-submitted")

    # 2d. student B fetches and submits the notebook as released
    page_b = _log_in(browser, hub, STUDENT_B)
    _open_assignment_list(page_b)
    _fetch(page_b)
    _submit(page_b)
    _shot(page_b, "05-student-b-submitted-blank")
    page_b.context.close()

    # 3. the instructor sets a due date an hour before A's sealed time (the course's late policy: 10 % of
    # the score per started day), collects the sealed submissions and grades them with the course's grader
    sealed = _wait_sealed(hub, 2)
    assert sorted(p.name.split("+")[0] for p in sealed) == [STUDENT_A, STUDENT_B]
    sealed_a = next(p for p in sealed if p.name.startswith(STUDENT_A + "+"))
    submitted_at = parse_utc((sealed_a / "timestamp.txt").read_text().strip())
    due = (submitted_at - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    deadline = hub.run_as(INSTRUCTOR, "python", "-m", "autograder", "--course-dir", str(hub.course), "deadline",
                          CHAPTER, "--due", due, cwd=hub.course)
    assert deadline.returncode == 0, deadline.stdout + deadline.stderr
    collect = hub.run_as(INSTRUCTOR, "nbgrader", "collect", CHAPTER, cwd=hub.course)
    assert collect.returncode == 0, collect.stdout + collect.stderr
    for student in (STUDENT_A, STUDENT_B):
        assert (hub.course / "submitted" / student / CHAPTER / notebook).is_file()
    grade = hub.run_as(INSTRUCTOR, "python", "-m", "autograder", "--course-dir", str(hub.course), "grade", CHAPTER,
                       "--workers", "1", cwd=hub.course, timeout=900)
    assert grade.returncode == 0, grade.stdout[-3000:] + grade.stderr[-3000:]
    records = read_records(hub.course)[CHAPTER]
    score_a, score_b = records[STUDENT_A]["score"], records[STUDENT_B]["score"]
    assert 0 < score_a < _points(), f"student A implemented one of several functions: {score_a}"
    assert score_b == 0, f"student B submitted the release unchanged: {score_b}"
    passed = {c["grade_id"] for c in records[STUDENT_A]["cells"] if c["passed"]}
    assert any(EXERCISE in grade_id for grade_id in passed), passed
    assert records[STUDENT_A]["seconds_late"] == pytest.approx(3600, abs=1)
    assert records[STUDENT_A]["late_penalty"] == pytest.approx(0.1 * score_a)
    export = hub.run_as(INSTRUCTOR, "nbgrader", "export", "--to", "gradebook-export.csv", cwd=hub.course)
    assert export.returncode == 0, export.stdout + export.stderr
    with open(hub.course / "gradebook-export.csv", newline="") as exported:
        gradebook = {row["student_id"]: (float(row["raw_score"]), float(row["score"]))
                     for row in csv.DictReader(exported) if row["assignment"] == CHAPTER}
    assert gradebook == {STUDENT_A: pytest.approx((score_a, 0.9 * score_a)), STUDENT_B: (0.0, 0.0)}, gradebook

    # the instructor's formgrader lists both graded submissions. Under JupyterHub >= 4.1 a user's server
    # refuses to be framed (CSP frame-ancestors 'none'), so the formgrader opens in a browser tab of its own
    # (nbgrader's documented way), not in JupyterLab's iframe
    page_i = _log_in(browser, hub, INSTRUCTOR)
    page_i.goto(f"{hub.base}/user/{INSTRUCTOR}/formgrader/manage_submissions/{CHAPTER}")
    submissions = page_i.locator("table tbody tr")
    expect(submissions).to_have_count(2)
    expect(submissions.filter(has_text=STUDENT_A)).to_contain_text(f"{score_a:g} / {_points():g}")
    expect(submissions.filter(has_text=STUDENT_B)).to_contain_text(f"0 / {_points():g}")
    _shot(page_i, "06-instructor-formgrader-both-graded")
    page_i.context.close()

    release_feedback = hub.run_as(INSTRUCTOR, "nbgrader", "release_feedback", CHAPTER, cwd=hub.course)
    assert release_feedback.returncode == 0, release_feedback.stdout + release_feedback.stderr
    assert list((hub.exchange / COURSE_ID / "feedback").glob("*.html"))

    # 4. student A fetches the feedback in the Assignment List and reads it
    page.reload()
    _open_assignment_list(page)
    submitted = _rows(page, "submitted", 1)
    expect(submitted.first).to_contain_text("feedback available to fetch")
    submitted.first.locator(".item_status button", has_text="Fetch Feedback").click()
    view = page.locator("#submitted_assignments_list a", has_text="view feedback")
    expect(view).to_be_visible()
    _shot(page, "07-student-a-feedback-fetched")
    feedback = next((hub.home(STUDENT_A) / CHAPTER / "feedback").glob("*/*.html"))
    relative = feedback.relative_to(hub.home(STUDENT_A))
    page.goto(f"{hub.base}/user/{STUDENT_A}/files/{relative}")
    expect(page.locator("body")).to_contain_text(EXERCISE)
    expect(page.locator("body")).to_contain_text(f"Score: {round(0.9 * score_a, 2):g}")
    expect(page.locator("body")).to_contain_text(f"Late submission penalty (Score: -{round(0.1 * score_a, 2):g})")
    _shot(page, "08-student-a-reads-feedback")
    page.context.close()
    print(f"[hub e2e] the class round trip took {time.monotonic() - started:.0f} s")


# ---------------------------------------------------------------- permissions (requirement 4)
def _a_submission(hub: Hub, student: str) -> Path:
    """A sealed submission of ``student`` (the round trip's, or one made here with nbgrader's commands)."""
    mine = [p for p in hub.inbound.iterdir() if p.name.startswith(f"{student}+")] if hub.inbound.exists() else []
    if not mine:
        if not (hub.exchange / COURSE_ID / "outbound" / CHAPTER).exists():
            run = hub.run_as(INSTRUCTOR, "nbgrader", "release_assignment", CHAPTER, cwd=hub.course)
            assert run.returncode == 0, run.stderr
        for command in (["nbgrader", "fetch_assignment", CHAPTER], ["nbgrader", "submit", CHAPTER]):
            run = hub.run_as(student, *command)
            assert run.returncode == 0, run.stdout + run.stderr
    _wait_sealed(hub, 1)
    mine = [p for p in hub.inbound.iterdir() if p.name.startswith(f"{student}+") and p.lstat().st_uid == 0]
    assert mine
    return mine[0]


def test_a_student_cannot_read_another_students_submission_or_feedback(hub):
    submission = _a_submission(hub, STUDENT_A)
    notebook = next(submission.glob("*.ipynb"))
    assert hub.attempt(STUDENT_B, f"os.listdir({str(hub.inbound)!r})") == "PermissionError"
    assert hub.attempt(STUDENT_B, f"open({str(notebook)!r}).read()") == "PermissionError"
    assert hub.attempt(STUDENT_B, f"os.listdir({str(hub.exchange / COURSE_ID / 'feedback')!r})") in (
        "PermissionError", "FileNotFoundError")
    # everything A fetched, feedback included, stays in A's home
    assert hub.attempt(STUDENT_B, f"os.listdir({str(hub.home(STUDENT_A))!r})") == "PermissionError"
    # the instructor reads it (through the course's group), to collect
    assert hub.attempt(INSTRUCTOR, f"open({str(notebook)!r}).read()") == "ok"


def test_a_student_cannot_read_the_instructors_source_gradebook_or_secret(hub):
    for path in (hub.course / "source" / CHAPTER, hub.course / "gradebook.db", hub.course / ".grading_secret",
                 hub.course / "nbgrader_config.py"):
        assert hub.attempt(STUDENT_B, f"open({str(path)!r}).read()") == "PermissionError", path
    assert hub.attempt(STUDENT_B, f"os.listdir({str(hub.course)!r})") == "PermissionError"
    # nor through the course environment: the package is installed as a wheel, without source/
    assert not list(HUB_ENV.rglob("source/02-validation"))
    assert hub.attempt(STUDENT_B, "import course, autograder") == "ok"


def test_a_student_cannot_release_or_collect(hub):
    _a_submission(hub, STUDENT_A)
    outbound = hub.exchange / COURSE_ID / "outbound"
    before = sorted(p.name for p in outbound.iterdir()) if outbound.exists() else []
    assert hub.attempt(STUDENT_B, f"os.mkdir({str(outbound / 'forged')!r})") in ("PermissionError",
                                                                                   "FileNotFoundError")
    release = hub.run_as(STUDENT_B, "nbgrader", "release_assignment", CHAPTER, "--force")
    assert release.returncode != 0
    assert (sorted(p.name for p in outbound.iterdir()) if outbound.exists() else []) == before
    collect = hub.run_as(STUDENT_B, "nbgrader", "collect", CHAPTER)
    assert not (hub.home(STUDENT_B) / "submitted").exists() or not any((hub.home(STUDENT_B) / "submitted").iterdir()), \
        collect.stdout + collect.stderr


def test_a_submitted_file_cannot_change_without_a_new_timestamp(hub):
    submission = _a_submission(hub, STUDENT_A)
    notebook = next(submission.glob("*.ipynb"))
    original = notebook.read_bytes()
    assert hub.attempt(STUDENT_A, f"open({str(notebook)!r}, 'a').write('x')") == "PermissionError"
    assert hub.attempt(STUDENT_A, f"os.chmod({str(submission)!r}, 0o777)") == "PermissionError"
    assert hub.attempt(STUDENT_A, f"os.rename({str(submission)!r}, {str(submission) + 'x'!r})") == "PermissionError"
    assert hub.attempt(STUDENT_A, f"shutil.rmtree({str(submission)!r})") == "PermissionError"
    assert notebook.read_bytes() == original

    # a submission written by hand with an early timestamp gets the time it was really made
    backdated = hub.inbound / f"{STUDENT_A}+{CHAPTER}+2020-01-01 00:00:00.000000 UTC+handmade"
    forged = hub.inbound / f"{STUDENT_A}+{CHAPTER}+2020-01-01 00:00:00.000000 UTC+forged-by-b"
    make = ("os.mkdir({0!r}); open(os.path.join({0!r}, 'timestamp.txt'), 'w').write('2020-01-01 00:00:00.000000 UTC');"
            " shutil.copy({1!r}, {0!r}); os.chmod({0!r}, 0o777)")
    assert hub.attempt(STUDENT_A, make.format(str(backdated), str(hub.home(STUDENT_A) / CHAPTER / notebook.name))
                       if (hub.home(STUDENT_A) / CHAPTER / notebook.name).exists()
                       else make.format(str(backdated), "/etc/hostname")) == "ok"
    # and one that student B writes in A's name goes to quarantine
    assert hub.attempt(STUDENT_B, make.format(str(forged), "/etc/hostname")) == "ok"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (backdated.exists() or forged.exists()):
        time.sleep(1)
    assert not backdated.exists() and not forged.exists(), hub.log.read_text()[-3000:]
    restamped = [p for p in hub.inbound.iterdir() if p.name.endswith("+handmade")]
    assert len(restamped) == 1 and restamped[0].lstat().st_uid == 0
    stamp = restamped[0].name.split("+")[2]
    assert not stamp.startswith("2020") and stamp == (restamped[0] / "timestamp.txt").read_text()
    assert any(p.name.startswith(forged.name) for p in (hub.exchange / COURSE_ID / "quarantine").iterdir())
