"""Bus listeners: every state write and every Micboard lifecycle event, with its time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
import time
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback

from custom_components.micboard.const import (
    CHARGER_DEVICE_TYPES,
    DEVICE_TYPE_RECEIVER,
    DEVICE_TYPE_TRANSMITTER,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_SYNCED,
    EVENT_DEVICE_UPDATED,
    LIFECYCLE_EVENTS,
)

from .timing import clock

# (bench clock, api device id, device type).
type Lifecycle = tuple[float, str, str]


@dataclass
class Recorder:
    """Bus listeners: counts state writes by entity key, times the watched ones."""

    key_of: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    first_state: dict[str, float] = field(default_factory=dict)
    watched: set[str] = field(default_factory=set)
    # (bench clock, entity id, "upd:<api device id>" or "tx:<api device id>", new state,
    # name or on/off).
    seen: list[tuple[float, str, str]] = field(default_factory=list)
    offline: list[Lifecycle] = field(default_factory=list)
    online: list[Lifecycle] = field(default_factory=list)
    # Full resyncs: (start, end) on the bench clock.
    resyncs: list[tuple[float, float]] = field(default_factory=list)
    resolve: Callable[[str], str] | None = None
    # Time spent in these listeners (they run inside the state writes Micboard makes).
    listener_seconds: float = 0.0
    # Micboard's lifecycle events fired, by type (each is a row of the recorder's events).
    events: Counter[str] = field(default_factory=Counter)
    # Of those, the ones of chargers and batteries, by (device type, event type).
    charger_events: Counter[tuple[str, str]] = field(default_factory=Counter)

    def listen(self, hass: HomeAssistant) -> None:
        """Start listening on the bus of ``hass``."""
        hass.bus.async_listen(EVENT_STATE_CHANGED, self.state_changed)
        hass.bus.async_listen(EVENT_DEVICE_UPDATED, self.updated)
        hass.bus.async_listen(EVENT_DEVICE_OFFLINE, self.went_offline)
        hass.bus.async_listen(EVENT_DEVICE_SYNCED, self.synced)
        hass.bus.async_listen(EVENT_DEVICE_ONLINE, self.came_online)
        for event_type in LIFECYCLE_EVENTS:
            hass.bus.async_listen(event_type, self.lifecycle)

    @callback
    def state_changed(self, event: Event[EventStateChangedData]) -> None:
        stamp = clock()
        started = time.thread_time()
        entity_id = event.data["entity_id"]
        new_state = event.data["new_state"]
        if event.data["old_state"] is None:
            self.first_state[entity_id] = stamp
        key = self.key_of.get(entity_id)
        if key is None:
            key = self.resolve(entity_id) if self.resolve else "?"
            self.key_of[entity_id] = key
        self.counts[key] += 1
        if entity_id in self.watched and new_state is not None:
            self.seen.append((stamp, entity_id, new_state.state))
        self.listener_seconds += time.thread_time() - started

    @callback
    def lifecycle(self, event: Event[dict[str, Any]]) -> None:
        self.events[str(event.event_type)] += 1
        if (kind := event.data.get("device_type")) in CHARGER_DEVICE_TYPES:
            self.charger_events[str(kind), str(event.event_type)] += 1

    @callback
    def updated(self, event: Event[dict[str, Any]]) -> None:
        name = (event.data.get("new_data") or {}).get("name")
        if name is not None:
            self.seen.append((clock(), "upd:" + event.data["api_device_id"], str(name)))

    @callback
    def synced(self, event: Event[dict[str, Any]]) -> None:
        end = clock()
        duration = float(event.data["sync_result"]["duration_seconds"])
        self.resyncs.append((end - duration, end))

    @callback
    def went_offline(self, event: Event[dict[str, Any]]) -> None:
        stamp = clock()
        self.offline.append((stamp, event.data["api_device_id"], event.data["device_type"]))
        self._transmitter(stamp, event, "off")

    @callback
    def came_online(self, event: Event[dict[str, Any]]) -> None:
        stamp = clock()
        self.online.append((stamp, event.data["api_device_id"], event.data["device_type"]))
        self._transmitter(stamp, event, "on")

    def _transmitter(self, stamp: float, event: Event[dict[str, Any]], value: str) -> None:
        # A transmitter switched on or off is timed by its lifecycle event (its binary
        # sensor is disabled by default, as the lifecycle event restates it).
        if event.data["device_type"] == DEVICE_TYPE_TRANSMITTER:
            self.seen.append((stamp, "tx:" + event.data["api_device_id"], value))

    def receivers_offline(self) -> set[str]:
        """Api device ids of the receivers declared offline."""
        return {api for _, api, kind in self.offline if kind == DEVICE_TYPE_RECEIVER}

    def receivers_online(self) -> set[str]:
        """Api device ids of the receivers declared back online."""
        return {api for _, api, kind in self.online if kind == DEVICE_TYPE_RECEIVER}
