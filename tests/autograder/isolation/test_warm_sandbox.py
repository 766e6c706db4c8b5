"""The warm sandbox: children forked from one sandboxed process, and nothing passes between them.

Each test plays two submissions through one zygote: the first one attacks (leaves processes,
files, folder modes, IPC objects, startup files; signals or re-limits the zygote), the second
one looks for what the first left. Nothing may be there, and the zygote must stay healthy.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from autograder.isolation import sandbox, warm_sandbox
from autograder.scoring import function_client

pytestmark = pytest.mark.skipif(not warm_sandbox.available(),
                                reason="warm sandboxes need bubblewrap and a grader running as root")
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


def _replace_if_unhealthy(owner: warm_sandbox.WarmSandbox, monkeypatch) -> None:
    """What the grading process does between submissions: a new zygote if this one is not healthy,
    advertised to the function servers it starts next."""
    owner.ensure()
    monkeypatch.setenv(warm_sandbox.ENV_VAR, owner.description())


def _memory_cgroups_writable() -> bool:
    """Whether this process may make a capped memory cgroup (it makes one and removes it)."""
    cgroup = sandbox.MemoryCgroup(2**30)
    try:
        return cgroup.path is not None
    finally:
        cgroup.close()


def _server(answer: str, functions=("probe",)) -> function_client.FunctionServer:
    server = function_client.FunctionServer("import os\n", [("answer", answer)], list(functions), LIMITS)
    server.ensure_running()
    return server


def _call(answer: str, *args):
    server = _server(answer)
    try:
        assert isinstance(server.process, warm_sandbox.WarmChild), "the server was not forked warm"
        return server.call("probe", args, {})
    finally:
        server.close()


def _result(answer: str, *args):
    reply = _call(answer, *args)
    assert reply["ok"], reply
    return reply["result"]


def _pids_source() -> str:
    return "def probe():\n    return sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"


def test_a_forked_function_server_answers_calls(warm):
    """Check that the trusted proxy talks to a forked function server as to a fresh one."""
    assert _result("def probe(x):\n    return x * 2\n", 21) == 42


def test_a_child_runs_as_another_identity_in_new_folders_without_capabilities(warm):
    """Check that student code runs as the sandbox's identity, with no capability, in new empty folders."""
    found = _result("def probe():\n"
                    "    status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
                    "    folders = ['/tmp', '/dev/shm', os.getcwd(), os.environ['HOME']]\n"
                    "    return [os.getuid(), os.getgid(), status['CapEff'].strip(), status['CapBnd'].strip() != '',\n"
                    "            status['NoNewPrivs'].strip(), [os.listdir(f) for f in folders],\n"
                    "            [os.stat(f).st_uid for f in folders]]\n")
    uid, gid, effective, _, no_new_privs, listings, owners = found
    assert (uid, gid) == (sandbox.SANDBOX_UID, sandbox.SANDBOX_GID)
    assert int(effective, 16) == 0, f"capabilities left: {effective}"
    assert no_new_privs == "1"
    assert listings == [[], [], [], []], listings
    assert owners == [sandbox.SANDBOX_UID] * 4


def test_no_process_or_file_of_one_submission_reaches_the_next(warm):
    """Check that background processes and files left by one child are gone for the next."""
    planted = ("import subprocess\nsubprocess.Popen(['sleep', '100'], start_new_session=True)\n"
               "if os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(100)\n"
               "open('/tmp/left-behind', 'w').write('x')\nopen('/dev/shm/left-behind', 'w').write('x')\n"
               "open('left-behind', 'w').write('x')\n" + _pids_source())
    first = _result(planted)
    assert len(first) >= 5, "the planted processes did not start"
    second = _result(_pids_source())
    assert len(second) == 3, f"processes survived into the next submission: {second}"
    files = _result("def probe():\n    return [os.path.exists(p) for p in "
                    "('/tmp/left-behind', '/dev/shm/left-behind', 'left-behind')]\n")
    assert files == [False, False, False]


# What the first submission leaves: folders it cannot be made to give up, in each writable place.
POISON = """
import stat
def probe():
    done = []
    for folder in ['/tmp', '/dev/shm', os.getcwd(), os.path.expanduser('~')]:
        try:
            keep = os.path.join(folder, 'keep')
            os.makedirs(os.path.join(keep, 'ipython', 'profile_default', 'startup'), exist_ok=True)
            open(os.path.join(keep, 'ipython', 'profile_default', 'startup', '00-steal.py'), 'w').write('x = 1')
            os.chmod(os.path.join(keep, 'ipython', 'profile_default', 'startup'), 0o555)
            os.chmod(keep, 0o555)
            open(os.path.join(folder, 'sparse'), 'wb').truncate(2**40)
        except OSError:
            pass
        for mode in (0o555, 0):
            try:
                os.chmod(folder, mode)
                done.append((folder, mode))
            except OSError:
                pass
    for ipython in ('/tmp/ipython', os.environ.get('IPYTHONDIR', '/tmp/ipython')):
        try:
            os.makedirs(os.path.join(ipython, 'profile_default', 'startup'), exist_ok=True)
            open(os.path.join(ipython, 'profile_default', 'startup', '00-steal.py'), 'w').write('x = 1')
            os.chmod(ipython, 0o555)
        except OSError:
            pass
    return done
"""


def test_folder_modes_and_read_only_folders_do_not_reach_the_next_submission(warm):
    """Check that a child that makes its folders read-only or unreachable, with files in them, leaves nothing."""
    assert _result(POISON), "the poisoning did nothing: the test would prove nothing"
    assert warm.healthy(), warm.problem()
    found = _result("def probe():\n    folders = ['/tmp', '/dev/shm', os.getcwd()]\n"
                    "    return [[os.listdir(f), oct(os.stat(f).st_mode & 0o777), os.access(f, os.W_OK)] "
                    "for f in folders]\n")
    assert found == [[[], "0o700", True]] * 3, found


def test_system_v_ipc_and_abstract_sockets_are_not_shared(warm):
    """Check that a System V shared memory segment or an abstract socket of one child is gone for the next."""
    ipc = ("import ctypes, socket\nlibc = ctypes.CDLL(None, use_errno=True)\n"
           "def probe(create):\n"
           "    segment = libc.shmget(0x5EED, 4096, (0o1000 | 0o666) if create else 0o666)\n"
           "    if create:\n"
           "        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
           "        listener.bind('\\0course-leak')\n"
           "        listener.listen(1)\n"
           "        globals()['keep'] = listener\n"
           "        return segment\n"
           "    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
           "    try:\n        other.connect('\\0course-leak')\n        reached = True\n"
           "    except OSError:\n        reached = False\n"
           "    return [segment, reached]\n")
    assert _result(ipc, True) >= 0, "the segment was not created: the test would prove nothing"
    assert _result(ipc, False) == [-1, False]


def test_kernel_keys_and_new_user_namespaces_are_refused(warm):
    """Check that no child can make a key (keys outlive processes) or a user namespace (a machine-wide count)."""
    found = _result("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                    "def probe():\n    out = []\n"
                    "    out.append(libc.syscall(248, b'user', b'leak', b'hidden', 6, -4))\n"  # add_key, user keyring
                    "    out.append(libc.syscall(250, 0, -4, 0))\n"  # keyctl(GET_KEYRING_ID, user keyring)
                    "    out.append(libc.unshare(0x10000000))\n"  # CLONE_NEWUSER
                    "    out.append(libc.unshare(0x00020000))\n"  # CLONE_NEWNS alone: no capability left
                    "    pid = os.fork()\n"  # threads and processes still start (clone without the flag)
                    "    if pid == 0:\n        os._exit(7)\n"
                    "    out.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
                    "    import threading\n    box = []\n"
                    "    thread = threading.Thread(target=box.append, args=(1,))\n    thread.start()\n"
                    "    thread.join()\n    out.append(box)\n"
                    "    return out\n") if os.uname().machine == "x86_64" else None
    if found is None:
        pytest.skip("the system call numbers are x86_64's")
    assert found == [-1, -1, -1, -1, 7, [1]], found


def test_a_child_cannot_read_the_zygotes_memory_or_descriptors(warm):
    """Check that the zygote is not dumpable: its memory and open descriptors are closed to children."""
    found = _result("def probe():\n    out = []\n"
                    "    for action in (lambda: open('/proc/2/mem', 'rb').read(1), lambda: os.listdir('/proc/2/fd'),\n"
                    "                   lambda: os.readlink('/proc/2/fd/3'),\n"
                    "                   lambda: os.open('/proc/2/fd/3', os.O_RDONLY),\n"
                    "                   lambda: open('/proc/2/environ').read()):\n"
                    "        try:\n            out.append(action())\n"
                    "        except OSError as error:\n            out.append(type(error).__name__)\n"
                    "    return out\n")
    assert found == ["PermissionError"] * 5, found


@pytest.mark.parametrize("attack", [
    "os.kill(os.getppid(), signal.SIGKILL)", "os.kill(os.getppid(), signal.SIGSTOP)",
    "os.kill(-1, signal.SIGSTOP)",
    "resource.prlimit(os.getppid(), resource.RLIMIT_AS, (2**20, 2**20))",
    "resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (3, 3))",
    "os.setpriority(os.PRIO_PROCESS, os.getppid(), 19)",
])
def test_a_child_cannot_signal_or_limit_the_zygote(warm, attack):
    """Check that student code can neither kill, stop nor re-limit the zygote, which stays healthy."""
    found = _result(f"import resource, signal\ndef probe():\n    try:\n        {attack}\n"
                    f"        return 'done'\n    except OSError as error:\n        return type(error).__name__\n")
    assert found in ("PermissionError", "done") and (found != "done" or attack.startswith("os.kill(-1")), found
    assert warm.healthy(), warm.problem()
    assert _result("def probe(x):\n    return x + 1\n", 1) == 2


def _cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


def _descendants(root: int) -> list[int]:
    """The processes under ``root`` (children, their children...), read from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGSTOP])
def test_a_zygote_killed_or_stopped_from_outside_is_replaced(warm, signum, monkeypatch):
    """Check that a zygote that dies or hangs (no student can do it) costs only a restart."""
    os.kill(warm.process.pid, 0)
    # only this sandbox's zygote: another test (or grader) on the machine has warm sandboxes too
    zygote = [pid for pid in _descendants(warm.process.pid)
              if b"autograder.isolation.zygote" in _cmdline(pid)]
    assert zygote
    for pid in zygote:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)
    time.sleep(0.3)
    assert warm.problem(timeout=2) is not None
    _replace_if_unhealthy(warm, monkeypatch)
    assert warm.healthy()
    assert _result("def probe(x):\n    return x + 1\n", 1) == 2


def test_a_changed_runtime_folder_makes_the_owner_replace_the_sandbox(warm, monkeypatch):
    """Check that the owner's check fails closed on anything left in the runtime folder."""
    (warm.runtime / "left").write_text("x")
    assert warm.problem() == "the runtime folder was changed"
    old = warm.process.pid
    _replace_if_unhealthy(warm, monkeypatch)
    assert warm.process.pid != old and warm.healthy()


def test_a_child_cannot_write_the_runtime_folder(warm):
    """Check that the host folder bound into the sandbox is closed to children, but for a kernel's own folder."""
    folder = str(warm.runtime)
    found = _result(f"def probe():\n    out = []\n"
                    f"    for action in (lambda: open({folder!r} + '/f', 'w'), lambda: os.chmod({folder!r}, 0),\n"
                    f"                   lambda: os.listdir({folder!r})):\n"
                    f"        try:\n            action()\n            out.append('done')\n"
                    f"        except OSError as error:\n            out.append(type(error).__name__)\n"
                    f"    return out\n")
    assert found == ["PermissionError"] * 3, found
    assert warm.healthy()


def _start_kernel(folder, monkeypatch, tmp_path):
    from jupyter_client.manager import KernelManager

    from autograder.isolation.sandboxed_kernel import KERNEL_NAME, install_kernelspec

    monkeypatch.setenv("JUPYTER_PATH", str(install_kernelspec(tmp_path / "jupyter")))
    for name, value in (("COURSE_CALL_SECONDS", "20"), ("COURSE_STARTUP_SECONDS", "60")):
        monkeypatch.setenv(name, value)  # the launcher reads the limits from the environment
    manager = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(folder / "kernel"),
                            connection_file=str(folder / "kernel.json"))
    manager.start_kernel()
    return manager


def _run_in_kernel(warm, monkeypatch, tmp_path, code, may_stop: bool = False) -> str:
    """Run ``code`` (or ``code(folder)``, given the kernel's folder) in a warm kernel; its stdout.
    With ``may_stop``, the launcher may stop the kernel on the way (then the output so far)."""
    with warm.kernel_folder() as folder:
        manager = _start_kernel(folder, monkeypatch, tmp_path)
        client = manager.client()
        outputs: list[dict] = []
        try:
            client.start_channels()
            client.wait_for_ready(timeout=60)
            source = code(folder) if callable(code) else code
            reply = client.execute_interactive(source, timeout=60, output_hook=outputs.append)
            assert may_stop or reply["content"]["status"] == "ok", reply["content"]
        except (TimeoutError, RuntimeError):
            if not may_stop:
                raise
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    assert not folder.exists(), "the kernel's folder was not removed"
    # stdout only: IPython may complain on stderr about the folders a test made read-only
    return "".join(m["content"].get("text", "") for m in outputs
                   if m["msg_type"] == "stream" and m["content"].get("name") == "stdout")


def test_the_kernel_launcher_forks_a_warm_kernel_in_a_folder_of_its_own(warm, monkeypatch, tmp_path):
    """Check that nbgrader's kernel comes from the warm sandbox, with the imports already done."""
    text = _run_in_kernel(warm, monkeypatch, tmp_path,
                          "import os, sys\nprint(os.getppid(), 'keras' in sys.modules, os.getuid())")
    parent, imported, uid = text.split()
    assert parent == "2" and imported == "True", text  # a child of the zygote, Keras already imported
    assert int(uid) == sandbox.SANDBOX_UID
    assert warm.healthy(), warm.problem()
    assert not any(warm.runtime.iterdir())


def test_a_startup_file_planted_by_one_kernel_never_runs_in_the_next(warm, monkeypatch, tmp_path):
    """Check that each kernel has its own IPython, Jupyter and Matplotlib folders."""
    plant = ("import os, IPython\nfrom pathlib import Path\n"
             "startup = Path(IPython.paths.get_ipython_dir()) / 'profile_default' / 'startup'\n"
             "startup.mkdir(parents=True, exist_ok=True)\n"
             "(startup / '00-steal.py').write_text('STOLEN = True')\n"
             "for folder in (startup, startup.parent, startup.parent.parent):\n    os.chmod(folder, 0o555)\n"
             "print(os.environ['IPYTHONDIR'], os.environ['MPLCONFIGDIR'], os.environ['JUPYTER_CONFIG_DIR'])")
    # the first line (IPython may then complain about the read-only folders the test made)
    first = _run_in_kernel(warm, monkeypatch, tmp_path, plant).splitlines()[0].split()
    assert len(first) == 3, first
    second = _run_in_kernel(warm, monkeypatch, tmp_path,
                            "import os\nprint('STOLEN' in globals(), os.path.exists(os.path.join(\n"
                            "    os.environ['IPYTHONDIR'], 'profile_default', 'startup', '00-steal.py')))")
    assert second.splitlines()[0].split() == ["False", "False"], second


def test_a_kernel_cannot_fill_the_host_disk_through_its_folder(warm, monkeypatch, tmp_path):
    """Check that the one host folder a kernel may write to is capped (in memory, and watched by the launcher)."""
    def fill(folder):
        return (f"import os\nkept, refused = [], 0\nfor n in range(40):\n    try:\n"
                f"        handle = open({str(folder)!r} + f'/f{{n}}', 'wb')\n"
                f"        handle.write(b'x' * (16 * 2**20))\n        handle.flush()\n"
                f"        os.unlink(handle.name)\n        kept.append(handle)\n"  # deleted, still held open
                f"    except OSError:\n        refused += 1\nprint(len(kept), refused)")

    text = _run_in_kernel(warm, monkeypatch, tmp_path, fill, may_stop=True)
    if text.split():  # not stopped: the writes past the cap were refused
        kept, refused = map(int, text.split()[:2])
        assert kept * 16 * 2**20 <= LIMITS.disk_bytes and refused > 0, text
    assert warm.healthy(), warm.problem()


def test_other_limits_or_no_zygote_start_a_fresh_sandbox(warm):
    """Check that the server falls back to a fresh sandboxed process when the zygote does not fit."""
    server = function_client.FunctionServer("", [("answer", "def probe():\n    return 1\n")], ["probe"],
                                    sandbox.Limits(call_seconds=5))
    try:
        server.ensure_running()
        assert not isinstance(server.process, warm_sandbox.WarmChild)
        assert server.call("probe", (), {})["result"] == 1
    finally:
        server.close()


MEMFD_HOG = ("def probe(chunks):\n"
             "    held = []\n"
             "    for _ in range(chunks):  # memfd pages: not in the address space, so RLIMIT_AS misses them\n"
             "        fd = os.memfd_create('hog')\n"
             "        for _ in range(4):\n"
             "            os.write(fd, b'1' * 2**24)\n"
             "        held.append(fd)\n"
             "    return len(held)\n")


@pytest.mark.skipif(not _memory_cgroups_writable(), reason="memory cgroups are not writable")
def test_memory_the_address_space_limit_misses_stops_at_the_sandboxs_own_cap(monkeypatch):
    """Check that in-memory files beyond the sandbox's memory cap kill a child of that sandbox only."""
    limits = sandbox.Limits(call_seconds=60, startup_seconds=60, sandbox_memory_bytes=2 * 2**30)
    monkeypatch.delenv(warm_sandbox.ENV_VAR, raising=False)
    owner = warm_sandbox.WarmSandbox(limits)
    owner.start()
    try:
        assert owner.healthy(), owner.problem()
        monkeypatch.setenv(warm_sandbox.ENV_VAR, owner.description())
        bystander = os.getpid()
        server = function_client.FunctionServer("import os\n", [("answer", MEMFD_HOG)], ["probe"], limits)
        server.ensure_running()
        try:
            assert isinstance(server.process, warm_sandbox.WarmChild)
            with pytest.raises(function_client.SandboxFailure):
                server.call("probe", (48,), {})  # 3 GiB
        finally:
            server.close()
        assert owner.process.poll() is None, "the out-of-memory killer took the zygote"
        os.kill(bystander, 0)
        assert owner.problem() == "a process reached the sandbox's memory limit (2 GiB)"
        _replace_if_unhealthy(owner, monkeypatch)  # a new zygote: a modest submission runs again
        server = function_client.FunctionServer("import os\n", [("answer", MEMFD_HOG)], ["probe"], limits)
        server.ensure_running()
        try:
            assert server.call("probe", (4,), {})["result"] == 4
        finally:
            server.close()
        assert owner.healthy(), owner.problem()
    finally:
        owner.close()
