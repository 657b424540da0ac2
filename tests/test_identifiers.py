"""Device identifiers and unique ids: built and parsed in one place."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.micboard.const import DOMAIN
from custom_components.micboard.identifiers import (
    SERVICE_KEY,
    DeviceRef,
    description_key,
    device_identifier,
    parse_identifier,
    unique_id,
)


@pytest.mark.parametrize(
    ("key", "identifier"),
    [
        (SERVICE_KEY, "shure"),
        (("00:0e:dd:3c:fd:e6", 0), "shure:00:0e:dd:3c:fd:e6"),
        (("00:0e:dd:3c:fd:e6", 3), "shure:00:0e:dd:3c:fd:e6/ch3"),
        (("127.0.0.1:42203", 0), "shure:127.0.0.1:42203"),
        (("127.0.0.1:42203", 2), "shure:127.0.0.1:42203/ch2"),
        (("[fe80::1]:2202", 12), "shure:[fe80::1]:2202/ch12"),
        (("fe80::1", 1), "shure:fe80::1/ch1"),
    ],
)
def test_identifiers(key: tuple[str, int], identifier: str) -> None:
    """The stored form (it is in every user's registry: it must never change)."""
    assert device_identifier("shure", key) == (DOMAIN, identifier)
    ref = parse_identifier((DOMAIN, identifier))
    assert ref == DeviceRef("shure", *key)
    assert ref.key == key
    assert ref.is_service == (key == SERVICE_KEY)
    assert ref.is_channel == (key[1] > 0)


@pytest.mark.parametrize(
    "identifier",
    [("other", "shure:00:0e:dd:00:00:01"), (DOMAIN, ""), ("other", "")],
)
def test_foreign_identifiers(identifier: tuple[str, str]) -> None:
    """Not Micboard's: nothing."""
    assert parse_identifier(identifier) is None


def test_channel_separator_without_number_is_part_of_the_id() -> None:
    """An id that merely contains "/ch" is a receiver."""
    assert parse_identifier((DOMAIN, "shure:rx/chapel")) == DeviceRef("shure", "rx/chapel")


def test_unique_ids() -> None:
    """Device part, then the description key; the key is read back from the end."""
    assert unique_id("shure", ("127.0.0.1:42205", 4), "rf_level") == (
        "shure:127.0.0.1:42205/ch4-rf_level"
    )
    assert unique_id("shure", SERVICE_KEY, "last_sync") == "shure-last_sync"
    assert description_key("shure:00:0e:dd:3c:fd:e6/ch1-battery_runtime") == "battery_runtime"
    # A host name with dashes in the id does not confuse it.
    assert description_key(unique_id("shure", ("rx-1.local:2202", 1), "battery")) == "battery"


macs = st.lists(st.integers(0, 255), min_size=6, max_size=6).map(
    lambda parts: ":".join(f"{part:02x}" for part in parts)
)
ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(str)
names = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True)
ports = st.integers(1, 65535)
api_ids = st.one_of(
    macs,
    st.tuples(st.one_of(ipv4, names), ports).map(lambda hp: f"{hp[0]}:{hp[1]}"),
    st.tuples(ipv6, ports).map(lambda hp: f"[{hp[0]}]:{hp[1]}"),
    ipv6,
)


@given(
    manufacturer=st.sampled_from(["shure", "sennheiser"]),
    api_id=api_ids,
    index=st.integers(0, 64),
    key=st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True),
)
def test_round_trip(manufacturer: str, api_id: str, index: int, key: str) -> None:
    """Whatever the api id (MAC, host:port, IPv6), what is built parses back to itself."""
    ref = parse_identifier(device_identifier(manufacturer, (api_id, index)))
    assert ref == DeviceRef(manufacturer, api_id, index)
    assert description_key(unique_id(manufacturer, (api_id, index), key)) == key
