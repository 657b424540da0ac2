"""The board's websocket commands: ``micboard/subscribe`` and ``micboard/manufacturers``.

``micboard/manufacturers`` answers the manufacturers the integration speaks, from the
library's registry (``[{code, name}]``), so the cards offer and name them without a list of
their own: adding a manufacturer adds nothing to the cards.

The first message is the whole picture of every loaded entry (``board.entry_picture``);
then channel and receiver changes as they happen (once per event-loop iteration), and
meters at most once per ``interval``, each tick one message with only what changed since
the last. The stream reads the coordinator's snapshot through its keyed listeners, as an
entity would, so it never writes a state or a recorder row. Unsubscribing or closing the
socket removes every listener and timer.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED, ConfigEntry, ConfigEntryChange
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later
import probatio

from .board import (
    bay_values,
    channel_values,
    charger_values,
    entry_picture,
    loaded_entries,
    meter_values,
    receiver_values,
)
from .const import DOMAIN
from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .identifiers import ChannelKey
from .manufacturers import MANUFACTURERS

DEFAULT_INTERVAL = 0.1
MIN_INTERVAL = 0.1

# (entry id, (receiver id, channel index)); channel 0 is the receiver itself.
type BoardKey = tuple[str, ChannelKey]


class BoardStream:
    """One client's subscription to the board."""

    def __init__(
        self,
        hass: HomeAssistant,
        connection: ActiveConnection,
        msg_id: int,
        interval: float,
    ) -> None:
        """Nothing is listened to until ``start``."""
        self._hass = hass
        self._connection = connection
        self._msg_id = msg_id
        self._interval = interval
        self._entry_ids: list[str] = []
        # Everything registered on coordinators, undone by ``_unlisten``.
        self._unlisteners: list[CALLBACK_TYPE] = []
        self._unsub_entries: CALLBACK_TYPE | None = None
        # What the client was last sent, per receiver / channel.
        self._sent: dict[BoardKey, dict[str, Any]] = {}
        self._sent_meters: dict[BoardKey, dict[str, Any]] = {}
        self._dirty: set[BoardKey] = set()
        self._dirty_meters: set[BoardKey] = set()
        self._flush_handle: asyncio.Handle | None = None
        self._unsub_tick: CALLBACK_TYPE | None = None

    @callback
    def start(self) -> None:
        """Send the picture and follow every loaded entry."""
        self._unsub_entries = async_dispatcher_connect(
            self._hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_entry_changed
        )
        self._async_send_picture()

    @callback
    def stop(self) -> None:
        """Stop all work for this client: listeners, the pending flush and the tick."""
        if self._unsub_entries is not None:
            self._unsub_entries()
            self._unsub_entries = None
        self._unlisten()
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._unsub_tick is not None:
            self._unsub_tick()
            self._unsub_tick = None
        self._dirty.clear()
        self._dirty_meters.clear()

    def _send(self, payload: dict[str, Any]) -> None:
        self._connection.send_message(event_message(self._msg_id, payload))

    @callback
    def _unlisten(self) -> None:
        for unlisten in self._unlisteners:
            unlisten()
        self._unlisteners.clear()

    @callback
    def _async_entry_changed(self, _change: ConfigEntryChange, entry: ConfigEntry) -> None:
        """An entry was loaded or unloaded: the client gets a new picture."""
        if entry.domain != DOMAIN:
            return
        if [e.entry_id for e in loaded_entries(self._hass)] != self._entry_ids:
            self._async_send_picture()

    @callback
    def _async_send_picture(self) -> None:
        """Listen to every channel of every loaded entry and send the whole picture."""
        self._unlisten()
        self._sent.clear()
        self._sent_meters.clear()
        self._dirty.clear()
        self._dirty_meters.clear()
        entries = loaded_entries(self._hass)
        self._entry_ids = [entry.entry_id for entry in entries]
        pictures = []
        for entry in entries:
            picture = entry_picture(self._hass, entry)
            pictures.append(picture)
            self._listen(entry, picture)
        self._send({"type": "picture", "entries": pictures})

    @callback
    def _listen(self, entry: MicboardConfigEntry, picture: dict[str, Any]) -> None:
        """Register under each receiver and channel of the entry, as its entities do."""
        coordinator = entry.runtime_data
        entry_id = entry.entry_id
        keys: list[ChannelKey] = []
        for rx in picture["receivers"]:
            keys.append((rx["id"], 0))
            self._sent[entry_id, (rx["id"], 0)] = _without(rx, "id", "entity_ids", "channels")
            for ch in rx["channels"]:
                key = (rx["id"], ch["index"])
                keys.append(key)
                meters = meter_values_keys(ch)
                self._sent_meters[entry_id, key] = meters
                self._sent[entry_id, key] = {
                    k: v for k, v in ch.items() if k not in meters and k not in _NOT_SENT
                }
        for charger in picture["chargers"]:
            keys.append((charger["id"], 0))
            self._sent[entry_id, (charger["id"], 0)] = _without(charger, "id", "entity_ids", "bays")
            for bay in charger["bays"]:
                key = (charger["id"], bay["index"])
                keys.append(key)
                self._sent[entry_id, key] = _without(bay, "index", "entity_ids")
        for key in keys:
            changed = partial(self._async_changed, (entry_id, key))
            coordinator.links.listeners.add(key, changed)
            self._unlisteners.append(partial(coordinator.links.listeners.remove, key, changed))
            if key[1]:
                metered = partial(self._async_metered, (entry_id, key))
                coordinator.links.meter_listeners.add(key, metered)
                self._unlisteners.append(
                    partial(coordinator.links.meter_listeners.remove, key, metered)
                )
        self._unlisteners.append(
            coordinator.async_add_listener(partial(self._async_refreshed, entry, set(keys)))
        )

    @callback
    def _async_refreshed(self, entry: MicboardConfigEntry, keys: set[ChannelKey]) -> None:
        """After a refresh or a structure change: receivers or channels may have come or gone.

        Every channel is woken right after this (by key), so only the list matters here.
        """
        data = entry.runtime_data.data
        current = {
            (api_id, index)
            for api_id, receiver in data.receivers.items()
            for index in (0, *(channel.index for channel in receiver.channels))
        } | {
            (api_id, index)
            for api_id, charger in data.chargers.items()
            for index in (0, *(bay.index for bay in charger.bays))
        }
        if current != keys:
            self._async_send_picture()

    @callback
    def _async_changed(self, key: BoardKey) -> None:
        """A receiver or channel changed: sent once this event-loop iteration is over."""
        self._dirty.add(key)
        if self._flush_handle is None:
            self._flush_handle = self._hass.loop.call_soon(self._async_flush_changes)

    @callback
    def _async_metered(self, key: BoardKey) -> None:
        """New meter readings: sent with the next tick (an audio peak may change the status)."""
        self._async_changed(key)
        self._dirty_meters.add(key)
        if self._unsub_tick is None:
            self._unsub_tick = async_call_later(self._hass, self._interval, self._async_tick)

    def _coordinator(self, entry_id: str) -> MicboardCoordinator | None:
        entry = self._hass.config_entries.async_get_entry(entry_id)
        return entry.runtime_data if entry is not None and entry_id in self._entry_ids else None

    @callback
    def _async_flush_changes(self) -> None:
        """Send the new values of every receiver and channel that changed."""
        self._flush_handle = None
        receivers: list[dict[str, Any]] = []
        channels: list[dict[str, Any]] = []
        chargers: list[dict[str, Any]] = []
        bays: list[dict[str, Any]] = []
        dirty, self._dirty = self._dirty, set()
        for board_key in sorted(dirty):
            entry_id, (api_id, index) = board_key
            if (coordinator := self._coordinator(entry_id)) is None:
                continue
            if (charger := coordinator.charger(api_id)) is not None:
                if not index:
                    values = charger_values(coordinator, charger)
                    if values != self._sent.get(board_key):
                        self._sent[board_key] = values
                        chargers.append({"entry_id": entry_id, "id": api_id, **values})
                elif (bay := charger.bay(index)) is not None:
                    values = bay_values(coordinator, charger, bay)
                    if values != self._sent.get(board_key):
                        self._sent[board_key] = values
                        bays.append(
                            {"entry_id": entry_id, "charger_id": api_id, "index": index, **values}
                        )
                continue
            if (receiver := coordinator.receiver(api_id)) is None:
                continue
            if not index:
                values = receiver_values(coordinator, receiver)
                if values != self._sent.get(board_key):
                    self._sent[board_key] = values
                    receivers.append({"entry_id": entry_id, "id": api_id, **values})
                continue
            if (channel := receiver.channel(index)) is None:
                continue
            values = channel_values(coordinator, receiver, channel)
            if values == self._sent.get(board_key):
                continue
            self._sent[board_key] = values
            meters = self._sent_meters[board_key] = meter_values(channel)
            self._dirty_meters.discard(board_key)
            channels.append(
                {
                    "entry_id": entry_id,
                    "receiver_id": api_id,
                    "index": index,
                    **values,
                    **meters,
                }
            )
        if receivers or channels or chargers or bays:
            message: dict[str, Any] = {
                "type": "change",
                "receivers": receivers,
                "channels": channels,
            }
            if chargers or bays:
                message |= {"chargers": chargers, "bays": bays}
            self._send(message)

    @callback
    def _async_tick(self, _now: datetime) -> None:
        """One message with every meter that changed since the last tick (none: nothing)."""
        self._unsub_tick = None
        dirty, self._dirty_meters = self._dirty_meters, set()
        channels: list[dict[str, Any]] = []
        for board_key in sorted(dirty):
            entry_id, (api_id, index) = board_key
            if (coordinator := self._coordinator(entry_id)) is None:
                continue
            receiver = coordinator.receiver(api_id)
            if receiver is None or (channel := receiver.channel(index)) is None:
                continue
            meters = meter_values(channel)
            before = self._sent_meters.get(board_key, {})
            changed = {k: v for k, v in meters.items() if before.get(k, _MISSING) != v}
            if not changed:
                continue
            self._sent_meters[board_key] = meters
            channels.append({"entry_id": entry_id, "receiver_id": api_id, "index": index} | changed)
        if channels:
            self._send({"type": "meters", "channels": channels})


_MISSING = object()
# Channel fields of the picture that change messages do not repeat.
_NOT_SENT = frozenset({"index", "entity_ids", "last_battery"})
_METER_KEYS = frozenset(
    {"rf_level", "audio_level", "audio_peak", "quality", "rf_quality", "antenna"}
)


def meter_values_keys(channel: dict[str, Any]) -> dict[str, Any]:
    """The meters of a channel of the picture."""
    return {k: v for k, v in channel.items() if k in _METER_KEYS}


def _without(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in keys}


@websocket_command(
    {
        probatio.Required("type"): "micboard/subscribe",
        probatio.Optional("interval", default=DEFAULT_INTERVAL): probatio.All(
            probatio.Coerce(float), probatio.Range(min=MIN_INTERVAL, max=60)
        ),
    }
)
@async_response
async def ws_subscribe(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Stream the board: the picture, then changes and meter ticks."""
    stream = BoardStream(hass, connection, msg["id"], msg["interval"])
    connection.subscriptions[msg["id"]] = stream.stop
    connection.send_result(msg["id"])
    stream.start()


@websocket_command({probatio.Required("type"): "micboard/manufacturers"})
@callback
def ws_manufacturers(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The registered manufacturers, code and display name, whether or not an entry exists."""
    connection.send_result(
        msg["id"],
        {
            "manufacturers": [
                {"code": spec.code, "name": spec.name} for spec in MANUFACTURERS.values()
            ]
        },
    )


@callback
def async_register_websocket_commands(hass: HomeAssistant) -> None:
    """Register the board's websocket commands."""
    async_register_command(hass, ws_subscribe)
    async_register_command(hass, ws_manufacturers)
