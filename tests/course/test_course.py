"""Unit tests of the course package: data, runtime, plots, chapter 02's validation helpers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest
from sklearn.model_selection import KFold

matplotlib.use("Agg")

from course import data, plots, runtime, validation  # noqa: E402
from tests.solutions import solution  # noqa: E402


# ---------------------------------------------------------------------------- data
@pytest.mark.parametrize("loader, n, features, y_dtype", [
    (data.load_digits_split, 1797, 64, np.int64),
    (data.load_breast_cancer_split, 569, 30, np.int64),
    (data.load_diabetes_split, 442, 10, np.float32),
])
def test_splits_have_documented_shapes_and_dtypes(loader, n, features, y_dtype):
    split = loader(seed=0)
    assert sum(split.sizes().values()) == n
    assert split.sizes()["test"] == round(n * 0.2) and split.sizes()["val"] == round(n * 0.2)
    for x, y in [(split.x_train, split.y_train), (split.x_val, split.y_val), (split.x_test, split.y_test)]:
        assert x.dtype == np.float32 and x.shape[1] == features and y.dtype == y_dtype
        assert len(x) == len(y)


def test_derived_splits_cancer_relabelled_digit_sequences_and_moons():
    cancer, raw = data.load_cancer_data(0), data.load_breast_cancer_split(0)
    assert cancer.sizes() == raw.sizes() == {"train": 341, "val": 114, "test": 114}
    assert np.array_equal(cancer.x_train, raw.x_train) and np.array_equal(cancer.y_test, 1 - raw.y_test)
    assert 0.3 < cancer.y_train.mean() < 0.45  # 1 = malignant, the rarer class
    sequences = data.load_digit_sequences(0, 100)
    assert sequences.x_train.shape == (100, 8, 8) and sequences.x_val.shape == (359, 8, 8)
    assert sequences.x_train.dtype == np.float32 and sequences.y_train.shape == (100,)
    assert sequences.x_test is None and sequences.sizes()["test"] == 0
    with pytest.raises(ValueError):
        data.load_digit_sequences(0, 5)
    moons, again = data.load_moons(2, 20, 50), data.load_moons(2, 20, 50)
    assert moons.x_train.shape == (20, 2) and moons.x_val.shape == (50, 2) and moons.x_test is None
    assert set(np.unique(moons.y_val)) == {0.0, 1.0} and np.array_equal(moons.x_val, again.x_val)


def test_splits_are_seeded_and_disjoint():
    a, b, c = data.load_digits_split(seed=1), data.load_digits_split(seed=1), data.load_digits_split(seed=2)
    assert np.array_equal(a.x_train, b.x_train) and not np.array_equal(a.x_train, c.x_train)
    rows = lambda x: {r.tobytes() for r in x}  # noqa: E731 (digits has no duplicate rows)
    assert not rows(a.x_train) & rows(a.x_val) and not rows(a.x_train) & rows(a.x_test)


def test_classification_splits_are_stratified():
    split = data.load_digits_split(seed=0)
    assert set(np.unique(split.y_test)) == set(range(10))


def test_digits_pixels_are_scaled_and_images_reshape():
    x, _ = data.load_arrays("digits")
    assert x.min() >= 0.0 and x.max() == 1.0
    images, _ = data.load_digit_images()
    assert images.shape == (1797, 8, 8)


def test_bad_inputs_get_clear_errors():
    with pytest.raises(ValueError, match="unknown data set"):
        data.load_arrays("mnist")
    x, y = data.load_arrays("diabetes")
    with pytest.raises(ValueError, match="sum to less than 1"):
        data.split_arrays(x, y, val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(ValueError, match="samples"):
        data.split_arrays(x, y[:-1])
    with pytest.raises(ValueError, match="num_words"):
        data.load_imdb(num_words=0)


def _run_isolated(code: str, keras_home, extra_env=None):
    env = {**os.environ, "KERAS_HOME": str(keras_home), "TF_CPP_MIN_LOG_LEVEL": "3",
           # a closed local port: any download attempt fails at once, as offline
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=300)


def test_load_imdb_offline_without_cache_names_the_file_and_folder(tmp_path):
    run = _run_isolated("""
        from course.data import DatasetUnavailableError, load_imdb
        try:
            load_imdb(num_words=100)
        except DatasetUnavailableError as error:
            print("MESSAGE", error)
        else:
            print("NO ERROR")
    """, tmp_path)
    assert "MESSAGE" in run.stdout, run.stdout + run.stderr
    assert "imdb.npz" in run.stdout and str(tmp_path / "datasets" / "imdb.npz") in run.stdout


def test_load_imdb_reads_a_cached_file_through_keras(tmp_path):
    """A small file in Keras's cache is loaded by Keras's own loader, with no network.

    Keras verifies the official file's SHA-256; a test file cannot have it, so this test (and
    only this test) accepts any hash. Everything else is Keras's real loading code.
    """
    cache = tmp_path / "datasets"
    cache.mkdir()
    ragged = lambda seqs: np.array([list(s) for s in seqs] + [[]], dtype=object)[:-1]  # noqa: E731
    np.savez(cache / "imdb.npz", x_train=ragged([[1, 5, 7], [4, 4, 20, 30]]), y_train=np.array([1, 0]),
             x_test=ragged([[2, 9], [11]]), y_test=np.array([0, 1]), allow_pickle=True)
    run = _run_isolated("""
        import keras.src.utils.file_utils as file_utils
        file_utils.validate_file = lambda *args, **kwargs: True
        from course.data import load_imdb
        (x_train, y_train), (x_test, y_test) = load_imdb(num_words=10)
        print("SIZES", len(x_train), len(x_test), sorted(y_train.tolist() + y_test.tolist()))
        words = [w for s in list(x_train) + list(x_test) for w in s]
        print("BELOW", max(words) < 10, "START", x_train[0][0], "OOV", 2 in words)
    """, tmp_path)
    assert "SIZES 2 2 [0, 0, 1, 1]" in run.stdout, run.stdout + run.stderr
    # Keras's conventions: 1 starts a review, rare words (>= num_words) become 2 (out of vocabulary)
    assert "BELOW True START 1 OOV True" in run.stdout


# ---------------------------------------------------------------------------- runtime
@pytest.mark.parametrize("env, fast", [
    ({}, False), ({"COURSE_FAST": "1"}, True), ({"COURSE_FAST": "0"}, False),
    ({"NBGRADER_EXECUTION": "autograde"}, True), ({"NBGRADER_EXECUTION": "validate"}, True),
])
def test_fast_mode_follows_the_environment(monkeypatch, env, fast):
    monkeypatch.delenv("COURSE_FAST", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert runtime.is_fast_mode() is fast
    assert runtime.pick(full=100, fast=5) == (5 if fast else 100)
    assert ("fast" in runtime.describe()) is fast
    # an explicit argument wins over the environment, both ways
    assert runtime.fast_mode() is fast and runtime.fast_mode(not fast) is (not fast)
    assert runtime.pick(full=100, fast=5, override=not fast) == (100 if fast else 5)


def test_seed_everything_repeats_numpy_and_python_streams():
    import random

    runtime.seed_everything(3)
    first = (np.random.rand(3), random.random())
    runtime.seed_everything(3)
    again = (np.random.rand(3), random.random())
    assert np.array_equal(first[0], again[0]) and first[1] == again[1]
    with pytest.raises(TypeError):
        runtime.seed_everything("3")


# ---------------------------------------------------------------------------- plots
def test_learning_curves_frame_from_histories():
    one = {"loss": [3.0, 2.0, 1.5], "val_loss": [3.5, 2.5, 2.6]}
    frame = plots.learning_curves_frame({"small": one, "large": {"loss": [1, 0.5], "val_loss": [2, 3]}})
    assert set(frame["model"]) == {"small", "large"} and set(frame["split"]) == {"train", "validation"}
    assert len(frame) == 6 + 4 and frame["epoch"].min() == 1
    single = plots.learning_curves_frame(one, value_scale=10)
    assert set(single["model"]) == {"model"} and single["value"].max() == 35.0
    with pytest.raises(KeyError, match="mae"):
        plots.learning_curves_frame(one, metric="mae")
    with pytest.raises(TypeError):
        plots.learning_curves_frame(42)


def test_plots_draw_one_line_per_model_and_split():
    histories = {"a": {"loss": [2, 1], "val_loss": [2, 2]}, "b": {"loss": [3, 1], "val_loss": [3, 1]}}
    ax = plots.plot_learning_curves(histories, title="t")
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) == 2]) == 4
    ax = plots.plot_score_spread({"hold-out": [1, 2, 3], "k-fold": [2, 2.1]}, metric="MAE")
    assert ax.get_ylabel() == "MAE"


# ---------------------------------------------------------------------------- chapter 02 validation helpers
def test_regression_model_factory_builds_fresh_models_seeded_in_turn():
    """Chapter 02's build_model(): every call a new untrained model; a new factory with the same seed
    repeats the same models (each fold's model, rerun after rerun)."""
    first, again = validation.regression_model_factory(3, seed=5), validation.regression_model_factory(3, seed=5)
    models = [first(), first()]
    assert models[0] is not models[1]
    weights = [np.concatenate([w.ravel() for w in m.get_weights()]) for m in models]
    assert not np.allclose(weights[0], weights[1])  # seeded in turn: fold 1 is not fold 0's copy
    repeated = np.concatenate([w.ravel() for w in again().get_weights()])
    assert np.array_equal(repeated, weights[0])
    assert models[0].loss == "mse" and models[0].count_params() == 3 * 16 + 16 + 16 + 1


def test_claim_11_holdout_spreads_more_than_kfold_fast():
    """Claim 11, small version: on 150 samples the hold-out score spreads much more."""
    x, y = data.load_arrays("diabetes")
    x, y = validation.small_subset(x, y, 150, seed=0)
    spread = validation.holdout_vs_kfold_spread(
        x, y, seeds=range(15), k=5, holdout_split=solution("02-validation", "holdout_split"),
        shuffled_k_fold_indices=solution("02-validation", "shuffled_k_fold_indices"))
    assert spread.holdout_scores.shape == spread.kfold_means.shape == (15,)
    assert spread.holdout_std == pytest.approx(np.std(spread.holdout_scores))
    assert spread.kfold_std == pytest.approx(np.std(spread.kfold_means))
    assert spread.ratio > 2, spread


def test_mean_split_score_and_duplicate_demo():
    x, y = data.load_arrays("digits")
    leak = validation.duplicate_leak_demo(x, y, duplicate_fraction=0.3, seed=0)
    assert leak["val_with_copy_in_train"] > 0.15 and leak["val_with_copy_in_train_deduplicated"] == 0
    xd, yd = data.load_arrays("diabetes")
    folds = list(KFold(4, shuffle=True, random_state=0).split(xd))
    assert 30 < validation.mean_split_score(xd, yd, folds) < 60
    assert validation.class_counts(np.array([0, 2, 2]), 4).tolist() == [1, 0, 2, 0]


# ---------------------------------------------------------------------------- names the course offers
def test_every_course_name_the_notebooks_tests_and_grader_use_resolves():
    """Check that each `course` name used in source/, release/, tests/, benchmarks/ and autograder/
    (imports, module attributes, the claims' module:function strings) exists: a module split into a
    package must keep re-exporting what is used."""
    from tests import course_names

    found, unparsed = course_names.uses()
    assert not unparsed
    assert len({use.module for use in found}) >= 10  # the scan finds the notebooks' imports
    unresolved = sorted({f"{use.module}.{use.name} ({use.place})" for use in found if not course_names.resolves(use)})
    assert not unresolved, unresolved
