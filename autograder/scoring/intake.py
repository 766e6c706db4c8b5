"""Read a submission as data: take out the student's answers, note every sign of tampering.

Nothing here runs student code. The submitted file is only read. Test cells always come from
the trusted source notebook, so an edited, deleted or re-labelled test cell cannot change what
is checked; it is reported as a flag. Answers are found by grade_id; an answer cell that lost
its nbgrader metadata is recovered by the function it defines (and flagged). Student-added
cells that only define things (functions, classes, imports, constants) are kept, so helpers
written in a separate cell still work; other free cells (plots, experiments) are not run.
"""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograder.isolation import sandbox
from autograder.layout import NOTEBOOK_SUFFIX
from autograder.scoring import rule_judge, rule_reader, rules
from autograder.scoring.hidden_tests import visible_source
from autograder.scoring.job import GradingJob


@dataclass
class SourceSpec:
    """What the trusted source notebook says is graded, and how."""

    setup: str
    answers: dict[str, dict]  # grade_id -> {"kind": "function"|"values", "names": [...], "source": str}
    test_cells: list[dict]  # {"grade_id", "points", "source"}
    cell_ids: set[str]
    # function -> its exercise rule, from the answer cell's docstring (``Exercise rule: ...``)
    rules: dict[str, rules.ExerciseRule] = field(default_factory=dict)

    @property
    def functions(self) -> list[str]:
        return [n for a in self.answers.values() if a["kind"] == "function" for n in a["names"]]

    @property
    def value_names(self) -> list[str]:
        return [n for a in self.answers.values() if a["kind"] == "values" for n in a["names"]]


def nbgrader_metadata(cell: Any) -> dict:
    """A cell's nbgrader metadata (``grade_id``, ``solution``, ``grade``, ``points``...); empty when
    it has none or a submission's cell is malformed (not a dict, metadata not a dict)."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    value = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return value if isinstance(value, dict) else {}


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(s) for s in source)
    return source if isinstance(source, str) else ""


def _defined_names(source: str) -> tuple[list[str], list[str]]:
    """Top-level function names and assigned names of a cell (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], []
    functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assigned = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
    return functions, assigned


def read_source(path: Path) -> SourceSpec:
    """What the source notebook grades: answers, test cells, and each graded function's exercise
    rule (raises :class:`autograder.scoring.rules.RuleFormatError` for a malformed one)."""
    nb = nbformat.read(path, as_version=4)
    setup, answers, tests, stated = "", {}, [], {}
    for cell in nb.cells:
        meta = nbgrader_metadata(cell)
        grade_id = meta.get("grade_id")
        if grade_id == "setup":
            setup = cell.source
        elif meta.get("solution") and cell.cell_type == "code":
            functions, assigned = _defined_names(cell.source)
            if grade_id in functions:
                answers[grade_id] = {"kind": "function", "names": [grade_id]}
                rule = rules.parse_rule(grade_id, _docstring(cell.source, grade_id))
                if rule is not None:
                    stated[grade_id] = rule
            else:
                answers[grade_id] = {"kind": "values", "names": sorted(set(assigned))}
        elif meta.get("grade") and cell.cell_type == "code":
            tests.append({"grade_id": grade_id, "points": float(meta.get("points", 0)), "source": cell.source})
    return SourceSpec(setup, answers, tests, {c.get("id") for c in nb.cells if c.get("id")}, stated)


def _docstring(source: str, function: str) -> str | None:
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    return ast.get_docstring(node)


MAX_NOTEBOOK_BYTES = 20 * 2**20  # a larger submission is not read
MAX_ANSWER_CHARS = 100_000  # a longer answer cell is not run (it would only stall the grader)


@dataclass
class Intake:
    """The student's answers, as source text, and what looked wrong."""

    answer_cells: list[tuple[str, str]] = field(default_factory=list)  # (label, source)
    flags: list[str] = field(default_factory=list)
    readable: bool = True
    reason: str = ""
    code: rule_reader.CodeMap | None = None  # the answer cells read as code, for the exercise rules


def _definitions_only(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    allowed = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    for node in tree.body:
        if isinstance(node, allowed):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # a docstring
            continue
        return False
    return bool(tree.body)


def _normalized(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def read_notebook_file(path: Path) -> tuple[bytes | None, str]:
    """The submitted notebook's bytes (read only), else None and why (too large, unreadable)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return None, _too_large(size)
        return Path(path).read_bytes(), ""
    except OSError as error:
        return None, _unreadable(error)


def read_submission(path: Path, spec: SourceSpec) -> Intake:
    """Parse the submitted notebook (read only) and collect answers and flags; never raises."""
    raw, reason = read_notebook_file(path)
    if raw is None:
        return Intake(readable=False, reason=reason)
    return read_submission_bytes(raw, spec)


def read_submission_bytes(raw: bytes, spec: SourceSpec) -> Intake:
    """Parse a submitted notebook given as bytes and collect answers and flags; never raises."""
    try:
        intake = _read_submission(raw, spec)
    except (Exception, RecursionError) as error:  # noqa: BLE001 - any odd structure: unreadable
        return Intake(readable=False, reason=f"not a readable notebook: {type(error).__name__}"[:300])
    for label, source in list(intake.answer_cells):
        if len(source) > MAX_ANSWER_CHARS:
            intake.answer_cells.remove((label, source))
            intake.flags.append(f"answer cell {label!r} holds {len(source)} characters, more than "
                                f"{MAX_ANSWER_CHARS}: it was not run")
    if intake.readable and any(rule.restricts for rule in spec.rules.values()):
        try:
            intake.code = rule_reader.read_code(intake.answer_cells, spec.setup)
        except Exception as error:  # noqa: BLE001 - the grader's own failure: grading goes on, flagged
            intake.code = rule_reader.CodeMap(unreadable=[label for label, _ in intake.answer_cells])
            intake.flags.append(f"the answer cells could not be read for the exercise rules: {type(error).__name__}")
    return intake


def _too_large(size: int) -> str:
    return (f"the notebook is {size / 2**20:.0f} MB, more than the {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB "
            "a submission may be")


def _unreadable(error: BaseException) -> str:
    reason = f"not a readable notebook: {type(error).__name__}: {error}"
    return reason.encode("utf-8", "replace").decode("utf-8")[:300]


def _read_submission(raw: bytes, spec: SourceSpec) -> Intake:
    intake = Intake()
    if len(raw) > MAX_NOTEBOOK_BYTES:
        intake.readable, intake.reason = False, _too_large(len(raw))
        return intake
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # ValueError: bad UTF-8 or JSON
        intake.readable, intake.reason = False, _unreadable(error)
        return intake
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        intake.readable, intake.reason = False, "not a notebook: no list of cells"
        return intake
    if data.get("nbformat") != 4:
        intake.flags.append(f"nbformat {data.get('nbformat')!r} instead of 4; read as far as possible")
    cells = [c for c in data["cells"] if isinstance(c, dict)]
    code_cells = [c for c in cells if c.get("cell_type") == "code"]

    by_grade_id: dict[str, list[dict]] = {}
    for cell in cells:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if isinstance(grade_id, str):
            by_grade_id.setdefault(grade_id, []).append(cell)
    for grade_id, found in by_grade_id.items():
        if len(found) > 1:
            intake.flags.append(f"grade_id {grade_id!r} appears {len(found)} times")

    # answers
    for grade_id, answer in spec.answers.items():
        candidates = [c for c in by_grade_id.get(grade_id, []) if c.get("cell_type") == "code"
                      and nbgrader_metadata(c).get("solution") and not nbgrader_metadata(c).get("grade")]
        if candidates:
            intake.answer_cells.append((grade_id, _source(candidates[0])))
            continue
        if grade_id in by_grade_id:
            intake.flags.append(f"answer cell {grade_id!r} was re-labelled (its nbgrader metadata changed)")
        recovered = _recover(code_cells, answer)
        if recovered is not None:
            intake.flags.append(f"answer cell {grade_id!r} lost its metadata; its code was found in another cell")
            intake.answer_cells.append((f"{grade_id} (recovered)", recovered))
        else:
            intake.flags.append(f"answer cell {grade_id!r} is missing")

    # test cells: only compared, never used
    for test in spec.test_cells:
        found = by_grade_id.get(test["grade_id"], [])
        if not found:
            intake.flags.append(f"test cell {test['grade_id']!r} was deleted or its grade_id changed")
            continue
        meta = nbgrader_metadata(found[0])
        if meta.get("solution") or not meta.get("grade"):
            intake.flags.append(f"test cell {test['grade_id']!r} was re-labelled")
        elif float(meta.get("points", -1)) != test["points"]:
            intake.flags.append(f"test cell {test['grade_id']!r} has changed points")
        if _normalized(_source(found[0])) != _normalized(visible_source(test["source"], placeholder=None)) and \
                _normalized(_source(found[0])) != _normalized(test["source"]):
            intake.flags.append(f"test cell {test['grade_id']!r} was edited")
    known = set(spec.answers) | {t["grade_id"] for t in spec.test_cells} | {"setup"}
    for grade_id in by_grade_id:
        if grade_id not in known and by_grade_id[grade_id] and any(
                nbgrader_metadata(c).get("grade") or nbgrader_metadata(c).get("solution")
                for c in by_grade_id[grade_id]):
            intake.flags.append(f"unknown graded cell {grade_id!r}")

    # helpers in student-added cells
    for index, cell in enumerate(code_cells):
        if nbgrader_metadata(cell) or cell.get("id") in spec.cell_ids:
            continue
        source = _source(cell)
        if _definitions_only(source):
            intake.answer_cells.append((f"cell {index + 1} (student helper)", source))
    return intake


def _recover(code_cells: list[dict], answer: dict) -> str | None:
    for cell in code_cells:
        if nbgrader_metadata(cell).get("grade"):
            continue
        functions, assigned = _defined_names(_source(cell))
        names = functions if answer["kind"] == "function" else assigned
        if set(answer["names"]) <= set(names):
            return _source(cell)
    return None


def special_files(submission_dir: Path) -> list[str]:
    """Symbolic links and anything that is not a regular file or folder, anywhere in the
    submission (they would let a copy or a kernel reach files outside it)."""
    found = []
    for path in sorted(Path(submission_dir).rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            found.append(str(path.relative_to(submission_dir)))
    return found


def extra_file_flags(submission_dir: Path, notebook_name: str) -> list[str]:
    """Files next to the notebook: harmless to trusted grading (the sandbox never sees them), but
    a ``.py`` file or package there would shadow a module in a kernel that runs in that folder."""
    flags = []
    for path in sorted(Path(submission_dir).iterdir()):
        if path.name == notebook_name or path.name.startswith(".ipynb_checkpoints"):
            continue
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
            flags.append(f"extra file {path.name!r} next to the notebook could shadow a module")
        elif path.suffix == NOTEBOOK_SUFFIX:
            flags.append(f"extra notebook {path.name!r} was ignored")
    return flags


def make_job(spec: SourceSpec, intake: Intake, limits: sandbox.Limits = sandbox.DEFAULT_LIMITS,
             rule_mode: str = rule_judge.WITHHOLD, grading_key: str | None = None) -> GradingJob:
    """Everything :func:`autograder.scoring.trusted.check_submission` needs."""
    code = intake.code
    if code is None:
        ruled = any(rule.restricts for rule in spec.rules.values())
        code = rule_reader.read_code(intake.answer_cells, spec.setup) if ruled else rule_reader.CodeMap()
    return GradingJob(setup=spec.setup, answer_cells=list(intake.answer_cells), functions=spec.functions,
                      answer_ids=list(spec.answers), values=spec.value_names, test_cells=spec.test_cells,
                      limits={k: getattr(limits, k) for k in limits.__dataclass_fields__},
                      exercise_rules=[asdict(rule) for rule in spec.rules.values()], code=code.to_json(),
                      rule_mode=rule_mode, grading_key=grading_key)
