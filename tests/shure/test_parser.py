"""Framing and parsing of Shure command strings (sheet sections 1-5, 14)."""

from __future__ import annotations

import logging

from hypothesis import given, strategies as st
import pytest

from custom_components.micboard.manufacturers.shure import parser
from custom_components.micboard.manufacturers.shure.framing import MessageSplitter
from custom_components.micboard.manufacturers.shure.parser import (
    Rep,
    RepError,
    Sample,
    Unknown,
    parse_message,
)

# --- framing ----------------------------------------------------------------------------


def test_several_messages_in_one_read_and_one_split_across_reads() -> None:
    splitter = MessageSplitter()
    assert splitter.feed(b"< REP 1 CHAN_NAME {Vox 1   } >< REP 1 BATT_") == [
        " REP 1 CHAN_NAME {Vox 1   } "
    ]
    assert splitter.feed(b"BARS 004 >< SAMPLE 1 ALL AX 079 034 >") == [
        " REP 1 BATT_BARS 004 ",
        " SAMPLE 1 ALL AX 079 034 ",
    ]


def test_angle_brackets_inside_braces_belong_to_the_value() -> None:
    splitter = MessageSplitter()
    assert splitter.feed(b"< REP 1 CHAN_NAME {A>B<C   } >") == [" REP 1 CHAN_NAME {A>B<C   } "]


def test_garbage_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    splitter = MessageSplitter()
    messages = splitter.feed(b"\x00\xffjunk<<>>\r\n< REP ERR >trailing")
    assert messages == ["", " REP ERR "]
    assert "outside any message" in caplog.text
    assert splitter.feed(b" more< REP 1 X 1 >") == [" REP 1 X 1 "]


def test_over_long_messages_are_dropped_and_the_stream_resyncs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    splitter = MessageSplitter(max_message_bytes=64)
    # An unterminated brace must not swallow what follows.
    assert splitter.feed(b"< REP 1 CHAN_NAME {" + b"x" * 100 + b"< REP 1 A 1 >") == [" REP 1 A 1 "]
    assert "over-long" in caplog.text
    # A long message still in progress is dropped too.
    assert splitter.feed(b"< REP " + b"y" * 100) == []
    assert splitter.feed(b" >< REP 2 B 2 >") == [" REP 2 B 2 "]
    assert splitter.feed(b"< REP 1 CHAN_NAME {" + b"z" * 100) == []


@given(st.lists(st.binary(max_size=200), max_size=20))
def test_arbitrary_bytes_never_raise(chunks: list[bytes]) -> None:
    splitter = MessageSplitter(max_message_bytes=128)
    for chunk in chunks:
        for text in splitter.feed(chunk):
            parse_message(text)


@given(
    st.lists(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ ", min_size=1, max_size=40),
        min_size=1,
        max_size=10,
    ),
    st.data(),
)
def test_messages_survive_any_chunking(bodies: list[str], data: st.DataObject) -> None:
    stream = "".join(f"<{body}>" for body in bodies).encode()
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    splitter = MessageSplitter()
    received: list[str] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        received += splitter.feed(stream[start:cut])
        start = cut
    assert received == bodies


# --- message shapes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # ULX-D / QLX-D (sheet §2, §3, §8.1)
        ("< REP FW_VER {2.6.4.0           } >", Rep(None, "FW_VER", None, "2.6.4.0")),
        ("< REP DEVICE_ID {Rack 1  } >", Rep(None, "DEVICE_ID", None, "Rack 1")),
        ("< REP 1 CHAN_NAME {VOX 1   } >", Rep(1, "CHAN_NAME", None, "VOX 1")),
        ("< REP 1 GROUP_CHAN 01,05 >", Rep(1, "GROUP_CHAN", None, "01,05")),
        ("< REP 1 GROUP_CHAN {01,05} >", Rep(1, "GROUP_CHAN", None, "01,05")),
        ("< REP 1 FREQUENCY 518250 >", Rep(1, "FREQUENCY", None, "518250")),
        ("< REP 2 TX_TYPE UNKN >", Rep(2, "TX_TYPE", None, "UNKN")),
        ("< REP 1 TX_DEVICE_ID {        } >", Rep(1, "TX_DEVICE_ID", None, "")),
        ("< REP 2 BATT_RUN_TIME 65535 >", Rep(2, "BATT_RUN_TIME", None, "65535")),
        ("< REP 1 BATT_TEMP_C 64 >", Rep(1, "BATT_TEMP_C", None, "64")),
        ("< REP 1 METER_RATE 01000 >", Rep(1, "METER_RATE", None, "01000")),
        ("< SAMPLE 1 ALL AX 079 034 >", Sample(1, ("AX", "079", "034"))),
        (
            "< REP NET_SETTINGS SC MANUAL 10.0.0.5 255.255.255.0 10.0.0.1 00:0E:DD:AA:BB:CC >",
            Rep(
                None,
                "NET_SETTINGS",
                None,
                "SC MANUAL 10.0.0.5 255.255.255.0 10.0.0.1 00:0E:DD:AA:BB:CC",
            ),
        ),
        ("< REP MAC_ADDR 00:0e:dd:aa:bb:cc >", Rep(None, "MAC_ADDR", None, "00:0e:dd:aa:bb:cc")),
        # SLX-D / SLX-D+ (sheet §4)
        ("< REP MODEL {SLXD4" + " " * 27 + "} >", Rep(None, "MODEL", None, "SLXD4")),
        ("< REP 1 FREQUENCY 0578350 >", Rep(1, "FREQUENCY", None, "0578350")),
        ("< REP 1 GROUP_CHANNEL {--,--     } >", Rep(1, "GROUP_CHANNEL", None, "--,--")),
        ("< REP 1 RSSI 1 083 >", Rep(1, "RSSI", 1, "083")),
        ("< REP 1 RSSI 096 >", Rep(1, "RSSI", None, "096")),
        ("< REP 1 SLOT_TX_MODEL 2 {SLXD1+    } >", Rep(1, "SLOT_TX_MODEL", 2, "SLXD1+")),
        ("< REP 1 LINK_STATUS 1 online >", Rep(1, "LINK_STATUS", 1, "online")),
        ("< SAMPLE 1 ALL 102 102 086 >", Sample(1, ("102", "102", "086"))),
        # Axient Digital (sheet §5, §8.2)
        ("< REP MODEL {AD4Q-A" + " " * 26 + "} >", Rep(None, "MODEL", None, "AD4Q-A")),
        ("< REP 1 RSSI_LED_BITMAP 2 00 >", Rep(1, "RSSI_LED_BITMAP", 2, "00")),
        ("< REP 1 SLOT_STATUS 1 EMPTY >", Rep(1, "SLOT_STATUS", 1, "EMPTY")),
        (
            "< SAMPLE 1 ALL 005 031 102 102 BB 31 086 31 065 >",
            Sample(1, ("005", "031", "102", "102", "BB", "31", "086", "31", "065")),
        ),
        # Tolerance: missing spaces, lower case, CRLF, unterminated brace
        ("<REP 1 chan_name {x}>", Rep(1, "CHAN_NAME", None, "x")),
        ("< REP 1 CHAN_NAME {open  >\r\n", Rep(1, "CHAN_NAME", None, "open")),
        ("< REP ERR >", RepError()),
        ("< rep err >", RepError()),
    ],
)
def test_parse_message(line: str, expected: object) -> None:
    assert parse_message(line) == expected


@pytest.mark.parametrize(
    "line",
    ["", "<>", "< REP >", "< REP 1 >", "< REP 1 9KEY x >", "< SAMPLE x ALL 1 >", "< HELLO >"],
)
def test_unknown_messages_are_kept_raw(line: str) -> None:
    assert parse_message(line) == Unknown(line)


def test_sample_needs_all() -> None:
    assert parse_message("< SAMPLE 1 SOME 1 >") == Unknown("< SAMPLE 1 SOME 1 >")


# --- value decoding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("004", 4), ("255", None), ("abc", None), ("", None), (" 12 ", 12)],
)
def test_number(value: str, expected: int | None) -> None:
    assert parser.number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("00312", 312), ("65532", 65532), ("65533", None), ("65534", None), ("65535", None)],
)
def test_runtime_sentinels(value: str, expected: int | None) -> None:
    assert parser.runtime_minutes(value) == expected


def test_levels_and_counts() -> None:
    assert parser.offset_number("079", 128) == -49
    assert parser.offset_number("255", 128) is None
    assert parser.count("00012") == 12
    assert parser.count("65535") is None
    assert parser.temperature_c("64") == 24
    assert parser.temperature_c("255") is None


@pytest.mark.parametrize(
    ("value", "expected"), [("UNKN", None), ("UNKNOWN", None), ("  ", None), ("LION", "LION")]
)
def test_word(value: str, expected: str | None) -> None:
    assert parser.word(value) == expected


def test_text_on_off_frequency_group() -> None:
    assert parser.text("  ") is None
    assert parser.text(" Vox ") == "Vox"
    assert parser.on_off("ON") is True
    assert parser.on_off("off") is False
    assert parser.on_off("UNKN") is None
    assert parser.frequency_mhz("526225") == pytest.approx(526.225)
    assert parser.frequency_mhz("0578350") == pytest.approx(578.35)
    assert parser.frequency_mhz("000000") is None
    assert parser.group_channel("{--,--}") is None
    assert parser.group_channel("--,--") is None
    assert parser.group_channel("") is None
    assert parser.group_channel("{01,05     }") == "01,05"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00:0E:DD:AA:BB:CC", "00:0e:dd:aa:bb:cc"),
        ("00-0e-dd-aa-bb-cc", "00:0e:dd:aa:bb:cc"),
        ("000EDDAABBCC", "00:0e:dd:aa:bb:cc"),
        ("na", None),
        ("00:0E:DD:AA:BB", None),
    ],
)
def test_mac_address(value: str, expected: str | None) -> None:
    assert parser.mac_address(value) == expected


@pytest.mark.parametrize(
    ("value", "marker", "expected"),
    [
        ("AX", None, "A"),
        ("XB", None, "B"),
        ("AB", None, "AB"),
        ("XX", None, None),
        ("BX", None, None),
        ("BX", "B", "A"),
        ("RB", "B", "B"),
        ("BBXB", "B", "ABD"),
        ("XX", "B", None),
    ],
)
def test_antennas(value: str, marker: str | None, expected: str | None) -> None:
    assert parser.antennas(value, active_marker=marker) == expected


# --- round trips of the wire's value formats -------------------------------------------

_NAME_CHARS = st.characters(
    codec="ascii", categories=["L", "N", "P", "S", "Zs"], exclude_characters="{}|"
)


@given(st.text(_NAME_CHARS, min_size=1, max_size=31), st.sampled_from([8, 31]))
def test_padded_string_round_trip(name: str, width: int) -> None:
    name = name[:width].strip()
    line = f"< REP 1 CHAN_NAME {{{name.ljust(width)}}} >"
    message = parse_message(MessageSplitter().feed(line.encode())[0])
    assert isinstance(message, Rep)
    assert message.value == name


@given(st.integers(0, 254))
def test_three_digit_round_trip(value: int) -> None:
    message = parse_message(f"< REP 2 BATT_BARS {value:03d} >")
    assert isinstance(message, Rep)
    assert parser.number(message.value) == value


@given(st.integers(0, 65532))
def test_five_digit_round_trip(value: int) -> None:
    message = parse_message(f"< REP 1 TX_BATT_MINS {value:05d} >")
    assert isinstance(message, Rep)
    assert parser.runtime_minutes(message.value) == value


@given(st.integers(100_000, 999_999), st.sampled_from([6, 7]))
def test_frequency_round_trip(khz: int, digits: int) -> None:
    assert parser.frequency_mhz(f"{khz:0{digits}d}") == pytest.approx(khz / 1000)
