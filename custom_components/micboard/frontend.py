"""Serve the Micboard cards and load them on the dashboards.

The cards (``frontend/``) are plain ES modules served from ``/micboard_static/``. On a
storage-mode dashboard set-up the card module becomes a Lovelace resource, updated in place
when the integration's version changes (its ``?v=`` busts the browser cache); where
resources are kept in YAML, the module is added to every page instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.components.lovelace.const import LOVELACE_DATA, MODE_STORAGE
from homeassistant.components.lovelace.resources import ResourceStorageCollection
from homeassistant.core import HomeAssistant
from homeassistant.helpers.start import async_at_started
from homeassistant.loader import async_get_integration
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER

URL_BASE: Final = "/micboard_static"
CARD_MODULE: Final = "micboard-card.js"
FRONTEND_DIR: Final = Path(__file__).parent / "cards"

# Static paths cannot be registered twice; this marks the Home Assistant that has them.
DATA_FRONTEND: HassKey[str] = HassKey(f"{DOMAIN}_frontend")


async def async_register_frontend(hass: HomeAssistant) -> None:
    """Serve the cards and load them on the dashboards, once per Home Assistant."""
    if DATA_FRONTEND in hass.data:
        return
    integration = await async_get_integration(hass, DOMAIN)
    url = f"{URL_BASE}/{CARD_MODULE}?v={integration.version}"
    hass.data[DATA_FRONTEND] = url

    async def register(hass: HomeAssistant) -> None:
        # Without a manifest dependency on http/lovelace they may set up after Micboard:
        # by the time Home Assistant has started, whatever is configured is loaded.
        if "http" not in hass.config.components:
            LOGGER.debug("No HTTP server: the Micboard cards are not served")
            return
        await hass.http.async_register_static_paths(
            [StaticPathConfig(URL_BASE, str(FRONTEND_DIR), cache_headers=True)]
        )
        await _async_load_on_dashboards(hass, url)

    async_at_started(hass, register)


async def _async_load_on_dashboards(hass: HomeAssistant, url: str) -> None:
    lovelace = hass.data.get(LOVELACE_DATA)
    if lovelace is None or lovelace.resource_mode != MODE_STORAGE:
        if "frontend" in hass.config.components:
            add_extra_js_url(hass, url)
        return
    resources = lovelace.resources
    assert isinstance(resources, ResourceStorageCollection)
    # Loads the collection from storage if nothing has yet.
    await resources.async_get_info()
    base = url.split("?", 1)[0]
    for item in resources.async_items():
        if str(item.get("url", "")).split("?", 1)[0] != base:
            continue
        if item["url"] != url:
            await resources.async_update_item(item["id"], {"res_type": "module", "url": url})
        return
    await resources.async_create_item({"res_type": "module", "url": url})
