"""Fixtures shared by the tests in every folder of tests/."""

import pytest


@pytest.fixture(scope="session")
def keras():
    """Keras, imported once, quietly (``course.runtime.import_keras``)."""
    from course.runtime import import_keras

    return import_keras()
