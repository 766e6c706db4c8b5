"""Imports done ahead of time by the warm processes (:mod:`autograder.isolation.forkserver`,
:mod:`autograder.isolation.warm_sandbox`): one step at a time, so a process can serve a request between
steps. No step runs a TensorFlow operation or starts a thread (a fork after either is unsafe).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterable
from pathlib import Path

# what the notebooks' setup cells and the checks import
NOTEBOOK_MODULES = ("numpy", "pandas", "matplotlib.pyplot", "seaborn", "sklearn.model_selection",
                    "sklearn.linear_model", "sklearn.dummy", "sklearn.metrics", "sklearn.cluster",
                    "sklearn.decomposition", "sklearn.preprocessing")


def import_keras() -> None:
    from course.runtime import import_keras as quietly

    quietly()


def import_package_modules(package: str) -> None:
    """Every module of ``package`` (``course``, ``autograder.checks``) but its command-line ones."""
    folder = Path(importlib.import_module(package).__file__).parent
    for path in sorted(folder.rglob("*.py")):
        if path.stem not in {"__init__", "__main__", "claims"}:
            importlib.import_module(".".join([package, *path.relative_to(folder).with_suffix("").parts]))


def render_html_once() -> None:
    """Export a small notebook to HTML: what nbconvert imports and sets up on first use (Markdown,
    highlighting, templates) is then done before feedback pages are rendered."""
    import nbformat
    from nbconvert.exporters import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A *title*\n\n- $x^2$, `code`"),
                                         nbformat.v4.new_code_cell("print('x')  # comment")])
    HTMLExporter().from_notebook_node(nb)


def steps(modules: Iterable[str]) -> list[str | Callable[[], None]]:
    """``modules``, then Keras, then the course package and the checks."""
    return [*modules, import_keras, lambda: import_package_modules("autograder.checks"),
            lambda: import_package_modules("course")]


def run(step: str | Callable[[], None]) -> None:
    """One step; a failure is left for the command that needs the module to report."""
    with contextlib.suppress(Exception):
        importlib.import_module(step) if isinstance(step, str) else step()
