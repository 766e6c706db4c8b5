"""Fashion-MNIST: the published IDX files wherever they are (checked against their checksums),
Keras's download, the bundled subset offline, and one seed's split of them."""

from __future__ import annotations

import gzip
import hashlib
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from course.data.base import DatasetUnavailableError, Split, disjoint_draw, keras_cache_dir

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
FASHION_MNIST_SUBSET = Path(__file__).parent.parent / "datasets" / "fashion_mnist_subset.npz"
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
    train, val = disjoint_draw(len(data.x_train), n_train, n_val, seed)
    return Split(_scaled_rows(data.x_train[train]), data.y_train[train].astype(np.int64),
                 _scaled_rows(data.x_train[val]), data.y_train[val].astype(np.int64),
                 _scaled_rows(data.x_test), data.y_test.astype(np.int64), data.source, note)



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
