"""Texts: a channel's name, written to the receiver within the model's name rule.

The rename's attribution, the limits Home Assistant checks from the entity and those the
library checks behind it, a rename the receiver never confirms.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockUser, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.micboard.activity import activity_row
from custom_components.micboard.const import CONF_ALLOW_CHANGES, EVENT_DEVICE_UPDATED
from custom_components.micboard.logbook import describe_event

from .helpers import (
    FakeNetwork,
    capture_lifecycle,
    charger,
    load_receivers,
    setup_platform,
    setup_with_changes,
    state_of,
    with_channel,
)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Channel name texts of every family (all five take names), with their name rules."""
    freezer.move_to("2026-11-26T20:00:00+00:00")
    network.add(*load_receivers("five_families.json"), charger("Chargers A"))
    entry = await setup_platform(hass, network, Platform.TEXT, **{CONF_ALLOW_CHANGES: True})
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_rename_is_confirmed_and_attributed(
    hass: HomeAssistant, control_rig: FakeNetwork, hass_admin_user: MockUser
) -> None:
    await setup_with_changes(hass, control_rig)
    events = capture_lifecycle(hass)
    context = Context(user_id=hass_admin_user.id)
    await hass.services.async_call(
        "text",
        "set_value",
        {ATTR_ENTITY_ID: "text.vox_channel_name", "value": "Lead"},
        blocking=True,
        context=context,
    )
    await hass.async_block_till_done()
    assert control_rig.backend.writes == [("name", "10.0.0.5:2202", 1, "Lead")]
    assert state_of(hass, "text.vox_channel_name") == "Lead"
    (updated,) = [e for e in events if e.event_type == EVENT_DEVICE_UPDATED]
    assert updated.context is context
    assert updated.data["changed"] == ["name"]
    assert updated.data["changed_by"] == "Mock User"
    entry = describe_event(hass, EVENT_DEVICE_UPDATED, dict(updated.data))
    assert (entry[LOGBOOK_ENTRY_NAME], entry[LOGBOOK_ENTRY_MESSAGE]) == (
        "Vox",
        "renamed to Lead by Mock User",
    )
    row = activity_row(hass, updated.time_fired_timestamp, EVENT_DEVICE_UPDATED, updated.data)
    assert row["sentence"] == "Vox renamed to Lead by Mock User"
    # The entity's own state change carries the call's context too.
    state = hass.states.get("text.vox_channel_name")
    assert state is not None
    assert state.context.user_id == hass_admin_user.id


async def test_not_confirmed_keeps_the_name(hass: HomeAssistant, control_rig: FakeNetwork) -> None:
    await setup_with_changes(hass, control_rig)
    control_rig.backend.write_outcome = "silent"
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "text",
            "set_value",
            {ATTR_ENTITY_ID: "text.vox_channel_name", "value": "Lead"},
            blocking=True,
        )
    assert caught.value.translation_key == "not_confirmed"
    assert str(caught.value) == (
        "Vox did not confirm the change in time (no answer within 3 s); it may or may not "
        "have taken it"
    )
    assert state_of(hass, "text.vox_channel_name") == "Vox"


async def test_names_beyond_the_limits_are_never_sent(
    hass: HomeAssistant, control_rig: FakeNetwork
) -> None:
    await setup_with_changes(hass, control_rig)
    # Home Assistant's own checks, from the limits the entity carries.
    with pytest.raises(ValueError, match="too long"):
        await hass.services.async_call(
            "text",
            "set_value",
            {ATTR_ENTITY_ID: "text.vox_channel_name", "value": "Lead Vocal"},
            blocking=True,
        )
    with pytest.raises(ValueError, match="pattern"):
        await hass.services.async_call(
            "text",
            "set_value",
            {ATTR_ENTITY_ID: "text.vox_channel_name", "value": "a|b"},
            blocking=True,
        )
    assert control_rig.backend.writes == []
    assert state_of(hass, "text.vox_channel_name") == "Vox"


async def test_library_checks_behind_the_entity(
    hass: HomeAssistant, control_rig: FakeNetwork
) -> None:
    """A value Home Assistant lets through is still checked by the library, translated."""
    await setup_with_changes(hass, control_rig)
    stage = control_rig.backend.receiver("Stage L")
    # A name longer than the rule, set on the front panel: the entity shows it as it is.
    control_rig.backend.push(with_channel(stage, 1, name="Lead Vocal|1"))
    await hass.async_block_till_done()
    text = hass.states.get("text.vox_channel_name")
    assert text is not None
    assert text.state == "Lead Vocal|1"
    assert text.attributes["max"] == 12
    assert text.attributes["pattern"] is None
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "text",
            "set_value",
            {ATTR_ENTITY_ID: text.entity_id, "value": "Lead Voc|2"},
            blocking=True,
        )
    assert caught.value.translation_key == "invalid_too_long"
    assert "at most 8" in str(caught.value)
    assert control_rig.backend.writes == []
