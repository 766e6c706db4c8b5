"""Checks for chapter 02 (validation): hold-out, K-fold, iterated K-fold, time-ordered splits, and
the K-fold loop (``cross_validate``), checked through a model factory whose models (recording
stand-ins, small Keras models) keep a record of what they were trained and scored on.

The checks test the contract of the syllabus's graded API, never a particular random stream:
partitions, sizes, agreement with scikit-learn's ``KFold`` and ``TimeSeriesSplit``,
determinism for a given seed, how evenly the shuffles spread the samples, and, over a wide range
of seeds (small and large ones, and pairs of seeds that differ by 1, 256, 2**16, 2**20, 2**24,
10**6 and 10**9), that every seed gets its own split, unrelated to the splits of the seeds near
it: a seed reduced to a few values (``seed % 256``, ``seed & 0xFFFF``, a few of its digits) fails.

One module per graded function (``holdout``, ``kfold`` for the three K-fold splitters, ``time_ordered``,
``cross_validate``); ``_seed_range`` holds the seed-range statistics the shuffling splitters share,
``_cv_models`` the model factory and recording models that ``cross_validate``'s checks hand to the
student's loop, ``_common`` the partition and fold-size properties. Test cells import this package
(``from autograder.checks import validation as checks``) and call the checks by name.

The imports marked ``noqa: F401`` keep the names the single module held before it became this
package (the grader's helpers, NumPy and the libraries it compared with): a test cell's ``checks``
alias passes them on to a notebook's code, which finds them, and the grader reads them, as before.
"""

from __future__ import annotations

import numpy as np  # noqa: F401
from sklearn.model_selection import KFold, TimeSeriesSplit  # noqa: F401

from autograder.checks import (  # noqa: F401
    CheckFailed,
    as_index_array,
    as_split_list,
    call_student,
    expect_value_error,
    fail,
    preview,
    require,
)
from autograder.checks._common import call_student_as, quiet  # noqa: F401
from autograder.checks.randomness import (  # noqa: F401
    ALPHA,
    at_least,
    band,
    circular_shift_overlaps,
    describe_difference,
    hypergeometric_pmf,
    reduction_hint,
    shift_text,
    sum_pmf,
)
from autograder.checks.validation._common import Split
from autograder.checks.validation._cv_models import CV_TOLERANCE, ModelFactory, SmallKerasRegressor, StandInRegressor
from autograder.checks.validation._seed_range import (
    BASE_OFFSETS,
    FAR_OFFSETS,
    FAR_SEEDS,
    RANGE_PART,
    RANGE_SAMPLES,
    SEED_BASES,
    SMALL_SEEDS,
    Draw,
    seed_range,
)
from autograder.checks.validation.cross_validate import (
    check_cross_validate_keras,
    check_cross_validate_on_random_data,
    check_cross_validate_recorded,
    check_cross_validate_rejects_leaky_folds,
)
from autograder.checks.validation.holdout import (
    check_holdout_partition,
    check_holdout_seed_range,
    check_holdout_seeded,
    check_holdout_shuffles_evenly,
)
from autograder.checks.validation.kfold import (
    check_iterated_k_fold_repeats_differ,
    check_iterated_k_fold_repeats_partition,
    check_iterated_k_fold_seed_range,
    check_k_fold_matches_sklearn,
    check_k_fold_rejects_bad_k,
    check_shuffled_k_fold_evenly,
    check_shuffled_k_fold_partition,
    check_shuffled_k_fold_seed_range,
    check_shuffled_k_fold_seeded,
)
from autograder.checks.validation.time_ordered import (
    check_time_ordered_matches_sklearn,
    check_time_ordered_no_future_leak,
)
from course.runtime import import_keras  # noqa: F401

__all__ = [
    "BASE_OFFSETS",
    "CV_TOLERANCE",
    "Draw",
    "FAR_OFFSETS",
    "FAR_SEEDS",
    "ModelFactory",
    "RANGE_PART",
    "RANGE_SAMPLES",
    "SEED_BASES",
    "SMALL_SEEDS",
    "SmallKerasRegressor",
    "Split",
    "StandInRegressor",
    "check_cross_validate_keras",
    "check_cross_validate_on_random_data",
    "check_cross_validate_recorded",
    "check_cross_validate_rejects_leaky_folds",
    "check_holdout_partition",
    "check_holdout_seed_range",
    "check_holdout_seeded",
    "check_holdout_shuffles_evenly",
    "check_iterated_k_fold_repeats_differ",
    "check_iterated_k_fold_repeats_partition",
    "check_iterated_k_fold_seed_range",
    "check_k_fold_matches_sklearn",
    "check_k_fold_rejects_bad_k",
    "check_shuffled_k_fold_evenly",
    "check_shuffled_k_fold_partition",
    "check_shuffled_k_fold_seed_range",
    "check_shuffled_k_fold_seeded",
    "check_time_ordered_matches_sklearn",
    "check_time_ordered_no_future_leak",
    "seed_range",
]
