"""Receivers that announce themselves on the network: add them, or offer to."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery_flow

from .const import (
    CONF_AUTO_ADD_DISCOVERED,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
    LOGGER,
    MANUFACTURER_SHURE,
    SHURE_DEFAULT_PORT,
)
from .coordinator import MicboardConfigEntry
from .hosts import format_host
from .manufacturers.shure.discovery import (
    ShureAnnouncement,
    ShureDiscovery,
    TransportFactory,
)

# Tests replace this with a loopback transport; None means the real multicast listener.
TRANSPORT_FACTORY: TransportFactory | None = None
# Receivers announce their ACN session port, not their control port, which is always this.
CONTROL_PORT = SHURE_DEFAULT_PORT


async def async_start_discovery(
    hass: HomeAssistant, entry: MicboardConfigEntry
) -> Callable[[], Coroutine[Any, Any, None] | None]:
    """Listen for receiver announcements while the entry is loaded; returns the stopper."""
    if entry.data[CONF_MANUFACTURER] != MANUFACTURER_SHURE:
        return lambda: None

    @callback
    def _found(announcement: ShureAnnouncement) -> None:
        host = format_host(announcement.ip, CONTROL_PORT, SHURE_DEFAULT_PORT)
        if host in entry.options.get(CONF_HOSTS, []):
            return
        if entry.options.get(CONF_AUTO_ADD_DISCOVERED):
            LOGGER.info("Adding %s %s found at %s", announcement.model, announcement.name, host)
            hass.config_entries.async_update_entry(
                entry,
                options={**entry.options, CONF_HOSTS: [*entry.options[CONF_HOSTS], host]},
            )
            entry.async_create_background_task(
                hass,
                entry.runtime_data.backend.add_receiver(announcement.ip, CONTROL_PORT),
                f"micboard add {host}",
            )
            return
        discovery_flow.async_create_flow(
            hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={
                "host": announcement.ip,
                "port": CONTROL_PORT,
                "name": announcement.name,
                "model": announcement.model,
                "mac": announcement.mac,
            },
        )

    listener = ShureDiscovery(_found, transport_factory=TRANSPORT_FACTORY)
    await listener.start()
    return listener.stop
