"""Controls end to end: Home Assistant -> client -> simulator over loopback, and back.

Each control is driven through Home Assistant's own services: the change reaches the
simulated device, the device's answer changes the entity, and the activity log names the
user. What the device cannot take is refused before anything is sent; a device that does
not answer leaves the entity as it was and the call fails naming the device.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.micboard.const import (
    CONF_ALLOW_CHANGES,
    CONF_AUTO_ADD_DISCOVERED,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
)
from simulator import SimulatedReceiver
from simulator.core import Simulator
from simulator.sennheiser_ssc import SscReceiver

from .helpers import setup_entry, until

ALLOW = {CONF_ALLOW_CHANGES: True}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: Any) -> None:
    """The recorder (for the activity log) must be set up before Home Assistant starts."""


def sets(rx: SimulatedReceiver) -> list[str]:
    """The SET commands a simulated receiver received (METER_RATE aside)."""
    return [c for c in rx.received if c.startswith("< SET") and "METER_RATE" not in c]


def state(hass: HomeAssistant, entity_id: str) -> str:
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


async def call(
    hass: HomeAssistant,
    domain: str,
    service: str,
    data: dict[str, Any],
    context: Context | None = None,
    **kwargs: Any,
) -> Any:
    return await hass.services.async_call(
        domain, service, data, blocking=True, context=context, **kwargs
    )


@pytest.fixture
async def stage(simulator: Simulator) -> SimulatedReceiver:
    return await simulator.add_receiver(
        "ULXD4D", name="Stage L", channel_names=["Vox 1", "Vox 2"], port=0
    )


async def test_each_shure_control(
    hass: HomeAssistant,
    simulator: Simulator,
    stage: SimulatedReceiver,
    hass_admin_user: MockUser,
    hass_ws_client: WebSocketGenerator,
) -> None:
    docks = await simulator.add_charger("SBC220", name="Docks")
    await setup_entry(hass, stage, docks, **ALLOW)
    context = Context(user_id=hass_admin_user.id)

    # Identify: the receiver, a channel, the charger.
    await call(hass, "button", "press", {ATTR_ENTITY_ID: "button.stage_l_identify"}, context)
    await call(hass, "button", "press", {ATTR_ENTITY_ID: "button.vox_2_identify"}, context)
    await call(hass, "button", "press", {ATTR_ENTITY_ID: "button.docks_identify"}, context)
    assert stage.device.identify
    assert stage.device.channel(2).identify
    assert "< SET FLASH ON >" in docks.received

    # Rename: the entity changes when the receiver's REP comes back.
    await call(
        hass,
        "text",
        "set_value",
        {ATTR_ENTITY_ID: "text.vox_1_channel_name", "value": "Lead"},
        context,
    )
    assert stage.device.channel(1).name == "Lead"
    assert state(hass, "text.vox_1_channel_name") == "Lead"
    await call(hass, "switch", "turn_on", {ATTR_ENTITY_ID: "switch.vox_2_output_mute"}, context)
    assert stage.device.channel(2).muted
    assert state(hass, "switch.vox_2_output_mute") == "on"
    await call(
        hass,
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.vox_2_audio_gain", "value": -6},
        context,
    )
    assert stage.device.channel(2).gain_db == -6
    assert state(hass, "number.vox_2_audio_gain") == "-6"
    assert sets(stage) == [
        "< SET FLASH ON >",
        "< SET 2 FLASH ON >",
        "< SET 1 CHAN_NAME {Lead} >",
        "< SET 2 AUDIO_MUTE ON >",
        "< SET 2 AUDIO_GAIN 012 >",
    ]
    # A change on the receiver's front panel shows at once, as before.
    stage.rename_channel(2, "Choir")
    await until(hass, lambda: state(hass, "text.vox_2_channel_name") == "Choir")

    # The activity log says who made each change, and the front panel's names nobody.
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "micboard/activity", "event_type": "micboard_device_updated"}
    )
    response = await client.receive_json()
    assert response["success"], response
    sentences = [row["sentence"] for row in response["result"]["rows"]]
    assert "Vox 1 renamed to Lead by Mock User" in sentences
    # Lines name a device as it is known now (channel 2 is called Choir since).
    assert "Choir output muted by Mock User" in sentences
    assert "Choir audio gain set to -6 dB by Mock User" in sentences
    assert "Choir changed name from Vox 2 to Choir" in sentences


async def test_refused_before_sending_and_by_the_receiver(
    hass: HomeAssistant, stage: SimulatedReceiver
) -> None:
    await setup_entry(hass, stage, **ALLOW)
    with pytest.raises(ValueError, match="too long"):
        await call(
            hass,
            "text",
            "set_value",
            {ATTR_ENTITY_ID: "text.vox_1_channel_name", "value": "Lead Vocal"},
        )
    with pytest.raises(ValueError, match="pattern"):
        await call(
            hass, "text", "set_value", {ATTR_ENTITY_ID: "text.vox_1_channel_name", "value": "{x}"}
        )
    with pytest.raises(ServiceValidationError):
        await call(
            hass, "number", "set_value", {ATTR_ENTITY_ID: "number.vox_1_audio_gain", "value": 45}
        )
    assert sets(stage) == []
    # The receiver itself refuses (its controls locked): REP ERR, the state stays.
    stage.set_faults(locked=True)
    with pytest.raises(HomeAssistantError) as caught:
        await call(hass, "switch", "turn_on", {ATTR_ENTITY_ID: "switch.vox_1_output_mute"})
    assert caught.value.translation_key == "refused"
    assert str(caught.value) == "Vox 1 refused the change (SET 1 AUDIO_MUTE ON: REP ERR)"
    assert state(hass, "switch.vox_1_output_mute") == "off"
    assert not stage.device.channel(1).muted


async def test_no_confirmation(hass: HomeAssistant, stage: SimulatedReceiver) -> None:
    """A receiver that does not answer: the call fails within a few seconds, naming it."""
    await setup_entry(hass, stage, **ALLOW)
    stage.go_silent()
    with pytest.raises(HomeAssistantError) as caught:
        await call(
            hass,
            "text",
            "set_value",
            {ATTR_ENTITY_ID: "text.vox_1_channel_name", "value": "Lead"},
        )
    assert caught.value.translation_key == "not_confirmed"
    assert str(caught.value).startswith("Vox 1 did not confirm the change in time")
    assert "no answer within 3 s" in str(caught.value)
    assert state(hass, "text.vox_1_channel_name") == "Vox 1"
    assert sets(stage) == ["< SET 1 CHAN_NAME {Lead} >"]


async def test_option_off(
    hass: HomeAssistant, stage: SimulatedReceiver, entity_registry: er.EntityRegistry
) -> None:
    entry = await setup_entry(hass, stage)
    domains = {e.domain for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)}
    assert domains.isdisjoint({"button", "text", "switch", "number"})
    channel = entry.runtime_data.devices.async_device_id(
        (next(iter(entry.runtime_data.data.receivers)), 1)
    )
    with pytest.raises(ServiceValidationError, match="not allowed"):
        await call(
            hass,
            DOMAIN,
            "set_channel_names",
            {"channels": [{"device_id": channel, "name": "Lead"}]},
        )
    assert sets(stage) == []


async def test_bulk_rename(hass: HomeAssistant, simulator: Simulator) -> None:
    stage = await simulator.add_receiver("AD4D", name="Stage L", channel_names=["Vox 1", "Vox 2"])
    podium = await simulator.add_receiver("QLXD4", name="Podium", channel_names=["Pulpit"])
    entry = await setup_entry(hass, stage, podium, **ALLOW)
    coordinator = entry.runtime_data
    ids = {rx.name: api_id for api_id, rx in coordinator.data.receivers.items()}

    def device(name: str, index: int) -> str:
        device_id = coordinator.devices.async_device_id((ids[name], index))
        assert device_id is not None
        return device_id

    # One name too long: nothing is sent at all.
    with pytest.raises(ServiceValidationError, match="at most 8"):
        await call(
            hass,
            DOMAIN,
            "set_channel_names",
            {
                "channels": [
                    {"device_id": device("Stage L", 1), "name": "Lead"},
                    {"device_id": device("Podium", 1), "name": "Lectern L"},
                ]
            },
        )
    assert sets(stage) == sets(podium) == []
    response = await call(
        hass,
        DOMAIN,
        "set_channel_names",
        {
            "channels": [
                {"device_id": device("Stage L", 1), "name": "Lead"},
                {"device_id": device("Stage L", 2), "name": "Keys"},
                {"device_id": device("Podium", 1), "name": "Host"},
            ]
        },
        return_response=True,
    )
    assert [(c["name"], c["renamed"]) for c in response["channels"]] == [
        ("Lead", True),
        ("Keys", True),
        ("Host", True),
    ]
    assert [ch.name for ch in stage.device.channels] == ["Lead", "Keys"]
    assert podium.device.channel(1).name == "Host"
    assert state(hass, "text.vox_2_channel_name") == "Keys"


async def test_sennheiser_controls(hass: HomeAssistant, simulator: Simulator) -> None:
    em = await simulator.add_sennheiser("EW-DX-EM2", name="Lectern", channel_names=["LEAD", "VOX"])
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Sennheiser",
        unique_id="sennheiser",
        data={CONF_MANUFACTURER: "sennheiser"},
        options={
            CONF_HOSTS: [f"{em.host}:{em.port}"],
            CONF_AUTO_ADD_DISCOVERED: False,
            **ALLOW,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await call(hass, "button", "press", {ATTR_ENTITY_ID: "button.lectern_identify"})
    await call(hass, "button", "press", {ATTR_ENTITY_ID: "button.vox_identify"})
    assert em.device.identify
    assert em.device.channel(2).identify
    await call(
        hass, "text", "set_value", {ATTR_ENTITY_ID: "text.vox_channel_name", "value": "Choir"}
    )
    assert em.device.channel(2).name == "Choir"
    assert state(hass, "text.vox_channel_name") == "Choir"
    gain = hass.states.get("number.lead_audio_gain")
    assert gain is not None
    assert (gain.attributes["min"], gain.attributes["max"], gain.attributes["step"]) == (-3, 42, 3)
    await call(hass, "number", "set_value", {ATTR_ENTITY_ID: "number.lead_audio_gain", "value": 9})
    assert em.device.channel(1).gain_db == 9
    # Between the 3 dB steps: refused before sending.
    with pytest.raises(ServiceValidationError) as caught:
        await call(
            hass, "number", "set_value", {ATTR_ENTITY_ID: "number.lead_audio_gain", "value": 10}
        )
    assert caught.value.translation_key == "invalid_step"
    await call(hass, "switch", "turn_on", {ATTR_ENTITY_ID: "switch.lead_output_mute"})
    assert em.device.channel(1).muted
    assert state(hass, "switch.lead_output_mute") == "on"
    em.set_faults(locked=True)
    with pytest.raises(HomeAssistantError, match=r"^LEAD refused the change \(rx1/mute: error 423"):
        await call(hass, "switch", "turn_off", {ATTR_ENTITY_ID: "switch.lead_output_mute"})
    assert state(hass, "switch.lead_output_mute") == "on"
    assert em.device.channel(1).gain_db == 9
    assert isinstance(em, SscReceiver)
