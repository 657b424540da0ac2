"""Shure networked chargers on TCP 2202: models, bay keys, and their state.

SBC220 / SBC240 (two bays per unit, up to four units linked behind one address, bays 1-8),
SBC840 / SBC840M (eight bays), SBRC (four insert modules of two bays) and SBC441 (four
bays) speak the receivers' command strings (shure-chargers sheet). A bay is a per-index
key (``< REP 3 BATT_CHARGE 062 >``); ``BATT_MODULE_TYPE`` is indexed by linked unit or
insert module instead. Every value is decoded by ``parser``; what a bay's keys say together
(occupied, state, fault) is worked out once, when the bay is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models import Battery, BatteryError, BatteryState, Bay, ChargerModule
from .parser import (
    Message,
    Rep,
    battery_error,
    battery_state,
    charger_bars,
    charger_count,
    charger_percent,
    charger_temperature,
    mac_address,
    module_type,
    on_off,
    text,
    time_to_full,
    word,
    yes_no,
)

FAMILY = "sbc"
# Bays beyond this index are ignored: four linked SBC220s have 8; garbage must not make more.
MAX_BAYS = 16
MAX_MODULES = 8
# The light query that keeps a quiet charger talking (there is no METER_RATE: sheet §1).
HEARTBEAT = "< GET DEVICE_ID >"
# States in which a time to full is not counting down.
_NOT_COUNTING = frozenset({BatteryState.FULL, BatteryState.STORAGE, BatteryState.ERROR})


@dataclass(frozen=True, slots=True)
class ChargerModel:
    """One Shure charger model: its bays and how they group into units or modules."""

    code: str
    # Bays of one unit (the first unit of a linked chain).
    bays: int
    # Bays per linked unit or insert module (module m holds bays (m-1)*n+1 .. m*n), or None
    # where the model has no modules to speak of.
    bays_per_module: int | None = None

    def module_of(self, bay: int) -> int | None:
        """The unit or module holding ``bay``, where the model has them."""
        if self.bays_per_module is None:
            return None
        return (bay - 1) // self.bays_per_module + 1


# Longest prefix first: "SBC840M" must not be read as an SBC840.
CHARGER_MODELS = (
    ChargerModel("SBC840M", 8),
    ChargerModel("SBC840", 8),
    ChargerModel("SBC220", 2, bays_per_module=2),
    ChargerModel("SBC240", 2, bays_per_module=2),
    ChargerModel("SBRC", 8, bays_per_module=2),
    ChargerModel("SBC441", 4),
)


def charger_model_of(model: str | None) -> ChargerModel | None:
    """The charger model a MODEL string names (``SBC220``, ``SBC840M`` ...), if any."""
    if not model:
        return None
    normalised = model.strip().upper()
    return next((m for m in CHARGER_MODELS if normalised.startswith(m.code)), None)


@dataclass(slots=True)
class BayState:
    """What the charger last reported for one bay, each key decoded on its own."""

    index: int
    detected: bool | None = None
    state: BatteryState | None = None
    raw_state: str | None = None
    time_to_full: int | BatteryState | None = None
    charge: int | None = None
    health: int | None = None
    bars: int | None = None
    cycles: int | None = None
    temperature_c: int | None = None
    temperature_f: int | None = None
    capacity: int | None = None
    remaining: int | None = None
    full_charge: int | None = None
    error: BatteryError | None = None
    # The last frozen bay and what it was built with; None once anything changed.
    _built: Bay | None = field(default=None, init=False, repr=False, compare=False)
    _built_storage: bool | None = field(default=None, init=False, repr=False, compare=False)

    def set(self, attribute: str, value: Any) -> bool:
        """Set one value; True if it changed."""
        if getattr(self, attribute) == value:
            return False
        setattr(self, attribute, value)
        self._built = None
        return True

    def build(self, module: int | None, storage_mode: bool | None = None) -> Bay:
        """The frozen bay (the same object until something changed)."""
        built = self._built
        if built is None or built.module != module or self._built_storage != storage_mode:
            battery = self._battery(storage_mode is True)
            self._built = built = Bay(index=self.index, module=module, battery=battery)
            self._built_storage = storage_mode
        return built

    def _occupied(self) -> bool:
        # BATT_DETECTED decides (a faulted pack still says YES); without it, BATT_STATE.
        # BATT_ERROR 255 never does: some firmware sends it with a pack present.
        if self.detected is not None:
            return self.detected
        return self.state not in {None, BatteryState.EMPTY}

    def _battery(self, storage_mode: bool) -> Battery | None:
        if not self._occupied():
            return None
        state = self.state
        ttf = self.time_to_full
        if state in {None, BatteryState.EMPTY, BatteryState.CHARGING} and isinstance(
            ttf, BatteryState
        ):
            # No state word (yet), or only "charging normally": a time-to-full code is the
            # newer, narrower word (it is pushed every minute; some readings push nothing
            # else, open question 7). Its "target reached" is "stored" in storage mode.
            state = ttf
            if state is BatteryState.FULL and storage_mode:
                state = BatteryState.STORAGE
        elif state in {None, BatteryState.EMPTY}:
            state = BatteryState.UNKNOWN
        # A fault shows in BATT_STATE and BATT_ERROR, sent as separate messages: either one.
        if self.error not in {None, BatteryError.NONE}:
            state = BatteryState.ERROR
        minutes = self.time_to_full
        if not isinstance(minutes, int) or state in _NOT_COUNTING:
            minutes = None
        temperature = self.temperature_c
        if temperature is None and self.temperature_f is not None:
            temperature = round((self.temperature_f - 32) * 5 / 9)
        return Battery(
            state=state,
            charge_percent=self.charge,
            time_to_full_minutes=minutes,
            health_percent=self.health,
            cycle_count=self.cycles,
            temperature_c=temperature,
            bars=self.bars,
            capacity_mah=self.capacity,
            full_charge_capacity_mah=self.full_charge,
            remaining_capacity_mah=self.remaining,
            error=self.error,
            raw_state=self.raw_state,
        )


type _BayRule = Callable[[BayState, str], bool]


def _bay(attribute: str, decode: Callable[[str], Any]) -> _BayRule:
    def rule(bay: BayState, value: str) -> bool:
        return bay.set(attribute, decode(value))

    return rule


def _bay_state(bay: BayState, value: str) -> bool:
    changed = bay.set("state", battery_state(value))
    return bay.set("raw_state", word(value)) or changed


_BAY_RULES: Mapping[str, _BayRule] = {
    "BATT_DETECTED": _bay("detected", yes_no),
    "BATT_TIME_TO_FULL": _bay("time_to_full", time_to_full),
    "BATT_STATE": _bay_state,
    "BATT_CHARGE": _bay("charge", charger_percent),
    "BATT_HEALTH": _bay("health", charger_percent),
    "BATT_BARS": _bay("bars", charger_bars),
    "BATT_CYCLE": _bay("cycles", charger_count),
    "BATT_TEMP_C": _bay("temperature_c", charger_temperature),
    "BATT_TEMP_F": _bay("temperature_f", charger_temperature),
    "BATT_CAPACITY_MAX": _bay("capacity", charger_count),
    "BATT_CURRENT_CAPACITY": _bay("remaining", charger_count),
    "BATT_CURRENT_CAPACITY_MAX": _bay("full_charge", charger_count),
    "BATT_ERROR": _bay("error", battery_error),
}
MODULE_KEY = "BATT_MODULE_TYPE"
# Every indexed key a charger sends (for telling a charger's pushes from a receiver's).
CHARGER_KEYS = frozenset({*_BAY_RULES, MODULE_KEY})
# Keys no receiver family has: a burst made of these alone comes from a charger.
CHARGER_ONLY_KEYS = frozenset({"BATT_DETECTED", "BATT_TIME_TO_FULL", "BATT_STATE", MODULE_KEY})


@dataclass(slots=True)
class ChargerState:
    """Device-level values, bays and modules of one charger, as reported."""

    model: str | None = None
    firmware: str | None = None
    name: str | None = None
    mac_address: str | None = None
    storage_mode: bool | None = None
    bays: dict[int, BayState] = field(default_factory=dict)
    modules: dict[int, ChargerModule] = field(default_factory=dict)

    def set(self, attribute: str, value: Any) -> bool:
        """Set one device value; True if it changed."""
        if getattr(self, attribute) == value:
            return False
        setattr(self, attribute, value)
        return True

    def ensure_bays(self, count: int) -> None:
        """Create bays 1..count that are not there yet."""
        for index in range(1, min(count, MAX_BAYS) + 1):
            self.bays.setdefault(index, BayState(index))

    def built_bays(self, model: ChargerModel) -> tuple[Bay, ...]:
        """Every bay, frozen, by index (unchanged bays are the same objects as before)."""
        storage = self.storage_mode
        return tuple(
            self.bays[index].build(model.module_of(index), storage) for index in sorted(self.bays)
        )

    def built_modules(self) -> tuple[ChargerModule, ...]:
        """Every module the charger reported, by index."""
        return tuple(self.modules[index] for index in sorted(self.modules))


def _net_settings(state: ChargerState, value: str) -> bool:
    # "SC mode ip mask gw mac": the MAC is the last field; a MAC once known is kept.
    parts = value.split()
    if parts and (mac := mac_address(parts[-1])):
        return state.set("mac_address", mac)
    return False


_DEVICE_RULES: Mapping[str, Callable[[ChargerState, str], bool]] = {
    "MODEL": lambda state, value: state.set("model", text(value)),
    "FW_VER": lambda state, value: state.set("firmware", text(value)),
    "DEVICE_ID": lambda state, value: state.set("name", text(value)),
    "STORAGE_MODE": lambda state, value: state.set("storage_mode", on_off(value)),
    "NET_SETTINGS": _net_settings,
}


def apply_charger_message(state: ChargerState, message: Message) -> bool:
    """Apply one REP to the charger's state; True when it changed something.

    A bay beyond the ones known so far is added (linked units report bays 1-8 behind one
    address, sheet §1.2), up to ``MAX_BAYS``; ``x = 0`` for a bay key addresses every bay.
    """
    if not isinstance(message, Rep):
        return False
    if message.channel is None:
        device_rule = _DEVICE_RULES.get(message.key)
        return device_rule is not None and device_rule(state, message.value)
    index = message.channel
    if message.key == MODULE_KEY:
        if not 1 <= index <= MAX_MODULES:
            return False
        present, kind = module_type(message.value)
        module = ChargerModule(index=index, present=present, kind=kind)
        if state.modules.get(index) == module:
            return False
        state.modules[index] = module
        return True
    rule = _BAY_RULES.get(message.key)
    if rule is None or index > MAX_BAYS:
        return False
    if index == 0:
        changed = False
        for each in state.bays.values():
            changed |= rule(each, message.value)
        return changed
    bay = state.bays.get(index)
    if bay is None:
        bay = state.bays[index] = BayState(index)
        rule(bay, message.value)
        return True
    return rule(bay, message.value)


def _ttf_kind(value: int | BatteryState | None) -> BatteryState | str | None:
    return "minutes" if isinstance(value, int) else value


def apply_charger_messages(
    state: ChargerState, messages: Iterable[Message]
) -> tuple[bool, list[int]]:
    """Apply one read's messages; (changed, bays to read again with ``GET n ALL``).

    A bay whose time to full turned from minutes to a code or back (put in, full, faulted,
    taken out) without its state word or BATT_DETECTED in the same read is read again:
    whether the charger pushes those keys too is open (sheet §8 question 7), the time to
    full it pushes every minute.
    """
    before = {index: _ttf_kind(bay.time_to_full) for index, bay in state.bays.items()}
    worded: set[int] = set()
    changed = False
    for message in messages:
        changed |= apply_charger_message(state, message)
        if (
            isinstance(message, Rep)
            and message.channel
            and message.key in {"BATT_STATE", "BATT_DETECTED"}
        ):
            worded.add(message.channel)
    again = [
        index
        for index, bay in sorted(state.bays.items())
        if index not in worded and _ttf_kind(bay.time_to_full) != before.get(index)
    ]
    return changed, again


def bays_implied(model: ChargerModel, state: ChargerState) -> int:
    """Bays the charger has by what it reported: its model's, its modules', its bays'."""
    count = model.bays
    if model.bays_per_module is not None:
        fitted = [index for index, module in state.modules.items() if module.present]
        count = max(count, max(fitted, default=0) * model.bays_per_module)
    return max(count, max(state.bays, default=0))
