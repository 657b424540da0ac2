"""Micboard: watch every wireless microphone channel on a show network."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .activity import async_register_activity
from .const import CONF_HOSTS, CONF_MANUFACTURER, DOMAIN
from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .discovery import async_start_discovery
from .frontend import async_register_frontend
from .hosts import parse_host
from .identifiers import parse_identifier
from .identities import IdentityStore
from .manufacturers import get_manufacturer
from .repairs_issues import async_remove_access_issues
from .services import async_setup_services
from .websocket_api import async_register_websocket_commands

# Button, number, switch and text are the controls: empty unless the entry allows changes.
PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, _config: ConfigType) -> bool:
    """Serve the Micboard cards and register the board's websocket commands, the activity
    log and the actions (once per hass, whatever the entries)."""
    await async_register_frontend(hass)
    async_register_websocket_commands(hass)
    async_register_activity(hass)
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MicboardConfigEntry) -> bool:
    """Connect to the manufacturer's receivers and set up their entities."""
    spec = get_manufacturer(entry.data[CONF_MANUFACTURER])
    hosts = [parse_host(host, spec.default_port) for host in entry.options.get(CONF_HOSTS, [])]
    # The coordinator's shutdown (stopping the backend) runs whenever the entry unloads,
    # also when this set-up fails and Home Assistant retries later.
    coordinator = MicboardCoordinator(hass, entry, spec.create_backend(hosts))
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    entry.async_on_unload(await async_start_discovery(hass, entry))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MicboardConfigEntry) -> bool:
    """Unload the entities; the coordinator then closes every connection."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: MicboardConfigEntry) -> None:
    """The entry was deleted: forget its remembered identities and its repair issues."""
    async_remove_access_issues(hass, entry.entry_id)
    await IdentityStore(hass, entry.entry_id, entry.data[CONF_MANUFACTURER]).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MicboardConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting a receiver or channel device only once it no longer exists."""
    coordinator = entry.runtime_data
    for identifier in device.identifiers:
        ref = parse_identifier(identifier)
        if ref is None or ref.manufacturer != coordinator.manufacturer:
            continue
        if ref.is_service:
            # The service device lives as long as the entry.
            return False
        receiver = coordinator.receiver(ref.receiver_id)
        if receiver is not None and (
            not ref.is_channel or receiver.channel(ref.channel_index) is not None
        ):
            return False
    return True
