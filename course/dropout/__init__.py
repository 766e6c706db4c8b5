"""Chapter 06 experiments: dropout, Monte Carlo dropout, alpha dropout, recurrent dropout, one
module each; every name is re-exported here, so ``from course import dropout`` and
``from course.dropout import ...`` reach them all.

- :mod:`course.dropout.keras_dropout`: claim 6 (dropout delays overfitting), measured on chapter
  05's comparison runs (:func:`course.regularization.run_comparison`, models "baseline" and
  "dropout"); claim 7 (inverted dropout keeps the expected activation; the identity at
  inference), with Keras's ``Dropout`` layer (:func:`expected_activation_table` adds the student's
  NumPy ``dropout_forward``); claim 17 (validation loss is U-shaped in the dropout rate):
  :func:`dropout_sweep`.
- :mod:`course.dropout.monte_carlo`: claim 9 (Monte Carlo dropout: accuracy and uncertainty) with
  chapter 05's dropout network on Fashion-MNIST, evaluated on the seed's validation images (the
  test images stay unused), with a seaborn figure of the spread on right and wrong predictions;
  :func:`run_mc_dropout` takes the student's ``mc_dropout_predict``. The batch-normalization
  caveat of Monte Carlo dropout.
- :mod:`course.dropout.alpha`: alpha dropout in a self-normalizing (SELU) stack.
- :mod:`course.dropout.recurrent`: recurrent models (recurrent dropout, stacked and bidirectional
  layers) on digits read row by row as sequences of 8 steps of 8 pixels.

Sizes come from the ``*_sizes(fast)`` functions: the full size is what the notebook's text
quotes; the fast size keeps grading and CI quick.

Nothing here implements a graded function (the students' ``dropout_mask``, ``dropout_forward``,
``dropout_backward``, ``mc_dropout_predict``): a student's code can import this package, so
experiments that need one take it as an argument, and the claims use Keras's own layers.
"""

from course.dropout.alpha import (
    dropout_moments,
    plot_selu_stack,
    selu_stack_statistics,
)
from course.dropout.keras_dropout import (
    DROPOUT_SWEEP,
    comparison_run,
    dropout_delays_overfitting_claim,
    dropout_rate_u_shape_claim,
    dropout_sweep,
    expected_activation_table,
    inverted_dropout_expectation_claim,
    inverted_dropout_sizes,
)
from course.dropout.monte_carlo import (
    MCDropoutRun,
    MCPredict,
    TrainedClassifier,
    batchnorm_caveat,
    mc_dropout_layer_class,
    mc_dropout_uncertainty_claim,
    mc_sizes,
    plot_mc_uncertainty,
    run_mc_dropout,
    train_dropout_classifier,
)
from course.dropout.recurrent import (
    SEQUENCE_MODELS,
    build_sequence_model,
    plot_time_step_masks,
    run_sequence_models,
    sequence_output_shapes,
    sequence_sizes,
    sequence_summary,
    time_step_masks,
)
