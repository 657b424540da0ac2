"""Binary sensors: receiver connectivity, transmitter on, transmitter locks and mute."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .charger_entities import BINARY_SENSOR_KINDS, async_add_charger_entities
from .coordinator import MicboardConfigEntry
from .entity import MicboardEntity, MicboardEntityDescription
from .entity_setup import ChannelEntities, ReceiverEntities, async_add_new_entities
from .manufacturers import Capability, Channel

# Parallel updates do not apply: every entity is pushed, none polls.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MicboardChannelBinarySensorDescription(
    MicboardEntityDescription, BinarySensorEntityDescription
):
    """A yes/no fact about a channel or its transmitter."""

    value_fn: Callable[[Channel], bool | None]


@dataclass(frozen=True, kw_only=True)
class MicboardReceiverBinarySensorDescription(
    MicboardEntityDescription, BinarySensorEntityDescription
):
    """A yes/no fact about a receiver."""


RECEIVER_BINARY_SENSORS = (
    MicboardReceiverBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
    ),
)

CHANNEL_BINARY_SENSORS: tuple[MicboardChannelBinarySensorDescription, ...] = (
    MicboardChannelBinarySensorDescription(
        key="transmitter",
        translation_key="transmitter",
        # It restates the transmitter's online/offline event (and the status's prev_*),
        # which would be a second Activity line for the same transition.
        entity_registry_enabled_default=False,
        value_fn=lambda channel: channel.transmitter is not None,
    ),
    MicboardChannelBinarySensorDescription(
        key="power_lock",
        translation_key="power_lock",
        entity_registry_enabled_default=False,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda channel: channel.transmitter.power_lock if channel.transmitter else None,
        capability=Capability.POWER_LOCK,
        detail=True,
    ),
    MicboardChannelBinarySensorDescription(
        key="transmitter_mute",
        translation_key="transmitter_mute",
        # Goes unknown with every transmitter switched off: a third Activity line.
        entity_registry_enabled_default=False,
        value_fn=lambda channel: channel.transmitter.mute if channel.transmitter else None,
        capability=Capability.TX_MUTE,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the binary sensors of every receiver and channel, now and as they appear."""
    coordinator = entry.runtime_data

    async_add_new_entities(
        entry,
        async_add_entities,
        [
            ReceiverEntities(
                RECEIVER_BINARY_SENSORS,
                lambda description, receiver: ReceiverConnectivity(
                    coordinator, description, receiver.api_device_id
                ),
            )
        ],
        [
            ChannelEntities(
                CHANNEL_BINARY_SENSORS,
                lambda description, receiver, channel: ChannelBinarySensor(
                    coordinator, description, receiver.api_device_id, channel.index
                ),
            )
        ],
    )
    async_add_charger_entities(entry, async_add_entities, BINARY_SENSOR_KINDS)


class ReceiverConnectivity(MicboardEntity, BinarySensorEntity):
    """On while the receiver answers; stays available and reads off when it does not."""

    # Available whenever the receiver is known, so the drop shows in the history.
    _available_offline = True

    @property
    @override
    def is_on(self) -> bool:
        """Whether the receiver is connected."""
        receiver = self.receiver
        return receiver is not None and receiver.online


class ChannelBinarySensor(MicboardEntity, BinarySensorEntity):
    """A yes/no fact about a channel or its transmitter."""

    entity_description: MicboardChannelBinarySensorDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """The fact; unknown where it depends on a transmitter that is not linked."""
        channel = self.channel
        return self.entity_description.value_fn(channel) if channel else None
