"""How a student disguises a copied answer: renamed variables, reordered helpers, added comments.

Used by the synthetic class (:mod:`autograder.demo.synthetic`) to plant copied pairs and by
``benchmarks/bench_similarity.py`` to measure how many disguised copies
:mod:`autograder.review.similarity` finds. Every change keeps what the code does: only local variables
and helper functions are renamed (never a graded function, its parameters, a global or an
attribute), only top-level functions and classes change places, and comments go on lines of
their own. Seeded: the same ``random.Random`` state gives the same copy.
"""

from __future__ import annotations

import ast
import builtins
import random
from collections.abc import Iterable

RENAME, REORDER, COMMENT = "renamed variables", "reordered helpers", "added comments"
DISGUISES = (RENAME, REORDER, COMMENT)

_WORDS = ("value", "data", "result", "temp", "item", "arr", "out", "res", "vals", "buf", "acc", "tmp", "cur",
          "total", "chunk", "part", "piece", "count", "pos", "step", "x", "y", "z", "w", "q")
_COMMENTS = ("# compute the result", "# check the inputs first", "# loop over everything", "# TODO: tidy up",
             "# this part was tricky", "# keep a copy", "# helper values", "# see the lecture",
             "# works for all shapes", "# make sure the types are right", "# main step", "# done")


def _function_locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names the function binds by assignment (not its parameters, globals or imports)."""
    bound, excluded = set(), set()
    arguments = function.args
    for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]:
        if arg is not None:
            excluded.add(arg.arg)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            excluded.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            excluded.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            excluded.add(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and node is not function:
            nested = node.args
            excluded.update(a.arg for a in [*nested.posonlyargs, *nested.args, *nested.kwonlyargs,
                                             nested.vararg, nested.kwarg] if a is not None)
            if not isinstance(node, ast.Lambda):
                excluded.add(node.name)
        elif isinstance(node, ast.JoinedStr):  # positions inside f-strings are not reliable before 3.12
            excluded.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return bound - excluded - set(dir(builtins))


def _fresh_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(_WORDS)}{rng.choice(['', '_', '2', '_v', 's'])}{rng.randrange(10) or ''}"
        if name not in taken and name.isidentifier():
            taken.add(name)
            return name


def _replace_spans(source: str, spans: list[tuple[int, int, int, str]]) -> str:
    """Apply ``(line, start byte, end byte, text)`` replacements (ast positions are UTF-8 bytes)."""
    lines = source.splitlines(keepends=True)
    for line, start, end, text in sorted(spans, reverse=True):
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:start] + text.encode("utf-8") + raw[end:]).decode("utf-8")
    return "".join(lines)


def rename_variables(sources: list[str], rng: random.Random, keep: Iterable[str] = ()) -> list[str]:
    """Rename the local variables of every function, and helper functions (top-level functions
    not in ``keep``) wherever the cells use them. Cells that do not parse are left as they are."""
    keep = set(keep)
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except SyntaxError:
            trees.append(None)
    defined = {n.name for tree in trees if tree for n in tree.body
               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    # a helper whose name is also a parameter, or is used in an f-string, keeps its name
    unsafe = {n.id for tree in trees if tree for f in ast.walk(tree) if isinstance(f, ast.JoinedStr)
              for n in ast.walk(f) if isinstance(n, ast.Name)}
    unsafe |= {n.arg for tree in trees if tree for n in ast.walk(tree) if isinstance(n, ast.arg)}
    taken = {n.id for tree in trees if tree for n in ast.walk(tree) if isinstance(n, ast.Name)} | defined | keep
    helpers = {name: _fresh_name(rng, taken) for name in sorted(defined - keep - unsafe)}
    renamed = []
    for source, tree in zip(sources, trees):
        if tree is None:
            renamed.append(source)
            continue
        spans = []
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in helpers:
                line = source.splitlines()[node.lineno - 1].encode("utf-8")
                start = line.index(b"def ", node.col_offset) + 4
                spans.append((node.lineno, start, start + len(node.name.encode()), helpers[node.name]))
        locals_by_function = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node not in locals_by_function:
                names = sorted(_function_locals(node) - set(helpers) - keep)
                mapping = {name: _fresh_name(rng, taken) for name in names}
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        locals_by_function.setdefault(inner, mapping)
        seen = set()
        for function, mapping in locals_by_function.items():
            for node in ast.walk(function):
                if not isinstance(node, ast.Name) or id(node) in seen:
                    continue
                seen.add(id(node))
                target = mapping.get(node.id) or helpers.get(node.id)
                if target:
                    spans.append((node.lineno, node.col_offset, node.end_col_offset, target))
        for node in ast.walk(tree):  # helpers used at the top level of a cell
            if isinstance(node, ast.Name) and id(node) not in seen and node.id in helpers:
                seen.add(id(node))
                spans.append((node.lineno, node.col_offset, node.end_col_offset, helpers[node.id]))
        renamed.append(_replace_spans(source, spans))
    return renamed


def reorder_helpers(source: str, rng: random.Random) -> str:
    """Move the cell's top-level functions and classes to other places among themselves (a
    cell with fewer than two stays as it is). Imports and constants keep their places."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    blocks = []  # (first line index, last line index) of each top-level statement, decorators included
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        blocks.append((first, node.end_lineno or node.lineno, node))
    movable = [i for i, (_, _, node) in enumerate(blocks)
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if len(movable) < 2:
        return source
    shift = rng.randrange(1, len(movable))  # a rotation other than the identity
    order = movable[shift:] + movable[:shift]
    placed = dict(zip(movable, order))
    pieces = [lines[:blocks[0][0]]]
    for index, (_, last, _) in enumerate(blocks):
        chosen_first, chosen_last, _ = blocks[placed.get(index, index)]
        pieces.append(lines[chosen_first:chosen_last])
        following = blocks[index + 1][0] if index + 1 < len(blocks) else len(lines)
        pieces.append(lines[last:following])  # blank lines and comments between statements stay
    return "\n".join(line for piece in pieces for line in piece)


def add_comments(source: str, rng: random.Random, share: float = 0.35) -> str:
    """Put a comment line before about ``share`` of the statements (indented like them)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    starts = sorted({node.lineno for node in ast.walk(tree) if isinstance(node, ast.stmt)})
    chosen = {line for line in starts if rng.random() < share} or ({rng.choice(starts)} if starts else set())
    out = []
    for number, line in enumerate(lines, start=1):
        if number in chosen:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{rng.choice(_COMMENTS)}")
        out.append(line)
    return "\n".join(out)


def disguise(sources: list[str], rng: random.Random, how: Iterable[str] = DISGUISES,
             keep: Iterable[str] = ()) -> list[str]:
    """A copy of the cells ``sources`` disguised in the ways ``how`` names (a subset of
    ``DISGUISES``); ``keep`` are names that must not change (the graded functions)."""
    how = set(how)
    unknown = how - set(DISGUISES)
    if unknown:
        raise ValueError(f"unknown disguise {sorted(unknown)}; expected some of {DISGUISES}")
    copied = list(sources)
    if RENAME in how:
        copied = rename_variables(copied, rng, keep)
    if REORDER in how:
        copied = [reorder_helpers(source, rng) for source in copied]
    if COMMENT in how:
        copied = [add_comments(source, rng) for source in copied]
    return copied
