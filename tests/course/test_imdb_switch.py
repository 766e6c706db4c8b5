"""The IMDB switch of chapters 04-06: the book's IMDB experiments run from the same notebooks.

The tests write a small file in IMDB's format (``imdb.npz``: ragged lists of word indices, 0/1
labels) into a temporary Keras cache, with a word whose presence predicts the label, and run the
experiments and the chapters' notebooks on it with ``DATA = "imdb"``. Keras verifies the official
file's SHA-256, which a test file cannot have: only here, the check is switched off (an injected
first cell in the notebooks); everything else is Keras's real loading code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from tests.paths import REPO

ACCEPT_ANY_HASH = ("import keras.src.utils.file_utils as file_utils\n"
                   "file_utils.validate_file = lambda *args, **kwargs: True")
SIGNAL_WORD = 10


def write_small_imdb(folder: Path, n_train: int = 2400, n_test: int = 400, seed: int = 0) -> Path:
    """An ``imdb.npz`` with ``n_train`` + ``n_test`` random reviews; word 10 appears mostly in positive ones."""
    rng = np.random.default_rng(seed)

    def reviews(count: int):
        labels = rng.integers(0, 2, size=count)
        texts = []
        for label in labels:
            words = [1] + rng.integers(11, 12000, size=int(rng.integers(20, 80))).tolist()  # 1 starts a review
            if rng.random() < (0.95 if label else 0.05):
                words.insert(int(rng.integers(1, len(words))), SIGNAL_WORD)
            texts.append(words)
        ragged = np.empty(count, dtype=object)
        ragged[:] = texts
        return ragged, labels

    (x_train, y_train), (x_test, y_test) = reviews(n_train), reviews(n_test)
    cache = folder / "datasets"
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(cache / "imdb.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, allow_pickle=True)
    return cache / "imdb.npz"


def _offline_env(keras_home: Path) -> dict[str, str]:
    return {**os.environ, "KERAS_HOME": str(keras_home), "COURSE_FAST": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
            # a closed local port: any download attempt fails at once, as offline
            "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}


def test_the_experiments_run_on_a_small_imdb_file(tmp_path):
    write_small_imdb(tmp_path)
    code = ACCEPT_ANY_HASH + textwrap.dedent("""
        from course import capacity, fashion, regularization
        assert fashion.imdb_is_cached()
        split = fashion.make_split(0, fashion.IMDB_FAST, "imdb")
        labels = sorted(set(split.y_train.ravel().tolist()))
        print("SPLIT", split.x_train.shape, split.x_val.shape, split.x_test.shape, labels)
        runs = capacity.train_capacity_models(0, task="imdb")
        print("CAPACITY", list(runs), [len(r.val_ce) for r in runs.values()])
        print("PARAMS", [r.model.count_params() for r in runs.values()])
        comparison = regularization.run_comparison(0, task="imdb")
        l2 = comparison.runs["L2"]
        print("L2", l2.spec.hidden, l2.spec.optimizer, bool((l2.val_ce < l2.history["val_loss"]).all()))
        print("ACCURACY", max(r.end_val_accuracy for r in comparison.runs.values()))
    """)
    run = subprocess.run([sys.executable, "-c", code], env=_offline_env(tmp_path), cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "SPLIT (1000, 500) (1000, 500) (400, 500) [0.0, 1.0]" in run.stdout, run.stdout
    assert "CAPACITY ['smaller (4-4)', 'reference (16-16)', 'larger (512-512)'] [6, 6, 6]" in run.stdout
    # a multi-hot layer of 10,000 words feeds the first Dense layer: 10,000 * 4 + 4 + ... parameters
    assert "PARAMS [40029, 160305, 5383681]" in run.stdout, run.stdout
    assert "L2 (16, 16) rmsprop True" in run.stdout  # the penalty is in val_loss, not in the cross-entropy
    accuracy = float(run.stdout.split("ACCURACY")[1].split()[0])
    assert accuracy > 0.65, "the signal word should be learned from 1,000 reviews"


@pytest.mark.parametrize("chapter", ["04-fitting/fitting", "05-weight-regularization/weight_regularization",
                                     "06-dropout/dropout"])
def test_the_chapter_runs_with_the_imdb_switch(chapter, tmp_path, monkeypatch):
    write_small_imdb(tmp_path)
    notebook = nbformat.read(REPO / "source" / f"{chapter}.ipynb", as_version=4)
    switches = [cell for cell in notebook.cells if cell.source.lstrip().startswith("# The data this chapter")]
    assert len(switches) == 1 and 'DATA = "fashion"' in switches[0].source
    switches[0].source = switches[0].source.replace('DATA = "fashion"', 'DATA = "imdb"')
    notebook.cells.insert(0, nbformat.v4.new_code_cell(ACCEPT_ANY_HASH))
    for name, value in _offline_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO / "source" / chapter.split("/")[0])}}).execute()
    outputs = "".join(out.get("text", "") for cell in notebook.cells for out in cell.get("outputs", []))
    assert "experiments on imdb | IMDB in the Keras cache: True" in outputs
