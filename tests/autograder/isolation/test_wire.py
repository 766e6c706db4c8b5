"""The wire format between the grader and a sandbox (autograder.isolation.wire): plain data round-trips,
objects arrive as data or placeholders, malformed and oversized replies are refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograder.isolation import wire


@pytest.mark.parametrize("value", [
    None, True, 3, 2**70, 1.5, float("nan"), complex(1, -2), "text", [1, (2, 3)], {"a": [1.0]},
    np.arange(6, dtype=np.int32).reshape(2, 3), np.float32(2.5), np.float64(0.25), np.complex128(1 - 2j),
    np.int64(7), np.bool_(True), (np.zeros(2), [np.ones(1)]), [np.float64(0.1), np.complex128(1 - 2j)],
])
def test_plain_data_survives_the_round_trip(value):
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    if isinstance(value, float) and np.isnan(value):
        assert np.isnan(back)
    elif isinstance(value, tuple) and isinstance(value[0], np.ndarray):
        np.testing.assert_array_equal(back[0], value[0])
        np.testing.assert_array_equal(back[1][0], value[1][0])
    else:
        assert type(back) is type(value)
        np.testing.assert_equal(back, value)


def test_objects_arrive_as_data_or_placeholders_never_as_objects():
    class Evil:
        def __eq__(self, other):
            return True

    back = wire.decode(wire.encode(Evil()))
    assert isinstance(back, wire.Unsupported)
    with pytest.raises(TypeError, match="cannot use"):
        back.shape  # noqa: B018
    assert isinstance(wire.decode(wire.encode(np.array([object()]))), wire.Unsupported)


def test_array_likes_arrive_as_foreign_arrays():
    class Tensor:
        def numpy(self):
            return np.ones((2, 2))

    back = wire.decode(wire.encode(Tensor()))
    assert isinstance(back, wire.ForeignArray) and not isinstance(back, np.ndarray)
    np.testing.assert_array_equal(np.asarray(back), np.ones((2, 2)))


def test_malformed_and_oversized_replies_are_refused():
    with pytest.raises(wire.WireError):
        wire.decode({"__pickle__": "anything"})
    with pytest.raises(wire.WireError):
        wire.load_reply(b"not json")


def test_a_reply_of_many_nested_lists_is_refused():
    with pytest.raises(wire.WireError, match="nested lists"):
        wire.load_reply(b'{"ok": true, "result": [' + b"[]," * (wire.MAX_REPLY_CONTAINERS + 1) + b"[]]}")


def test_a_deeply_nested_reply_is_refused():
    deep = b'{"ok": true, "result": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(wire.WireError):
        wire.load_reply(deep)


