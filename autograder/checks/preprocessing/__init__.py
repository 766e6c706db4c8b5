"""Checks for chapter 03 (preprocessing): vectorization, standardization, missing values and
the clock-angle feature.

Each check compares a student's function with an oracle (``keras.utils.to_categorical`` when
Keras is loaded, scikit-learn's ``StandardScaler`` fit on the training data, NumPy) on inputs
that make the usual mistakes visible (repeated indices, labels that leave classes unused, a
test set whose distribution differs from the training set, hands in every quadrant), then
names the mistake that the wrong output matches. Random inputs come from seeds the test cells
pass in (fixed in the notebook, drawn at grading time: ``autograder.checks.hidden_seeds``);
nothing depends on the student's random stream. The oracles run inside the checks, which return
nothing: no function here gives a graded function's answer (a student's code can import this
module).

One module per graded function or pair of them (``encoding``: ``vectorize_sequences`` and
``to_one_hot``; ``standardize``; ``missing``: ``fill_missing`` and ``augment_with_missing``;
``clock``: ``clock_angle_features``), the shared helpers in ``_common``. Test cells import this
package (``from autograder.checks import preprocessing as checks``) and call the checks by name.

The imports marked ``noqa: F401`` keep the names the single module held before it became this
package (the grader's helpers, NumPy and the libraries it compared with): a test cell's ``checks``
alias passes them on to a notebook's code, which finds them, and the grader reads them, as before.
"""

from __future__ import annotations

import numpy as np  # noqa: F401
from sklearn.preprocessing import StandardScaler  # noqa: F401

from autograder.checks import CheckFailed, call_student, fail, require  # noqa: F401
from autograder.checks.preprocessing.clock import (
    TWO_PI,
    check_clock_angle_features,
    check_clock_angles_ignore_length,
    clock_cases,
)
from autograder.checks.preprocessing.encoding import (
    check_to_one_hot,
    check_vectorize_empty_sequence,
    check_vectorize_sequences,
    random_sequences,
)
from autograder.checks.preprocessing.missing import (
    array_with_nans,
    check_augment_with_missing,
    check_fill_missing,
    missing_feature_data,
)
from autograder.checks.preprocessing.standardize import (
    MISTAKE_MESSAGES,
    check_standardize,
    check_standardize_train_stats,
    shifted_train_test,
)

__all__ = [
    "MISTAKE_MESSAGES",
    "TWO_PI",
    "array_with_nans",
    "check_augment_with_missing",
    "check_clock_angle_features",
    "check_clock_angles_ignore_length",
    "check_fill_missing",
    "check_standardize",
    "check_standardize_train_stats",
    "check_to_one_hot",
    "check_vectorize_empty_sequence",
    "check_vectorize_sequences",
    "clock_cases",
    "missing_feature_data",
    "random_sequences",
    "shifted_train_test",
]
