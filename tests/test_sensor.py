"""Sensors: readings, receiver details, the sync log, pacing of levels, the status band."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.micboard.manufacturers import (
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
)

from .helpers import (
    FakeNetwork,
    advance,
    channel,
    load_receivers,
    receiver,
    setup_fake_entry,
    setup_platform,
    state_of,
    transmitter,
    unanswered,
    with_channel,
    with_transmitter,
)

SYNCED_AT = "2026-11-26T20:00:00+00:00"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Entity ids, names, classes, units and states for one receiver of each family."""
    freezer.move_to(SYNCED_AT)
    network.add(*load_receivers("five_families.json"))
    entry = await setup_platform(hass, network, Platform.SENSOR)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_battery_drain_changes_battery_and_status(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Lower battery readings move the battery sensors and the status band."""
    rx = receiver(
        "Stage L",
        channels=[
            channel(1, "Vocal 1", transmitter=transmitter(battery_bars=5, battery_percent=None)),
            channel(2, "Vocal 2", transmitter=None),
        ],
    )
    network.add(rx)
    await setup_fake_entry(hass, network, detail_entities=True)
    backend = network.backend
    assert state_of(hass, "sensor.vocal_1_status") == "good"
    assert state_of(hass, "sensor.vocal_1_battery") == "100"

    rx = with_transmitter(rx, 1, battery_bars=3)
    backend.push(rx)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.vocal_1_status") == "replace"
    assert state_of(hass, "sensor.vocal_1_battery_bars") == "3"
    assert state_of(hass, "sensor.vocal_1_battery") == "60"

    backend.push(with_transmitter(rx, 1, battery_bars=1))
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.vocal_1_status") == "critical"
    assert state_of(hass, "sensor.vocal_2_status") == "unassigned"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_transmitter_off_previous_then_lost(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """Off: prev_* with unknown transmitter values; 30 minutes on, tx_com_error."""
    rx = receiver(
        "Lectern", channels=[channel(1, "Pastor", transmitter=transmitter(battery_bars=4))]
    )
    network.add(rx)
    await setup_fake_entry(hass, network, detail_entities=True)
    assert state_of(hass, "binary_sensor.pastor_transmitter") == "on"
    assert state_of(hass, "sensor.pastor_status") == "good"

    network.backend.push(with_channel(rx, 1, transmitter=None))
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.pastor_status") == "prev_good"
    assert state_of(hass, "binary_sensor.pastor_transmitter") == "off"
    assert state_of(hass, "sensor.pastor_battery") == "unknown"
    assert state_of(hass, "sensor.pastor_rf_level") == "unknown"
    assert state_of(hass, "sensor.pastor_frequency") != "unknown"

    await advance(hass, freezer, timedelta(minutes=29))
    assert state_of(hass, "sensor.pastor_status") == "prev_good"
    await advance(hass, freezer, timedelta(minutes=1, seconds=1))
    assert state_of(hass, "sensor.pastor_status") == "tx_com_error"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_silent_receiver_unavailable_then_recovers(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Silent receiver: channel values unavailable, details kept, status rx_com_error."""
    network.add(receiver("Wings", channels=[channel(1, "Sax"), channel(2, "Trumpet")]))
    await setup_fake_entry(hass, network, detail_entities=True)
    battery = state_of(hass, "sensor.sax_battery")
    assert battery.isdigit()
    assert state_of(hass, "sensor.shure_receivers_online") == "1"

    network.backend.go_offline("Wings")
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.sax_battery") == "unavailable"
    assert state_of(hass, "sensor.sax_rf_level") == "unavailable"
    assert state_of(hass, "sensor.sax_status") == "rx_com_error"
    assert state_of(hass, "sensor.wings_firmware") != "unavailable"
    assert state_of(hass, "sensor.shure_receivers_online") == "0"

    network.backend.come_back("Wings")
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.sax_battery") == battery
    assert state_of(hass, "sensor.sax_status") == "good"
    assert state_of(hass, "sensor.shure_receivers_online") == "1"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "no_jitter")
async def test_level_sensors_are_paced(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """Small level changes wait for the 30 s interval; a fade of 10 dB is written at once."""
    rx = receiver("Solo", channels=[channel(1, "Lead", rf_level_dbm=-60, antenna="A")])
    network.add(rx)
    await setup_fake_entry(hass, network, detail_entities=True)
    backend = network.backend
    assert state_of(hass, "sensor.lead_rf_level") == "-60"
    assert state_of(hass, "sensor.lead_antenna") == "a"
    writes: list[str] = []
    hass.bus.async_listen("state_changed", lambda event: writes.append(event.data["entity_id"]))

    rx = with_channel(rx, 1, rf_level_dbm=-63, antenna="B")
    backend.push(rx, meters_only=True)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_rf_level") == "-60"
    assert state_of(hass, "sensor.lead_antenna") == "a"
    # A meter reading wakes only what shows meters: nothing else is written.
    assert writes == []

    # Not after 5 s (the interval before the board streamed meters) ...
    await advance(hass, freezer, timedelta(seconds=5))
    assert writes == []
    # ... the latest value lands once the 30 s interval is over.
    await advance(hass, freezer, timedelta(seconds=25))
    assert state_of(hass, "sensor.lead_rf_level") == "-63"
    assert state_of(hass, "sensor.lead_antenna") == "b"
    assert writes.count("sensor.lead_rf_level") == 1

    # A fade of 10 dB is written at once (within the second), not 30 s later.
    rx = with_channel(rx, 1, rf_level_dbm=-73)
    backend.push(rx, meters_only=True)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_rf_level") == "-73"
    # So is the recovery.
    rx = with_channel(rx, 1, rf_level_dbm=-63)
    backend.push(rx, meters_only=True)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_rf_level") == "-63"
    assert writes.count("sensor.lead_rf_level") == 3

    # Meter noise inside the 3 dB deadband is never written.
    for level in (-61, -65, -64, -62):
        backend.push(with_channel(rx, 1, rf_level_dbm=level), meters_only=True)
        await advance(hass, freezer, timedelta(seconds=20))
    assert state_of(hass, "sensor.lead_rf_level") == "-63"
    assert writes.count("sensor.lead_rf_level") == 3


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "no_jitter")
async def test_audio_level_is_never_written_at_once(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """Speech moves audio by 10 dB many times a second: even a big move waits for the interval."""
    rx = receiver("Solo", channels=[channel(1, "Lead", audio_level_dbfs=-30)])
    network.add(rx)
    await setup_fake_entry(hass, network, detail_entities=True)
    network.backend.push(with_channel(rx, 1, audio_level_dbfs=-6), meters_only=True)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_audio_level") == "-30"
    await advance(hass, freezer, timedelta(seconds=29))
    assert state_of(hass, "sensor.lead_audio_level") == "-30"
    await advance(hass, freezer, timedelta(seconds=1))
    assert state_of(hass, "sensor.lead_audio_level") == "-6"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "no_jitter")
async def test_level_appearing_or_going_is_written_at_once(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A level that goes (transmitter off) or comes back is news: no pacing."""
    rx = receiver("Solo", channels=[channel(1, "Lead", rf_level_dbm=-60)])
    network.add(rx)
    await setup_fake_entry(hass, network, detail_entities=True)
    backend = network.backend
    backend.push(with_channel(rx, 1, transmitter=None))
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_rf_level") == "unknown"
    backend.push(rx)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_rf_level") == "-60"
    backend.go_offline("Solo")
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_rf_level") == "unavailable"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "no_jitter")
async def test_pending_level_write_dropped_on_unload(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """A delayed write waiting when the entry unloads never lands."""
    rx = receiver("Solo", channels=[channel(1, "Lead", rf_level_dbm=-60)])
    network.add(rx)
    entry = await setup_fake_entry(hass, network, detail_entities=True)
    network.backend.push(with_channel(rx, 1, rf_level_dbm=-64), meters_only=True)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=31))
    assert state_of(hass, "sensor.lead_rf_level") == "unavailable"


async def test_audio_peak_holds_ten_seconds(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """A clipping meter reading shows audio_peak; 10 s after the last peak the band returns."""
    rx = receiver("Solo", channels=[channel(1, "Lead", audio_level_dbfs=-30)])
    network.add(rx)
    await setup_fake_entry(hass, network)
    backend = network.backend
    assert state_of(hass, "sensor.lead_status") == "good"
    backend.push(with_channel(rx, 1, audio_level_dbfs=0, audio_peak=True), meters_only=True)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_status") == "audio_peak"
    # The peak renews while it lasts: the hold counts from the last one.
    freezer.tick(timedelta(seconds=4))
    backend.push(with_channel(rx, 1, audio_level_dbfs=-1, audio_peak=True), meters_only=True)
    await hass.async_block_till_done()
    backend.push(with_channel(rx, 1, audio_level_dbfs=-30), meters_only=True)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=7))
    assert state_of(hass, "sensor.lead_status") == "audio_peak"
    await advance(hass, freezer, timedelta(seconds=4))
    assert state_of(hass, "sensor.lead_status") == "good"


async def test_sync_log_sensors(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """The service device shows every poll: status, errors with their message, counts."""
    freezer.move_to(SYNCED_AT)
    good = receiver("Lectern", port=2202, channels=1)
    network.add(good)
    entry = await setup_fake_entry(
        hass,
        network,
        good,
        unanswered("10.0.0.9", 2202, DeviceError(ErrorKind.TIMED_OUT, "timed out")),
    )
    assert state_of(hass, "sensor.shure_last_sync_status") == "partial"
    assert state_of(hass, "sensor.shure_last_sync_errors") == "1"
    errors = hass.states.get("sensor.shure_last_sync_errors")
    assert errors is not None
    assert errors.attributes["error_message"] == "10.0.0.9:2202: not connected yet"
    assert state_of(hass, "sensor.shure_receivers_online") == "1"
    assert state_of(hass, "sensor.shure_receivers") == "2"
    assert state_of(hass, "sensor.shure_last_sync") == SYNCED_AT
    assert state_of(hass, "sensor.shure_last_sync_duration") == "0.25"

    network.backend.fail(MicboardConnectionError("network down"))
    await advance(hass, freezer, timedelta(seconds=31))
    assert not entry.runtime_data.last_update_success
    assert state_of(hass, "sensor.shure_last_sync_status") == "unavailable"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "no_jitter")
async def test_pending_level_write_keeps_latest_or_nothing(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """Readings while a write waits replace it; back at the written value, nothing is written."""
    rx = receiver("Solo", channels=[channel(1, "Lead", rf_level_dbm=-60)])
    network.add(rx)
    await setup_fake_entry(hass, network, detail_entities=True)
    backend = network.backend
    writes: list[str] = []
    hass.bus.async_listen("state_changed", lambda event: writes.append(event.data["entity_id"]))
    for level in (-63, -65, -60):
        backend.push(with_channel(rx, 1, rf_level_dbm=level), meters_only=True)
        await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=30))
    assert "sensor.lead_rf_level" not in writes
    assert state_of(hass, "sensor.lead_rf_level") == "-60"


async def test_audio_peak_in_a_full_reading(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """A peak that arrives with a settings change holds just the same."""
    rx = receiver("Solo", channels=[channel(1, "Lead")])
    network.add(rx)
    await setup_fake_entry(hass, network)
    network.backend.push(with_channel(rx, 1, audio_peak=True, name="Lead"))
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.lead_status") == "audio_peak"
    await advance(hass, freezer, timedelta(seconds=11))
    assert state_of(hass, "sensor.lead_status") == "good"
