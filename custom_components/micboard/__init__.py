"""Micboard: watch every wireless microphone channel on a show network."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .coordinator import CHANNEL_SEPARATOR, MicboardConfigEntry, MicboardCoordinator
from .discovery import async_start_discovery
from .manufacturers_factory import create_backend
from .platform import async_remove_detail_entities

PLATFORMS = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: MicboardConfigEntry) -> bool:
    """Connect to the manufacturer's receivers and set up their entities."""
    # The coordinator's shutdown (stopping the backend) runs whenever the entry unloads,
    # also when this set-up fails and Home Assistant retries later.
    coordinator = MicboardCoordinator(hass, entry, create_backend(entry))
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator

    async def _stop_metering(_event: Event) -> None:
        # Home Assistant does not unload entries when it stops; QLX-D receivers must still
        # be told to stop metering before their controller goes away.
        await coordinator.backend.stop()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop_metering))
    entry.async_on_unload(await async_start_discovery(hass, entry))
    async_remove_detail_entities(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MicboardConfigEntry) -> bool:
    """Unload the entities; the coordinator then closes every connection."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MicboardConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting a receiver or channel device only once it no longer exists."""
    coordinator = entry.runtime_data
    prefix = f"{coordinator.manufacturer}:"
    for domain, ident in device.identifiers:
        if domain != DOMAIN or not ident.startswith(prefix):
            # The service device lives as long as the entry.
            return False
        api_id, _, index = ident.removeprefix(prefix).partition(CHANNEL_SEPARATOR)
        receiver = coordinator.receiver(api_id)
        if receiver is not None and (not index or receiver.channel(int(index)) is not None):
            return False
    return True
