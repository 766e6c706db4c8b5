"""The fork server runs ``python -m MODULE`` like a fresh interpreter would, with the caller's limits."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autograder.isolation import forkserver


@pytest.fixture(scope="module")
def server():
    handle = forkserver.ForkServer()
    yield handle
    handle.close()


def _script(folder: Path, body: str) -> str:
    (folder / "probe_module.py").write_text(body)
    return "probe_module"


def _run(server, tmp_path, body, **kwargs):
    module = _script(tmp_path, body)
    out, err = tmp_path / "out", tmp_path / "err"
    env = {**os.environ, "PROBE": "from-the-caller"}
    code, timed_out = server.run(module, kwargs.pop("args", ["a b", "c"]), cwd=tmp_path, env=env,
                                 stdout=out, stderr=err, **kwargs)
    return code, timed_out, out.read_text(), err.read_text()


def test_a_command_sees_its_arguments_folder_environment_and_main(server, tmp_path):
    """Check that argv, the working folder, the environment and __name__ are as with `python -m`."""
    code, timed_out, out, _ = _run(server, tmp_path, (
        "import os, sys\nprint(sys.argv[1:], os.getcwd(), os.environ['PROBE'], __name__)\n"))
    assert (code, timed_out) == (0, False)
    assert out.strip() == f"['a b', 'c'] {tmp_path} from-the-caller __main__"


@pytest.mark.parametrize("body, expected", [
    ("import sys\nsys.exit(3)\n", 3),
    ("raise ValueError('broken')\n", 1),
    ("import sys\nsys.exit('a message')\n", 1),
    ("import os\nos._exit(7)\n", 7),
])
def test_exit_codes_are_those_of_a_fresh_interpreter(server, tmp_path, body, expected):
    """Check that exit codes, tracebacks and exit messages come back as from a real process."""
    code, _, _, err = _run(server, tmp_path, body)
    assert code == expected
    if "ValueError" in body:
        assert "ValueError: broken" in err
    if "a message" in body:
        assert "a message" in err


def test_a_timeout_kills_the_command_and_what_it_started(server, tmp_path):
    """Check that a command over its time limit is killed with its child processes."""
    marker = tmp_path / "grandchild.pid"
    started = time.monotonic()
    code, timed_out, _, _ = _run(server, tmp_path, (
        "import subprocess, time\n"
        f"p = subprocess.Popen(['sleep', '60'])\nopen({str(marker)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n"), timeout=3)
    assert timed_out and code == -9
    assert time.monotonic() - started < 30
    pid = int(marker.read_text())
    time.sleep(0.5)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z"), "the grandchild outlived the timeout"


def test_the_memory_limit_applies_to_the_command(server, tmp_path):
    """Check that memory_bytes caps the command's address space."""
    code, _, _, err = _run(server, tmp_path, "x = bytearray(3 * 2**30)\n", memory_bytes=2 * 2**30 + 2**29)
    assert code == 1 and "MemoryError" in err


def test_the_server_survives_its_commands(server, tmp_path):
    """Check that a crashing command leaves the server able to run the next one."""
    _run(server, tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    code, _, out, _ = _run(server, tmp_path, "print('still here')\n")
    assert code == 0 and out == "still here\n"


def test_switched_off_a_fresh_process_gives_the_same_result(tmp_path, monkeypatch):
    """Check that COURSE_FORKSERVER=off runs the same command in a fresh interpreter."""
    monkeypatch.setenv(forkserver.ENV_SWITCH, "off")
    module = _script(tmp_path, "import sys\nprint(sys.argv[1:])\nsys.exit(4)\n")
    code, timed_out = forkserver.run_module(module, ["x"], cwd=tmp_path, env=None, stdout=tmp_path / "o",
                                            stderr=tmp_path / "e")
    assert (code, timed_out) == (4, False)
    assert (tmp_path / "o").read_text() == "['x']\n"


def test_a_command_that_ends_at_once_is_not_waited_for(server, tmp_path):
    """Check that the two replies of a command that ends at once (they arrive together) are both read."""
    for _ in range(30):
        code, timed_out, _, _ = _run(server, tmp_path, "import os\nos._exit(5)\n", timeout=20)
        assert (code, timed_out) == (5, False)
