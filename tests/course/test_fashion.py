"""The Fashion-MNIST task of chapters 04-07: splits, network specs, cached runs."""

from __future__ import annotations

import numpy as np
import pytest

from course import fashion


def test_split_is_seeded_disjoint_and_scaled():
    size = fashion.FAST
    split = fashion.make_split(3, size)
    assert split.x_train.shape == (size.n_train, fashion.INPUT_DIM) and split.x_train.dtype == np.float32
    assert split.x_val.shape == (size.n_val, fashion.INPUT_DIM)
    assert split.x_train.min() >= 0.0 and split.x_train.max() <= 1.0
    assert set(np.unique(split.y_train)) <= set(range(fashion.N_CLASSES))
    again = fashion.make_split(3, size)
    np.testing.assert_array_equal(split.x_train, again.x_train)
    other = fashion.make_split(4, size)
    assert not np.array_equal(split.y_train, other.y_train)
    # no training image is also a validation image
    train_rows = {row.tobytes() for row in split.x_train}
    assert sum(row.tobytes() in train_rows for row in split.x_val) <= 2  # Fashion-MNIST holds a few exact duplicates
    assert split.x_test is not None and split.source and split.sizes()["val"] == size.n_val
    assert fashion.as_images(split.x_val[:2]).shape == (2, 28, 28)


def test_spec_refuses_unknown_settings():
    with pytest.raises(ValueError, match="activation"):
        fashion.NetworkSpec(activation="tanh")
    with pytest.raises(ValueError, match="optimizer"):
        fashion.NetworkSpec(optimizer="lbfgs")
    with pytest.raises(ValueError, match="dropout"):
        fashion.NetworkSpec(dropout=1.0)
    assert fashion.NetworkSpec(optimizer="sgd").rate == 1e-2
    assert fashion.NetworkSpec(learning_rate=3e-4).rate == 3e-4


def test_built_network_matches_its_spec():
    keras = pytest.importorskip("keras")
    model = fashion.build_network(fashion.NetworkSpec(hidden=(32, 16), l2=1e-3, dropout=0.3, batch_norm=True,
                                                      activation="leaky_relu"))
    kinds = [layer.__class__.__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNormalization", "LeakyReLU", "Dropout"] * 2 + ["Dense"]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.use_bias for d in dense] == [False, False, True]  # batch norm's beta replaces the bias
    assert all(isinstance(d.kernel_regularizer, keras.regularizers.L2) for d in dense[:-1])
    assert dense[-1].kernel_regularizer is None and model.output_shape == (None, fashion.N_CLASSES)


def test_training_is_cached_reproducible_and_reports_plain_crossentropy():
    pytest.importorskip("keras")
    size = fashion.with_size(fashion.FAST, n_train=300, n_val=300, epochs=2)
    spec = fashion.NetworkSpec(hidden=(16,), l2=1e-2)
    run = fashion.train(spec, 0, size)
    assert fashion.train(spec, 0, size) is run
    assert len(run.val_ce) == 2 and 1 <= run.best_epoch <= 2
    # Keras's loss adds the L2 penalty; the crossentropy metric does not
    assert np.all(np.asarray(run.history["val_loss"]) > run.val_ce)
    fashion._RUNS.clear()
    again = fashion.train(spec, 0, size)
    np.testing.assert_allclose(again.val_ce, run.val_ce, rtol=1e-5)
    assert run.weight_norm() > 0 and len(run.hidden_kernels()) == 1
    assert fashion.spread_of([run, again], "final_val_ce").width < 1e-5


def test_the_first_run_of_a_fresh_process_is_seeded_too():
    """Two fresh processes train the same network to the same numbers (Keras is seeded even when
    the first call of the process is what imports it)."""
    import subprocess
    import sys

    code = ("from course import fashion\n"
            "size = fashion.with_size(fashion.FAST, n_train=200, n_val=200, epochs=2)\n"
            "print('CE', fashion.train(fashion.NetworkSpec(hidden=(8,)), 0, size).val_ce.tolist())")
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300).stdout
               for _ in range(2)]
    assert "CE" in outputs[0] and outputs[0] == outputs[1], outputs
