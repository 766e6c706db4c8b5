"""The chapter 01 checks accept every accepted form of an answer and reject wrong ones by name."""

from __future__ import annotations

import pytest

from autograder.checks import CheckFailed
from autograder.checks import taxonomy as checks
from course.runtime import import_keras
from course.taxonomy import BRANCHES, PROBLEM_TYPES, SCENARIOS, TASK_SCENARIOS, TASKS

keras = import_keras()

REFERENCE = {
    "binary_classification": ("sigmoid", "binary_crossentropy"),
    "multiclass_classification": ("softmax", "sparse_categorical_crossentropy"),
    "multilabel_classification": ("sigmoid", "binary_crossentropy"),
    "scalar_regression": (None, "mse"),
    "regression_0_1": ("sigmoid", "mse"),
}


def make_last_layer_for(**overrides):
    """A last_layer_for built from REFERENCE with some answers replaced."""
    table = {**REFERENCE, **overrides}

    def last_layer_for(problem_type):
        if problem_type not in table:
            raise ValueError(f"unknown problem type {problem_type!r}; valid: {', '.join(table)}")
        return table[problem_type]

    return last_layer_for


# ---------------------------------------------------------------------------- course.taxonomy
def test_course_package_holds_no_answers():
    import course.taxonomy as module

    public = {name for name in vars(module) if not name.startswith("_") and name.isupper()}
    assert public == {"BRANCHES", "TASKS", "PROBLEM_TYPES", "SCENARIOS", "TASK_SCENARIOS"}
    assert not set(SCENARIOS) & set(TASK_SCENARIOS)
    assert PROBLEM_TYPES == checks.PROBLEM_TYPES


# ---------------------------------------------------------------------------- scenario dicts
def test_shape_check_accepts_a_complete_answer():
    checks.check_scenario_answer_shape({s: "supervised" for s in SCENARIOS}, SCENARIOS, BRANCHES, "X")
    checks.check_scenario_answer_shape({s: TASKS[0] for s in TASK_SCENARIOS}, TASK_SCENARIOS, TASKS, "Y")


@pytest.mark.parametrize("answer, message", [
    ({s: None for s in SCENARIOS}, "Replace every None"),
    ({**{s: "supervised" for s in SCENARIOS}, "spam_filter": "Supervised"}, "Spell the answers exactly"),
    ({**{s: "supervised" for s in SCENARIOS}, "next_word": "self supervised"}, "Spell the answers exactly"),
    ({s: "supervised" for s in list(SCENARIOS)[1:]}, "missing scenario ids: ['spam_filter']"),
    ({**{s: "supervised" for s in SCENARIOS}, "spam": "supervised"}, "unknown keys"),
    ({**{s: "supervised" for s in SCENARIOS}, "gene_map": "clustering"}, "not allowed answers"),
    (None, "is None"),
    ([("spam_filter", "supervised")], "should be a dict"),
])
def test_shape_check_rejects(answer, message):
    with pytest.raises(CheckFailed, match=message.replace("[", r"\[").replace("]", r"\]")):
        checks.check_scenario_answer_shape(answer, SCENARIOS, BRANCHES, "SCENARIO_BRANCHES")


EXPECTED = {
    "next_word": ("self-supervised", "the target is taken from the input text itself"),
    "spam_filter": ("supervised", "human labels"),
    "game_agent": ("reinforcement", "reward"),
}


def test_answer_check_passes_right_answers_and_ignores_other_groups():
    answer = {k: v for k, (v, _) in EXPECTED.items()}
    answer["gene_map"] = "reinforcement"  # wrong, but not in this group
    checks.check_scenario_answers(answer, EXPECTED, "SCENARIO_BRANCHES")


def test_answer_check_lists_every_wrong_scenario_with_its_explanation():
    answer = {"next_word": "unsupervised", "spam_filter": "supervised", "game_agent": "supervised"}
    with pytest.raises(CheckFailed) as info:
        checks.check_scenario_answers(answer, EXPECTED, "SCENARIO_BRANCHES")
    text = str(info.value)
    assert "2 of 3" in text
    assert "next_word: you answered 'unsupervised'; it is self-supervised — the target is taken" in text
    assert "game_agent: you answered 'supervised'; it is reinforcement — reward" in text
    assert "spam_filter" not in text


def test_answer_check_reports_missing_scenarios():
    with pytest.raises(CheckFailed, match="next_word: missing"):
        checks.check_scenario_answers({"spam_filter": "supervised"}, EXPECTED, "SCENARIO_BRANCHES")


# ---------------------------------------------------------------------------- last_layer_for: answer forms
ACCEPTED_FORMS = [
    ("binary_classification", ("sigmoid", "binary_crossentropy")),
    ("binary_classification", (keras.activations.sigmoid, keras.losses.binary_crossentropy)),
    ("binary_classification", ("sigmoid", keras.losses.BinaryCrossentropy())),
    ("binary_classification", ["sigmoid", "bce"]),
    ("multiclass_classification", ("softmax", "categorical_crossentropy")),
    ("multiclass_classification", ("softmax", "sparse_categorical_crossentropy")),
    ("multiclass_classification", (keras.activations.softmax, keras.losses.CategoricalCrossentropy())),
    ("multiclass_classification", ("softmax", keras.losses.SparseCategoricalCrossentropy())),
    ("multiclass_classification", ("softmax", keras.losses.sparse_categorical_crossentropy)),
    ("multilabel_classification", ("sigmoid", "binary_crossentropy")),
    ("multilabel_classification", (keras.activations.sigmoid, keras.losses.BinaryCrossentropy())),
    ("scalar_regression", (None, "mse")),
    ("scalar_regression", ("linear", "mean_squared_error")),
    ("scalar_regression", (keras.activations.linear, keras.losses.MeanSquaredError())),
    ("scalar_regression", (None, keras.losses.mean_squared_error)),
    ("regression_0_1", ("sigmoid", "mse")),
    ("regression_0_1", ("sigmoid", "binary_crossentropy")),
    ("regression_0_1", (keras.activations.sigmoid, keras.losses.MeanSquaredError())),
    ("regression_0_1", ("sigmoid", keras.losses.BinaryCrossentropy())),
]


@pytest.mark.parametrize("problem_type, pair", ACCEPTED_FORMS)
def test_accepted_forms_pass_the_answer_check(problem_type, pair):
    checks.check_last_layer_answer(make_last_layer_for(**{problem_type: pair}), problem_type)


WRONG = [
    ("multilabel_classification", ("softmax", "categorical_crossentropy"), "softmax makes the labels compete"),
    ("multilabel_classification", ("softmax", "binary_crossentropy"), "independent sigmoid"),
    ("multilabel_classification", ("sigmoid", "categorical_crossentropy"), "exactly one true class"),
    ("multiclass_classification", ("sigmoid", "categorical_crossentropy"), "do not sum to 1"),
    ("multiclass_classification", ("softmax", "binary_crossentropy"), "that is multilabel"),
    ("multiclass_classification", ("softmax", "mse"), "regression loss"),
    ("binary_classification", ("sigmoid", "mse"), "punishes confident mistakes"),
    ("binary_classification", ("softmax", "binary_crossentropy"), "always outputs 1.0"),
    ("binary_classification", (None, "binary_crossentropy"), "not a probability"),
    ("binary_classification", ("sigmoid", "categorical_crossentropy"), "use binary crossentropy"),
    ("scalar_regression", ("relu", "mse"), "never predict"),
    ("scalar_regression", ("sigmoid", "mse"), "never predict"),
    ("scalar_regression", (None, "mae"), "contract asks"),
    ("scalar_regression", (None, "binary_crossentropy"), "for arbitrary values use mse"),
    ("regression_0_1", (None, "mse"), "outside [0, 1]"),
    ("regression_0_1", ("softmax", "mse"), "always outputs 1.0"),
    ("regression_0_1", ("sigmoid", "categorical_crossentropy"), "regression compares numbers"),
    ("binary_classification", ("Sigmoid", "binary_crossentropy"), "Keras cannot use 'Sigmoid'"),
    ("binary_classification", ("sigmoid", "crossentropy_binary"), "Keras cannot use 'crossentropy_binary'"),
    ("binary_classification", ("sigmoid", None), "loss is None"),
    ("binary_classification", "sigmoid", "should return a pair"),
    ("binary_classification", ("binary_crossentropy", "sigmoid"), "in the order"),
    ("multiclass_classification", (keras.losses.CategoricalCrossentropy(), "softmax"), "in the order"),
    ("binary_classification", ("sigmoid", "binary_crossentropy", "adam"), "should return a pair"),
    ("binary_classification", ("sigmoid", keras.losses.BinaryCrossentropy(from_logits=True)), "from_logits=True"),
    ("binary_classification", ("sigmoid", keras.losses.BinaryCrossentropy(label_smoothing=0.1)), "label_smoothing"),
]


@pytest.mark.parametrize("problem_type, pair, message", WRONG)
def test_wrong_pairs_fail_with_the_misconception(problem_type, pair, message):
    with pytest.raises(CheckFailed, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        checks.check_last_layer_answer(make_last_layer_for(**{problem_type: pair}), problem_type)


def test_unimplemented_function_is_reported():
    def last_layer_for(problem_type):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not implemented"):
        checks.check_last_layer_answer(last_layer_for, "binary_classification")
    with pytest.raises(CheckFailed, match="not implemented"):
        checks.check_last_layer_rejects_unknown(last_layer_for, ["binary"])


# ---------------------------------------------------------------------------- last_layer_for: unknown types
def test_unknown_types_are_rejected_by_the_reference():
    checks.check_last_layer_rejects_unknown(make_last_layer_for(), ["binary", "", None, "Regression"])


def test_silent_default_fails():
    table = dict(REFERENCE)

    def last_layer_for(problem_type):
        return table.get(problem_type, ("sigmoid", "binary_crossentropy"))

    with pytest.raises(CheckFailed, match="returned normally|but returned"):
        checks.check_last_layer_rejects_unknown(last_layer_for, ["multi_label"])


def test_value_error_must_name_the_valid_types():
    def last_layer_for(problem_type):
        if problem_type not in REFERENCE:
            raise ValueError("unknown problem type")
        return REFERENCE[problem_type]

    with pytest.raises(CheckFailed, match="should name the valid problem types"):
        checks.check_last_layer_rejects_unknown(last_layer_for, ["binary"])


def test_other_exceptions_fail():
    def last_layer_for(problem_type):
        return REFERENCE[problem_type]  # KeyError

    with pytest.raises(CheckFailed, match="raised KeyError"):
        checks.check_last_layer_rejects_unknown(last_layer_for, ["binary"])


# ---------------------------------------------------------------------------- last_layer_for: training
TRAINING_FORMS = [
    ("binary_classification", ("sigmoid", "binary_crossentropy")),
    ("multiclass_classification", ("softmax", "sparse_categorical_crossentropy")),
    ("multiclass_classification", (keras.activations.softmax, keras.losses.CategoricalCrossentropy())),
    ("multilabel_classification", ("sigmoid", "binary_crossentropy")),
    ("scalar_regression", (None, "mse")),
    ("scalar_regression", ("linear", keras.losses.MeanSquaredError())),
    ("regression_0_1", ("sigmoid", "mse")),
    ("regression_0_1", ("sigmoid", "binary_crossentropy")),
]


@pytest.mark.parametrize("problem_type, pair", TRAINING_FORMS)
def test_reference_forms_train(problem_type, pair):
    checks.check_last_layer_trains(make_last_layer_for(**{problem_type: pair}), problem_type)


@pytest.mark.parametrize("problem_type, pair", [TRAINING_FORMS[0], TRAINING_FORMS[2], TRAINING_FORMS[5]])
@pytest.mark.parametrize("n_samples", [160, 150])  # 150: a short last batch
def test_batch_by_batch_training_reports_what_fit_reports(problem_type, pair, n_samples):
    """Check that train_in_order gives model.fit's per-epoch losses and the same trained model."""
    import numpy as np

    activation, loss = pair
    x, y, units = checks.training_data(problem_type, checks.loss_name(loss), n_samples)

    def trained(train):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input(shape=(x.shape[1],)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(units, activation=activation)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=loss, run_eagerly=True)
        return train(model), model.predict_on_batch(x)

    by_fit, p_fit = trained(lambda model: model.fit(x, y, epochs=3, batch_size=32, shuffle=False,
                                                    verbose=0).history["loss"])
    by_batch, p_batch = trained(lambda model: checks.train_in_order(model, x, y, epochs=3, batch_size=32))
    np.testing.assert_allclose(by_batch, by_fit, rtol=1e-5)
    np.testing.assert_allclose(p_batch, p_fit, rtol=1e-5, atol=1e-6)


def test_training_catches_a_loss_that_is_not_the_plain_contract_loss():
    summed = keras.losses.BinaryCrossentropy(reduction="sum")
    with pytest.raises(CheckFailed, match="Keras reports a loss of"):
        checks.check_last_layer_trains(make_last_layer_for(binary_classification=("sigmoid", summed)),
                                       "binary_classification")


def test_training_rejects_a_wrong_pair_before_training():
    with pytest.raises(CheckFailed, match="softmax makes the labels compete"):
        checks.check_last_layer_trains(
            make_last_layer_for(multilabel_classification=("softmax", "categorical_crossentropy")),
            "multilabel_classification")


def test_expected_loss_matches_keras():
    import numpy as np

    rng = np.random.default_rng(0)
    p = rng.uniform(0.01, 0.99, size=(20, 3)).astype(np.float32)
    p_soft = p / p.sum(axis=1, keepdims=True)
    y_bin = (rng.random((20, 3)) < 0.5).astype(np.float32)
    y_int = rng.integers(0, 3, size=20)
    y_hot = np.eye(3, dtype=np.float32)[y_int]
    cases = [
        ("binary_crossentropy", y_bin, p, keras.losses.BinaryCrossentropy()),
        ("categorical_crossentropy", y_hot, p_soft, keras.losses.CategoricalCrossentropy()),
        ("sparse_categorical_crossentropy", y_int, p_soft, keras.losses.SparseCategoricalCrossentropy()),
        ("mean_squared_error", y_bin, p, keras.losses.MeanSquaredError()),
    ]
    for name, y, pred, loss in cases:
        assert np.isclose(checks.expected_loss(name, y, pred), float(loss(y, pred)), rtol=1e-4), name
