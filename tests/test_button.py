"""Buttons: identify a receiver, a channel or a charger; what a failed identify says.

The fake backend answers every write as told (confirmed, refused, never confirmed);
everything above it is the real integration. Cross-platform control behaviour and the
``micboard.set_channel_names`` action are in ``test_controls.py``.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.micboard.const import CONF_ALLOW_CHANGES

from .helpers import (
    FakeNetwork,
    charger,
    load_receivers,
    setup_platform,
    setup_with_changes,
)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Identify buttons of each family that has them (receiver and channels) and a charger."""
    freezer.move_to("2026-11-26T20:00:00+00:00")
    network.add(*load_receivers("five_families.json"), charger("Chargers A"))
    entry = await setup_platform(hass, network, Platform.BUTTON, **{CONF_ALLOW_CHANGES: True})
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_identify_buttons(hass: HomeAssistant, control_rig: FakeNetwork) -> None:
    await setup_with_changes(hass, control_rig)
    for entity_id in ("button.stage_l_identify", "button.choir_identify"):
        await hass.services.async_call(
            "button", "press", {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.chargers_a_identify"}, blocking=True
    )
    assert control_rig.backend.writes == [
        ("identify", "10.0.0.5:2202", 0, True),
        ("identify", "10.0.0.5:2202", 2, True),
        ("identify", "10.0.0.9:2202", 0, True),
    ]


async def test_identify_not_confirmed(hass: HomeAssistant, control_rig: FakeNetwork) -> None:
    await setup_with_changes(hass, control_rig)
    control_rig.backend.write_outcome = "silent"
    with pytest.raises(HomeAssistantError, match="Stage L did not confirm"):
        await hass.services.async_call(
            "button", "press", {ATTR_ENTITY_ID: "button.stage_l_identify"}, blocking=True
        )


async def test_charger_identify_refused(hass: HomeAssistant, control_rig: FakeNetwork) -> None:
    await setup_with_changes(hass, control_rig)
    control_rig.backend.write_outcome = "refuse"
    with pytest.raises(HomeAssistantError, match="Chargers A refused"):
        await hass.services.async_call(
            "button", "press", {ATTR_ENTITY_ID: "button.chargers_a_identify"}, blocking=True
        )
