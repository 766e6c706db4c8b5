"""Fashion-MNIST through `course.data`: the published files wherever they are, checked; the
bundled subset offline; a clear error when neither is there."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from course import data
from course.data import fashion_mnist as fashion_mnist_files  # the module whose paths the fixtures move

PUBLISHED = data.DEBIAN_FASHION_MNIST
HAVE_DEBIAN_FILES = all((PUBLISHED / name).is_file() for name in data.FASHION_MNIST_FILES)


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No folder has the files (an empty Keras home, no Debian package)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(data.FASHION_MNIST_DIR_ENV, raising=False)
    monkeypatch.setattr(fashion_mnist_files, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-package")
    return tmp_path


@pytest.mark.skipif(not HAVE_DEBIAN_FILES, reason="Debian's dataset-fashion-mnist is not installed")
def test_the_published_files_load_with_their_shapes_and_classes(monkeypatch, tmp_path):
    """Check that the four published files give 60,000 + 10,000 balanced 28x28 images."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    full = data.load_fashion_mnist(allow_download=False, allow_subset=False)
    assert full.complete and full.source == str(PUBLISHED)
    assert full.x_train.shape == (60000, 28, 28) and full.x_test.shape == (10000, 28, 28)
    assert full.x_train.dtype == np.uint8 and full.y_train.dtype == np.int64
    assert np.bincount(full.y_train).tolist() == [6000] * 10
    assert np.bincount(full.y_test).tolist() == [1000] * 10


@pytest.mark.skipif(not HAVE_DEBIAN_FILES, reason="Debian's dataset-fashion-mnist is not installed")
def test_a_changed_file_is_refused_and_the_bundled_subset_is_drawn_from_the_published_set(nowhere, monkeypatch):
    """Check that a file whose content differs is refused, and that the bundle is what its recipe makes."""
    folder = nowhere / "copy"
    shutil.copytree(PUBLISHED, folder)
    monkeypatch.setenv(data.FASHION_MNIST_DIR_ENV, str(folder))
    full = data.load_fashion_mnist(allow_download=False, allow_subset=False)
    assert full.source == str(folder)
    subset = data.load_fashion_mnist_subset()
    for name, array in data.make_fashion_mnist_subset(full).items():
        np.testing.assert_array_equal(getattr(subset, name), array)
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[-1] = (raw[-1] + 1) % 10
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(data.DatasetUnavailableError, match="checksum"):
        data.load_fashion_mnist(allow_download=False, allow_subset=False)


def test_offline_without_the_files_the_bundled_subset_is_used_and_says_so(nowhere):
    """Check that a machine without the files or a network still gets data, with a warning."""
    with pytest.warns(UserWarning, match="bundled subset of 5000 images"):
        subset = data.load_fashion_mnist(allow_download=False)
    assert not subset.complete
    assert subset.x_train.shape == (4000, 28, 28) and subset.x_test.shape == (1000, 28, 28)
    assert np.bincount(subset.y_train).tolist() == [400] * 10
    assert np.bincount(subset.y_test).tolist() == [100] * 10


def test_without_the_files_or_the_subset_the_error_says_what_to_install(nowhere):
    """Check that the error names the Debian package and the folder to copy the files into."""
    with pytest.raises(data.DatasetUnavailableError, match="dataset-fashion-mnist") as error:
        data.load_fashion_mnist(allow_download=False, allow_subset=False)
    assert str(nowhere / "keras") in str(error.value)


def test_a_tampered_bundle_is_refused(nowhere, monkeypatch):
    """Check that the bundled subset is checked against its checksum on every load."""
    copy = nowhere / "subset.npz"
    tampered = bytearray(data.FASHION_MNIST_SUBSET.read_bytes())
    tampered[len(tampered) // 2] ^= 0xFF
    copy.write_bytes(bytes(tampered))
    monkeypatch.setattr(fashion_mnist_files, "FASHION_MNIST_SUBSET", copy)
    with pytest.raises(data.DatasetUnavailableError, match="checksum"):
        data.load_fashion_mnist_subset()
