"""Checks for chapter 06's NumPy network: forward pass, loss, backward pass and gradient check, one
module per graded function (:mod:`.forward`, :mod:`.loss`, :mod:`.backward`, :mod:`.gradient_check`),
with the cases and readers they share in :mod:`._common`.

The network's conventions (the contracts in the notebook): ``params`` holds ``W1, b1, ..., WL, bL``
with ``Wl`` of shape ``(n_{l-1}, n_l)`` and ``bl`` of shape ``(n_l,)``; the hidden layers are
ReLU, each followed by inverted dropout, and the last layer is one sigmoid unit. The forward pass
returns the probabilities and a cache ``{"A": [X, A1, ..., A_{L-1}], "Z": [Z1, ..., ZL],
"masks": [D1, ..., D_{L-1}]}``, the backward pass the gradients of the loss (mean binary
cross-entropy plus chapter 05's ``lambda/(2m)`` times the squared norms of the weight matrices)
with the masks held fixed.

Every expected value is computed inside the check that uses it (NumPy in float64, or a Keras
model with the same weights); the backward pass is compared with the grader's own central
differences. ``gradient_check`` receives a grader-side loss, :class:`RecordedLoss`, which the
sandbox calls by reference (``__grading_remote__``): it records which entries each call moved,
so a one-sided difference or a skipped parameter is named from the grader's own record.

Every failure raises :class:`CheckFailed` with a message naming the likely misconception. Test
cells import the package (``from autograder.checks import numpy_network as network_checks``) and
call the names re-exported here.
"""

from autograder.checks import CheckFailed
from autograder.checks.numpy_network._common import GRADIENT_TOLERANCE, RESTORE_ULPS, TOLERANCE, network_case
from autograder.checks.numpy_network.backward import check_network_backward, check_network_backward_on_random_inputs
from autograder.checks.numpy_network.forward import (
    MASK_ROWS,
    MASK_SIGMAS,
    MASK_UNITS,
    check_network_forward,
    check_network_forward_masks,
    check_network_forward_matches_keras,
    check_network_forward_on_random_inputs,
)
from autograder.checks.numpy_network.gradient_check import (
    RecordedLoss,
    check_gradient_check,
    check_gradient_check_central,
)
from autograder.checks.numpy_network.loss import check_network_loss, check_network_loss_on_random_inputs

__all__ = [
    "CheckFailed",
    "check_gradient_check",
    "check_gradient_check_central",
    "check_network_backward",
    "check_network_backward_on_random_inputs",
    "check_network_forward",
    "check_network_forward_masks",
    "check_network_forward_matches_keras",
    "check_network_forward_on_random_inputs",
    "check_network_loss",
    "check_network_loss_on_random_inputs",
    "GRADIENT_TOLERANCE",
    "MASK_ROWS",
    "MASK_SIGMAS",
    "MASK_UNITS",
    "network_case",
    "RecordedLoss",
    "RESTORE_ULPS",
    "TOLERANCE",
]
