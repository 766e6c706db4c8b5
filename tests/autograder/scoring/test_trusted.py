"""Trusted grading (autograder.scoring.trusted, function_client, proxy): a student's functions run in a
sandboxed server, called through a proxy, stand-ins called by reference, limits and what the sandbox
hides, hidden inputs drawn in test cells (the wire format, intake, the policy and the keys: their own
files beside their modules)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from autograder.isolation import sandbox
from autograder.scoring import function_client, proxy, trusted
from tests.paths import REPO

CHAPTER = REPO / "source" / "02-validation" / "validation.ipynb"


# ------------------------------------------------------------------------------ the proxy
def _server(source: str, functions: list[str], **limits) -> function_client.FunctionServer:
    server = function_client.FunctionServer("import numpy as np", [("answer", source)], functions,
                                    sandbox.Limits(**{"call_seconds": 5.0, "startup_seconds": 30.0, **limits}))
    server.ensure_running()
    return server


def test_the_proxy_returns_values_errors_and_argument_changes():
    server = _server('''
def double(a):
    return 2 * a
def fill(a, rng):
    a[:] = rng.random(a.shape)
    return None
def picky(x):
    class Custom(ValueError):
        pass
    raise Custom("no")
def stub(x):
    raise NotImplementedError()
''', ["double", "fill", "picky", "stub"])
    try:
        double = proxy.StudentFunction("double", server)
        np.testing.assert_array_equal(double(np.arange(3)), [0, 2, 4])
        rng, a = np.random.default_rng(0), np.zeros(4)
        proxy.StudentFunction("fill", server)(a, rng)
        expected_rng = np.random.default_rng(0)
        np.testing.assert_array_equal(a, expected_rng.random(4))  # changed in place, as in a kernel
        assert rng.random() == expected_rng.random()  # the generator advanced
        with pytest.raises(ValueError, match="no"):
            proxy.StudentFunction("picky", server)(1)
        with pytest.raises(NotImplementedError):
            proxy.StudentFunction("stub", server)(1)
    finally:
        server.close()


def test_a_runaway_call_is_stopped_and_the_server_restarts():
    server = _server('''
def spin():
    while True:
        try:
            pass
        except KeyboardInterrupt:
            pass
def fine():
    return 7
''', ["spin", "fine"], call_seconds=1.0)
    try:
        with pytest.raises(function_client.SandboxFailure, match="within 1 s"):
            proxy.StudentFunction("spin", server)()
        assert proxy.StudentFunction("fine", server)() == 7
        assert server.events == ["timeout", "restart"]
    finally:
        server.close()


def test_a_cell_that_kills_the_process_is_left_out():
    server = function_client.FunctionServer("import os", [("bad", "os._exit(3)"), ("good", "def f():\n    return 1")],
                                    ["f"], sandbox.Limits(call_seconds=5.0, startup_seconds=30.0))
    try:
        server.ensure_running()
        assert server.fatal_cells == {"bad"} and server.defined == ["f"]
        assert proxy.StudentFunction("f", server)() == 1
    finally:
        server.close()


# ----------------------------------------------------------- stand-in objects called by reference
class Recorder:
    """A check's stand-in object: the sandbox calls it by reference; its record stays here."""

    __grading_remote__ = ("__call__", "refuse")

    def __init__(self, result=None):
        self.calls: list = []
        self.result = np.arange(3.0) if result is None else result

    def __call__(self, x, flag=None):
        self.calls.append(flag)
        return self.result

    def refuse(self):
        raise ValueError("refused here")


class Factory:
    """A stand-in that makes stand-ins (a model factory): what it returns goes back by reference too."""

    __grading_remote__ = ("__call__",)

    def __init__(self):
        self.built: list[Recorder] = []

    def __call__(self):
        self.built.append(Recorder())
        return self.built[-1]


STAND_IN_FUNCTIONS = '''
import time
from autograder.isolation import function_server, wire

def use(model, n):
    return [float(np.sum(model(np.zeros(2), flag=True))) for _ in range(n)]

def forge(model, n):
    np.asarray(model(np.zeros(2), flag=False))
    model.calls = [True] * n
    model.__dict__.update(calls=[True] * n)
    object.__setattr__(model, "result", None)
    type(model).calls = [True] * n
    return model.calls, repr(model)

def refused(model):
    try:
        model.refuse()
    except ValueError as error:
        return str(error)

KEPT = []

def keep(model):
    KEPT.append(model)

def stale():
    return KEPT[0](np.zeros(2))

def big(model, n):
    return model(np.zeros(n))

def _send(message):
    request_fd, reply_fd = function_server._channel
    wire.write_frame(reply_fd, wire.dump_reply({"callback": message}))
    return request_fd

def forged(model, message):
    message = {key: model._grading_ref if value == "REF" else value for key, value in message.items()} \\
        if isinstance(message, dict) else message
    return wire.load_request(wire.read_frame(_send(message)))

def build_and_use(factory, n):
    models = [factory() for _ in range(n)]
    for i, model in enumerate(models):
        model(np.zeros(2), flag=i)
    models[0].calls = ["forged"]
    return [type(model).__name__ for model in models]

def unread(model):
    _send({"ref": model._grading_ref, "method": "__call__", "args": [wire.encode(np.zeros(2))], "kwargs": {}})
    time.sleep(3600)
'''
STAND_IN_NAMES = ["use", "forge", "refused", "keep", "stale", "big", "forged", "unread", "build_and_use"]


def test_a_stand_in_is_called_by_reference_and_keeps_its_own_record():
    server = _server(STAND_IN_FUNCTIONS, STAND_IN_NAMES)
    try:
        model = Recorder()
        assert proxy.StudentFunction("use", server)(model, 3) == [3.0, 3.0, 3.0]
        assert model.calls == [True, True, True]
        model = Recorder()
        seen, shown = proxy.StudentFunction("forge", server)(model, 5)
        assert seen == [True] * 5 and "Recorder" in shown  # the stub in the sandbox took the forgery...
        assert model.calls == [False] and model.result is not None  # ...which changed nothing here
        assert "calls" not in Recorder.__dict__
        assert proxy.StudentFunction("refused", server)(Recorder()) == "refused here"
        proxy.StudentFunction("keep", server)(Recorder())
        with pytest.raises(function_client.SandboxFailure, match="not given"):  # a reference from an earlier call
            proxy.StudentFunction("stale", server)()
        assert server.events == ["protocol"]
    finally:
        server.close()


def test_a_stand_in_returned_by_a_stand_in_is_passed_by_reference_too():
    server = _server(STAND_IN_FUNCTIONS, STAND_IN_NAMES)
    try:
        factory = Factory()
        kinds = proxy.StudentFunction("build_and_use", server)(factory, 3)
        assert kinds == ["RemoteObject"] * 3  # the sandbox got references, not copies of the models
        assert [model.calls for model in factory.built] == [[0], [1], [2]]  # recorded here, unforged
    finally:
        server.close()


@pytest.mark.parametrize("case, match", [
    ("too many", "more than 5 calls"),
    ("malformed", "malformed call"),
    ("malformed arguments", "malformed arguments"),
    ("unknown object", "not given"),
    ("undeclared method", "does not offer"),
    ("huge arguments", "bytes of arguments"),
])
def test_a_callback_beyond_the_protocol_fails_its_call_not_the_grader(monkeypatch, case, match):
    monkeypatch.setattr(function_client, "MAX_CALLBACKS", 5)
    monkeypatch.setattr(function_client, "MAX_CALLBACK_BYTES", 2**20)
    server = _server(STAND_IN_FUNCTIONS, STAND_IN_NAMES)
    model = Recorder()
    use, forged = proxy.StudentFunction("use", server), proxy.StudentFunction("forged", server)
    try:
        with pytest.raises(function_client.SandboxFailure, match=match):
            if case == "too many":
                use(model, 6)
            elif case == "malformed":
                forged(model, ["not", "a", "callback"])
            elif case == "malformed arguments":
                forged(model, {"ref": "REF", "method": "__call__", "args": [{"__nd__": "not npy"}], "kwargs": {}})
            elif case == "unknown object":
                forged(model, {"ref": 10**9, "method": "__call__", "args": [], "kwargs": {}})
            elif case == "undeclared method":
                forged(model, {"ref": "REF", "method": "__setattr__", "args": ["calls", [True]], "kwargs": {}})
            else:
                proxy.StudentFunction("big", server)(model, 200_000)
        assert server.events == ["protocol"] and len(model.calls) <= 5 and False not in model.calls
        assert not server.alive
        # the grader goes on: the next function runs in a restarted sandbox
        assert proxy.StudentFunction("refused", server)(Recorder()) == "refused here"
    finally:
        server.close()


def test_a_sandbox_that_never_reads_a_callbacks_answer_is_stopped_at_the_time_limit():
    server = _server(STAND_IN_FUNCTIONS, STAND_IN_NAMES, call_seconds=2.0)
    try:
        model = Recorder(result=np.zeros(2**20))  # an answer far larger than the pipe holds
        with pytest.raises(function_client.SandboxFailure, match="within 2 s"):
            proxy.StudentFunction("unread", server)(model)
        assert server.events == ["timeout"] and model.calls == [None]
    finally:
        server.close()


@pytest.mark.skipif(not sandbox.isolation_available(), reason="bubblewrap is not installed")
def test_the_sandbox_hides_the_course_and_the_network():
    server = _server(f'''
import os, socket
def probe():
    seen = {{}}
    seen["source"] = os.path.exists({str(REPO / "source")!r})
    seen["tests"] = os.path.exists({str(REPO / "tests")!r})
    seen["git"] = os.path.exists({str(REPO / ".git")!r})
    seen["secret"] = os.path.exists({str(REPO / ".grading_secret")!r})
    seen["grader env"] = sorted(k for k in os.environ if k.startswith(("COURSE_GRADING", "NBGRADER")))
    try:
        socket.create_connection(("pypi.org", 443), timeout=2)
        seen["network"] = True
    except OSError:
        seen["network"] = False
    try:
        open({str(REPO / "course" / "x.txt")!r}, "w")
        seen["write"] = True
    except OSError:
        seen["write"] = False
    return seen
''', ["probe"])
    try:
        assert proxy.StudentFunction("probe", server)() == {
            "source": False, "tests": False, "git": False, "secret": False, "grader env": [], "network": False,
            "write": False}
    finally:
        server.close()


# ------------------------------------------------------------------------------ limits
def _contained_process_count() -> bool:
    return os.access(sandbox.PIDS_CGROUP_ROOT, os.W_OK) or os.getuid() != 0


@pytest.mark.skipif(not _contained_process_count(), reason="no writable pids cgroup, and root ignores RLIMIT_NPROC")
def test_a_process_flood_is_capped_and_cleaned_up():
    server = _server('''
import os, time
def flood():
    made = 0
    try:
        for _ in range(500):
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            made += 1
    except OSError as error:
        return made, type(error).__name__
    return made, None
''', ["flood"], call_seconds=20.0, max_tasks=48)
    try:
        made, error = proxy.StudentFunction("flood", server)()
        assert made < 48 and error == "BlockingIOError"
    finally:
        pid = server.process.pid
        server.close()

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_memory_bomb_fails_its_own_call():
    server = _server('''
def hoard():
    return len(bytearray(64 * 2**30))
def fine():
    return 1
''', ["hoard", "fine"], memory_bytes=3 * 2**30)
    try:
        with pytest.raises(MemoryError):
            proxy.StudentFunction("hoard", server)()
        assert proxy.StudentFunction("fine", server)() == 1
    finally:
        server.close()


# ------------------------------------------------------------------- hidden inputs at grading time
def test_test_cells_draw_hidden_inputs_from_the_grading_key():
    server = _server("def echo(x):\n    return x\n", ["echo"])
    cell = {"grade_id": "test_echo_hidden", "points": 1.0, "source": (
        "### BEGIN HIDDEN TESTS\nfrom autograder.checks import hidden_seeds\n"
        "seeds = hidden_seeds(range(4))\nassert seeds != [0, 1, 2, 3], seeds\nassert echo(seeds) == seeds\n"
        "### END HIDDEN TESTS")}
    try:
        with_key = trusted.run_test_cells("", [cell], server, ["echo"], grading_key="ab" * 32)
        without = trusted.run_test_cells("", [cell], server, ["echo"])
    finally:
        server.close()
    assert with_key[0].passed, with_key[0].message
    assert not without[0].passed  # no key: the notebook's fixed seeds


def test_a_students_error_message_is_cut_before_it_reaches_feedback():
    server = _server("def loud(x):\n    raise ValueError('recorded inputs: ' + 'x' * 100_000)\n", ["loud"])
    try:
        with pytest.raises(ValueError) as raised:
            proxy.StudentFunction("loud", server)(1)
    finally:
        server.close()
    assert len(str(raised.value)) < function_client.STUDENT_TEXT_CHARS + 20


@pytest.mark.skipif(not sandbox.isolation_available(), reason="bubblewrap is not installed")
def test_sandbox_folders_are_in_memory_and_capped():
    limit = 8 * 2**20
    server = _server('''
import os
def fill(where):
    written = 0
    try:
        with open(os.path.join(where, "big"), "wb") as handle:
            for _ in range(64):
                handle.write(b"x" * 2**20)
                handle.flush()
                written += 2**20
    except OSError:
        pass
    return written
''', ["fill"], disk_bytes=limit)
    try:
        fill = proxy.StudentFunction("fill", server)
        assert fill("/tmp") <= limit
        assert fill("/dev/shm") <= limit
        assert fill(".") <= limit
        assert not any(server.scratch_folder.iterdir())  # nothing reached the host's disk
    finally:
        server.close()


# ------------------------------------------------------------------- found by a third red team
def test_odd_student_error_text_is_cut_and_writable():
    server = _server('''
def lone_surrogate(x):
    raise ValueError("bad input " + chr(0xD800))
def long_type_name(x):
    raise type("LEAK" + "#" * 20000, (ValueError,), {})("x")
''', ["lone_surrogate", "long_type_name"])
    try:
        with pytest.raises(ValueError) as surrogate:
            proxy.StudentFunction("lone_surrogate", server)(1)
        with pytest.raises(ValueError) as long_type:
            proxy.StudentFunction("long_type_name", server)(1)
    finally:
        server.close()
    str(surrogate.value).encode("utf-8")  # no lone surrogate left: feedback files can hold it
    assert len(str(long_type.value)) < function_client.STUDENT_TEXT_CHARS + 20
