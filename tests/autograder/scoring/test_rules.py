"""Exercise rules: stated in the notebooks, read from the answer cells, recorded at run time, judged.

The rule-breaking and correct student variants (tests/autograder/checks/test_grader_variants.py) cover every
chapter's rules on real answers; these tests pin down the parts: the stated format, what the reader
follows and flags, who answers for a finding, what the recorder reports and what the grader believes
of it, the course setting, the visible warning, and one trusted grading in the sandbox.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import linecache
import sys
import textwrap
import types

import nbformat
import pytest

from autograder.checks.rules import warn_if_rule_broken
from autograder.isolation import sandbox
from autograder.pipeline import records
from autograder.scoring import intake, policy, reach, rule_judge, rule_reader, rules, trusted
from autograder.scoring.job import CellResult, TrustedReport
from tests.paths import REPO

SOURCES = sorted((REPO / "source").glob("*/*.ipynb"))
SPLITS = {name: rules.ExerciseRule(name, ("sklearn.model_selection",), "Exercise rule: do not use it.")
          for name in ("k_fold_indices", "shuffled_k_fold_indices")}


def _violations(source: str, stated: dict = SPLITS,
                setup: str = "import numpy as np") -> list[rule_judge.RuleViolation]:
    return rule_judge.judge(stated, rule_reader.read_code([("k_fold_indices", textwrap.dedent(source))], setup))


# ---------------------------------------------------------------------------- stated rules
def test_every_graded_function_states_a_rule_whose_names_exist():
    for path in SOURCES:
        spec = intake.read_source(path)
        assert set(spec.rules) == set(spec.functions), f"{path.parent.name}: a graded function states no rule"
        for rule in spec.rules.values():
            for name in rule.forbidden:
                module, _, attribute = name.rpartition(".")
                try:
                    found = importlib.import_module(name)
                except ImportError:
                    found = getattr(importlib.import_module(module), attribute, None)
                assert found is not None, f"{rule.function}: `{name}` names nothing"


def test_the_release_states_the_rules_the_grader_enforces():
    """The sentence students read (the release's docstring) parses to the rule the grader applies
    (the source's): one text, so the two cannot differ."""
    for path in SOURCES:
        release = nbformat.read(REPO / "release" / path.parent.name / path.name, as_version=4)
        stated = {}
        for cell in release.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.source.startswith("def "):
                docstring = cell.source.split('"""')[1]
                stated[meta["grade_id"]] = rules.parse_rule(meta["grade_id"], docstring)
        assert stated == intake.read_source(path).rules, path.parent.name


def test_each_ruled_function_warns_in_its_visible_test_cell():
    for path in SOURCES:
        spec, nb = intake.read_source(path), nbformat.read(path, as_version=4)
        visible = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                   if c.metadata.get("nbgrader", {}).get("grade") and "### BEGIN HIDDEN TESTS" not in c.source}
        for function, rule in spec.rules.items():
            warns = f"warn_if_rule_broken({function})" in visible.get(f"test_{function}_visible", "")
            assert warns == rule.restricts, f"{function}: the visible cell should warn exactly when a rule restricts"


@pytest.mark.parametrize("docstring, forbidden", [
    ("Contract: ...\n\nExercise rule: do not use `sklearn.model_selection`.", ("sklearn.model_selection",)),
    ("Exercise rule: do not use `a.b`, `c` or `d.e` (your own `f` is fine).", ("a.b", "c", "d.e")),
    ("Exercise rule: do not use `a`,\n    `b`, or `c`\n    (text).", ("a", "b", "c")),
    ("Exercise rule: none (it calls the model).", ()),
    ("Contract: no rule paragraph.", None),
])
def test_a_rule_is_one_fixed_format_paragraph(docstring, forbidden):
    rule = rules.parse_rule("f", docstring)
    assert (rule.forbidden if rule else None) == forbidden


@pytest.mark.parametrize("docstring", [
    "Exercise rule: avoid sklearn.",
    "Exercise rule: do not use sklearn.model_selection.",
    "Exercise rule: do not use `not a name`.",
    "Exercise rule: none.\n\nExercise rule: do not use `a`.",
])
def test_a_malformed_rule_stops_the_notebook_from_being_read(docstring):
    with pytest.raises(rules.RuleFormatError):
        rules.parse_rule("f", docstring)


# --------------------------------------------------------------------------- reading the code
@pytest.mark.parametrize("source", [
    "from sklearn.model_selection import KFold as K\ndef k_fold_indices(n, k):\n    return K(k)",
    "import sklearn.model_selection as ms\ndef k_fold_indices(n, k):\n    return ms.KFold(k)",
    "from sklearn import model_selection\ndef k_fold_indices(n, k):\n    return model_selection.KFold(k)",
    "import sklearn\ndef k_fold_indices(n, k):\n    return sklearn.model_selection.KFold(k)",
    "import sklearn\ndef k_fold_indices(n, k):\n    return getattr(sklearn, 'model_selection').KFold(k)",
    "import importlib\ndef k_fold_indices(n, k):\n    return importlib.import_module('sklearn.model_selection')",
    "def k_fold_indices(n, k):\n    return __import__('sklearn.model_selection', fromlist=['KFold']).KFold(k)",
    "import sys\ndef k_fold_indices(n, k):\n    return sys.modules['sklearn.model_selection'].KFold(k)",
    "def k_fold_indices(n, k):\n    import sklearn.model_selection\n    return 1",
    "from sklearn.model_selection import KFold\nSPLITTER = KFold\ndef k_fold_indices(n, k):\n    return SPLITTER(k)",
    "from sklearn.model_selection import KFold\ndef k_fold_indices(n, k, make=KFold):\n    return make(k)",
    "import sklearn.model_selection as ms\nclass Folds:\n    def split(self, k):\n        return ms.KFold(k)\n"
    "def k_fold_indices(n, k):\n    return Folds().split(k)",
    "def k_fold_indices(n, k):\n    return checks.KFold(k)",  # a name the setup imported
])
def test_reading_follows_imports_aliases_and_helpers(source):
    importlib.import_module("autograder.checks.validation")  # as the setup cell imports it
    found = _violations(source, setup="import numpy as np\nfrom autograder.checks import validation as checks")
    assert [v for v in found if v.kind == rules.FORBIDDEN and v.rule == "sklearn.model_selection"], found


@pytest.mark.parametrize("source, trick", [
    ("def k_fold_indices(n, k):\n    return eval('1')", "eval"),
    ("def k_fold_indices(n, k):\n    exec('x = 1')", "exec"),
    ("def k_fold_indices(n, k):\n    return compile('1', 'f', 'eval')", "compile"),
    ("import sklearn\ndef k_fold_indices(n, k):\n    return getattr(sklearn, 'model_' + 'selection')", "getattr"),
    ("import importlib\ndef k_fold_indices(n, k):\n    return importlib.import_module('sk' + 'x')", "import_module"),
    ("def k_fold_indices(n, k):\n    return __import__('sk' + 'learn')", "__import__"),
    ("import sys\ndef k_fold_indices(n, k):\n    return sys.modules['sklearn.' + 'x']", "sys.modules"),
    ("import sys\ndef k_fold_indices(n, k):\n    sys.setprofile(None)", "sys.setprofile"),
    ("def k_fold_indices(n, k):\n    return k_fold_indices.__globals__['np']", "__globals__"),
    ("def k_fold_indices(n, k):\n    return globals()['np']", "globals"),
    ("import functools\ndef k_fold_indices(n, k):\n    return functools.reduce(getattr, ['a'], np)", "getattr"),
    ("import autograder.scoring.reach\ndef k_fold_indices(n, k):\n    return autograder.scoring.reach.Recorder",
     "autograder"),
    ("import sys\ndef k_fold_indices(n, k):\n    m = sys\n    return getattr(m, 'set' + 'profile')", "getattr"),
    ("import sys, inspect\ndef k_fold_indices(n, k):\n    return dict(inspect.getmembers(sys))", "inspect"),
    ("import pydoc\ndef k_fold_indices(n, k):\n    return pydoc.locate('sys.setprofile')", "pydoc"),
    ("import sys\nsys.setprofile = print\ndef k_fold_indices(n, k):\n    return sys.setprofile", "replaces"),
    # the red team's routes (issue 17): a resolver by string, a renamed module, another process
    ("import string, sklearn\ndef k_fold_indices(n, k):\n"
     "    return string.Formatter().get_field('0.model_' + 'selection', [sklearn], {})", "string.Formatter"),
    ("import logging.config\ndef k_fold_indices(n, k):\n"
     "    return logging.config.BaseConfigurator({}).resolve('sklearn.x')", "logging.config"),
    ("def k_fold_indices(n, k):\n    m = n\n    m.__name__ = 'numpy.hidden'\n    return m", "__name__"),
    ("def k_fold_indices(n, k):\n    setattr(n, '__name__', 'numpy')\n    return n", "setattr"),
    ("def k_fold_indices(n, k):\n    setattr(n, 'na' + 'me', 1)\n    return n", "setattr"),
    ("import asyncio\ndef k_fold_indices(n, k):\n    return asyncio.create_subprocess_exec('python')",
     "asyncio.create_subprocess_exec"),
])
def test_code_that_hides_what_it_uses_breaks_every_rule(source, trick):
    found = _violations(source)
    assert [v for v in found if v.kind == rules.DYNAMIC and trick in v.found], found


@pytest.mark.parametrize("source", [
    "def k_fold_indices(n, k):\n    KFold = np.array_split\n    return KFold(np.arange(n), k)",
    "def k_fold_indices(history, k):\n    return getattr(history, 'history', history)",
    "def k_fold_indices(n, k):\n    '''Not sklearn.model_selection: a string.'''\n    return np.random.default_rng(k)",
    "# from sklearn.model_selection import KFold\ndef k_fold_indices(n, k):\n    return [getattr(x, 'T') for x in n]",
    "from sklearn.model_selection import KFold  # imported, never used\ndef k_fold_indices(n, k):\n    return n",
    "import keras\ndef k_fold_indices(w, k):\n    return float(keras.ops.sum(keras.ops.square(w)))",
    "import math\ndef k_fold_indices(n, k):\n    return getattr(math, 'sqrt')(n)",
    "def k_fold_indices(n, k):\n    class Fold:\n        pass\n    f = Fold()\n    f.size = n\n    setattr(f, 'k', k)\n"
    "    return f",
])
def test_honest_code_is_not_flagged(source):
    assert _violations(source) == []


def test_a_finding_counts_against_the_graded_function_whose_code_holds_it():
    found = _violations("""
        from sklearn.model_selection import KFold
        def k_fold_indices(n, k):
            return list(KFold(k).split(np.arange(n)))
        def shuffled_k_fold_indices(n, k, seed):
            order = np.random.default_rng(seed).permutation(n)
            return [(order[a], order[b]) for a, b in k_fold_indices(n, k)]
    """)
    assert {v.function for v in found} == {"k_fold_indices"}, found
    assert {(v.cell, v.line) for v in found} == {("k_fold_indices", 2), ("k_fold_indices", 4)}


def test_a_graded_function_without_a_rule_does_not_shield_a_ruled_one_that_calls_it():
    stated = {"dropout_forward": rules.ExerciseRule("dropout_forward", ("keras.layers.Dropout",), "x"),
              "mc_dropout_predict": rules.ExerciseRule("mc_dropout_predict", (), "none")}
    found = _violations("""
        import keras
        def mc_dropout_predict(model, X, n_passes):
            if model == "layer":
                return keras.layers.Dropout(X)
            return None
        def dropout_forward(a, rate, rng, training=True):
            return mc_dropout_predict("layer", rate, 1)(a, training=True)
    """, stated)
    assert {v.function for v in found} == {"dropout_forward"}, found


def test_each_answer_cell_is_read_under_its_own_label_and_lines():
    code = rule_reader.read_code([("k_fold_indices", "import numpy as np\n\ndef k_fold_indices(n, k):\n    return 1\n"),
                            ("cell 9 (student helper)", "def helper():\n    return 2\n"),
                            ("broken", "def (:\n")])
    assert [(s.cell, s.first_line, s.last_line, s.binds) for s in code.statements] == [
        ("k_fold_indices", 1, 1, ("np",)), ("k_fold_indices", 3, 4, ("k_fold_indices",)),
        ("cell 9 (student helper)", 1, 2, ("helper",))]
    assert code.unreadable == ["broken"]
    assert rule_reader.CodeMap.from_json(code.to_json()) == code


# --------------------------------------------------------------------------- the run-time record
def _student_function(source: str, label: str = "k_fold_indices") -> types.FunctionType:
    namespace = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(source), label, "exec"), namespace)  # noqa: S102 - source written in this test
    return namespace[label]


def test_the_recorder_reports_watched_library_code_with_the_students_lines():
    recorder = reach.Recorder()
    recorder.student_files.add("k_fold_indices")
    function = _student_function("""
        import json
        def helper(text):
            return json.loads(text)
        def k_fold_indices(n, k):
            x = eval("1")
            return helper("[1]")
    """)
    with recorder.recording(("json",)) as report:
        function(3, 2)
    assert report["intact"] is True
    record = rule_judge.decode_record("k_fold_indices", report)
    calls = [r for r in record.reached if r.kind == "call"]
    assert calls[0].target == "json.loads" and calls[0].frames == (("k_fold_indices", 4), ("k_fold_indices", 7))
    assert [r.frames[0] for r in record.reached if r.kind == "exec"] == [("k_fold_indices", 6)]
    with recorder.recording(("json",)) as report:
        function(3, 2)
        sys.setprofile(None)  # what a student's code could do
    assert report["intact"] is False


def test_the_recorder_sees_itself_switched_off_even_when_put_back():
    recorder = reach.Recorder()
    recorder.student_files.add("k_fold_indices")
    function = _student_function("""
        import sys
        from functools import partial

        def k_fold_indices(n, k):
            hook = sys.getprofile()
            partial(sys.setprofile, None)()  # however it is found, it is seen being called
            sys.setprofile(hook)
            return n
    """)
    with recorder.recording(("json",)) as report:
        function(3, 2)
    assert report["intact"] is True  # put back: only the call gives it away
    record = rule_judge.decode_record("k_fold_indices", report)
    assert [(r.kind, r.target, r.frames[0]) for r in record.reached] == [
        ("tamper", "sys.setprofile", ("k_fold_indices", 7)), ("tamper", "sys.setprofile", ("k_fold_indices", 8))]
    code = rule_reader.read_code([("k_fold_indices", "")])
    found = rule_judge.judge(SPLITS, code, [record])
    assert [(v.kind, v.line) for v in found] == [(rules.RECORDER, 0)]  # no statement there: the function is blamed
    uses_json = _student_function("import json\ndef k_fold_indices(n, k):\n    return json.loads('[1]')\n")
    sys_setprofile = sys.setprofile
    try:
        sys.setprofile = lambda hook: None  # replaced by an answer's top-level code
        with recorder.recording(("json",)) as report:
            uses_json(3, 2)
    finally:
        sys.setprofile = sys_setprofile
    assert report["intact"] is True and report["reached"][0]["target"] == "json.loads", \
        "the recorder uses the real sys.setprofile"


def test_the_recorder_sees_a_first_import_under_a_watched_name_run():
    recorder = reach.Recorder()
    recorder.student_files.add("cell")
    sys.modules.pop("json.tool", None)
    function = _student_function("def cell():\n    import json.tool\n", label="cell")
    with recorder.recording(("json.tool",)) as report:
        function()
    assert [(r["kind"], r["target"], r["frames"][0]) for r in report["reached"]] == [
        ("call", "json.tool.<module>", ["cell", 2])]


def test_what_the_sandbox_reports_is_believed_only_against_the_student():
    code = rule_reader.read_code([("k_fold_indices", "def k_fold_indices(n, k):\n    return 1\n")])
    forged = {"intact": True, "reached": [
        {"kind": "call", "target": "sklearn.model_selection.KFold plus hidden test text", "frames": []},
        {"kind": "call", "target": "sklearn.model_selection._split.KFold.split", "frames": [["invented", 3]]},
        {"kind": "other", "target": "x", "frames": []}]}
    found = rule_judge.judge(SPLITS, code, [rule_judge.decode_record("k_fold_indices", forged)])
    assert [(v.found, v.cell, v.line) for v in found] == [
        ("sklearn.model_selection._split.KFold.split", "k_fold_indices", 0)]
    silent = rule_judge.judge(SPLITS, code, [rule_judge.decode_record("k_fold_indices", None)])
    assert [v.kind for v in silent] == [rules.RECORDER]
    unruled = rule_judge.judge({"k_fold_indices": rules.ExerciseRule("k_fold_indices", (), "none")}, code,
                          [rule_judge.decode_record("k_fold_indices", None)])
    assert unruled == []


def test_names_are_compared_by_what_they_are():
    keras = pytest.importorskip("keras")
    assert keras is not None
    target = rules.resolve_target("keras.regularizers")
    assert target.covers(rules.names_of("tensorflow.keras.regularizers.l2"))
    assert target.covers({rules.canonical("keras.src.regularizers.regularizers.L2.__call__")})
    assert not target.covers(rules.names_of("keras.ops.sum"))
    dropout = rules.resolve_target("keras.layers.Dropout")
    assert dropout.covers({rules.canonical("keras.src.layers.regularization.dropout.Dropout.call")})
    assert not dropout.covers({rules.canonical("keras.src.layers.layer.Layer.__call__")})


# ------------------------------------------------------------------------ what a violation costs
def _report() -> TrustedReport:
    return TrustedReport(cells=[CellResult("test_k_fold_indices_visible", 1, True),
                                CellResult("test_shuffled_k_fold_indices_visible", 1, True)])


def test_a_violation_withholds_the_functions_points_or_only_flags_it():
    violation = rule_judge.RuleViolation("k_fold_indices", rules.FORBIDDEN, "sklearn.model_selection",
                                    "sklearn.model_selection.KFold", "k_fold_indices", 7, rules.READING)
    withheld = _report()
    policy.apply_rules(withheld, [violation], rule_judge.WITHHOLD)
    assert [c.passed for c in withheld.cells] == [False, True]
    assert "line 7 of its answer cell" in withheld.cells[0].message and "do not use `sklearn.model_selection`" \
        in withheld.cells[0].message
    assert withheld.flags and "points withheld" in withheld.flags[0]
    flagged = _report()
    policy.apply_rules(flagged, [violation], rule_judge.FLAG)
    assert [c.passed for c in flagged.cells] == [True, True] and "flagged only" in flagged.flags[0]
    assert rule_judge.violations_from_json(flagged.violations) == [violation]


def test_the_course_setting_says_what_a_violation_costs(tmp_path):
    assert records.rule_mode(tmp_path) == rule_judge.WITHHOLD  # no nbgrader_config.py
    config = tmp_path / "nbgrader_config.py"
    config.write_text((REPO / "nbgrader_config.py").read_text())
    assert records.rule_mode(tmp_path) == rule_judge.WITHHOLD
    (tmp_path / "source" / "a").mkdir(parents=True)
    before = records.grading_inputs_digest(tmp_path, "a")
    config.write_text(config.read_text() + '\nc.ExerciseRules.on_violation = "flag"\n')
    assert records.rule_mode(tmp_path) == rule_judge.FLAG
    assert records.grading_inputs_digest(tmp_path, "a") != before, "changing the setting must regrade"
    config.write_text(config.read_text() + '\nc.ExerciseRules.on_violation = "ignore"\n')
    with pytest.raises(ValueError, match="on_violation"):
        records.rule_mode(tmp_path)


# ------------------------------------------------------------------------------ the visible warning
def _notebook_function(source: str, name: str) -> types.FunctionType:
    label = f"<cell {len(linecache.cache)}>"  # a file name of its own, as IPython gives each cell
    source = textwrap.dedent(source)
    linecache.cache[label] = (len(source), None, source.splitlines(True), label)  # as IPython keeps cells
    namespace = {"__name__": "__main__"}
    exec(compile(source, label, "exec"), namespace)  # noqa: S102 - source written in this test
    return namespace[name]


def test_the_visible_cell_warns_about_a_broken_rule_and_never_fails():
    cheat = _notebook_function('''
        import numpy as np
        from sklearn.model_selection import KFold

        def _folds(n, k):
            return list(KFold(k).split(np.arange(n)))

        def k_fold_indices(n_samples, k):
            """Folds.

            Exercise rule: do not use `sklearn.model_selection`.
            """
            return _folds(n_samples, k)
    ''', "k_fold_indices")
    honest = _notebook_function('''
        import numpy as np

        def k_fold_indices(n_samples, k):
            """Folds.

            Exercise rule: do not use `sklearn.model_selection`.
            """
            return [(np.setdiff1d(np.arange(n_samples), v), v) for v in np.array_split(np.arange(n_samples), k)]
    ''', "k_fold_indices")
    printed = {}
    for name, function in [("cheat", cheat), ("honest", honest), ("proxy", object()),
                           ("no source", _student_function("def k_fold_indices(n, k):\n    return 1\n"))]:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            warn_if_rule_broken(function)
        printed[name] = out.getvalue()
    assert "line 6 of cell '_folds'" in printed["cheat"] and "would get 0 points" in printed["cheat"]
    assert printed["honest"] == printed["proxy"] == printed["no source"] == ""


# ------------------------------------------------------------------------- trusted grading, sandboxed
def test_a_cheat_loses_its_functions_points_and_honest_functions_keep_theirs():
    """Trusted grading in the sandbox: k_fold_indices fetches KFold by a name built at run time (the
    reading sees only the trick, the recorder sees KFold run); shuffled_k_fold_indices is honest and
    calls it, and keeps its points."""
    spec = intake.read_source(REPO / "source" / "02-validation" / "validation.ipynb")
    cheat = textwrap.dedent("""
        import sys
        import numpy as np

        def k_fold_indices(n_samples, k):
            if k < 2 or k > n_samples:
                raise ValueError("bad k")
            splitter = getattr(sys.modules["sklearn." + "model_selection"], "K" + "Fold")(k)
            return list(splitter.split(np.arange(n_samples)))
    """)
    honest = textwrap.dedent("""
        def shuffled_k_fold_indices(n_samples, k, seed):
            order = np.random.default_rng(seed).permutation(n_samples)
            return [(order[train], order[val]) for train, val in k_fold_indices(n_samples, k)]
    """)
    received = intake.Intake(answer_cells=[("k_fold_indices", cheat), ("shuffled_k_fold_indices", honest)])
    job = intake.make_job(spec, received, sandbox.Limits(call_seconds=30.0, startup_seconds=120.0))
    job.test_cells = [t for t in job.test_cells if t["grade_id"].startswith(
        ("test_k_fold_indices_", "test_shuffled_k_fold_indices_"))]
    report = trusted.check_submission(job)
    verdicts = {c.grade_id: c for c in report.cells}
    assert {g for g, c in verdicts.items() if c.passed} == {g for g in verdicts if g.startswith("test_shuffled")}
    assert all(c.message.startswith("withheld: k_fold_indices breaks its exercise rule")
               for g, c in verdicts.items() if g.startswith("test_k_fold"))
    found = rule_judge.violations_from_json(report.violations)
    assert {(v.function, v.kind, v.seen) for v in found} == {
        ("k_fold_indices", rules.DYNAMIC, rules.READING), ("k_fold_indices", rules.FORBIDDEN, rules.RUNNING)}
    assert any(v.line == 8 and v.rule == "sklearn.model_selection" for v in found)
    assert [f for f in report.flags if "exercise rule" in f] and "points withheld" in report.flags[-1]


def test_code_too_deep_to_read_is_flagged_and_reading_never_fails():
    deep = "def k_fold_indices(n, k):\n    return np" + ".a" * 1500 + "\n"
    compile(deep, "deep", "exec")  # Python runs it
    assert [v.found for v in _violations(deep)] == ["is nested too deeply to be read"]
    assert rule_reader.read_code([("k_fold_indices", "def k_fold_indices(:\n")]).unreadable == ["k_fold_indices"]


def test_a_function_made_by_hidden_code_is_flagged():
    """An answer that builds its graded function with exec has no statement the reader can follow:
    the function itself is flagged, as is the exec (for the ruled functions of its cell)."""
    code = rule_reader.read_code([("k_fold_indices", "exec('def k_fold_indices(n, k):\\n    return []')\n"),
                            ("shuffled_k_fold_indices", "def shuffled_k_fold_indices(n, k, seed):\n    return []\n")])
    found = rule_judge.judge(SPLITS, code, defined=["k_fold_indices", "shuffled_k_fold_indices"])
    assert [(v.function, v.kind, v.line) for v in found] == [("k_fold_indices", rules.DYNAMIC, 0)], found
    assert "made at run time" in found[0].describe()
    code = rule_reader.read_code([("k_fold_indices", "import sys\nsys.setprofile = print\n"
                                               "def k_fold_indices(n, k):\n    return []\n")])
    assert [(v.function, v.line) for v in rule_judge.judge(SPLITS, code)] == [("k_fold_indices", 2)]


def test_the_function_server_records_the_call_and_the_conversion_of_an_odd_result():
    """A result that is not plain data runs the student's code when converted (``__array__``): the
    recorder still watches then; plain arrays are converted after it stops."""
    from autograder.isolation import function_server

    server = function_server.Server()
    source = textwrap.dedent("""
        import json
        import numpy as np

        class Lazy:
            def __array__(self, dtype=None, copy=None):
                return np.asarray(json.loads("[1, 2]"))

        def k_fold_indices(n, k):
            return Lazy() if k == 2 else np.arange(n)
    """)
    assert server.exec_cell({"label": "k_fold_indices", "source": source, "watch": ["json"]})["ok"]
    lazy = server.call({"name": "k_fold_indices", "args": (3, 2), "kwargs": {}, "watch": ["json"]})
    assert [(r["target"], r["frames"][0]) for r in lazy["reach"]["reached"]][:1] == [
        ("json.loads", ["k_fold_indices", 7])]
    plain = server.call({"name": "k_fold_indices", "args": (3, 3), "kwargs": {}, "watch": ["json"]})
    assert plain["ok"] and plain["reach"] == {"reached": [], "intact": True}
    unwatched = server.call({"name": "k_fold_indices", "args": (3, 2), "kwargs": {}})
    assert unwatched["ok"] and "reach" not in unwatched


def test_no_graded_function_may_use_the_graders_code_whatever_its_rule():
    """Check that a function with no rule of its own still may not use the grader's checks as an oracle."""
    stated = {"overfitting_onset": rules.ExerciseRule("overfitting_onset", (), "Exercise rule: none (any code).")}
    oracle = ("def overfitting_onset(val_losses):\n    from autograder.checks import fitting\n"
              "    try:\n        fitting.check_overfitting_onset(lambda v: -1)\n"
              "    except AssertionError as error:\n        return int(str(error).split()[-1])\n")
    found = rule_judge.judge(stated, rule_reader.read_code([("overfitting_onset", oracle)], "import numpy as np"))
    assert [v for v in found if v.function == "overfitting_onset"], found
    honest = "def overfitting_onset(val_losses):\n    return int(np.argmin(val_losses)) + 1\n"
    assert rule_judge.judge(stated, rule_reader.read_code([("overfitting_onset", honest)], "import numpy as np")) == []
