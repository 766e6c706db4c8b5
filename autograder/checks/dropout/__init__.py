"""Checks for chapter 06 (dropout): the mask, inverted dropout forward and backward, MC dropout, one
module per graded function (:mod:`.mask`, :mod:`.forward`, :mod:`.backward`, :mod:`.mc_dropout`),
with the mask statistics they share in :mod:`._statistics` and the rest in :mod:`._common`.

Students may draw their masks any way they like from the ``rng`` they receive, so no check
depends on a particular random stream. The checks use:

- exact structural properties (shapes, 0/1 masks, ``out == a * mask / (1 - rate)`` for the mask
  returned, the identity at inference, ``ValueError`` outside ``0 <= rate < 1``);
- statistics with binomial tolerances of :data:`SIGMAS` standard deviations on large samples,
  so that a correct implementation fails with probability far below 1e-9 (kept fraction,
  independence between neighbouring elements along every axis), and no block of a large mask
  repeating another (a short pattern tiled over the mask);
- independence across calls: hundreds of small masks drawn one after another from one generator
  never repeat, and their pairwise agreement, the kept count of each call and of each position
  stay within exact binomial bands (:mod:`autograder.checks.randomness`), so a mask picked from
  a few fixed ones by a random bit, or drawn from a generator re-seeded inside the function,
  fails (:func:`check_masks_across_calls`);
- determinism for a seeded ``numpy.random.Generator``, consumption of that generator, and
  independence from NumPy's global state and Python's ``random`` (re-seeded between calls);
- Keras's ``Dropout`` layer (statistically in training mode, exactly in inference mode);
- a central-difference gradient check of the backward pass, with a fixed mask;
- for ``mc_dropout_predict``, a recording stand-in model with known outputs, and real Keras
  models with and without dropout. In trusted grading both stay in the grader and the sandbox
  calls them by reference (``__grading_remote__``), so the record of the calls is the grader's.

Every failure raises :class:`CheckFailed` with a message naming the likely misconception. Test
cells import the package (``from autograder.checks import dropout as checks``) and call the names
re-exported here.
"""

from autograder.checks import CheckFailed
from autograder.checks.dropout._common import ACROSS_CALLS, ACROSS_RATE, BAD_RATES, SIGMAS, SMALL_SHAPE
from autograder.checks.dropout._statistics import check_masks_across_calls
from autograder.checks.dropout.backward import (
    check_dropout_backward,
    check_dropout_backward_gradient,
    check_dropout_backward_on_random_inputs,
    gradient_check_case,
)
from autograder.checks.dropout.forward import (
    check_dropout_forward,
    check_dropout_forward_inverted_scaling,
    check_dropout_forward_matches_keras,
    check_dropout_forward_uses_only_rng,
    forward_inputs,
)
from autograder.checks.dropout.mask import (
    check_dropout_mask,
    check_dropout_mask_independent,
    check_dropout_mask_keep_fraction,
    check_dropout_mask_uses_only_rng,
)
from autograder.checks.dropout.mc_dropout import (
    RecordingModel,
    check_mc_dropout_predict,
    check_mc_dropout_predict_keras,
    check_mc_dropout_predict_passes,
    recorded_outputs,
)

__all__ = [
    "CheckFailed",
    "ACROSS_CALLS",
    "ACROSS_RATE",
    "BAD_RATES",
    "check_dropout_backward",
    "check_dropout_backward_gradient",
    "check_dropout_backward_on_random_inputs",
    "check_dropout_forward",
    "check_dropout_forward_inverted_scaling",
    "check_dropout_forward_matches_keras",
    "check_dropout_forward_uses_only_rng",
    "check_dropout_mask",
    "check_dropout_mask_independent",
    "check_dropout_mask_keep_fraction",
    "check_dropout_mask_uses_only_rng",
    "check_masks_across_calls",
    "check_mc_dropout_predict",
    "check_mc_dropout_predict_keras",
    "check_mc_dropout_predict_passes",
    "forward_inputs",
    "gradient_check_case",
    "recorded_outputs",
    "RecordingModel",
    "SIGMAS",
    "SMALL_SHAPE",
]
