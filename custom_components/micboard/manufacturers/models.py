"""Vendor-neutral models: what every manufacturer backend reports, frozen and value-equal.

An unchanged poll produces an equal ``Snapshot``, so "nothing changed" is recognisable
without comparing fields by hand. Protocol sentinels never reach these models: a value
that the device reports as unknown is ``None``; one that stands for a condition ("fully
charged", "error") is ``None`` plus that condition in a state field.

Two kinds of device sit at a backend's endpoints: wireless receivers (``Receiver``, with
channels and transmitters) and battery chargers (``Charger``, with bays and batteries).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import DeviceError
from .limits import GainRange, NameRule


class Capability(StrEnum):
    """What a receiver's channels (or a charger) can report or be told; set per model.

    Consumers decide which values to show and which controls to offer from capabilities
    only, never from family codes.
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
    # Controls: what the device can be told (``Backend.identify`` and the setters).
    # The receiver or charger shows where it is (Shure FLASH, Sennheiser identification).
    IDENTIFY = "identify"
    # One channel of the receiver shows where it is.
    CHANNEL_IDENTIFY = "channel_identify"
    # A channel can be renamed, within ``Receiver.name_rule``.
    CHANNEL_NAME = "channel_name"
    # The receiver's audio output of a channel can be muted (not the transmitter).
    RX_MUTE = "rx_mute"
    # A channel's audio gain can be set, within ``Receiver.gain_range``.
    AUDIO_GAIN = "audio_gain"


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
class BaseDevice:
    """What every device at an endpoint has: where it is, whether it answers, who it is.

    ``api_device_id`` is stable across renames and restarts (the MAC where the device tells
    it, else ``host:port``).
    """

    manufacturer: str
    api_device_id: str
    host: str
    port: int
    online: bool = False
    # True once the device has told who it is (model, channels or bays); until then nothing
    # but its address is known.
    identified: bool = False
    model: str | None = None
    # The library's own name for the protocol dialect (diagnostics only; never a switch
    # for consumers: use ``capabilities``).
    family: str | None = None
    firmware: str | None = None
    name: str | None = None
    mac_address: str | None = None
    # What the device can report and be told.
    capabilities: frozenset[Capability] = frozenset()
    # Why the device is not usable, when it is not (unreachable, unsupported, ...).
    error: DeviceError | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Receiver(BaseDevice):
    """A receiver as last seen."""

    rf_band: str | None = None
    # What a channel takes as a name and as audio gain (with CHANNEL_NAME / AUDIO_GAIN).
    name_rule: NameRule | None = None
    gain_range: GainRange | None = None
    channels: tuple[Channel, ...] = ()

    def channel(self, index: int) -> Channel | None:
        """Return the channel with this 1-based index, if the receiver has it."""
        for channel in self.channels:
            if channel.index == index:
                return channel
        return None


class BatteryState(StrEnum):
    """What a charger says a battery in one of its bays is doing.

    One vocabulary for every manufacturer; the device's own word is kept in
    ``Battery.raw_state``. ``EMPTY`` is only ever a bay's state (``Bay.state``): a bay
    without a battery has no ``Battery``.
    """

    # Charging normally; ``time_to_full_minutes`` counts down.
    CHARGING = "charging"
    # Charge target reached (also "full but warm").
    FULL = "full"
    # Charging slowed or suspended because the pack is warm, hot or cold.
    WARM = "warm"
    HOT = "hot"
    COLD = "cold"
    # Recovering a deeply discharged pack before charging it.
    PRECHARGE = "precharge"
    # Storage mode: the pack holds its storage charge (Shure ``READY_TO_STORE``).
    STORAGE = "storage"
    # The charger is still working out the pack's state or time to full.
    CALCULATING = "calculating"
    # Storage mode: the pack is drained towards its storage charge.
    DISCHARGING = "discharging"
    # The bay (or the docked device) is being updated (Sennheiser ``UPDATE`` / ``DFU_MODE``).
    UPDATING = "updating"
    # The pack or the bay is faulted; ``Battery.error`` says why where the charger does.
    ERROR = "error"
    # A pack is present but its state word is not one the library knows.
    UNKNOWN = "unknown"
    # No battery in the bay.
    EMPTY = "empty"


# States in which a pack is on its way to full (slowed down or not).
CHARGING_STATES = frozenset(
    {
        BatteryState.CHARGING,
        BatteryState.PRECHARGE,
        BatteryState.WARM,
        BatteryState.HOT,
        BatteryState.COLD,
    }
)


class BatteryError(StrEnum):
    """Why a charger reports a battery as faulted (``Battery.error``)."""

    # The charger reports a battery and no error.
    NONE = "none"
    UNKNOWN_MODULE = "unknown_module"
    UNRECOGNIZED_BATTERY = "unrecognized_battery"
    DEEP_DISCHARGE_RECOVERY_FAILED = "deep_discharge_recovery_failed"
    CHARGE_FAILED = "charge_failed"
    DISCHARGE_FAILED = "discharge_failed"
    CHECK_BATTERY = "check_battery"
    CHECK_CHARGER = "check_charger"
    COMMUNICATION_FAILURE = "communication_failure"
    OVERCURRENT = "overcurrent"
    TEMPERATURE_OUT_OF_RANGE = "temperature_out_of_range"
    # An error code or word the library does not know.
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Battery:
    """A battery (or a docked transmitter's battery) in a charger bay.

    Every number is None when the charger reports it as unknown or as an error, and
    ``time_to_full_minutes`` is None whenever the pack is not counting down (full, in
    storage, faulted): what the pack is doing is ``state``, never a code number.
    """

    state: BatteryState = BatteryState.UNKNOWN
    charge_percent: int | None = None
    time_to_full_minutes: int | None = None
    health_percent: int | None = None
    cycle_count: int | None = None
    temperature_c: int | None = None
    # Charge in bars (0-5) where the charger reports them (Shure).
    bars: int | None = None
    # Design capacity, present full-charge capacity and remaining charge (mAh).
    capacity_mah: int | None = None
    full_charge_capacity_mah: int | None = None
    remaining_capacity_mah: int | None = None
    # None: the charger says nothing about errors; NONE: it reports none.
    error: BatteryError | None = None
    # What sits in the bay, where the charger says (Sennheiser: "BA70", "EW-DX SKM").
    device_type: str | None = None
    serial: str | None = None
    firmware: str | None = None
    # The charger's own state word(s), e.g. "WARM_FULL" (diagnostics; use ``state``).
    raw_state: str | None = None

    @property
    def full(self) -> bool:
        """True once the charge target is reached."""
        return self.state is BatteryState.FULL

    @property
    def charging(self) -> bool:
        """True while the pack is on its way to full (``CHARGING_STATES``)."""
        return self.state in CHARGING_STATES

    @property
    def faulted(self) -> bool:
        """True while the charger reports the pack or bay as faulted."""
        return self.state is BatteryState.ERROR


@dataclass(frozen=True, slots=True, kw_only=True)
class Bay:
    """One charger bay, 1-based and numbered across linked units (bays 1-8 behind one IP)."""

    index: int
    # The linked unit or insert module holding the bay (1-based), where the model has them.
    module: int | None = None
    battery: Battery | None = None

    @property
    def occupied(self) -> bool:
        """True while a battery is in the bay."""
        return self.battery is not None

    @property
    def state(self) -> BatteryState:
        """The battery's state, or ``EMPTY``."""
        return BatteryState.EMPTY if self.battery is None else self.battery.state


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerModule:
    """A linked unit (SBC220/240) or an insert module (SBRC) as the charger reports it."""

    index: int
    # True: fitted; False: the charger reports no module there; None: unknown.
    present: bool | None = None
    # What it is, where the charger says ("primary", "secondary", "SBM910", ...).
    kind: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Charger(BaseDevice):
    """A networked battery charger as last seen (``capabilities``: ``Capability.IDENTIFY``)."""

    # Storage mode: packs are charged or drained to their storage charge and held there.
    storage_mode: bool | None = None
    bays: tuple[Bay, ...] = ()
    modules: tuple[ChargerModule, ...] = ()

    def bay(self, index: int) -> Bay | None:
        """Return the bay with this 1-based index, if the charger has it."""
        for bay in self.bays:
            if bay.index == index:
                return bay
        return None

    @property
    def full_count(self) -> int:
        """Batteries at their charge target."""
        return sum(1 for bay in self.bays if bay.battery is not None and bay.battery.full)

    @property
    def charging_count(self) -> int:
        """Batteries on their way to full."""
        return sum(1 for bay in self.bays if bay.battery is not None and bay.battery.charging)


type Device = Receiver | Charger
"""What sits at one endpoint of a backend."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncResult:
    """Statistics of one full poll (``refresh``) of every device of a manufacturer."""

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
    """Every device of one manufacturer at one moment, keyed by api device id.

    Treat ``receivers`` and ``chargers`` as read-only: a backend publishes a new Snapshot
    for every change, so equal snapshots mean nothing changed. An endpoint not identified
    yet is a placeholder ``Receiver`` (``identified=False``); once it turns out to be a
    charger it leaves ``receivers`` and appears in ``chargers``.
    """

    manufacturer: str
    receivers: Mapping[str, Receiver] = field(default_factory=dict)
    chargers: Mapping[str, Charger] = field(default_factory=dict)
    # Not part of equality: a poll that found everything as it was is "unchanged".
    last_sync: SyncResult | None = field(default=None, compare=False)
