"""Entities of chargers and their bays, for the sensor, binary sensor and event platforms.

A charger is a device of its manufacturer's service device, and each bay a device of its
charger (the battery in it is what the bay's entities describe). Chargers and bays are
kept by the same coordinator as receivers and channels, under the same (api id, index)
listener keys: a charger is index 0, a bay its 1-based index. They live in this module so
that each platform adds them with one call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import (
    CONF_DETAIL_ENTITIES,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_UPDATED,
)
from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .entity import _CoordinatedEntity
from .identifiers import BAY_SEPARATOR, unique_id
from .lifecycle import LifecycleEvent
from .manufacturers import Battery, BatteryError, BatteryState, Bay, Charger

BATTERY_STATE_OPTIONS = [str(state) for state in BatteryState]
BATTERY_ERROR_OPTIONS = [str(error) for error in BatteryError]


class MicboardChargerEntity(_CoordinatedEntity):
    """An entity of a charger (``bay_index`` 0) or of one of its bays."""

    # Whether the entity still means something while its charger is unreachable.
    _available_offline = False

    def __init__(
        self,
        coordinator: MicboardCoordinator,
        description: EntityDescription,
        charger_id: str,
        bay_index: int = 0,
    ) -> None:
        """Bind the entity to its charger or bay."""
        super().__init__(coordinator, description, (charger_id, bay_index))
        self.charger_id = charger_id
        self.bay_index = bay_index
        self._attr_unique_id = unique_id(
            coordinator.manufacturer, self._listener_key, description.key, bay=True
        )
        self._attr_device_info = coordinator.links.charger_device_info(self._listener_key)

    @property
    def charger(self) -> Charger | None:
        """The entity's charger as last seen."""
        return self.coordinator.charger(self.charger_id)

    @property
    def bay(self) -> Bay | None:
        """The entity's bay as last seen (None for charger entities)."""
        charger = self.charger
        return charger.bay(self.bay_index) if charger else None

    @property
    @override
    def available(self) -> bool:
        """Bay values are unavailable while their charger is unreachable."""
        charger = self.charger
        if charger is None or not super().available:
            return False
        return charger.online or self._available_offline


# --- sensors -----------------------------------------------------------------------------


def _battery(read: Callable[[Battery], StateType]) -> Callable[[Bay], StateType]:
    """A bay value that exists only while a battery is in the bay."""

    def value(bay: Bay) -> StateType:
        return read(bay.battery) if bay.battery is not None else None

    return value


def _error(battery: Battery) -> str | None:
    return str(battery.error) if battery.error is not None else None


@dataclass(frozen=True, kw_only=True)
class MicboardBaySensorDescription(SensorEntityDescription):
    """A sensor of a charger bay (the battery in it)."""

    value_fn: Callable[[Bay], StateType]
    # Created only with the "detail entities" option (memory: see entity.py).
    detail: bool = False


BAY_SENSORS: tuple[MicboardBaySensorDescription, ...] = (
    MicboardBaySensorDescription(
        key="charge",
        translation_key="charge",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_battery(lambda battery: battery.charge_percent),
    ),
    MicboardBaySensorDescription(
        key="time_to_full",
        translation_key="time_to_full",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=_battery(lambda battery: battery.time_to_full_minutes),
    ),
    MicboardBaySensorDescription(
        key="battery_state",
        translation_key="battery_state",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_STATE_OPTIONS,
        value_fn=lambda bay: str(bay.state),
    ),
    MicboardBaySensorDescription(
        key="battery_health",
        translation_key="battery_health",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_battery(lambda battery: battery.health_percent),
    ),
    MicboardBaySensorDescription(
        key="battery_cycles",
        translation_key="battery_cycles",
        detail=True,
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_battery(lambda battery: battery.cycle_count),
    ),
    MicboardBaySensorDescription(
        key="battery_temperature",
        translation_key="battery_temperature",
        detail=True,
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_battery(lambda battery: battery.temperature_c),
    ),
    MicboardBaySensorDescription(
        key="battery_error",
        translation_key="battery_error",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_ERROR_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_battery(_error),
    ),
)


@dataclass(frozen=True, kw_only=True)
class MicboardChargerCountDescription(SensorEntityDescription):
    """A count over every charger of the entry, on the service device."""

    value_fn: Callable[[Charger], int]


CHARGER_COUNTS: tuple[MicboardChargerCountDescription, ...] = (
    MicboardChargerCountDescription(
        key="batteries_ready",
        translation_key="batteries_ready",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda charger: charger.full_count if charger.online else 0,
    ),
    MicboardChargerCountDescription(
        key="batteries_charging",
        translation_key="batteries_charging",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda charger: charger.charging_count if charger.online else 0,
    ),
)


class MicboardBaySensor(MicboardChargerEntity, SensorEntity):
    """A reading of the battery in a bay (its state reads ``empty`` without one)."""

    entity_description: MicboardBaySensorDescription

    @property
    @override
    def native_value(self) -> StateType:
        """The reading; unknown while the bay is empty (the state: ``empty``)."""
        bay = self.bay
        return self.entity_description.value_fn(bay) if bay is not None else None


class MicboardChargerCountSensor(_CoordinatedEntity, SensorEntity):
    """Batteries ready (or charging) across every charger of the entry."""

    entity_description: MicboardChargerCountDescription

    def __init__(
        self, coordinator: MicboardCoordinator, description: MicboardChargerCountDescription
    ) -> None:
        """Bind the count to the service device."""
        super().__init__(coordinator, description, ("", 0))

    @property
    @override
    def native_value(self) -> int:
        """The count now (an unreachable charger counts none)."""
        count = self.entity_description.value_fn
        return sum(count(charger) for charger in self.coordinator.data.chargers.values())

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """The count per charger, by name."""
        count = self.entity_description.value_fn
        return {
            "chargers": {
                charger.name or charger.api_device_id: count(charger)
                for charger in self.coordinator.data.chargers.values()
                if charger.identified
            }
        }


# --- binary sensors ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MicboardChargerBinarySensorDescription(BinarySensorEntityDescription):
    """A yes/no fact about a charger."""

    value_fn: Callable[[Charger], bool | None]
    available_offline: bool = False


CHARGER_BINARY_SENSORS: tuple[MicboardChargerBinarySensorDescription, ...] = (
    MicboardChargerBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        value_fn=lambda charger: charger.online,
        available_offline=True,
    ),
    MicboardChargerBinarySensorDescription(
        key="storage_mode",
        translation_key="storage_mode",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda charger: charger.storage_mode,
    ),
)


@dataclass(frozen=True, kw_only=True)
class MicboardBayBinarySensorDescription(BinarySensorEntityDescription):
    """A yes/no fact about a charger bay."""

    value_fn: Callable[[Bay], bool | None]


BAY_BINARY_SENSORS: tuple[MicboardBayBinarySensorDescription, ...] = (
    MicboardBayBinarySensorDescription(
        key="battery_present",
        translation_key="battery_present",
        # It restates the battery's put-in/taken-out event (and the state's "empty"): a
        # second Activity line for the same transition. Enable it for state triggers.
        entity_registry_enabled_default=False,
        value_fn=lambda bay: bay.occupied,
    ),
)


class MicboardChargerBinarySensor(MicboardChargerEntity, BinarySensorEntity):
    """Connectivity or storage mode of a charger."""

    entity_description: MicboardChargerBinarySensorDescription

    def __init__(
        self,
        coordinator: MicboardCoordinator,
        description: MicboardChargerBinarySensorDescription,
        charger_id: str,
    ) -> None:
        """Connectivity stays available while the charger is offline: it reads off."""
        super().__init__(coordinator, description, charger_id)
        self._available_offline = description.available_offline

    @property
    @override
    def is_on(self) -> bool | None:
        """The fact as last reported."""
        charger = self.charger
        return self.entity_description.value_fn(charger) if charger else None


class MicboardBayBinarySensor(MicboardChargerEntity, BinarySensorEntity):
    """Whether a battery is in the bay."""

    entity_description: MicboardBayBinarySensorDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """The fact as last reported."""
        bay = self.bay
        return self.entity_description.value_fn(bay) if bay else None


# --- events --------------------------------------------------------------------------------

EVENT_BATTERY_INSERTED = "battery_inserted"
EVENT_BATTERY_REMOVED = "battery_removed"
EVENT_FULLY_CHARGED = "fully_charged"
EVENT_CHARGING_FAULT = "charging_fault"
EVENT_STATE_CHANGED = "state_changed"

BAY_EVENTS = (
    EventEntityDescription(
        key="battery_events",
        translation_key="battery_events",
        # As for transmitters: the lifecycle event is the Activity line.
        entity_registry_enabled_default=False,
        event_types=[
            EVENT_BATTERY_INSERTED,
            EVENT_BATTERY_REMOVED,
            EVENT_FULLY_CHARGED,
            EVENT_CHARGING_FAULT,
            EVENT_STATE_CHANGED,
        ],
    ),
)


def battery_event_type(event: LifecycleEvent) -> str | None:
    """What a battery's lifecycle event means for its bay's event entity."""
    if event.event_type == EVENT_DEVICE_ONLINE:
        return EVENT_BATTERY_INSERTED
    if event.event_type == EVENT_DEVICE_OFFLINE:
        return EVENT_BATTERY_REMOVED
    if event.event_type == EVENT_DEVICE_UPDATED:
        state = event.extra.get("battery_state")
        if state == BatteryState.FULL:
            return EVENT_FULLY_CHARGED
        if state == BatteryState.ERROR:
            return EVENT_CHARGING_FAULT
        return EVENT_STATE_CHANGED
    return None


class MicboardBayEventEntity(MicboardChargerEntity, EventEntity):
    """Fires when a battery is put in, taken out, fully charged or faulted."""

    _available_offline = True

    @override
    def _listen(self) -> None:
        super()._listen()
        self.coordinator.announcer.event_listeners.add(self._listener_key, self._on_event)

    @override
    def _unlisten(self) -> None:
        super()._unlisten()
        self.coordinator.announcer.event_listeners.remove(self._listener_key, self._on_event)

    @callback
    def _on_event(self, event: LifecycleEvent) -> None:
        if (event_type := battery_event_type(event)) is None:
            return
        self._trigger_event(event_type, dict(event.extra))
        self.async_write_ha_state()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Only availability follows the coordinator; the state is the last event."""
        available = self.available
        if self._written != (available,):
            self._written = (available,)
            self.async_write_ha_state()


# --- adding them ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChargerKinds:
    """What one platform builds for each charger, each bay, and once for the entry."""

    charger: Callable[[MicboardCoordinator, Charger], Sequence[Entity]] = lambda _c, _d: ()
    bay: Callable[[MicboardCoordinator, Charger, Bay], Sequence[Entity]] = lambda _c, _d, _b: ()
    # Built once, when the entry's first charger appears (entry-wide counts).
    first: Callable[[MicboardCoordinator], Sequence[Entity]] = lambda _c: ()


SENSOR_KINDS = ChargerKinds(
    bay=lambda coordinator, charger, bay: [
        MicboardBaySensor(coordinator, description, charger.api_device_id, bay.index)
        for description in BAY_SENSORS
    ],
    first=lambda coordinator: [
        MicboardChargerCountSensor(coordinator, description) for description in CHARGER_COUNTS
    ],
)
BINARY_SENSOR_KINDS = ChargerKinds(
    charger=lambda coordinator, charger: [
        MicboardChargerBinarySensor(coordinator, description, charger.api_device_id)
        for description in CHARGER_BINARY_SENSORS
        if description.key != "storage_mode" or charger.storage_mode is not None
    ],
    bay=lambda coordinator, charger, bay: [
        MicboardBayBinarySensor(coordinator, description, charger.api_device_id, bay.index)
        for description in BAY_BINARY_SENSORS
    ],
)
EVENT_KINDS = ChargerKinds(
    bay=lambda coordinator, charger, bay: [
        MicboardBayEventEntity(coordinator, description, charger.api_device_id, bay.index)
        for description in BAY_EVENTS
    ],
)


@callback
def async_add_charger_entities(
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    kinds: ChargerKinds,
) -> None:
    """Add a platform's entities for every charger and bay now, and for new ones later.

    Chargers that never answered get entities once they do (their bays are not known
    before that).
    """
    coordinator = entry.runtime_data
    detail = bool(entry.options.get(CONF_DETAIL_ENTITIES, False))
    if not detail:
        _async_forget_bay_detail(entry)
    seen: set[tuple[str, int]] = set()
    first_done = False

    def wanted(entity: Entity) -> bool:
        return detail or not getattr(entity.entity_description, "detail", False)

    @callback
    def add_new() -> None:
        nonlocal first_done
        new: list[Entity] = []
        for charger in coordinator.data.chargers.values():
            if not charger.identified:
                continue
            if not first_done:
                first_done = True
                new.extend(kinds.first(coordinator))
            if (charger.api_device_id, 0) not in seen:
                seen.add((charger.api_device_id, 0))
                new.extend(kinds.charger(coordinator, charger))
            for bay in charger.bays:
                if (charger.api_device_id, bay.index) not in seen:
                    seen.add((charger.api_device_id, bay.index))
                    new.extend(filter(wanted, kinds.bay(coordinator, charger, bay)))
        if new:
            async_add_entities(new)

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))


BAY_DETAIL_KEYS = frozenset(d.key for d in BAY_SENSORS if d.detail)


@callback
def _async_forget_bay_detail(entry: MicboardConfigEntry) -> None:
    """Without the detail option, remove bay detail entities an earlier set-up registered."""
    registry = er.async_get(entry.runtime_data.hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        device_part, _, key = entity.unique_id.rpartition("-")
        if key in BAY_DETAIL_KEYS and BAY_SEPARATOR in device_part:
            registry.async_remove(entity.entity_id)
