"""Every data set of the course, as one :class:`Split` type: seeded train/validation(/test) parts.

Every loader lives in this package, one module per source (:mod:`course.data.sklearn_sets`,
:mod:`course.data.fashion_mnist`, :mod:`course.data.imdb`; what they share is in
:mod:`course.data.base`), and every name is re-exported here: the chapters' modules train on what
``from course.data import ...`` returns.

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
"""

from course.data.base import (
    DatasetUnavailableError,
    Split,
    disjoint_draw,
    keras_cache_dir,
    split_arrays,
)
from course.data.fashion_mnist import (
    DEBIAN_FASHION_MNIST,
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIR_ENV,
    FASHION_MNIST_FILES,
    FASHION_MNIST_SUBSET,
    FASHION_MNIST_SUBSET_SHA256,
    ImageSet,
    fashion_mnist_folders,
    fashion_mnist_images,
    load_fashion_mnist,
    load_fashion_mnist_subset,
    load_fashion_split,
    make_fashion_mnist_subset,
)
from course.data.imdb import (
    IMDB_FILE_NAME,
    IMDB_LENGTH,
    IMDB_ORIGIN,
    IMDB_WORDS,
    load_imdb,
    load_imdb_split,
)
from course.data.sklearn_sets import (
    CLASSIFICATION,
    DATASET_NAMES,
    digit_multilabel_targets,
    load_arrays,
    load_breast_cancer_split,
    load_cancer_data,
    load_diabetes_split,
    load_digit_images,
    load_digit_sequences,
    load_digits_split,
    load_moons,
)
