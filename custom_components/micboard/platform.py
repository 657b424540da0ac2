"""Entities for receivers and channels that appear while the entry is loaded."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_DETAIL_ENTITIES, DETAIL_KEYS
from .coordinator import MicboardConfigEntry
from .lifecycle import has_answered
from .manufacturers import Channel, Receiver


@callback
def async_add_new_entities[E: Entity](
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    receiver_entities: Callable[[Receiver], Sequence[E]],
    channel_entities: Callable[[Receiver, Channel], Sequence[E]],
) -> None:
    """Add entities for every receiver and channel now, and for new ones as they appear.

    Receivers that never answered get entities once they do: until then nothing is known
    about their model, channels or identity. Detail entities (``DETAIL_KEYS``) are left out
    unless the entry's options ask for them.
    """
    coordinator = entry.runtime_data
    seen: set[tuple[str, int]] = set()
    detail = entry.options.get(CONF_DETAIL_ENTITIES, False)

    @callback
    def add_new() -> None:
        new: list[E] = []
        for receiver in coordinator.data.receivers.values():
            if not has_answered(receiver):
                continue
            if (receiver.api_device_id, 0) not in seen:
                seen.add((receiver.api_device_id, 0))
                new.extend(receiver_entities(receiver))
            for channel in receiver.channels:
                if (receiver.api_device_id, channel.index) not in seen:
                    seen.add((receiver.api_device_id, channel.index))
                    new.extend(channel_entities(receiver, channel))
        if not detail:
            new = [entity for entity in new if entity.entity_description.key not in DETAIL_KEYS]
        if new:
            async_add_entities(new)

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))


@callback
def async_remove_detail_entities(hass: HomeAssistant, entry: MicboardConfigEntry) -> None:
    """Without the detail option, forget detail entities an earlier set-up registered."""
    if entry.options.get(CONF_DETAIL_ENTITIES, False):
        return
    registry = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.unique_id.rpartition("-")[2] in DETAIL_KEYS:
            registry.async_remove(entity.entity_id)
