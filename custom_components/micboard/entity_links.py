"""How the coordinator reaches the entities of one entry, and which of them a change wakes.

Entities do not listen to the coordinator as a whole (a meter reading concerns one channel of
a 400-channel show): each registers under its device key, ``(api id, 0)`` for a receiver or
charger, ``(api id, channel or bay)`` below it. A pushed change wakes only the keys whose
objects changed (the library reuses an unchanged channel's or bay's object), a meter reading
only the entities that show meters. The device links (``DeviceInfo``) are shared, one object
per device, and a receiver whose id moves takes its listeners along.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo

from .fanout import KeyedListeners
from .identifiers import ChannelKey, device_identifier
from .manufacturers import Charger, Receiver
from .status_tracker import StatusTracker

type MoveObserver = Callable[[str, str, bool], None]


class EntityLinks:
    """The listener tables, shared device links and id-move observers of one entry."""

    def __init__(self, manufacturer: str) -> None:
        """Nothing listens yet."""
        self._manufacturer = manufacturer
        # Entities of a receiver (index 0), a channel, or the service device; meter
        # entities also under ``meter_listeners`` (event entities listen to the announcer).
        self.listeners: KeyedListeners[ChannelKey] = KeyedListeners()
        self.meter_listeners: KeyedListeners[ChannelKey] = KeyedListeners()
        # By receiver id: told (new id, merged) when the receiver's id moves.
        self.moves: KeyedListeners[str, str, bool] = KeyedListeners()
        self._move_observers: list[MoveObserver] = []
        self._device_infos: dict[ChannelKey, DeviceInfo] = {}
        self._charger_device_infos: dict[ChannelKey, DeviceInfo] = {}

    @callback
    def device_info(self, key: ChannelKey) -> DeviceInfo:
        """The device link of a receiver, channel or service entity, one object per device."""
        if (info := self._device_infos.get(key)) is None:
            info = self._device_infos[key] = DeviceInfo(
                identifiers={device_identifier(self._manufacturer, key)}
            )
        return info

    @callback
    def charger_device_info(self, key: ChannelKey) -> DeviceInfo:
        """The device link of a charger (index 0) or bay entity, one object per device."""
        if (info := self._charger_device_infos.get(key)) is None:
            info = self._charger_device_infos[key] = DeviceInfo(
                identifiers={device_identifier(self._manufacturer, key, bay=True)}
            )
        return info

    @callback
    def add_move_observer(self, observer: MoveObserver) -> Callable[[], None]:
        """Call ``observer(old id, new id, merged)`` whenever a receiver's id moves."""
        self._move_observers.append(observer)
        return lambda: self._move_observers.remove(observer)

    @callback
    def moved(self, old: Receiver, new_id: str, merged: bool) -> None:
        """``old`` is now known by ``new_id``: its links are rebuilt, its entities told."""
        old_id = old.api_device_id
        for index in [0, *(channel.index for channel in old.channels)]:
            self._device_infos.pop((old_id, index), None)
        for observer in list(self._move_observers):
            observer(old_id, new_id, merged)
        for listener in self.moves.pop(old_id):
            listener(new_id, merged)

    @callback
    def wake_meters(
        self, old: Receiver, new: Receiver, now: datetime, status: StatusTracker
    ) -> None:
        """A meter reading: only the entities that show meters (and the peak) look again."""
        api_id = new.api_device_id
        for before, channel in zip(old.channels, new.channels, strict=True):
            # The library reuses an unchanged channel's object.
            if before is channel:
                continue
            key = (api_id, channel.index)
            status.observe_meters(key, channel, now)
            self.meter_listeners.call(key)

    @callback
    def wake_receiver(self, old: Receiver, new: Receiver) -> None:
        """A receiver's settings or state changed: it and its changed channels look again."""
        api_id = new.api_device_id
        self.listeners.call((api_id, 0))
        # Channel entities are available only while their receiver is online.
        every_channel = old.online != new.online
        for before, channel in zip(old.channels, new.channels, strict=True):
            if every_channel or before is not channel:
                self.listeners.call((api_id, channel.index))

    @callback
    def wake_charger(self, old: Charger, new: Charger) -> None:
        """A charger changed: it and its changed bays look again."""
        api_id = new.api_device_id
        self.listeners.call((api_id, 0))
        # Bay values are available only while their charger is online.
        every_bay = old.online != new.online
        for bay in new.bays:
            if every_bay or old.bay(bay.index) is not bay:
                self.listeners.call((api_id, bay.index))
