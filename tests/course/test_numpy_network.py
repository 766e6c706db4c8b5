"""Chapter 06's NumPy network (course.numpy_network): data, training loop and claim 19, run with the
notebook's own functions."""

from __future__ import annotations

import numpy as np

from course import numpy_network
from course.data import load_moons
from tests.solutions import solution

NAMES = ("network_forward", "network_loss", "network_backward", "gradient_check")


def _functions() -> numpy_network.NetworkFunctions:
    return numpy_network.NetworkFunctions(*(solution("06-dropout", name) for name in NAMES))


def test_the_course_module_holds_none_of_the_students_functions():
    """The network is the student's: the helpers take it as an argument and define none of its parts."""
    defined = {name for name in vars(numpy_network) if callable(getattr(numpy_network, name))}
    assert not defined & set(NAMES)
    assert "numerical_gradient" not in defined


def test_claim_19_holds_in_the_fast_version_with_the_notebooks_functions():
    held, figures, summary = numpy_network.gradient_check_and_overfitting_claim([0, 1, 2, 3, 4], True, _functions())
    assert held, summary
    assert figures["gradient_check_error_max"] < numpy_network.GRADIENT_CHECK_LIMIT
    assert figures["gap_l2_max"] < figures["gap_none_max"] and figures["seeds_gap_smaller_dropout"] == 5


def test_claim_19_loads_the_source_notebook_or_says_it_cannot_be_measured(monkeypatch, tmp_path):
    loaded = numpy_network.source_functions()
    assert loaded is not None and loaded.forward.__name__ == "network_forward"
    monkeypatch.setattr(numpy_network, "SOURCE_NOTEBOOK", tmp_path / "absent.ipynb")
    held, figures, summary = numpy_network.gradient_check_and_overfitting_claim([0, 1, 2, 3, 4], True)
    assert not held and not figures and "cannot be measured" in summary


def test_training_uses_the_functions_it_is_given():
    """A backward pass that returns zero gradients leaves the initial weights where they were."""
    functions = _functions()
    frozen = numpy_network.NetworkFunctions(functions.forward, functions.loss,
                                            lambda y, params, cache, lambd, rate: {k: np.zeros_like(v)
                                                                                   for k, v in params.items()},
                                            functions.gradient_check)
    data = load_moons(0, 20, 50)
    trained = numpy_network.train(frozen, data, numpy_network.Setting("none"), seed=3, layer_sizes=(2, 8, 1), epochs=5)
    start = numpy_network.initialize_parameters((2, 8, 1), 3)
    assert all(np.array_equal(trained.params[k], start[k]) for k in start)
    assert len(trained.losses) == 5


