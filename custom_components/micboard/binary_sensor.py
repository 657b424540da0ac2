"""Binary sensors: receiver connectivity, transmitter on, transmitter locks and mute."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MicboardConfigEntry
from .entity import MicboardEntity
from .manufacturers import Channel, Receiver
from .platform import async_add_new_entities


@dataclass(frozen=True, kw_only=True)
class MicboardChannelBinarySensorDescription(BinarySensorEntityDescription):
    """A yes/no fact about a channel or its transmitter."""

    value_fn: Callable[[Channel], bool | None]
    exists_fn: Callable[[Receiver], bool] = lambda _: True


CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)

CHANNEL_BINARY_SENSORS: tuple[MicboardChannelBinarySensorDescription, ...] = (
    MicboardChannelBinarySensorDescription(
        key="transmitter",
        translation_key="transmitter",
        value_fn=lambda channel: channel.transmitter is not None,
    ),
    MicboardChannelBinarySensorDescription(
        key="power_lock",
        translation_key="power_lock",
        entity_registry_enabled_default=False,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda channel: channel.transmitter.power_lock if channel.transmitter else None,
        exists_fn=lambda receiver: receiver.family in ("ulxd", "qlxd", "axient"),
    ),
    MicboardChannelBinarySensorDescription(
        key="transmitter_mute",
        translation_key="transmitter_mute",
        value_fn=lambda channel: channel.transmitter.mute if channel.transmitter else None,
        exists_fn=lambda receiver: receiver.family in ("ulxd", "axient"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the binary sensors of every receiver and channel, now and as they appear."""
    coordinator = entry.runtime_data

    def receiver_entities(receiver: Receiver) -> list[BinarySensorEntity]:
        return [ReceiverConnectivity(coordinator, CONNECTIVITY, receiver.api_device_id)]

    def channel_entities(receiver: Receiver, channel: Channel) -> list[BinarySensorEntity]:
        return [
            ChannelBinarySensor(coordinator, description, receiver.api_device_id, channel.index)
            for description in CHANNEL_BINARY_SENSORS
            if description.exists_fn(receiver)
        ]

    async_add_new_entities(entry, async_add_entities, receiver_entities, channel_entities)


class ReceiverConnectivity(MicboardEntity, BinarySensorEntity):
    """On while the receiver answers; stays available and reads off when it does not."""

    # Available whenever the receiver is known, so the drop shows in the history.
    _available_offline = True

    @property
    def is_on(self) -> bool:
        """Whether the receiver is connected."""
        receiver = self.receiver
        return receiver is not None and receiver.online


class ChannelBinarySensor(MicboardEntity, BinarySensorEntity):
    """A yes/no fact about a channel or its transmitter."""

    entity_description: MicboardChannelBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """The fact; unknown where it depends on a transmitter that is not linked."""
        channel = self.channel
        return self.entity_description.value_fn(channel) if channel else None
