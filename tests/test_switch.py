"""Switches: a channel's output mute, where the receiver can mute its output."""

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
    state_of,
)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Output mute switches: ULX-D and Axient Digital only (the families with receiver mute)."""
    freezer.move_to("2026-11-26T20:00:00+00:00")
    network.add(*load_receivers("five_families.json"), charger("Chargers A"))
    entry = await setup_platform(hass, network, Platform.SWITCH, **{CONF_ALLOW_CHANGES: True})
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_refused_keeps_the_mute(hass: HomeAssistant, control_rig: FakeNetwork) -> None:
    await setup_with_changes(hass, control_rig)
    control_rig.backend.write_outcome = "refuse"
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: "switch.choir_output_mute"}, blocking=True
        )
    assert caught.value.translation_key == "refused"
    assert str(caught.value) == "Choir refused the change (REP ERR)"
    assert state_of(hass, "switch.choir_output_mute") == "off"
