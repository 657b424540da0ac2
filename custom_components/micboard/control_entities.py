"""What the control platforms (button, text, switch, number) share.

Control entities exist only while the entry allows changes; with the option off, a set-up
removes those an earlier one registered. Each entity is built where its description's
capability says the model has the control (``MicboardEntityDescription``), and every
change goes through ``controls.async_change``: sent, confirmed by the device, attributed.
Their state is what the device last reported, never what was asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .charger_entities import MicboardChargerEntity
from .controls import async_change, changes_allowed, device_label
from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .entity import MicboardEntity, MicboardEntityDescription
from .entity_setup import ChannelEntities, async_add_new_entities


@callback
def async_controls_wanted(entry: MicboardConfigEntry, platform: str) -> bool:
    """Whether the platform adds controls; if not, its earlier entities are removed."""
    if changes_allowed(entry):
        return True
    registry = er.async_get(entry.runtime_data.hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.domain == platform:
            registry.async_remove(entity.entity_id)
    return False


@callback
def async_setup_channel_controls[D: MicboardEntityDescription](
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    platform: str,
    description: D,
    build: Callable[[MicboardCoordinator, D, str, int], Entity],
) -> None:
    """A platform's one channel control, for every channel whose model has it."""
    if not async_controls_wanted(entry, platform):
        return
    coordinator = entry.runtime_data
    async_add_new_entities(
        entry,
        async_add_entities,
        [],
        [
            ChannelEntities(
                [description],
                lambda description, receiver, channel: build(
                    coordinator, description, receiver.api_device_id, channel.index
                ),
            )
        ],
    )


class MicboardControlEntity(MicboardEntity):
    """A control of a receiver (index 0) or one of its channels."""

    async def _async_change[T](
        self,
        call: Callable[[], Awaitable[T]],
        *,
        fields: frozenset[str] = frozenset(),
        value: str = "",
    ) -> T:
        """Send a change; it returns once the device confirmed it (else a translated error)."""
        return await async_change(
            self.coordinator,
            call,
            key=self._listener_key,
            device=device_label(self.coordinator, self._listener_key),
            context=self._context,
            fields=fields,
            value=value,
        )


class MicboardChargerControlEntity(MicboardChargerEntity):
    """A control of a charger."""

    async def _async_change[T](self, call: Callable[[], Awaitable[T]]) -> T:
        """Send a change; it returns once the charger confirmed it."""
        return await async_change(
            self.coordinator,
            call,
            key=self._listener_key,
            device=device_label(self.coordinator, self._listener_key, bay=True),
            context=self._context,
        )
