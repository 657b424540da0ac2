"""Receivers that announce themselves through the library's own listener: add or offer them.

Manufacturers found by mDNS come through Home Assistant's zeroconf (the manifest declares
their service types) and the config flow's zeroconf step instead.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import discovery_flow

from .const import CONF_HOSTS, CONF_MANUFACTURER, DOMAIN
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
        # The flow adds it at once (auto-add on) or offers it (off), as for zeroconf.
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

    async def _stop_at_shutdown(_event: Event) -> None:
        # Home Assistant does not unload entries when it stops: close the socket anyway.
        await listener.stop()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop_at_shutdown))
    return listener.stop
