"""Event entities: a receiver's or channel's lifecycle, for the logbook and automations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .charger_entities import EVENT_KINDS, async_add_charger_entities
from .coordinator import MicboardConfigEntry
from .entity import MicboardEntity, MicboardEntityDescription
from .entity_setup import ChannelEntities, ReceiverEntities, async_add_new_entities
from .lifecycle import LifecycleEvent

# Parallel updates do not apply: every entity is pushed, none polls.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MicboardEventEntityDescription(MicboardEntityDescription, EventEntityDescription):
    """The lifecycle events of a receiver or a channel."""


RECEIVER_EVENTS = (
    MicboardEventEntityDescription(
        key="receiver_events",
        translation_key="receiver_events",
        # The lifecycle event itself is the Activity line; the entity's own state change
        # would repeat it. Enable it for state or event-entity triggers.
        entity_registry_enabled_default=False,
        event_types=["device_discovered", "device_online", "device_offline", "device_updated"],
    ),
)
CHANNEL_EVENTS = (
    MicboardEventEntityDescription(
        key="transmitter_events",
        translation_key="transmitter_events",
        entity_registry_enabled_default=False,
        event_types=["device_online", "device_offline", "device_updated"],
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One event entity per receiver and per channel."""
    coordinator = entry.runtime_data

    async_add_new_entities(
        entry,
        async_add_entities,
        [
            ReceiverEntities(
                RECEIVER_EVENTS,
                lambda description, receiver: MicboardEventEntity(
                    coordinator, description, receiver.api_device_id
                ),
            )
        ],
        [
            ChannelEntities(
                CHANNEL_EVENTS,
                lambda description, receiver, channel: MicboardEventEntity(
                    coordinator, description, receiver.api_device_id, channel.index
                ),
            )
        ],
    )
    async_add_charger_entities(entry, async_add_entities, EVENT_KINDS)


class MicboardEventEntity(MicboardEntity, EventEntity):
    """Fires on the lifecycle events of its receiver or channel."""

    # The last event is worth showing while the receiver is offline too.
    _available_offline = True

    @override
    async def async_added_to_hass(self) -> None:
        """Subscribe to lifecycle events; replay a discovery that created this entity."""
        await super().async_added_to_hass()
        key = self._listener_key
        if (pending := self.coordinator.announcer.pending_discovered.pop(key, None)) is not None:
            self._on_event(pending)

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
        event_type = event.event_type.removeprefix("micboard_")
        if event_type not in self.event_types:
            return
        data = {key: value for key, value in event.extra.items() if key != "device_data"}
        self._trigger_event(event_type, data)
        self.async_write_ha_state()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Only availability follows the coordinator; the state is the last event."""
        available = self.available
        if self._written != (available,):
            self._written = (available,)
            self.async_write_ha_state()
