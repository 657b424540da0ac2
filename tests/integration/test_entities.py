"""Devices and entities for one receiver of each family, and how they follow the show."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.micboard.const import EVENT_DEVICE_SYNCED
from simulator.core import Simulator
from simulator.receiver import SimulatedReceiver

from .conftest import setup_entry, until

# What only the "detail entities" option creates.
DETAIL_KEYS = frozenset(
    {
        *("audio_level", "frequency", "transmitter_model", "battery_bars", "antenna"),
        *("tx_offset", "power_lock", "firmware", "model", "rf_band"),
    }
)

# Fixed ports: receivers without a MAC are known by host:port, which the snapshots record.
RIG = (
    ("ULXD4Q", "Stage L", 42201),
    ("QLXD4", "Lectern", 42202),
    ("SLXD4D", "Choir", 42203),
    ("SLXD4D+", "Band", 42204),
    ("AD4Q", "Stage R", 42205),
)


async def _rig(simulator: Simulator) -> list[SimulatedReceiver]:
    receivers = []
    for model, name, port in RIG:
        receiver = await simulator.add_receiver(model, name=name, port=port)
        receiver.set_transmitter(1, on=True, battery_bars=4)
        receiver.set_levels(1, rf_dbm=-60, audio_dbfs=-20)
        receivers.append(receiver)
    return receivers


async def test_without_detail_only_the_essentials_exist(
    hass: HomeAssistant, simulator: Simulator, entity_registry: er.EntityRegistry
) -> None:
    """By default every family gets what a show watches, all enabled, and nothing else."""
    receivers = await _rig(simulator)
    entry = await setup_entry(hass, *receivers)
    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    keys: dict[str, set[str]] = {}
    for entity in entries:
        assert entity.disabled_by is None, entity.entity_id
        device_and_key = entity.unique_id.rpartition("-")
        keys.setdefault(device_and_key[2], set()).add(device_and_key[0])
    assert not keys.keys() & DETAIL_KEYS
    assert set(keys) == {
        *("receivers_online", "receivers_total", "last_sync", "last_sync_duration"),
        *("last_sync_status", "last_sync_errors", "connectivity", "receiver_events"),
        *("battery", "battery_runtime", "rf_level", "status", "transmitter"),
        *("transmitter_events", "transmitter_mute", "quality"),
    }
    # Five receivers: 4 + 1 + 2 + 2 + 4 channels.
    assert len(keys["connectivity"]) == 5
    assert len(keys["status"]) == 13
    # Channel quality is Axient Digital's alone; mute is ULX-D's and Axient's.
    assert len(keys["quality"]) == 4
    assert len(keys["transmitter_mute"]) == 8
    for state in hass.states.async_all():
        assert state.state != "unavailable", state.entity_id


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_battery_drain_changes_battery_and_status(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Lower battery readings move the battery sensor and the status band."""
    receiver = await simulator.add_receiver(
        "ULXD4D", name="Stage L", channel_names=["Vocal 1", "Vocal 2"], transmitters=False
    )
    receiver.set_transmitter(1, on=True, battery_bars=5)
    await setup_entry(hass, receiver, detail_entities=True)
    assert _state(hass, "sensor.vocal_1_status") == "good"
    receiver.set_battery(1, bars=3)
    await until(hass, lambda: _state(hass, "sensor.vocal_1_status") == "replace")
    assert _state(hass, "sensor.vocal_1_battery_bars") == "3"
    receiver.set_battery(1, bars=1)
    await until(hass, lambda: _state(hass, "sensor.vocal_1_status") == "critical")
    assert _state(hass, "sensor.vocal_1_status") == "critical"
    assert _state(hass, "sensor.vocal_2_status") == "unassigned"


async def test_transmitter_off_previous_then_lost(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Off: prev_* with unknown transmitter values; 30 minutes on, tx_com_error."""
    receiver = await simulator.add_receiver("QLXD4", name="Lectern", channel_names=["Pastor"])
    receiver.set_transmitter(1, on=True, battery_bars=4)
    await setup_entry(hass, receiver, detail_entities=True)
    assert _state(hass, "binary_sensor.pastor_transmitter") == "on"
    receiver.set_transmitter(1, on=False)
    await until(hass, lambda: _state(hass, "sensor.pastor_status") == "prev_good")
    assert _state(hass, "binary_sensor.pastor_transmitter") == "off"
    assert _state(hass, "sensor.pastor_battery") == "unknown"
    assert _state(hass, "sensor.pastor_rf_level") == "unknown"
    assert _state(hass, "sensor.pastor_frequency") != "unknown"

    # Only the wall clock moves: the client's socket timers keep real time.
    later = dt_util.utcnow() + timedelta(minutes=30, seconds=1)
    with patch("homeassistant.util.dt.utcnow", return_value=later):
        async_fire_time_changed(hass, later)
        await hass.async_block_till_done()
        assert _state(hass, "sensor.pastor_status") == "tx_com_error"


async def test_silent_receiver_unavailable_then_recovers(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Silent receiver: channel entities unavailable, connectivity off, status rx_com_error."""
    receiver = await simulator.add_receiver("AD4D", name="Wings", channel_names=["Sax", "Trumpet"])
    receiver.set_transmitter(1, on=True, battery_bars=5)
    await setup_entry(hass, receiver, detail_entities=True)
    battery = _state(hass, "sensor.sax_battery")
    assert battery.isdigit()
    receiver.go_silent()
    await until(hass, lambda: _state(hass, "binary_sensor.wings_connectivity") == "off", 7)
    assert _state(hass, "sensor.sax_battery") == "unavailable"
    assert _state(hass, "sensor.sax_status") == "rx_com_error"
    assert _state(hass, "sensor.wings_firmware") != "unavailable"
    assert _state(hass, "sensor.shure_receivers_online") == "0"

    receiver.resume()
    await until(hass, lambda: _state(hass, "binary_sensor.wings_connectivity") == "on", 10)
    assert _state(hass, "sensor.sax_battery") == battery
    assert _state(hass, "sensor.sax_status") == "good"
    assert _state(hass, "sensor.shure_receivers_online") == "1"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_level_sensors_are_throttled(hass: HomeAssistant, simulator: Simulator) -> None:
    """Small level changes wait for the 5 s interval; a jump of 6 dB is written at once."""
    receiver = await simulator.add_receiver("ULXD4", name="Solo", channel_names=["Lead"])
    receiver.set_transmitter(1, on=True)
    receiver.set_levels(1, rf_dbm=-60, audio_dbfs=-30, antenna="A")
    await setup_entry(hass, receiver, detail_entities=True)
    await until(hass, lambda: _state(hass, "sensor.lead_rf_level") == "-60")
    await until(hass, lambda: _state(hass, "sensor.lead_antenna") == "a")
    writes: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: writes.append(event.data["entity_id"]),
    )
    receiver.set_levels(1, rf_dbm=-62, antenna="B")
    await asyncio.sleep(1.5)
    await hass.async_block_till_done()
    assert _state(hass, "sensor.lead_rf_level") == "-60"
    assert _state(hass, "sensor.lead_antenna") == "a"
    # The latest value still lands once the interval is over.
    await until(hass, lambda: _state(hass, "sensor.lead_rf_level") == "-62", 6)
    await until(hass, lambda: _state(hass, "sensor.lead_antenna") == "b", 1)
    assert writes.count("sensor.lead_rf_level") == 1
    # An RF jump is written at once, not 5 s later.
    receiver.set_levels(1, rf_dbm=-75)
    await until(hass, lambda: _state(hass, "sensor.lead_rf_level") == "-75", 2.5)
    # A move inside the 2 dB deadband is never written.
    receiver.set_levels(1, rf_dbm=-76)
    await asyncio.sleep(6.5)
    await hass.async_block_till_done()
    assert _state(hass, "sensor.lead_rf_level") == "-75"


async def test_channel_rename_renames_device_unless_user_did(
    hass: HomeAssistant, simulator: Simulator, device_registry: dr.DeviceRegistry
) -> None:
    """The channel device follows the receiver's channel name; a user's own name wins."""
    receiver = await simulator.add_receiver("SLXD4D", name="Choir", channel_names=["Alto", "Bass"])
    entry = await setup_entry(hass, receiver)
    api_id = next(iter(entry.runtime_data.data.receivers))
    alto = device_registry.async_get_device_by_identifier(
        ("micboard", f"shure:{api_id}/ch1"), entry.entry_id
    )
    bass = device_registry.async_get_device_by_identifier(
        ("micboard", f"shure:{api_id}/ch2"), entry.entry_id
    )
    assert alto is not None
    assert bass is not None
    device_registry.async_update_device(bass.id, name_by_user="Low voices")
    receiver.rename_channel(1, "Soprano")
    receiver.rename_channel(2, "Tenor")
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    alto = device_registry.async_get(alto.id)
    bass = device_registry.async_get(bass.id)
    assert alto is not None
    assert bass is not None
    assert alto.name == "Soprano"
    assert bass.name == "Tenor"
    assert bass.name_by_user == "Low voices"


async def test_new_receiver_gets_entities_without_reload(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A receiver added at run time (auto-add) gets its entities at once."""
    first = await simulator.add_receiver("QLXD4", name="Lectern")
    entry = await setup_entry(hass, first)
    second = await simulator.add_receiver("ULXD4D", name="Side")
    await entry.runtime_data.backend.add_receiver("127.0.0.1", second.port)
    await until(hass, lambda: hass.states.get("binary_sensor.side_connectivity") is not None)
    assert _state(hass, "binary_sensor.side_connectivity") == "on"
    # Its event entity tells how it arrived.
    await until(hass, lambda: _state(hass, "event.side_receiver_events") != "unknown")
    state = hass.states.get("event.side_receiver_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_discovered"


async def test_event_entities_follow_the_lifecycle(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Nothing is fired for the first read; transmitter off/on and updates are."""
    receiver = await simulator.add_receiver("ULXD4D", name="Stage L", channel_names=["Vox", "Gtr"])
    await setup_entry(hass, receiver)
    assert _state(hass, "event.vox_transmitter_events") == "unknown"
    assert _state(hass, "event.stage_l_receiver_events") == "unknown"
    receiver.set_transmitter(1, on=False)
    await until(hass, lambda: _state(hass, "event.vox_transmitter_events") != "unknown")
    state = hass.states.get("event.vox_transmitter_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_offline"
    receiver.rename_channel(2, "Bass")
    await until(hass, lambda: _state(hass, "event.gtr_transmitter_events") != "unknown")
    state = hass.states.get("event.gtr_transmitter_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_updated"
    assert state.attributes["new_data"] == {"name": "Bass"}
    assert state.attributes["changed"] == ["name"]


async def test_remove_stale_device(
    hass: HomeAssistant,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: Any,
) -> None:
    """A device that no longer exists can be deleted; a live one cannot."""
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    assert await async_setup_component(hass, "config", {})
    receiver = await simulator.add_receiver("QLXD4", name="Lectern")
    entry: MockConfigEntry = await setup_entry(hass, receiver)
    api_id = next(iter(entry.runtime_data.data.receivers))
    live = device_registry.async_get_device_by_identifier(
        ("micboard", f"shure:{api_id}"), entry.entry_id
    )
    assert live is not None
    stale = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("micboard", "shure:00:0e:dd:99:99:99")}
    )
    client = await hass_ws_client(hass)
    for device, allowed in ((live, False), (stale, True)):
        await client.send_json_auto_id(
            {"type": "config/device_registry/remove", "device_id": device.id}
        )
        response = await client.receive_json()
        assert response["success"] is allowed


async def test_audio_peak_holds_ten_seconds(hass: HomeAssistant, simulator: Simulator) -> None:
    """A clipping meter reading shows audio_peak; 10 s after the last peak the band returns."""
    receiver = await simulator.add_receiver("ULXD4", name="Solo", channel_names=["Lead"])
    receiver.set_transmitter(1, on=True, battery_bars=5)
    receiver.set_levels(1, rf_dbm=-50, audio_dbfs=-30)
    await setup_entry(hass, receiver)
    assert _state(hass, "sensor.lead_status") == "good"
    receiver.set_levels(1, audio_dbfs=0)
    await until(hass, lambda: _state(hass, "sensor.lead_status") == "audio_peak")
    receiver.set_levels(1, audio_dbfs=-30)
    memory = hass.config_entries.async_entries("micboard")[0].runtime_data.status.memory
    (hold,) = [m.peak_until for m in memory.values() if m.peak_until is not None]
    assert hold is not None
    # Only the wall clock moves: the client's socket timers keep real time.
    with patch("homeassistant.util.dt.utcnow", return_value=hold + timedelta(seconds=1)):
        async_fire_time_changed(hass, hold + timedelta(seconds=1))
        await hass.async_block_till_done()
        assert _state(hass, "sensor.lead_status") == "good"


async def test_update_entity_service_resyncs(hass: HomeAssistant, simulator: Simulator) -> None:
    """``homeassistant.update_entity`` on any Micboard entity runs a full resync at once."""
    receiver = await simulator.add_receiver("ULXD4D", name="Stage L", channel_names=["Vox"])
    await setup_entry(hass, receiver)
    await async_setup_component(hass, "homeassistant", {})
    synced = async_capture_events(hass, EVENT_DEVICE_SYNCED)
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {"entity_id": ["sensor.vox_battery"]},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert len(synced) == 1
    assert synced[0].data["sync_result"]["online_count"] == 1
