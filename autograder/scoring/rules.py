"""Exercise rules: what a graded function must not use, stated next to the exercise and enforced.

Each graded function's docstring in ``source/`` ends with one paragraph that the release keeps, so a
student reads the rule before writing code::

    Exercise rule: do not use `sklearn.model_selection`.
    Exercise rule: do not use `keras.regularizers`, `keras.constraints` or `tensorflow.nn.l2_loss`.
    Exercise rule: none (free text saying why).

:func:`parse_rule` turns it into an :class:`ExerciseRule` (intake keeps them in its ``SourceSpec``).
After the backticked names, free text may follow; only the names are forbidden. A module forbids
everything in it, a class or function itself and its methods. The rule is enforced twice:

- by reading the answer cells (:func:`read_code`, in intake): every dotted name they use, with the
  student's imports and aliases followed (``from sklearn.model_selection import KFold as K``,
  ``tf.keras...``, ``getattr(keras, "regularizers")``, ``importlib.import_module("...")``,
  ``__import__("...")``, ``sys.modules["..."]``), and every trick that hides a name from a reader
  (``exec``/``eval``/``compile``, a ``getattr`` or import of a computed name, the interpreter's
  internals, the grader's own recorder), which breaks every rule by itself;
- while the checks run the function (:mod:`autograder.scoring.reach`, in the sandbox): which library
  functions run (a module imported for the first time runs its code too), so that a name built at
  run time is caught too, and whether the student's code switched the recorder off.

:func:`judge` resolves what both found against the forbidden names (a name is compared by what it
is: ``keras.src.regularizers.regularizers.L2`` and ``tf.keras.regularizers.l2`` are
``keras.regularizers.L2``) and says which graded function breaks its rule, at which cell and line,
and how it was seen. A finding counts against the graded function whose code holds it, or that
reaches it through the helpers it uses (any top-level statement of the answer cells: functions,
classes, imports, assignments), but not through another graded function whose own rule forbids
the same thing: that one answers for it.

What the sandbox reports is evidence the student's code could tamper with: it is believed against
the student (a forbidden call it saw) and never for them (its silence proves nothing: the reading
of the code stands on its own, and a record that was switched off is itself a violation). Only
dotted names from it reach a message, and only places that are lines of the answer cells.

Top-level code that binds nothing but hides what it does (an ``exec`` that defines functions, a
library attribute replaced) counts against every function with a rule in its cell, and a graded
function that no statement defines (made at run time) breaks its rule by itself.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import inspect
import re
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

RULE_MARKER = "Exercise rule:"
READING, RUNNING = "found reading the code", "seen while the checks ran it"
FORBIDDEN, DYNAMIC, RECORDER = "forbidden", "dynamic", "recorder"
_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_NAME_LIST = re.compile(r"do not use\s+((?:`[^`]+`)(?:(?:\s*,\s*(?:or\s+)?|\s+or\s+)`[^`]+`)*)", re.IGNORECASE)


# ------------------------------------------------------------------------------ the rules
class RuleFormatError(ValueError):
    """An ``Exercise rule:`` paragraph that does not follow the fixed format."""


@dataclass(frozen=True)
class ExerciseRule:
    """What one graded function must not use, as its docstring states it."""

    function: str
    forbidden: tuple[str, ...]  # dotted names: modules, classes or functions
    statement: str  # the paragraph as written, on one line

    @property
    def restricts(self) -> bool:
        return bool(self.forbidden)


def parse_rule(function: str, docstring: str | None) -> ExerciseRule | None:
    """The rule stated in ``docstring`` (None: it states none). Raises :class:`RuleFormatError`
    when an ``Exercise rule:`` paragraph is there but malformed, or there are several."""
    paragraphs, current = [], None
    for line in (docstring or "").splitlines():
        stripped = line.strip()
        if stripped.startswith(RULE_MARKER):
            current = [stripped]
            paragraphs.append(current)
        elif current is not None and stripped:
            current.append(stripped)
        else:
            current = None
    if not paragraphs:
        return None
    if len(paragraphs) > 1:
        raise RuleFormatError(f"{function}: {len(paragraphs)} 'Exercise rule:' paragraphs; state one")
    statement = " ".join(paragraphs[0])
    body = statement[len(RULE_MARKER):].strip()
    if re.match(r"none\b", body, re.IGNORECASE):
        return ExerciseRule(function, (), statement)
    names = _NAME_LIST.match(body)
    if names is None:
        raise RuleFormatError(f"{function}: the rule must read 'Exercise rule: do not use `a`, `b` or `c`.' "
                              f"or 'Exercise rule: none ...', got {statement!r}")
    forbidden = tuple(re.findall(r"`([^`]+)`", names.group(1)))
    for name in forbidden:
        if not _DOTTED.fullmatch(name):
            raise RuleFormatError(f"{function}: {name!r} is not a dotted name (module, class or function)")
    return ExerciseRule(function, forbidden, statement)


def rules_from_json(data: Iterable[Mapping]) -> dict[str, ExerciseRule]:
    return {item["function"]: ExerciseRule(item["function"], tuple(item["forbidden"]), item["statement"])
            for item in data}


# --------------------------------------------------------------------- names and what they are
# Keras 3's public names live in ``keras.src`` (and ``tf.keras`` is ``keras._tf_keras.keras``):
# compared without those folders, ``keras.src.regularizers.regularizers.L2`` is under
# ``keras.regularizers``.
_CANONICAL_PREFIXES = (("tensorflow.keras.", "keras."), ("keras._tf_keras.keras.", "keras."),
                       ("keras.src.", "keras."), ("keras.api.", "keras."), ("tf_keras.src.", "keras."))


def canonical(name: str) -> str:
    """``name`` under its public Keras spelling (other names unchanged)."""
    changed = True
    while changed:
        changed = False
        for prefix, replacement in _CANONICAL_PREFIXES:
            if (name + ".").startswith(prefix):
                name = (replacement + (name + ".")[len(prefix):])[:-1]
                changed = True
    return name


def within(name: str, prefix: str) -> bool:
    """Whether dotted ``name`` is ``prefix`` or inside it (``a.b.c`` is within ``a.b``, not ``a.bc``)."""
    return name == prefix or name.startswith(prefix + ".")


def identity(obj: Any) -> str | None:
    """The dotted name of what ``obj`` is: a module's name, a class's or function's
    ``module.qualname``, else its class's."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    obj = getattr(obj, "__func__", obj)  # a bound method: its function
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and (inspect.isclass(obj) or callable(obj)):
        return f"{module}.{qualname}"
    if not inspect.isclass(obj):
        return identity(type(obj))
    return None


@dataclass(frozen=True)
class Target:
    """A forbidden name and the canonical dotted names that fall under it."""

    name: str
    prefixes: tuple[str, ...]

    def covers(self, names: Iterable[str]) -> bool:
        return any(within(name, prefix) for name in names for prefix in self.prefixes)


@functools.cache
def resolve_target(name: str, load: bool = True) -> Target:
    """The forbidden ``name`` (the instructor's, from the source notebook) and what it is: imported
    when ``load``, else only as far as modules already imported say (a student's kernel, where a
    check must not import TensorFlow)."""
    parts, obj = name.split("."), None
    if load:
        for end in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:end]))
            except Exception:  # noqa: BLE001 - not a module: try a shorter prefix
                continue
            for part in parts[end:]:
                obj = getattr(obj, part, None)
            break
    else:
        obj, rest = _resolve(name, None)
        obj = obj if not rest else None
    prefixes = {canonical(name)}
    found = identity(obj) if obj is not None else None
    if found:
        prefixes.add(canonical(found))
    return Target(name, tuple(sorted(prefixes)))


def watch_prefixes(rules: Mapping[str, ExerciseRule]) -> tuple[str, ...]:
    """Every canonical prefix any rule forbids: what the run-time recorder keeps."""
    return tuple(sorted({p for rule in rules.values() for name in rule.forbidden
                         for p in resolve_target(name).prefixes}))


def _resolve(path: str, namespace: Mapping[str, Any] | None) -> tuple[Any, str]:
    """The object a dotted path names, as far as it can be followed without running student code:
    its first name from ``namespace`` or an already imported module, then attributes of modules and
    classes only. Returns ``(object or None, the rest that could not be followed)``."""
    parts = path.split(".")
    obj, used = None, 0
    if namespace is not None and parts[0] in namespace:
        obj, used = namespace[parts[0]], 1
    else:
        for end in range(len(parts), 0, -1):
            module = sys.modules.get(".".join(parts[:end]))
            if module is not None:
                obj, used = module, end
                break
    if obj is None:
        return None, path
    while used < len(parts) and (isinstance(obj, types.ModuleType) or inspect.isclass(obj)):
        try:
            obj = getattr(obj, parts[used])
        except Exception:  # noqa: BLE001 - a name the library does not have: compare it as written
            break
        used += 1
    return obj, ".".join(parts[used:])


def names_of(path: str, namespace: Mapping[str, Any] | None = None) -> set[str]:
    """The canonical dotted names ``path`` may stand for: as written, and as what it resolves to."""
    names = {canonical(path)}
    obj, rest = _resolve(path, namespace)
    if obj is not None:
        found = identity(obj)
        if found:
            names.add(canonical(found + ("." + rest if rest else "")))
    return names


# ------------------------------------------------------------------------ reading the code
# calls whose target a reader cannot see; each one breaks every rule by itself
_HIDING_BUILTINS = {"exec": "runs a string as code (exec)", "eval": "runs a string as code (eval)",
                    "compile": "compiles a string as code (compile)", "globals": "looks names up in globals()",
                    "vars": "looks names up in vars()", "breakpoint": "starts a debugger (breakpoint)"}
_NAME_LOOKUPS = {"getattr": "getattr", "__import__": "__import__", "importlib.import_module": "importlib.import_module",
                 "importlib.__import__": "importlib.__import__"}
# the interpreter's internals, lookups of objects by name, other processes and the grader's own recorder
_HIDING_PATHS = (
    "sys.setprofile", "sys.settrace", "sys.addaudithook", "sys._getframe", "sys._current_frames", "sys.modules",
    "sys.meta_path", "sys.path_hooks", "threading.setprofile", "threading.settrace", "inspect", "pydoc",
    "cProfile", "profile", "_lsprof", "trace", "bdb", "pdb", "unittest.mock", "gc", "ctypes",
    "_ctypes", "_thread", "importlib.util", "importlib.machinery", "importlib.abc", "importlib.reload",
    "importlib._bootstrap", "importlib._bootstrap_external", "builtins", "autograder", "runpy", "pkgutil", "code",
    "codeop", "marshal", "pickle", "_pickle", "dill", "cloudpickle", "types.CodeType", "types.FunctionType",
    "operator.attrgetter", "operator.methodcaller", "os.fork", "os.forkpty", "os.system", "os.popen",
    "os.posix_spawn", "os.posix_spawnp", "subprocess", "multiprocessing", "concurrent.futures.process",
    "concurrent.futures.ProcessPoolExecutor", "pty",
    # more resolvers of a dotted name given as a string, and more ways to start another process
    "string.Formatter", "_string", "logging.config", "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell", "asyncio.subprocess", "asyncio.base_subprocess",
)
_HIDING_PREFIXES = ("os.exec", "os.spawn")
# what a module or function says it is: renaming one hides its code from the recorder
_IDENTITY_ATTRIBUTES = {"__name__", "__qualname__", "__module__", "__file__", "__spec__", "__path__", "__package__",
                        "__class__"}
_INTERNAL_ATTRIBUTES = {"__dict__", "__globals__", "__builtins__", "__subclasses__", "__getattribute__", "__import__",
                        "__loader__", "__spec__", "__code__", "__closure__", "__traceback__", "__self__",
                        "tb_frame", "f_back", "f_globals", "f_locals", "f_builtins", "gi_frame", "cr_frame",
                        "ag_frame"}


@dataclass(frozen=True)
class Finding:
    """One thing a statement uses: a dotted name (``path``), or a trick that hides one (``hides``)."""

    cell: str
    line: int
    path: str = ""
    hides: str = ""


@dataclass(frozen=True)
class Statement:
    """One top-level statement of an answer cell: what it defines and what it uses."""

    cell: str
    first_line: int
    last_line: int
    binds: tuple[str, ...]
    uses: tuple[str, ...]
    findings: tuple[Finding, ...]


@dataclass
class CodeMap:
    """The answer cells read as code (nothing run)."""

    statements: list[Statement] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # cells that do not parse

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> CodeMap:
        statements = [Statement(s["cell"], int(s["first_line"]), int(s["last_line"]), tuple(s["binds"]),
                                tuple(s["uses"]), tuple(Finding(**f) for f in s["findings"]))
                      for s in data.get("statements", [])]
        return cls(statements, list(data.get("unreadable", [])))

    def binders(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for index, statement in enumerate(self.statements):
            for name in statement.binds:
                found.setdefault(name, []).append(index)
        return found

    def statement_at(self, cell: str, line: int) -> int | None:
        for index, statement in enumerate(self.statements):
            if statement.cell == cell and statement.first_line <= line <= statement.last_line:
                return index
        return None


def _parse(source: str) -> ast.Module | None:
    from autograder.isolation.function_server import as_python  # IPython syntax, as the sandbox runs it

    try:
        return ast.parse(as_python(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _import_bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """``(bound name, dotted path)`` of an import statement (relative imports: none)."""
    if isinstance(node, ast.Import):
        return [(a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0]) for a in node.names]
    if node.level or not node.module:
        return []
    return [(a.asname or a.name, f"{node.module}.{a.name}") for a in node.names if a.name != "*"]


def _imported_paths(node: ast.Import | ast.ImportFrom) -> list[str]:
    """What an import statement imports (a use of it, even if the name goes unused)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level or not node.module:
        return []
    return [node.module if a.name == "*" else f"{node.module}.{a.name}" for a in node.names]


def _stored_names(nodes: Iterable[ast.AST]) -> set[str]:
    """Names a block binds in its own scope (not inside nested functions, lambdas or classes)."""
    names: set[str] = set()
    todo = list(nodes)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            todo += node.decorator_list
            if not isinstance(node, ast.ClassDef):
                todo += node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
            continue
        if isinstance(node, ast.Lambda):
            todo += node.args.defaults
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(name for name, _ in _import_bindings(node))
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                names.add("*")
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        todo += list(ast.iter_child_nodes(node))
    return names


class _Scope:
    def __init__(self, local: set[str], aliases: dict[str, str], is_class: bool = False):
        self.local, self.aliases, self.is_class = local, aliases, is_class


def _arguments(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    return {a.arg for a in every}


def _function_scope(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> _Scope:
    body = [node.body] if isinstance(node, ast.Lambda) else node.body
    declared = {name for child in ast.walk(node) if isinstance(child, (ast.Global, ast.Nonlocal))
                for name in child.names}
    aliases = {}
    for child in _same_scope(body):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            aliases.update(_import_bindings(child))
    local = (_arguments(node.args) | _stored_names(body)) - declared
    return _Scope(local, aliases)


def _same_scope(nodes: Iterable[ast.AST]) -> Iterable[ast.AST]:
    todo = list(nodes)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo += list(ast.iter_child_nodes(node))


class _Reader:
    """Reads one top-level statement: the names it uses and binds, and its findings."""

    def __init__(self, cell: str, aliases: dict[str, str], student_names: set[str]):
        self.cell, self.aliases, self.student_names = cell, aliases, student_names
        self.scopes: list[_Scope] = []
        self.findings: list[Finding] = []
        self.uses: set[str] = set()

    # -- names and paths
    def _local(self, name: str) -> _Scope | None:
        for depth, scope in enumerate(reversed(self.scopes)):
            if scope.is_class and depth:  # a class body's names are not visible in its methods
                continue
            if name in scope.local:
                return scope
        return None

    def name_path(self, name: str) -> str | None:
        scope = self._local(name)
        if scope is not None:
            return scope.aliases.get(name)
        if name in self.student_names:  # the student's own binding: followed through `uses`
            return None
        return self.aliases.get(name, name)  # an import, or a name from the setup cell or a builtin

    def path(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.name_path(node.id)
        if isinstance(node, ast.Attribute):
            base = self.path(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript) and self.path(node.value) == "sys.modules":
            return _constant(node.slice)
        if isinstance(node, ast.Call):
            function = self.path(node.func)
            first = _constant(node.args[0]) if node.args else None
            if function == "getattr" and len(node.args) >= 2:
                base, name = self.path(node.args[0]), _constant(node.args[1])
                return f"{base}.{name}" if base and name and _DOTTED.fullmatch(name) else None
            if function in ("importlib.import_module", "importlib.__import__", "__import__") and first:
                fromlist = node.args[3] if len(node.args) > 3 else next(
                    (k.value for k in node.keywords if k.arg == "fromlist"), None)
                top = function != "importlib.import_module" and not (
                    isinstance(fromlist, (ast.List, ast.Tuple)) and fromlist.elts)
                return first.split(".")[0] if top else first
            if function == "sys.modules.get":
                return first
        return None

    def _extends(self, parent: ast.AST, node: ast.AST) -> bool:
        """Whether ``parent``'s path continues ``node``'s (so ``node`` is not the whole name used)."""
        if isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is node:
            return self.path(parent) is not None
        if isinstance(parent, ast.Call) and (parent.func is node or (parent.args and parent.args[0] is node)):
            return self.path(parent) is not None
        return False

    # -- walking
    def read(self, statement: ast.stmt) -> None:
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(statement):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        self._visit(statement, parents)

    def _visit(self, node: ast.AST, parents: dict) -> None:
        scope = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for child in node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]:
                self._visit(child, parents)
            for annotation in ast.walk(node.args):
                if isinstance(annotation, ast.arg) and annotation.annotation is not None:
                    self._visit(annotation.annotation, parents)
            if node.returns is not None:
                self._visit(node.returns, parents)
            self.scopes.append(_function_scope(node))
            for child in node.body:
                self._visit(child, parents)
            self.scopes.pop()
            return
        if isinstance(node, ast.Lambda):
            for child in node.args.defaults:
                self._visit(child, parents)
            self.scopes.append(_function_scope(node))
            self._visit(node.body, parents)
            self.scopes.pop()
            return
        if isinstance(node, ast.ClassDef):
            for child in node.decorator_list + node.bases + [k.value for k in node.keywords]:
                self._visit(child, parents)
            scope = _Scope(_stored_names(node.body), {}, is_class=True)
            self.scopes.append(scope)
            for child in node.body:
                self._visit(child, parents)
            self.scopes.pop()
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            targets = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
            self.scopes.append(_Scope(targets, {}))
            for child in ast.iter_child_nodes(node):
                self._visit(child, parents)
            self.scopes.pop()
            return
        self._note(node, parents)
        for child in ast.iter_child_nodes(node):
            self._visit(child, parents)

    def _add(self, node: ast.AST, path: str = "", hides: str = "") -> None:
        self.findings.append(Finding(self.cell, getattr(node, "lineno", 0), path, hides))

    def _note(self, node: ast.AST, parents: dict) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for path in _imported_paths(node):
                self._add(node, path=path)
                if _hides(path):
                    self._add(node, hides=_GRADERS.format(path) if within(path, "autograder") else f"imports {path}")
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and self._local(node.id) is None:
            self.uses.add(node.id)
        if isinstance(node, ast.Attribute) and node.attr in _INTERNAL_ATTRIBUTES:
            self._add(node, hides=f"reaches into the interpreter's internals (.{node.attr})")
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)) and \
                node.attr in _IDENTITY_ATTRIBUTES:
            self._add(node, hides=f"renames what a module or function is (.{node.attr})")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            replaced = self.path(node)
            if replaced:  # an attribute of a module or a global: the answer changes a library
                self._add(node, hides=f"replaces {replaced}")
        if isinstance(node, ast.Call):
            self._note_call(node)
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)) and \
                isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            path = self.path(node)
            parent = parents.get(node)
            if path and not (parent is not None and self._extends(parent, node)):
                self._add(node, path=path)
                if _hides(path):
                    self._add(node, hides=_GRADERS.format(path) if within(path, "autograder") else f"uses {path}")
                elif isinstance(node, ast.Name) and path in _HIDING_BUILTINS | _NAME_LOOKUPS and not (
                        isinstance(parent, ast.Call) and parent.func is node):
                    self._add(node, hides=f"passes {path} around as a value")

    def _note_call(self, node: ast.Call) -> None:
        function = self.path(node.func)
        if function in ("setattr", "delattr"):
            name = _constant(node.args[1]) if len(node.args) > 1 else None
            if name is None or name in _IDENTITY_ATTRIBUTES or name in _INTERNAL_ATTRIBUTES:
                self._add(node, hides=f"sets an attribute by a computed or internal name ({function})")
        if function in _HIDING_BUILTINS:
            self._add(node, hides=_HIDING_BUILTINS[function])
        elif function in _NAME_LOOKUPS:
            computed = _constant(node.args[1] if function == "getattr" and len(node.args) > 1 else
                                 node.args[0] if node.args else None) is None
            if function == "getattr" and len(node.args) < 2:
                computed = False
            if computed:
                self._add(node, hides=f"looks a name up by a computed string ({_NAME_LOOKUPS[function]})")
            elif function != "getattr" and node.args:
                self._add(node, path=str(_constant(node.args[0])))  # the module it imports, in full


def _constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


_GRADERS = "uses the grader's own code ({})"


def _hides(path: str) -> bool:
    return any(within(path, p) for p in _HIDING_PATHS) or path.startswith(_HIDING_PREFIXES)


def read_code(cells: Iterable[tuple[str, str]], setup: str = "") -> CodeMap:
    """Read the answer cells ``(label, source)`` as code: their top-level statements, what each one
    binds and uses, and its findings. The setup cell's imports count as aliases (``np``)."""
    code, trees = CodeMap(), []
    for label, source in cells:
        tree = _parse(source)
        if tree is None:
            code.unreadable.append(label)
        else:
            trees.append((label, tree))
    setup_tree = _parse(setup) if setup else None
    aliases: dict[str, str] = {}
    for statement in setup_tree.body if setup_tree else []:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            aliases.update(_import_bindings(statement))
    student_names: set[str] = set()  # bound by the student's own statements: followed through `uses`
    for _, tree in trees:
        for statement in tree.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                aliases.update(_import_bindings(statement))
            else:
                student_names |= _stored_names([statement])
    for label, tree in trees:
        for statement in tree.body:
            reader = _Reader(label, aliases, student_names)
            try:
                reader.read(statement)
            except RecursionError:  # Python runs it, but it is nested too deeply to be read here
                reader.findings.append(Finding(label, statement.lineno, hides="is nested too deeply to be read"))
            first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
            binds = _stored_names([statement])
            code.statements.append(Statement(label, first, statement.end_lineno or statement.lineno,
                                             tuple(sorted(binds)), tuple(sorted(reader.uses - binds)),
                                             tuple(reader.findings)))
    return code


# ----------------------------------------------------------------------- what was seen running
@dataclass(frozen=True)
class Reached:
    """Library code the student's code reached while running (a module imported for the first time
    runs its ``<module>`` code), or a call of exec/eval/compile by the student's own code; and the
    student's frames on the stack then, innermost first: ``(cell, line)``."""

    kind: str  # "call" | "exec" | "tamper" (a call that switches the recorder off)
    target: str
    frames: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class RunRecord:
    """What the sandbox's recorder reported for one call of a graded function (``function``), or for
    loading the answer cells (``function`` None)."""

    function: str | None
    reached: tuple[Reached, ...] = ()
    complete: bool = True


MAX_REACHED = 64  # per call; the rest is dropped (the first are enough to judge)
MAX_FRAMES = 16
_RECORDED_NAME = re.compile(r"[\w.<>]{1,300}")  # module.qualname, e.g. ``a.b.<locals>.f``


def decode_record(function: str | None, data: Any) -> RunRecord:
    """A recorder's report as sent by the sandbox (plain JSON data the student could forge); never
    raises. No report, or a report that says the hook was switched off, is incomplete."""
    if not isinstance(data, dict) or not isinstance(data.get("reached"), list):
        return RunRecord(function, (), False)
    reached = []
    for item in data["reached"][:MAX_REACHED]:
        with contextlib.suppress(Exception):
            kind, target = str(item["kind"]), str(item["target"])
            if kind not in ("call", "exec", "tamper") or not _RECORDED_NAME.fullmatch(target):
                continue  # a dotted name is all a recorder reports (nothing else may reach feedback)
            frames = tuple((str(cell)[:200], int(line)) for cell, line in item["frames"][:MAX_FRAMES])
            reached.append(Reached(kind, target, frames))
    return RunRecord(function, tuple(reached), data.get("intact") is True)


# ------------------------------------------------------------------------------- judging
@dataclass(frozen=True)
class RuleViolation:
    """A graded function breaks its stated rule: where, with what, and how it was seen."""

    function: str
    kind: str  # FORBIDDEN, DYNAMIC (code that hides what it uses) or RECORDER (the run-time record)
    rule: str  # the forbidden name (FORBIDDEN)
    found: str  # the name used, or what the code does
    cell: str
    line: int
    seen: str  # READING or RUNNING

    def describe(self) -> str:
        where = ("its answer cell" if self.cell.removesuffix(" (recovered)") == self.function
                 else f"cell {self.cell!r}")
        place = f"line {self.line} of {where}" if self.line else where
        if self.kind == FORBIDDEN:
            return (f"{self.function} breaks its exercise rule (do not use `{self.rule}`): {place} uses "
                    f"`{self.found}` ({self.seen})")
        if self.kind == DYNAMIC and not self.line:
            return f"{self.function} breaks its exercise rule: it {self.found}, which hides its code from the grader"
        if self.kind == DYNAMIC and self.found.startswith(_GRADERS.split("(")[0]):
            return f"{self.function} breaks its exercise rule: {place} {self.found} ({self.seen})"
        if self.kind == DYNAMIC:
            return (f"{self.function} breaks its exercise rule: {place} {self.found}, which hides from the "
                    f"grader what the code uses ({self.seen})")
        if self.line:
            return f"{self.function} breaks its exercise rule: {place} {self.found} ({self.seen})"
        return (f"{self.function} breaks its exercise rule: the run-time record of its calls was switched off "
                f"or is missing ({self.found})")


def violations_from_json(data: Iterable[Mapping]) -> list[RuleViolation]:
    return [RuleViolation(**item) for item in data]


# what no graded function may use, whatever its rule says: the grader's own code (its checks'
# messages would give the expected values away); read in the code only (the function server's own
# frames are the grader's code too)
COURSE_WIDE = ("autograder",)


def _with_course_wide(rule: ExerciseRule) -> ExerciseRule:
    extra = tuple(name for name in COURSE_WIDE if name not in rule.forbidden)
    return ExerciseRule(rule.function, rule.forbidden + extra, rule.statement)


class _Judge:
    def __init__(self, rules: Mapping[str, ExerciseRule], code: CodeMap, namespace: Mapping | None, load: bool):
        self.rules = {name: _with_course_wide(rule) for name, rule in rules.items()}
        self.recorded = {name for name, rule in rules.items() if rule.restricts}  # the sandbox records their calls
        self.code, self.namespace, self.load = code, namespace, load
        self.binders = code.binders()
        self.graded_at = {index: [name for name in s.binds if name in rules] for index, s in enumerate(code.statements)}
        self.found: dict[tuple, RuleViolation] = {}

    def broken(self, function: str, names: set[str] | None) -> str | None:
        """The forbidden name of ``function``'s rule that ``names`` fall under ('' for code that hides
        names, which breaks every rule); None if the rule allows it (or there is none)."""
        rule = self.rules.get(function)
        if rule is None:
            return None
        if names is None:
            return ""
        return next((name for name in rule.forbidden if resolve_target(name, self.load).covers(names)), None)

    def answerable(self, start: int, names: set[str] | None) -> list[tuple[str, str]]:
        """``(function, forbidden name)`` for each ruled graded function that answers for statement
        ``start``'s finding: it reaches the statement (its own, or a helper it uses) without passing
        through another graded function whose rule forbids the same."""
        blamed = []
        statement = self.code.statements[start]
        # top-level code that binds nothing but hides what it does (an exec that defines functions, a
        # library changed in place) acts on the whole notebook: every ruled function of its cell answers
        acts_on_cell = names is None and not statement.binds
        for function in self.rules:
            forbidden = self.broken(function, names)
            if forbidden is None:
                continue
            if acts_on_cell and any(self.code.statements[i].cell == statement.cell
                                    for i in self.binders.get(function, [])):
                blamed.append((function, forbidden))
                continue
            todo, seen = list(self.binders.get(function, [])), set()
            while todo:
                index = todo.pop()
                if index in seen:
                    continue
                seen.add(index)
                if index == start:
                    blamed.append((function, forbidden))
                    break
                for name in self.code.statements[index].uses:
                    for nxt in self.binders.get(name, []) + self.binders.get("*", []):
                        others = [g for g in self.graded_at[nxt] if g != function]
                        if any(self.broken(g, names) is not None for g in others) and \
                                function not in self.graded_at[nxt]:
                            continue  # that graded function answers for it
                        todo.append(nxt)
        return blamed

    def add(self, violation: RuleViolation) -> None:
        """Keep one violation per function, place and way it was seen (the first: the name the student's
        line uses, or the library function it called before what that one called)."""
        key = (violation.function, violation.kind, violation.cell, violation.line, violation.seen)
        self.found.setdefault(key, violation)

    # -- reading
    def read(self, defined: Iterable[str]) -> None:
        for function in sorted(set(defined) & set(self.rules)):
            if function not in self.binders:  # it exists when run, yet no statement defines it
                self.add(RuleViolation(function, DYNAMIC, "", "is not defined by any statement of the answer "
                                       "cells (it is made at run time)", function, 0, READING))
        for index, statement in enumerate(self.code.statements):
            for finding in statement.findings:
                names = None if finding.hides else names_of(finding.path, self.namespace)
                for function, forbidden in self.answerable(index, names):
                    kind = DYNAMIC if finding.hides else FORBIDDEN
                    self.add(RuleViolation(function, kind, forbidden, finding.hides or _shown(finding.path, names),
                                           finding.cell, finding.line, READING))

    # -- running
    def run(self, records: Iterable[RunRecord]) -> None:
        for record in records:
            if not record.complete and record.function in self.recorded:
                self.add(RuleViolation(record.function, RECORDER, "", "the recorder was replaced or its report "
                                       "is missing", record.function, 0, RUNNING))
            for reached in record.reached:
                names = None if reached.kind in ("exec", "tamper") else {canonical(reached.target)}
                found = {"exec": f"runs code compiled from a string ({reached.target})",
                         "tamper": f"calls {reached.target}, which switches the recorder off"}.get(
                    reached.kind, reached.target)
                kind = {"exec": DYNAMIC, "tamper": RECORDER}.get(reached.kind, FORBIDDEN)
                if record.function is None:
                    self._loading(reached, names, found, kind)
                else:
                    self._calling(record.function, reached, names, found, kind)

    def _calling(self, called: str, reached: Reached, names: set[str] | None, found: str, kind: str) -> None:
        """Reached during a call of ``called``: it counts against the innermost graded function on the
        stack whose rule forbids it, else against ``called``; the place shown is the student's line
        nearest to it (in a helper, say)."""
        known = [(cell, line, index) for cell, line in reached.frames
                 if (index := self.code.statement_at(cell, line)) is not None]
        cell, line = known[0][:2] if known else (called, 0)
        for _, _, index in known:  # innermost first
            for function in self.graded_at[index]:
                forbidden = self.broken(function, names)
                if forbidden is not None:
                    self.add(RuleViolation(function, kind, forbidden, found, cell, line, RUNNING))
                    return
        forbidden = self.broken(called, names)
        if forbidden is not None:
            self.add(RuleViolation(called, kind, forbidden, found, cell, line, RUNNING))

    def _loading(self, reached: Reached, names: set[str] | None, found: str, kind: str) -> None:
        """Reached while a cell's top-level code ran: every graded function that uses that statement."""
        if not reached.frames:
            return
        cell, line = reached.frames[-1]  # the outermost: the cell's own top-level code
        index = self.code.statement_at(cell, line)
        if index is None:
            return
        for function, forbidden in self.answerable(index, names):
            self.add(RuleViolation(function, kind, forbidden, found, cell, line, RUNNING))


def judge(rules: Mapping[str, ExerciseRule], code: CodeMap, records: Iterable[RunRecord] = (),
          namespace: Mapping[str, Any] | None = None, load: bool = True,
          defined: Iterable[str] = ()) -> list[RuleViolation]:
    """Every rule violation the reading of the code (``code``) and the run-time ``records`` show.
    ``namespace`` (optional) gives what the code's global names are (in a kernel: the function's
    globals); without it, the setup cell's imports and already imported modules say. ``load``:
    whether the forbidden names may be imported to see what they are. ``defined``: the graded
    functions that exist when the cells run (one that no statement defines was made at run time)."""
    judged = _Judge(rules, code, namespace, load)
    judged.read(defined)
    judged.run(records)
    return sorted(judged.found.values(), key=lambda v: (v.function, v.seen != READING, v.cell, v.line))


def _shown(path: str, names: set[str] | None) -> str:
    """A name as the student wrote it, with what it is when it is a bare name (``KFold``)."""
    if "." in path or not names:
        return path
    resolved = sorted(name for name in names if name != canonical(path))
    return f"{path} ({resolved[0]})" if resolved else path


def by_function(violations: Iterable[RuleViolation]) -> dict[str, list[RuleViolation]]:
    grouped: dict[str, list[RuleViolation]] = {}
    for violation in violations:
        grouped.setdefault(violation.function, []).append(violation)
    return grouped


# --------------------------------------------------------------------------- the course setting
WITHHOLD, FLAG = "withhold", "flag"
SETTING = "ExerciseRules.on_violation"  # in nbgrader_config.py


def summary(violations: list[RuleViolation], limit: int = 2) -> str:
    """The first violations' descriptions, and how many more there are."""
    text = "; ".join(v.describe() for v in violations[:limit])
    return text + (f" (and {len(violations) - limit} more)" if len(violations) > limit else "")


def withhold_points(cells: Iterable[Any], function: str, violations: list[RuleViolation]) -> None:
    """Fail every test cell of ``function`` (grade_id ``test_<function>_...``; objects with ``grade_id``,
    ``passed`` and ``message``) with a message that names the rule and the line."""
    for cell in cells:
        if cell.grade_id.startswith(f"test_{function}_"):
            cell.passed = False
            cell.message = f"withheld: {summary(violations)}. The exercise's docstring states its rule."
