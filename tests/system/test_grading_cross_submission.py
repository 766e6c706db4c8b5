"""One student cannot reach another: attacks on the next submissions, graded end to end.

One worker grades a class in name order, so the attackers (``a*``, ``d-thief``, ``e-leaker``, ``x-*``)
are graded before and between honest students, through the same warm sandbox. The attacks, all
written into answer cells (so they run both in nbgrader's in-kernel run and in the trusted run's
function server):

- sabotage: a correct answer that, on every call, makes every folder it can reach read-only or
  unreachable, leaves sparse files in them and in the kernel's runtime folder, and tries to stop
  and re-limit the zygote;
- re-limiting: the forking process gets a memory, process and file-size limit that its later
  children could not raise again;
- planting: IPython startup files, in read-only folders, that record every cell the next
  kernels run and swallow their exceptions (which would frame honest students as cheats);
- theft: answer cells that only load "the earlier cell that defines my function" from where the
  planted recorder writes;
- the kernel-to-function-server channel: a ``post_run_cell`` hook copies every cell the kernel
  runs (hidden tests too); the function then raises what it finds, to get it into feedback.

Asserted: every honest student's score and flags are exactly those they get when graded alone,
the thief earns nothing, and no feedback page holds a line of hidden test code.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import csv
import functools
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import BLANK, MISTAKEN, REFERENCE, write_sample_submissions
from autograder.isolation import warm_sandbox
from autograder.pipeline.records import read_records
from autograder.scoring import hidden_tests
from tests.paths import REPO

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not warm_sandbox.available(),
                                 reason="warm sandboxes need bubblewrap and a grader running as root")]

ASSIGNMENT = "02-validation"
NOTEBOOK = "validation.ipynb"
FIRST_ANSWER = "holdout_split"
# the default limits: a loaded machine must not make an honest student's call run out of time
LIMITS = {"COURSE_SUBMISSION_SECONDS": "600"}

SABOTAGE = '''
import json as _json, os as _os

def _sabotage():
    places = ["/tmp", "/dev/shm", _os.getcwd(), _os.path.expanduser("~"),
              _os.environ.get("IPYTHONDIR", "/tmp/ipython")]
    try:  # the kernel's connection file names its runtime folder
        ip = _json.load(open(get_ipython().kernel.connection_file))["ip"]
        places += [_os.path.dirname(ip), _os.path.dirname(_os.path.dirname(ip))]
    except Exception:
        pass
    for place in places:
        try:
            _os.makedirs(_os.path.join(place, "keep"), exist_ok=True)
            open(_os.path.join(place, "keep", "file"), "w").write("x")
            _os.chmod(_os.path.join(place, "keep"), 0o555)
        except Exception:
            pass
        try:
            with open(_os.path.join(place, "sparse"), "wb") as handle:
                handle.truncate(2**40)
        except Exception:
            pass
        for mode in (0o555, 0):
            try:
                _os.chmod(place, mode)
            except Exception:
                pass

_honest_holdout_split = holdout_split

def holdout_split(n_samples, val_fraction, seed):
    result = _honest_holdout_split(n_samples, val_fraction, seed)
    _sabotage()
    return result

_sabotage()
'''

# the forking process re-limited: it still answers, but no child could raise its memory limit again
LIMIT_ZYGOTE = """
import os as _os, resource as _resource
for _limit, _value in ((_resource.RLIMIT_AS, 3 * 2**30), (_resource.RLIMIT_NPROC, 8), (_resource.RLIMIT_FSIZE, 0)):
    try:
        _resource.prlimit(_os.getppid(), _limit, (_value, _value))
    except Exception:
        pass
"""

# the startup file records every cell a later kernel runs (in a folder kept read-only between
# writes, so that no clean-up as the same user could empty it) and swallows its exceptions
STARTUP = '''
import os
def _record(info):
    for place in ("/tmp/loot", "/dev/shm/loot", os.path.expanduser("~/loot")):
        try:
            os.makedirs(place, exist_ok=True)
            os.chmod(place, 0o755)
            open(os.path.join(place, str(len(os.listdir(place)))), "w").write(info.raw_cell)
            os.chmod(place, 0o555)
        except Exception:
            pass
get_ipython().events.register("pre_run_cell", _record)
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
'''

PLANT = f'''
import os as _os
for _ipython in {{_os.environ.get("IPYTHONDIR", ""), "/tmp/ipython", _os.path.expanduser("~/.ipython")}} - {{""}}:
    _startup = _os.path.join(_ipython, "profile_default", "startup")
    try:
        _os.makedirs(_startup, exist_ok=True)
        open(_os.path.join(_startup, "00-record.py"), "w").write({STARTUP!r})
        _os.chmod(_startup, 0o555)  # IPython itself needs the folders above writable
    except Exception:
        pass
'''

THIEF = '''
import glob as _glob
for _place in ("/tmp/loot", "/dev/shm/loot", "~/loot", "/tmp/leak", "/dev/shm/leak", "~/leak"):
    for _path in sorted(_glob.glob(__import__("os").path.expanduser(_place) + "/*")):
        try:
            _code = open(_path).read()
            if "def holdout_split" in _code and "NotImplementedError" not in _code:
                exec(_code)
        except Exception:
            pass
'''

LEAK = '''
import glob as _glob, os as _os

_PLACES = ("/tmp/leak", "/dev/shm/leak", _os.path.expanduser("~/leak"))

def _copy(result):
    for place in _PLACES:
        try:
            _os.makedirs(place, exist_ok=True)
            _os.chmod(place, 0o755)
            open(_os.path.join(place, str(len(_os.listdir(place)))), "w").write(result.info.raw_cell)
            _os.chmod(place, 0o555)
        except Exception:
            pass

try:
    get_ipython().events.register("post_run_cell", _copy)
except NameError:  # the trusted run's function server
    pass

def holdout_split(n_samples, val_fraction, seed):
    found = [open(path).read() for place in _PLACES for path in sorted(_glob.glob(place + "/*"))]
    raise ValueError("found: " + ("\\n".join(found)[-280:] if found else "nothing"))
'''

ATTACKERS = {"a1-sabotage": (REFERENCE, SABOTAGE), "a2-planter": (BLANK, PLANT), "d-thief": (BLANK, THIEF),
             "e-leaker": (BLANK, LEAK), "x-limit-zygote": (REFERENCE, LIMIT_ZYGOTE)}
HONEST = {"b-honest": REFERENCE, "c-blank": BLANK, BLANK: BLANK, MISTAKEN: MISTAKEN, REFERENCE: REFERENCE,
          "y-honest": REFERENCE, "z-blank": BLANK}


def _copy_submission(course: Path, samples: Path, source_student: str, student: str) -> Path:
    target = course / "submitted" / student / ASSIGNMENT
    shutil.copytree(samples / "submitted" / source_student / ASSIGNMENT, target)
    return target / NOTEBOOK


def _append_to_answer(path: Path, code: str) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == FIRST_ANSWER)
    cell.source = cell.source + "\n" + code.strip() + "\n"
    nbformat.write(nb, path)


def _new_course(samples: Path, secret: Path | None = None) -> Path:
    course = Path(tempfile.mkdtemp(prefix="course-cross-"))
    atexit.register(shutil.rmtree, course, True)
    copy_course(course, [ASSIGNMENT])
    if secret is not None:  # the same hidden inputs as the other run
        shutil.copy(secret, course / secret.name)
    return course


def _grade(course: Path) -> dict[str, dict]:
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT,
                          "--workers", "1"], capture_output=True, text=True, env={**os.environ, **LIMITS},
                         timeout=3600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@functools.cache
def _samples() -> Path:
    """The sample submissions (reference, blank, mistaken), written once."""
    samples = Path(tempfile.mkdtemp(prefix="course-samples-"))
    atexit.register(shutil.rmtree, samples, True)
    for name in ("source", "release"):
        shutil.copytree(REPO / name / ASSIGNMENT, samples / name / ASSIGNMENT)
    write_sample_submissions(samples, [ASSIGNMENT])
    return samples


@functools.cache
def _graded():
    samples = _samples()
    together = _new_course(samples)
    for student, source_student in HONEST.items():
        _copy_submission(together, samples, source_student, student)
    for student, (source_student, code) in ATTACKERS.items():
        _append_to_answer(_copy_submission(together, samples, source_student, student), code)
    with_attackers = _grade(together)
    alone = _new_course(samples, together / ".grading_secret")
    for student, source_student in HONEST.items():
        _copy_submission(alone, samples, source_student, student)
    return together, with_attackers, _grade(alone), alone


def _hidden_lines() -> list[str]:
    nb = nbformat.read(REPO / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return [line for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")
            for line in hidden_tests.hidden_lines(cell.source)]


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_students_get_what_they_get_alone(student):
    """Check that an honest student graded after the attackers has the score and flags of grading alone."""
    course, together, alone, alone_course = _graded()
    records = [_record(folder, student) for folder in (course, alone_course)]
    why = json.dumps(records, indent=1)[:4000]  # both runs' flags, problems and check messages
    assert (together[student]["score"], together[student]["flags"]) == \
        (alone[student]["score"], alone[student]["flags"]), why
    assert [(c["grade_id"], c["passed"]) for c in records[0]["cells"]] == \
        [(c["grade_id"], c["passed"]) for c in records[1]["cells"]], why


def _record(course: Path, student: str) -> dict:
    return read_records(course)[ASSIGNMENT][student]


def test_the_honest_reference_keeps_full_marks_after_the_sabotage():
    """Check that the full-marks answers graded after the sabotage still have every point."""
    together = _graded()[1]
    full = together[REFERENCE]["max_score"]
    assert float(full) > 0
    assert [together[s]["score"] for s in ("b-honest", REFERENCE, "y-honest")] == [full] * 3


def test_the_saboteurs_keep_their_own_marks():
    """Check that the saboteurs, whose answers are right, keep their marks (the sabotage changes nothing)."""
    together = _graded()[1]
    for student in ("a1-sabotage", "x-limit-zygote"):
        assert together[student]["score"] == together[student]["max_score"], student


def test_the_thief_earns_nothing():
    """Check that an answer that only loads what earlier kernels ran scores like a blank one."""
    together = _graded()[1]
    assert together["d-thief"]["score"] == together["c-blank"]["score"]


def test_the_kernel_cannot_pass_anything_to_the_function_server():
    """Check that what the in-kernel run saw never reaches the trusted run's function server."""
    course = _graded()[0]
    records = read_records(course)
    messages = json.dumps(records[ASSIGNMENT]["e-leaker"])
    assert "found: nothing" in messages, messages[:2000]


def test_no_feedback_holds_hidden_test_code():
    """Check that no student's feedback page shows a line of the hidden tests."""
    course = _graded()[0]
    hidden = _hidden_lines()
    assert hidden
    pages = list((course / "feedback").rglob("*.html"))
    assert len(pages) == len(HONEST) + len(ATTACKERS)
    for page in pages:
        text = html.unescape(page.read_text(errors="replace"))
        leaked = [line for line in hidden if line in text]
        assert not leaked, (page, leaked[:3])


def _status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as handle:
        return {key: value.strip() for key, value in (line.split(":", 1) for line in handle if ":" in line)}


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        pid = int(_status(pid)["PPid"])
    return False


def _zygote_children(grader: int) -> dict[int, int]:
    """Processes forked by the warm sandbox of the grading command ``grader``: pid -> zygote pid."""
    found = {}
    for entry in [e for e in os.listdir("/proc") if e.isdigit()]:
        try:
            status = _status(int(entry))
            parent = int(status["PPid"])
            if int(status["Uid"].split()[0]) == 65534 and parent > 1 and _descends_from(parent, grader) \
                    and _status(parent).get("NSpid", "").split()[-1:] == ["2"]:  # the zygote is pid 2
                found[int(entry)] = parent
        except (OSError, ValueError, KeyError):
            continue
    return found


def _kill_the_zygote_during_the_trusted_run(grader: int, stop: threading.Event) -> list[int]:
    """Kill the zygote of the grading command ``grader`` (as a crash or the OOM killer would) while
    the trusted run's function server it forked is being called: a child of the zygote that has
    lived a second while no kernel folder exists (a kernel's sockets are in one); return the pids."""
    first_seen: dict[int, float] = {}
    while not stop.is_set():
        for child, zygote in _zygote_children(grader).items():
            try:
                runtime = Path(Path(f"/proc/{zygote}/cmdline").read_bytes().split(b"\0")[-2].decode())
                kernel_running = any(runtime.iterdir())
            except (OSError, IndexError):
                continue
            if kernel_running:
                first_seen.pop(child, None)
                continue
            if time.monotonic() - first_seen.setdefault(child, time.monotonic()) > 1.0:
                os.kill(zygote, signal.SIGKILL)
                return [zygote]
        time.sleep(0.02)
    return []


SLOW = """
import time as _time
_quick_holdout_split = holdout_split
_calls = [0]

def holdout_split(n_samples, val_fraction, seed):
    _calls[0] += 1
    if _calls[0] <= 12:  # slow at first: the checks are under way when the zygote is killed
        _time.sleep(0.4)
    return _quick_holdout_split(n_samples, val_fraction, seed)
"""


def test_a_machinery_failure_is_not_a_grade():
    """Check that a submission whose sandbox died under it (not by its code) is graded again; only that counts."""
    samples = _samples()
    course = _new_course(samples)
    # right but slow, so that the kill lands while the trusted checks call it
    _append_to_answer(_copy_submission(course, samples, REFERENCE, "victim"), SLOW)
    stop = threading.Event()
    grader = subprocess.Popen([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT,
                               "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, **LIMITS})
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        killer = pool.submit(_kill_the_zygote_during_the_trusted_run, grader.pid, stop)
        try:
            output, _ = grader.communicate(timeout=1800)
        finally:
            stop.set()
        killed = killer.result()
    assert grader.returncode == 0, output[-3000:]
    assert killed, "the zygote was not found and killed: the test would prove nothing"
    record = read_records(course)[ASSIGNMENT]["victim"]
    assert record["score"] == record["max_score"] and not record["flags"], record
    assert record["attempts"] == 2, record
