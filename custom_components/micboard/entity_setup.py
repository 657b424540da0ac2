"""Adding entities for receivers and channels as they appear while the entry is loaded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_DETAIL_ENTITIES
from .coordinator import MicboardConfigEntry
from .entity import MicboardEntityDescription
from .identifiers import description_key
from .manufacturers import Channel, Receiver


@dataclass(frozen=True, slots=True)
class ReceiverEntities[D: MicboardEntityDescription]:
    """Descriptions of a receiver's entities and how to build one."""

    descriptions: Sequence[D]
    build: Callable[[D, Receiver], Entity]


@dataclass(frozen=True, slots=True)
class ChannelEntities[D: MicboardEntityDescription]:
    """Descriptions of a channel's entities and how to build one."""

    descriptions: Sequence[D]
    build: Callable[[D, Receiver, Channel], Entity]


@callback
def async_add_new_entities(
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    receiver_kinds: Sequence[ReceiverEntities[Any]],
    channel_kinds: Sequence[ChannelEntities[Any]],
) -> None:
    """Add entities for every receiver and channel now, and for new ones as they appear.

    Receivers that never answered get entities once they do: until then nothing is known
    about their model, channels or identity. A description is built only where it exists
    for the receiver's capabilities, and detail descriptions only with the detail option
    (whose entities an earlier set-up registered are forgotten when it is off).
    """
    coordinator = entry.runtime_data
    detail = entry.options.get(CONF_DETAIL_ENTITIES, False)
    if not detail:
        _async_forget_detail(entry, [*receiver_kinds, *channel_kinds])
    seen: set[tuple[str, int]] = set()

    def wanted(description: MicboardEntityDescription, receiver: Receiver) -> bool:
        return (detail or not description.detail) and description.exists(receiver)

    @callback
    def add_new() -> None:
        new: list[Entity] = []
        for receiver in coordinator.data.receivers.values():
            if not receiver.identified:
                continue
            if (receiver.api_device_id, 0) not in seen:
                seen.add((receiver.api_device_id, 0))
                new.extend(
                    kind.build(description, receiver)
                    for kind in receiver_kinds
                    for description in kind.descriptions
                    if wanted(description, receiver)
                )
            for channel in receiver.channels:
                if (receiver.api_device_id, channel.index) not in seen:
                    seen.add((receiver.api_device_id, channel.index))
                    new.extend(
                        kind.build(description, receiver, channel)
                        for kind in channel_kinds
                        for description in kind.descriptions
                        if wanted(description, receiver)
                    )
        if new:
            async_add_entities(new)

    @callback
    def moved(old_id: str, new_id: str, merged: bool) -> None:
        # Entities that followed their receiver to its new id are not added again; where an
        # earlier run's entities of the new id take over, they are (on the structure change).
        for key in [key for key in seen if key[0] == old_id]:
            seen.discard(key)
            if not merged:
                seen.add((new_id, key[1]))

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))
    entry.async_on_unload(coordinator.links.add_move_observer(moved))


@callback
def _async_forget_detail(
    entry: MicboardConfigEntry,
    kinds: Sequence[ReceiverEntities[Any] | ChannelEntities[Any]],
) -> None:
    """Without the detail option, remove detail entities an earlier set-up registered."""
    keys = {d.key for kind in kinds for d in kind.descriptions if d.detail}
    if not keys:
        return
    registry = er.async_get(entry.runtime_data.hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if description_key(entity.unique_id) in keys:
            registry.async_remove(entity.entity_id)
