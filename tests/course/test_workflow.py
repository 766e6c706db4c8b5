"""Chapter 07 helpers (course.workflow): the workflow steps, scores, augmentation, batch normalization and
early-stopping experiments, and claims 10, 12 and 18, in fast mode."""

from __future__ import annotations

import numpy as np
import pytest

from course import fashion
from course import workflow as wf
from course.data import FASHION_MNIST_CLASSES
from course.spread import consistently_positive, paired_effect
from tests.solutions import solution


# ---------------------------------------------------------------------------- experiment helpers
def test_workflow_standardizes_with_the_training_statistics():
    workflow = wf.Workflow(seed=0)  # standardized with the training part's statistics
    assert np.allclose(workflow.x_train.mean(axis=0), 0, atol=1e-4) and workflow.x_val.dtype == np.float32
    assert np.abs(workflow.x_val.mean(axis=0)).max() > 1e-3


def test_binary_scores_on_a_hand_example():
    y = np.array([1, 0, 1, 1, 0, 0, 0, 1, 0, 0])
    p = np.array([0.9, 0.4, 0.35, 0.8, 0.1, 0.55, 0.2, 0.7, 0.05, 0.3])
    scores = wf.binary_scores(y, p)
    assert scores["precision"] == 0.75 and scores["recall"] == 0.75 and scores["accuracy"] == 0.8
    assert wf.binary_scores(y, np.full(10, 0.4))["ROC AUC"] == 0.5


def test_numpy_forward_pass_equals_predict(keras):
    """Check that the probabilities the workflow records (a NumPy forward pass) are Keras's predictions."""
    workflow = wf.Workflow(seed=1)
    candidate = wf.Candidate("2 x 16 + dropout 0.3", (16, 16), dropout=0.3)  # dropout is off at inference
    workflow.tune([candidate])
    model = workflow.histories[candidate.name].model
    assert np.allclose(workflow.probabilities[candidate.name], model.predict(workflow.x_val, verbose=0).ravel(),
                       atol=1e-5)


def test_augmented_examples_are_fashion_images_moved(keras):
    originals, variants, names = wf.augmented_examples(n_images=3, n_variants=4, seed=0)
    assert originals.shape == (3, 28, 28) and variants.shape == (3, 4, 28, 28)
    assert len(set(names)) == 3 and set(names) <= set(FASHION_MNIST_CLASSES)
    assert variants.min() >= 0 and variants.max() <= 1 + 1e-6
    assert all(not np.allclose(variants[i, j], originals[i]) for i in range(3) for j in range(4))
    flipped_only, flips, _ = wf.augmented_examples(n_images=2, n_variants=8, seed=1, transforms=(wf.FLIPS,))
    for image, variants_of_image in zip(flipped_only, flips):  # a flip is the image or its mirror, nothing else
        for variant in variants_of_image:
            assert np.allclose(variant, image) or np.allclose(variant, image[:, ::-1])


def test_augmentation_is_the_identity_at_inference(keras):
    model = wf.build_augmented_network(wf.AUGMENTATIONS[wf.ALL_AUGMENTATIONS], seed=0)
    x = fashion.make_split(0, fashion.FAST).x_val[:16].reshape(-1, 28, 28, 1)
    augmentation = model.get_layer("augmentation")
    assert np.allclose(np.asarray(augmentation(x, training=False)), x)
    assert not np.allclose(np.asarray(augmentation(x, training=True)), x)


def test_no_augmentation_is_the_baseline_run(keras):
    """The augmentation experiment's network without augmentation is chapter 04-06's baseline on the
    same images: same initial weights, same batches, same curves."""
    size = wf.AUG_FAST
    plain = wf.train_augmented(wf.NO_AUGMENTATION, 1, size)
    baseline = fashion.train(fashion.BASELINE, 1, size)
    assert np.allclose(plain.val_ce, baseline.val_ce, rtol=1e-4)
    assert plain.model.count_params() == baseline.model.count_params()


def test_augmentation_measure_reports_what_it_judges(keras):
    held, figures, summary = wf.measure_augmentation([0, 1], fast=True)
    comparison = wf.run_augmentation_effect([0, 1], fast=True)  # cached: the runs the measure used
    end = {name: [run.end_val_ce for run in runs] for name, runs in comparison.runs.items()}
    lower_in_every_seed = [all(a < b for a, b in zip(end[name], end[wf.NO_AUGMENTATION]))
                           for name in (wf.FLIPPED, wf.ALL_AUGMENTATIONS)]
    assert held == all(lower_in_every_seed)
    assert figures["all_lower_ce_by_min"] == pytest.approx(
        min(b - a for a, b in zip(end[wf.ALL_AUGMENTATIONS], end[wf.NO_AUGMENTATION])))
    assert all(0 < figures[f"end_val_accuracy_{key}_mean"] <= 1 for key in ("none", "flips", "all"))
    assert f"{wf.AUG_FAST.n_train:,} images" in summary and "paired by seed" in summary


# ---------------------------------------------------------------------------- batch normalization
@pytest.mark.parametrize("variant, optimizer", [(wf.PLAIN, "sgd"), (wf.BN_RELU, "adam"), (wf.BN_LEAKY, "sgd")])
def test_batchnorm_variants_build_the_documented_blocks(keras, variant, optimizer):
    model = fashion.build_network(wf.bn_spec(variant, optimizer))
    kinds = [layer.__class__.__name__ for layer in model.layers]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [*wf.BN_HIDDEN, 10]
    if variant == wf.PLAIN:
        assert "BatchNormalization" not in kinds and all(layer.use_bias for layer in dense)
    else:  # Dense (no bias, BN's beta replaces it) -> BatchNormalization -> activation, every hidden block
        assert kinds.count("BatchNormalization") == len(wf.BN_HIDDEN)
        assert not any(layer.use_bias for layer in dense[:-1])
        for index, kind in enumerate(kinds[:-1]):
            if kind == "Dense":
                assert kinds[index + 1] == "BatchNormalization"
    assert ("LeakyReLU" in kinds) == (variant == wf.BN_LEAKY)
    assert model.optimizer.__class__.__name__.lower() == optimizer
    assert float(model.optimizer.learning_rate) == pytest.approx({"sgd": 0.01, "adam": 0.001}[optimizer])


def test_claim_10_in_fast_mode(keras):
    held, figures, summary = wf.batchnorm_sgd_convergence_claim([0, 1], fast=True)
    assert held == (figures["bn_relu_lower_by_min"] > 0)
    # with batch statistics (training mode) normalization speeds SGD up even on 1,000 images
    comparison = wf.run_batchnorm_comparison("sgd", [0, 1], fast=True)
    assert consistently_positive(paired_effect(comparison.first_epochs_train(wf.PLAIN),
                                               comparison.first_epochs_train(wf.BN_RELU)))
    assert f"first {wf.BN_FIRST_EPOCHS} of" in summary and "SGD 0.01" in summary


def test_claim_18_judges_both_normalized_variants(keras):
    held, figures, summary = wf.batchnorm_adam_convergence_claim([0, 1], fast=True)
    comparison = wf.run_batchnorm_comparison("adam", [0, 1], fast=True)  # cached: the runs the claim used
    spreads = {variant: comparison.first_epochs(variant) for variant in wf.BN_VARIANTS}
    per_seed = {variant: spread.values for variant, spread in spreads.items()}
    assert held == all(n < p for variant in (wf.BN_RELU, wf.BN_LEAKY)
                       for n, p in zip(per_seed[variant], per_seed[wf.PLAIN]))
    assert figures["bn_leaky_relu_lower_by_max"] == pytest.approx(
        max(p - n for n, p in zip(per_seed[wf.BN_LEAKY], per_seed[wf.PLAIN])))
    assert figures["first_epochs_val_ce_plain_relu_mean"] == pytest.approx(spreads[wf.PLAIN].mean)
    assert "Adam 0.001" in summary and wf.BN_LEAKY in summary
    assert comparison.seeds == [0, 1] and len(comparison.runs[wf.PLAIN][0].val_ce) == wf.BN_FAST.epochs


def test_batchnorm_figure_has_one_panel_per_optimizer(keras):
    comparisons = [wf.run_batchnorm_comparison(optimizer, [0, 1], fast=True) for optimizer in ("sgd", "adam")]
    figure = wf.plot_batchnorm_curves(comparisons)
    assert [ax.get_title().split(":")[0] for ax in figure.axes] == ["SGD 0.01", "Adam 0.001"]
    frame = comparisons[0].curves()
    assert len(frame) == 3 * 2 * wf.BN_FAST.epochs and set(frame["variant"]) == set(wf.BN_VARIANTS)


# ---------------------------------------------------------------------------- early stopping
def test_claim_12_holds_in_fast_mode(keras):
    held, figures, summary = wf.early_stopping_claim([0, 1], fast=True)
    assert held, summary
    assert figures["max_relative_restore_error"] <= 1e-5
    assert figures["min_stop_minus_argmin"] == figures["max_stop_minus_argmin"] == figures["patience"]
    assert figures["stop_epoch_max"] < wf.ES_FAST.epochs  # it did stop early


def test_early_stopped_run_is_the_full_run_cut_short(keras):
    """Same seed, same batches: the callback changes when training ends, not what happens before."""
    run = wf.run_early_stopping(1, fast=True)
    assert np.allclose(run.val_losses, run.full_val_losses[:run.stopped_epoch], rtol=1e-5)
    assert run.restored_val_loss == pytest.approx(run.full_val_losses[run.best_epoch - 1], rel=1e-5)
    rule = solution("07-workflow", "early_stopping_epoch")
    assert rule(run.val_losses, run.patience) == (run.stopped_epoch, run.best_epoch)

