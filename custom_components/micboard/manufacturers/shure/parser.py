"""Turn one message's text into a typed message, and decode its values.

Every protocol sentinel (255, 65535, ``UNKN`` ...) becomes ``None`` here, so nothing above this
module knows what they look like.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from ..models import BatteryError, BatteryState

# Runtime minutes above this are status codes: 65533 battery communication warning,
# 65534 calculating, 65535 unknown.
_MAX_RUNTIME_MINUTES = 65532
_UNKNOWN_WORDS = frozenset({"UNKN", "UNKNOWN", ""})
# Chargers (shure-chargers sheet §3): 3-digit values 254 = error, 255 = unknown; 5-digit
# counts and capacities 65534 = error, 65535 = unknown; temperatures are sent as degrees + 40.
_CHARGER_BYTE_MAX = 253
_CHARGER_COUNT_MAX = 65533
_CHARGER_TEMPERATURE_OFFSET = 40
# Time to full: minutes up to 65528; above, codes. 65529, 65533-65535 are public; 65530-65532
# (hot, warm, cold) appear only in Shure's DMP headers (open question 5): read either way.
_MAX_TIME_TO_FULL_MINUTES = 65528
_TIME_TO_FULL_CODES: dict[int, BatteryState | None] = {
    65529: BatteryState.FULL,
    65530: BatteryState.HOT,
    65531: BatteryState.WARM,
    65532: BatteryState.COLD,
    65533: BatteryState.CALCULATING,
    65534: BatteryState.ERROR,
    65535: None,
}
# BATT_STATE words. ``CHARGING`` is not in Shure's list but in one third-party fixture: its
# meaning is plain, so it is read as charging rather than as an unknown word.
_BATTERY_STATES = {
    "NORMAL": BatteryState.CHARGING,
    "CHARGING": BatteryState.CHARGING,
    "FULL": BatteryState.FULL,
    "WARM_FULL": BatteryState.FULL,
    "CALCULATING": BatteryState.CALCULATING,
    "DISCHARGE_CALC": BatteryState.CALCULATING,
    "WARM": BatteryState.WARM,
    "HOT": BatteryState.HOT,
    "COLD": BatteryState.COLD,
    "PRECHARGE": BatteryState.PRECHARGE,
    "READY_TO_STORE": BatteryState.STORAGE,
    "DISCHARGING": BatteryState.DISCHARGING,
    "DISCHARGING_WARM": BatteryState.DISCHARGING,
    "DISCHARGING_COLD": BatteryState.DISCHARGING,
    "ERROR": BatteryState.ERROR,
    "NO_BATT": BatteryState.EMPTY,
}
_BATTERY_ERRORS = {
    0: BatteryError.NONE,
    1: BatteryError.UNKNOWN_MODULE,
    2: BatteryError.UNRECOGNIZED_BATTERY,
    3: BatteryError.DEEP_DISCHARGE_RECOVERY_FAILED,
    4: BatteryError.CHARGE_FAILED,
    5: BatteryError.CHECK_BATTERY,
    6: BatteryError.CHECK_CHARGER,
    7: BatteryError.COMMUNICATION_FAILURE,
}
# BATT_MODULE_TYPE: SBC220/240 linked units and SBRC inserts (sheet §3.1).
_MODULE_TYPES = {
    1: "AXT902",
    2: "AXT901",
    3: "SBC-AX",
    4: "SBM920",
    5: "SBM910",
    6: "SBM910M",
    129: "primary",
    133: "secondary",
}
_NO_MODULE = 0
_MAC = re.compile(r"^([0-9A-Fa-f]{2})([:-]?[0-9A-Fa-f]{2}){5}$")


@dataclass(frozen=True, slots=True)
class Rep:
    """``< REP [channel] KEY [index] value >``; ``channel`` is None for device properties."""

    channel: int | None
    key: str
    index: int | None
    value: str


@dataclass(frozen=True, slots=True)
class RepError:
    """``< REP ERR >``: the receiver rejected a command."""


@dataclass(frozen=True, slots=True)
class Sample:
    """``< SAMPLE channel ALL f1 f2 ... >``: one channel's periodic metering."""

    channel: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unknown:
    """Anything else; kept raw so it can be logged."""

    text: str


type Message = Rep | RepError | Sample | Unknown


def tokenize(text: str) -> list[str]:
    """Split on whitespace, keeping a ``{...}`` value (which may contain spaces) as one token."""
    if "{" not in text:
        # Most lines (every SAMPLE, every number) have no string value: the fast path.
        return text.split()
    tokens: list[str] = []
    position = 0
    length = len(text)
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        if text[position] == "{":
            end = text.find("}", position)
            end = length if end < 0 else end + 1
        else:
            end = position
            while end < length and not text[end].isspace():
                end += 1
        tokens.append(text[position:end])
        position = end
    return tokens


def unbrace(token: str) -> str:
    """Strip the braces and padding of a string value; plain tokens are returned trimmed."""
    if token.startswith("{"):
        token = token[1:-1] if token.endswith("}") else token[1:]
    return token.strip()


def parse_message(text: str) -> Message:
    """Parse the text between ``<`` and ``>`` (either may still be present)."""
    tokens = tokenize(text.strip().removeprefix("<").removesuffix(">"))
    if not tokens:
        return Unknown(text)
    verb = tokens[0].upper()
    if verb == "REP":
        return _parse_rep(text, tokens[1:])
    if verb == "SAMPLE" and len(tokens) >= 3 and tokens[1].isdigit() and tokens[2].upper() == "ALL":
        return Sample(int(tokens[1]), tuple(tokens[3:]))
    return Unknown(text)


def _parse_rep(text: str, tokens: list[str]) -> Message:
    if len(tokens) == 1 and tokens[0].upper() == "ERR":
        return RepError()
    channel: int | None = None
    if tokens and tokens[0].isdigit():
        channel = int(tokens[0])
        tokens = tokens[1:]
    if not tokens or not _is_key(tokens[0]):
        return Unknown(text)
    key = tokens[0].upper()
    rest = tokens[1:]
    index: int | None = None
    # A second index (antenna, slot) sits between key and value: "RSSI 1 083".
    if len(rest) == 2 and rest[0].isdigit() and len(rest[0]) <= 2:
        index = int(rest[0])
        rest = rest[1:]
    return Rep(channel, key, index, " ".join(unbrace(token) for token in rest))


def _is_key(token: str) -> bool:
    return token[0].isalpha() and all(char.isalnum() or char == "_" for char in token)


# --- value decoders: raw REP/SAMPLE text -> Python value, sentinels -> None ---------------


def number(value: str, *, unknown: frozenset[int] = frozenset({255})) -> int | None:
    """A fixed-width decimal; None if not a number or one of the ``unknown`` sentinels."""
    value = value.strip()
    if not value.isdigit():
        return None
    result = int(value)
    return None if result in unknown else result


def offset_number(value: str, offset: int) -> int | None:
    """A 3-digit level with a fixed offset (dBm = value - 128 ...); 255 means unknown."""
    raw = number(value)
    return None if raw is None else raw - offset


def runtime_minutes(value: str) -> int | None:
    """Battery runtime in minutes; the 65533-65535 status codes mean no usable figure."""
    raw = number(value, unknown=frozenset())
    return None if raw is None or raw > _MAX_RUNTIME_MINUTES else raw


def count(value: str) -> int | None:
    """A 5-digit count (e.g. battery cycles); 65535 means unknown."""
    return number(value, unknown=frozenset({65535}))


def temperature_c(value: str) -> int | None:
    """Battery temperature, sent as degrees + 40 (any padding); 255 means unknown."""
    return offset_number(value, 40)


def word(value: str) -> str | None:
    """An enumerated word such as a model or battery type; UNKN/UNKNOWN/blank mean unknown."""
    value = value.strip()
    return None if value.upper() in _UNKNOWN_WORDS else value


def text(value: str) -> str | None:
    """A user string (name); an all-blank value means none."""
    return value.strip() or None


def on_off(value: str) -> bool | None:
    """``ON``/``OFF``; anything else (UNKN) is unknown."""
    return {"ON": True, "OFF": False}.get(value.strip().upper())


def frequency_mhz(value: str) -> float | None:
    """A 6- or 7-digit kHz frequency as MHz; zero means no frequency."""
    raw = number(value, unknown=frozenset({0}))
    return None if raw is None else raw / 1000


def group_channel(value: str) -> str | None:
    """``gg,cc`` with or without braces; ``--,--`` (no matching group/channel) is None."""
    value = unbrace(value)
    return None if not value or set(value) <= {"-", ","} else value


def mac_address(value: str) -> str | None:
    """Normalise a MAC (any case, ``:``/``-``/no separators) to lower-case colon form."""
    value = value.strip()
    if not _MAC.match(value):
        return None
    digits = value.replace(":", "").replace("-", "").lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def antennas(value: str, *, active_marker: str | None = None) -> str | None:
    """Letters of the active antennas, e.g. "A", "B", "AB"; None when none is active.

    ULX-D, QLX-D and SLX-D+ write an active antenna's own letter at its position (``AX``,
    ``XB``, ``AB``); Axient writes ``active_marker`` (``B``, blue) there instead.
    """
    letters = "ABCD"
    result = "".join(
        letter
        for letter, flag in zip(letters, value.strip().upper(), strict=False)
        if flag == (active_marker or letter)
    )
    return result or None


# --- charger decoders (shure-chargers sheet §3) -------------------------------------------


def charger_percent(value: str) -> int | None:
    """A 3-digit percentage (charge, health); 254 error, 255 unknown and beyond 100: None."""
    raw = number(value, unknown=frozenset())
    return raw if raw is not None and raw <= 100 else None


def charger_bars(value: str) -> int | None:
    """Charge bars 0-5; 254 error, 255 unknown: None."""
    raw = number(value, unknown=frozenset())
    return raw if raw is not None and raw <= 5 else None


def charger_count(value: str) -> int | None:
    """A 5-digit count or capacity (cycles, mAh); 65534 error, 65535 unknown: None."""
    raw = number(value, unknown=frozenset())
    return raw if raw is not None and raw <= _CHARGER_COUNT_MAX else None


def charger_temperature(value: str) -> int | None:
    """A charger temperature (C or F), sent as degrees + 40; 254 error, 255 unknown: None."""
    raw = number(value, unknown=frozenset())
    if raw is None or raw > _CHARGER_BYTE_MAX:
        return None
    return raw - _CHARGER_TEMPERATURE_OFFSET


def time_to_full(value: str) -> int | BatteryState | None:
    """Minutes to the charge target, or the state a code above 65528 stands for.

    65529 target reached (``FULL``), 65530-65532 hot, warm, cold, 65533 calculating, 65534
    error; 65535 (unknown, no battery) and anything unreadable are None. Never a number
    for a code.
    """
    raw = number(value, unknown=frozenset())
    if raw is None:
        return None
    if raw <= _MAX_TIME_TO_FULL_MINUTES:
        return raw
    return _TIME_TO_FULL_CODES.get(raw)


def battery_state(value: str) -> BatteryState | None:
    """A BATT_STATE word; ``EMPTY`` for ``NO_BATT``, ``UNKNOWN`` for a word not known.

    None only for a blank value.
    """
    word_ = value.strip().upper()
    if not word_:
        return None
    return _BATTERY_STATES.get(word_, BatteryState.UNKNOWN)


def battery_error(value: str) -> BatteryError | None:
    """A BATT_ERROR code: ``NONE`` for 000; None for 254/255 (no battery / no data).

    255 is sent by some firmware (1.4.7.0) with a battery present, so it never says
    whether the bay is occupied; a code the sheet does not list is ``OTHER``.
    """
    raw = number(value, unknown=frozenset({254, 255}))
    if raw is None:
        return None
    return _BATTERY_ERRORS.get(raw, BatteryError.OTHER)


def yes_no(value: str) -> bool | None:
    """``YES``/``NO``; anything else is unknown."""
    return {"YES": True, "NO": False}.get(value.strip().upper())


def module_type(value: str) -> tuple[bool | None, str | None]:
    """BATT_MODULE_TYPE as (present, kind): 000 no module, 255 invalid (unknown)."""
    raw = number(value)
    if raw is None:
        return None, None
    if raw == _NO_MODULE:
        return False, None
    return True, _MODULE_TYPES.get(raw)
