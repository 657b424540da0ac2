"""Device identifiers and unique ids: built and parsed here only (no Home Assistant imports).

Receiver ``<manufacturer>:<api id>``; channel ``<manufacturer>:<api id>/ch<index>``; the
manufacturer's service device ``<manufacturer>``. A charger is named like a receiver and a
bay like a channel, with ``/bay<index>``. Api ids may contain ":" (``host:port``),
so channels use a separator of their own. Entity unique ids are the device part followed by
``-<description key>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .const import DOMAIN

CHANNEL_SEPARATOR = "/ch"
BAY_SEPARATOR = "/bay"
_KEY_SEPARATOR = "-"

type ChannelKey = tuple[str, int]
"""(receiver api device id, channel index); channel 0 stands for the receiver itself."""

# The key of the manufacturer's service device (sync log, online counts).
SERVICE_KEY: ChannelKey = ("", 0)


@dataclass(frozen=True, slots=True)
class DeviceRef:
    """What a Micboard device identifier names."""

    manufacturer: str
    # "" for the service device.
    receiver_id: str = ""
    # 0 for a receiver (and for the service device); for a bay, the bay index.
    channel_index: int = 0
    # True for a bay of a charger.
    bay: bool = False

    @property
    def key(self) -> ChannelKey:
        """The coordinator's listener key of this device."""
        return (self.receiver_id, self.channel_index)

    @property
    def is_service(self) -> bool:
        """Whether this is the manufacturer's service device."""
        return not self.receiver_id

    @property
    def is_channel(self) -> bool:
        """Whether this is a channel (and the transmitter on it)."""
        return self.channel_index > 0 and not self.bay

    @property
    def is_bay(self) -> bool:
        """Whether this is a charger bay (and the battery in it)."""
        return self.channel_index > 0 and self.bay


def device_identifier(manufacturer: str, key: ChannelKey, *, bay: bool = False) -> tuple[str, str]:
    """Device-registry identifier of the receiver, channel or service device at ``key``.

    With ``bay``, ``key`` is (charger api id, bay index): the charger (index 0) or a bay.
    """
    receiver_id, index = key
    if not receiver_id:
        return (DOMAIN, manufacturer)
    if index:
        separator = BAY_SEPARATOR if bay else CHANNEL_SEPARATOR
        return (DOMAIN, f"{manufacturer}:{receiver_id}{separator}{index}")
    return (DOMAIN, f"{manufacturer}:{receiver_id}")


def parse_identifier(identifier: tuple[str, str]) -> DeviceRef | None:
    """What a device identifier names; None when it is not a Micboard identifier."""
    domain, ident = identifier
    if domain != DOMAIN or not ident:
        return None
    manufacturer, sep, rest = ident.partition(":")
    if not sep:
        return DeviceRef(manufacturer)
    receiver_id, sep, index = rest.rpartition(CHANNEL_SEPARATOR)
    if sep and index.isdigit():
        return DeviceRef(manufacturer, receiver_id, int(index))
    charger_id, sep, index = rest.rpartition(BAY_SEPARATOR)
    if sep and index.isdigit():
        return DeviceRef(manufacturer, charger_id, int(index), bay=True)
    return DeviceRef(manufacturer, rest)


def unique_id(
    manufacturer: str, key: ChannelKey, description_key: str, *, bay: bool = False
) -> str:
    """Entity unique id of a description on the device at ``key`` (``bay``: a charger's)."""
    ident = device_identifier(manufacturer, key, bay=bay)[1]
    return f"{ident}{_KEY_SEPARATOR}{description_key}"


def description_key(entity_unique_id: str) -> str:
    """The description key an entity unique id ends in."""
    return entity_unique_id.rpartition(_KEY_SEPARATOR)[2]
