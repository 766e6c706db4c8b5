"""A test cell's hidden part (autograder.scoring.hidden_tests): what is visible, what is redacted."""

from __future__ import annotations

from autograder.scoring import function_client, hidden_tests, intake
from tests.paths import REPO

CHAPTER = REPO / "source" / "02-validation" / "validation.ipynb"


def test_hidden_test_code_never_reaches_a_message():
    """Check that error text carrying lines of a hidden test is cut from every message, flag and cell error."""
    spec = intake.read_source(CHAPTER)
    hidden_cell = next(t for t in spec.test_cells if hidden_tests.has_hidden_part(t["source"]))
    lines = hidden_tests.hidden_lines(hidden_cell["source"])
    assert lines and all(not line.startswith("#") for line in lines)
    leaked = "found: " + "\n".join(lines[:3])
    assert not any(line in hidden_tests.redact_hidden(leaked, lines) for line in lines)
    assert "[hidden test code]" in hidden_tests.redact_hidden(leaked, lines)
    assert hidden_tests.redact_hidden("nothing here", lines) == "nothing here"
    hidden_in_escapes = "found: " + "\n".join(line[:3] + "\x1b[K" + line[3:] + "\u200b" for line in lines[:3])
    assert not any(line in hidden_tests.redact_hidden(hidden_in_escapes, lines) for line in lines)
    assert "\x1b" not in function_client.short_text("a\x1b[31mred\x1b[0m text\x07") == "ared text"
    visible = hidden_tests.visible_source(hidden_cell["source"])
    assert not any(line in visible for line in lines)


