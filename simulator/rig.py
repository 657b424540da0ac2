"""The neutral world every front-end serves: devices, channels, transmitters, faults, a log.

Nothing here knows a wire format. A front-end (``shure_tcp``, ``sennheiser_ssc``) owns one
``Device`` and writes it in its protocol; the same rig can so be served by any of them, and
a test states "the transmitter went off" once, whatever the manufacturer.

A device is a receiver (channels, transmitters) or a charger (bays holding packs that
charge over time: ``Pack``, ``ChargerBay``, ``PackState``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
import math
import time

# A full pack runs a transmitter for about 8 hours (Shure Li-ion; close enough for a BA 70).
FULL_RUNTIME_MINUTES = 480
BARS = 5

SHURE = "shure"
SENNHEISER = "sennheiser"
# Front-end (wire protocol) names.
SHURE_TCP = "shure_tcp"
SENNHEISER_SSC = "sennheiser_ssc"
# Device kinds.
RECEIVER = "receiver"
CHARGER = "charger"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model the simulator can play, and the front-end that speaks for it."""

    model: str
    family: str
    channels: int
    manufacturer: str = SHURE
    protocol: str = SHURE_TCP
    dante: bool = False
    kind: str = RECEIVER
    # Chargers: bays of one unit, and how many units may be linked behind one address.
    bays: int = 0
    max_units: int = 1
    # Chargers: bays per linked unit or insert module (None: no modules).
    bays_per_module: int | None = None

    @property
    def is_charger(self) -> bool:
        """True for battery chargers (bays, no channels)."""
        return self.kind == CHARGER


MODELS: dict[str, ModelInfo] = {
    info.model: info
    for info in (
        ModelInfo("ULXD4", "ulxd", 1),
        ModelInfo("ULXD4D", "ulxd", 2),
        ModelInfo("ULXD4Q", "ulxd", 4),
        ModelInfo("QLXD4", "qlxd", 1),
        ModelInfo("SLXD4", "slxd", 1),
        ModelInfo("SLXD4D", "slxd", 2),
        ModelInfo("SLXD4+", "slxdplus", 1),
        ModelInfo("SLXD4D+", "slxdplus", 2),
        ModelInfo("SLXD4Q+", "slxdplus", 4),
        ModelInfo("AD4D", "axient", 2),
        ModelInfo("AD4Q", "axient", 4),
        # Model names carry no spaces so that CLI lines "HOST:PORT MODEL NAME" stay parseable.
        ModelInfo("EW-DX-EM2", "ewdx", 2, SENNHEISER, SENNHEISER_SSC),
        ModelInfo("EW-DX-EM2-DANTE", "ewdx", 2, SENNHEISER, SENNHEISER_SSC, dante=True),
        # There is no non-Dante EM 4 (sheet part 2 §5).
        ModelInfo("EW-DX-EM4-DANTE", "ewdx", 4, SENNHEISER, SENNHEISER_SSC, dante=True),
        # Chargers (shure-chargers sheet §4, sennheiser sheet part 2 §8).
        ModelInfo("SBC220", "sbc", 0, kind=CHARGER, bays=2, max_units=4, bays_per_module=2),
        ModelInfo("SBC240", "sbc", 0, kind=CHARGER, bays=2, max_units=4, bays_per_module=2),
        ModelInfo("SBC840", "sbc", 0, kind=CHARGER, bays=8),
        ModelInfo("SBC840M", "sbc", 0, kind=CHARGER, bays=8),
        ModelInfo("SBRC", "sbc", 0, kind=CHARGER, bays=8, bays_per_module=2),
        ModelInfo("CHG70N", "chg70n", 0, SENNHEISER, SENNHEISER_SSC, kind=CHARGER, bays=2),
    )
}
# Other spellings accepted by find_model (after dropping spaces, hyphens and case).
_ALIASES = {"EWDXEM4": "EW-DX-EM4-DANTE", "EWDXEM2D": "EW-DX-EM2-DANTE"}


def _squash(name: str) -> str:
    return "".join(ch for ch in name.upper() if ch not in " -_")


_BY_SQUASHED = {_squash(name): info for name, info in MODELS.items()} | {
    alias: MODELS[name] for alias, name in _ALIASES.items()
}


def find_model(name: str) -> ModelInfo:
    """The model called ``name`` ("ULXD4Q", "ew-dx em 4", "EW-DX EM 4 Dante" ...)."""
    info = _BY_SQUASHED.get(_squash(name))
    if info is None:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    return info


# A pack charges from empty to full in this many minutes (SB900: about three hours), at a
# constant rate: the time to full counts down by one a minute, as on the real chargers.
FULL_CHARGE_MINUTES = 180
# Storage mode charges or drains a pack to this and holds it (Shure: 3.8 V, about 40 %).
STORAGE_PERCENT = 40
# Pack temperatures (C) at which a charger slows or suspends charging.
WARM_C = 40
HOT_C = 45
COLD_C = 5
# What each charger family holds by default, and the default firmware.
DEFAULT_PACK = {"sbc": "SB910", "chg70n": "BA70"}
CHARGER_FIRMWARE = {"sbc": "1.4.53.0", "chg70n": "1.0.4"}


class PackState(StrEnum):
    """What a charger would say a pack is doing (each front-end writes its own words)."""

    CALCULATING = "calculating"
    CHARGING = "charging"
    WARM = "warm"
    HOT = "hot"
    COLD = "cold"
    FULL = "full"
    # Storage mode: draining towards, or holding, the storage charge.
    DISCHARGING = "discharging"
    STORED = "stored"
    FAULT = "fault"


@dataclass(slots=True)
class Pack:
    """A battery in a charger bay; it charges (or, in storage mode, drains) over time."""

    charge: float = 50.0
    health: int = 94
    cycles: int = 41
    temp_c: int = 25
    capacity_mah: int = 2200
    model: str = "SB910"
    serial: str = ""
    version: str = "1.0.0"
    # BATT_ERROR-style code (1-7) while the pack is faulted, else None.
    fault: int | None = None
    # Just put in: the charger works out its state during the first minute.
    calculating: bool = True

    @property
    def percent(self) -> int:
        """Whole percent; 100 only once full."""
        return min(100, math.floor(self.charge + 1e-9))

    def state(self, storage_mode: bool) -> PackState:
        """What the pack is doing now."""
        if self.fault is not None:
            return PackState.FAULT
        if self.calculating:
            return PackState.CALCULATING
        if storage_mode:
            if abs(self.charge - STORAGE_PERCENT) < 1e-9:
                return PackState.STORED
            if self.charge > STORAGE_PERCENT:
                return PackState.DISCHARGING
        elif self.charge >= 100:
            return PackState.FULL
        if self.temp_c >= HOT_C:
            return PackState.HOT
        if self.temp_c >= WARM_C:
            return PackState.WARM
        if self.temp_c <= COLD_C:
            return PackState.COLD
        return PackState.CHARGING

    def minutes_to_target(self, storage_mode: bool) -> int:
        """Minutes to full (storage mode: to the storage charge) at the normal rate."""
        target = STORAGE_PERCENT if storage_mode else 100
        return math.ceil(abs(target - self.charge) * FULL_CHARGE_MINUTES / 100 - 1e-9)

    def charge_for(self, minutes: float, storage_mode: bool) -> None:
        """``minutes`` on the charger: calculating ends, then the charge moves to its target.

        Warm packs charge at half the rate, hot and cold ones not at all; a faulted pack
        stays as it is.
        """
        if self.fault is not None:
            return
        if self.calculating:
            self.calculating = False
            return
        state = self.state(storage_mode)
        rate = {PackState.WARM: 0.5, PackState.HOT: 0.0, PackState.COLD: 0.0}.get(state, 1.0)
        step = minutes * rate * 100 / FULL_CHARGE_MINUTES
        target = STORAGE_PERCENT if storage_mode else 100.0
        if self.charge < target:
            self.charge = min(target, self.charge + step)
            if self.charge >= 100:
                self.cycles += 1
        elif self.charge > target:
            self.charge = max(target, self.charge - step)


@dataclass(slots=True)
class ChargerBay:
    """One charger bay, 1-based across linked units; ``pack`` None while empty."""

    index: int
    pack: Pack | None = None


DEFAULT_TRANSMITTER = {
    "ulxd": "ULXD2",
    "qlxd": "QLXD2",
    "slxd": "SLXD2",
    "slxdplus": "SLXD2+",
    "axient": "AD2",
    "ewdx": "SKM",
}
# What each manufacturer calls its rechargeable pack.
DEFAULT_BATTERY_TYPE = {SHURE: "LION", SENNHEISER: "Battery"}
DEFAULT_FIRMWARE = {
    "ulxd": "2.7.6.0",
    "qlxd": "2.4.6.0",
    "slxd": "2.0.15.2",
    "slxdplus": "2.0.38.9",
    "axient": "1.1.43.0",
    "ewdx": "3.0.3",
}
DEFAULT_BAND = {
    "ulxd": "G50",
    "qlxd": "G50",
    "slxd": "G55",
    "slxdplus": "G58",
    "axient": "G57",
    "ewdx": "Q1-9",
}
# First frequency (kHz) of each family's default band; channels are spaced 400 kHz apart.
BAND_START_KHZ = {
    "ulxd": 470125,
    "qlxd": 470125,
    "slxd": 470100,
    "slxdplus": 470100,
    "axient": 470200,
    "ewdx": 470200,
}
# Metering shown for a channel whose transmitter is off.
NOISE_FLOOR_DBM = -110
SILENCE_DBFS = -120


@dataclass(slots=True)
class Transmitter:
    """A linked transmitter; None values are unknown (each protocol has its way to say so)."""

    model: str
    name: str = ""
    battery_bars: int | None = BARS
    battery_percent: int | None = 100
    battery_minutes: int | None = FULL_RUNTIME_MINUTES
    battery_type: str | None = "LION"
    battery_health: int | None = 100
    battery_cycles: int | None = 12
    battery_temp_c: int | None = 24
    offset_db: int = 0
    rf_power: str = "NORMAL"
    power_lock: bool = False
    muted: bool = False
    version: str = "1.2.3"
    # Remaining charge 0-100 %, the source of the values above while the battery drains.
    charge: float = 100.0

    def drain(self, minutes: float) -> None:
        """Run the battery down by ``minutes`` of use."""
        self.charge = max(0.0, self.charge - minutes * 100 / FULL_RUNTIME_MINUTES)
        self.battery_bars = min(BARS, math.ceil(self.charge / (100 / BARS)))
        if self.battery_percent is not None:
            self.battery_percent = round(self.charge)
        if self.battery_minutes is not None:
            self.battery_minutes = round(self.charge * FULL_RUNTIME_MINUTES / 100)

    def set_battery(self, bars: int | None, percent: int | None, minutes: int | None) -> None:
        """Set battery values; what is not given follows from the others, as on a real pack."""
        if percent is not None:
            self.charge = float(percent)
        elif bars is not None:
            # The middle of that bar's range.
            self.charge = max(0.0, bars * 20.0 - 10.0)
        elif minutes is not None:
            self.charge = min(100.0, minutes * 100 / FULL_RUNTIME_MINUTES)
        else:
            return
        self.drain(0)
        if bars is not None:
            self.battery_bars = bars
        if percent is not None:
            self.battery_percent = percent
        if minutes is not None:
            self.battery_minutes = minutes


@dataclass(slots=True)
class Channel:
    """One receiver channel."""

    index: int
    name: str
    frequency_khz: int
    group_channel: str | None = None
    gain_db: int = 0
    muted: bool = False
    interference: bool = False
    encryption_error: bool = False
    transmitter: Transmitter | None = None
    # Levels the meter reports (before noise) while a transmitter is on.
    rf_dbm: float = -55.0
    audio_dbfs: float = -20.0
    # Antenna(s) receiving: "A", "B" or "AB".
    antenna: str = "A"
    # Link quality 0-100 % while a transmitter is on (Sennheiser RSQI).
    quality: int = 90
    identify: bool = False
    # Analogue output level in dB (Sennheiser audio1/outN/level).
    output_level_db: int = 0


@dataclass(slots=True)
class Faults:
    """Fault switches a front-end honours; each says how it plays them on its wire."""

    # Sockets stay open (or datagrams arrive) but nothing is answered or sent.
    silent: bool = False
    # The port is closed: TCP connections are refused, UDP datagrams meet ICMP unreachable.
    refuse: bool = False
    # Junk bytes (TCP) or junk datagrams (UDP) go out between real messages.
    garbage: bool = False
    # Stream protocols only: every message is cut into pieces of a few bytes, each written
    # on its own a moment after the previous one (a client must reassemble lines).
    split: bool = False
    # Datagram protocols only: chance (0-1) that an outgoing datagram is lost, sent twice, or
    # held back so that the next one overtakes it.
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    # Settings are locked: every write of a setting is refused (Shure REP ERR, SSC 423).
    # The simulator's own switch, for testing a device that refuses a change it could take.
    locked: bool = False


@dataclass(slots=True)
class Device:
    """One simulated receiver, whatever its manufacturer."""

    info: ModelInfo
    name: str
    firmware: str
    rf_band: str
    mac: str
    # Older ULX-D/QLX-D firmware does not answer MODEL.
    with_model: bool
    # What the device reports as its model, e.g. "AD4Q-A"; defaults to the model name.
    model_string: str
    channels: list[Channel] = field(default_factory=list)
    # The simulator's handle for the device (ctl addresses it by this or by its port).
    id: str = ""
    serial: str = ""
    location: str = ""
    faults: Faults = field(default_factory=Faults)
    # False between power_off() and power_on().
    powered: bool = True
    brightness: int = 3
    identify: bool = False
    # Chargers: bays (1-based, across linked units), linked units, storage mode, and how
    # many charging minutes pass per real minute (0: charging stands still).
    bays: list[ChargerBay] = field(default_factory=list)
    units: int = 1
    storage_mode: bool = False
    charge_speed: float = 1.0

    @property
    def manufacturer(self) -> str:
        """``shure`` or ``sennheiser``."""
        return self.info.manufacturer

    @property
    def model(self) -> str:
        """Model name, e.g. ULXD4Q."""
        return self.info.model

    @property
    def kind(self) -> str:
        """``receiver`` or ``charger``."""
        return self.info.kind

    def channel(self, index: int) -> Channel:
        """The channel with this 1-based index (KeyError if there is none)."""
        if not 1 <= index <= len(self.channels):
            raise KeyError(f"{self.info.model} has no channel {index}")
        return self.channels[index - 1]

    def bay(self, index: int) -> ChargerBay:
        """The bay with this 1-based index (KeyError if there is none)."""
        if not 1 <= index <= len(self.bays):
            raise KeyError(f"{self.info.model} has no bay {index}")
        return self.bays[index - 1]


@dataclass(frozen=True, slots=True)
class Transition:
    """One change the simulator caused, as an observer of the integration should see it.

    ``at`` is ``time.monotonic()``: on Linux that clock is system-wide, so another process on
    the same machine (Home Assistant in a soak test) can compare its own stamps with it.
    ``channel`` is None for device-level transitions.
    """

    at: float
    device: str
    port: int
    channel: int | None
    kind: str
    value: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (for ``ctl log``)."""
        return {
            "at": self.at,
            "device": self.device,
            "port": self.port,
            "channel": self.channel,
            "kind": self.kind,
            "value": self.value,
        }


# Transition kinds.
RX_OFF = "rx-off"
RX_ON = "rx-on"
TX_OFF = "tx-off"
TX_ON = "tx-on"
RENAME = "rename"
BATTERY = "battery"
FAULT = "fault"
# Charger transitions (channel = the bay).
BAY_INSERT = "bay-insert"
BAY_REMOVE = "bay-remove"
BAY_FAULT = "bay-fault"
BAY_CLEAR = "bay-clear"
BAY_TEMP = "bay-temp"
BAY_FULL = "bay-full"
STORAGE_MODE = "storage-mode"
CHARGE_SPEED = "charge-speed"


class TransitionLog:
    """Append-only record of transitions, shared by every device of a simulator."""

    def __init__(self) -> None:
        self._entries: list[Transition] = []

    def record(
        self, device: Device, port: int, channel: int | None, kind: str, value: str = ""
    ) -> Transition:
        """Append one transition stamped now."""
        entry = Transition(time.monotonic(), device.id, port, channel, kind, value)
        self._entries.append(entry)
        return entry

    def since(self, at: float = 0.0) -> list[Transition]:
        """Transitions stamped at or after ``at``, oldest first."""
        return [entry for entry in self._entries if entry.at >= at]

    def truncate(self, length: int) -> None:
        """Keep only the first ``length`` entries."""
        del self._entries[length:]

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def __iter__(self) -> Iterator[Transition]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


# Names the older modules used; kept so that callers written against them still work.
TransmitterState = Transmitter
ChannelState = Channel
ReceiverState = Device
