"""Exercise rules, read from the code: every dotted name the answer cells use (imports and aliases
followed) and every trick that hides a name from a reader. Nothing here runs the code.

:func:`read_code` makes the :class:`CodeMap` that intake puts in the job; :mod:`autograder.scoring.rule_judge`
resolves it against the rules (:mod:`autograder.scoring.rules` says what a rule is).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from autograder.scoring.rules import DOTTED_NAME, within

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
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
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
                return f"{base}.{name}" if base and name and DOTTED_NAME.fullmatch(name) else None
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
                    hides = GRADERS_CODE.format(path) if within(path, "autograder") else f"imports {path}"
                    self._add(node, hides=hides)
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
                    self._add(node, hides=GRADERS_CODE.format(path) if within(path, "autograder") else f"uses {path}")
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


GRADERS_CODE = "uses the grader's own code ({})"


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
