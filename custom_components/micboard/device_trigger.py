"""Device triggers for the UI automation editor, backed by the lifecycle bus events."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import probatio

from .const import (
    DEVICE_TYPE_BATTERY,
    DEVICE_TYPE_CHARGER,
    DEVICE_TYPE_RECEIVER,
    DEVICE_TYPE_TRANSMITTER,
    DOMAIN,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_UPDATED,
)
from .identifiers import parse_identifier

# trigger type -> (bus event, device type it applies to; None: all, extra event data)
TRIGGERS: dict[str, tuple[str, str | None, dict[str, str]]] = {
    "receiver_offline": (EVENT_DEVICE_OFFLINE, DEVICE_TYPE_RECEIVER, {}),
    "receiver_online": (EVENT_DEVICE_ONLINE, DEVICE_TYPE_RECEIVER, {}),
    "transmitter_off": (EVENT_DEVICE_OFFLINE, DEVICE_TYPE_TRANSMITTER, {}),
    "transmitter_on": (EVENT_DEVICE_ONLINE, DEVICE_TYPE_TRANSMITTER, {}),
    "charger_offline": (EVENT_DEVICE_OFFLINE, DEVICE_TYPE_CHARGER, {}),
    "charger_online": (EVENT_DEVICE_ONLINE, DEVICE_TYPE_CHARGER, {}),
    "battery_inserted": (EVENT_DEVICE_ONLINE, DEVICE_TYPE_BATTERY, {}),
    "battery_removed": (EVENT_DEVICE_OFFLINE, DEVICE_TYPE_BATTERY, {}),
    "battery_full": (EVENT_DEVICE_UPDATED, DEVICE_TYPE_BATTERY, {"battery_state": "full"}),
    "charging_fault": (EVENT_DEVICE_UPDATED, DEVICE_TYPE_BATTERY, {"battery_state": "error"}),
    "device_updated": (EVENT_DEVICE_UPDATED, None, {}),
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {probatio.Required(CONF_TYPE): probatio.In(TRIGGERS)}
)


def _is_charger(hass: HomeAssistant, device_id: str, entry_ids: Iterable[str], api_id: str) -> bool:
    """Whether a device named like a receiver is a charger: its children are bays."""
    for entry_id in entry_ids:
        entry = hass.config_entries.async_get_entry(entry_id)
        data = getattr(getattr(entry, "runtime_data", None), "data", None)
        if data is not None:
            return api_id in data.chargers
    registry = dr.async_get(hass)
    return any(
        (ref := parse_identifier(identifier)) is not None and ref.is_bay
        for entry_id in entry_ids
        for child in dr.async_entries_for_config_entry(registry, entry_id)
        if child.via_device_id == device_id
        for identifier in child.identifiers
    )


def _device_type(hass: HomeAssistant, device_id: str) -> str | None:
    """Whether the device is a receiver, a channel (transmitter), a charger or a bay."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    for identifier in device.identifiers:
        if (ref := parse_identifier(identifier)) is None or ref.is_service:
            continue
        if ref.is_bay:
            return DEVICE_TYPE_BATTERY
        if ref.is_channel:
            return DEVICE_TYPE_TRANSMITTER
        if _is_charger(hass, device.id, device.config_entries, ref.receiver_id):
            return DEVICE_TYPE_CHARGER
        return DEVICE_TYPE_RECEIVER
    return None


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, str]]:
    """The triggers that apply to a receiver or a channel device."""
    device_type = _device_type(hass, device_id)
    if device_type is None:
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type, (_, applies_to, _) in TRIGGERS.items()
        if applies_to in (None, device_type)
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the bus event behind the trigger, for this device only."""
    event_type, _, match = TRIGGERS[config[CONF_TYPE]]
    return await event_trigger.async_attach_trigger(
        hass,
        event_trigger.TRIGGER_SCHEMA(
            {
                CONF_PLATFORM: "event",
                event_trigger.CONF_EVENT_TYPE: event_type,
                CONF_EVENT_DATA: {CONF_DEVICE_ID: config[CONF_DEVICE_ID], **match},
            }
        ),
        action,
        trigger_info,
        platform_type="device",
    )
