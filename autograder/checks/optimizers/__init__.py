"""Checks for chapter 07's optimizers: SGD with momentum (and Nesterov), RMSprop, Adam and the
exponential learning-rate decay, each against Keras's own implementation.

An update check runs Keras's optimizer (``keras.optimizers.SGD``, ``RMSprop``, ``Adam``) on a
``keras.Variable`` and gives the student's function the same gradients, step after step: the
student's returned weights and state go into its next call, and at every step they must equal
Keras's weights and optimizer state (the state the contract names: the velocity, the moving
averages). The gradients come from a random quadratic problem evaluated at Keras's weights, with
some coordinates' gradients scaled far down (1e-6 and less), where the placement of epsilon decides
the step. The inputs must come back unmodified (in trusted grading too: arrays passed to the
sandbox are updated in place after the call). At the first step that differs, the step is redone
with the mistakes the messages know (momentum without the velocity, Nesterov as plain momentum,
a flipped velocity sign, RMSprop without the square root or with epsilon outside it, Adam without
bias correction, with the textbook's epsilon or a step count shifted by one...), from the inputs of
that step, and the message names the one that matches.

Tolerance (:data:`RTOL` = 1e-5, relative to the largest magnitude the compared array has had on
the trajectory so far, the starting weights included, so that a weight crossing zero is not held
to its own tiny size): the
float64 problems give Keras float64 variables and float64 hyperparameters, and every learning rate
is a float32 number (Keras keeps it in a float32 variable), so Keras computes what the contract
says to about 1e-15. The float32 problems run Keras in float32 with hyperparameters that float32
represents exactly; a float64 implementation then differs from it by float32's rounding (6e-8 per
operation), measured below 1e-6 over :data:`STEPS` steps (no failure of the reference over 60 steps
and 60 random problems per optimizer, nor over 150 grading keys of the hidden cells). Every
mistake above changes a step by more than 1e-3 of the array's scale on these problems.

The schedule check compares the student's learning rates with
``keras.optimizers.schedules.ExponentialDecay`` (computed in float64) at steps chosen around the
staircase's edges.

One module per graded function (``sgd_momentum``, ``rmsprop``, ``adam``, ``exponential_decay``);
``_common`` holds the random problems, the comparison helpers and the step-by-step run against
Keras that the update checks share. Test cells import this package
(``from autograder.checks import optimizers as optim_checks``) and call the checks by name.

The imports marked ``noqa: F401`` keep the names the single module held before it became this
package (the grader's helpers, NumPy and the libraries it compared with): a test cell's ``checks``
alias passes them on to a notebook's code, which finds them, and the grader reads them, as before.
"""

from __future__ import annotations

import numpy as np  # noqa: F401

from autograder.checks import CheckFailed, call_student, expect_value_error, fail, require  # noqa: F401
from autograder.checks._common import as_number, quiet, same_contents  # noqa: F401
from autograder.checks.optimizers._common import RTOL, SHAPES, STEPS, Problem, exact_float32, problem
from autograder.checks.optimizers.adam import check_adam_on_random_problems, check_adam_step, check_adam_step_count
from autograder.checks.optimizers.exponential_decay import (
    check_exponential_decay,
    check_exponential_decay_errors,
    check_exponential_decay_on_random_inputs,
    decay_steps_to_try,
)
from autograder.checks.optimizers.rmsprop import (
    _rmsprop_diagnose,  # noqa: F401
    check_rmsprop_on_random_problems,
    check_rmsprop_step,
)
from autograder.checks.optimizers.sgd_momentum import (
    check_sgd_momentum_errors,
    check_sgd_momentum_on_random_problems,
    check_sgd_momentum_step,
)
from course.runtime import import_keras  # noqa: F401

__all__ = [
    "Problem",
    "RTOL",
    "SHAPES",
    "STEPS",
    "check_adam_on_random_problems",
    "check_adam_step",
    "check_adam_step_count",
    "check_exponential_decay",
    "check_exponential_decay_errors",
    "check_exponential_decay_on_random_inputs",
    "check_rmsprop_on_random_problems",
    "check_rmsprop_step",
    "check_sgd_momentum_errors",
    "check_sgd_momentum_on_random_problems",
    "check_sgd_momentum_step",
    "decay_steps_to_try",
    "exact_float32",
    "problem",
]
