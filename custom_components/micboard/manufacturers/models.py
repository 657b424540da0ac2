"""Vendor-neutral models: what every manufacturer backend reports, frozen and value-equal.

An unchanged poll produces an equal ``Snapshot``, so "nothing changed" is recognisable
without comparing fields by hand. Protocol sentinels never reach these models: a value
that the device reports as unknown is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import DeviceError


class Capability(StrEnum):
    """What a receiver's channels can report or do; the library sets these per model.

    Consumers decide which values to show from capabilities only, never from family codes.
    """

    # Transmitter values beyond presence and battery.
    TX_MUTE = "tx_mute"
    TX_OFFSET = "tx_offset"
    POWER_LOCK = "power_lock"
    # Channel meters.
    RF_LEVEL = "rf_level"
    AUDIO_LEVEL = "audio_level"
    ANTENNA = "antenna"
    # Channel quality on a 0-5 scale (Shure Axient Digital).
    QUALITY = "quality"
    # RF signal quality in percent (Sennheiser RSQI).
    RF_QUALITY = "rf_quality"
    # The receiver serves a web page of its own at http://host.
    WEB_UI = "web_ui"


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
    # The transmitter itself warns that its battery is low (Sennheiser ``LowBattery``).
    battery_low: bool | None = None


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
    # Channel quality 0-5 (Capability.QUALITY).
    quality: int | None = None
    # RF signal quality 0-100 % (Capability.RF_QUALITY).
    rf_quality_percent: int | None = None
    interference: bool | None = None
    encryption_error: bool | None = None
    # The receiver warns of a weak or an overloading RF signal (Sennheiser ``LowSignal`` /
    # ``RfPeak``).
    low_rf_signal: bool | None = None
    rf_peak: bool | None = None
    transmitter: Transmitter | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Receiver:
    """A receiver as last seen. ``api_device_id`` is stable across renames and restarts."""

    manufacturer: str
    api_device_id: str
    host: str
    port: int
    online: bool = False
    # True once the receiver has told who it is (model, channels); until then nothing but
    # its address is known.
    identified: bool = False
    model: str | None = None
    # The library's own name for the protocol dialect (diagnostics only; never a switch
    # for consumers: use ``capabilities``).
    family: str | None = None
    firmware: str | None = None
    name: str | None = None
    rf_band: str | None = None
    mac_address: str | None = None
    capabilities: frozenset[Capability] = frozenset()
    channels: tuple[Channel, ...] = ()
    # Why the receiver is not usable, when it is not (unreachable, unsupported, ...).
    error: DeviceError | None = None

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
    # Why each failing receiver failed, by "host:port".
    errors: Mapping[str, DeviceError] = field(default_factory=dict)

    @property
    def status(self) -> SyncStatus:
        """Success when every receiver answered, error when none did, else partial."""
        if self.error_count == 0:
            return SyncStatus.SUCCESS
        if self.online_count == 0:
            return SyncStatus.ERROR
        return SyncStatus.PARTIAL

    @property
    def error_message(self) -> str | None:
        """Every failure as one line ("host:port: why; ..."), or None."""
        return "; ".join(f"{where}: {error}" for where, error in self.errors.items()) or None


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
