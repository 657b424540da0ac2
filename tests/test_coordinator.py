"""The coordinator: polls and pushes in, lifecycle events and device registry out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.micboard.const import DOMAIN, EVENT_DEVICE_SYNCED
from custom_components.micboard.manufacturers import ChangeSet, MicboardConnectionError

from .helpers import (
    FakeNetwork,
    advance,
    capture_lifecycle,
    channel,
    receiver,
    setup_fake_entry,
    state_of,
    transmitter,
    unanswered,
    with_channel,
    with_transmitter,
)

MAC = "00:0e:dd:00:00:01"


def _lifecycle(events: list[Event]) -> list[str]:
    return [e.event_type for e in events if e.event_type != EVENT_DEVICE_SYNCED]


async def _poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()


async def test_first_setup_discovers_each_receiver_once(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """Set-up announces new receivers with the contract payload; a reload does not again."""
    network.add(receiver("Stage L", api_device_id=MAC, channels=4, model="ULXD4Q"))
    events = capture_lifecycle(hass)
    entry = await setup_fake_entry(hass, network)
    discovered = [e for e in events if e.event_type == "micboard_device_discovered"]
    assert len(discovered) == 1
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}"), entry.entry_id
    )
    assert device is not None
    assert discovered[0].data == {
        "service_code": "shure",
        "api_device_id": MAC,
        "device_type": "receiver",
        "device_id": device.id,
        "name": "Stage L",
        "device_data": {
            "id": MAC,
            "name": "Stage L",
            "type": "receiver",
            "model": "ULXD4Q",
            "ip_address": "10.0.0.5",
        },
    }
    channels = [
        d
        for d in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if d.via_device_id == device.id
    ]
    assert len(channels) == 4
    synced = [e for e in events if e.event_type == EVENT_DEVICE_SYNCED]
    assert len(synced) == 1
    assert "device_id" not in synced[0].data
    assert synced[0].data["sync_result"]["status"] == "success"
    assert synced[0].data["sync_result"]["device_count"] == 1

    events.clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert [e.event_type for e in events] == [EVENT_DEVICE_SYNCED]


async def test_unchanged_polls_fire_only_synced(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Ten polls of an unchanged rig: ten device_synced and nothing else."""
    network.add(receiver("Wings"))
    entry = await setup_fake_entry(hass, network)
    events = capture_lifecycle(hass)
    for _ in range(10):
        await _poll(hass, entry)
    assert [e.event_type for e in events] == [EVENT_DEVICE_SYNCED] * 10
    for event in events:
        assert set(event.data) == {
            "service_code",
            "api_device_id",
            "device_type",
            "name",
            "sync_result",
        }


async def test_scheduled_poll_runs_every_30_seconds(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """The resync runs on its interval even while metering pushes keep arriving."""
    rx = receiver("Pulpit")
    network.add(rx)
    await setup_fake_entry(hass, network)
    backend = network.backend
    events = async_capture_events(hass, EVENT_DEVICE_SYNCED)
    for second in range(31):
        backend.push(with_channel(rx, 1, rf_level_dbm=-60 - second % 2), meters_only=True)
        await advance(hass, freezer, timedelta(seconds=1))
    assert len(events) == 1
    assert events[0].data["sync_result"]["online_count"] == 1
    assert backend.calls["refresh"] == 2


async def test_transmitter_off_and_on(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """Switching a transmitter off and on fires transmitter offline/online for its channel."""
    rx = receiver(
        "Stage L", api_device_id=MAC, channels=[channel(1, "Vocal 1"), channel(2, "Vocal 2")]
    )
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    channel_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}/ch1"), entry.entry_id
    )
    assert channel_device is not None
    events = capture_lifecycle(hass)

    network.backend.push(with_channel(rx, 1, transmitter=None))
    await hass.async_block_till_done()
    network.backend.push(rx)
    await hass.async_block_till_done()
    assert [e.event_type for e in events] == ["micboard_device_offline", "micboard_device_online"]
    assert events[0].data == {
        "service_code": "shure",
        "api_device_id": f"{MAC}:1",
        "device_type": "transmitter",
        "device_id": channel_device.id,
        "name": "Vocal 1",
    }
    assert events[1].data["api_device_id"] == f"{MAC}:1"


async def test_silent_receiver_goes_offline_and_returns(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A receiver that stops talking is offline, and online again when it returns."""
    network.add(receiver("Lectern", api_device_id=MAC, channels=1))
    await setup_fake_entry(hass, network)
    events = capture_lifecycle(hass)
    network.backend.go_offline("Lectern")
    await hass.async_block_till_done()
    assert events[0].data["device_type"] == "receiver"
    assert events[0].data["name"] == "Lectern"
    assert state_of(hass, "binary_sensor.lectern_connectivity") == "off"

    network.backend.come_back("Lectern")
    await hass.async_block_till_done()
    assert events[1].data["api_device_id"] == MAC
    assert state_of(hass, "binary_sensor.lectern_connectivity") == "on"
    assert _lifecycle(events) == ["micboard_device_offline", "micboard_device_online"]


async def test_offline_receiver_ten_polls_one_event(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A receiver that stays offline for ten polls produces one device_offline."""
    network.add(receiver("Stage L"))
    entry = await setup_fake_entry(hass, network)
    events = capture_lifecycle(hass)
    network.backend.go_offline("Stage L")
    await hass.async_block_till_done()
    for _ in range(10):
        await _poll(hass, entry)
    assert _lifecycle(events) == ["micboard_device_offline"]
    synced = [e for e in events if e.event_type == EVENT_DEVICE_SYNCED]
    assert len(synced) == 10
    assert synced[-1].data["sync_result"]["status"] == "error"
    assert synced[-1].data["sync_result"]["online_count"] == 0


async def test_firmware_and_name_changes_are_updates(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """Firmware (by poll) and channel name (by push) changes fire device_updated."""
    rx = receiver("Stage R", model="AD4Q", firmware="1.1.43.0", channels=4)
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    backend = network.backend
    events = capture_lifecycle(hass)
    rx = replace(rx, firmware="1.2.0.0")
    backend.set(rx)
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
    backend.push(with_channel(rx, 2, name="Pastor"))
    await hass.async_block_till_done()
    (event,) = events
    assert event.event_type == "micboard_device_updated"
    assert event.data["device_type"] == "transmitter"
    assert event.data["new_data"] == {"name": "Pastor"}
    channel_device = device_registry.async_get(event.data["device_id"])
    assert channel_device is not None
    assert channel_device.name == "Pastor"


async def test_channel_rename_renames_device_unless_user_did(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """The channel device follows the receiver's channel name; a user's own name wins."""
    rx = receiver("Choir", api_device_id=MAC, channels=[channel(1, "Alto"), channel(2, "Bass")])
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    alto = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}/ch1"), entry.entry_id
    )
    bass = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}/ch2"), entry.entry_id
    )
    assert alto is not None
    assert bass is not None
    device_registry.async_update_device(bass.id, name_by_user="Low voices")
    network.backend.set(with_channel(with_channel(rx, 1, name="Soprano"), 2, name="Tenor"))
    await _poll(hass, entry)
    alto = device_registry.async_get(alto.id)
    bass = device_registry.async_get(bass.id)
    assert alto is not None
    assert bass is not None
    assert alto.name == "Soprano"
    assert bass.name == "Tenor"
    assert bass.name_by_user == "Low voices"


async def test_receiver_devices_carry_mac_and_web_page(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """The receiver device links its MAC and (where it serves one) its web page."""
    network.add(
        receiver("Rack", api_device_id=MAC, mac_address=MAC),
        receiver("Plain", port=2203, capabilities=frozenset()),
    )
    entry = await setup_fake_entry(hass, network)
    rack = device_registry.async_get_device_by_identifier((DOMAIN, f"shure:{MAC}"), entry.entry_id)
    assert rack is not None
    assert rack.connections == {(dr.CONNECTION_NETWORK_MAC, MAC)}
    assert rack.configuration_url == "http://10.0.0.5"
    plain = device_registry.async_get_device_by_identifier(
        (DOMAIN, "shure:10.0.0.5:2203"), entry.entry_id
    )
    assert plain is not None
    assert plain.connections == set()
    assert plain.configuration_url is None
    service = device_registry.async_get_device_by_identifier((DOMAIN, "shure"), entry.entry_id)
    assert service is not None
    assert rack.via_device_id == service.id
    assert service.entry_type is dr.DeviceEntryType.SERVICE


async def test_never_answering_receiver_warns_once(
    hass: HomeAssistant, network: FakeNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    """A configured receiver that never answered: a warning once, the rest works."""
    good = receiver("Lectern", channels=1)
    network.add(good)
    entry = await setup_fake_entry(hass, network, good, unanswered("10.0.0.9", 2202))
    assert entry.state.value == "loaded"
    await _poll(hass, entry)
    await _poll(hass, entry)
    warnings = [r for r in caplog.records if "has not answered yet" in r.getMessage()]
    assert len(warnings) == 1
    assert state_of(hass, "sensor.shure_receivers_online") == "1"
    assert state_of(hass, "sensor.shure_last_sync_status") == "partial"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_late_answering_receiver_is_discovered(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A receiver that answers for the first time after start is announced and gets entities."""
    good = receiver("Lectern", port=2202, channels=1)
    late = receiver("Late", port=2203, channels=1, api_device_id=MAC)
    network.add(good)
    await setup_fake_entry(hass, network, good, late)
    events = async_capture_events(hass, "micboard_device_discovered")
    assert hass.states.get("binary_sensor.late_connectivity") is None
    # Identified: its id moves from host:port to its MAC (both ids are in the change set).
    changes = network.backend.push(late, structure=True)
    assert changes.receivers == {"10.0.0.5:2203", MAC}
    await hass.async_block_till_done()
    assert [e.data["api_device_id"] for e in events] == [MAC]
    assert state_of(hass, "binary_sensor.late_connectivity") == "on"
    state = hass.states.get("event.late_receiver_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_discovered"


async def test_receiver_removed_by_backend_wakes_entities(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A receiver the backend drops: its entities become unavailable at once."""
    first = receiver("First", port=2202, channels=1)
    second = receiver("Second", port=2203, channels=1)
    network.add(first, second)
    entry = await setup_fake_entry(hass, network)
    await entry.runtime_data.backend.remove_receiver(second.host, second.port)
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.second_connectivity") == "unavailable"
    assert state_of(hass, "binary_sensor.first_connectivity") == "on"


async def test_metering_and_battery_ticks_fire_no_events(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Meter readings and draining batteries move values, never lifecycle events."""
    rx = receiver(
        "Stage R", channels=[channel(1, "Ch 1", transmitter=transmitter(battery_percent=90))]
    )
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    events = capture_lifecycle(hass)
    battery = state_of(hass, "sensor.ch_1_battery")
    backend = network.backend
    for step in range(1, 4):
        rx = with_channel(rx, 1, rf_level_dbm=-60 - step * 7, audio_level_dbfs=-30 + step)
        backend.push(rx, meters_only=True)
        rx = with_transmitter(rx, 1, battery_percent=90 - step, battery_runtime_minutes=400 - step)
        backend.push(rx)
        await _poll(hass, entry)
    assert {e.event_type for e in events} == {EVENT_DEVICE_SYNCED}
    assert state_of(hass, "sensor.ch_1_battery") != battery
    assert state_of(hass, "sensor.ch_1_battery") == "87"


async def test_meter_push_wakes_only_meter_entities(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A meter-only change set writes no battery, status or service state."""
    rx = receiver("Solo", channels=[channel(1, "Lead")])
    network.add(rx)
    await setup_fake_entry(hass, network)
    writes: list[str] = []
    hass.bus.async_listen("state_changed", lambda event: writes.append(event.data["entity_id"]))
    # The battery moved too, but the backend said "meters only": nobody looks at it.
    network.backend.push(with_transmitter(rx, 1, battery_percent=10), meters_only=True)
    await hass.async_block_till_done()
    assert writes == []
    assert state_of(hass, "sensor.lead_battery") == "100"


async def test_first_poll_publishes_before_the_baseline(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """What the first poll publishes reaches the listener before the baseline: no events
    but the discoveries, fired once."""
    network.add(receiver("Solo", api_device_id=MAC))
    events = capture_lifecycle(hass)
    await setup_fake_entry(hass, network)
    assert network.backend.calls["publish"] == 1
    assert [e.event_type for e in events] == ["micboard_device_discovered", EVENT_DEVICE_SYNCED]


async def test_update_entity_service_resyncs(hass: HomeAssistant, network: FakeNetwork) -> None:
    """``homeassistant.update_entity`` on any Micboard entity runs a full resync at once."""
    network.add(receiver("Stage L", channels=[channel(1, "Vox")]))
    await setup_fake_entry(hass, network)
    await async_setup_component(hass, "homeassistant", {})
    synced = async_capture_events(hass, EVENT_DEVICE_SYNCED)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": ["sensor.vox_battery"]}, blocking=True
    )
    await hass.async_block_till_done()
    assert len(synced) == 1
    assert synced[0].data["sync_result"]["online_count"] == 1


async def test_failed_poll_is_unavailable_then_recovers(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A poll the backend cannot do: entities unavailable, logged once; then back."""
    network.add(receiver("Stage L", channels=[channel(1, "Vox")]))
    entry = await setup_fake_entry(hass, network)
    backend = network.backend
    backend.fail(MicboardConnectionError("network down"))
    caplog.set_level(logging.INFO)
    for _ in range(2):
        await advance(hass, freezer, timedelta(seconds=31))
    assert not entry.runtime_data.last_update_success
    assert state_of(hass, "sensor.vox_battery") == "unavailable"
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "unavailable"
    assert len([r for r in caplog.records if "network down" in r.getMessage()]) == 1

    backend.fail(None)
    await advance(hass, freezer, timedelta(seconds=31))
    assert state_of(hass, "sensor.vox_battery") == "100"
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "on"


async def test_push_naming_unknown_receivers_is_harmless(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A change set naming a receiver that is gone, or not yet diffed, wakes nothing wrongly."""
    rx = receiver("Solo", channels=1)
    network.add(rx)
    await setup_fake_entry(hass, network)
    backend = network.backend
    events = capture_lifecycle(hass)
    backend.publish(ChangeSet(receivers=frozenset({"gone"})))
    # A receiver that appears without being flagged as structure: announced, not woken.
    backend.push(receiver("Extra", port=2210, channels=1))
    await hass.async_block_till_done()
    assert _lifecycle(events) == ["micboard_device_discovered"]
    assert state_of(hass, "binary_sensor.solo_connectivity") == "on"
