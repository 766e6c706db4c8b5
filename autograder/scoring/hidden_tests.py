"""The hidden part of a test cell: what a student may see of it, what runs, and keeping its
lines out of every message a student reads.

A test cell's hidden part lies between :data:`HIDDEN_MARKERS` (nbgrader's markers).
"""

from __future__ import annotations

import re
import unicodedata

HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
HIDDEN_PLACEHOLDER = "# (hidden tests)"  # what the feedback shows where the hidden part was


def visible_source(source: str, placeholder: str | None = HIDDEN_PLACEHOLDER) -> str:
    """A test cell's source without the hidden part (what a student may see), with ``placeholder``
    where it was (None: nothing)."""
    lines, hidden = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_MARKERS[0]:
            hidden = True
            if placeholder is not None:
                lines.append(placeholder)
        elif line.strip() == HIDDEN_MARKERS[1]:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def has_hidden_part(source: str) -> bool:
    return HIDDEN_MARKERS[0] in source


def runnable_source(source: str) -> str:
    """The whole cell, markers left out (what the trusted side runs)."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in HIDDEN_MARKERS)


def hidden_lines(source: str) -> list[str]:
    """The lines of a test cell's hidden part worth looking for in a message (not blank lines,
    comments or a bare keyword)."""
    lines, hidden = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped in HIDDEN_MARKERS:
            hidden = stripped == HIDDEN_MARKERS[0]
        elif hidden and len(stripped) >= 8 and not stripped.startswith("#"):
            lines.append(stripped)
    return lines


_TERMINAL_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def plain_text(text: str) -> str:
    """``text`` without terminal escape sequences and invisible characters (control and format
    characters but newline and tab): what a page shows is what a check of the text sees."""
    text = _TERMINAL_ESCAPE.sub("", str(text))
    return "".join(ch for ch in text if ch in "\n\t" or not unicodedata.category(ch).startswith("C"))


def redact_hidden(text: str, lines: list[str]) -> str:
    """``text`` with every hidden test line in it replaced: whatever a student's code managed to
    learn, its error messages never carry hidden test code into feedback (it is made plain first,
    so that no invisible character inside a line hides it)."""
    text = plain_text(text)
    for line in sorted(set(lines), key=len, reverse=True):
        if line in text:
            text = text.replace(line, "[hidden test code]")
    return text
