"""Constants for the Micboard integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "micboard"
LOGGER = logging.getLogger(__package__)

CONF_MANUFACTURER: Final = "manufacturer"
CONF_HOSTS: Final = "hosts"
CONF_AUTO_ADD_DISCOVERED: Final = "auto_add_discovered"
CONF_DETAIL_ENTITIES: Final = "detail_entities"
# Controls (identify, channel names, receiver mute, gain) exist only with this option on.
CONF_ALLOW_CHANGES: Final = "allow_changes"

SERVICE_SET_CHANNEL_NAMES: Final = "set_channel_names"
# Lifecycle event data: the Home Assistant user who made the change (controls).
ATTR_CHANGED_BY: Final = "changed_by"

SCAN_INTERVAL: Final = timedelta(seconds=30)

EVENT_DEVICE_DISCOVERED: Final = "micboard_device_discovered"
EVENT_DEVICE_ONLINE: Final = "micboard_device_online"
EVENT_DEVICE_OFFLINE: Final = "micboard_device_offline"
EVENT_DEVICE_UPDATED: Final = "micboard_device_updated"
EVENT_DEVICE_SYNCED: Final = "micboard_device_synced"
LIFECYCLE_EVENTS: Final = (
    EVENT_DEVICE_DISCOVERED,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_UPDATED,
    EVENT_DEVICE_SYNCED,
)

DEVICE_TYPE_RECEIVER: Final = "receiver"
DEVICE_TYPE_TRANSMITTER: Final = "transmitter"
DEVICE_TYPE_CHARGER: Final = "charger"
# The battery in a charger bay: online = put in, offline = taken out.
DEVICE_TYPE_BATTERY: Final = "battery"
CHARGER_DEVICE_TYPES: Final = frozenset({DEVICE_TYPE_CHARGER, DEVICE_TYPE_BATTERY})
# The manufacturer entry as a whole (``device_synced``).
DEVICE_TYPE_SERVICE: Final = "service"
