"""Base entities: one per receiver, channel or the manufacturer's service device."""

from __future__ import annotations

from typing import Any

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import (
    CHANNEL_SEPARATOR,
    SERVICE_KEY,
    MicboardCoordinator,
    channel_identifier,
    receiver_identifier,
    service_identifier,
)
from .manufacturers.base import Channel, Receiver


class MicboardEntity(CoordinatorEntity[MicboardCoordinator]):
    """An entity of a receiver (``channel_index`` 0) or of one of its channels.

    It listens to its own receiver/channel only, so a meter reading wakes the entities of
    one channel rather than every entity of the show, and writes state only on a change.
    """

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: MicboardCoordinator,
        description: EntityDescription,
        receiver_id: str,
        channel_index: int = 0,
    ) -> None:
        """Bind the entity to its receiver or channel."""
        super().__init__(coordinator)
        self.entity_description = description
        self.receiver_id = receiver_id
        self.channel_index = channel_index
        manufacturer = coordinator.manufacturer
        suffix = f"{CHANNEL_SEPARATOR}{channel_index}" if channel_index else ""
        self._attr_unique_id = f"{manufacturer}:{receiver_id}{suffix}-{description.key}"
        ident = (
            channel_identifier(manufacturer, receiver_id, channel_index)
            if channel_index
            else receiver_identifier(manufacturer, receiver_id)
        )
        self._attr_device_info = DeviceInfo(identifiers={ident})
        self._written: tuple[Any, ...] | None = None

    async def async_added_to_hass(self) -> None:
        """Also listen to pushed changes of this receiver or channel."""
        await super().async_added_to_hass()
        # Home Assistant writes the first state itself right after this.
        self._written = self._fingerprint()
        self.async_on_remove(
            self.coordinator.async_add_channel_listener(
                (self.receiver_id, self.channel_index),
                self._handle_coordinator_update,
                meters=self._follows_meters,
            )
        )

    @property
    def receiver(self) -> Receiver | None:
        """The entity's receiver as last seen."""
        return self.coordinator.receiver(self.receiver_id)

    @property
    def channel(self) -> Channel | None:
        """The entity's channel as last seen (None for receiver entities)."""
        receiver = self.receiver
        return receiver.channel(self.channel_index) if receiver else None

    # Whether the entity still means something while its receiver is unreachable.
    _available_offline = False
    # Whether the entity shows a meter reading (or depends on one, like the peak status).
    _follows_meters = False

    @property
    def available(self) -> bool:
        """Channel values are unavailable while their receiver is unreachable."""
        receiver = self.receiver
        if receiver is None or not super().available:
            return False
        return receiver.online or self._available_offline

    def _fingerprint(self) -> tuple[Any, ...]:
        """What the entity would write; unchanged means no state write is needed."""
        available = self.available
        if not available:
            return (False,)
        return (True, self.state, self.extra_state_attributes)

    @callback
    def _handle_coordinator_update(self) -> None:
        fingerprint = self._fingerprint()
        if fingerprint != self._written:
            self._written = fingerprint
            self.async_write_ha_state()


class MicboardServiceEntity(CoordinatorEntity[MicboardCoordinator]):
    """An entity of the manufacturer's service device (sync log, receivers online)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: MicboardCoordinator, description: EntityDescription) -> None:
        """Bind the entity to the service device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.manufacturer}-{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={service_identifier(coordinator.manufacturer)}
        )

    async def async_added_to_hass(self) -> None:
        """Also follow receivers going on- and offline, and every poll."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_channel_listener(
                SERVICE_KEY, self._handle_coordinator_update
            )
        )
