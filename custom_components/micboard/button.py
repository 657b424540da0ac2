"""Buttons: identify a receiver, a channel or a charger (with *Allow changes to receivers*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .charger_entities import ChargerKinds, async_add_charger_entities
from .control_entities import (
    MicboardChargerControlEntity,
    MicboardControlEntity,
    async_controls_wanted,
)
from .coordinator import MicboardConfigEntry
from .entity import MicboardEntityDescription
from .entity_setup import ChannelEntities, ReceiverEntities, async_add_new_entities
from .manufacturers import Capability

# Changes go one at a time per entity; the device confirms each.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MicboardButtonDescription(MicboardEntityDescription, ButtonEntityDescription):
    """A button of a receiver, a channel or a charger."""


# The device shows where it is (it flashes its display or lights), where it has the capability.
RECEIVER_IDENTIFY = MicboardButtonDescription(
    key="identify",
    device_class=ButtonDeviceClass.IDENTIFY,
    entity_category=EntityCategory.CONFIG,
    capability=Capability.IDENTIFY,
)
CHANNEL_IDENTIFY = MicboardButtonDescription(
    key="identify",
    device_class=ButtonDeviceClass.IDENTIFY,
    entity_category=EntityCategory.CONFIG,
    capability=Capability.CHANNEL_IDENTIFY,
)
CHARGER_IDENTIFY = MicboardButtonDescription(
    key="identify",
    device_class=ButtonDeviceClass.IDENTIFY,
    entity_category=EntityCategory.CONFIG,
    capability=Capability.IDENTIFY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Identify buttons for every receiver, channel and charger that has one."""
    if not async_controls_wanted(entry, Platform.BUTTON):
        return
    coordinator = entry.runtime_data
    async_add_new_entities(
        entry,
        async_add_entities,
        [
            ReceiverEntities(
                [RECEIVER_IDENTIFY],
                lambda description, receiver: IdentifyButton(
                    coordinator, description, receiver.api_device_id
                ),
            )
        ],
        [
            ChannelEntities(
                [CHANNEL_IDENTIFY],
                lambda description, receiver, channel: IdentifyButton(
                    coordinator, description, receiver.api_device_id, channel.index
                ),
            )
        ],
    )
    async_add_charger_entities(
        entry,
        async_add_entities,
        ChargerKinds(
            charger=lambda coordinator, charger: (
                [ChargerIdentifyButton(coordinator, CHARGER_IDENTIFY, charger.api_device_id)]
                if CHARGER_IDENTIFY.capability in charger.capabilities
                else []
            )
        ),
    )


class IdentifyButton(MicboardControlEntity, ButtonEntity):
    """Make a receiver (or one of its channels) show where it is."""

    @override
    async def async_press(self) -> None:
        """Identify; returns once the receiver confirmed it."""
        backend = self.coordinator.backend
        await self._async_change(lambda: backend.identify(self.receiver_id, self.channel_index))


class ChargerIdentifyButton(MicboardChargerControlEntity, ButtonEntity):
    """Make a charger show where it is."""

    @override
    async def async_press(self) -> None:
        """Identify; returns once the charger confirmed it."""
        backend = self.coordinator.backend
        await self._async_change(lambda: backend.identify(self.charger_id))
