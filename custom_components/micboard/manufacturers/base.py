"""Vendor-neutral models and the backend protocol every manufacturer implements.

Nothing in this package imports Home Assistant: it is a small asyncio library of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class MicboardError(Exception):
    """Base class of every error raised by a manufacturer backend."""


class MicboardConnectionError(MicboardError):
    """A receiver could not be reached, or the connection was lost or timed out."""


class MicboardProtocolError(MicboardError):
    """A receiver sent something that cannot be understood."""


class UnsupportedDeviceError(MicboardProtocolError):
    """A device answered, but it is not a receiver family this backend supports."""


class SyncStatus(StrEnum):
    """Outcome of one full poll of every receiver of a manufacturer."""

    SUCCESS = "success"
    PARTIAL = "partial"
    ERROR = "error"


@dataclass(frozen=True, slots=True, kw_only=True)
class Transmitter:
    """The transmitter currently linked to a channel. Every value is None when unknown."""

    model: str | None = None
    name: str | None = None
    battery_bars: int | None = None
    battery_percent: int | None = None
    battery_runtime_minutes: int | None = None
    battery_type: str | None = None
    battery_health_percent: int | None = None
    battery_cycles: int | None = None
    battery_temperature_c: int | None = None
    tx_offset_db: int | None = None
    rf_power: str | None = None
    power_lock: bool | None = None
    mute: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """One receiver channel, its live metering and its linked transmitter (if any)."""

    index: int
    name: str | None = None
    frequency_mhz: float | None = None
    group_channel: str | None = None
    audio_gain_db: int | None = None
    audio_mute: bool | None = None
    rf_level_dbm: int | None = None
    audio_level_dbfs: int | None = None
    # True while the latest meter reading shows audio at or near clipping.
    audio_peak: bool = False
    # Active antenna(s) as letters, e.g. "A", "B", "AB"; None when no antenna is active.
    antenna: str | None = None
    # Axient Digital channel quality 0-5.
    quality: int | None = None
    interference: bool | None = None
    encryption_error: bool | None = None
    transmitter: Transmitter | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Receiver:
    """A receiver as last seen. ``api_device_id`` is stable across renames and restarts."""

    manufacturer: str
    api_device_id: str
    host: str
    port: int
    online: bool = False
    model: str | None = None
    family: str | None = None
    firmware: str | None = None
    name: str | None = None
    rf_band: str | None = None
    mac_address: str | None = None
    channels: tuple[Channel, ...] = ()
    # Why the receiver is not usable, when it is not (unreachable, unsupported, ...).
    error: str | None = None

    def channel(self, index: int) -> Channel | None:
        """Return the channel with this 1-based index, if the receiver has it."""
        for channel in self.channels:
            if channel.index == index:
                return channel
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncResult:
    """Statistics of one full poll (``refresh``) of every receiver of a manufacturer."""

    device_count: int
    online_count: int
    error_count: int
    duration_seconds: float
    error_message: str | None = None

    @property
    def status(self) -> SyncStatus:
        """Success when every receiver answered, error when none did, else partial."""
        if self.error_count == 0:
            return SyncStatus.SUCCESS
        if self.online_count == 0:
            return SyncStatus.ERROR
        return SyncStatus.PARTIAL


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Every receiver of one manufacturer at one moment, keyed by api device id.

    Treat ``receivers`` as read-only: a backend publishes a new Snapshot for every change,
    so equal snapshots mean nothing changed.
    """

    manufacturer: str
    receivers: Mapping[str, Receiver] = field(default_factory=dict)
    # Not part of equality: a poll that found everything as it was is "unchanged".
    last_sync: SyncResult | None = field(default=None, compare=False)


type ChangeListener = Callable[[Snapshot, frozenset[str]], None]
"""Called with the new snapshot and the api device ids of the receivers that changed."""


class Backend(Protocol):
    """What the Home Assistant layer needs from a manufacturer backend."""

    @property
    def manufacturer(self) -> str:
        """Manufacturer code, e.g. ``"shure"``."""

    @property
    def snapshot(self) -> Snapshot:
        """The current state of every configured receiver."""

    async def start(self) -> None:
        """Open a connection to every receiver; returns once each has been tried once."""

    async def stop(self) -> None:
        """Close every connection (politely: metering is switched off first)."""

    async def refresh(self) -> SyncResult:
        """Re-read the full state of every receiver concurrently."""

    def add_listener(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` on every pushed change; returns a function that removes it."""

    async def add_receiver(self, host: str, port: int) -> Receiver:
        """Start watching one more receiver (found by discovery) without a restart."""

    @property
    def connection_stats(self) -> Mapping[str, Any]:
        """Per receiver (by api device id): connection state, reconnects, last error."""
