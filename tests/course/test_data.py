"""The course's data sets (course.data): shapes, seeding, splits, the IMDB cache (Fashion-MNIST's files:
test_data_fashion_mnist.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from course import data


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
