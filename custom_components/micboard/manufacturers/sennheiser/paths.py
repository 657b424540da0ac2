"""The SSC v1 addresses Micboard reads and subscribes to on EW-DX / EW-D receivers.

Channel ``N`` lives in three subtrees: ``rxN/...`` (receiver channel), ``mates/txN/...``
(linked transmitter; every leaf answers 424 while none is linked) and ``m/rxN/...``
(meters, which only arrive through a subscription).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .codec import Path

# EM 2 (and EM 2 Dante) have rx1..rx2, EM 4 Dante rx1..rx4.
MAX_CHANNELS = 4

PRODUCT: Path = ("device", "identity", "product")
SERIAL: Path = ("device", "identity", "serial")
VERSION: Path = ("device", "identity", "version")
VENDOR: Path = ("device", "identity", "vendor")
DEVICE_NAME: Path = ("device", "name")
MACS: Path = ("device", "network", "ether", "macs")
FREQUENCY_CODE: Path = ("device", "frequency_code")
DEVICE_PATHS: tuple[Path, ...] = (
    PRODUCT,
    SERIAL,
    VERSION,
    VENDOR,
    DEVICE_NAME,
    MACS,
    FREQUENCY_CODE,
)

# Leaves below rxN/, mates/txN/ and m/rxN/ (relative paths).
RX_LEAVES: tuple[Path, ...] = (("name",), ("frequency",), ("mute",), ("gain",), ("warnings",))
TX_LEAVES: tuple[Path, ...] = (
    ("battery", "gauge"),
    ("battery", "lifetime"),
    ("battery", "type"),
    ("type",),
    ("name",),
    ("mute",),
    ("warnings",),
)
METER_LEAVES: tuple[Path, ...] = (("rssi",), ("rsqi",), ("divi",), ("af",))
# A 424 on one of these means the transmitter itself is gone; on another leaf (e.g. the
# lifetime of a pack that is still calibrating) only that value is unknown.
TX_IDENTITY_LEAVES: frozenset[Path] = frozenset({("type",), ("name",), ("battery", "gauge")})


class Area(StrEnum):
    """Which subtree of a channel a leaf belongs to."""

    RX = "rx"
    TX = "tx"
    METER = "m"


@dataclass(frozen=True, slots=True)
class ChannelLeaf:
    """A path split into its channel, subtree and the leaf below it."""

    channel: int
    area: Area
    leaf: Path


def channel_path(channel: int, area: Area, leaf: Path) -> Path:
    """The full address of a channel leaf."""
    match area:
        case Area.RX:
            return (f"rx{channel}", *leaf)
        case Area.TX:
            return ("mates", f"tx{channel}", *leaf)
        case Area.METER:
            return ("m", f"rx{channel}", *leaf)


def _index(part: str, prefix: str) -> int | None:
    digits = part.removeprefix(prefix)
    if part == digits or not digits.isdigit():
        return None
    index = int(digits)
    return index if 1 <= index <= MAX_CHANNELS else None


def split_channel_path(path: Path) -> ChannelLeaf | None:
    """Tell which channel leaf a path addresses; None for device or unknown paths."""
    if len(path) >= 2 and (index := _index(path[0], "rx")) is not None:
        return ChannelLeaf(index, Area.RX, path[1:])
    if len(path) >= 3 and path[0] == "mates" and (index := _index(path[1], "tx")) is not None:
        return ChannelLeaf(index, Area.TX, path[2:])
    if len(path) >= 3 and path[0] == "m" and (index := _index(path[1], "rx")) is not None:
        return ChannelLeaf(index, Area.METER, path[2:])
    return None


def channel_leaves(channel: int, area: Area) -> tuple[Path, ...]:
    """Every address Micboard wants of one subtree of a channel."""
    leaves = {Area.RX: RX_LEAVES, Area.TX: TX_LEAVES, Area.METER: METER_LEAVES}[area]
    return tuple(channel_path(channel, area, leaf) for leaf in leaves)
