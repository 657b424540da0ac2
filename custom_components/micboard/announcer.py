"""Lifecycle events out: from two snapshots to the bus, the event entities and the registry.

The coordinator hands over each new snapshot with the previous one; this remembers which
receivers were ever announced, records channel readings for the status, fires the events
the pure diff (``lifecycle.py``) finds, and keeps the device registry and the remembered
identities in step with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import (
    ATTR_CHANGED_BY,
    DEVICE_TYPE_SERVICE,
    EVENT_DEVICE_DISCOVERED,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_SYNCED,
    EVENT_DEVICE_UPDATED,
    LOGGER,
)
from .devices import DeviceSync
from .fanout import KeyedListeners
from .identifiers import ChannelKey
from .identities import IdentityStore
from .lifecycle import (
    LifecycleEvent,
    charger_offline_event,
    diff_chargers,
    diff_snapshots,
    offline_event,
)
from .manufacturers import Charger, Receiver, Snapshot
from .status_tracker import StatusTracker

# Events after which the device registry is brought up to date.
_REGISTRY_EVENTS = frozenset({EVENT_DEVICE_DISCOVERED, EVENT_DEVICE_UPDATED})


@dataclass(frozen=True, slots=True, eq=False)
class Attribution:
    """A change asked from Home Assistant, under way: where its confirmation shows up
    (a device key and the tracked keys it changes), and who asked."""

    key: ChannelKey
    fields: frozenset[str]
    context: Context | None
    user: str | None


class Announcer:
    """Turns snapshot changes of one manufacturer entry into lifecycle events."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        manufacturer: str,
        title: str,
        devices: DeviceSync,
        status: StatusTracker,
        identities: IdentityStore,
    ) -> None:
        """Announce nothing yet; ``async_start`` learns what earlier runs announced."""
        self._hass = hass
        self._manufacturer = manufacturer
        self._title = title
        self._devices = devices
        self._status = status
        self._identities = identities
        # Event entities, by receiver (index 0) or channel.
        self.event_listeners: KeyedListeners[ChannelKey, LifecycleEvent] = KeyedListeners()
        # Discoveries made after start, kept until the new device's event entity exists.
        self.pending_discovered: dict[ChannelKey, LifecycleEvent] = {}
        self._known: set[str] = set()
        self._never_answered_warned: set[str] = set()
        # Receivers that were online at some point of this run.
        self._seen_online: set[str] = set()
        # Changes under way from Home Assistant (``controls``), oldest first.
        self._attributions: list[Attribution] = []

    @callback
    def async_expect(self, attribution: Attribution) -> None:
        """A change is under way: the ``device_updated`` its confirmation causes gets the
        call's context and the user's name."""
        self._attributions.append(attribution)

    @callback
    def async_forget(self, attribution: Attribution) -> None:
        """The change is over (confirmed or not)."""
        if attribution in self._attributions:
            self._attributions.remove(attribution)

    def _attribution(self, event: LifecycleEvent) -> Attribution | None:
        if event.event_type != EVENT_DEVICE_UPDATED:
            return None
        key = (event.receiver_id, event.channel_index)
        changed = set(event.extra.get("changed", ()))
        return next((a for a in self._attributions if a.key == key and a.fields & changed), None)

    @callback
    def async_start(self) -> None:
        """Learn which receivers earlier runs announced (they are never discovered again)."""
        self._known = self._devices.async_known_receivers()

    @callback
    def async_moved(self, old_id: str, new_id: str) -> None:
        """A receiver's id moved: it stays announced under its new id."""
        self._known.add(new_id)
        if old_id in self._seen_online:
            self._seen_online.add(new_id)

    @callback
    def async_process(
        self,
        previous: Snapshot | None,
        current: Snapshot,
        only: frozenset[str] | None,
        only_chargers: frozenset[str] | None = None,
    ) -> bool:
        """Remember channel readings and fire lifecycle events; True if any event fired.

        ``previous`` None is the first snapshot after start, the baseline: it announces
        devices never seen before and nothing else, so a restart does not re-announce old
        state. ``only`` limits the work to these receivers and ``only_chargers`` to these
        chargers (a pushed change names them; None: all).
        """
        if only is not None and only_chargers is None:
            only_chargers = frozenset()
        now = dt_util.utcnow()
        for api_id in current.receivers.keys() if only is None else only:
            if (receiver := current.receivers.get(api_id)) is None:
                continue
            if not receiver.identified:
                self._async_warn_never_answered(receiver)
                continue
            if receiver.online:
                self._seen_online.add(api_id)
            for channel in receiver.channels:
                self._status.observe((api_id, channel.index), channel, now)

        for api_id in current.chargers.keys() if only_chargers is None else only_chargers:
            charger = current.chargers.get(api_id)
            if charger is not None and charger.online:
                self._seen_online.add(api_id)

        baseline = previous is None
        if baseline:
            # What changed while Home Assistant was down reaches the device registry now.
            for receiver in current.receivers.values():
                if receiver.identified:
                    self._devices.async_register(receiver)
            for charger in current.chargers.values():
                if charger.identified:
                    self._devices.async_register_charger(charger)
        before = previous or Snapshot(manufacturer=self._manufacturer)
        events = diff_snapshots(before, current, known=self._known, only=only)
        if only_chargers is None or only_chargers:
            events += diff_chargers(before, current, known=self._known, only=only_chargers)
        if baseline:
            events = [e for e in events if e.event_type == EVENT_DEVICE_DISCOVERED]
            events += self._returned_while_away(current)
        remember = False
        for event in events:
            key = (event.receiver_id, event.channel_index)
            if event.event_type == EVENT_DEVICE_DISCOVERED:
                self._known.add(event.receiver_id)
                if not baseline and not event.of_charger:
                    # Chargers have no event entity of their own (their bays do).
                    self.pending_discovered[key] = event
            if not baseline and (
                event.event_type in _REGISTRY_EVENTS
                or (event.event_type == EVENT_DEVICE_ONLINE and event.channel_index == 0)
            ):
                if event.of_charger:
                    if event.channel_index == 0:
                        self._devices.async_register_charger(current.chargers[event.receiver_id])
                else:
                    self._devices.async_register(current.receivers[event.receiver_id])
                remember = True
            elif event.event_type == EVENT_DEVICE_OFFLINE and event.channel_index == 0:
                # Remembered as offline: a restart does not announce it offline again.
                remember = True
            self.async_fire(event)
        if remember:
            # A new or changed identity survives a restart even before the next poll.
            self._identities.async_update(current)
        return bool(events)

    def _returned_while_away(self, current: Snapshot) -> list[LifecycleEvent]:
        """Devices announced offline before the restart (or reload) that answer now.

        The crew was told they went offline, so they are told they came back: online, and
        what changed meanwhile (a transmitter switched off, a new name), exactly as when a
        device answers again after an outage within one run.
        """
        away = self._identities.offline_when_saved
        if not away:
            return []
        devices: list[tuple[str, Receiver | Charger]] = [
            *current.receivers.items(),
            *current.chargers.items(),
        ]
        back = [
            api_id
            for api_id, device in devices
            if api_id in away and api_id in self._known and device.identified and device.online
        ]
        if not back:
            return []
        before = Snapshot(
            manufacturer=self._manufacturer,
            receivers={i: d for i in back if isinstance(d := away[i], Receiver)},
            chargers={i: d for i in back if isinstance(d := away[i], Charger)},
        )
        return diff_snapshots(
            before, current, known=self._known, only=before.receivers
        ) + diff_chargers(before, current, known=self._known, only=before.chargers)

    @callback
    def async_announce_silent(self, current: Snapshot, api_ids: list[str], _now: datetime) -> None:
        """Remembered devices still silent after the window went offline (once)."""
        for api_id in api_ids:
            device: Receiver | Charger | None = current.receivers.get(api_id)
            if device is None:
                device = current.chargers.get(api_id)
            if device is None or device.online or api_id in self._seen_online:
                continue
            if isinstance(device, Charger):
                self.async_fire(charger_offline_event(device))
            else:
                self.async_fire(offline_event(device))

    @callback
    def async_fire(self, event: LifecycleEvent) -> None:
        """Log the event once, fire it on the bus and hand it to the event entities."""
        data: dict[str, Any] = {
            "service_code": event.service_code,
            "api_device_id": event.api_device_id,
            "device_type": event.device_type,
        }
        if event.device_type != DEVICE_TYPE_SERVICE:
            data[ATTR_DEVICE_ID] = self._devices.async_device_id(
                (event.receiver_id, event.channel_index), bay=event.of_charger
            )
        data["name"] = event.name
        data.update(event.extra)
        if event.event_type == EVENT_DEVICE_SYNCED:
            LOGGER.debug("%s: %s %s", event.event_type, event.name, event.extra["sync_result"])
        else:
            LOGGER.info(
                "%s: %s %s %s%s",
                event.event_type,
                event.device_type,
                event.name,
                event.api_device_id,
                f" {event.extra['changed']}" if event.event_type == EVENT_DEVICE_UPDATED else "",
            )
        context: Context | None = None
        if self._attributions and (attribution := self._attribution(event)) is not None:
            # Made from Home Assistant: the recorder keeps the call's context (its user).
            context = attribution.context
            if attribution.user:
                data[ATTR_CHANGED_BY] = attribution.user
        self._hass.bus.async_fire(event.event_type, data, context=context)
        if event.device_type != DEVICE_TYPE_SERVICE:
            self.event_listeners.call((event.receiver_id, event.channel_index), event)

    @callback
    def _async_warn_never_answered(self, receiver: Receiver) -> None:
        if receiver.api_device_id in self._never_answered_warned:
            return
        self._never_answered_warned.add(receiver.api_device_id)
        LOGGER.warning(
            "%s receiver at %s:%s has not answered yet (%s); it will be added when it does",
            self._title,
            receiver.host,
            receiver.port,
            receiver.error or "no answer",
        )
