"""Chapter 07 experiments: the universal workflow end to end, batch normalization, early
stopping and data augmentation, one module each; every name is re-exported here, so
``from course import workflow`` and ``from course.workflow import ...`` reach them all.

- :mod:`course.workflow.universal`: :class:`Workflow` runs the workflow's steps on the
  breast-cancer data (malignant = 1, the positive class): a naive baseline, a first small model
  that beats it, a large model that overfits, regularized candidates tuned on validation with
  early stopping, and the chosen one retrained on training + validation data and evaluated once
  on the test set. Every step adds a row to a pandas results table.
- :mod:`course.workflow.batchnorm`: batch normalization on Fashion-MNIST (:mod:`course.fashion`):
  :func:`run_batchnorm_comparison` trains a 4 x 100 network plain (ReLU), with Dense ->
  BatchNormalization -> ReLU blocks and with Dense -> BatchNormalization -> LeakyReLU(0.2) blocks,
  with SGD (claim 10) or Adam (claim 18), over several seeds; :func:`plot_batchnorm_curves` draws them.
- :mod:`course.workflow.early_stopping`: :func:`run_early_stopping` trains the 512-512
  Fashion-MNIST baseline with ``EarlyStopping`` and, for comparison, without it (claim 12).
- :mod:`course.workflow.augmentation`: :func:`augmented_examples` / :func:`plot_augmented_images`
  show random flips, shifts and rotations of Fashion-MNIST images; :func:`run_augmentation_effect`
  trains the baseline network on 1,500 images with and without them over several seeds
  (:func:`measure_augmentation`).

Nothing here implements a graded function (a student's code can import this package): the
workflow's baseline step takes the student's ``naive_baseline``, the claims use Keras's own
``EarlyStopping``, and features are standardized inline (training statistics only). Runs are
cached per process so that the notebook and the claims share them.
"""

from course.workflow.augmentation import (
    ALL_AUGMENTATIONS,
    AUG_FAST,
    AUG_FULL,
    AUGMENTATIONS,
    FLIPPED,
    FLIPS,
    NO_AUGMENTATION,
    ROTATION,
    SHIFT,
    SHIFTS_AND_ROTATIONS,
    AugmentationComparison,
    augmentation_layers,
    augmentation_size,
    augmented_examples,
    build_augmented_network,
    measure_augmentation,
    plot_augmentation_curves,
    plot_augmented_images,
    run_augmentation_effect,
    train_augmented,
)
from course.workflow.batchnorm import (
    BN_FAST,
    BN_FIRST_EPOCHS,
    BN_FULL,
    BN_HIDDEN,
    BN_LEAKY,
    BN_RELU,
    BN_VARIANTS,
    OPTIMIZER_NAMES,
    PLAIN,
    BatchNormComparison,
    batchnorm_adam_convergence_claim,
    batchnorm_sgd_convergence_claim,
    bn_size,
    bn_spec,
    first_epochs_val_ce,
    plot_batchnorm_curves,
    run_batchnorm_comparison,
)
from course.workflow.early_stopping import (
    ES_FAST,
    ES_FAST_PATIENCE,
    ES_PATIENCE,
    EarlyStoppingRun,
    early_stopping_claim,
    es_patience,
    es_size,
    plot_early_stopping,
    run_early_stopping,
)
from course.workflow.universal import (
    CANDIDATES,
    LARGE_UNITS,
    LEARNING_RATE,
    SMALL_UNITS,
    VAL_BATCH,
    Candidate,
    Workflow,
    binary_scores,
    build_classifier,
    plot_roc_and_pr,
    sizes,
)
