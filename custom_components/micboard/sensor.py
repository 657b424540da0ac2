"""Sensors: channel and transmitter readings, receiver details, and the sync log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import random
from typing import Any, override

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

from .charger_entities import SENSOR_KINDS, async_add_charger_entities
from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .entity import MicboardEntity, MicboardEntityDescription, MicboardServiceEntity
from .entity_setup import ChannelEntities, ReceiverEntities, async_add_new_entities
from .manufacturers import Capability, Channel, Receiver, SyncStatus, Transmitter
from .pacing import PacingPolicy, Reading, write_delay
from .status import MicboardStatus, battery_bars, battery_percent, channel_status

# Parallel updates do not apply: every entity is pushed, none polls.
PARALLEL_UPDATES = 0

ANTENNA_OPTIONS = ["a", "b", "ab"]

# The board streams live meters; these sensors keep history for the recorder and
# automations: at most one paced write per 30 s each (README, Performance). RF: a fade (or a
# recovery) of 8 dB against what was written is news, written at once, so a 10 dB fade lands
# within the second even when the meter's noise (about 1.5 dB) moved the written value; the
# 3 dB deadband keeps that noise out. Audio is paced only: speech moves it by 10 dB many
# times a second (a 6 dB deadband). The antenna is a word: diversity switches many times a
# second. A link-quality drop of 20 points is news like an RF fade.
RF_PACING = PacingPolicy(interval=30.0, deadband=3.0, jump=8.0)
AUDIO_PACING = PacingPolicy(interval=30.0, deadband=6.0)
ANTENNA_PACING = PacingPolicy(interval=30.0)
QUALITY_PACING = PacingPolicy(interval=30.0, deadband=5.0, jump=20.0)


def _tx(read: Callable[[Transmitter], StateType]) -> Callable[[Channel], StateType]:
    """A channel value that exists only while a transmitter is linked."""

    def value(channel: Channel) -> StateType:
        return read(channel.transmitter) if channel.transmitter else None

    return value


def _antenna(channel: Channel) -> str | None:
    antenna = (channel.antenna or "").lower()
    return antenna if antenna in ANTENNA_OPTIONS else None


@dataclass(frozen=True, kw_only=True)
class MicboardChannelSensorDescription(MicboardEntityDescription, SensorEntityDescription):
    """A sensor of a channel (or of the transmitter on it)."""

    value_fn: Callable[[Channel], StateType]
    # A meter reading: follows every meter push rather than only the settings changes.
    metered: bool = False
    # Paced so the recorder is not flooded (implies metered).
    pacing: PacingPolicy | None = None


@dataclass(frozen=True, kw_only=True)
class MicboardReceiverSensorDescription(MicboardEntityDescription, SensorEntityDescription):
    """A sensor of a receiver."""

    value_fn: Callable[[Receiver], StateType]


@dataclass(frozen=True, kw_only=True)
class MicboardStatusSensorDescription(MicboardEntityDescription, SensorEntityDescription):
    """The Micboard status of a channel."""


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
        detail=True,
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
        capability=Capability.RF_LEVEL,
        pacing=RF_PACING,
    ),
    MicboardChannelSensorDescription(
        key="audio_level",
        translation_key="audio_level",
        native_unit_of_measurement="dBFS",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda channel: channel.audio_level_dbfs if channel.transmitter else None,
        capability=Capability.AUDIO_LEVEL,
        detail=True,
        pacing=AUDIO_PACING,
    ),
    MicboardChannelSensorDescription(
        key="frequency",
        translation_key="frequency",
        entity_category=EntityCategory.DIAGNOSTIC,
        device_class=SensorDeviceClass.FREQUENCY,
        native_unit_of_measurement=UnitOfFrequency.MEGAHERTZ,
        suggested_display_precision=3,
        detail=True,
        value_fn=lambda channel: channel.frequency_mhz,
    ),
    MicboardChannelSensorDescription(
        key="transmitter_model",
        translation_key="transmitter_model",
        entity_category=EntityCategory.DIAGNOSTIC,
        detail=True,
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
        capability=Capability.ANTENNA,
        detail=True,
        # Diversity switches antennas many times a second: pace it like the meters.
        pacing=ANTENNA_PACING,
    ),
    MicboardChannelSensorDescription(
        key="quality",
        translation_key="quality",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda channel: channel.quality if channel.transmitter else None,
        capability=Capability.QUALITY,
        metered=True,
    ),
    MicboardChannelSensorDescription(
        key="rf_quality",
        translation_key="rf_quality",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda channel: channel.rf_quality_percent if channel.transmitter else None,
        capability=Capability.RF_QUALITY,
        pacing=QUALITY_PACING,
    ),
    MicboardChannelSensorDescription(
        key="tx_offset",
        translation_key="tx_offset",
        entity_registry_enabled_default=False,
        native_unit_of_measurement="dB",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_tx(lambda tx: tx.tx_offset_db),
        capability=Capability.TX_OFFSET,
        detail=True,
    ),
)
STATUS_SENSORS = (
    MicboardStatusSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[str(status) for status in MicboardStatus],
    ),
)

RECEIVER_SENSORS: tuple[MicboardReceiverSensorDescription, ...] = (
    MicboardReceiverSensorDescription(
        key="firmware",
        translation_key="firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        detail=True,
        value_fn=lambda receiver: receiver.firmware,
    ),
    MicboardReceiverSensorDescription(
        key="model",
        translation_key="model",
        entity_category=EntityCategory.DIAGNOSTIC,
        detail=True,
        value_fn=lambda receiver: receiver.model,
    ),
    MicboardReceiverSensorDescription(
        key="rf_band",
        translation_key="rf_band",
        entity_category=EntityCategory.DIAGNOSTIC,
        detail=True,
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

    async_add_new_entities(
        entry,
        async_add_entities,
        [
            ReceiverEntities(
                RECEIVER_SENSORS,
                lambda description, receiver: MicboardReceiverSensor(
                    coordinator, description, receiver.api_device_id
                ),
            )
        ],
        [
            ChannelEntities(
                CHANNEL_SENSORS,
                lambda description, receiver, channel: (
                    MicboardLevelSensor if description.pacing else MicboardChannelSensor
                )(coordinator, description, receiver.api_device_id, channel.index),
            ),
            ChannelEntities(
                STATUS_SENSORS,
                lambda description, receiver, channel: MicboardStatusSensor(
                    coordinator, description, receiver.api_device_id, channel.index
                ),
            ),
        ],
    )
    async_add_charger_entities(entry, async_add_entities, SENSOR_KINDS)


class MicboardServiceSensor(MicboardServiceEntity, SensorEntity):
    """Receivers online and the sync log of the manufacturer."""

    entity_description: MicboardServiceSensorDescription

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The value from the coordinator."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    @override
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
    @override
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
        self._follows_meters = description.metered or description.pacing is not None

    @property
    @override
    def native_value(self) -> StateType:
        """The reading; unknown while no transmitter is linked, for transmitter values."""
        channel = self.channel
        return self.entity_description.value_fn(channel) if channel else None


class MicboardLevelSensor(MicboardChannelSensor):
    """A metered value, written as its description's ``PacingPolicy`` says (see ``pacing``)."""

    _written_at: float = 0.0
    _unsub_trailing: CALLBACK_TYPE | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Start each meter's write window at a random point, so they do not all align."""
        await super().async_added_to_hass()
        interval = self._policy.interval
        self._written_at = self.hass.loop.time() - random.uniform(0, interval)

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Drop a pending delayed write."""
        self._cancel_trailing()
        await super().async_will_remove_from_hass()

    @property
    def _policy(self) -> PacingPolicy:
        return self.entity_description.pacing or AUDIO_PACING

    def _cancel_trailing(self) -> None:
        if self._unsub_trailing is not None:
            self._unsub_trailing()
            self._unsub_trailing = None

    @override
    def _fingerprint(self) -> tuple[Any, ...]:
        """The raw value: cheaper than the formatted state, and comparable in dB."""
        return (True, self.native_value) if self.available else (False, None)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        reading = self._fingerprint()
        now = self.hass.loop.time()
        delay = write_delay(self._policy, self._written_pair, reading, now - self._written_at)
        if delay is None:
            return
        if delay <= 0:
            self._write(reading, now)
        elif self._unsub_trailing is None:
            # The latest level lands once the interval is over.
            self._unsub_trailing = async_call_later(self.hass, delay, self._async_trailing)

    @property
    def _written_pair(self) -> Reading | None:
        written = self._written
        return None if written is None else (written[0], written[1])

    @callback
    def _write(self, reading: Reading, now: float) -> None:
        self._cancel_trailing()
        self._written = reading
        self._written_at = now
        self.async_write_ha_state()

    @callback
    def _async_trailing(self, _now: datetime) -> None:
        self._unsub_trailing = None
        reading = self._fingerprint()
        now = self.hass.loop.time()
        delay = write_delay(self._policy, self._written_pair, reading, now - self._written_at)
        if delay is not None:
            self._write(reading, now)


class MicboardStatusSensor(MicboardEntity, SensorEntity):
    """Micboard's status of a channel: battery band, lost transmitter or receiver, peak."""

    # An audio peak arrives with the meters.
    _follows_meters = True

    # Stays available while the receiver is offline: it then reads ``rx_com_error``.
    _available_offline = True

    @property
    @override
    def native_value(self) -> str | None:
        """The status now."""
        receiver = self.receiver
        channel = self.channel
        if receiver is None or channel is None:
            return None
        memory = self.coordinator.status.memory.get(self._listener_key)
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
