"""The host list users type into the setup form."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.micboard.hosts import (
    InvalidHostError,
    format_host,
    parse_host,
    parse_hosts,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.5", [("10.0.0.5", 2202)]),
        ("10.0.0.5:2300", [("10.0.0.5", 2300)]),
        ("rx-1.local, rx-2.local", [("rx-1.local", 2202), ("rx-2.local", 2202)]),
        ("a\nb  c;d", [("a", 2202), ("b", 2202), ("c", 2202), ("d", 2202)]),
        ("[fe80::1]:2205 ::1", [("fe80::1", 2205), ("::1", 2202)]),
        ("[::1]", [("::1", 2202)]),
        ("RX1, rx1, rx1:2202, rx1:2203", [("rx1", 2202), ("rx1", 2203)]),
        ("  \n ", []),
    ],
)
def test_parse_hosts(text: str, expected: list[tuple[str, int]]) -> None:
    """Separators, ports, IPv6 and duplicates."""
    assert parse_hosts(text, 2202) == expected


@pytest.mark.parametrize(
    "entry",
    ["host:", "host:0", "host:65536", "host:x", "-bad", "bad_name", "[::1", "[::1]x", "1.2.3"],
)
def test_invalid_hosts_name_the_entry(entry: str) -> None:
    """A bad entry raises an error that names it."""
    with pytest.raises(InvalidHostError) as err:
        parse_hosts(f"good {entry}", 2202)
    assert err.value.entry == entry


def test_format_host() -> None:
    """The default port is left out; IPv6 gets brackets when a port follows."""
    assert format_host("rx", 2202, 2202) == "rx"
    assert format_host("rx", 2203, 2202) == "rx:2203"
    assert format_host("::1", 2203, 2202) == "[::1]:2203"


@given(
    st.ip_addresses(v=4).map(str) | st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True),
    st.integers(1, 65535),
)
def test_format_parse_round_trip(host: str, port: int) -> None:
    """What format_host writes, parse_host reads back."""
    assert parse_host(format_host(host, port, 2202), 2202) == (host, port)
