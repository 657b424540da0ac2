"""Pushed changes and liveness over real sockets reach the bus, the entities and the logbook."""

from __future__ import annotations

import time
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
from simulator.core import Simulator

from ..helpers import capture_lifecycle, wait_for_event
from .helpers import api_id_of, setup_entry


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: Any) -> None:
    """The recorder (for the logbook) must be set up before Home Assistant starts."""


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_transmitter_off_and_on(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A transmitter switched off and on (pushed REP): bus events, entity, logbook lines."""
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    receiver = await simulator.add_receiver(
        "ULXD4D", name="Stage L", channel_names=["Vocal 1", "Vocal 2"]
    )
    receiver.set_transmitter(1, on=True)
    entry = await setup_entry(hass, receiver)
    api_id = api_id_of(entry, receiver)
    channel_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{api_id}/ch1"), entry.entry_id
    )
    assert channel_device is not None
    events = capture_lifecycle(hass)

    receiver.set_transmitter(1, on=False)
    offline = await wait_for_event(hass, events, "micboard_device_offline", 2)
    assert offline.data == {
        "service_code": "shure",
        "api_device_id": f"{api_id}:1",
        "device_type": "transmitter",
        "device_id": channel_device.id,
        "name": "Vocal 1",
    }
    assert hass.states.get("binary_sensor.vocal_1_transmitter").state == "off"
    receiver.set_transmitter(1, on=True)
    online = await wait_for_event(hass, events, "micboard_device_online", 2)
    assert online.data["api_device_id"] == f"{api_id}:1"
    assert [e.event_type for e in events] == ["micboard_device_offline", "micboard_device_online"]
    assert hass.states.get("binary_sensor.vocal_1_transmitter").state == "on"

    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start})
    response = await client.receive_json()
    assert response["success"], response
    lines = [(e["name"], e["message"]) for e in response["result"] if e.get("domain") == DOMAIN]
    assert ("Micboard", "Discovered receiver device: Stage L ULXD4D") in lines
    assert lines.index(("Vocal 1 transmitter", "went offline")) < lines.index(
        ("Vocal 1 transmitter", "came online")
    )


async def test_silent_receiver_goes_offline_and_returns(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A receiver that stops talking is offline within 5 s and online again after it returns."""
    receiver = await simulator.add_receiver("QLXD4", name="Lectern", channel_names=["Pastor"])
    receiver.set_transmitter(1, on=True, battery_bars=5)
    entry = await setup_entry(hass, receiver)
    battery = hass.states.get("sensor.pastor_battery").state
    assert battery.isdigit()
    events = capture_lifecycle(hass)
    receiver.go_silent()
    started = time.monotonic()
    offline = await wait_for_event(hass, events, "micboard_device_offline", 7)
    assert time.monotonic() - started <= 6.0
    assert offline.data["device_type"] == "receiver"
    assert offline.data["name"] == "Lectern"
    assert hass.states.get("binary_sensor.lectern_connectivity").state == "off"
    assert hass.states.get("sensor.pastor_battery").state == "unavailable"
    assert hass.states.get("sensor.pastor_status").state == "rx_com_error"

    receiver.resume()
    online = await wait_for_event(hass, events, "micboard_device_online", 10)
    assert online.data["api_device_id"] == api_id_of(entry, receiver)
    assert hass.states.get("binary_sensor.lectern_connectivity").state == "on"
    assert hass.states.get("sensor.pastor_battery").state == battery
    assert hass.states.get("sensor.pastor_status").state == "good"
    assert [e.event_type for e in events if e.event_type != "micboard_device_synced"] == [
        "micboard_device_offline",
        "micboard_device_online",
    ]


async def test_one_transition_reads_as_few_activity_lines(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, simulator: Simulator
) -> None:
    """A transmitter switched off, then on: the Activity view gets the sentence and the status.

    With the default entities, nothing else restates it (the transmitter and mute binary
    sensors and the event entities are disabled by default; levels and battery are
    continuous sensors, which the logbook leaves out).
    """
    assert await async_setup_component(hass, "logbook", {})
    receiver = await simulator.add_receiver("ULXD4D", name="Stage L", channel_names=["Vocal 1"])
    receiver.set_transmitter(1, on=True, battery_bars=5)
    await setup_entry(hass, receiver)
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)

    async def lines_after(start: str) -> list[tuple[str | None, str]]:
        await async_wait_recording_done(hass)
        await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start})
        response = await client.receive_json()
        assert response["success"], response
        return [
            (row.get("entity_id"), row.get("message") or row.get("state", ""))
            for row in response["result"]
        ]

    events = capture_lifecycle(hass)
    start = dt_util.utcnow().isoformat()
    receiver.set_transmitter(1, on=False)
    await wait_for_event(hass, events, "micboard_device_offline", 2)
    assert await lines_after(start) == [
        ("sensor.vocal_1_status", "went offline"),
        ("sensor.vocal_1_status", "prev_good"),
    ]

    start = dt_util.utcnow().isoformat()
    receiver.set_transmitter(1, on=True, battery_bars=5)
    await wait_for_event(hass, events, "micboard_device_online", 2)
    assert await lines_after(start) == [
        ("sensor.vocal_1_status", "came online"),
        ("sensor.vocal_1_status", "good"),
    ]
