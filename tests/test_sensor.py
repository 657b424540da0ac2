"""Sensors: readings, receiver details, the sync log, pacing of levels, the status band."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from .helpers import FakeNetwork, load_receivers, setup_fake_entry

SYNCED_AT = "2026-11-26T20:00:00+00:00"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Entity ids, names, classes, units and states for one receiver of each family."""
    freezer.move_to(SYNCED_AT)
    network.add(*load_receivers("five_families.json"))
    with patch("custom_components.micboard.PLATFORMS", [Platform.SENSOR]):
        entry = await setup_fake_entry(hass, network, detail_entities=True)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
