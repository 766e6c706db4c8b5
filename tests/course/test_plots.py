"""Learning curves and score spreads (course.plots)."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from course import plots  # noqa: E402


def test_learning_curves_frame_from_histories():
    one = {"loss": [3.0, 2.0, 1.5], "val_loss": [3.5, 2.5, 2.6]}
    frame = plots.learning_curves_frame({"small": one, "large": {"loss": [1, 0.5], "val_loss": [2, 3]}})
    assert set(frame["model"]) == {"small", "large"} and set(frame["split"]) == {"train", "validation"}
    assert len(frame) == 6 + 4 and frame["epoch"].min() == 1
    single = plots.learning_curves_frame(one, value_scale=10)
    assert set(single["model"]) == {"model"} and single["value"].max() == 35.0
    with pytest.raises(KeyError, match="mae"):
        plots.learning_curves_frame(one, metric="mae")
    with pytest.raises(TypeError):
        plots.learning_curves_frame(42)


def test_plots_draw_one_line_per_model_and_split():
    histories = {"a": {"loss": [2, 1], "val_loss": [2, 2]}, "b": {"loss": [3, 1], "val_loss": [3, 1]}}
    ax = plots.plot_learning_curves(histories, title="t")
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) == 2]) == 4
    ax = plots.plot_score_spread({"hold-out": [1, 2, 3], "k-fold": [2, 2.1]}, metric="MAE")
    assert ax.get_ylabel() == "MAE"


