"""Numbers: a channel's audio gain, within the model's range and steps."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
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
    """Audio gain numbers of every family (all five take gain), with range, step and unit."""
    freezer.move_to("2026-11-26T20:00:00+00:00")
    network.add(*load_receivers("five_families.json"), charger("Chargers A"))
    entry = await setup_platform(hass, network, Platform.NUMBER, **{CONF_ALLOW_CHANGES: True})
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_gains_beyond_the_limits_are_never_sent(
    hass: HomeAssistant, control_rig: FakeNetwork
) -> None:
    await setup_with_changes(hass, control_rig)
    # Home Assistant's own checks, from the limits the entity carries.
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: "number.vox_audio_gain", "value": 43},
            blocking=True,
        )
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: "number.vox_audio_gain", "value": 1.5},
            blocking=True,
        )
    assert caught.value.translation_key == "invalid_step"
    assert control_rig.backend.writes == []
    assert state_of(hass, "number.vox_audio_gain") == "0"
