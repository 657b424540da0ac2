"""Sensors: channel and transmitter readings, receiver details, and the sync log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import random
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfFrequency,
    UnitOfTime,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .entity import MicboardEntity, MicboardServiceEntity
from .manufacturers import Channel, Receiver, SyncStatus, Transmitter
from .platform import async_add_new_entities
from .status import MicboardStatus, battery_bars, battery_percent, channel_status

# Level sensors write at most this often, unless the level jumps by LEVEL_JUMP_DB or more;
# moves smaller than LEVEL_DEADBAND_DB are meter noise and not written at all.
LEVEL_WRITE_INTERVAL = 5.0
LEVEL_JUMP_DB = 6
LEVEL_DEADBAND_DB = 2

ANTENNA_OPTIONS = ["a", "b", "ab"]
# Families whose transmitters report a TX offset / whose receivers report quality.
TX_OFFSET_FAMILIES = frozenset({"ulxd", "qlxd", "axient"})


def _tx(read: Callable[[Transmitter], StateType]) -> Callable[[Channel], StateType]:
    """A channel value that exists only while a transmitter is linked."""

    def value(channel: Channel) -> StateType:
        return read(channel.transmitter) if channel.transmitter else None

    return value


def _families(*families: str) -> Callable[[Receiver], bool]:
    return lambda receiver: receiver.family in families


def _antenna(channel: Channel) -> str | None:
    antenna = (channel.antenna or "").lower()
    return antenna if antenna in ANTENNA_OPTIONS else None


@dataclass(frozen=True, kw_only=True)
class MicboardChannelSensorDescription(SensorEntityDescription):
    """A sensor of a channel (or of the transmitter on it)."""

    value_fn: Callable[[Channel], StateType]
    exists_fn: Callable[[Receiver], bool] = lambda _: True
    # A meter reading: follows every SAMPLE rather than only the receiver's REPs.
    metered: bool = False
    # Paced so the recorder is not flooded (implies metered).
    level: bool = False
    # A paced level that is still written at once when it jumps by LEVEL_JUMP_DB.
    jumps: bool = False


@dataclass(frozen=True, kw_only=True)
class MicboardReceiverSensorDescription(SensorEntityDescription):
    """A sensor of a receiver."""

    value_fn: Callable[[Receiver], StateType]
    exists_fn: Callable[[Receiver], bool] = lambda _: True


@dataclass(frozen=True, kw_only=True)
class MicboardServiceSensorDescription(SensorEntityDescription):
    """A sensor of the manufacturer's service device."""

    value_fn: Callable[[MicboardCoordinator], StateType | datetime]
    attributes_fn: Callable[[MicboardCoordinator], dict[str, Any]] | None = None


CHANNEL_SENSORS: tuple[MicboardChannelSensorDescription, ...] = (
    MicboardChannelSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_tx(battery_percent),
    ),
    MicboardChannelSensorDescription(
        key="battery_bars",
        translation_key="battery_bars",
        entity_registry_enabled_default=False,
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_tx(battery_bars),
    ),
    MicboardChannelSensorDescription(
        key="battery_runtime",
        translation_key="battery_runtime",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=_tx(lambda tx: tx.battery_runtime_minutes),
    ),
    MicboardChannelSensorDescription(
        key="rf_level",
        translation_key="rf_level",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda channel: channel.rf_level_dbm if channel.transmitter else None,
        level=True,
        jumps=True,
    ),
    MicboardChannelSensorDescription(
        key="audio_level",
        translation_key="audio_level",
        native_unit_of_measurement="dBFS",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda channel: channel.audio_level_dbfs if channel.transmitter else None,
        level=True,
    ),
    MicboardChannelSensorDescription(
        key="frequency",
        translation_key="frequency",
        entity_category=EntityCategory.DIAGNOSTIC,
        device_class=SensorDeviceClass.FREQUENCY,
        native_unit_of_measurement=UnitOfFrequency.MEGAHERTZ,
        suggested_display_precision=3,
        value_fn=lambda channel: channel.frequency_mhz,
    ),
    MicboardChannelSensorDescription(
        key="transmitter_model",
        translation_key="transmitter_model",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_tx(lambda tx: tx.model),
    ),
    MicboardChannelSensorDescription(
        key="antenna",
        translation_key="antenna",
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.ENUM,
        options=ANTENNA_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_antenna,
        exists_fn=_families("ulxd", "qlxd", "axient", "slxdplus"),
        # Diversity switches antennas many times a second: throttle it like the meters.
        level=True,
    ),
    MicboardChannelSensorDescription(
        key="quality",
        translation_key="quality",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda channel: channel.quality if channel.transmitter else None,
        exists_fn=_families("axient"),
        metered=True,
    ),
    MicboardChannelSensorDescription(
        key="tx_offset",
        translation_key="tx_offset",
        entity_registry_enabled_default=False,
        native_unit_of_measurement="dB",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_tx(lambda tx: tx.tx_offset_db),
        exists_fn=lambda receiver: receiver.family in TX_OFFSET_FAMILIES,
    ),
)
STATUS_SENSOR = SensorEntityDescription(
    key="status",
    translation_key="status",
    device_class=SensorDeviceClass.ENUM,
    options=[str(status) for status in MicboardStatus],
)

RECEIVER_SENSORS: tuple[MicboardReceiverSensorDescription, ...] = (
    MicboardReceiverSensorDescription(
        key="firmware",
        translation_key="firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda receiver: receiver.firmware,
    ),
    MicboardReceiverSensorDescription(
        key="model",
        translation_key="model",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda receiver: receiver.model,
    ),
    MicboardReceiverSensorDescription(
        key="rf_band",
        translation_key="rf_band",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda receiver: receiver.rf_band,
        exists_fn=lambda receiver: receiver.rf_band is not None,
    ),
)


def _last_sync_errors(coordinator: MicboardCoordinator) -> dict[str, Any]:
    sync = coordinator.last_sync
    return {"error_message": sync.error_message if sync else None}


def _receiver_totals(coordinator: MicboardCoordinator) -> dict[str, Any]:
    return {"total": len(coordinator.data.receivers)}


SERVICE_SENSORS: tuple[MicboardServiceSensorDescription, ...] = (
    MicboardServiceSensorDescription(
        key="receivers_online",
        translation_key="receivers_online",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: sum(r.online for r in c.data.receivers.values()),
        attributes_fn=_receiver_totals,
    ),
    MicboardServiceSensorDescription(
        key="receivers_total",
        translation_key="receivers_total",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: len(c.data.receivers),
    ),
    MicboardServiceSensorDescription(
        key="last_sync",
        translation_key="last_sync",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda c: c.last_sync_time,
    ),
    MicboardServiceSensorDescription(
        key="last_sync_duration",
        translation_key="last_sync_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: c.last_sync.duration_seconds if c.last_sync else None,
    ),
    MicboardServiceSensorDescription(
        key="last_sync_status",
        translation_key="last_sync_status",
        device_class=SensorDeviceClass.ENUM,
        options=[str(status) for status in SyncStatus],
        value_fn=lambda c: str(c.last_sync.status) if c.last_sync else None,
    ),
    MicboardServiceSensorDescription(
        key="last_sync_errors",
        translation_key="last_sync_errors",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: c.last_sync.error_count if c.last_sync else None,
        attributes_fn=_last_sync_errors,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the sensors of every receiver and channel, now and as they appear."""
    coordinator = entry.runtime_data
    async_add_entities(
        MicboardServiceSensor(coordinator, description) for description in SERVICE_SENSORS
    )

    def receiver_entities(receiver: Receiver) -> list[SensorEntity]:
        return [
            MicboardReceiverSensor(coordinator, description, receiver.api_device_id)
            for description in RECEIVER_SENSORS
            if description.exists_fn(receiver)
        ]

    def channel_entities(receiver: Receiver, channel: Channel) -> list[SensorEntity]:
        entities: list[SensorEntity] = [
            (MicboardLevelSensor if description.level else MicboardChannelSensor)(
                coordinator, description, receiver.api_device_id, channel.index
            )
            for description in CHANNEL_SENSORS
            if description.exists_fn(receiver)
        ]
        entities.append(
            MicboardStatusSensor(coordinator, STATUS_SENSOR, receiver.api_device_id, channel.index)
        )
        return entities

    async_add_new_entities(entry, async_add_entities, receiver_entities, channel_entities)


class MicboardServiceSensor(MicboardServiceEntity, SensorEntity):
    """Receivers online and the sync log of the manufacturer."""

    entity_description: MicboardServiceSensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """The value from the coordinator."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details such as the last error message."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator)


class MicboardReceiverSensor(MicboardEntity, SensorEntity):
    """A receiver detail such as its firmware."""

    entity_description: MicboardReceiverSensorDescription

    # Details stay readable while the receiver is offline: they are still true.
    _available_offline = True

    @property
    def native_value(self) -> StateType:
        """The detail as last reported."""
        receiver = self.receiver
        return self.entity_description.value_fn(receiver) if receiver else None


class MicboardChannelSensor(MicboardEntity, SensorEntity):
    """A channel or transmitter reading."""

    entity_description: MicboardChannelSensorDescription

    def __init__(
        self,
        coordinator: MicboardCoordinator,
        description: MicboardChannelSensorDescription,
        receiver_id: str,
        channel_index: int,
    ) -> None:
        """Follow meter readings where the description shows one."""
        super().__init__(coordinator, description, receiver_id, channel_index)
        self._follows_meters = description.metered or description.level

    @property
    def native_value(self) -> StateType:
        """The reading; unknown while no transmitter is linked, for transmitter values."""
        channel = self.channel
        return self.entity_description.value_fn(channel) if channel else None


class MicboardLevelSensor(MicboardChannelSensor):
    """A metered value, paced for the recorder.

    At most one write per 5 s, and only for a move of 2 dB or more. Written at once: the value
    going or coming, and an RF level jump of 6 dB or more (a fading link is news). Audio is
    paced only: speech moves it by 6 dB many times a second.
    """

    _written_at: float = 0.0
    _unsub_trailing: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Start each meter's write window at a random point, so they do not all align."""
        await super().async_added_to_hass()
        self._written_at = self.hass.loop.time() - random.uniform(0, LEVEL_WRITE_INTERVAL)

    async def async_will_remove_from_hass(self) -> None:
        """Drop a pending delayed write."""
        self._cancel_trailing()
        await super().async_will_remove_from_hass()

    def _cancel_trailing(self) -> None:
        if self._unsub_trailing is not None:
            self._unsub_trailing()
            self._unsub_trailing = None

    def _fingerprint(self) -> tuple[Any, ...]:
        """The raw value: cheaper than the formatted state, and comparable in dB."""
        return (True, self.native_value) if self.available else (False,)

    @callback
    def _handle_coordinator_update(self) -> None:
        fingerprint = self._fingerprint()
        if fingerprint == self._written:
            return
        now = self.hass.loop.time()
        if self._urgent(fingerprint):
            self._write(fingerprint, now)
        elif self._worth_writing(fingerprint):
            due = self._written_at + LEVEL_WRITE_INTERVAL - now
            if due <= 0:
                self._write(fingerprint, now)
            elif self._unsub_trailing is None:
                # The latest level lands once the interval is over.
                self._unsub_trailing = async_call_later(self.hass, due, self._async_trailing)

    def _urgent(self, fingerprint: tuple[Any, ...]) -> bool:
        """Availability or known-ness changed, or an RF jump of LEVEL_JUMP_DB or more."""
        old = self._written
        if old is None or old[0] != fingerprint[0] or len(old) != len(fingerprint):
            return True
        before, now = old[1], fingerprint[1]
        if before is None or now is None:
            return True
        return (
            self.entity_description.jumps
            and isinstance(before, int | float)
            and isinstance(now, int | float)
            and abs(now - before) >= LEVEL_JUMP_DB
        )

    def _worth_writing(self, fingerprint: tuple[Any, ...]) -> bool:
        """A level must move LEVEL_DEADBAND_DB; a word (the antenna) must change."""
        old = self._written
        if old is None or len(old) != len(fingerprint):
            return True
        before, now = old[1], fingerprint[1]
        if isinstance(before, int | float) and isinstance(now, int | float):
            return abs(now - before) >= LEVEL_DEADBAND_DB
        return bool(before != now)

    @callback
    def _write(self, fingerprint: tuple[Any, ...], now: float) -> None:
        self._cancel_trailing()
        self._written = fingerprint
        self._written_at = now
        self.async_write_ha_state()

    @callback
    def _async_trailing(self, _now: datetime) -> None:
        self._unsub_trailing = None
        fingerprint = self._fingerprint()
        if fingerprint != self._written and self._worth_writing(fingerprint):
            self._write(fingerprint, self.hass.loop.time())


class MicboardStatusSensor(MicboardEntity, SensorEntity):
    """Micboard's status of a channel: battery band, lost transmitter or receiver, peak."""

    # An audio peak arrives with the meters.
    _follows_meters = True

    # Stays available while the receiver is offline: it then reads ``rx_com_error``.
    _available_offline = True

    @property
    def native_value(self) -> str | None:
        """The status now."""
        receiver = self.receiver
        channel = self.channel
        if receiver is None or channel is None:
            return None
        memory = self.coordinator.memory.get(self._listener_key)
        if memory is None:
            return None
        return str(
            channel_status(
                receiver_online=receiver.online,
                channel=channel,
                memory=memory,
                now=dt_util.utcnow(),
            )
        )
