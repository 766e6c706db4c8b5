"""Experiments of chapter 03: engineered features (claim 13, :mod:`course.features.engineered`) and
preprocessing leaks (claim 14, :mod:`course.features.leaks`); every name is re-exported here.

Claim 13 trains the same small model (a 1-nearest-neighbour classifier) on growing training
sets of clock readings in three representations (raw pixels, hand tips, hand angles) and
records the test accuracy of reading the hour.

Claim 14 measures two ways of inflating a reported score, each next to the honest protocol on
the same data:

* a preprocessing step fitted on all the data before cross-validation: the features kept are
  those most correlated with the labels of *all* the rows, validation folds included. On the
  diabetes data (progression above the median) with thousands of added pure-noise columns,
  the leaky protocol reports far more than the same selection fitted inside each training
  fold (a scikit-learn ``Pipeline`` in ``cross_val_score``). A scaler fitted on all the rows
  is measured too: it uses no labels and, on data drawn alike, changes almost nothing.
* tuning on the test set: many candidate models, the one with the best *test* score is picked
  and that score reported; an honest protocol picks on a validation set. Each protocol's
  reported score is compared with the chosen model's accuracy on fresh data it never touched.

Functions that apply a preprocessing step take it as a parameter, so the notebook passes the
student's ``standardize`` or ``clock_angle_features``. Nothing here implements them (a
student's code can import this package): the claims standardize with scikit-learn's
``StandardScaler`` and take the exact angles the clock generator drew.
"""

from course.features.engineered import (
    TARGET_ACCURACY,
    accuracy_vs_samples,
    clock_angles_sample_efficiency_claim,
    clock_learning_curves,
    clock_sample_sizes,
    plot_accuracy_vs_samples,
    samples_to_reach,
)
from course.features.leaks import (
    SelectionLeak,
    SelectionLeakSize,
    TuningLeak,
    diabetes_above_median,
    plot_selection_leak,
    preprocessing_leak_claim,
    selection_leak,
    selection_leak_size,
    tuning_on_test_leak,
)
