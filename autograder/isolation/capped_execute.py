"""nbgrader's Execute preprocessor with a cap on output bytes, running only the graded cells.

nbgrader's ``LimitOutput`` counts lines, and only after the whole notebook has run: one 50 MB
line, or a loop of ``display(HTML(...))`` until the cell's time limit, is kept in the grader's
memory and written into the autograded notebook. :class:`CappedExecute` counts the bytes of every
output message as it arrives and keeps nothing past ``max_output_bytes`` per notebook (one note
says where the output was cut). The grading pipeline swaps it in for ``Execute`` through
:func:`autograde_preprocessor_flags`.

With ``graded_cells_only`` (what grading uses) it runs the cells a grade depends on: the locked
setup cell, the answer cells and the test cells (every cell with nbgrader metadata). The
lecture's own code cells (experiments that train models) and cells a student added are left
unrun: no score depends on them (the trusted checks run the setup and answer cells only), and
they are most of a notebook's run time.
"""

from __future__ import annotations

import json
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

DEFAULT_MAX_OUTPUT_BYTES = 2 * 2**20
# the messages whose bytes count toward the cap
OUTPUT_MESSAGES = ("stream", "display_data", "execute_result", "error", "update_display_data")


def message_bytes(msg: dict) -> int:
    """Size of an output message's content (text, data, tracebacks) in bytes."""
    content = msg.get("content", {})
    try:
        return len(json.dumps(content, default=str).encode("utf-8", "replace"))
    except (TypeError, ValueError, RecursionError):
        return 0


class CappedExecute(Execute):
    """``Execute`` that drops output beyond ``max_output_bytes`` in one notebook."""

    max_output_bytes = Integer(
        DEFAULT_MAX_OUTPUT_BYTES, help="Output bytes kept per notebook; later output is dropped."
    ).tag(config=True)

    graded_cells_only = Bool(
        False, help="Run only cells with nbgrader metadata (setup, answers, tests)."
    ).tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output_bytes_seen = 0
        self.output_truncated = False

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        self.output_bytes_seen, self.output_truncated = 0, False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> Any:
        if self.graded_cells_only and cell.cell_type == "code" and not cell.metadata.get("nbgrader"):
            cell.outputs, cell.execution_count = [], None
            return cell, self.resources
        return super().preprocess_cell(cell, resources, index)

    def _over_cap(self, msg: dict) -> bool:
        self.output_bytes_seen += message_bytes(msg)
        return self.output_bytes_seen > self.max_output_bytes

    def output(self, outs: list[NotebookNode], msg: dict, display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        if msg.get("msg_type") in OUTPUT_MESSAGES and self._over_cap(msg):
            if msg.get("msg_type") == "error":
                # keep the error itself (it decides the in-kernel verdict), without its text
                content = msg["content"]
                msg = {**msg, "content": {"ename": str(content.get("ename", ""))[:200],
                                          "evalue": "", "traceback": []}}
                return super().output(outs, msg, display_id, cell_index)
            if not self.output_truncated:
                self.output_truncated = True
                note = new_output("stream", name="stdout",
                                  text=f"\n[output cut: over {self.max_output_bytes} bytes in this notebook]\n")
                outs.append(note)
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id: str, msg: dict) -> None:
        if self._over_cap(msg):
            return
        super()._update_display_id(display_id, msg)


def autograde_preprocessor_flags(max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
                                 graded_cells_only: bool = True) -> list[str]:
    """Command-line flags that make ``nbgrader autograde`` use :class:`CappedExecute`.

    The list is nbgrader's own default with ``Execute`` replaced, so the other preprocessors
    stay whatever the installed nbgrader runs.
    """
    from nbgrader.converters.autograde import Autograde

    flags = []
    for cls in Autograde.class_traits()["autograde_preprocessors"].default():
        if cls is Execute:
            cls = CappedExecute
        flags.append(f"--Autograde.autograde_preprocessors={cls.__module__}.{cls.__name__}")
    flags.append(f"--CappedExecute.max_output_bytes={int(max_output_bytes)}")
    flags.append(f"--CappedExecute.graded_cells_only={graded_cells_only}")
    return flags
