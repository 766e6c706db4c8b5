"""Every data set of the course, as one :class:`Split` type: seeded train/validation(/test) parts.

Every loader lives here; the chapters' modules train on what these return.

The default sets ship inside scikit-learn, so every notebook runs without a network:

==============  ==========================  =======================  ================
name            x (dtype, shape)            y (dtype, shape)         task
==============  ==========================  =======================  ================
digits          float32 (1797, 64) in [0,1] int64 (1797,) 0-9        10-class
breast_cancer   float32 (569, 30) raw units int64 (569,) 0/1         binary
diabetes        float32 (442, 10) raw units float32 (442,) 25-346    scalar regression
==============  ==========================  =======================  ================

``load_*_split`` returns a :class:`Split` with 60 % train, 20 % validation, 20 % test by
default (classification splits are stratified). The same seed gives the same split. Derived from
them: :func:`load_cancer_data` (breast cancer relabelled so that 1 = malignant, chapter 07) and
:func:`load_digit_sequences` (digits read row by row, chapter 06). :func:`load_moons` makes
scikit-learn's two half-moons (chapter 06's NumPy network); it and the digit sequences have no
test part (``x_test`` is None).

``load_fashion_mnist`` gives Fashion-MNIST (Zalando, MIT licence: 70,000 28x28 grey images of
clothes in 10 classes), the data of chapters 04-07. It reads the four original IDX files from the
first folder that has them: ``$COURSE_FASHION_MNIST_DIR``, Keras's cache
(``~/.keras/datasets/fashion-mnist``), Debian's ``dataset-fashion-mnist`` package
(``/usr/share/datasets/fashion-mnist``); else Keras downloads them into its cache; offline with
none of these it falls back to a stratified subset bundled with the course (5,000 images) and
says so. Every file's content is checked against the published data's checksum.

``load_imdb``: Keras downloads it once into its cache. Without a network and without the cached
file it raises :class:`DatasetUnavailableError`, naming the file and the folder to put it in.

:func:`load_fashion_split` and :func:`load_imdb_split` draw one seed's disjoint training and
validation samples from those sets' training parts, with their official test sets: the data of
chapters 04-07 (:func:`course.fashion.make_split` picks the sizes).

The module is over 400 lines on purpose: it is the one home of every loader of the course.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn import datasets as sk_datasets
from sklearn.model_selection import train_test_split

DATASET_NAMES = ("digits", "breast_cancer", "diabetes")
CLASSIFICATION = {"digits": True, "breast_cancer": True, "diabetes": False}

IMDB_FILE_NAME = "imdb.npz"
IMDB_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
IMDB_WORDS = 10000  # the book's vocabulary: the 10,000 most frequent words
IMDB_LENGTH = 500  # reviews are cut or padded to this many word indices; the model multi-hots them


class DatasetUnavailableError(RuntimeError):
    """A data set file is neither cached nor downloadable."""


@dataclass(frozen=True)
class Split:
    """Train, validation and test arrays of one data set (dtypes and shapes as each loader says).

    ``x_test`` and ``y_test`` are None for a set with no test part; ``source`` says where the data
    was read from, and ``note`` why it is smaller than asked (both empty when there is nothing to say).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    source: str = ""
    note: str = ""

    def sizes(self) -> dict[str, int]:
        """Number of samples in each part, e.g. ``{'train': 1079, 'val': 359, 'test': 359}``."""
        return {"train": len(self.x_train), "val": len(self.x_val),
                "test": 0 if self.x_test is None else len(self.x_test)}


def load_arrays(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the whole data set ``name`` as ``(x, y)`` with the dtypes in the module table."""
    if name == "digits":
        bunch = sk_datasets.load_digits()
        x = (bunch.data / 16.0).astype(np.float32)  # pixel intensities are 0..16
        return x, bunch.target.astype(np.int64)
    if name == "breast_cancer":
        bunch = sk_datasets.load_breast_cancer()
        return bunch.data.astype(np.float32), bunch.target.astype(np.int64)
    if name == "diabetes":
        bunch = sk_datasets.load_diabetes(scaled=False)  # raw units: standardizing is our job
        return bunch.data.astype(np.float32), bunch.target.astype(np.float32)
    raise ValueError(f"unknown data set {name!r}; choose one of {DATASET_NAMES}")


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """Digits as images: x float32 (1797, 8, 8) in [0, 1], y int64 (1797,)."""
    x, y = load_arrays("digits")
    return x.reshape(-1, 8, 8), y


def digit_multilabel_targets(y: np.ndarray) -> np.ndarray:
    """Two yes/no labels per digit, for multilabel examples: float32 (n, 2) = (is even, is > 4)."""
    y = np.asarray(y)
    return np.stack([y % 2 == 0, y > 4], axis=1).astype(np.float32)


def split_arrays(
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int = 0,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    stratify: bool = False,
) -> Split:
    """Shuffle with ``seed`` and cut ``(x, y)`` into train, validation and test parts.

    The test part holds ``round(n * test_fraction)`` samples and the validation part
    ``round(n * val_fraction)``; the rest is training data.
    """
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x has {n} samples but y has {len(y)}")
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(
            "val_fraction and test_fraction must be in (0, 1) and sum to less than 1, "
            f"got {val_fraction} and {test_fraction}"
        )
    n_test = round(n * test_fraction)
    n_val = round(n * val_fraction)
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=n_test, random_state=seed, stratify=y if stratify else None
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=n_val, random_state=seed + 1,
        stratify=y_rest if stratify else None,
    )
    return Split(x_train, y_train, x_val, y_val, x_test, y_test)


def _load_split(name: str, seed: int, val_fraction: float, test_fraction: float) -> Split:
    x, y = load_arrays(name)
    return split_arrays(
        x, y, seed=seed, val_fraction=val_fraction, test_fraction=test_fraction,
        stratify=CLASSIFICATION[name],
    )


def load_digits_split(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Split:
    """Handwritten digits, 8x8 pixels flattened: x float32 (n, 64) in [0, 1], y int64 0-9."""
    return _load_split("digits", seed, val_fraction, test_fraction)


def load_breast_cancer_split(
    seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2
) -> Split:
    """Breast cancer diagnosis: x float32 (n, 30) in raw units (not standardized), y int64 with
    scikit-learn's coding: 0 = malignant, 1 = benign."""
    return _load_split("breast_cancer", seed, val_fraction, test_fraction)


def load_diabetes_split(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Split:
    """Diabetes progression: x float32 (n, 10) in raw units (age, BMI, ...), y float32 in 25..346."""
    return _load_split("diabetes", seed, val_fraction, test_fraction)


def load_cancer_data(seed: int = 0) -> Split:
    """The stratified breast-cancer split of ``seed``, relabelled so that 1 means malignant.

    ``x_*`` are raw float32 features; standardize them with the training part's statistics
    only. Malignant tumours are the rarer class (about 37 %).
    """
    split = load_breast_cancer_split(seed)
    flip = lambda y: (1 - y).astype(np.int64)  # noqa: E731 (sklearn codes malignant as 0)
    return replace(split, y_train=flip(split.y_train), y_val=flip(split.y_val), y_test=flip(split.y_test))


def load_digit_sequences(seed: int = 0, n_train: int = 250) -> Split:
    """The digits split of ``seed`` as sequences, x float32 (n, 8 steps, 8 pixels), y int64 0-9: each
    image is 8 time steps of one row each. Only the first ``n_train`` training samples are kept (small
    data overfits); no test part."""
    split = load_digits_split(seed)
    if not 10 <= n_train <= len(split.x_train):
        raise ValueError(f"n_train must be in 10..{len(split.x_train)}, got {n_train}")
    return Split(split.x_train[:n_train].reshape(-1, 8, 8), split.y_train[:n_train],
                 split.x_val.reshape(-1, 8, 8), split.y_val)


def load_moons(seed: int = 0, n_train: int = 40, n_val: int = 1000, noise: float = 0.3) -> Split:
    """scikit-learn's two interleaved half-moons with Gaussian noise (made offline), split in two:
    x float64 (n, 2), y float64 0/1; no test part."""
    x, y = sk_datasets.make_moons(n_samples=n_train + n_val, noise=noise, random_state=seed)
    y = y.astype(np.float64)
    return Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def keras_cache_dir() -> Path:
    """The folder where Keras caches downloaded data sets (``$KERAS_HOME/datasets``).

    Mirrors Keras's own rule: ``$KERAS_HOME`` or ``~/.keras``, and ``/tmp/.keras`` when that
    folder is not writable.
    """
    base = Path(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")))
    if base.exists() and not os.access(base, os.W_OK):
        base = Path("/tmp/.keras")
    return base / "datasets"


def load_imdb(num_words: int = 10000):
    """IMDB movie reviews through Keras's own loader and cache.

    Returns ``(x_train, y_train), (x_test, y_test)`` exactly as
    ``keras.datasets.imdb.load_data(num_words=num_words)``: 25,000 reviews each, as lists of
    word indices below ``num_words``, labels 0/1.

    Raises :class:`DatasetUnavailableError` when the file is not cached and cannot be
    downloaded, with the file name and the folder to copy it into.
    """
    if not isinstance(num_words, int) or num_words < 1:
        raise ValueError(f"num_words must be a positive integer, got {num_words!r}")
    from course.runtime import import_keras

    keras = import_keras()
    cached = keras_cache_dir() / IMDB_FILE_NAME
    try:
        return keras.datasets.imdb.load_data(num_words=num_words)
    except Exception as error:  # Keras raises a bare Exception on a failed download
        if cached.exists():
            raise
        raise DatasetUnavailableError(
            f"The IMDB data set file '{IMDB_FILE_NAME}' is not in the Keras cache and could not "
            f"be downloaded ({error}). On a machine with internet access, download {IMDB_ORIGIN} "
            f"and copy it to {cached} (create the folder {cached.parent} if needed), then run "
            "this cell again."
        ) from error


# Fashion-MNIST's four IDX files, with the SHA-256 of their uncompressed content (the same in
# Keras's download and in Debian's package, which compress them differently)
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
FASHION_MNIST_DIR_ENV = "COURSE_FASHION_MNIST_DIR"
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_SUBSET = Path(__file__).parent / "datasets" / "fashion_mnist_subset.npz"
FASHION_MNIST_SUBSET_SHA256 = "51a16174f7735203501e6c12bede8a6865756387b4f927574321a475ae7c9567"
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@dataclass(frozen=True)
class ImageSet:
    """A train/test image data set as published: x uint8 (n, height, width), y int64 (n,).

    ``source`` says where it was read from; ``complete`` is False for the bundled subset.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    complete: bool = True


def _read_idx(path: Path, expected_sha256: str) -> np.ndarray:
    """One IDX file (gzip-compressed), checked against the checksum of its content."""
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    if hashlib.sha256(raw).hexdigest() != expected_sha256:
        raise DatasetUnavailableError(f"{path} is not the published Fashion-MNIST file (checksum differs)")
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:  # magic: two zero bytes, then 0x08 = unsigned bytes
        raise DatasetUnavailableError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist_folders() -> list[Path]:
    """The folders searched for the four files, in order."""
    folders = [Path(os.environ[FASHION_MNIST_DIR_ENV])] if os.environ.get(FASHION_MNIST_DIR_ENV) else []
    return folders + [keras_cache_dir() / "fashion-mnist", DEBIAN_FASHION_MNIST]


def _read_fashion_mnist(folder: Path) -> ImageSet:
    arrays = [_read_idx(folder / name, digest) for name, digest in FASHION_MNIST_FILES.items()]
    x_train, y_train, x_test, y_test = arrays
    return ImageSet(x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64), str(folder))


def load_fashion_mnist(allow_download: bool = True, allow_subset: bool = True) -> ImageSet:
    """Fashion-MNIST: 60,000 training and 10,000 test images, x uint8 (n, 28, 28), y int64 0-9
    (names in :data:`FASHION_MNIST_CLASSES`).

    Looks in :func:`fashion_mnist_folders`, then lets Keras download the files into its cache
    (``allow_download``), then falls back to the bundled stratified subset (``allow_subset``;
    4,000 training and 1,000 test images, ``complete=False``) with a warning. Raises
    :class:`DatasetUnavailableError` when none of them works.
    """
    for folder in fashion_mnist_folders():
        if all((folder / name).is_file() for name in FASHION_MNIST_FILES):
            return _read_fashion_mnist(folder)
    problem = "the files are in none of " + ", ".join(str(f) for f in fashion_mnist_folders())
    if allow_download:
        from course.runtime import import_keras

        try:
            import_keras().datasets.fashion_mnist.load_data()  # downloads into Keras's cache
            return _read_fashion_mnist(keras_cache_dir() / "fashion-mnist")
        except Exception as error:  # noqa: BLE001 - Keras raises a bare Exception on a failed download
            problem += f"; Keras could not download them ({error})"
    if allow_subset and FASHION_MNIST_SUBSET.is_file():
        subset = load_fashion_mnist_subset()
        warnings.warn(f"Fashion-MNIST is not on this machine ({problem}); using the course's bundled "
                      f"subset of {len(subset.x_train) + len(subset.x_test)} images. The experiments "
                      "run, on less data: their figures differ from the chapter's. Install Debian's "
                      "dataset-fashion-mnist package or connect once to get the whole set.", stacklevel=2)
        return subset
    raise DatasetUnavailableError(f"Fashion-MNIST is unavailable: {problem}. Install Debian's "
                                  "dataset-fashion-mnist package, or copy the four files "
                                  f"({', '.join(FASHION_MNIST_FILES)}) into {keras_cache_dir() / 'fashion-mnist'}.")


def load_fashion_mnist_subset() -> ImageSet:
    """The bundled stratified subset (checked against its checksum): 400 training and 100 test
    images per class, drawn with seed 0 from the published sets."""
    digest = hashlib.sha256(FASHION_MNIST_SUBSET.read_bytes()).hexdigest()
    if digest != FASHION_MNIST_SUBSET_SHA256:
        raise DatasetUnavailableError(f"{FASHION_MNIST_SUBSET} does not match its checksum")
    with np.load(FASHION_MNIST_SUBSET) as data:
        return ImageSet(data["x_train"], data["y_train"].astype(np.int64), data["x_test"],
                        data["y_test"].astype(np.int64), "the course's bundled subset", complete=False)


@lru_cache(maxsize=1)
def fashion_mnist_images() -> ImageSet:
    """Fashion-MNIST as :func:`load_fashion_mnist` finds it (read once per process)."""
    return load_fashion_mnist()


def _scaled_rows(x: np.ndarray) -> np.ndarray:
    """uint8 images to float32 rows of pixels in [0, 1]."""
    return (np.asarray(x, dtype=np.float32) / 255.0).reshape(len(x), -1)


def _disjoint_draw(n_available: int, n_train: int, n_val: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of ``n_train`` training and ``n_val`` validation samples: a seeded permutation, cut."""
    order = np.random.default_rng(seed).permutation(n_available)
    return order[:n_train], order[n_train:n_train + n_val]


@lru_cache(maxsize=16)
def load_fashion_split(seed: int = 0, n_train: int = 5000, n_val: int = 5000) -> Split:
    """``n_train`` training and ``n_val`` validation images of Fashion-MNIST's 60,000 training images
    (disjoint, drawn for ``seed``; float32 (n, 784) in [0, 1], y int64 0-9) and the official 10,000
    test images. With only the bundled subset, both parts shrink to half the available training
    images each and ``note`` says so. Cached per process: the same arrays for the same arguments."""
    data = fashion_mnist_images()
    note = ""
    if n_train + n_val > len(data.x_train):
        asked = (n_train, n_val)
        n_train = n_val = len(data.x_train) // 2
        note = (f"only {len(data.x_train)} training images found ({data.source}): using "
                f"{n_train} + {n_val} instead of {asked[0]} + {asked[1]}; the numbers "
                f"quoted in the text come from the full data")
    train, val = _disjoint_draw(len(data.x_train), n_train, n_val, seed)
    return Split(_scaled_rows(data.x_train[train]), data.y_train[train].astype(np.int64),
                 _scaled_rows(data.x_train[val]), data.y_train[val].astype(np.int64),
                 _scaled_rows(data.x_test), data.y_test.astype(np.int64), data.source, note)


@lru_cache(maxsize=16)
def load_imdb_split(seed: int = 0, n_train: int = 15000, n_val: int = 10000) -> Split:
    """``n_train`` training and ``n_val`` validation reviews of IMDB's 25,000 training reviews (disjoint,
    drawn for ``seed``) and its 25,000 test reviews: rows of ``IMDB_LENGTH`` word indices below
    ``IMDB_WORDS`` (0 pads), labels float32 (n, 1) 0/1. Needs :func:`load_imdb`'s file. Cached per process."""
    from course.runtime import import_keras

    keras = import_keras()
    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=IMDB_WORDS)

    def padded(reviews) -> np.ndarray:
        return keras.utils.pad_sequences(list(reviews), maxlen=IMDB_LENGTH, padding="post", truncating="post")

    note = ""
    if n_train + n_val > len(x_train):
        n_train, n_val = len(x_train) - len(x_train) // 2, len(x_train) // 2
        note = f"only {len(x_train)} training reviews: using {n_train} + {n_val}"
    train, val = _disjoint_draw(len(x_train), n_train, n_val, seed)
    # labels as (n, 1) floats: the shape of the single sigmoid output, as Keras's binary metrics need
    x_all, y_all = padded(x_train), np.asarray(y_train, dtype=np.float32).reshape(-1, 1)
    return Split(x_all[train], y_all[train], x_all[val], y_all[val], padded(x_test),
                 np.asarray(y_test, dtype=np.float32).reshape(-1, 1), "imdb.npz (Keras cache)", note)


def make_fashion_mnist_subset(full: ImageSet, per_class_train: int = 400, per_class_test: int = 100,
                              seed: int = 0) -> dict[str, np.ndarray]:
    """The arrays of the bundled subset, drawn from ``full`` (how the file was made)."""
    rng = np.random.default_rng(seed)

    def pick(y: np.ndarray, per_class: int) -> np.ndarray:
        return np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                                       for c in range(10)]))

    train, test = pick(full.y_train, per_class_train), pick(full.y_test, per_class_test)
    return {"x_train": full.x_train[train], "y_train": full.y_train[train].astype(np.uint8),
            "x_test": full.x_test[test], "y_test": full.y_test[test].astype(np.uint8)}
