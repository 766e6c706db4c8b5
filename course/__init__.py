"""The teaching package behind every chapter notebook.

Import modules by name, for example ``from course.data import load_digits_split``.

Importing the package sets quiet defaults for TensorFlow before any module loads it: the
C++ start-up chatter goes to stderr, and nbgrader scores any stderr in a test cell as a
failure. ``setdefault`` leaves a user's own choice alone.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["data", "plots", "runtime", "validation"]
