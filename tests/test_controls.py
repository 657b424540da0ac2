"""Controls in Home Assistant against the in-memory backend: existence, changes, errors, authors.

What the controls share across platforms (which exist, the option, attribution, errors, the
lifecycle and logbook of a change) and the ``micboard.set_channel_names`` action; each
platform's own tests and snapshot are in ``test_button.py``, ``test_number.py``,
``test_switch.py`` and ``test_text.py``. The fake backend checks every write with the
library's own checks and answers it as told (confirmed and pushed, refused, never
confirmed); everything above it is the real integration.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockUser

from custom_components.micboard.board import entry_picture
from custom_components.micboard.const import (
    DOMAIN,
    EVENT_DEVICE_UPDATED,
)
from custom_components.micboard.controls import async_change, device_label, translated
from custom_components.micboard.identities import (
    charger_from,
    charger_identity_of,
    identity_of,
    receiver_from,
)
from custom_components.micboard.lifecycle import diff_receiver
from custom_components.micboard.logbook import (
    describe_change_by,
    describe_sentence,
)
from custom_components.micboard.manufacturers import (
    Capability,
    ControlNotSupportedError,
    MicboardError,
)

from .helpers import (
    FakeNetwork,
    capture_lifecycle,
    channel,
    charger,
    device_id_of,
    receiver,
    setup_fake_entry,
    setup_with_changes,
    state_of,
    with_channel,
)


async def test_off_no_controls_and_the_action_refuses(
    hass: HomeAssistant, control_rig: FakeNetwork, entity_registry: er.EntityRegistry
) -> None:
    entry = await setup_fake_entry(hass, control_rig)
    registered = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    platforms = {e.domain for e in registered}
    assert platforms == {"binary_sensor", "sensor", "event"}
    vox = device_id_of(hass, ("10.0.0.5:2202", 1))
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "set_channel_names",
            {"channels": [{"device_id": vox, "name": "Lead"}]},
            blocking=True,
        )
    assert caught.value.translation_key == "changes_not_allowed"
    assert str(caught.value) == (
        "Changes are not allowed on Shure: turn on “Allow changes to receivers” in its "
        "options first"
    )
    assert control_rig.backend.writes == []
    assert entry_picture(hass, entry)["controls"] is False


async def test_controls_exist_where_the_model_has_them(
    hass: HomeAssistant, control_rig: FakeNetwork, entity_registry: er.EntityRegistry
) -> None:
    entry = await setup_with_changes(hass, control_rig)
    ids = {e.entity_id for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)}
    controls = {i for i in ids if i.split(".")[0] in {"button", "text", "switch", "number"}}
    assert controls == {
        "button.stage_l_identify",
        "button.vox_identify",
        "button.choir_identify",
        "button.chargers_a_identify",
        "text.vox_channel_name",
        "text.choir_channel_name",
        "text.pulpit_channel_name",
        "switch.vox_output_mute",
        "switch.choir_output_mute",
        "number.vox_audio_gain",
        "number.choir_audio_gain",
        "number.pulpit_audio_gain",
    }
    # Controls are configuration: not on a dashboard by default.
    assert entity_registry.async_get("switch.vox_output_mute").entity_category == "config"
    text = hass.states.get("text.vox_channel_name")
    assert text is not None
    assert text.state == "Vox"
    assert (text.attributes["min"], text.attributes["max"]) == (1, 8)
    gain = hass.states.get("number.vox_audio_gain")
    assert gain is not None
    assert gain.state == "0"
    attributes = gain.attributes
    assert (attributes["min"], attributes["max"], attributes["step"]) == (-18, 42, 1)
    assert attributes["mode"] == "box"
    assert attributes["unit_of_measurement"] == "dB"
    assert state_of(hass, "switch.vox_output_mute") == "off"
    # The board offers identify on the tiles that have it.
    picture = entry_picture(hass, entry)
    assert picture["controls"] is True
    stage = next(r for r in picture["receivers"] if r["name"] == "Stage L")
    assert stage["entity_ids"]["identify"] == "button.stage_l_identify"
    assert stage["channels"][0]["entity_ids"]["identify"] == "button.vox_identify"
    podium = next(r for r in picture["receivers"] if r["name"] == "Podium")
    assert "identify" not in podium["entity_ids"]
    assert picture["chargers"][0]["entity_ids"]["identify"] == "button.chargers_a_identify"


async def test_a_change_on_the_device_names_nobody(
    hass: HomeAssistant, control_rig: FakeNetwork
) -> None:
    await setup_with_changes(hass, control_rig)
    events = capture_lifecycle(hass)
    stage = control_rig.backend.receiver("Stage L")
    control_rig.backend.push(with_channel(stage, 2, audio_gain_db=6, audio_mute=True))
    await hass.async_block_till_done()
    (updated,) = [e for e in events if e.event_type == EVENT_DEVICE_UPDATED]
    assert "changed_by" not in updated.data
    assert describe_sentence(hass, EVENT_DEVICE_UPDATED, dict(updated.data)) == (
        "Choir changed audio gain from 0 dB to 6 dB, output mute from off to on"
    )
    assert state_of(hass, "number.choir_audio_gain") == "6"
    assert state_of(hass, "switch.choir_output_mute") == "on"


async def test_mute_and_gain(
    hass: HomeAssistant, control_rig: FakeNetwork, hass_admin_user: MockUser
) -> None:
    await setup_with_changes(hass, control_rig)
    events = capture_lifecycle(hass)
    context = Context(user_id=hass_admin_user.id)
    await hass.services.async_call(
        "switch",
        "turn_on",
        {ATTR_ENTITY_ID: "switch.vox_output_mute"},
        blocking=True,
        context=context,
    )
    assert state_of(hass, "switch.vox_output_mute") == "on"
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.vox_audio_gain", "value": 12},
        blocking=True,
        context=context,
    )
    assert state_of(hass, "number.vox_audio_gain") == "12"
    await hass.services.async_call(
        "switch",
        "turn_off",
        {ATTR_ENTITY_ID: "switch.vox_output_mute"},
        blocking=True,
        context=context,
    )
    await hass.async_block_till_done()
    sentences = [
        describe_sentence(hass, e.event_type, dict(e.data))
        for e in events
        if e.event_type == EVENT_DEVICE_UPDATED
    ]
    assert sentences == [
        "Vox output muted by Mock User",
        "Vox audio gain set to 12 dB by Mock User",
        "Vox output unmuted by Mock User",
    ]
    assert control_rig.backend.writes == [
        ("mute", "10.0.0.5:2202", 1, True),
        ("gain", "10.0.0.5:2202", 1, 12),
        ("mute", "10.0.0.5:2202", 1, False),
    ]


async def test_offline_receiver(hass: HomeAssistant, control_rig: FakeNetwork) -> None:
    await setup_with_changes(hass, control_rig)
    control_rig.backend.go_offline("Stage L")
    await hass.async_block_till_done()
    assert state_of(hass, "text.vox_channel_name") == STATE_UNAVAILABLE
    vox = device_id_of(hass, ("10.0.0.5:2202", 1))
    response = await hass.services.async_call(
        DOMAIN,
        "set_channel_names",
        {"channels": [{"device_id": vox, "name": "Lead"}]},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "channels": [
            {
                "device_id": vox,
                "name": "Lead",
                "renamed": False,
                "error": "Vox is not reachable (offline)",
            }
        ]
    }


async def test_set_channel_names(
    hass: HomeAssistant, control_rig: FakeNetwork, hass_admin_user: MockUser
) -> None:
    await setup_with_changes(hass, control_rig)
    events = capture_lifecycle(hass)
    vox = device_id_of(hass, ("10.0.0.5:2202", 1))
    choir = device_id_of(hass, ("10.0.0.5:2202", 2))
    pulpit = device_id_of(hass, ("10.0.0.6:2202", 1))
    context = Context(user_id=hass_admin_user.id)
    response = await hass.services.async_call(
        DOMAIN,
        "set_channel_names",
        {
            "channels": [
                {"device_id": vox, "name": "Lead"},
                {"device_id": choir, "name": "Choir L"},
                {"device_id": pulpit, "name": "Host"},
            ]
        },
        blocking=True,
        return_response=True,
        context=context,
    )
    await hass.async_block_till_done()
    assert response == {
        "channels": [
            {"device_id": vox, "name": "Lead", "renamed": True},
            {"device_id": choir, "name": "Choir L", "renamed": True},
            {"device_id": pulpit, "name": "Host", "renamed": True},
        ]
    }
    assert sorted(control_rig.backend.writes) == [
        ("name", "10.0.0.5:2202", 1, "Lead"),
        ("name", "10.0.0.5:2202", 2, "Choir L"),
        ("name", "10.0.0.6:2202", 1, "Host"),
    ]
    sentences = sorted(
        describe_sentence(hass, e.event_type, dict(e.data))
        for e in events
        if e.event_type == EVENT_DEVICE_UPDATED
    )
    assert sentences == [
        "Choir renamed to Choir L by Mock User",
        "Pulpit renamed to Host by Mock User",
        "Vox renamed to Lead by Mock User",
    ]


async def test_set_channel_names_checks_the_whole_list_first(
    hass: HomeAssistant, control_rig: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_with_changes(hass, control_rig)
    vox = device_id_of(hass, ("10.0.0.5:2202", 1))
    choir = device_id_of(hass, ("10.0.0.5:2202", 2))
    receiver_device = device_id_of(hass, ("10.0.0.5:2202", 0))
    other = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("elsewhere", "x")}
    )

    async def call(*pairs: tuple[str, str]) -> Any:
        return await hass.services.async_call(
            DOMAIN,
            "set_channel_names",
            {"channels": [{"device_id": d, "name": n} for d, n in pairs]},
            blocking=True,
            return_response=True,
        )

    with pytest.raises(ServiceValidationError) as caught:
        await call((vox, "Lead"), (choir, "Choir Left"))
    assert caught.value.translation_key == "invalid_too_long"
    assert str(caught.value) == (
        "Choir: “Choir Left” has 10 characters; the receiver takes at most 8. Nothing was sent"
    )
    with pytest.raises(ServiceValidationError) as caught:
        await call((vox, "Le{a}d"), (choir, " Choir"), ("nope", "X"), (vox, "Again"))
    assert caught.value.translation_key == "names_invalid"
    message = str(caught.value)
    assert message.startswith("Nothing was sent; 4 names cannot be set: ")
    assert "Vox: “Le{a}d” has characters the receiver does not take: {}" in message
    assert "Choir: “ Choir” starts or ends with a space" in message
    assert "nope is not a channel of a loaded Micboard entry" in message
    assert f"{vox} is listed more than once" in message
    for device in (receiver_device, other.id):
        with pytest.raises(ServiceValidationError, match="is not a channel"):
            await call((device, "X"))
    with pytest.raises(ServiceValidationError, match="at least 1 character"):
        await call((vox, ""))
    assert control_rig.backend.writes == []
    assert state_of(hass, "text.vox_channel_name") == "Vox"


async def test_set_channel_names_failures(hass: HomeAssistant, control_rig: FakeNetwork) -> None:
    await setup_with_changes(hass, control_rig)
    vox = device_id_of(hass, ("10.0.0.5:2202", 1))
    pulpit = device_id_of(hass, ("10.0.0.6:2202", 1))
    control_rig.backend.write_outcome = "refuse"
    channels = {
        "channels": [{"device_id": vox, "name": "Lead"}, {"device_id": pulpit, "name": "Host"}]
    }
    response = await hass.services.async_call(
        DOMAIN, "set_channel_names", channels, blocking=True, return_response=True
    )
    assert response is not None
    assert [c["renamed"] for c in response["channels"]] == [False, False]
    # Without asking for the response, the failure is an error naming every channel.
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(DOMAIN, "set_channel_names", channels, blocking=True)
    assert caught.value.translation_key == "names_not_set"
    assert str(caught.value) == (
        "2 of 2 channels were not renamed: Vox refused the change (REP ERR); "
        "Pulpit refused the change (REP ERR)"
    )
    control_rig.backend.write_outcome = "confirm"
    assert (
        await hass.services.async_call(DOMAIN, "set_channel_names", channels, blocking=True) is None
    )
    # The entity keeps its id when the channel (and so its device) is renamed.
    assert state_of(hass, "text.pulpit_channel_name") == "Host"


async def test_user_renamed_device_is_named_in_errors(
    hass: HomeAssistant, control_rig: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    await setup_with_changes(hass, control_rig)
    device = device_registry.async_get(device_id_of(hass, ("10.0.0.5:2202", 1)))
    assert device is not None
    device_registry.async_update_device(device.id, name_by_user="Lead mic")
    control_rig.backend.write_outcome = "silent"
    with pytest.raises(HomeAssistantError, match=r"^Lead mic did not confirm"):
        await hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: "switch.vox_output_mute"}, blocking=True
        )


def test_gain_and_mute_learnt_are_not_changes() -> None:
    old = receiver("Stage L", channels=[channel(1, "Vox", audio_gain_db=None, audio_mute=None)])
    new = with_channel(old, 1, audio_gain_db=12, audio_mute=False)
    assert diff_receiver(old, new) == []
    muted = diff_receiver(new, with_channel(new, 1, audio_mute=True))
    assert [e.extra["changed"] for e in muted] == [["audio_mute"]]


def test_limits_and_charger_controls_are_remembered() -> None:
    rx = receiver("Stage L", channels=[channel(1, "Vox", audio_gain_db=9, audio_mute=True)])
    back = receiver_from("shure", identity_of(rx))
    assert back is not None
    assert back.name_rule == rx.name_rule
    assert back.gain_range == rx.gain_range
    assert back.capabilities == rx.capabilities
    assert (back.channels[0].audio_gain_db, back.channels[0].audio_mute) == (9, True)
    bare = receiver_from("shure", identity_of(replace(rx, name_rule=None, gain_range=None)))
    assert bare is not None
    assert (bare.name_rule, bare.gain_range) == (None, None)
    docks = charger_from("shure", charger_identity_of(charger("Docks")))
    assert docks is not None
    assert docks.capabilities == {Capability.IDENTIFY}


async def test_device_labels_without_a_registry_name(
    hass: HomeAssistant, control_rig: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_with_changes(hass, control_rig)
    coordinator = entry.runtime_data
    assert device_label(coordinator, ("10.0.0.5:2202", 1)) == "Vox"
    # Devices the registry does not hold (any more): named from the snapshot.
    device_registry.async_remove_device(device_id_of(hass, ("10.0.0.5:2202", 2)))
    assert device_label(coordinator, ("10.0.0.5:2202", 2)) == "Choir"
    assert device_label(coordinator, ("10.0.0.5:2202", 7)) == "Stage L"
    assert device_label(coordinator, ("nowhere", 0)) == "nowhere"
    assert device_label(coordinator, ("10.0.0.9:2202", 0), bay=True) == "Chargers A"
    assert device_label(coordinator, ("10.0.0.9:2202", 5), bay=True) == "Chargers A"
    assert device_label(coordinator, ("gone", 0), bay=True) == "gone"


async def test_other_library_failures_are_translated(
    hass: HomeAssistant, control_rig: FakeNetwork
) -> None:
    await setup_with_changes(hass, control_rig)
    unsupported = translated(ControlNotSupportedError("no mute"), "Pulpit")
    assert isinstance(unsupported, ServiceValidationError)
    assert str(unsupported) == "Pulpit cannot be told this: no mute"
    failed = translated(MicboardError("broken pipe"), "Vox")
    assert failed.translation_key == "change_failed"
    assert str(failed) == "Vox: the change failed (broken pipe)"


async def test_a_change_is_refused_once_the_option_is_off(
    hass: HomeAssistant, control_rig: FakeNetwork
) -> None:
    """The entities go with the option; anything still holding one is refused too."""
    entry = await setup_fake_entry(hass, control_rig)
    called: list[str] = []

    async def change() -> None:
        called.append("sent")

    with pytest.raises(ServiceValidationError, match="not allowed on Shure"):
        await async_change(
            entry.runtime_data, change, key=("10.0.0.5:2202", 0), device="Stage L", context=None
        )
    assert called == []


async def test_set_channel_names_what_is_not_a_renamable_channel(
    hass: HomeAssistant, control_rig: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_with_changes(hass, control_rig)
    pulpit = device_id_of(hass, ("10.0.0.6:2202", 1))
    # A receiver that takes no names (say, a model without CHAN_NAME).
    podium = control_rig.backend.receiver("Podium")
    control_rig.backend.push(
        replace(podium, capabilities=podium.capabilities - {Capability.CHANNEL_NAME})
    )
    await hass.async_block_till_done()
    foreign = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "sennheiser:ab/ch1")}
    )
    vox = device_id_of(hass, ("10.0.0.5:2202", 1))
    await control_rig.backend.remove_receiver("10.0.0.5", 2202)
    await hass.async_block_till_done()

    async def call(device_id: str) -> None:
        await hass.services.async_call(
            DOMAIN,
            "set_channel_names",
            {"channels": [{"device_id": device_id, "name": "Host"}]},
            blocking=True,
        )

    with pytest.raises(ServiceValidationError) as caught:
        await call(pulpit)
    assert caught.value.translation_key == "not_supported"
    for device_id in (foreign.id, vox):
        with pytest.raises(ServiceValidationError) as caught:
            await call(device_id)
        assert caught.value.translation_key == "unknown_channel"
    assert control_rig.backend.writes == []


async def test_only_the_change_asked_for_is_attributed(
    hass: HomeAssistant, control_rig: FakeNetwork, hass_admin_user: MockUser
) -> None:
    """While a rename is under way, other events (another channel renamed on its front
    panel, a transmitter switched off) name nobody."""
    await setup_with_changes(hass, control_rig)
    events = capture_lifecycle(hass)
    gate = control_rig.backend.write_gate = asyncio.Event()
    rename = asyncio.ensure_future(
        hass.services.async_call(
            "text",
            "set_value",
            {ATTR_ENTITY_ID: "text.vox_channel_name", "value": "Lead"},
            blocking=True,
            context=Context(user_id=hass_admin_user.id),
        )
    )
    async with asyncio.timeout(2):
        await control_rig.backend.write_waiting.wait()
    stage = control_rig.backend.receiver("Stage L")
    control_rig.backend.push(with_channel(stage, 2, name="Alto", transmitter=None))
    gate.set()
    await rename
    await hass.async_block_till_done()
    by = {
        (e.event_type, e.data["name"]): e.data.get("changed_by")
        for e in events
        if e.event_type in {EVENT_DEVICE_UPDATED, "micboard_device_offline"}
    }
    assert by == {
        (EVENT_DEVICE_UPDATED, "Alto"): None,
        ("micboard_device_offline", "Alto"): None,
        (EVENT_DEVICE_UPDATED, "Lead"): "Mock User",
    }


def test_a_change_of_several_keys_by_a_user_reads_as_a_list() -> None:
    data = {
        "changed": ["name", "audio_gain"],
        "old_data": {"name": "Vox", "audio_gain": 0},
        "new_data": {"name": "Lead", "audio_gain": 3},
    }
    assert describe_change_by(data, "Ann") == (
        "changed name from Vox to Lead, audio gain from 0 dB to 3 dB by Ann"
    )
