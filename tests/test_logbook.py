"""Each lifecycle event rendered through Home Assistant's real logbook."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.micboard.const import DOMAIN
from custom_components.micboard.logbook import (
    async_describe_events,
    describe_synced,
    describe_updated,
)

from .helpers import FakeNetwork, channel, receiver, setup_fake_entry, with_channel

MAC = "00:0e:dd:00:00:01"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: Any) -> None:
    """The recorder (for the logbook) must be set up before Home Assistant starts."""


async def _logbook(hass: HomeAssistant, client: Any, start: str) -> list[dict[str, Any]]:
    await async_wait_recording_done(hass)
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start})
    response = await client.receive_json()
    assert response["success"], response
    return [e for e in response["result"] if e.get("domain") == DOMAIN]


async def test_logbook_describes_every_event(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Discovered, offline, online, updated and synced read as plain sentences."""
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    rx = receiver(
        "Stage L",
        api_device_id=MAC,
        model="ULXD4Q",
        firmware="2.7.6.0",
        channels=[channel(1, "Vocal 1")],
    )
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    coordinator = entry.runtime_data
    backend = network.backend

    backend.set(with_channel(rx, 1, transmitter=None))
    await coordinator.async_refresh()
    backend.set(rx)
    await coordinator.async_refresh()
    rx = replace(rx, firmware="2.7.8.0")
    backend.set(rx)
    await coordinator.async_refresh()
    backend.go_offline("Stage L")
    backend.come_back("Stage L")
    await hass.async_block_till_done()

    client = await hass_ws_client(hass)
    lines = [(e["name"], e["message"]) for e in await _logbook(hass, client, start)]
    assert ("Micboard", "Discovered receiver device: Stage L ULXD4Q") in lines
    assert ("Vocal 1 transmitter", "went offline") in lines
    assert ("Vocal 1 transmitter", "came online") in lines
    assert ("Stage L ULXD4Q", "changed firmware from 2.7.6.0 to 2.7.8.0") in lines
    assert lines.index(("Stage L ULXD4Q", "went offline")) < lines.index(
        ("Stage L ULXD4Q", "came online")
    )
    synced = [message for name, message in lines if name == "Shure"]
    assert synced
    assert synced[0] == "synced 1 device: 1 online, 0 errors in 0.25 s"

    # The lines are attached to the device: its event entity carries them.
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}"), entry.entry_id
    )
    assert device is not None
    entries = await _logbook(hass, client, start)
    offline = next(e for e in entries if e["message"] == "went offline")
    # The event entity is disabled by default: the line belongs to the channel's status.
    assert offline["entity_id"] == "sensor.vocal_1_status"

    # A name the user gave the device is the one the logbook uses.
    device_registry.async_update_device(device.id, name_by_user="Rack 3")
    start = dt_util.utcnow().isoformat()
    backend.go_offline("Stage L")
    await hass.async_block_till_done()
    lines = [(e["name"], e["message"]) for e in await _logbook(hass, client, start)]
    assert ("Rack 3 ULXD4Q", "went offline") in lines


def test_sentences() -> None:
    """Several changed keys, unknown values, plural and error message."""
    assert (
        describe_updated(
            {
                "changed": ["name", "frequency"],
                "old_data": {"name": "Vox", "frequency": None},
                "new_data": {"name": "Pastor", "frequency": 518.25},
            }
        )
        == "changed name from Vox to Pastor, frequency from unknown to 518.25"
    )
    assert describe_updated({}) == "changed"
    assert (
        describe_synced(
            {
                "sync_result": {
                    "device_count": 12,
                    "online_count": 11,
                    "error_count": 1,
                    "duration_seconds": 0.41,
                    "error_message": "10.0.0.9:2202 timed out",
                }
            }
        )
        == "synced 12 devices: 11 online, 1 error in 0.41 s (10.0.0.9:2202 timed out)"
    )


async def test_lines_for_devices_home_assistant_does_not_know(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    """Events of a deleted device, or of one without an event entity, still read well."""
    describers: dict[str, Any] = {}
    async_describe_events(hass, lambda _domain, kind, fn: describers.setdefault(kind, fn))
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    bare = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "shure:x")}, name="Rack"
    )

    def line(kind: str, **data: Any) -> dict[str, str]:
        return describers[kind](Event(kind, data))

    assert line("micboard_device_offline", name="Gone", device_id="nope") == {
        "name": "Gone",
        "message": "went offline",
    }
    assert line("micboard_device_online", api_device_id="10.0.0.5:2202", device_id=None) == {
        "name": "10.0.0.5:2202",
        "message": "came online",
    }
    assert line("micboard_device_online", device_id=bare.id, device_type="receiver") == {
        "name": "Rack",
        "message": "came online",
    }
    assert line(
        "micboard_device_offline", name="Vox", device_type="transmitter", device_id=bare.id
    ) == {"name": "Rack transmitter", "message": "went offline"}
    assert line("micboard_device_discovered", device_data={"name": "New", "model": "QLXD4"}) == {
        "name": "Micboard",
        "message": "Discovered receiver device: New QLXD4",
    }
    # A name that already says the model does not say it twice.
    assert line(
        "micboard_device_discovered", name="QLXD4 Lectern", device_data={"model": "QLXD4"}
    ) == {"name": "Micboard", "message": "Discovered receiver device: QLXD4 Lectern"}
    assert line("micboard_device_synced", sync_result={"device_count": 1}) == {
        "name": "Micboard",
        "message": "synced 1 device: 0 online, 0 errors in 0.00 s",
    }


@pytest.mark.parametrize("everything_enabled", [False, True])
async def test_activity_lines_per_transmitter_transition(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    request: pytest.FixtureRequest,
    everything_enabled: bool,
) -> None:
    """A transmitter switched off, then on, writes two Activity lines each (was five).

    The lifecycle sentence, and the status the board shows, both on the channel's status
    entity; the transmitter and mute binary sensors and the event entity, which would repeat
    the sentence, are created disabled, and battery, runtime and levels are continuous
    sensors the logbook leaves out.
    """
    if everything_enabled:
        request.getfixturevalue("entity_registry_enabled_by_default")
    assert await async_setup_component(hass, "logbook", {})
    rx = receiver("Stage L", api_device_id=MAC, channels=[channel(1, "Vocal 1")])
    network.add(rx)
    await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    backend = network.backend

    async def lines_since(start: str) -> list[tuple[str, str, str]]:
        """Every line of the Activity view since ``start``, not only the integration's."""
        await async_wait_recording_done(hass)
        await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start})
        response = await client.receive_json()
        assert response["success"], response
        return [
            (e.get("entity_id", ""), e.get("name", ""), e.get("message") or e.get("state", ""))
            for e in response["result"]
        ]

    start = dt_util.utcnow().isoformat()
    backend.push(with_channel(rx, 1, transmitter=None))
    await hass.async_block_till_done()
    if everything_enabled:
        # With the disabled entities enabled, the same transition is five lines.
        assert sorted(line[0] for line in await lines_since(start)) == [
            "binary_sensor.vocal_1_transmitter",
            "binary_sensor.vocal_1_transmitter_mute",
            "event.vocal_1_transmitter_events",
            "event.vocal_1_transmitter_events",
            "sensor.vocal_1_status",
        ]
        return
    assert await lines_since(start) == [
        ("sensor.vocal_1_status", "Vocal 1 transmitter", "went offline"),
        ("sensor.vocal_1_status", "", "prev_good"),
    ]

    start = dt_util.utcnow().isoformat()
    backend.push(rx)
    await hass.async_block_till_done()
    assert await lines_since(start) == [
        ("sensor.vocal_1_status", "Vocal 1 transmitter", "came online"),
        ("sensor.vocal_1_status", "", "good"),
    ]
