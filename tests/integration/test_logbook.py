"""Each lifecycle event rendered through Home Assistant's real logbook."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.micboard.const import DOMAIN
from custom_components.micboard.logbook import describe_synced, describe_updated
from simulator.core import Simulator

from .conftest import setup_entry, until


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
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Discovered, offline, online, updated and synced read as plain sentences."""
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    receiver = await simulator.add_receiver(
        "ULXD4Q", name="Stage L", firmware="2.7.6.0", channel_names=["Vocal 1"]
    )
    receiver.set_transmitter(1, on=True)
    entry = await setup_entry(hass, receiver)
    coordinator = entry.runtime_data
    api_id = next(iter(coordinator.data.receivers))

    receiver.set_transmitter(1, on=False)
    await coordinator.async_refresh()
    receiver.set_transmitter(1, on=True)
    await coordinator.async_refresh()
    receiver.set_firmware("2.7.8.0")
    await coordinator.async_refresh()
    await receiver.refuse_connections(True)
    await receiver.drop_connections()
    await until(hass, lambda: not coordinator.data.receivers[api_id].online)
    await receiver.refuse_connections(False)
    await until(hass, lambda: coordinator.data.receivers[api_id].online, 5)
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
    assert synced[0].startswith("synced 1 device: 1 online, 0 errors in ")

    # The lines are attached to the device: its event entity carries them.
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{api_id}"), entry.entry_id
    )
    assert device is not None
    entries = await _logbook(hass, client, start)
    offline = next(e for e in entries if e["message"] == "went offline")
    assert offline["entity_id"].startswith("event.vocal_1")


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
