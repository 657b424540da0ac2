"""The SSC v1 address tree of an EW-DX receiver or a CHG 70N, as leaves over a rig ``Device``.

Paths, types and ranges follow the Sennheiser sheet (shared part and part 2 §5; the CHG 70N
part 2 §8). Each leaf reads the rig live, so the tree is built once per device; writes
validate first and only then change the rig, so a refused write leaves nothing half done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
import random

from ..rig import (
    NOISE_FLOOR_DBM,
    SILENCE_DBFS,
    Channel,
    ChargerBay,
    Device,
    PackState,
    Transmitter,
)

type Json = bool | int | float | str | list[Json] | dict[str, Json] | None
type Path = tuple[str, ...]

VENDOR = "Sennheiser electronic GmbH & Co. KG"
# Ranges from the sheet (part 2 §5).
RSSI_MIN, RSSI_MAX = -107.0, 0.0
AF_MIN, AF_MAX = -138.5, 0.0
FREQUENCY_MIN_KHZ, FREQUENCY_MAX_KHZ, FREQUENCY_STEP_KHZ = 470200, 1999000, 25
GAIN_MIN, GAIN_MAX, GAIN_STEP = -3, 42, 3
OUT_LEVEL_MIN, OUT_LEVEL_MAX, OUT_LEVEL_STEP = -24, 18, 6
CHANNEL_NAME_MAX = 8
DEVICE_NAME_MAX = 18
LOCATION_MAX = 400
# Simulator thresholds for the derived warnings (the sheet names the warnings, not limits).
LOW_BATTERY_PERCENT = 10
LOW_SIGNAL_DBM = -90.0
RF_PEAK_DBM = -20.0
AF_PEAK_DBFS = -1.0
# Band code -> (first, last) kHz; Hz strings are written as "<start>:<step>:<end>".
BANDS = {
    "Q1-9": (470200, 550000),
    "R1-9": (520000, 607800),
    "S1-10": (606200, 693800),
    "U1/5": (823200, 831800),
    "Y1-3": (1785200, 1799800),
}


class SscError(Exception):
    """A leaf that cannot be answered: ``code`` and ``desc`` go into the osc/error tree."""

    def __init__(self, code: int, desc: str) -> None:
        super().__init__(f"{code} {desc}")
        self.code = code
        self.desc = desc

    def leaf(self) -> list[Json]:
        """The error as it sits at its path in an error tree."""
        return [self.code, {"desc": self.desc}]


# CHG 70N bay warnings for the rig's fault codes (Shure-style BATT_ERROR numbers).
CHG_FAULT_WARNINGS = {
    4: "BatteryNotChargeable",
    6: "OvercurrentDetected",
    7: "BatteryComError",
}

NOT_FOUND = (404, "address not found")
FAILED_DEPENDENCY = (424, "failed dependency")
NOT_ACCEPTABLE = (406, "not acceptable")
LOCKED = (423, "locked")
BAD_REQUEST = (400, "not understood")
TERMINATES = (310, "subscription terminates")


def error(kind: tuple[int, str]) -> SscError:
    """An SscError of one of the kinds above."""
    return SscError(*kind)


@dataclass(frozen=True, slots=True)
class Leaf:
    """One address: how to read it, how to write it (None: read-only), whether it meters."""

    read: Callable[[], Json]
    write: Callable[[Json], None] | None = None
    meter: bool = False


def ascii_name(value: Json, limit: int) -> str:
    """A name SSC can carry: ASCII 32-126, at most ``limit`` characters."""
    if not isinstance(value, str) or len(value) > limit:
        raise error(NOT_ACCEPTABLE)
    if any(not 32 <= ord(char) <= 126 for char in value):
        raise error(NOT_ACCEPTABLE)
    return value


def _boolean(value: Json) -> bool:
    if not isinstance(value, bool):
        raise error(NOT_ACCEPTABLE)
    return value


def _stepped(value: Json, low: int, high: int, step: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(NOT_ACCEPTABLE)
    if not low <= value <= high or (value - low) % step:
        raise error(NOT_ACCEPTABLE)
    return value


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _setter[T](convert: Callable[[Json], T], apply: Callable[[T], None]) -> Callable[[Json], None]:
    def write(value: Json) -> None:
        apply(convert(value))

    return write


def _constant(value: Json) -> Callable[[], Json]:
    return lambda: value


class Tree:
    """Every leaf of one device, by path, plus the containers above them."""

    def __init__(self, device: Device, *, rng: random.Random, noise: bool) -> None:
        self.device = device
        self._rng = rng
        self._noise = noise
        self.leaves: dict[Path, Leaf] = {}
        self._build()
        self.containers: set[Path] = {
            path[:depth] for path in self.leaves for depth in range(1, len(path))
        }

    def under(self, prefix: Path) -> Iterator[Path]:
        """Every leaf path at or below ``prefix``, in tree order."""
        size = len(prefix)
        return (path for path in self.leaves if path[:size] == prefix)

    def schema(self) -> Json:
        """The top level as ``osc/schema`` lists it: containers ``{}``, leaves ``null``."""
        top: dict[str, Json] = {}
        for path in self.leaves:
            top.setdefault(path[0], None if len(path) == 1 else {})
        return [top]

    # --- building ------------------------------------------------------------------------------

    def _add(
        self,
        path: str,
        read: Callable[[], Json],
        write: Callable[[Json], None] | None = None,
        *,
        meter: bool = False,
    ) -> None:
        self.leaves[tuple(path.split("/"))] = Leaf(read, write, meter)

    def _build(self) -> None:
        device = self.device
        if device.info.is_charger:
            self._build_charger()
            self._build_protocol()
            return
        self._build_device()
        for ch in device.channels:
            self._build_channel(ch)
        for ch in device.channels:
            self._build_meters(ch)
        for ch in device.channels:
            self._build_mate(ch)
        self._add("mates/active", self._active_mates)
        for ch in device.channels:
            self._build_output(ch)
        self._build_protocol()

    def _build_protocol(self) -> None:
        self._add("interface/version", lambda: "1.0")
        self._add("osc/version", lambda: "1.0")
        self._add("osc/ping", lambda: None)
        self._add("osc/schema", self.schema)
        self._add("osc/state/prettyprint", lambda: False)
        for key, value in (
            ("timetag", False),
            ("baseaddr", False),
            ("subscription", True),
            ("pattern", "*?"),
        ):
            self._add(f"osc/feature/{key}", _constant(value))

    def _build_device(self) -> None:
        device = self.device
        self._build_identity()
        self._add("device/frequency_code", lambda: device.rf_band)
        self._add("device/frequency_ranges", self._frequency_ranges)
        self._add("device/encryption", lambda: False)
        self._add("device/link_density_mode", lambda: False)
        self._add(
            "device/brightness",
            lambda: device.brightness,
            _setter(lambda v: _stepped(v, 1, 5, 1), lambda v: setattr(device, "brightness", v)),
        )
        self._add("device/lock", lambda: False)
        self._add(
            "device/identification/visual",
            lambda: device.identify,
            _setter(_boolean, lambda v: setattr(device, "identify", v)),
        )
        if device.info.channels == 4:
            # The booster input is an EM 4 feature (sheet part 2 §5).
            self._add("device/booster", lambda: False)
        self._build_network()
        if device.info.dante:
            # Dante leaves are arrays of two: primary and secondary interface.
            self._add("device/network/dante/ipv4/ipaddr", lambda: ["169.254.1.1", "169.254.2.1"])
            self._add("device/network/dante/ipv4/netmask", lambda: ["255.255.0.0"] * 2)
            self._add("device/network/dante/ipv4/auto", lambda: [True, True])

    def _build_identity(self) -> None:
        """``device/identity/*``, ``device/name`` and ``device/location`` (every SSC device)."""
        device = self.device
        self._add("device/identity/product", lambda: device.model_string)
        self._add("device/identity/serial", lambda: device.serial)
        self._add("device/identity/version", lambda: device.firmware)
        self._add("device/identity/vendor", lambda: VENDOR)
        self._add(
            "device/name",
            lambda: device.name,
            _setter(lambda v: ascii_name(v, DEVICE_NAME_MAX), lambda v: setattr(device, "name", v)),
        )
        self._add(
            "device/location",
            lambda: device.location,
            _setter(
                lambda v: ascii_name(v, LOCATION_MAX), lambda v: setattr(device, "location", v)
            ),
        )

    def _build_network(self) -> None:
        """``device/network/*`` without Dante (every SSC device)."""
        device = self.device
        self._add("device/network/ether/macs", lambda: [device.mac.upper()])
        self._add("device/network/ether/interfaces", lambda: ["LAN"])
        self._add("device/network/ipv4/ipaddr", lambda: "127.0.0.1")
        self._add("device/network/ipv4/netmask", lambda: "255.0.0.0")
        self._add("device/network/ipv4/gateway", lambda: "0.0.0.0")
        self._add("device/network/ipv4/auto", lambda: False)
        self._add("device/network/mdns", lambda: True)

    def _build_charger(self) -> None:
        """A CHG 70N (sheet part 2 §8): device leaves, and ``bays/*`` arrays, one per bay."""
        device = self.device
        self._build_identity()
        self._add(
            "device/identification/visual",
            lambda: device.identify,
            _setter(_boolean, lambda v: setattr(device, "identify", v)),
        )
        self._add("device/warnings", lambda: [])
        self._add(
            "device/storage_mode",
            lambda: device.storage_mode,
            _setter(_boolean, lambda v: setattr(device, "storage_mode", v)),
        )
        self._add("device/cascade", lambda: [])
        self._build_network()
        reads: dict[str, Callable[[ChargerBay], Json]] = {
            "state": self._bay_state,
            "warnings": self._bay_warnings,
            "device_type": lambda bay: "NONE" if bay.pack is None else bay.pack.model,
            # An empty bay's numbers read 0 (no sentinel is documented for the CHG 70N).
            "bat_timetofull": self._bay_time_to_full,
            "bat_health": lambda bay: 0 if bay.pack is None else bay.pack.health,
            "bat_gauge": lambda bay: 0 if bay.pack is None else bay.pack.percent,
            "bat_cycles": lambda bay: 0 if bay.pack is None else bay.pack.cycles,
            "serial": lambda bay: "" if bay.pack is None else bay.pack.serial,
            "version": lambda bay: "" if bay.pack is None else bay.pack.version,
            "identify": lambda bay: False,
            "sync_error": lambda bay: "",
        }
        for key, read in reads.items():
            self._add(f"bays/{key}", self._per_bay(read))

    def _per_bay(self, read: Callable[[ChargerBay], Json]) -> Callable[[], Json]:
        return lambda: [read(bay) for bay in self.device.bays]

    def _bay_state(self, bay: ChargerBay) -> Json:
        pack = bay.pack
        if pack is not None and pack.fault is not None:
            return "ERROR"
        return "NORMAL"

    def _bay_warnings(self, bay: ChargerBay) -> Json:
        pack = bay.pack
        if pack is None:
            return []
        if pack.fault is not None:
            return [CHG_FAULT_WARNINGS.get(pack.fault, "BatteryComError")]
        if pack.state(self.device.storage_mode) in {PackState.HOT, PackState.COLD}:
            return ["BatteryTempOutOfRange"]
        return []

    def _bay_time_to_full(self, bay: ChargerBay) -> Json:
        pack = bay.pack
        if pack is None or pack.fault is not None:
            return 0
        if pack.state(self.device.storage_mode) in {PackState.FULL, PackState.STORED}:
            return 0
        return pack.minutes_to_target(self.device.storage_mode)

    def _frequency_ranges(self) -> Json:
        # Hz, as OMNI writes them (sheet part 2 §5; units [L-M], open question 7).
        first, last = BANDS.get(self.device.rf_band, BANDS["Q1-9"])
        return [f"{first * 1000}:{FREQUENCY_STEP_KHZ * 1000}:{last * 1000}"]

    def _build_channel(self, ch: Channel) -> None:
        prefix = f"rx{ch.index}"

        def tune(khz: int) -> None:
            ch.frequency_khz = khz
            ch.group_channel = None

        self._add(
            f"{prefix}/name",
            lambda: ch.name,
            _setter(lambda v: ascii_name(v, CHANNEL_NAME_MAX), lambda v: setattr(ch, "name", v)),
        )
        self._add(
            f"{prefix}/frequency",
            lambda: ch.frequency_khz,
            _setter(
                lambda v: _stepped(v, FREQUENCY_MIN_KHZ, FREQUENCY_MAX_KHZ, FREQUENCY_STEP_KHZ),
                tune,
            ),
        )
        self._add(
            f"{prefix}/mute",
            lambda: ch.muted,
            _setter(_boolean, lambda v: setattr(ch, "muted", v)),
        )
        self._add(
            f"{prefix}/gain",
            lambda: ch.gain_db,
            _setter(
                lambda v: _stepped(v, GAIN_MIN, GAIN_MAX, GAIN_STEP),
                lambda v: setattr(ch, "gain_db", v),
            ),
        )
        self._add(f"{prefix}/warnings", lambda: receiver_warnings(ch))
        self._add(
            f"{prefix}/identification/visual",
            lambda: ch.identify,
            _setter(_boolean, lambda v: setattr(ch, "identify", v)),
        )
        self._add(
            f"{prefix}/mates",
            lambda: [f"mates/tx{ch.index}"] if ch.transmitter is not None else [],
        )

    def _build_output(self, ch: Channel) -> None:
        self._add(
            f"audio1/out{ch.index}/level",
            lambda: ch.output_level_db,
            _setter(
                lambda v: _stepped(v, OUT_LEVEL_MIN, OUT_LEVEL_MAX, OUT_LEVEL_STEP),
                lambda v: setattr(ch, "output_level_db", v),
            ),
        )

    def _build_meters(self, ch: Channel) -> None:
        prefix = f"m/rx{ch.index}"
        self._add(f"{prefix}/rssi", lambda: self._rssi(ch), meter=True)
        self._add(
            f"{prefix}/rsqi",
            lambda: ch.quality if ch.transmitter is not None else 0,
            meter=True,
        )
        self._add(f"{prefix}/divi", lambda: _diversity(ch), meter=True)
        self._add(f"{prefix}/af", lambda: self._af(ch), meter=True)

    def _rssi(self, ch: Channel) -> Json:
        rf = ch.rf_dbm if ch.transmitter is not None else float(NOISE_FLOOR_DBM)
        if self._noise:
            rf += self._rng.gauss(0, 1.5)
        return round(_clamp(rf, RSSI_MIN, RSSI_MAX), 1)

    def _af(self, ch: Channel) -> Json:
        if ch.transmitter is None:
            return _clamp(SILENCE_DBFS, AF_MIN, AF_MAX)
        af = ch.audio_dbfs + (self._rng.gauss(0, 4) if self._noise else 0.0)
        return round(_clamp(af, AF_MIN, AF_MAX), 1)

    def _build_mate(self, ch: Channel) -> None:
        prefix = f"mates/tx{ch.index}"

        def linked(read: Callable[[Transmitter], Json]) -> Callable[[], Json]:
            def value() -> Json:
                tx = ch.transmitter
                if tx is None:
                    raise error(FAILED_DEPENDENCY)
                result = read(tx)
                if result is None:
                    # EW-DX: 424 also when the transmitter "doesn't send valid" data.
                    raise error(FAILED_DEPENDENCY)
                return result

            return value

        reads: dict[str, Callable[[Transmitter], Json]] = {
            "battery/gauge": lambda tx: tx.battery_percent,
            "battery/lifetime": lambda tx: tx.battery_minutes,
            "battery/type": lambda tx: tx.battery_type,
            "type": lambda tx: tx.model,
            "name": lambda tx: tx.name,
            "mute": lambda tx: tx.muted,
            "warnings": lambda tx: transmitter_warnings(ch, tx),
            "version": lambda tx: tx.version,
            "trim": lambda tx: tx.offset_db,
            "lowcut": lambda tx: "off",
            "lock": lambda tx: tx.power_lock,
            "led": lambda tx: True,
            "capsule": lambda tx: "MMD 935" if tx.model.startswith("SKM") else "unknown",
            "cable_emulation": lambda tx: "off",
            "mute_config": lambda tx: "off",
        }
        for key, read in reads.items():
            self._add(f"{prefix}/{key}", linked(read))

    def _active_mates(self) -> Json:
        return [f"mates/tx{ch.index}" for ch in self.device.channels if ch.transmitter is not None]


def receiver_warnings(ch: Channel) -> list[Json]:
    """``rxN/warnings``: NoLink without a transmitter (sheet §6 [INF M]), else from levels."""
    warnings: list[Json] = []
    if ch.encryption_error:
        warnings.append("Aes256Error")
    if ch.transmitter is None:
        warnings.append("NoLink")
        return warnings
    if ch.rf_dbm < LOW_SIGNAL_DBM:
        warnings.append("LowSignal")
    if ch.rf_dbm > RF_PEAK_DBM:
        warnings.append("RfPeak")
    if ch.audio_dbfs >= AF_PEAK_DBFS:
        warnings.append("AfPeak")
    return warnings


def transmitter_warnings(ch: Channel, tx: Transmitter) -> list[Json]:
    """``mates/txN/warnings`` from the battery and the audio level."""
    warnings: list[Json] = []
    if tx.battery_percent is not None and tx.battery_percent <= LOW_BATTERY_PERCENT:
        warnings.append("LowBattery")
    if ch.audio_dbfs >= AF_PEAK_DBFS:
        warnings.append("AfPeak")
    return warnings


def _diversity(ch: Channel) -> Json:
    # 0 none, 1 antenna A, 2 antenna B.
    if ch.transmitter is None or not ch.antenna:
        return 0
    return 1 if ch.antenna.startswith("A") else 2


def put(tree: dict[str, Json], path: Path, value: Json) -> None:
    """Set ``value`` at ``path`` in a nested dict, creating the containers on the way."""
    node = tree
    for key in path[:-1]:
        child = node.setdefault(key, {})
        assert isinstance(child, dict)
        node = child
    node[path[-1]] = value
