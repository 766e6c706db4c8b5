"""Checks for chapter 07 (the universal workflow): the naive baseline, early stopping, batch
normalization and the initializers' scales, one module per graded function (or pair):

- :mod:`.baseline` (``naive_baseline``): scikit-learn's ``DummyClassifier(strategy="most_frequent")``
  scored with accuracy, and ``DummyRegressor(strategy="mean")`` scored with ``mean_absolute_error``;
- :mod:`.early_stopping` (``early_stopping_epoch``): the real ``keras.callbacks.EarlyStopping``
  driven directly with scripted validation losses (``on_train_begin`` then ``on_epoch_end`` until
  the model's ``stop_training`` flag is set), and once inside a real ``model.fit``;
- :mod:`.batchnorm_forward` (``batchnorm_forward``): ``keras.layers.BatchNormalization`` with gamma
  and beta set, called with ``training=True`` (float32 tolerance), plus the normalization's
  statistical properties;
- :mod:`.batchnorm_backward` (``batchnorm_backward``): central differences of ``sum(dout * BN(x))``
  in float64, and the gradients TensorFlow computes for that layer (``tf.GradientTape``, float32
  tolerance);
- :mod:`.initializers` (``he_normal_std`` / ``glorot_uniform_limit``): the formulas, and the sample
  standard deviation / largest magnitude of large ``HeNormal`` / ``GlorotUniform`` kernels.

The oracles are the real libraries, never a particular random stream. When a result is wrong, the
usual mistakes are computed on the same inputs and the one that matches names the misconception in
the message. The libraries are called inside the checks, which return nothing: no function here
gives a graded function's answer (a student's code can import this package), and the mistakes'
simulations only ever compute a mistake.

Test cells import the package (``from autograder.checks import workflow as checks``) and call the
names re-exported here.
"""

from autograder.checks import CheckFailed
from autograder.checks.workflow.baseline import (
    check_naive_baseline,
    check_naive_baseline_edge_cases,
    check_naive_baseline_on_datasets,
    check_naive_baseline_on_random_inputs,
)
from autograder.checks.workflow.batchnorm_backward import (
    batchnorm_backward_inputs,
    check_batchnorm_backward,
    check_batchnorm_backward_keras_on_random_inputs,
    check_batchnorm_backward_matches_keras,
    check_batchnorm_backward_on_random_inputs,
)
from autograder.checks.workflow.batchnorm_forward import (
    batchnorm_inputs,
    check_batchnorm_forward,
    check_batchnorm_on_random_inputs,
    check_batchnorm_statistics,
)
from autograder.checks.workflow.early_stopping import (
    ADVERSARIAL_CASES,
    check_early_stopping_agrees_with_fit,
    check_early_stopping_cases,
    check_early_stopping_default_min_delta,
    check_early_stopping_edge_cases,
    check_early_stopping_on_random_inputs,
    mistaken_early_stopping,
    random_early_stopping_cases,
    training_curve,
)
from autograder.checks.workflow.initializers import (
    check_glorot_uniform_limit,
    check_glorot_uniform_matches_keras,
    check_glorot_uniform_on_random_inputs,
    check_he_normal_matches_keras,
    check_he_normal_on_random_inputs,
    check_he_normal_std,
    glorot_uniform_sample,
    he_normal_sample_std,
)

__all__ = [
    "CheckFailed",
    "ADVERSARIAL_CASES",
    "batchnorm_backward_inputs",
    "batchnorm_inputs",
    "check_batchnorm_backward",
    "check_batchnorm_backward_keras_on_random_inputs",
    "check_batchnorm_backward_matches_keras",
    "check_batchnorm_backward_on_random_inputs",
    "check_batchnorm_forward",
    "check_batchnorm_on_random_inputs",
    "check_batchnorm_statistics",
    "check_early_stopping_agrees_with_fit",
    "check_early_stopping_cases",
    "check_early_stopping_default_min_delta",
    "check_early_stopping_edge_cases",
    "check_early_stopping_on_random_inputs",
    "check_glorot_uniform_limit",
    "check_glorot_uniform_matches_keras",
    "check_glorot_uniform_on_random_inputs",
    "check_he_normal_matches_keras",
    "check_he_normal_on_random_inputs",
    "check_he_normal_std",
    "check_naive_baseline",
    "check_naive_baseline_edge_cases",
    "check_naive_baseline_on_datasets",
    "check_naive_baseline_on_random_inputs",
    "glorot_uniform_sample",
    "he_normal_sample_std",
    "random_early_stopping_cases",
    "mistaken_early_stopping",
    "training_curve",
]
