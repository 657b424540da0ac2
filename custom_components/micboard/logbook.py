"""Plain-language logbook lines for Micboard's lifecycle events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import (
    ATTR_CHANGED_BY,
    DEVICE_TYPE_BATTERY,
    DEVICE_TYPE_TRANSMITTER,
    DOMAIN,
    EVENT_DEVICE_DISCOVERED,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_SYNCED,
    EVENT_DEVICE_UPDATED,
)
from .identifiers import description_key

# How a changed key reads in a sentence.
KEY_WORDS = {
    "name": "name",
    "model": "model",
    "firmware": "firmware",
    "rf_band": "RF band",
    "ip_address": "IP address",
    "port": "port",
    "channel_count": "channel count",
    "frequency": "frequency",
    "group_channel": "group/channel",
    "transmitter_model": "transmitter model",
    "audio_gain": "audio gain",
    "audio_mute": "output mute",
    "bay_count": "bay count",
    "storage_mode": "storage mode",
    "state": "state",
    "error": "error",
}

# How a battery state reads after "battery" in a sentence.
BATTERY_STATE_WORDS = {
    "charging": "charging",
    "full": "fully charged",
    "warm": "charging slowly (warm)",
    "hot": "too hot to charge",
    "cold": "too cold to charge",
    "precharge": "recovering from a deep discharge",
    "storage": "ready to store",
    "calculating": "calculating",
    "discharging": "discharging to storage level",
    "updating": "updating",
    "error": "faulted",
    "unknown": "in an unknown state",
    "empty": "gone",
}


# A channel's own settings (on the receiver): a change of these is the channel's, not its
# transmitter's.
_CHANNEL_KEYS = frozenset({"name", "frequency", "group_channel", "audio_gain", "audio_mute"})


def _subject(hass: HomeAssistant, data: dict[str, Any]) -> str:
    """The device as the user knows it: its name in HA (renamed or not), else the event's."""
    name = str(data.get("name") or data.get("api_device_id") or "Micboard device")
    device = dr.async_get(hass).async_get(data.get(ATTR_DEVICE_ID) or "")
    kind = data.get("device_type")
    if isinstance(device, dr.DeviceEntry):
        name = device.name_by_user or device.name or name
        model = device.model
        if (
            kind not in (DEVICE_TYPE_TRANSMITTER, DEVICE_TYPE_BATTERY)
            and model
            and model not in name
        ):
            name = f"{name} {model}"
    if kind == DEVICE_TYPE_TRANSMITTER and not _channel_setting(data):
        return f"{name} transmitter"
    if kind == DEVICE_TYPE_BATTERY:
        return f"{name}:"
    return name


# Which of a device's (enabled) entities a line belongs to, best first: its event entity
# where the user enabled it, else what the line is about (a channel's status, a receiver's
# connectivity).
_LINE_ENTITY_KEYS = (
    *("receiver_events", "transmitter_events", "battery_events"),
    *("status", "battery_state", "connectivity"),
)


def _line_entity(hass: HomeAssistant, data: dict[str, Any]) -> str | None:
    """The entity a line belongs to, so it shows in that entity's and the device's logbook."""
    if not (device_id := data.get(ATTR_DEVICE_ID)):
        return None
    by_key = {
        description_key(entry.unique_id): entry.entity_id
        for entry in er.async_entries_for_device(er.async_get(hass), device_id)
        if entry.platform == DOMAIN
    }
    return next((by_key[key] for key in _LINE_ENTITY_KEYS if key in by_key), None)


def _channel_setting(data: dict[str, Any]) -> bool:
    """Whether a channel's update changed only the channel's own settings."""
    changed = data.get("changed") or []
    return bool(changed) and set(changed) <= _CHANNEL_KEYS


def _value(value: Any, key: str = "") -> str:
    if value is None or value == "":
        return "unknown"
    if key == "audio_gain":
        return f"{value} dB"
    if key == "audio_mute" and isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def describe_updated(data: dict[str, Any]) -> str:
    """'changed firmware from 2.7.6 to 2.7.8, name from A to B'."""
    old, new = data.get("old_data", {}), data.get("new_data", {})
    parts = [
        f"{KEY_WORDS.get(key, key.replace('_', ' '))} from {_value(old.get(key), key)} "
        f"to {_value(new.get(key), key)}"
        for key in data.get("changed", [])
    ]
    return "changed " + ", ".join(parts) if parts else "changed"


def describe_change_by(data: dict[str, Any], user: str) -> str:
    """A change made from Home Assistant: 'renamed to Lead by Paul', 'output muted by Paul'."""
    changed = data.get("changed") or []
    new = data.get("new_data", {})
    if changed == ["name"]:
        return f"renamed to {_value(new.get('name'))} by {user}"
    if changed == ["audio_mute"]:
        return f"output {'muted' if new.get('audio_mute') else 'unmuted'} by {user}"
    if changed == ["audio_gain"]:
        return f"audio gain set to {_value(new.get('audio_gain'), 'audio_gain')} by {user}"
    return f"{describe_updated(data)} by {user}"


def describe_battery(event_type: str, data: dict[str, Any]) -> str:
    """'battery put in', 'battery fully charged', 'charging fault (charge failed)'."""
    if event_type == "micboard_device_online":
        return "battery put in"
    if event_type == "micboard_device_offline":
        return "battery taken out"
    new = data.get("new_data", {})
    state = data.get("battery_state")
    if state == "error":
        error = new.get("error")
        return f"charging fault ({error.replace('_', ' ')})" if error else "charging fault"
    if state is not None:
        return f"battery {BATTERY_STATE_WORDS.get(state, state.replace('_', ' '))}"
    if new.get("error"):
        return f"battery error: {new['error'].replace('_', ' ')}"
    return describe_updated(data)


def describe_synced(data: dict[str, Any]) -> str:
    """'synced 12 devices: 11 online, 0 errors in 0.41 s'."""
    result = data.get("sync_result", {})
    devices = result.get("device_count", 0)
    errors = result.get("error_count", 0)
    text = (
        f"synced {devices} device{'s' if devices != 1 else ''}: "
        f"{result.get('online_count', 0)} online, "
        f"{errors} error{'s' if errors != 1 else ''} in {result.get('duration_seconds', 0):.2f} s"
    )
    if result.get("error_message"):
        text += f" ({result['error_message']})"
    return text


def _entry(hass: HomeAssistant, data: dict[str, Any], name: str, message: str) -> dict[str, str]:
    entry = {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}
    if entity_id := _line_entity(hass, data):
        entry[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
    return entry


@callback
def describe_event(hass: HomeAssistant, event_type: str, data: dict[str, Any]) -> dict[str, str]:
    """The logbook entry (name, message and, where known, entity id) of a lifecycle event."""
    match event_type:
        case "micboard_device_discovered":
            kind = data.get("device_type", "receiver")
            device_data = data.get("device_data") or {}
            name = str(data.get("name") or device_data.get("name") or "")
            model = device_data.get("model")
            if model and model not in name:
                name = f"{name} {model}"
            return _entry(hass, data, "Micboard", f"Discovered {kind} device: {name}")
        case _ if data.get("device_type") == DEVICE_TYPE_BATTERY:
            message = describe_battery(event_type, data)
        case "micboard_device_online":
            message = "came online"
        case "micboard_device_offline":
            message = "went offline"
        case "micboard_device_updated" if user := data.get(ATTR_CHANGED_BY):
            subject = _subject(hass, data)
            if data.get("changed") == ["name"]:
                # "Vox 1 renamed to Lead": the name it had, whatever the device is called now.
                subject = str((data.get("old_data") or {}).get("name") or subject)
            return _entry(hass, data, subject, describe_change_by(data, str(user)))
        case "micboard_device_updated":
            message = describe_updated(data)
        case _:
            return {
                LOGBOOK_ENTRY_NAME: str(data.get("name") or "Micboard"),
                LOGBOOK_ENTRY_MESSAGE: describe_synced(data),
            }
    return _entry(hass, data, _subject(hass, data), message)


@callback
def describe_sentence(hass: HomeAssistant, event_type: str, data: dict[str, Any]) -> str:
    """The logbook line of a lifecycle event as one sentence ("Vox 1 transmitter went offline")."""
    entry = describe_event(hass, event_type, data)
    if event_type == EVENT_DEVICE_DISCOVERED:
        return entry[LOGBOOK_ENTRY_MESSAGE]
    return f"{entry[LOGBOOK_ENTRY_NAME]} {entry[LOGBOOK_ENTRY_MESSAGE]}"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the five lifecycle events."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        return describe_event(hass, str(event.event_type), dict(event.data))

    for event_type in (
        EVENT_DEVICE_DISCOVERED,
        EVENT_DEVICE_ONLINE,
        EVENT_DEVICE_OFFLINE,
        EVENT_DEVICE_UPDATED,
        EVENT_DEVICE_SYNCED,
    ):
        async_describe_event(DOMAIN, event_type, describe)
