"""Chapter 06's NumPy network: the course helpers (data, training loop, claim 19) with the notebook's
own functions, and the network checks, which accept the solution and name each usual mistake."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import numpy_network as checks
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


# ---------------------------------------------------------------------------- the checks
def test_the_solutions_pass_every_check_on_many_draws():
    forward, loss, backward, gradient_check = (solution("06-dropout", name) for name in NAMES)
    for seed in range(40):
        checks.check_network_forward_on_random_inputs(forward, seeds=[seed, seed + 1, seed + 2])
        checks.check_network_loss_on_random_inputs(loss, seeds=range(seed, seed + 4))
        checks.check_network_backward_on_random_inputs(backward, seeds=range(seed, seed + 4))
        checks.check_gradient_check(gradient_check, seed)
        checks.check_gradient_check_central(gradient_check, seed)


def _one_sided(loss, params, grads, eps=1e-7):
    base, a, n = loss(params), [], []
    for key in params:
        for index in np.ndindex(params[key].shape):
            moved = {k: np.array(v, dtype=float) for k, v in params.items()}
            moved[key][index] += eps
            n.append((loss(moved) - base) / eps)
            a.append(grads[key][index])
    a, n = np.array(a), np.array(n)
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))


def test_a_one_sided_gradient_check_is_named():
    with pytest.raises(CheckFailed, match="one-sided"):
        checks.check_gradient_check_central(_one_sided, seed=0)


def test_a_backward_pass_without_the_l2_term_is_named():
    backward = solution("06-dropout", "network_backward")

    def no_l2(y, params, cache, lambd, rate=0.0):
        return backward(y, params, cache, 0.0, rate)

    with pytest.raises(CheckFailed, match="no L2 term"):
        checks.check_network_backward(no_l2, seed=0)


def test_the_recorded_loss_knows_its_gradient():
    params = {"W1": np.array([[0.5, -1.0]]), "b1": np.array([0.25])}
    loss = checks.RecordedLoss(params, cubic=0.5, seed=1)
    gradient = loss.gradient()
    for key in params:
        for index in np.ndindex(params[key].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][index] += 1e-6
            minus[key][index] -= 1e-6
            assert abs((loss(plus) - loss(minus)) / 2e-6 - gradient[key][index]) < 1e-6
