"""The cards are served from /micboard_static/ and loaded on the dashboards."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.components.lovelace.resources import ResourceStorageCollection
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.micboard.const import DOMAIN
from custom_components.micboard.frontend import DATA_FRONTEND, async_register_frontend

VERSION = "0.1.0"
CARD_URL = f"/micboard_static/micboard-card.js?v={VERSION}"


async def _resources(hass: HomeAssistant) -> list[dict[str, str]]:
    resources = hass.data[LOVELACE_DATA].resources
    assert isinstance(resources, ResourceStorageCollection)
    await resources.async_get_info()
    return [dict(item) for item in resources.async_items()]


async def test_static_path_serves_the_cards(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """The card module and the modules it imports are served as JavaScript."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    client = await hass_client()
    for name in ("micboard-card.js", "micboard-logic.js", "micboard-activity-card.js"):
        response = await client.get(f"/micboard_static/{name}?v={VERSION}")
        assert response.status == 200, name
        assert response.content_type in ("text/javascript", "application/javascript")
    response = await client.get(CARD_URL)
    body = await response.text()
    assert 'customElements.whenDefined("home-assistant")' in body
    assert (await client.get("/micboard_static/nothing.js")).status == 404


async def test_resource_on_storage_dashboards(hass: HomeAssistant) -> None:
    """A storage-mode set-up gets one module resource carrying the version."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert [(r["type"], r["url"]) for r in await _resources(hass)] == [("module", CARD_URL)]

    # Registering again (a second call in the same Home Assistant) neither raises nor adds.
    await async_register_frontend(hass)
    await hass.async_block_till_done()
    assert len(await _resources(hass)) == 1


async def test_upgrade_updates_the_resource(hass: HomeAssistant) -> None:
    """The resource of an older version is updated in place; other resources stay."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {})
    resources = hass.data[LOVELACE_DATA].resources
    assert isinstance(resources, ResourceStorageCollection)
    await resources.async_create_item({"res_type": "module", "url": "/local/other.js"})
    await resources.async_create_item(
        {"res_type": "module", "url": "/micboard_static/micboard-card.js?v=0.0.9"}
    )
    await resources.async_create_item({"res_type": "module", "url": "/local/third.js"})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    urls = sorted(r["url"] for r in await _resources(hass))
    assert urls == ["/local/other.js", "/local/third.js", CARD_URL]


async def test_current_resource_is_left_alone(hass: HomeAssistant) -> None:
    """A resource already at this version is not rewritten."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {})
    resources = hass.data[LOVELACE_DATA].resources
    assert isinstance(resources, ResourceStorageCollection)
    item = await resources.async_create_item({"res_type": "module", "url": CARD_URL})
    with patch.object(resources, "async_update_item") as update:
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    update.assert_not_called()
    assert [r["id"] for r in await _resources(hass)] == [item["id"]]


async def test_yaml_resources_use_an_extra_module(hass: HomeAssistant) -> None:
    """Where resources live in YAML, the module is added to every page instead."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {"lovelace": {"resource_mode": "yaml"}})
    hass.config.components.add("frontend")
    with patch("custom_components.micboard.frontend.add_extra_js_url") as add_extra:
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    add_extra.assert_called_once_with(hass, CARD_URL)


async def test_without_lovelace_or_frontend(hass: HomeAssistant) -> None:
    """Served, but nothing to load it into: no error."""
    assert await async_setup_component(hass, "http", {})
    with patch("custom_components.micboard.frontend.add_extra_js_url") as add_extra:
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    add_extra.assert_not_called()
    assert hass.data[DATA_FRONTEND] == CARD_URL


async def test_http_and_websocket_come_first(hass: HomeAssistant) -> None:
    """The manifest's dependencies: HTTP (cards, activity view) and the websocket API."""
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert {"http", "websocket_api"} <= hass.config.components


async def test_waits_for_start(hass: HomeAssistant) -> None:
    """Set up while Home Assistant starts: registered once it has started."""
    hass.set_state(CoreState.starting)
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert await _resources(hass) == []
    hass.set_state(CoreState.running)
    hass.bus.async_fire("homeassistant_started")
    await hass.async_block_till_done()
    assert [r["url"] for r in await _resources(hass)] == [CARD_URL]
