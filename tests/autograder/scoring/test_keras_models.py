"""A Keras model returned from the sandbox: its description crosses as data, is parsed against a
whitelist (never by Keras's deserializer) and rebuilt by the grader (:mod:`autograder.scoring.keras_models`)."""

from __future__ import annotations

import functools
import json
import sys

import numpy as np
import pytest

from autograder.isolation import wire
from autograder.scoring import function_client, keras_models, proxy
from course.runtime import import_keras

keras = import_keras()


def _through_the_wire(value):
    """What the trusted side gets for ``value`` returned by a function in the sandbox."""
    return wire.decode(wire.load_reply(wire.dump_reply({"result": wire.encode(value)}))["result"])


def _chain(api: str = "sequential", regularizer=None):
    RegularizedDense = functools.partial(keras.layers.Dense, activation="tanh", kernel_regularizer=regularizer)
    if api == "sequential":
        return keras.Sequential([keras.Input(shape=(5,)), RegularizedDense(4), RegularizedDense(3),
                                 keras.layers.Dense(2, activation="softmax")])
    inputs = keras.Input(shape=(5,))
    hidden = RegularizedDense(3)(RegularizedDense(4)(inputs))
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(hidden))


@pytest.mark.parametrize("api", ["sequential", "functional"])
def test_a_model_crosses_as_data_and_is_rebuilt_with_its_weights(api):
    model = _chain(api, keras.regularizers.L1L2(l1=0.002, l2=0.003))
    returned = _through_the_wire(model)
    assert isinstance(returned, keras_models.ReturnedModel)
    spec = keras_models.parse(returned)
    assert spec.input_dim == 5 and [layer.units for layer in spec.layers] == [4, 3, 2]
    assert [layer.activation for layer in spec.layers] == ["tanh", "tanh", "softmax"]
    assert spec.layers[0].kernel_regularizer == keras_models.RegularizerSpec("L1L2", 0.002, 0.003)
    assert spec.layers[2].kernel_regularizer is None
    rebuilt = keras_models.build(spec, keras)
    x = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(rebuilt(x)), np.asarray(model(x)), rtol=1e-6)
    assert sum(float(loss) for loss in rebuilt.losses) == pytest.approx(sum(float(loss) for loss in model.losses))


def test_a_live_model_takes_the_same_route_in_a_kernel():
    model = _chain("sequential", keras.regularizers.L2(0.01))
    assert keras_models.parse(keras_models.returned_from_model(model)) == keras_models.parse(_through_the_wire(model))


def _refusal(model) -> str:
    with pytest.raises(keras_models.ModelRefused) as refused:
        keras_models.parse(_through_the_wire(model))
    return str(refused.value)


def test_what_the_grader_does_not_rebuild_is_refused_with_a_reason():
    layer = keras.layers.Dense(5, activation="relu")
    assert "appears twice" in _refusal(keras.Sequential([keras.Input(shape=(5,)), layer, layer]))
    inputs = keras.Input(shape=(5,))
    assert "called 2 times" in _refusal(keras.Model(inputs, layer(layer(inputs))))
    assert "'Dropout' layer" in _refusal(keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(3),
                                                            keras.layers.Dropout(0.5)]))
    assert "no input shape" in _refusal(keras.Sequential([keras.layers.Dense(3)]))
    assert "kernel_constraint" in _refusal(keras.Sequential([
        keras.Input(shape=(5,)), keras.layers.Dense(3, kernel_constraint=keras.constraints.MaxNorm(1.0))]))

    class Doubled(keras.regularizers.Regularizer):
        def __call__(self, w):
            return 2.0 * keras.ops.sum(w)

    undescribed = _through_the_wire(keras.Sequential([keras.Input(shape=(5,)),
                                                      keras.layers.Dense(3, kernel_regularizer=Doubled())]))
    assert isinstance(undescribed, wire.Unsupported)  # no get_config: it cannot even be described

    class Described(Doubled):
        def get_config(self):
            return {}

    assert "only keras.regularizers L1, L2 and L1L2" in _refusal(keras.Sequential([
        keras.Input(shape=(5,)), keras.layers.Dense(3, kernel_regularizer=Described())]))


def test_a_crafted_description_imports_nothing_and_builds_only_keras_layers():
    """The JSON names modules and classes; the grader reads only the whitelisted fields."""
    model = _chain("sequential", keras.regularizers.L2(0.01))
    document = json.loads(model.to_json())
    for entry in document["config"]["layers"]:
        entry["module"] = "evil_module_never_imported"
    returned = keras_models.ReturnedModel(json.dumps(document), tuple(layer.name for layer in model.layers),
                                          tuple(tuple(layer.get_weights()) for layer in model.layers))
    spec = keras_models.parse(returned)
    assert "evil_module_never_imported" not in sys.modules
    assert all(type(layer) is keras.layers.Dense for layer in keras_models.build(spec, keras).layers)
    document["config"]["layers"][1]["class_name"] = "Lambda"
    with pytest.raises(keras_models.ModelRefused, match="'Lambda' layer"):
        keras_models.parse(keras_models.ReturnedModel(json.dumps(document), returned.layer_names, returned.weights))


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "not json", '{"class_name": "Sequential"}',
                                  '{"class_name": "os.system", "config": {}}'])
def test_malformed_or_foreign_descriptions_are_refused(text):
    with pytest.raises(keras_models.ModelRefused):
        keras_models.parse(keras_models.ReturnedModel(text, (), ()))


def test_weights_that_do_not_fit_the_layers_are_refused():
    model = _chain("sequential")
    returned = _through_the_wire(model)
    shrunk = (tuple(w[:2] for w in returned.weights[0]),) + returned.weights[1:]
    with pytest.raises(keras_models.ModelRefused, match="weights of shapes"):
        keras_models.parse(keras_models.ReturnedModel(returned.json_text, returned.layer_names, shrunk))


@pytest.mark.parametrize("plain", [
    {"json": "{}", "layer_names": ["a"], "weights": []},  # one name, no weights
    {"json": "{}", "layer_names": ["a"], "weights": [["not an array"]]},
    {"json": 3, "layer_names": [], "weights": []},
    {"json": "{}", "layer_names": [], "weights": [], "extra": 1},
])
def test_a_malformed_model_message_arrives_as_an_unsupported_placeholder(plain):
    back = wire.decode({"__keras_model__": wire.encode(plain)})
    assert isinstance(back, wire.Unsupported)


def test_a_model_returned_by_a_sandboxed_function_reaches_the_grader_as_data():
    setup = "from course.runtime import import_keras\nkeras = import_keras()\n"
    source = ("def build(units):\n"
              "    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(units, activation='relu',\n"
              "                             kernel_regularizer=keras.regularizers.L2(0.5)),\n"
              "                             keras.layers.Dense(2, activation='softmax')])\n")
    server = function_client.FunctionServer(setup, [("build", source)], ["build"])
    try:
        server.ensure_running()
        returned = proxy.StudentFunction("build", server)(4)
    finally:
        server.close()
    assert isinstance(returned, keras_models.ReturnedModel)
    spec = keras_models.parse(returned)
    assert [layer.units for layer in spec.layers] == [4, 2]
    assert spec.layers[0].kernel_regularizer == keras_models.RegularizerSpec("L2", 0.0, 0.5)
