"""Root pytest configuration: applies to tests/ and to the source notebooks nbval collects."""

import os

# Experiments run at their small size under pytest (nbval kernels inherit this environment).
os.environ["COURSE_FAST"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collectstart(collector):
    """Never compare stderr in nbval: TensorFlow's C-level logging reaches it unpredictably."""
    if collector.__class__.__name__ == "IPyNbFile":
        collector.skip_compare = tuple(collector.skip_compare) + ("stderr",)
