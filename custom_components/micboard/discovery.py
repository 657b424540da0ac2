"""Receivers that announce themselves through the library's own listener: add or offer them.

Manufacturers found by mDNS come through Home Assistant's zeroconf (the manifest declares
their service types) and the config flow's zeroconf step instead.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery_flow

from .const import CONF_AUTO_ADD_DISCOVERED, CONF_HOSTS, CONF_MANUFACTURER, DOMAIN, LOGGER
from .coordinator import MicboardConfigEntry
from .hosts import format_host
from .manufacturers import Announcement, DiscoveryKind, get_manufacturer


async def async_start_discovery(
    hass: HomeAssistant, entry: MicboardConfigEntry
) -> Callable[[], Coroutine[Any, Any, None] | None]:
    """Listen for announcements while the entry is loaded; returns the stopper."""
    spec = get_manufacturer(entry.data[CONF_MANUFACTURER])
    if spec.discovery is not DiscoveryKind.LISTENER or spec.create_listener is None:
        return lambda: None

    @callback
    def _found(announcement: Announcement) -> None:
        host = format_host(announcement.host, announcement.port, spec.default_port)
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
                entry.runtime_data.backend.add_receiver(announcement.host, announcement.port),
                f"micboard add {host}",
            )
            return
        discovery_flow.async_create_flow(
            hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={
                CONF_MANUFACTURER: spec.code,
                "host": announcement.host,
                "port": announcement.port,
                "name": announcement.name,
                "model": announcement.model,
                "mac": announcement.mac,
            },
        )

    listener = spec.create_listener(_found)
    await listener.start()
    return listener.stop
