"""The SSC v1 codec against the fact sheet's verbatim wire examples."""

from __future__ import annotations

import contextlib
import json

from hypothesis import given, strategies as st
import pytest

from custom_components.micboard.manufacturers.sennheiser.codec import (
    Reply,
    SscDecodeError,
    clean_text,
    decode,
    encode,
    request_tree,
)


def test_read_request_has_null_leaves() -> None:
    tree = request_tree([("device", "identity", "serial"), ("device", "name")])
    assert encode(tree) == b'{"device":{"identity":{"serial":null},"name":null}}'


def test_reply_mirrors_the_tree() -> None:
    reply = decode(b'{"device":{"identity":{"serial":"1454100930"}}}')
    assert reply == Reply(values={("device", "identity", "serial"): "1454100930"})


def test_partial_success_keeps_good_leaves_and_every_error() -> None:
    # Real EW-DX EM 2 reply (DigiMixer test), with double quotes.
    wire = (
        "{'osc':{'error':[{'abc':[404,{'desc':'address not found'}],'mates':{'tx1':"
        "{'battery':{'xyz':[404,{'desc':'address not found'}],'type':[424,{'desc':"
        "'failed dependency'}]}}}}]},'device':{'name':'EWDXEM2'}}"
    ).replace("'", '"')
    reply = decode(wire.encode())
    assert reply.values == {("device", "name"): "EWDXEM2"}
    assert reply.errors == {
        ("abc",): 404,
        ("mates", "tx1", "battery", "xyz"): 404,
        ("mates", "tx1", "battery", "type"): 424,
    }


def test_error_without_desc_and_310() -> None:
    reply = decode(b'{"osc":{"error":[{"bays":{"active":[310]}}]}}')
    assert reply.errors == {("bays", "active"): 310}


def test_duplicate_osc_keys_are_merged() -> None:
    # The SpeechLine guide's example repeats "osc"; neither half may be lost.
    reply = decode(
        b'{"osc":{"xid":1234567890},"osc":{"state":{"subscribe":[{"brightness":null}]}}}'
    )
    assert reply.xid == 1234567890
    assert reply.echoed == {("brightness",)}


def test_subscription_ack_with_parameters() -> None:
    reply = decode(
        b'{"osc":{"state":{"subscribe":[{"#":{"min":0, "max":0, "lifetime":10,'
        b'"count":1000},"sys":{"wsm_master_cnt":null}}]}}}'
    )
    assert reply.echoed == {("sys", "wsm_master_cnt")}
    assert not reply.values


def test_trailing_newline_and_lists() -> None:
    reply = decode(b'{"mates":{"tx1":{"warnings":["LowBattery","AfPeak"]}}}\r\n')
    assert reply.values == {("mates", "tx1", "warnings"): ["LowBattery", "AfPeak"]}


@pytest.mark.parametrize(
    "garbage", [b"", b"\xff\xfe", b"[1,2]", b'{"a":', b"null", b"<html>", b"\x00" * 50]
)
def test_garbage_is_a_decode_error(garbage: bytes) -> None:
    with pytest.raises(SscDecodeError):
        decode(garbage)


def test_bad_bytes_inside_a_name_do_not_cost_the_message() -> None:
    reply = decode(b'{"rx1":{"name":"VO\xffX1"}}')
    assert clean_text(reply.values[("rx1", "name")]) == "VOX1"


def test_clean_text() -> None:
    assert clean_text("  Hi\tthere\u00e9 ") == "Hithere"
    assert clean_text("\u2603") is None
    assert clean_text(42) is None


@given(st.binary(max_size=200))
def test_decode_never_raises_anything_else(data: bytes) -> None:
    with contextlib.suppress(SscDecodeError):
        decode(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=4), json_values, max_size=4))
def test_decode_any_json_object(document: dict[str, object]) -> None:
    decode(json.dumps(document).encode())
