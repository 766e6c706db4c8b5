"""Chapter 07's data augmentation: :func:`augmented_examples` / :func:`plot_augmented_images` show
random flips, shifts and rotations of Fashion-MNIST images; :func:`run_augmentation_effect` trains
the baseline network on 1,500 images with and without them over several seeds
(:func:`measure_augmentation`). Runs are cached per process.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course import fashion, runtime
from course.data import FASHION_MNIST_CLASSES, fashion_mnist_images
from course.spread import Spread, consistently_positive, figures_of, labelled, paired_effect

SHIFT = 0.1  # a fraction of the height and width: up to 2.8 pixels of a 28 x 28 image
ROTATION = 0.03  # a fraction of a full turn: up to about 11 degrees either way
FLIPS, SHIFTS_AND_ROTATIONS = "flip", "shift + rotation"
NO_AUGMENTATION, FLIPPED, ALL_AUGMENTATIONS = "no augmentation", "flips", "flips + shifts + rotations"
AUGMENTATIONS: dict[str, tuple[str, ...]] = {  # name -> the random transformations applied
    NO_AUGMENTATION: (), FLIPPED: (FLIPS,), ALL_AUGMENTATIONS: (FLIPS, SHIFTS_AND_ROTATIONS)}
# A small training set, where augmentation has something to add: 1,500 images (150 per class on
# average), the 512-512 baseline network, 40 epochs (augmented data takes longer to fit).
AUG_FULL = fashion.TaskSize(n_train=1_500, n_val=5_000, epochs=40)
AUG_FAST = fashion.TaskSize(n_train=500, n_val=1_000, epochs=4)


def augmentation_size(fast: bool | None = None) -> fashion.TaskSize:
    fast = runtime.fast_mode(fast)
    return AUG_FAST if fast else AUG_FULL


def augmentation_layers(transforms: Sequence[str] = (FLIPS, SHIFTS_AND_ROTATIONS), seed: int = 0,
                        shift: float = SHIFT, rotation: float = ROTATION):
    """Keras preprocessing layers for ``transforms`` (:data:`FLIPS`: a random left-right mirror;
    :data:`SHIFTS_AND_ROTATIONS`: shifts up to ``shift`` of the height/width and rotations up to
    ``rotation`` of a full turn): random in training, the identity at inference."""
    keras = runtime.import_keras()
    layers = []
    if FLIPS in transforms:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if SHIFTS_AND_ROTATIONS in transforms:
        layers += [keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed + 1),
                   keras.layers.RandomRotation(rotation, fill_mode="constant", seed=seed + 2)]
    return keras.Sequential(layers, name="augmentation")


def augmented_examples(n_images: int = 4, n_variants: int = 5, seed: int = 0,
                       transforms: Sequence[str] = (FLIPS, SHIFTS_AND_ROTATIONS)
                       ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``n_images`` Fashion-MNIST training images of different classes and ``n_variants`` random
    augmentations of each: (originals (n, 28, 28), variants (n, n_variants, 28, 28), class names)."""
    data = fashion_mnist_images()
    rng = np.random.default_rng(seed)
    classes = rng.choice(fashion.N_CLASSES, n_images, replace=False)
    chosen = [int(rng.choice(np.flatnonzero(data.y_train == label))) for label in classes]
    originals = data.x_train[chosen].astype(np.float32) / 255.0
    layer = augmentation_layers(transforms, seed)
    with runtime.quiet_native_stderr():
        batch = np.repeat(originals[:, None, :, :, None], n_variants, axis=1).reshape(-1, 28, 28, 1)
        variants = np.asarray(layer(batch, training=True)).reshape(n_images, n_variants, 28, 28)
    return originals, variants, [FASHION_MNIST_CLASSES[int(label)] for label in classes]


def plot_augmented_images(originals: np.ndarray, variants: np.ndarray, names: Sequence[str] | None = None,
                          title: str | None = None) -> plt.Figure:
    """A grid: each row one image (its class name on the left), the original first, then its
    random variants."""
    n_rows, n_variants = variants.shape[:2]
    with sns.axes_style("white"):
        fig, axes = plt.subplots(n_rows, n_variants + 1, figsize=(1.5 * (n_variants + 1), 1.6 * n_rows))
    axes = np.atleast_2d(axes)
    for row in range(n_rows):
        for col in range(n_variants + 1):
            image = originals[row] if col == 0 else variants[row, col - 1]
            ax = axes[row, col]
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title("original" if col == 0 else f"random {col}", fontsize=8)
        if names is not None:
            axes[row, 0].set_ylabel(names[row], fontsize=8)
    fig.suptitle(title or f"Random flips, shifts (up to {SHIFT * 28:.1f} pixels) and rotations "
                          f"(up to {ROTATION * 360:.0f}°) of Fashion-MNIST images")
    fig.tight_layout()
    return fig


def build_augmented_network(transforms: Sequence[str], seed: int = 0, spec: fashion.NetworkSpec = fashion.BASELINE):
    """``spec``'s network on 28 x 28 x 1 images: the augmentation layers of ``transforms`` (if any),
    Flatten, then the hidden layers of ``spec`` and the softmax (:func:`course.fashion.build_network`,
    the same metrics)."""
    keras = runtime.import_keras()
    dense = fashion.build_network(spec)
    front: list[Any] = [keras.Input(shape=(28, 28, 1))]
    if transforms:
        front.append(augmentation_layers(transforms, seed))
    model = keras.Sequential(front + [keras.layers.Flatten()] + list(dense.layers))
    model.compile(optimizer=dense.optimizer, loss=dense.loss, metrics=[
        "accuracy", keras.metrics.SparseCategoricalCrossentropy(name="crossentropy")])
    return model


_AUG_RUNS: dict[tuple[str, int, fashion.TaskSize], fashion.Run] = {}


def train_augmented(name: str, seed: int = 0, size: fashion.TaskSize | None = None, verbose: int = 0) -> fashion.Run:
    """The baseline network with the augmentation ``name`` (a key of :data:`AUGMENTATIONS`) on the
    first ``size.n_train`` images of the seed's split (cached per process)."""
    size = augmentation_size() if size is None else size
    key = (name, int(seed), size)
    if key in _AUG_RUNS:
        return _AUG_RUNS[key]
    split = fashion.make_split(int(seed), size)
    as_images = lambda x: fashion.as_images(x)[..., None]  # noqa: E731
    runtime.import_keras()  # before seeding: seed_everything seeds Keras only once it is imported
    runtime.seed_everything(int(seed))
    started = time.perf_counter()
    with runtime.quiet_native_stderr():
        model = build_augmented_network(AUGMENTATIONS[name], int(seed))
        fitted = model.fit(as_images(split.x_train), split.y_train, epochs=size.epochs, batch_size=size.batch_size,
                           validation_data=(as_images(split.x_val), split.y_val), verbose=verbose)
    run = fashion.Run(fashion.BASELINE, int(seed), size,
                      {k: [float(v) for v in values] for k, values in fitted.history.items()}, model,
                      time.perf_counter() - started)
    _AUG_RUNS[key] = run
    return run


@dataclass
class AugmentationComparison:
    """The baseline network with each augmentation of :data:`AUGMENTATIONS`, one run per seed."""

    runs: dict[str, list[fashion.Run]]

    def final(self, name: str, figure: str = "final_val_ce") -> Spread:
        return fashion.spread_of(self.runs[name], figure)

    def table(self) -> pd.DataFrame:
        """One row per augmentation: validation cross-entropy and accuracy at the end of training
        (mean of the last epochs, :attr:`course.fashion.Run.end_val_ce`; ``mean (min-max)`` over the
        seeds), the lowest validation cross-entropy and its epoch."""
        return pd.DataFrame([{"augmentation": name, "end val crossentropy": str(self.final(name, "end_val_ce")),
                              "end val accuracy": str(self.final(name, "end_val_accuracy")),
                              "lowest val crossentropy": str(self.final(name, "min_val_ce")),
                              "best epoch": self.final(name, "best_epoch").format(".1f")}
                             for name in self.runs]).set_index("augmentation")

    def curves(self) -> pd.DataFrame:
        rows = [{"augmentation": name, "seed": run.seed, "epoch": epoch, "val crossentropy": val,
                 "val accuracy": accuracy}
                for name, runs in self.runs.items() for run in runs
                for epoch, (val, accuracy) in enumerate(zip(run.val_ce, run.val_accuracy), 1)]
        return pd.DataFrame(rows)


def run_augmentation_effect(seeds: Sequence[int] = (0,), fast: bool | None = None,
                            verbose: int = 0) -> AugmentationComparison:
    """Every augmentation of :data:`AUGMENTATIONS` on every seed (the same images and initial seed
    per seed)."""
    size = augmentation_size(fast)
    return AugmentationComparison({name: [train_augmented(name, int(seed), size, verbose) for seed in seeds]
                                   for name in AUGMENTATIONS})


def plot_augmentation_curves(comparison: AugmentationComparison) -> plt.Figure:
    """Validation cross-entropy and accuracy per epoch, mean over the seeds with a lowest-to-highest band."""
    frame = comparison.curves()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, column in zip(axes, ("val crossentropy", "val accuracy")):
        sns.lineplot(data=frame, x="epoch", y=column, hue="augmentation", hue_order=list(comparison.runs),
                     estimator="mean", errorbar=("pi", 100), ax=ax)
        ax.set_ylabel(column.replace("val", "validation"))
    n_seeds, size = len(next(iter(comparison.runs.values()))), next(iter(comparison.runs.values()))[0].size
    fig.suptitle(f"512-512 network on {size.n_train:,} Fashion-MNIST images, {n_seeds} seeds "
                 "(band: lowest to highest)")
    fig.tight_layout()
    return fig


def measure_augmentation(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Data augmentation on a small training set: validation cross-entropy and accuracy at the end
    of training (mean of the last epochs) with and without it. Held when every augmentation ends
    with a lower validation cross-entropy than no augmentation in every seed (the paired effect:
    the three networks share each seed's images, initial weights and batch order); accuracy is
    reported, not judged."""
    comparison = run_augmentation_effect(seeds, fast)
    names = {NO_AUGMENTATION: "none", FLIPPED: "flips", ALL_AUGMENTATIONS: "all"}
    loss = {name: comparison.final(name, "end_val_ce") for name in AUGMENTATIONS}
    lowest = {name: comparison.final(name, "min_val_ce") for name in AUGMENTATIONS}
    accuracy = {name: comparison.final(name, "end_val_accuracy") for name in AUGMENTATIONS}
    augmented = [name for name in AUGMENTATIONS if name != NO_AUGMENTATION]
    loss_gain = {name: paired_effect(loss[NO_AUGMENTATION], loss[name]) for name in augmented}
    accuracy_gain = {name: paired_effect(accuracy[name], accuracy[NO_AUGMENTATION]) for name in augmented}
    held = all(consistently_positive(loss_gain[name]) for name in augmented)
    size = comparison.runs[NO_AUGMENTATION][0].size
    figures: dict[str, float] = {"n_train": size.n_train, "epochs": size.epochs, "end_epochs": fashion.END_EPOCHS}
    for name, key in names.items():
        figures.update(figures_of({f"end_val_ce_{key}": loss[name], f"min_val_ce_{key}": lowest[name],
                                   f"end_val_accuracy_{key}": accuracy[name]}))
        if name in loss_gain:
            figures.update(figures_of({f"{key}_lower_ce_by": loss_gain[name],
                                       f"{key}_accuracy_gain": accuracy_gain[name]}))
    summary = (f"512-512 network on {size.n_train:,} images, {size.epochs} epochs; validation cross-entropy at the "
               f"end (mean of the last {fashion.END_EPOCHS} epochs): "
               + labelled(loss) + "; lower than without augmentation by (paired by seed) " + labelled(loss_gain)
               + "; accuracy " + labelled(accuracy) + ", gain " + labelled(accuracy_gain)
               + "; lowest validation cross-entropy during training " + labelled(lowest))
    return held, figures, summary
