"""Root pytest configuration: applies to tests/ and to the source notebooks nbval collects."""

import os

# Experiments run at their small size under pytest (nbval kernels inherit this environment).
os.environ["COURSE_FAST"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collectstart(collector):
    """Never compare stderr in nbval: TensorFlow's C-level logging reaches it unpredictably."""
    if collector.__class__.__name__ == "IPyNbFile":
        collector.skip_compare = tuple(collector.skip_compare) + ("stderr",)


# The longest test files (minutes each), started first: with two workers taking one file at a
# time, a long file left to the end would run alone while the other worker idles.
LONGEST_FIRST = (
    "tests/system/test_grading_adversarial.py",
    "tests/system/test_no_reachable_reference.py",
    "tests/system/test_grading_cross_submission.py",
    "tests/autograder/distributed/test_cluster.py",
    "tests/system/test_hub.py",
    "tests/system/test_notebooks.py",
    "tests/system/test_grading_class.py",
    "tests/system/test_grading_e2e.py",
)


def pytest_collection_modifyitems(config, items):
    """Order the test files longest first (the order within a file is kept)."""
    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: files and tests keep their order otherwise
