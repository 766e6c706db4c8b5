"""The class's grade table (autograder.pipeline.tables)."""

from __future__ import annotations


def test_grade_table_columns_line_up_for_long_names():
    from autograder.pipeline.results import StudentResult
    from autograder.pipeline.tables import format_table

    table = format_table([
        StudentResult("demo-reference", "05-weight-regularization", 24, 24, True, True, 22.5),
        StudentResult("broken", "02-validation", 0, 17, False, False, 1.0, ["autograde failed: NotJSONError: x"]),
    ])
    rows = [line for line in table.splitlines() if not line.startswith(("-", "    !"))]
    assert len({line.index("score") if i == 0 else None for i, line in enumerate(rows)} - {None}) == 1
    score_column = rows[0].index("score") + len("score")
    assert rows[1][:score_column].rstrip().endswith("24.0") and rows[2][:score_column].rstrip().endswith("0.0")
    assert "NOT GRADED" in table and "NotJSONError" in table


