"""Home Assistant test instances that keep their registries across a restart.

The bench's harness (``tools.bench.harness``) builds its instance with
``async_test_home_assistant(load_registries=True)``, whose registries neither load nor save
(``StoreWithoutWriteLoad``). A restart must find the device and entity registries of the
previous run, so this one asks for no registries and loads them itself with Home Assistant's
real ``Store``: they are read from and flushed to ``<config dir>/.storage`` (the final write
happens when the instance stops). The config entries are not stored by the test harness (its
``ConfigEntries`` is created without loading): a new instance gets the same entries again,
with the same entry ids, before its registries load, as Home Assistant would read them from
``core.config_entries``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from pathlib import Path
from unittest.mock import patch

from homeassistant import bootstrap, loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    category_registry as cr,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
    frame,
    issue_registry as ir,
    label_registry as lr,
    restore_state as rs,
    translation,
)
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
from tools.bench.harness import PLATFORMS

__all__ = ["EntrySpec", "MockConfigEntry", "home_assistant", "storage_files"]

type EntrySpec = tuple[str, str, list[str]]  # (entry id, manufacturer code, hosts)


def _entry(entry_id: str, code: str, hosts: list[str]) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=entry_id,
        title=code.capitalize(),
        unique_id=code,
        data={CONF_MANUFACTURER: code},
        options={
            CONF_HOSTS: hosts,
            CONF_AUTO_ADD_DISCOVERED: False,
            CONF_DETAIL_ENTITIES: False,
        },
    )


@contextlib.asynccontextmanager
async def home_assistant(
    config_dir: Path, entries: list[EntrySpec]
) -> AsyncIterator[tuple[HomeAssistant, list[MockConfigEntry]]]:
    """A running Home Assistant on ``config_dir`` with ``entries`` added (not yet set up)."""
    loop = asyncio.get_running_loop()
    async with async_test_home_assistant(loop, False, config_dir=str(config_dir)) as hass:
        added = [_entry(*spec) for spec in entries]
        for entry in added:
            entry.add_to_hass(hass)
        dr.async_setup(hass)
        with (
            patch("homeassistant.helpers.restore_state.RestoreStateData.async_setup_dump"),
            patch("homeassistant.helpers.restore_state.start.async_at_start"),
        ):
            await ar.async_load(hass)
            await cr.async_load(hass)
            await dr.async_load(hass)
            await er.async_load(hass)
            await fr.async_load(hass)
            await ir.async_load(hass)
            await lr.async_load(hass)
            await rs.async_load(hass)
        hass.data[bootstrap.DATA_REGISTRIES_LOADED] = None
        frame.async_setup(hass)
        await translation.async_load_integrations(hass, {"homeassistant"})
        # Forget the harness's own custom_components: the loader finds this repo's.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        for domain in PLATFORMS:
            await async_setup_component(hass, domain, {})
        await hass.async_block_till_done()
        yield hass, added


def storage_files(config_dir: Path) -> list[str]:
    """The registry files written so far."""
    storage = config_dir / ".storage"
    return sorted(p.name for p in storage.iterdir()) if storage.is_dir() else []
