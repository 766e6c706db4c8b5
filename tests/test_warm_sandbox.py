"""The warm sandbox: children forked from one sandboxed process, and nothing passes between them."""

from __future__ import annotations

import contextlib
import signal
import time

import pytest

from autograder import sandbox, trusted, warm_sandbox

pytestmark = pytest.mark.skipif(not sandbox.isolation_available(),
                                reason="bubblewrap is not installed (the warm sandbox needs isolation)")
LIMITS = sandbox.Limits(call_seconds=20, startup_seconds=60)


@pytest.fixture
def warm(monkeypatch):
    monkeypatch.delenv(warm_sandbox.ENV_VAR, raising=False)
    owner = warm_sandbox.WarmSandbox(LIMITS)
    owner.start()
    assert owner.healthy(), "the warm sandbox did not start"
    monkeypatch.setenv(warm_sandbox.ENV_VAR, owner.description())
    yield owner
    owner.close()


def _server(answer: str, functions=("probe",)) -> trusted.FunctionServer:
    server = trusted.FunctionServer("import os\n", [("answer", answer)], list(functions), LIMITS)
    server.ensure_running()
    return server


def _call(answer: str, *args):
    server = _server(answer)
    try:
        assert isinstance(server.process, warm_sandbox.WarmChild), "the server was not forked warm"
        return server.call("probe", args, {})
    finally:
        server.close()


def _pids_source() -> str:
    return "def probe():\n    return sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"


def test_a_forked_function_server_answers_calls(warm):
    """Check that the trusted proxy talks to a forked function server as to a fresh one."""
    reply = _call("def probe(x):\n    return x * 2\n", 21)
    assert reply["ok"] and reply["result"] == 42


def test_no_process_or_file_of_one_submission_reaches_the_next(warm):
    """Check that background processes and files left by one child are gone for the next."""
    planted = ("import subprocess\nsubprocess.Popen(['sleep', '100'], start_new_session=True)\n"
               "if os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(100)\n"
               "open('/tmp/left-behind', 'w').write('x')\nopen('/dev/shm/left-behind', 'w').write('x')\n"
               "open('left-behind', 'w').write('x')\n" + _pids_source())
    first = _call(planted)["result"]
    assert len(first) >= 5, "the planted processes did not start"
    second = _call(_pids_source() + "\ndef files():\n    pass\n")["result"]
    assert len(second) == 3, f"processes survived into the next submission: {second}"
    files = _call("def probe():\n    return [os.path.exists(p) for p in "
                  "('/tmp/left-behind', '/dev/shm/left-behind', 'left-behind')]\n")["result"]
    assert files == [False, False, False]


def test_a_child_cannot_read_the_zygotes_memory_or_descriptors(warm):
    """Check that the zygote is not dumpable: its memory and open descriptors are closed to children."""
    reply = _call("def probe():\n    out = []\n"
                  "    try:\n        out.append(open('/proc/2/mem', 'rb').read(1))\n"
                  "    except OSError as error:\n        out.append(type(error).__name__)\n"
                  "    for fd in os.listdir('/proc/2/fd'):\n"
                  "        for action in (os.readlink, lambda path: os.open(path, os.O_RDONLY)):\n"
                  "            try:\n                out.append(action(f'/proc/2/fd/{fd}'))\n"
                  "            except OSError as error:\n                out.append(type(error).__name__)\n"
                  "    return out\n")
    assert reply["result"] and all(item == "PermissionError" for item in reply["result"]), reply


@pytest.mark.parametrize("attack", [signal.SIGKILL, signal.SIGSTOP])
def test_a_killed_or_stopped_zygote_is_replaced(warm, monkeypatch, attack):
    """Check that a student who kills or stops the zygote costs only a restart of it."""
    monkeypatch.setattr(warm_sandbox, "_OWNED", warm)
    with contextlib.suppress(trusted.SandboxFailure):  # killing the zygote kills the child too
        _call(f"def probe():\n    os.kill(os.getppid(), {int(attack)})\n")
    time.sleep(0.5)
    assert not warm.healthy(timeout=2)
    warm_sandbox.provide(LIMITS)
    assert warm.healthy()
    assert _call("def probe(x):\n    return x + 1\n", 1)["result"] == 2


def test_other_limits_or_no_zygote_start_a_fresh_sandbox(warm, monkeypatch):
    """Check that the server falls back to a fresh sandboxed process when the zygote does not fit."""
    server = trusted.FunctionServer("", [("answer", "def probe():\n    return 1\n")], ["probe"],
                                    sandbox.Limits(call_seconds=5))
    try:
        server.ensure_running()
        assert not isinstance(server.process, warm_sandbox.WarmChild)
        assert server.call("probe", (), {})["result"] == 1
    finally:
        server.close()


def test_the_bound_runtime_folder_is_capped(warm):
    """Check that a child filling the host folder bound into the sandbox is stopped."""
    folder = str(warm.runtime)
    server = _server(f"def probe():\n    for n in range(40):\n"
                     f"        open({folder!r} + f'/f{{n}}', 'wb').write(b'x' * (16 * 2**20))\n"
                     f"        import time\n        time.sleep(0.05)\n    return 'not stopped'\n")
    try:
        with pytest.raises(trusted.SandboxFailure):
            server.call("probe", (), {})
    finally:
        server.close()
    time.sleep(0.5)
    assert not any(warm.runtime.iterdir()), "the folder was not emptied"


def test_the_kernel_launcher_forks_a_warm_kernel_in_the_runtime_folder(warm, monkeypatch, tmp_path):
    """Check that nbgrader's kernel comes from the warm sandbox, with the imports already done."""
    from jupyter_client.manager import KernelManager

    from autograder.sandboxed_kernel import KERNEL_NAME, install_kernelspec

    monkeypatch.setenv("JUPYTER_PATH", str(install_kernelspec(tmp_path / "jupyter")))
    for name, value in (("COURSE_CALL_SECONDS", "20"), ("COURSE_STARTUP_SECONDS", "60")):
        monkeypatch.setenv(name, value)  # the launcher reads the limits from the environment
    manager = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(warm.runtime / "kernel-test"),
                            connection_file=str(warm.runtime / "kernel-test.json"))
    manager.start_kernel()
    client = manager.client()
    outputs: list[dict] = []
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(
            "import os, sys\nprint(os.getppid(), 'keras' in sys.modules, os.getcwd())", timeout=60,
            output_hook=lambda msg: outputs.append(msg))
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    parent, imported, _ = text.split()
    assert parent == "2" and imported == "True", text  # a child of the zygote, Keras already imported
    time.sleep(0.5)
    assert not any(warm.runtime.iterdir()), "the runtime folder was not emptied after the kernel"

