"""Start a Python program (``python -m MODULE``) that imports the grader's own ``course`` and
``autograder`` files, wherever they came from.

The grader may run from a checkout other than the one the environment's editable install points
at, from a regular (site-packages) install, or from a conda environment. A plain
``python -m MODULE`` started by the grader would look the packages up again, in its own way: in
its working folder first (for the sandboxed kernel launcher, a folder that holds the student's
files), else through the editable install's finder, which may name another checkout (one the
sandbox does not mount, or another version of the checks). Every Python the grader starts (the
warm sandbox's zygote, the fresh function server, the kernel launcher and its sandboxed kernel,
the fork server and its fresh fallback) is started by :func:`python_command` instead:

- ``-P``: neither this file's folder nor the working folder comes first on ``sys.path`` (the
  working folder does for the commands that ask for it: the fork server's, which run in the
  grader's and the course's folders, as ``python -m`` would have them);
- this file, run as a script, puts a finder in front of ``sys.meta_path`` that maps ``course``
  and ``autograder`` to the folders the grader imported them from (:func:`package_folders`, the
  same folders :mod:`autograder.isolation.sandbox` mounts), whatever ``.pth`` files, editable finders or
  ``sys.path`` entries say; then it runs the module as ``python -m`` would.

``python -P launch.py SETUP MODULE ARGS...`` is that entry point (``SETUP``: JSON, the package
folders and whether the working folder goes first on ``sys.path``). It imports only the standard
library before the finder is in place.
"""

from __future__ import annotations

import importlib.util
import json
import os
import runpy
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path

PACKAGES = ("course", "autograder")


def package_folders() -> dict[str, Path]:
    """The folder of each of :data:`PACKAGES` as this process imported it (importing it if needed)."""
    return {name: Path(importlib.import_module(name).__file__).parent for name in PACKAGES}


def python_command(module: str, args: Sequence[str] = (), working_folder_first: bool = False) -> list[str]:
    """``python -m module *args`` for this interpreter, importing :func:`package_folders`.

    With ``working_folder_first`` its working folder comes first on ``sys.path``, as with
    ``python -m`` (for commands that run in the grader's or the course's folder: nbgrader's, say);
    never for one that runs where a student's files are, or in the sandbox."""
    folders = package_folders()
    entry = folders["autograder"] / Path(__file__).parent.name / Path(__file__).name  # this file, run as a script
    setup = {"packages": {name: str(folder) for name, folder in folders.items()},
             "working_folder_first": working_folder_first}
    return [sys.executable, "-P", str(entry), json.dumps(setup), module, *args]


class OwnPackages:
    """A meta path finder: each top-level package it knows comes from its folder, nowhere else
    (its submodules follow through the package's ``__path__``)."""

    def __init__(self, folders: dict[str, str]):
        self.folders = dict(folders)

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        folder = self.folders.get(fullname)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(fullname, os.path.join(folder, "__init__.py"),
                                                      submodule_search_locations=[folder])

    def invalidate_caches(self) -> None:
        pass


def pin(folders: dict[str, str]) -> None:
    """Make the packages of ``folders`` import from there in this process from now on."""
    for name in folders:  # a .pth file may have imported one from elsewhere already
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[loaded]
    sys.meta_path.insert(0, OwnPackages(folders))


def main(argv: list[str]) -> None:
    setup, module, args = json.loads(argv[0]), argv[1], argv[2:]
    pin(setup["packages"])
    if setup["working_folder_first"]:
        sys.path.insert(0, os.getcwd())
    sys.argv = [module, *args]  # the first item becomes the module's file, as with `python -m`
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
