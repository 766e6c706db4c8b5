"""A Keras model returned by a student's function, carried out of the sandbox as data.

A graded function may return a Keras model (chapter 05's model builder). A model is code, and the
trusted grader never unpickles or runs anything from the sandbox, so the model crosses as data:

1. sandbox side, :func:`to_plain` (called by :func:`autograder.isolation.wire.encode`): the model's
   ``to_json()`` text, the names of ``model.layers`` in order, and each layer's weights as arrays;
2. trusted side, :meth:`ReturnedModel.from_plain` (called by :func:`autograder.isolation.wire.decode`):
   checks the types and sizes and keeps them in a frozen :class:`ReturnedModel`, plain data;
3. a check reads it with :func:`parse`, which walks the JSON as plain dicts (it never hands it to
   Keras's deserializer, so no class or module named in it is imported) and accepts only a chain
   ``Input -> Dense -> ... -> Dense`` of a Sequential or functional model, activations named by a
   whitelisted string, and the regularizers ``L1``, ``L2`` and ``L1L2`` (or none). The result is a
   typed :class:`ModelSpec`; anything else raises :class:`ModelRefused`, whose message says why;
4. :func:`build` makes a new Keras model from a :class:`ModelSpec` in the grader, with Keras's own
   ``Dense`` layers and regularizers, and sets the returned weights: the checks train that model.

What is graded is therefore the model the description defines, rebuilt by the grader. Student code
that forged a description (a model class whose ``get_config`` lies) would have had to write the
correct description, which is the answer. In a student's own kernel the checks take the same route
(:func:`returned_from_model`), so a model is judged the same way in both places.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_JSON_CHARS = 2_000_000
MAX_LAYERS = 64
ACTIVATIONS = frozenset({"linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish",
                         "tanh", "sigmoid", "hard_sigmoid", "softplus", "softsign", "softmax", "log_softmax",
                         "exponential", "mish"})
REGULARIZERS = {"L1": ("l1",), "L2": ("l2",), "L1L2": ("l1", "l2")}
# Dense settings the rebuilt layer takes over; the others (initializers, names, dtype, trainable)
# do not change a model whose weights are set, and constraints are refused
_IGNORED_DENSE_KEYS = {"name", "trainable", "dtype", "kernel_initializer", "bias_initializer",
                       "quantization_config", "lora_rank", "lora_alpha"}


class ModelRefused(ValueError):
    """The returned model is not one the grader rebuilds (the message says why, for the student)."""


# --------------------------------------------------------------------------------- the data
@dataclass(frozen=True)
class ReturnedModel:
    """A model as it came out of the sandbox: plain data only."""

    json_text: str  # ``model.to_json()``
    layer_names: tuple[str, ...]  # ``[layer.name for layer in model.layers]``, duplicates kept
    weights: tuple[tuple[np.ndarray, ...], ...]  # each layer's ``get_weights()``, same order

    @classmethod
    def from_plain(cls, data: Any) -> ReturnedModel:
        """Check the decoded wire data (trusted side). Raises ValueError when malformed."""
        if not isinstance(data, dict) or set(data) != {"json", "layer_names", "weights"}:
            raise ValueError("a model description needs exactly json, layer_names and weights")
        text, names, weights = data["json"], data["layer_names"], data["weights"]
        if not isinstance(text, str) or len(text) > MAX_JSON_CHARS:
            raise ValueError("the model's JSON is missing or too long")
        if not isinstance(names, list) or len(names) > MAX_LAYERS or not all(isinstance(n, str) for n in names):
            raise ValueError("layer_names must be a list of at most 64 strings")
        if not isinstance(weights, list) or len(weights) != len(names):
            raise ValueError("weights must hold one list of arrays per layer")
        arrays = []
        for layer in weights:
            if not isinstance(layer, list) or not all(isinstance(w, np.ndarray) and w.dtype.kind == "f"
                                                      for w in layer):
                raise ValueError("each layer's weights must be a list of float arrays")
            arrays.append(tuple(layer))
        return cls(text, tuple(names), tuple(arrays))


@dataclass(frozen=True)
class RegularizerSpec:
    """Keras's ``L1``, ``L2`` or ``L1L2`` with its factors (0 for the one a class lacks)."""

    kind: str
    l1: float = 0.0
    l2: float = 0.0

    def describe(self) -> str:
        if self.kind == "L1L2":
            return f"L1L2(l1={self.l1:g}, l2={self.l2:g})"
        return f"{self.kind}({self.l1 if self.kind == 'L1' else self.l2:g})"

    def same_as(self, other: RegularizerSpec | None, rtol: float = 1e-6) -> bool:
        return other is not None and self.kind == other.kind and \
            math.isclose(self.l1, other.l1, rel_tol=rtol) and math.isclose(self.l2, other.l2, rel_tol=rtol)


@dataclass(frozen=True)
class DenseSpec:
    """One Dense layer: what changes its output or the loss."""

    units: int
    activation: str
    use_bias: bool = True
    kernel_regularizer: RegularizerSpec | None = None
    bias_regularizer: RegularizerSpec | None = None
    activity_regularizer: RegularizerSpec | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A chain Input(input_dim) -> Dense -> ... -> Dense, and each Dense layer's weights."""

    api: str  # "Sequential" or "Functional"
    input_dim: int
    layers: tuple[DenseSpec, ...]
    # per layer; empty: a new model's own initial weights (not part of a spec's equality)
    weights: tuple[tuple[np.ndarray, ...], ...] = field(default=(), compare=False)


# ----------------------------------------------------------------------------- sandbox side
def is_keras_model(value: Any) -> bool:
    """Whether ``value`` is a Keras model (without importing Keras when it is not loaded)."""
    import sys

    keras = sys.modules.get("keras")
    model_class = getattr(keras, "Model", None) if keras is not None else None
    return isinstance(model_class, type) and isinstance(value, model_class)


def to_plain(model: Any) -> dict:
    """The model as plain data (sandbox side, or a student's kernel): see the module's docstring."""
    return {"json": str(model.to_json()),
            "layer_names": [str(layer.name) for layer in model.layers],
            "weights": [[np.asarray(w) for w in layer.get_weights()] for layer in model.layers]}


def returned_from_model(model: Any) -> ReturnedModel:
    """The same description for a live model (a student's kernel): what the sandbox would send."""
    return ReturnedModel.from_plain(to_plain(model))


# ----------------------------------------------------------------------------- trusted side
def regularizer_from_config(value: Any, where: str) -> RegularizerSpec | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise ModelRefused(f"{where} is the string {value!r}; pass a regularizer object (the one you are given)")
    if not isinstance(value, dict) or value.get("class_name") not in REGULARIZERS:
        name = value.get("class_name") if isinstance(value, dict) else type(value).__name__
        raise ModelRefused(f"{where} is {name!r}; the grader rebuilds only keras.regularizers L1, L2 and L1L2")
    config = value.get("config")
    kind = value["class_name"]
    factors = {}
    for key in ("l1", "l2"):
        factor = config.get(key, 0.0) if isinstance(config, dict) else None
        if key in REGULARIZERS[kind] and (isinstance(factor, bool) or not isinstance(factor, (int, float))
                                          or not math.isfinite(factor) or factor < 0):
            raise ModelRefused(f"{where}: {kind} with a factor {key} that is not a non-negative number")
        factors[key] = float(factor) if key in REGULARIZERS[kind] else 0.0
    return RegularizerSpec(kind, **factors)


def _dense(entry: dict, position: int) -> DenseSpec:
    where = f"layer {position} (Dense)"
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ModelRefused(f"{where} has no configuration")
    units, activation, use_bias = config.get("units"), config.get("activation"), config.get("use_bias", True)
    if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= 100_000:
        raise ModelRefused(f"{where} has {units!r} units")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        shown = activation if isinstance(activation, str) else "a custom function"
        raise ModelRefused(f"{where} uses the activation {shown!r}; use one of Keras's activations by name")
    if not isinstance(use_bias, bool):
        raise ModelRefused(f"{where} has use_bias={use_bias!r}")
    for key in ("kernel_constraint", "bias_constraint"):
        if config.get(key) is not None:
            raise ModelRefused(f"{where} has a {key}; this network has none")
    known = _IGNORED_DENSE_KEYS | {"units", "activation", "use_bias", "kernel_regularizer", "bias_regularizer",
                                   "activity_regularizer", "kernel_constraint", "bias_constraint"}
    unknown = sorted(key for key in config if key not in known and config[key] not in (None, False, 0))
    if unknown:
        raise ModelRefused(f"{where} sets {', '.join(map(str, unknown[:3]))}, which the grader does not rebuild")
    return DenseSpec(units, activation, use_bias,
                     regularizer_from_config(config.get("kernel_regularizer"), f"{where}'s kernel_regularizer"),
                     regularizer_from_config(config.get("bias_regularizer"), f"{where}'s bias_regularizer"),
                     regularizer_from_config(config.get("activity_regularizer"), f"{where}'s activity_regularizer"))


def _input_dim(shape: Any) -> int:
    if not isinstance(shape, list) or len(shape) != 2 or shape[0] is not None or isinstance(shape[1], bool) \
            or not isinstance(shape[1], int) or shape[1] < 1:
        raise ModelRefused(f"the model's input shape is {shape!r}; it takes vectors: keras.Input(shape=(input_dim,))")
    return shape[1]


def _history(node: Any) -> str | None:
    """The name of the layer whose output feeds a functional layer's only call, if that is what it is."""
    try:
        (argument,) = node["args"]
        if node.get("kwargs") or argument["class_name"] != "__keras_tensor__":
            return None
        name = argument["config"]["keras_history"][0]
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return name if isinstance(name, str) else None


def _chain_of_functional(config: dict) -> tuple[int, list[dict]]:
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers or len(layers) > MAX_LAYERS:
        raise ModelRefused("the functional model lists no layers")
    if not all(isinstance(entry, dict) for entry in layers):
        raise ModelRefused("the functional model's layers are malformed")
    first, rest = layers[0], layers[1:]
    if first.get("class_name") != "InputLayer" or any(e.get("class_name") == "InputLayer" for e in rest):
        raise ModelRefused("the functional model must have one input, keras.Input(shape=(input_dim,))")
    input_dim = _input_dim((first.get("config") or {}).get("batch_shape"))
    previous = first.get("name")
    for entry in rest:
        nodes = entry.get("inbound_nodes")
        if not isinstance(nodes, list) or len(nodes) != 1:
            raise ModelRefused(f"layer {entry.get('name')!r} is called {len(nodes) if isinstance(nodes, list) else 0} "
                               "times: each layer object is used once (make a new layer for each position)")
        if _history(nodes[0]) != previous:
            raise ModelRefused(f"layer {entry.get('name')!r} does not take the previous layer's output: the "
                               "network is one chain, each layer applied to the last one's output")
        previous = entry.get("name")
    outputs, inputs = config.get("output_layers"), config.get("input_layers")
    if not (isinstance(outputs, list) and outputs[:1] == [previous]) or \
            not (isinstance(inputs, list) and inputs[:1] == [first.get("name")]):
        raise ModelRefused("the functional model's output must be its last layer's output, from one input")
    return input_dim, rest


def _chain_of_sequential(config: dict) -> tuple[int, list[dict]]:
    layers = config.get("layers")
    if not isinstance(layers, list) or len(layers) > MAX_LAYERS or not all(isinstance(e, dict) for e in layers):
        raise ModelRefused("the Sequential model's layers are malformed")
    if layers and layers[0].get("class_name") == "InputLayer":
        return _input_dim((layers[0].get("config") or {}).get("batch_shape")), layers[1:]
    shape = config.get("build_input_shape")
    if shape is None:
        raise ModelRefused("the model has no input shape: start it with keras.Input(shape=(input_dim,))")
    return _input_dim(shape), layers


def parse(returned: ReturnedModel) -> ModelSpec:
    """The :class:`ModelSpec` a returned model describes, or :class:`ModelRefused` (trusted side)."""
    try:
        document = json.loads(returned.json_text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise ModelRefused("the model's description could not be read") from None
    if not isinstance(document, dict) or not isinstance(document.get("config"), dict):
        raise ModelRefused("the model's description could not be read")
    api = document.get("class_name")
    if api == "Sequential":
        input_dim, entries = _chain_of_sequential(document["config"])
    elif api == "Functional":
        input_dim, entries = _chain_of_functional(document["config"])
    else:
        raise ModelRefused(f"the function returned a {api!r} model; build a keras.Sequential model or a "
                           "functional keras.Model from keras.Input and layers")
    layers = []
    for position, entry in enumerate(entries, start=1):
        if entry.get("class_name") != "Dense":
            raise ModelRefused(f"layer {position} is a {entry.get('class_name')!r} layer; this network has "
                               "Dense layers only, each with its activation")
        layers.append(_dense(entry, position))
    if not layers:
        raise ModelRefused("the model has no Dense layer")
    names = [entry.get("name") or (entry.get("config") or {}).get("name") for entry in entries]
    returned_names = [name for name in returned.layer_names if name not in
                      {e.get("name") for e in document["config"].get("layers", []) if isinstance(e, dict)
                       and e.get("class_name") == "InputLayer"}]
    if len(set(returned_names)) != len(returned_names):
        raise ModelRefused("the same layer object appears twice in the model: make a new layer for each "
                           "position (call the partial once per layer)")
    if returned_names != names:
        raise ModelRefused("the model's layers do not match its description")
    weights = dict(zip(returned.layer_names, returned.weights))
    per_layer = []
    fan_in = input_dim
    for name, layer in zip(names, layers):
        arrays = weights.get(name, ())
        shapes = [(fan_in, layer.units)] + ([(layer.units,)] if layer.use_bias else [])
        if [tuple(a.shape) for a in arrays] != shapes:
            raise ModelRefused(f"layer {name!r} holds weights of shapes {[tuple(a.shape) for a in arrays]}, "
                               f"not {shapes}")
        per_layer.append(tuple(np.asarray(a, dtype=np.float32) for a in arrays))
        fan_in = layer.units
    return ModelSpec(api, input_dim, tuple(layers), tuple(per_layer))


def _keras_regularizer(keras: Any, spec: RegularizerSpec | None) -> Any:
    if spec is None:
        return None
    if spec.kind == "L1":
        return keras.regularizers.L1(spec.l1)
    if spec.kind == "L2":
        return keras.regularizers.L2(spec.l2)
    return keras.regularizers.L1L2(l1=spec.l1, l2=spec.l2)


def build(spec: ModelSpec, keras: Any) -> Any:
    """A new (uncompiled) Keras Sequential model of ``spec``, with ``spec``'s weights when it has them."""
    model = keras.Sequential([keras.Input(shape=(spec.input_dim,))] + [
        keras.layers.Dense(layer.units, activation=layer.activation, use_bias=layer.use_bias,
                           kernel_regularizer=_keras_regularizer(keras, layer.kernel_regularizer),
                           bias_regularizer=_keras_regularizer(keras, layer.bias_regularizer),
                           activity_regularizer=_keras_regularizer(keras, layer.activity_regularizer))
        for layer in spec.layers])
    if spec.weights:
        for layer, arrays in zip(model.layers, spec.weights):
            layer.set_weights(list(arrays))
    return model
