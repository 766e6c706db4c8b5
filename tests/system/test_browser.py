"""The student's and the instructor's JupyterLab, driven in a real browser (Debian's Chromium).

A temporary copy of the course is served by JupyterLab on loopback, with a token, and Chromium
(headless, through Playwright, with background networking off) goes the two paths:

- student: open chapter 02's release notebook, see the glossary, the lecture and the answer
  cells; run all and see the first stub's NotImplementedError in its visible test; type a correct
  implementation, run the visible test and see it pass; press nbgrader's Validate button and see
  the validation result;
- instructor: open the formgrader from the Nbgrader menu and see all seven assignments with
  their point totals; after grading chapter 02's sample submissions, see the graded
  submissions and open one student's feedback.

Each step saves a screenshot under ``tests/browser-screenshots/`` (git-ignored); the assertions
are on the page. Run alone with ``pytest -m browser``. Where Chromium is missing the suite is
skipped, unless ``COURSE_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import settings
from autograder.demo.course_folder import copy_course
from autograder.demo.samples import MISTAKEN, REFERENCE, SAMPLE_STUDENTS, write_sample_submissions
from autograder.pipeline import gradebook
from autograder.pipeline.records import grading_inputs_digest, read_records
from autograder.pipeline.release import list_assignments
from autograder.scoring import intake
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, LAB_SETTINGS, browser_missing, wait_for_http
from tests.paths import BROWSER_SCREENSHOTS, REPO

pytestmark = pytest.mark.browser

CHAPTER = "02-validation"
FIRST_EXERCISE = "holdout_split"
PAGE_TIMEOUT_MS = 120_000


def _browser_or_skip():
    reason = browser_missing()
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but cannot run: {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _points(assignment: str) -> float:
    spec = intake.read_source(next((REPO / "source" / assignment).glob("*.ipynb")))
    return float(sum(cell["points"] for cell in spec.test_cells))


def _solution_code(grade_id: str) -> str:
    """The source notebook's solution cell, without nbgrader's markers: a correct answer."""
    source = nbformat.read(next((REPO / "source" / CHAPTER).glob("*.ipynb")), as_version=4)
    cell = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(line for line in cell.source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course copy with chapter 02's samples graded and every assignment registered."""
    _browser_or_skip()
    root = tmp_path_factory.mktemp("browser-course")
    copy_course(root)
    write_sample_submissions(root, [CHAPTER])
    env = {k: v for k, v in os.environ.items() if k != settings.DB_URL}
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(root), "grade", CHAPTER,
                          "--workers", "1"], capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    for assignment in list_assignments(root):
        gradebook.ensure_registered(root, assignment, grading_inputs_digest(root, assignment))
    return root


@pytest.fixture(scope="module")
def lab(course, tmp_path_factory):
    """JupyterLab serving the course copy on loopback: ``(base url, token)``."""
    lab_settings = tmp_path_factory.mktemp("lab-settings")
    for name, values in LAB_SETTINGS.items():
        (lab_settings / name).parent.mkdir(parents=True, exist_ok=True)
        (lab_settings / name).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path_factory.mktemp("lab-log") / "jupyterlab.log"
    env = {k: v for k, v in os.environ.items() if k != settings.DB_URL}
    # the user's own Jupyter configuration and state stay out of it (and untouched)
    env.update(JUPYTERLAB_SETTINGS_DIR=str(lab_settings), JUPYTERLAB_WORKSPACES_DIR=str(lab_settings / "workspaces"),
               JUPYTER_CONFIG_DIR=str(lab_settings / "config"), JUPYTER_RUNTIME_DIR=str(lab_settings / "runtime"),
               COURSE_FAST="1", MPLBACKEND="module://matplotlib_inline.backend_inline")
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={course}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI containers run as root
            cwd=course, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/api/status?token={token}", process, log, "JupyterLab")
        yield base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@pytest.fixture(scope="module")
def browser():
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name: str) -> Path:
    BROWSER_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = BROWSER_SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _cell(page, grade_id_source_start: str):
    """The notebook cell whose input starts with ``grade_id_source_start``."""
    return page.locator(".jp-Notebook .jp-Cell").filter(
        has=page.locator(".jp-InputArea-editor", has_text=grade_id_source_start)).first


def _wait_idle(page) -> None:
    page.wait_for_function(
        "() => { const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        " return s && s.getAttribute('data-status') === 'idle'; }", timeout=PAGE_TIMEOUT_MS)


# ---------------------------------------------------------------- the student
def test_student_runs_implements_tests_and_validates_chapter_02(page, lab):
    from playwright.sync_api import expect

    base, token = lab
    notebook = next((REPO / "release" / CHAPTER).glob("*.ipynb")).name
    page.goto(f"{base}/lab/tree/release/{CHAPTER}/{notebook}?token={token}")
    cells = page.locator(".jp-Notebook .jp-Cell")
    expect(cells.first).to_be_visible()
    released = nbformat.read(REPO / "release" / CHAPTER / notebook, as_version=4)
    expect(cells).to_have_count(len(released.cells))

    # the chapter renders: title, glossary table, lecture sections, answer cells with the stub
    expect(page.locator(".jp-RenderedMarkdown h1").first).to_contain_text("Chapter 02")
    glossary = page.locator(".jp-RenderedMarkdown", has=page.locator("h2", has_text="Glossary"))
    expect(glossary.locator("table")).to_be_visible()
    expect(page.locator(".jp-RenderedMarkdown h2", has_text="K-fold cross-validation")).to_have_count(1)
    answer = _cell(page, f"def {FIRST_EXERCISE}(")
    expect(answer).to_contain_text("raise NotImplementedError")
    kernel_ready = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    expect(kernel_ready).to_have_count(1)
    _shot(page, "1-student-chapter-rendered")

    # run all: execution stops at the first visible test, which calls the stub
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    visible_test = _cell(page, f'"""Check that {FIRST_EXERCISE}')
    error = visible_test.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(error).to_contain_text("NotImplementedError")
    _wait_idle(page)
    errors = page.locator(".jp-Cell .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                          has_text="Traceback")
    expect(errors).to_have_count(1)  # the lecture above ran cleanly
    visible_test.scroll_into_view_if_needed()
    _shot(page, "2-student-run-all-stub-error")

    # type a correct implementation into the answer cell, run it and the visible test
    editor = answer.locator(".jp-InputArea-editor .cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(_solution_code(FIRST_EXERCISE))
    expect(answer.locator(".jp-InputArea-editor")).not_to_contain_text("NotImplementedError")
    page.keyboard.press("Shift+Enter")  # runs the answer and selects the visible test
    _wait_idle(page)
    page.keyboard.press("Shift+Enter")
    _wait_idle(page)
    expect(visible_test.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"))
    expect(visible_test.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")) \
        .to_have_count(0)
    visible_test.scroll_into_view_if_needed()
    _shot(page, "3-student-visible-test-passes")

    # nbgrader's Validate button saves the notebook, then the server validates it (a save of our own
    # just before would race with the button's and JupyterLab would ask about a file changed on disk)
    page.locator("jp-button.validate-button, button.validate-button").first.click()
    dialog = page.locator(".nbgrader-ErrorDialog, .nbgrader-SuccessDialog")
    expect(dialog).to_be_visible(timeout=300_000)
    # the other exercises are still stubs: validation fails on their tests, not on this one
    expect(dialog.locator(".validation-failed")).to_be_visible()
    expect(dialog).to_contain_text("NotImplementedError")
    expect(dialog).to_contain_text("k_fold_indices")
    _shot(page, "4-student-validation-result")


# ---------------------------------------------------------------- the instructor
def test_instructor_sees_seven_assignments_the_graded_submissions_and_feedback(page, lab, course):
    from playwright.sync_api import expect

    base, token = lab
    page.goto(f"{base}/lab?token={token}")
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator("#jp-mainmenu-nbgrader li[data-command='nbgrader:open-formgrader']").click()
    frame = page.frame_locator("iframe").first
    expect(frame.locator(".breadcrumb li").first).to_have_text("Assignments")
    assignments = list_assignments(REPO)
    assert len(assignments) == 7
    for assignment in assignments:
        expect(frame.locator("td.name", has_text=assignment)).to_have_count(1)
    _shot(page, "5-instructor-formgrader-assignments")

    # the point totals: the Manual Grading page gives average / maximum per assignment
    frame.locator("a", has_text="Manual Grading").first.click()
    rows = frame.locator("table tbody tr")
    expect(rows).to_have_count(7)
    for assignment in assignments:
        row = rows.filter(has=frame.locator("td", has_text=assignment))
        expect(row.locator("td.score")).to_contain_text(f"/ {_points(assignment):g}")
    _shot(page, "6-instructor-point-totals")

    # after grading: chapter 02's sample submissions with their scores
    frame.locator("a", has_text="Manage Assignments").first.click()
    frame.locator("td.num-submissions a").filter(has_text="3").first.click()
    submissions = frame.locator("table tbody tr")
    expect(submissions).to_have_count(len(SAMPLE_STUDENTS))
    records = read_records(course)[CHAPTER]
    for student in SAMPLE_STUDENTS:
        row = submissions.filter(has=frame.locator("td", has_text=student))
        expect(row).to_contain_text(f"{records[student]['score']:g} / {_points(CHAPTER):g}")
    _shot(page, "7-instructor-graded-submissions")

    # one submission's feedback: the mistaken sample's page names its failed check
    feedback = next((course / "feedback" / MISTAKEN / CHAPTER).glob("*.html"))
    page.goto(f"{base}/files/feedback/{MISTAKEN}/{CHAPTER}/{feedback.name}?token={token}")
    failed = [c for c in records[MISTAKEN]["cells"] if not c["passed"]]
    assert failed, "the mistaken sample failed no check"
    expect(page.locator("body")).to_contain_text(failed[0]["grade_id"])
    expect(page.locator("body")).to_contain_text(f"{records[MISTAKEN]['score']:g}")
    assert records[REFERENCE]["score"] == _points(CHAPTER)
    _shot(page, "8-instructor-feedback")
