"""The Sennheiser CHG 70N network charger over SSC v1: its addresses, state and view.

The CHG 70N (EW-DX) answers SSC like the receivers, with a ``bays`` subtree whose leaves are
arrays, one element per bay (sheet part 2 §8): ``bays/bat_gauge`` ``[62, 100]``. Nothing in
the sources gives sentinels for it, so every element is range-checked and anything else is
"unknown"; what a bay's leaves say together (occupied, state, fault) is worked out once,
when the bay is built. A cascade of chargers may answer longer arrays: every element is a
bay (up to ``MAX_BAYS``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging

from ..errors import DeviceError
from ..models import Battery, BatteryError, BatteryState, Bay, Capability, Charger
from .codec import (
    NOT_FOUND,
    SUBSCRIPTION_TERMINATES,
    WRITE_REFUSALS,
    Path,
    Reply,
    as_bool,
    as_number,
    clean_text,
)
from .paths import DEVICE_NAME, MACS, PRODUCT, SERIAL, VERSION
from .state import FAMILY, MANUFACTURER, Applied, mac_address

_LOGGER = logging.getLogger(__name__)

# A CHG 70N has two bays; longer arrays (a cascade) add bays, up to this many.
CHARGER_BAYS = 2
MAX_BAYS = 16

STORAGE_MODE: Path = ("device", "storage_mode")
DEVICE_WARNINGS: Path = ("device", "warnings")
CHARGER_DEVICE_PATHS: tuple[Path, ...] = (
    PRODUCT,
    SERIAL,
    VERSION,
    DEVICE_NAME,
    MACS,
    STORAGE_MODE,
    DEVICE_WARNINGS,
)
BAY_STATE: Path = ("bays", "state")
BAY_WARNINGS: Path = ("bays", "warnings")
BAY_DEVICE_TYPE: Path = ("bays", "device_type")
BAY_TIME_TO_FULL: Path = ("bays", "bat_timetofull")
BAY_HEALTH: Path = ("bays", "bat_health")
BAY_GAUGE: Path = ("bays", "bat_gauge")
BAY_CYCLES: Path = ("bays", "bat_cycles")
BAY_SERIAL: Path = ("bays", "serial")
BAY_VERSION: Path = ("bays", "version")
BAY_PATHS: tuple[Path, ...] = (
    BAY_STATE,
    BAY_WARNINGS,
    BAY_DEVICE_TYPE,
    BAY_TIME_TO_FULL,
    BAY_HEALTH,
    BAY_GAUGE,
    BAY_CYCLES,
    BAY_SERIAL,
    BAY_VERSION,
)

# What ``bays/device_type`` says of an empty bay ("NONE" as the companion module lists it).
_EMPTY_TYPES = frozenset({"", "NONE"})
# A time to full beyond 100 hours is not a time (no sentinel is documented).
_MAX_TIME_TO_FULL = 6000
_MAX_CYCLES = 65533
# ``bays/warnings`` words, in the order the first one found is reported.
_WARNINGS: Mapping[str, BatteryError] = {
    "BatteryComError": BatteryError.COMMUNICATION_FAILURE,
    "BatteryNotChargeable": BatteryError.CHARGE_FAILED,
    "BatteryNotDischargeable": BatteryError.DISCHARGE_FAILED,
    "OvercurrentDetected": BatteryError.OVERCURRENT,
    "BatteryTempOutOfRange": BatteryError.TEMPERATURE_OUT_OF_RANGE,
}
_UPDATING = frozenset({"UPDATE", "DFU_MODE"})
CHARGER_CAPABILITIES = frozenset({Capability.IDENTIFY})


def is_charger(product: object) -> bool:
    """Whether an ``device/identity/product`` names a Sennheiser charger."""
    return isinstance(product, str) and "CHG" in product.upper()


def is_supported_charger(product: object) -> bool:
    """Whether it names a CHG 70N (or CHG 70N-C), the charger this library speaks."""
    return isinstance(product, str) and "CHG70N" in product.upper().replace(" ", "")


def _integer(low: int, high: int) -> Callable[[object], int | None]:
    def decode(value: object) -> int | None:
        number = as_number(value, low, high)
        return None if number is None else round(number)

    return decode


def _warnings(value: object) -> frozenset[str] | None:
    # One bay's warnings: a list of words; a lone word or "" is taken too.
    if isinstance(value, str):
        return frozenset({value.strip()} - {""})
    if isinstance(value, list):
        return frozenset(text for item in value if (text := clean_text(item)))
    return None


_ELEMENT_DECODERS: Mapping[Path, Callable[[object], object]] = {
    BAY_STATE: lambda value: clean_text(value, limit=24),
    BAY_WARNINGS: _warnings,
    # Kept raw (also "" and "NONE"); a null element is an empty bay too. Answered at all, it
    # decides whether the bay is occupied.
    BAY_DEVICE_TYPE: lambda value: (
        "" if value is None else value.strip() if isinstance(value, str) else None
    ),
    BAY_TIME_TO_FULL: _integer(0, _MAX_TIME_TO_FULL),
    BAY_HEALTH: _integer(0, 100),
    BAY_GAUGE: _integer(0, 100),
    BAY_CYCLES: _integer(0, _MAX_CYCLES),
    BAY_SERIAL: lambda value: clean_text(value, limit=32),
    BAY_VERSION: lambda value: clean_text(value, limit=32),
}
_DEVICE_DECODERS: Mapping[Path, Callable[[object], object]] = {
    PRODUCT: lambda value: clean_text(value, limit=32),
    SERIAL: lambda value: clean_text(value, limit=32),
    VERSION: lambda value: clean_text(value, limit=32),
    DEVICE_NAME: lambda value: clean_text(value, limit=18),
    MACS: mac_address,
    STORAGE_MODE: as_bool,
    DEVICE_WARNINGS: _warnings,
}


class ChargerState:
    """Decoded leaves of one CHG 70N and its neutral ``Charger`` view.

    Per bay leaf, one decoded value per bay; unchanged bays keep their ``Bay`` object.
    """

    def __init__(self) -> None:
        self._device: dict[Path, object] = {}
        # Per bay path: index (1-based) -> decoded element.
        self._bays: dict[Path, dict[int, object]] = {}
        # Addresses this device does not have (404): never asked for again.
        self.missing: set[Path] = set()
        self.bay_count = CHARGER_BAYS
        self._built: dict[int, Bay] = {}
        self._dirty: set[int] = set(range(1, CHARGER_BAYS + 1))
        self._charger: Charger | None = None
        self._charger_key: tuple[str, int, bool, DeviceError | None] | None = None
        self._logged: set[Path] = set()

    def value(self, path: Path) -> object:
        """A decoded device leaf, or None when unknown."""
        return self._device.get(path)

    def apply(self, reply: Reply) -> Applied:
        """Take in one reply's values and errors; say whether the view changed."""
        changed = False
        for path, raw in reply.values.items():
            if path in _DEVICE_DECODERS:
                changed |= self._set_device(path, _DEVICE_DECODERS[path](raw))
                self.missing.discard(path)
            elif path in _ELEMENT_DECODERS:
                changed |= self._set_bays(path, raw)
                self.missing.discard(path)
        ended = False
        for path, code in reply.errors.items():
            if code == SUBSCRIPTION_TERMINATES:
                ended = True
                continue
            if code in WRITE_REFUSALS or (
                path not in _DEVICE_DECODERS and path not in _ELEMENT_DECODERS
            ):
                continue
            if code == NOT_FOUND:
                self.missing.add(path)
            elif path not in self._logged:
                self._logged.add(path)
                _LOGGER.debug("Device error %s at %s", code, "/".join(path))
            if path in _DEVICE_DECODERS:
                changed |= self._set_device(path, None)
            else:
                changed |= self._clear_bays(path)
        if changed:
            self._charger = None
        return Applied(changed=changed, meters_only=False, subscription_ended=ended)

    def _set_device(self, path: Path, value: object) -> bool:
        if self._device.get(path) == value:
            return False
        if value is None:
            del self._device[path]
        else:
            self._device[path] = value
        if path == STORAGE_MODE:
            # Storage mode changes what a bay at its target is (full or stored).
            self._dirty |= set(range(1, self.bay_count + 1))
        return True

    def _set_bays(self, path: Path, raw: object) -> bool:
        if not isinstance(raw, list):
            if path not in self._logged:
                self._logged.add(path)
                _LOGGER.debug("Ignoring non-array %r at %s", raw, "/".join(path))
            return False
        decode = _ELEMENT_DECODERS[path]
        elements = self._bays.setdefault(path, {})
        changed = False
        count = min(len(raw), MAX_BAYS)
        if count > self.bay_count:
            self._dirty |= set(range(self.bay_count + 1, count + 1))
            self.bay_count = count
            changed = True
        for index, element in enumerate(raw[:count], 1):
            value = decode(element)
            if elements.get(index) != value:
                if value is None:
                    elements.pop(index, None)
                else:
                    elements[index] = value
                self._dirty.add(index)
                changed = True
        return changed

    def _clear_bays(self, path: Path) -> bool:
        elements = self._bays.pop(path, None)
        if not elements:
            return False
        self._dirty |= set(elements)
        return True

    # -- the neutral view ---------------------------------------------------------------

    def api_device_id(self, host: str, port: int) -> str:
        """The MAC when known, else host:port."""
        mac = self.value(MACS)
        return mac if isinstance(mac, str) else f"{host}:{port}"

    def charger(
        self, host: str, port: int, *, online: bool, error: DeviceError | None = None
    ) -> Charger:
        """The charger as the neutral model (the same object while nothing changed)."""
        key = (host, port, online, error)
        if self._charger is not None and key == self._charger_key:
            return self._charger
        storage = self.value(STORAGE_MODE)
        charger = Charger(
            manufacturer=MANUFACTURER,
            api_device_id=self.api_device_id(host, port),
            host=host,
            port=port,
            online=online,
            identified=True,
            model=_str(self.value(PRODUCT)),
            family=FAMILY,
            firmware=_str(self.value(VERSION)),
            name=_str(self.value(DEVICE_NAME)),
            mac_address=_str(self.value(MACS)),
            storage_mode=storage if isinstance(storage, bool) else None,
            # ``device/identification/visual`` (sheet part 2 §8).
            capabilities=CHARGER_CAPABILITIES,
            bays=self._built_bays(),
            error=error,
        )
        self._charger, self._charger_key = charger, key
        return charger

    def _built_bays(self) -> tuple[Bay, ...]:
        for index in self._dirty:
            fresh = Bay(index=index, battery=self._battery(index))
            if self._built.get(index) != fresh:
                self._built[index] = fresh
        self._dirty.clear()
        return tuple(self._built[index] for index in range(1, self.bay_count + 1))

    def _bay(self, path: Path, index: int) -> object:
        return self._bays.get(path, {}).get(index)

    def _occupied(self, index: int) -> bool:
        device_type = self._bay(BAY_DEVICE_TYPE, index)
        if isinstance(device_type, str):
            return device_type.upper() not in _EMPTY_TYPES
        # No device type (not answered, or not on this firmware): a gauge says a pack is in.
        return self._bay(BAY_GAUGE, index) is not None

    def _battery(self, index: int) -> Battery | None:
        if not self._occupied(index):
            return None
        word = _str(self._bay(BAY_STATE, index))
        warnings = self._bay(BAY_WARNINGS, index)
        error: BatteryError | None = None
        if isinstance(warnings, frozenset):
            found = [code for name, code in _WARNINGS.items() if name in warnings]
            if found:
                error = found[0]
            elif warnings:
                error = BatteryError.OTHER
            else:
                error = BatteryError.NONE
        gauge = _int(self._bay(BAY_GAUGE, index))
        minutes = _int(self._bay(BAY_TIME_TO_FULL, index))
        state = self._state(word, error, gauge, minutes)
        device_type = _str(self._bay(BAY_DEVICE_TYPE, index))
        return Battery(
            state=state,
            charge_percent=gauge,
            time_to_full_minutes=minutes if state is BatteryState.CHARGING else None,
            health_percent=_int(self._bay(BAY_HEALTH, index)),
            cycle_count=_int(self._bay(BAY_CYCLES, index)),
            error=error,
            device_type=device_type if device_type and device_type.upper() != "UNKNOWN" else None,
            serial=_str(self._bay(BAY_SERIAL, index)),
            firmware=_str(self._bay(BAY_VERSION, index)),
            raw_state=word,
        )

    def _state(
        self, word: str | None, error: BatteryError | None, gauge: int | None, minutes: int | None
    ) -> BatteryState:
        """A bay's state from its state word, warnings, gauge and time to full.

        The CHG 70N's words are NORMAL, UPDATE, ERROR, DFU_MODE: a normal bay is charging
        while it counts down, and at its target once the time to full is 0 (or, without
        one, the gauge 100): full, or stored in storage mode.
        """
        upper = (word or "").upper()
        if upper == "ERROR" or error not in {None, BatteryError.NONE}:
            return BatteryState.ERROR
        if upper in _UPDATING:
            return BatteryState.UPDATING
        if upper not in {"", "NORMAL"}:
            return BatteryState.UNKNOWN
        if minutes == 0 or (minutes is None and gauge == 100):
            return BatteryState.STORAGE if self.value(STORAGE_MODE) is True else BatteryState.FULL
        if minutes is not None:
            return BatteryState.CHARGING
        return BatteryState.UNKNOWN


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
