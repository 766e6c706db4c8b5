"""A grader in miniature, for tests/autograder/isolation/test_sandbox_imports.py: it starts each kind of
Python process the grader starts and prints, as one JSON line, which ``course`` and ``autograder``
files each one imported.

Run as ``python -c "$(cat this file)" CONFIG`` in the folder the grader's packages should come from
(``-c`` puts that folder first on ``sys.path``, as ``python -m autograder`` run there would).
CONFIG (JSON): ``env`` (variables to set first: the limits the kernel launcher reads),
``children_cwd`` (the working folder of the fork server's commands), ``kernel_cwd`` (of the kernels:
a notebook's folder), ``stages`` (which processes to start; all when missing), ``hidden`` (paths
the function servers report when they can see them).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

# what every process runs to tell which files it imported (the copies the test makes hold a
# `checkout_marker` module with their own TOKEN; the checkout under test has none)
REPORT = '''
import importlib, json


def report():
    import autograder
    import course

    tokens = []
    for package in (autograder, course):
        try:
            tokens.append(importlib.import_module(package.__name__ + ".checkout_marker").TOKEN)
        except ImportError:
            tokens.append(None)
    return {"autograder": autograder.__file__, "course": course.__file__, "tokens": tokens}
'''
ANSWER = REPORT + "\n\ndef probe(paths):\n    return report(), [p for p in paths if os.path.exists(p)]\n"


def function_server(limits, warm: bool, hidden: list[str]) -> dict:
    """What a function server imported; with ``seen``: those of ``hidden`` it could see."""
    from autograder.isolation import warm_sandbox, wire
    from autograder.scoring import function_client

    server = function_client.FunctionServer("import os\n", [("answer", ANSWER)], ["probe"], limits)
    try:
        server.ensure_running()
        forked = isinstance(server.process, warm_sandbox.WarmChild)
        if forked != warm:
            return {"error": f"the function server was {'forked warm' if forked else 'started fresh'}"}
        reply = server.call("probe", (hidden,), {})
        if not reply.get("ok"):
            return {"error": str(reply.get("error"))}
        report, seen = wire.decode(reply["result"])
        return {**report, "seen": seen}
    finally:
        server.close()


def kernel(folder: Path, cwd: Path) -> dict:
    from jupyter_client.manager import KernelManager

    from autograder.isolation.sandboxed_kernel import KERNEL_NAME

    manager = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(folder / "kernel"),
                            connection_file=str(folder / "kernel.json"))
    manager.start_kernel(cwd=str(cwd))
    client = manager.client()
    outputs: list[dict] = []
    try:
        client.start_channels()
        client.wait_for_ready(timeout=180)
        reply = client.execute_interactive(REPORT + "\nprint(json.dumps(report()))", timeout=120,
                                           output_hook=outputs.append)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    text = "".join(m["content"].get("text", "") for m in outputs
                   if m["msg_type"] == "stream" and m["content"].get("name") == "stdout")
    if reply["content"]["status"] != "ok":
        return {"error": f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}"}
    return json.loads(text.strip().splitlines()[-1])


def command(scratch: Path, cwd: Path) -> dict:
    """``python -m course.checkout_marker`` through the fork server, or fresh when it is off."""
    from autograder.isolation import forkserver

    out, err = scratch / "out.txt", scratch / "err.txt"
    code, _ = forkserver.run_module("course.checkout_marker", [], cwd=cwd, env=None, stdout=out, stderr=err,
                                    timeout=300)
    if code != 0:
        return {"error": f"exit code {code}: {err.read_text()[-2000:]}"}
    return json.loads(out.read_text().strip().splitlines()[-1])


def main(config: dict) -> dict:
    os.environ.update(config.get("env", {}))
    from autograder.isolation import forkserver, sandbox, warm_sandbox
    from autograder.isolation.sandboxed_kernel import install_kernelspec

    namespace: dict = {}
    exec(REPORT, namespace)  # noqa: S102 - the report, in this process
    stages = config.get("stages") or ["fresh function server", "fresh kernel", "warm function server",
                                      "warm kernel", "fork server", "fresh command"]
    limits = sandbox.limits_from_env()
    scratch = Path(tempfile.mkdtemp(prefix="import-probe-"))
    os.environ["JUPYTER_PATH"] = str(install_kernelspec(scratch / "jupyter"))
    os.environ.pop(warm_sandbox.ENV_VAR, None)
    results: dict = {"grader": namespace["report"](), "warm sandboxes": warm_sandbox.available()}
    for stage in stages:
        try:
            if stage.startswith("warm") and not warm_sandbox.available():
                continue
            if stage == "fresh function server":
                results[stage] = function_server(limits, warm=False, hidden=config.get("hidden", []))
            elif stage == "fresh kernel":
                results[stage] = kernel(Path(tempfile.mkdtemp(dir=scratch)), Path(config["kernel_cwd"]))
            elif stage == "warm function server":
                warm_sandbox.provide(limits)
                results[stage] = function_server(limits, warm=True, hidden=config.get("hidden", []))
            elif stage == "warm kernel":
                warm_sandbox.provide(limits)
                with warm_sandbox.kernel_folder(limits, scratch / "unused") as folder:
                    results[stage] = kernel(folder, Path(config["kernel_cwd"]))
            elif stage == "fork server":
                os.environ[forkserver.ENV_SWITCH] = "on"
                results[stage] = command(scratch, Path(config["children_cwd"]))
            elif stage == "fresh command":
                os.environ[forkserver.ENV_SWITCH] = "off"
                results[stage] = command(scratch, Path(config["children_cwd"]))
        except Exception:  # noqa: BLE001 - reported to the test
            results[stage] = {"error": traceback.format_exc()[-3000:]}
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
