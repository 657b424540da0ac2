"""The Home Assistant the bench measures: the test harness, production loop, one entry.

Built with pytest-homeassistant-custom-component's ``async_test_home_assistant`` (no
pytest), on Home Assistant's production event loop (no debug mode) and without a recorder.
Discovery listens on 127.0.0.1 instead of the SLP multicast group, as in the unit tests.
Home Assistant's own HTTP server (Micboard depends on ``http`` and ``websocket_api``) serves
on 127.0.0.1 at a port the system picks, never on 0.0.0.0:8123, so a board client can
subscribe through the real websocket API.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
import contextlib
import tempfile
from unittest.mock import patch

from homeassistant import loader
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.components.http.server import HomeAssistantHTTP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, frame, translation
from homeassistant.runner import create_event_loop
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.micboard.const import (
    CONF_AUTO_ADD_DISCOVERED,
    CONF_DETAIL_ENTITIES,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
)
from custom_components.micboard.identifiers import description_key
from custom_components.micboard.manufacturers import get_manufacturer
from custom_components.micboard.manufacturers.shure import discovery as shure_discovery

from .const import LOOPBACK

# Platforms every real instance has loaded: their cost is not Micboard's.
PLATFORMS = ("sensor", "binary_sensor", "event")
# Micboard's dependencies, loaded in every real instance too.
WEB = ("http", "websocket_api")

__all__ = [
    "MockConfigEntry",
    "access_token",
    "add_entry",
    "create_event_loop",
    "entity_id",
    "entries",
    "home_assistant",
    "http_port",
    "loopback_discovery",
    "resolve_key",
]


_bind = HomeAssistantHTTP.async_bind


async def _bind_loopback(server: HomeAssistantHTTP) -> None:
    """Home Assistant's HTTP server, bound to 127.0.0.1 at a port the system picks."""
    server.server_host = [LOOPBACK]
    server.server_port = 0
    await _bind(server)


async def _source_ip(*_args: object) -> str:
    return LOOPBACK


@contextlib.asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """A running Home Assistant in a temporary config dir, with ``PLATFORMS`` set up and
    HTTP (``WEB``) serving on 127.0.0.1 (``http_port``)."""
    loop = asyncio.get_running_loop()
    with (
        tempfile.TemporaryDirectory(prefix="micboard-bench-") as config_dir,
        patch.object(HomeAssistantHTTP, "async_bind", _bind_loopback),
        patch("homeassistant.components.http.async_get_source_ip", _source_ip),
    ):
        async with async_test_home_assistant(loop, True, config_dir=config_dir) as hass:
            frame.async_setup(hass)
            await translation.async_load_integrations(hass, {"homeassistant"})
            # Forget the harness's own custom_components: the loader finds this repo's.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            for domain in (*PLATFORMS, *WEB):
                await async_setup_component(hass, domain, {})
            # Home Assistant starts serving once the frontend is set up (none here).
            await hass.http.start()
            await hass.async_block_till_done()
            yield hass


def http_port(hass: HomeAssistant) -> int:
    """The port Home Assistant's HTTP server listens on (127.0.0.1)."""
    server = hass.http._server
    assert server is not None
    port: int = server.sockets[0].getsockname()[1]
    return port


async def access_token(hass: HomeAssistant) -> str:
    """An access token of a new administrator, as a logged-in browser holds."""
    user = await hass.auth.async_create_user("Bench board", group_ids=[GROUP_ID_ADMIN])
    refresh = await hass.auth.async_create_refresh_token(user, client_id=f"http://{LOOPBACK}/")
    return hass.auth.async_create_access_token(refresh)


async def _loopback(
    protocol_factory: Callable[[], asyncio.DatagramProtocol], **_where: object
) -> asyncio.DatagramTransport:
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        protocol_factory, local_addr=(LOOPBACK, 0)
    )
    return transport


@contextlib.contextmanager
def loopback_discovery() -> Iterator[None]:
    """Shure discovery listens on 127.0.0.1 (never the multicast group) meanwhile."""
    with patch.object(shure_discovery, "open_multicast_transport", _loopback):
        yield


def add_entry(
    hass: HomeAssistant, hosts: list[str], *, detail_entities: bool, manufacturer: str = "shure"
) -> MockConfigEntry:
    """The manufacturer's entry watching ``hosts``, added (not yet set up), as the flow would."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=get_manufacturer(manufacturer).name,
        unique_id=manufacturer,
        data={CONF_MANUFACTURER: manufacturer},
        options={
            CONF_HOSTS: hosts,
            CONF_AUTO_ADD_DISCOVERED: False,
            CONF_DETAIL_ENTITIES: detail_entities,
        },
    )
    entry.add_to_hass(hass)
    return entry


def entries(hass: HomeAssistant, entry_id: str) -> list[er.RegistryEntry]:
    """The entity-registry entries of a config entry."""
    return er.async_entries_for_config_entry(er.async_get(hass), entry_id)


def entity_id(hass: HomeAssistant, domain: str, unique_id: str) -> str | None:
    """The entity id of a Micboard entity, by platform and unique id."""
    return er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)


def resolve_key(hass: HomeAssistant, entity_id: str) -> str:
    """The description key of a Micboard entity ("other integrations" for the rest)."""
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None or entry.platform != DOMAIN:
        return "other integrations"
    return description_key(entry.unique_id)
