"""The reproduction table: every syllabus claim measured over several seeds.

``python -m course.claims`` (``make reproduce``) runs each registered claim's experiment and
writes ``course/reproduction/claims.csv`` and ``claims.md``: one row per claim with its number,
statement, measured figures, seeds and whether it held. A claim that does not hold is reported
as not holding, with its figures. The named :data:`EXPERIMENTS` (measurements a chapter quotes
that the syllabus does not number) follow the claims, one row each under their name. ``--fast``
(or ``COURSE_FAST=1``) runs the small version that the test suite uses (written to
``results/fast`` unless ``--out`` says otherwise).

The full table is committed: the chapters quote it. A quoted figure is marked in the markdown
with an HTML comment that names its claim and figure, ``<!--claim 3 l2_final_val_ce-->0.484
(0.429-0.532)`` (a spread: mean, min and max) or ``<!--claim 2 larger_best_epoch_max-->6``, and
``<!--claim 5 held-->`` before the words "held" or "did not hold" (an experiment is named
instead of numbered: ``<!--claim augmentation held-->``);
:func:`check_quoted_figures` (``python -m course.claims --check-text``, and a test) fails when
a quote and the table disagree.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from course import runtime

PUBLISHED_DIR = Path(__file__).parent / "reproduction"
FAST_DIR = Path("results") / "fast"

ClaimKey = int | str  # a syllabus claim's number, or the name of one of the EXPERIMENTS
DEFAULT_SEEDS = (0, 1, 2, 3, 4)
MIN_SEEDS = 5  # a claim holds only when its effect exceeds the spread over at least this many seeds


@dataclass
class ClaimResult:
    """What one claim's experiment measured."""

    number: ClaimKey
    statement: str
    held: bool
    figures: dict[str, float]
    seeds: list[int]
    summary: str = ""
    seconds: float = field(default=0.0)


# number -> (statement, "module:function"); the function takes (seeds, fast) and returns
# (held, figures, summary).
REGISTRY: dict[int, tuple[str, str]] = {
    1: ("A smaller network reaches its lowest validation loss later than the reference network and "
        "degrades more slowly after it.", "course.capacity:smaller_network_peaks_later_claim"),
    2: ("A much larger network reaches its lowest validation loss within the first few epochs, drives "
        "training loss toward zero, and shows the widest train/validation gap.",
        "course.capacity:larger_network_overfits_early_claim"),
    3: ("At equal architecture, L2 regularization ends with a lower validation loss than no "
        "regularization.", "course.regularization:l2_lowers_final_val_loss_claim"),
    4: ("The L1 model's loss is high from the start, and its kernels hold a larger share of "
        "near-zero weights than the L2 model's.", "course.regularization:l1_sparsity_claim"),
    5: ("Among baseline, L1, L2, L1+L2 and dropout, L2's validation loss rises the slowest.",
        "course.regularization:l2_rises_slowest_claim"),
    6: ("Dropout delays overfitting: its lowest validation loss comes later and its final "
        "validation loss is lower than the baseline's.", "course.dropout:dropout_delays_overfitting_claim"),
    7: ("Inverted dropout keeps the expected activation; at inference the layer is the identity.",
        "course.dropout:inverted_dropout_expectation_claim"),
    8: ("One gradient step on loss + lambda/(2m) ||W||^2 equals W (1 - alpha*lambda/m) - alpha*dW.",
        "course.regularization:weight_decay_step_claim"),
    9: ("Monte Carlo dropout predictions are at least as accurate as a single deterministic pass, "
        "and their standard deviation is larger on misclassified samples than on correct ones.",
        "course.dropout:mc_dropout_uncertainty_claim"),
    10: ("Batch normalization converges faster (lower validation loss over the first epochs) than "
         "the same network without it.", "course.workflow:batchnorm_sgd_convergence_claim"),
    11: ("On small data, the hold-out score varies much more across split seeds than the "
         "K-fold mean.", "course.validation:holdout_vs_kfold_spread_claim"),
    12: ("Early stopping halts near the epoch of the lowest validation loss and, with best-weight "
         "restoring, keeps that epoch's validation loss.", "course.workflow:early_stopping_claim"),
    13: ("An engineered feature (clock angles) reaches a target accuracy with far fewer samples "
         "than the raw representation.", "course.features:clock_angles_sample_efficiency_claim"),
    14: ("Fitting a preprocessing step on all the data before the split (here: choosing features by "
         "their correlation with the labels) or tuning on the test set inflates the reported score "
         "relative to an honest protocol.", "course.features:preprocessing_leak_claim"),
    15: ("With default learning rates, RMSprop and Adam reach a lower validation loss within the first epochs "
         "than plain SGD on the same network.", "course.optimizers:adaptive_optimizers_early_loss_claim"),
    16: ("Validation loss is U-shaped in the L2 factor (too little overfits, too much underfits), and "
         "the weights' norm falls as the factor grows.", "course.regularization:l2_factor_u_shape_claim"),
    17: ("Validation loss is U-shaped in the dropout rate.", "course.dropout:dropout_rate_u_shape_claim"),
    18: ("On 28x28 images with Adam, batch normalization (with ReLU, and with LeakyReLU(0.2)) lowers "
         "the validation loss of the first epochs compared with the plain ReLU network.",
         "course.workflow:batchnorm_adam_convergence_claim"),
    19: ("The NumPy network's analytic gradient matches the numerical gradient (relative error below 1e-7) "
         "without dropout, and its L2 and dropout versions overfit the 2-D data less than the unregularized "
         "one (smaller train/validation gap).", "course.numpy_network:gradient_check_and_overfitting_claim"),
}

# name -> (statement, "module:function"): measurements that a chapter quotes but that are not
# numbered syllabus claims; they run after the claims and get a row of the table under their name.
EXPERIMENTS: dict[str, tuple[str, str]] = {
    "augmentation": ("On 1,500 Fashion-MNIST training images, random flips, and flips with shifts and "
                     "rotations, each end with a lower validation loss of the 512-512 network than no "
                     "augmentation.", "course.workflow:measure_augmentation"),
}


def claim_key(text: str) -> ClaimKey:
    """A claim's number or an experiment's name, from text (the command line, the table, a quote)."""
    return int(text) if text.isdigit() else text


def table_order(number: ClaimKey) -> tuple[int, int, str]:
    """Sort key of the table's rows: the claims by number, then the experiments by name."""
    return (0, number, "") if isinstance(number, int) else (1, 0, number)


def measure(number: ClaimKey, seeds: Sequence[int] = DEFAULT_SEEDS, fast: bool | None = None) -> ClaimResult:
    """Run claim ``number``'s experiment (or the named one of :data:`EXPERIMENTS`) over ``seeds``."""
    registered = {**REGISTRY, **EXPERIMENTS}
    if number not in registered:
        raise ValueError(f"no experiment registered for claim {number}; known: {sorted(REGISTRY)} "
                         f"and {sorted(EXPERIMENTS)}")
    statement, target = registered[number]
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    fast = runtime.fast_mode(fast)
    started = time.perf_counter()
    held, figures, summary = function(list(seeds), fast)
    return ClaimResult(number, statement, bool(held), {k: float(v) for k, v in figures.items()},
                       list(seeds), summary, time.perf_counter() - started)


def write_results(results: Sequence[ClaimResult], out_dir: Path) -> tuple[Path, Path]:
    """Write ``claims.csv`` and ``claims.md`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out_dir / "claims.csv", out_dir / "claims.md"
    with open(csv_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "statement", "figures", "seeds", "held", "seconds", "summary"])
        for r in results:
            writer.writerow([r.number, r.statement, json.dumps(r.figures, sort_keys=True),
                             " ".join(map(str, r.seeds)), "yes" if r.held else "no", f"{r.seconds:.1f}", r.summary])
    lines = ["# Reproduction of the syllabus claims", "",
             "| # | claim | measured | seeds | held |", "| --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append(f"| {r.number} | {r.statement} | {r.summary} | {', '.join(map(str, r.seeds))} | "
                     f"{'yes' if r.held else '**no**'} |")
    md_path.write_text("\n".join(lines) + "\n")
    return csv_path, md_path


def read_results(path: Path = PUBLISHED_DIR / "claims.csv") -> dict[ClaimKey, ClaimResult]:
    """The rows of a ``claims.csv`` written by :func:`write_results`, by claim number (or name). The
    summary comes back too, so that a partial rerun rewrites the other rows of ``claims.md`` whole."""
    def row_result(row: dict[str, str]) -> ClaimResult:
        return ClaimResult(claim_key(row["number"]), row["statement"], row["held"] == "yes", json.loads(row["figures"]),
                           [int(s) for s in row["seeds"].split()], row.get("summary") or "", float(row["seconds"]))

    with open(path, newline="") as handle:
        return {result.number: result for result in map(row_result, csv.DictReader(handle))}


_QUOTE = re.compile(r"<!--\s*claim\s+(\w+)\s+([A-Za-z0-9_.]+)\s*-->\s*(\**)([^<\n]*)")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_SPREAD = re.compile(rf"({_NUMBER}) \(({_NUMBER})-({_NUMBER})\)")


def _agrees(quoted: str, value: float) -> bool:
    """``quoted`` (as written: "0.48", "6", "12 %") equals ``value`` rounded to its decimals."""
    decimals = len(quoted.split(".")[1]) if "." in quoted else 0
    return abs(float(quoted) - value) <= 0.5 * 10 ** -decimals + 1e-12


def check_quoted_figures(text: str, results: dict[ClaimKey, ClaimResult], where: str = "") -> list[str]:
    """Every disagreement between the marked quotes in ``text`` and ``results`` (empty: all agree)."""
    problems = []
    for match in _QUOTE.finditer(text):
        number, key, quoted = claim_key(match.group(1)), match.group(2), match.group(4).strip()
        label = f"{where}claim {number} {key}: {quoted[:40]!r}"
        if number not in results:
            problems.append(f"{label}: claim {number} is not in the table")
            continue
        result = results[number]
        if key == "held":
            says_held = quoted.lower().startswith("held")
            says_not = quoted.lower().startswith(("did not hold", "does not hold", "not held"))
            if not (says_held or says_not) or says_held != result.held:
                problems.append(f"{label}: the table says {'held' if result.held else 'did not hold'}")
            continue
        spread = _SPREAD.match(quoted)
        if f"{key}_mean" in result.figures:
            if not spread:
                problems.append(f"{label}: a spread is quoted as 'mean (min-max)'")
                continue
            values = [result.figures[f"{key}_{part}"] for part in ("mean", "min", "max")]
            if not all(_agrees(q, v) for q, v in zip(spread.groups(), values)):
                problems.append(f"{label}: the table has {values}")
        elif key in result.figures:
            first = re.match(_NUMBER, quoted)
            if not first or not _agrees(first.group(0), result.figures[key]):
                problems.append(f"{label}: the table has {result.figures[key]}")
        else:
            problems.append(f"{label}: claim {number} has no figure {key!r}")
    return problems


def _rewrite(quoted: str, value: float) -> str:
    decimals = len(quoted.split(".")[1]) if "." in quoted else 0
    return f"{value:.{decimals}f}"


def fill_quoted_figures(text: str, results: dict[ClaimKey, ClaimResult]) -> str:
    """``text`` with every marked figure rewritten from ``results``, keeping its decimals (the
    verdicts "held" / "did not hold" are checked, never rewritten: the prose around them must be
    read again when they change)."""
    def replace(match: re.Match) -> str:
        number, key, stars, quoted = claim_key(match.group(1)), match.group(2), match.group(3), match.group(4)
        figures = results[number].figures if number in results else {}
        spread = _SPREAD.match(quoted)
        if key != "held" and f"{key}_mean" in figures and spread:
            parts = [_rewrite(q, figures[f"{key}_{part}"]) for q, part in zip(spread.groups(), ("mean", "min", "max"))]
            new = f"{parts[0]} ({parts[1]}-{parts[2]})" + quoted[spread.end():]
        elif key != "held" and key in figures and (first := re.match(_NUMBER, quoted)):
            new = _rewrite(first.group(0), figures[key]) + quoted[first.end():]
        else:
            return match.group(0)
        return match.group(0)[: match.start(3) - match.start(0)] + stars + new

    return _QUOTE.sub(replace, text)


def fill_notebooks(paths: Iterable[Path], results: dict[ClaimKey, ClaimResult]) -> list[Path]:
    """Rewrite the marked figures of the notebooks' markdown cells; return the notebooks changed."""
    import nbformat

    changed = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        before = [cell.source for cell in notebook.cells]
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = fill_quoted_figures(cell.source, results)
        if [cell.source for cell in notebook.cells] != before:
            nbformat.write(notebook, path)
            changed.append(Path(path))
    return changed


def notebook_markdown(paths: Iterable[Path]) -> dict[Path, str]:
    """The markdown cells of each notebook, joined."""
    texts = {}
    for path in paths:
        cells = json.loads(Path(path).read_text())["cells"]
        texts[Path(path)] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.claims", description=__doc__)
    parser.add_argument("--claims", type=claim_key, nargs="*",
                        help="claim numbers or experiment names (default: every claim, then every experiment)")
    parser.add_argument("--seeds", type=int, nargs="*", default=list(DEFAULT_SEEDS))
    parser.add_argument("--fast", action="store_true", help="small, quick version")
    parser.add_argument("--out", type=Path, help=f"default: {PUBLISHED_DIR} (full), {FAST_DIR} (fast)")
    parser.add_argument("--check-text", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="only check the figures the notebooks quote against the published table")
    parser.add_argument("--fill-text", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="rewrite the figures the notebooks quote from the published table, then check")
    args = parser.parse_args(argv)
    if args.fill_text is not None:
        paths = args.fill_text or sorted(Path("source").glob("*/*.ipynb"))
        for path in fill_notebooks(paths, read_results()):
            print(f"rewrote the quoted figures of {path}")
        args.check_text = paths
    if args.check_text is not None:
        results = read_results()
        paths = args.check_text or sorted(Path("source").glob("*/*.ipynb"))
        problems = [p for path, text in notebook_markdown(paths).items()
                    for p in check_quoted_figures(text, results, f"{path}: ")]
        print("\n".join(problems) or f"every quoted figure agrees with {PUBLISHED_DIR / 'claims.csv'}")
        return 1 if problems else 0
    if len(args.seeds) < MIN_SEEDS:
        parser.error(f"use at least {MIN_SEEDS} seeds")
    fast = args.fast or runtime.is_fast_mode()
    out = args.out or (FAST_DIR if fast else PUBLISHED_DIR)
    results = []
    for number in args.claims or [*sorted(REGISTRY), *EXPERIMENTS]:
        print(f"claim {number} ...", flush=True)
        result = measure(number, args.seeds, fast)
        print(f"  {'held' if result.held else 'DID NOT HOLD'}: {result.summary} ({result.seconds:.1f} s)")
        results.append(result)
    previous = out / "claims.csv"
    if args.claims and previous.exists():  # a partial rerun replaces only its own rows
        kept = {number: result for number, result in read_results(previous).items() if number not in args.claims}
        results = sorted([*kept.values(), *results], key=lambda result: table_order(result.number))
    csv_path, md_path = write_results(results, out)
    print(f"wrote {csv_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
