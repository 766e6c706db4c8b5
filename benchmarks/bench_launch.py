"""Start-up time of a Python the grader starts: ``python -m MODULE`` against
:func:`autograder.isolation.launch.python_command` (``-P``, the package finder, ``runpy``), interleaved runs.

    .venv/bin/python benchmarks/bench_launch.py [--runs 40] [--module autograder.isolation.wire]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from autograder.isolation import launch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--module", default="autograder.isolation.wire", help="a module that does nothing when run")
    args = parser.parse_args()
    commands = {f"python -m {args.module}": [sys.executable, "-m", args.module],
                "launch.python_command": launch.python_command(args.module)}
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():  # interleaved: a load change hits both alike
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            seconds[name].append(time.perf_counter() - started)
    for name, values in seconds.items():
        print(f"{name}: median {statistics.median(values) * 1000:.0f} ms, "
              f"fastest {min(values) * 1000:.0f} ms ({args.runs} runs)")


if __name__ == "__main__":
    main()
