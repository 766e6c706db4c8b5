"""List every name of the ``course`` package that the notebooks, tests, benchmarks and the grader
use, and check that each resolves.

A use is ``from course.<module> import <name>``, ``from course import <module>`` (then every
``<module>.<name>`` in the same notebook or file), ``import course.<module> [as alias]`` (then
``course.<module>.<name>`` or ``alias.<name>``), and a claim's ``"course.<module>:<function>"``
string. Notebooks are read cell by cell (IPython's ``%``/``!`` lines are dropped); a cell or a
file that does not parse is reported. Students' deliberately wrong submissions
(``tests/student_variants``) are left out: some import names that do not exist on purpose.

    python -m tests.course_names          # prints every unresolved use, then a summary; exits 1 if any
    python -m tests.course_names --list   # also every use, one a line
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_GLOBS = ("source/*/*.ipynb", "release/*/*.ipynb")
PYTHON_GLOBS = ("tests/**/*.py", "benchmarks/**/*.py", "autograder/**/*.py", "course/**/*.py")
LEFT_OUT = ("tests/student_variants/",)
CLAIM_STRING = re.compile(r"""["'](course(?:\.\w+)+):(\w+)["']""")


@dataclass(frozen=True)
class Use:
    """One name of the course package that one place uses."""

    place: str  # file, with ``#cell`` for a notebook's cell
    module: str  # ``course.workflow``
    name: str  # ``build_classifier``; empty for the module itself


def _sources(root: Path) -> Iterator[tuple[str, str]]:
    for pattern in NOTEBOOK_GLOBS:
        for path in sorted(root.glob(pattern)):
            nb = nbformat.read(path, as_version=4)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
                    yield f"{path.relative_to(root)}#cell{index}", "\n".join(lines)
    for pattern in PYTHON_GLOBS:
        for path in sorted(root.glob(pattern)):
            relative = str(path.relative_to(root))
            if not relative.startswith(LEFT_OUT):
                yield relative, path.read_text()


def _uses_in(place: str, source: str, aliases: dict[str, str]) -> Iterator[Use]:
    """The uses in one cell or file; ``aliases`` (local name -> course module) carries a
    notebook's imports from cell to cell."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "course":
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"course.{alias.name}"
                    yield Use(place, f"course.{alias.name}", "")
            elif node.module.startswith("course."):
                for alias in node.names:
                    yield Use(place, node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("course."):
                    aliases[alias.asname or alias.name] = alias.name
                    yield Use(place, alias.name, "")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node.value)
            if dotted in aliases:
                yield Use(place, aliases[dotted], node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for module, name in CLAIM_STRING.findall(f'"{node.value}"'):
                yield Use(place, module, name)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def uses(root: Path = ROOT) -> tuple[list[Use], list[str]]:
    """Every use, and the places that did not parse."""
    found: list[Use] = []
    unparsed: list[str] = []
    aliases: dict[str, str] = {}
    current_file = ""
    for place, source in _sources(root):
        file = place.split("#")[0]
        if file != current_file:
            aliases, current_file = {}, file
        try:
            found.extend(_uses_in(place, source, aliases))
        except SyntaxError:
            unparsed.append(place)
    return found, unparsed


def resolves(use: Use) -> bool:
    try:
        module = importlib.import_module(use.module)
    except ImportError:
        return False
    if not use.name or hasattr(module, use.name):
        return True
    try:  # ``from course.pkg import submodule``
        importlib.import_module(f"{use.module}.{use.name}")
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every use, not only the unresolved ones")
    args = parser.parse_args(argv)
    found, unparsed = uses()
    distinct = sorted({(u.module, u.name) for u in found})
    verdict = {key: resolves(Use("", *key)) for key in distinct}
    for use in found:
        if args.list or not verdict[(use.module, use.name)]:
            mark = "ok" if verdict[(use.module, use.name)] else "UNRESOLVED"
            print(f"{mark:10} {use.module}{'.' + use.name if use.name else ''}  ({use.place})")
    for place in unparsed:
        print(f"{'UNPARSED':10} {place}")
    unresolved = [key for key, ok in verdict.items() if not ok]
    files = {use.place.split("#")[0] for use in found}
    print(f"{len(found)} uses of {len(distinct)} distinct course names in {len(files)} files"
          f": {len(unresolved)} unresolved, {len(unparsed)} cells or files that do not parse")
    return 1 if unresolved or unparsed else 0


if __name__ == "__main__":
    sys.exit(main())
