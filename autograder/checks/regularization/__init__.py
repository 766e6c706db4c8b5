"""Checks for chapter 05 (weight regularization): penalties, the L2 gradient, weight decay, max-norm,
and the model builder (its layers, and one training step against the contract's network rebuilt
here from the same weights; the model arrives through :mod:`autograder.scoring.keras_models`).

The oracles are Keras (``keras.regularizers.L1/L2/L1L2`` summed over the arrays, when Keras is
loaded; ``keras.constraints.MaxNorm``) and NumPy formulas, computed inside the checks, which
return nothing: no function here gives a graded function's answer (a student's code can import
this module). Inputs come from seeds the test cells pass in (fixed in the notebook, drawn at
grading time: ``autograder.checks.hidden_seeds``): lists of arrays of several shapes, float32
and float64. A wrong result is then compared with the usual mistakes to name the one it matches.

One module per graded function or group (``penalties``: the L1, L2 and L1+L2 penalties and
``l2_cost``; ``weight_decay``: the L2 gradient and the weight-decay step; ``max_norm``;
``network``: ``build_regularized_network``), the shared helpers in ``_common``. Test cells import
this package (``from autograder.checks import regularization as checks``) and call the checks by name.

The imports marked ``noqa: F401`` keep the names the single module held before it became this
package (the grader's helpers, NumPy and the libraries it compared with): a test cell's ``checks``
alias passes them on to a notebook's code, which finds them, and the grader reads them, as before.
"""

from __future__ import annotations

import numpy as np  # noqa: F401

from autograder.checks import CheckFailed, call_student, fail, require  # noqa: F401
from autograder.checks._common import loaded_keras, quiet  # noqa: F401
from autograder.checks.regularization._common import RTOL
from autograder.checks.regularization.max_norm import check_max_norm, check_max_norm_on_random_inputs, max_norm_matrix
from autograder.checks.regularization.network import (
    BUILDER,
    BUILDER_ACTIVATIONS,
    STEP_BATCH,
    STEP_LEARNING_RATE,
    builder_case,
    check_regularized_network,
    check_regularized_network_on_random_inputs,
    check_regularized_network_step_on_random_inputs,
    check_regularized_network_training_step,
)
from autograder.checks.regularization.penalties import (
    check_keras_default_factor,
    check_l1_l2_penalty,
    check_l1_penalty,
    check_l2_cost,
    check_l2_cost_on_random_inputs,
    check_l2_penalty,
    check_penalty_on_random_inputs,
    random_weights,
)
from autograder.checks.regularization.weight_decay import (
    check_decay_equals_gradient_step,
    check_l2_regularized_gradient,
    check_l2_regularized_gradient_on_random_inputs,
    check_weight_decay_step,
    check_weight_decay_step_on_random_inputs,
)
from course.runtime import import_keras  # noqa: F401

__all__ = [
    "BUILDER",
    "BUILDER_ACTIVATIONS",
    "RTOL",
    "STEP_BATCH",
    "STEP_LEARNING_RATE",
    "builder_case",
    "check_decay_equals_gradient_step",
    "check_keras_default_factor",
    "check_l1_l2_penalty",
    "check_l1_penalty",
    "check_l2_cost",
    "check_l2_cost_on_random_inputs",
    "check_l2_penalty",
    "check_l2_regularized_gradient",
    "check_l2_regularized_gradient_on_random_inputs",
    "check_max_norm",
    "check_max_norm_on_random_inputs",
    "check_penalty_on_random_inputs",
    "check_regularized_network",
    "check_regularized_network_on_random_inputs",
    "check_regularized_network_step_on_random_inputs",
    "check_regularized_network_training_step",
    "check_weight_decay_step",
    "check_weight_decay_step_on_random_inputs",
    "max_norm_matrix",
    "random_weights",
]
