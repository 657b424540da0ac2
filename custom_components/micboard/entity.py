"""Base entities (one per receiver, channel or service device) and their description base."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity, EntityDescription

from .coordinator import MicboardCoordinator
from .identifiers import SERVICE_KEY, ChannelKey, unique_id
from .manufacturers import Capability, Channel, Receiver


@dataclass(frozen=True, kw_only=True)
class MicboardEntityDescription(EntityDescription):
    """What every Micboard entity description says beyond Home Assistant's own."""

    # The entity exists only on receivers with this capability.
    capability: Capability | None = None
    # Any further condition on the receiver (say, that it reports an RF band).
    exists_fn: Callable[[Receiver], bool] = lambda _: True
    # Created only with the "detail entities" option: what a show rarely looks at. Every
    # entity costs memory in Home Assistant even while disabled (about 4 KB in the entity
    # registry, 13 KB enabled), so at 400 channels these would add tens of MB.
    detail: bool = False

    def exists(self, receiver: Receiver) -> bool:
        """Whether this entity exists for ``receiver``."""
        if self.capability is not None and self.capability not in receiver.capabilities:
            return False
        return self.exists_fn(receiver)


class _CoordinatedEntity(Entity):
    """An entity kept current by the coordinator's keyed listeners.

    Not a ``CoordinatorEntity``: that registers a second listener (and a closure) per entity
    with the coordinator, and a show has thousands of entities. The coordinator calls
    ``_handle_coordinator_update`` after every full refresh and on pushed changes of the
    entity's receiver or channel; it writes state only when what it shows changed.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    # Whether the entity shows a meter reading (or depends on one, like the peak status).
    _follows_meters = False
    _written: tuple[Any, ...] | None = None

    def __init__(
        self, coordinator: MicboardCoordinator, description: EntityDescription, key: ChannelKey
    ) -> None:
        """Bind the entity to the coordinator's listeners at ``key``."""
        self.coordinator = coordinator
        self.entity_description = description
        # (receiver api id, channel index), or SERVICE_KEY: also the key of the channel's
        # lifecycle events and status memory.
        self._listener_key = key
        self._attr_unique_id = unique_id(coordinator.manufacturer, key, description.key)
        self._attr_device_info = coordinator.links.device_info(key)

    @property
    @override
    def available(self) -> bool:
        """Unavailable while the last full refresh failed."""
        return self.coordinator.last_update_success

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator."""
        await super().async_added_to_hass()
        # Home Assistant writes the first state itself right after this.
        self._written = self._fingerprint()
        self._listen()

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Stop listening."""
        self._unlisten()
        await super().async_will_remove_from_hass()

    def _listen(self) -> None:
        """Register with the coordinator under the entity's key."""
        self.coordinator.links.listeners.add(self._listener_key, self._handle_coordinator_update)
        if self._follows_meters:
            self.coordinator.links.meter_listeners.add(
                self._listener_key, self._handle_coordinator_update
            )

    def _unlisten(self) -> None:
        """Undo ``_listen``."""
        self.coordinator.links.listeners.remove(self._listener_key, self._handle_coordinator_update)
        self.coordinator.links.meter_listeners.remove(
            self._listener_key, self._handle_coordinator_update
        )

    async def async_update(self) -> None:
        """``homeassistant.update_entity``: a full refresh of the manufacturer's receivers."""
        await self.coordinator.async_request_refresh()

    def _fingerprint(self) -> tuple[Any, ...]:
        """What the entity would write; unchanged means no state write is needed."""
        if not self.available:
            return (False,)
        return (True, self.state, self.extra_state_attributes)

    @callback
    def _handle_coordinator_update(self) -> None:
        fingerprint = self._fingerprint()
        if fingerprint != self._written:
            self._written = fingerprint
            self.async_write_ha_state()


class MicboardEntity(_CoordinatedEntity):
    """An entity of a receiver (``channel_index`` 0) or of one of its channels.

    It listens to its own receiver/channel only, so a meter reading wakes the entities of
    one channel rather than every entity of the show.
    """

    # Whether the entity still means something while its receiver is unreachable.
    _available_offline = False

    def __init__(
        self,
        coordinator: MicboardCoordinator,
        description: EntityDescription,
        receiver_id: str,
        channel_index: int = 0,
    ) -> None:
        """Bind the entity to its receiver or channel."""
        super().__init__(coordinator, description, (receiver_id, channel_index))
        self.receiver_id = receiver_id
        self.channel_index = channel_index

    @override
    def _listen(self) -> None:
        super()._listen()
        self.coordinator.links.moves.add(self.receiver_id, self._async_receiver_moved)

    @override
    def _unlisten(self) -> None:
        super()._unlisten()
        self.coordinator.links.moves.remove(self.receiver_id, self._async_receiver_moved)

    @callback
    def _async_receiver_moved(self, new_id: str, merged: bool) -> None:
        """The receiver is known by a new id now (host:port became its MAC).

        The entity follows it under the same entity id. Where an earlier run's entity of
        the new id exists (``merged``), that one takes over and this one goes.
        """
        if merged:
            # The earlier run's entity takes over; removing this one's registry entry (if
            # its device's removal did not already) removes the entity as well.
            self._unlisten()
            registry = er.async_get(self.hass)
            if registry.async_get(self.entity_id) is not None:
                registry.async_remove(self.entity_id)
            return
        self._unlisten()
        self.receiver_id = new_id
        self._listener_key = (new_id, self.channel_index)
        self._attr_unique_id = unique_id(
            self.coordinator.manufacturer, self._listener_key, self.entity_description.key
        )
        self._attr_device_info = self.coordinator.links.device_info(self._listener_key)
        # The registry update writes the state itself; the next change must be written.
        self._written = None
        if self.registry_entry is not None:
            er.async_get(self.hass).async_update_entity(
                self.entity_id, new_unique_id=self._attr_unique_id
            )
        self._listen()

    @property
    def receiver(self) -> Receiver | None:
        """The entity's receiver as last seen."""
        return self.coordinator.receiver(self.receiver_id)

    @property
    def channel(self) -> Channel | None:
        """The entity's channel as last seen (None for receiver entities)."""
        receiver = self.receiver
        return receiver.channel(self.channel_index) if receiver else None

    @property
    @override
    def available(self) -> bool:
        """Channel values are unavailable while their receiver is unreachable."""
        receiver = self.receiver
        if receiver is None or not super().available:
            return False
        return receiver.online or self._available_offline


class MicboardServiceEntity(_CoordinatedEntity):
    """An entity of the manufacturer's service device (sync log, receivers online).

    It is woken after every poll, and whenever a receiver goes on- or offline.
    """

    def __init__(self, coordinator: MicboardCoordinator, description: EntityDescription) -> None:
        """Bind the entity to the service device."""
        super().__init__(coordinator, description, SERVICE_KEY)
