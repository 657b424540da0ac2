"""Simulator -> real Shure client -> coordinator -> bus events, logbook and automations."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import time
from typing import Any

from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_get_device_automations,
)

from custom_components.micboard import device_trigger
from custom_components.micboard.const import DOMAIN, LIFECYCLE_EVENTS
from simulator.core import Simulator

from .conftest import api_id_of, setup_entry, until

EVENT_KEYS = {"service_code", "api_device_id", "device_type", "device_id", "name"}


def _capture_all(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []
    for event_type in LIFECYCLE_EVENTS:
        hass.bus.async_listen(event_type, events.append)
    return events


async def _wait_for(
    hass: HomeAssistant, events: list[Event], event_type: str, seconds: float
) -> Event:
    """Wait (in real time: the client's liveness timer is real) for an event type."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await hass.async_block_till_done()
        for event in events:
            if event.event_type == event_type:
                return event
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {event_type} within {seconds} s: {[e.event_type for e in events]}")


async def _poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()


async def test_first_setup_discovers_each_receiver_once(
    hass: HomeAssistant, simulator: Simulator, device_registry: dr.DeviceRegistry
) -> None:
    """Set-up announces new receivers with the contract payload; a reload does not again."""
    receiver = await simulator.add_receiver("ULXD4Q", name="Stage L")
    events = _capture_all(hass)
    entry = await setup_entry(hass, receiver)
    discovered = [e for e in events if e.event_type == "micboard_device_discovered"]
    assert len(discovered) == 1
    data = discovered[0].data
    api_id = api_id_of(entry, receiver)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{api_id}"), entry.entry_id
    )
    assert device is not None
    assert data == {
        "service_code": "shure",
        "api_device_id": api_id,
        "device_type": "receiver",
        "device_id": device.id,
        "name": "Stage L",
        "device_data": {
            "id": api_id,
            "name": "Stage L",
            "type": "receiver",
            "model": "ULXD4Q",
            "ip_address": "127.0.0.1",
        },
    }
    channels = [
        d
        for d in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if d.via_device_id == device.id
    ]
    assert len(channels) == 4
    synced = [e for e in events if e.event_type == "micboard_device_synced"]
    assert len(synced) == 1
    assert "device_id" not in synced[0].data
    assert synced[0].data["sync_result"]["status"] == "success"
    assert synced[0].data["sync_result"]["device_count"] == 1

    events.clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert [e.event_type for e in events] == ["micboard_device_synced"]


async def test_unchanged_polls_fire_only_synced(hass: HomeAssistant, simulator: Simulator) -> None:
    """Ten polls of an unchanged rig: ten device_synced and nothing else."""
    receiver = await simulator.add_receiver("AD4D", name="Wings")
    entry = await setup_entry(hass, receiver)
    events = _capture_all(hass)
    for _ in range(10):
        await _poll(hass, entry)
    assert [e.event_type for e in events] == ["micboard_device_synced"] * 10
    for event in events:
        assert set(event.data) == {
            "service_code",
            "api_device_id",
            "device_type",
            "name",
            "sync_result",
        }


async def test_scheduled_poll_runs_every_30_seconds(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The resync runs on its interval even while metering pushes keep arriving."""
    receiver = await simulator.add_receiver("SLXD4D", name="Pulpit")
    await setup_entry(hass, receiver)
    events = async_capture_events(hass, "micboard_device_synced")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await until(hass, lambda: len(events) == 1)
    assert events[0].data["sync_result"]["online_count"] == 1


async def test_transmitter_off_and_on(
    hass: HomeAssistant, simulator: Simulator, device_registry: dr.DeviceRegistry
) -> None:
    """Switching a transmitter off and on fires transmitter offline/online for its channel."""
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
    events = _capture_all(hass)

    receiver.set_transmitter(1, on=False)
    offline = await _wait_for(hass, events, "micboard_device_offline", 2)
    assert offline.data == {
        "service_code": "shure",
        "api_device_id": f"{api_id}:1",
        "device_type": "transmitter",
        "device_id": channel_device.id,
        "name": "Vocal 1",
    }
    receiver.set_transmitter(1, on=True)
    online = await _wait_for(hass, events, "micboard_device_online", 2)
    assert online.data["api_device_id"] == f"{api_id}:1"
    assert [e.event_type for e in events] == ["micboard_device_offline", "micboard_device_online"]


async def test_silent_receiver_goes_offline_and_returns(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A receiver that stops talking is offline within 5 s and online again after it returns."""
    receiver = await simulator.add_receiver("QLXD4", name="Lectern")
    entry = await setup_entry(hass, receiver)
    events = _capture_all(hass)
    receiver.go_silent()
    started = time.monotonic()
    offline = await _wait_for(hass, events, "micboard_device_offline", 7)
    assert time.monotonic() - started <= 6.0
    assert offline.data["device_type"] == "receiver"
    assert offline.data["name"] == "Lectern"
    assert hass.states.get("binary_sensor.lectern_connectivity").state == "off"

    receiver.resume()
    online = await _wait_for(hass, events, "micboard_device_online", 10)
    assert online.data["api_device_id"] == api_id_of(entry, receiver)
    assert hass.states.get("binary_sensor.lectern_connectivity").state == "on"
    assert [e.event_type for e in events if e.event_type != "micboard_device_synced"] == [
        "micboard_device_offline",
        "micboard_device_online",
    ]


async def test_firmware_and_name_changes_are_updates(
    hass: HomeAssistant, simulator: Simulator, device_registry: dr.DeviceRegistry
) -> None:
    """Firmware and channel name changes fire device_updated with only the changed keys."""
    receiver = await simulator.add_receiver("AD4Q", name="Stage R", firmware="1.1.43.0")
    entry = await setup_entry(hass, receiver)
    events = _capture_all(hass)
    receiver.set_firmware("1.2.0.0")
    await _poll(hass, entry)
    updated = [e for e in events if e.event_type == "micboard_device_updated"]
    assert len(updated) == 1
    assert updated[0].data["changed"] == ["firmware"]
    assert updated[0].data["old_data"] == {"firmware": "1.1.43.0"}
    assert updated[0].data["new_data"] == {"firmware": "1.2.0.0"}
    device = device_registry.async_get(updated[0].data["device_id"])
    assert device is not None
    assert device.sw_version == "1.2.0.0"

    events.clear()
    receiver.rename_channel(2, "Pastor")
    event = await _wait_for(hass, events, "micboard_device_updated", 2)
    assert event.data["device_type"] == "transmitter"
    assert event.data["new_data"] == {"name": "Pastor"}
    channel = device_registry.async_get(event.data["device_id"])
    assert channel is not None
    assert channel.name == "Pastor"


async def test_never_answering_receiver_warns_once(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A configured receiver that never answered: a warning once, the rest works."""
    good = await simulator.add_receiver("QLXD4", name="Lectern")
    dead = await simulator.add_receiver("QLXD4", name="Dead")
    await dead.refuse_connections(True)
    entry = await setup_entry(hass, good, dead)
    assert entry.state.value == "loaded"
    await _poll(hass, entry)
    await _poll(hass, entry)
    warnings = [r for r in caplog.records if "has not answered yet" in r.getMessage()]
    assert len(warnings) == 1
    assert hass.states.get("sensor.shure_receivers_online").state == "1"
    assert hass.states.get("sensor.shure_last_sync_status").state == "partial"


async def test_device_triggers_fire_automations(
    hass: HomeAssistant, simulator: Simulator, device_registry: dr.DeviceRegistry
) -> None:
    """UI device triggers: listed per device, and fired by the real event path."""
    receiver = await simulator.add_receiver(
        "ULXD4D", name="Stage L", channel_names=["Vocal 1", "Vocal 2"]
    )
    receiver.set_transmitter(1, on=True)
    entry = await setup_entry(hass, receiver)
    api_id = api_id_of(entry, receiver)
    rx_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{api_id}"), entry.entry_id
    )
    ch_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{api_id}/ch1"), entry.entry_id
    )
    assert rx_device is not None
    assert ch_device is not None

    rx_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, rx_device.id
    )
    assert sorted(t["type"] for t in rx_triggers if t["domain"] == DOMAIN) == [
        "device_updated",
        "receiver_offline",
        "receiver_online",
    ]
    ch_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, ch_device.id
    )
    assert sorted(t["type"] for t in ch_triggers if t["domain"] == DOMAIN) == [
        "device_updated",
        "transmitter_off",
        "transmitter_on",
    ]

    service = device_registry.async_get_device_by_identifier((DOMAIN, "shure"), entry.entry_id)
    assert service is not None
    service_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, service.id
    )
    assert [t for t in service_triggers if t["domain"] == DOMAIN] == []
    assert await device_trigger.async_get_triggers(hass, "no-such-device") == []

    calls: list[dict[str, Any]] = []
    hass.services.async_register("test", "record", lambda call: calls.append(dict(call.data)))
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": [
                        {
                            "platform": "device",
                            "domain": DOMAIN,
                            "device_id": ch_device.id,
                            "type": trigger_type,
                        }
                    ],
                    "actions": [
                        {
                            "action": "test.record",
                            "data": {"what": trigger_type, "name": "{{ trigger.event.data.name }}"},
                        }
                    ],
                }
                for trigger_type in ("transmitter_off", "transmitter_on")
            ]
        },
    )
    events = _capture_all(hass)
    receiver.set_transmitter(1, on=False)
    await _wait_for(hass, events, "micboard_device_offline", 2)
    receiver.set_transmitter(1, on=True)
    await _wait_for(hass, events, "micboard_device_online", 2)
    await hass.async_block_till_done()
    assert calls == [
        {"what": "transmitter_off", "name": "Vocal 1"},
        {"what": "transmitter_on", "name": "Vocal 1"},
    ]


async def test_unload_leaves_nothing_running(hass: HomeAssistant, simulator: Simulator) -> None:
    """Unload stops the backend: no task or connection of the client is left."""
    receiver = await simulator.add_receiver("SLXD4D", name="Pulpit")
    entry = await setup_entry(hass, receiver)
    assert sum(rx.connection_count for rx in simulator.receivers) >= 1
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert sum(rx.connection_count for rx in simulator.receivers) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(20):
        if sum(rx.connection_count for rx in simulator.receivers) == 0:
            break
        await asyncio.sleep(0.05)
    assert sum(rx.connection_count for rx in simulator.receivers) == 0
    names = {task.get_name() for task in asyncio.all_tasks()}
    assert not [name for name in names if "micboard" in name.lower() or "shure" in name.lower()]


async def test_no_receiver_answers_retries_later(hass: HomeAssistant, simulator: Simulator) -> None:
    """If no configured receiver answers, the entry is not ready and leaves no socket open."""
    receiver = await simulator.add_receiver("QLXD4", name="Dead")
    await receiver.refuse_connections(True)
    entry = await setup_entry(hass, receiver)
    assert entry.state.value == "setup_retry"
    await receiver.refuse_connections(False)
    # The failed attempt left nothing behind that keeps reconnecting (backoff starts at 1 s).
    await asyncio.sleep(1.5)
    assert receiver.connection_count == 0
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state.value == "loaded"


async def test_offline_receiver_ten_polls_one_event(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A receiver that stays offline for ten polls produces one device_offline."""
    receiver = await simulator.add_receiver("ULXD4D", name="Stage L")
    entry = await setup_entry(hass, receiver)
    events = _capture_all(hass)
    await receiver.refuse_connections(True)
    await receiver.drop_connections()
    await _wait_for(hass, events, "micboard_device_offline", 3)
    for _ in range(10):
        await _poll(hass, entry)
    lifecycle = [e.event_type for e in events if e.event_type != "micboard_device_synced"]
    assert lifecycle == ["micboard_device_offline"]
    synced = [e for e in events if e.event_type == "micboard_device_synced"]
    assert len(synced) == 10
    assert synced[-1].data["sync_result"]["status"] == "error"
    assert synced[-1].data["sync_result"]["online_count"] == 0


async def test_live_metering_and_battery_drain_fire_no_events(
    hass: HomeAssistant, rig_socket_enabled: None
) -> None:
    """With noisy meters and fast-draining batteries, only device_synced fires."""
    async with Simulator(seed=7, noise=True, battery_drain=600) as noisy:
        receiver = await noisy.add_receiver("AD4Q", name="Stage R")
        entry = await setup_entry(hass, receiver)
        events = _capture_all(hass)
        battery = hass.states.get("sensor.ch_1_battery")
        assert battery is not None
        for _ in range(3):
            await asyncio.sleep(1.1)
            await _poll(hass, entry)
        assert {e.event_type for e in events} == {"micboard_device_synced"}
        # The batteries did drain meanwhile: the values moved without any lifecycle event.
        await until(hass, lambda: hass.states.get("sensor.ch_1_battery").state != battery.state, 5)
        await hass.config_entries.async_unload(entry.entry_id)
