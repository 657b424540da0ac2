"""Identities remembered across restarts: a receiver switched off while Home Assistant starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.micboard.const import (
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
    EVENT_DEVICE_SYNCED,
)
from custom_components.micboard.identities import identity_of, receiver_from
from custom_components.micboard.manufacturers import Capability, Transmitter

from .helpers import (
    FakeNetwork,
    advance,
    capture_lifecycle,
    channel,
    mock_entry,
    receiver,
    setup_fake_entry,
    state_of,
    transmitter,
    with_channel,
    with_transmitter,
)

MAC = "00:0e:dd:00:00:07"


def _lifecycle(events: list[Event]) -> list[tuple[str, str]]:
    return [
        (e.event_type, e.data["device_type"]) for e in events if e.event_type != EVENT_DEVICE_SYNCED
    ]


def _stage_left() -> Any:
    return receiver(
        "Stage L",
        api_device_id=MAC,
        mac_address=MAC,
        channels=[channel(1, "Vox 1", transmitter=transmitter()), channel(2, "Vox 2")],
    )


def test_identity_round_trip() -> None:
    """What is stored is the identity only, and reads back as the same receiver, offline."""
    stage = _stage_left()
    stored = identity_of(stage)
    assert stored["api_device_id"] == MAC
    assert [(c["index"], c["name"]) for c in stored["channels"]] == [(1, "Vox 1"), (2, "Vox 2")]
    back = receiver_from("shure", stored)
    assert back is not None
    assert (back.api_device_id, back.model, back.name, back.capabilities) == (
        MAC,
        stage.model,
        "Stage L",
        stage.capabilities,
    )
    assert back.identified
    assert not back.online
    # Only whether a transmitter was on, and which model: no battery, no meters.
    assert [(c.index, c.name, c.transmitter) for c in back.channels] == [
        (c.index, c.name, Transmitter(model=c.transmitter.model) if c.transmitter else None)
        for c in stage.channels
    ]
    assert back.channels[0].transmitter is not None
    assert back.channels[0].rf_level_dbm is None
    # Unusable records are skipped, unknown capabilities dropped.
    assert receiver_from("shure", {"host": "x"}) is None
    odd = receiver_from("shure", {**stored, "capabilities": ["tx_mute", "teleport"]})
    assert odd is not None
    assert odd.capabilities == {Capability.TX_MUTE}


async def test_identity_is_written_for_the_next_start(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Receivers that answered are written to storage (a little later, in one go)."""
    network.add(_stage_left())
    entry = await setup_fake_entry(hass, network)
    await advance(hass, freezer, timedelta(seconds=11))
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}.identities"]["data"]["receivers"]
    assert stored == {"10.0.0.5:2202": identity_of(network.backend.snapshot.receivers[MAC])}


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_receiver_off_at_start_comes_back_offline_then_online(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Off at start: devices and entities at once, connectivity off, one offline, then online."""
    # The earlier run: Stage L answered and was registered.
    stage = _stage_left()
    network.add(stage)
    entry = await setup_fake_entry(hass, network)
    await advance(hass, freezer, timedelta(seconds=11))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    # This run: Stage L is switched off.
    del network.receivers[stage.host, stage.port]
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "off"
    assert state_of(hass, "sensor.vox_1_status") == "rx_com_error"
    assert state_of(hass, "sensor.vox_1_battery") == "unavailable"
    # Nothing is announced at once: it may still be booting.
    assert _lifecycle(events) == []

    await advance(hass, freezer, timedelta(seconds=5))
    assert _lifecycle(events) == [("micboard_device_offline", "receiver")]
    offline = next(e for e in events if e.event_type == "micboard_device_offline")
    assert offline.data["api_device_id"] == MAC
    assert offline.data["device_id"] is not None
    assert state_of(hass, "event.stage_l_receiver_events") != "unknown"

    # Further polls repeat nothing.
    for _ in range(3):
        await advance(hass, freezer, timedelta(seconds=30))
    assert _lifecycle(events) == [("micboard_device_offline", "receiver")]

    # It boots: online, and its values are read again.
    network.backend.live[stage.host, stage.port] = stage
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    assert _lifecycle(events) == [
        ("micboard_device_offline", "receiver"),
        ("micboard_device_online", "receiver"),
    ]
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "on"
    assert state_of(hass, "sensor.vox_1_status") == "good"


async def test_receiver_back_within_the_window_is_not_announced_offline(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A remembered receiver that answers before the window ends just comes online."""
    stage = _stage_left()
    hass_storage["micboard.stored.identities"] = {
        "version": 1,
        "key": "micboard.stored.identities",
        "data": {"receivers": {"10.0.0.5:2202": identity_of(stage)}},
    }
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id="stored",
        unique_id="shure",
        data={CONF_MANUFACTURER: "shure"},
        options={CONF_HOSTS: ["10.0.0.5"]},
    )
    entry.add_to_hass(hass)
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Never registered before: the remembered receiver is not "known", so no discovery yet.
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "off"
    network.add(stage)
    network.backend.live[stage.host, stage.port] = stage
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=5))
    assert "micboard_device_offline" not in [e.event_type for e in events]
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "on"


async def test_nothing_remembered_and_nothing_answers_retries(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Without a remembered identity, a set-up where nobody answers still retries later."""
    entry = mock_entry(["10.0.0.5"])
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_identity_moving_to_the_mac_keeps_devices_and_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """First known by host:port, then by its MAC: same devices, same entity ids, no rediscovery."""
    first = receiver(
        "Stage L",
        channels=[channel(1, "Vox 1", transmitter=transmitter()), channel(2, "Vox 2")],
    )
    network.add(first)
    entry = await setup_fake_entry(hass, network)
    old_id = first.api_device_id
    assert old_id == "10.0.0.5:2202"
    old_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{old_id}"), entry.entry_id
    )
    old_channel = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{old_id}/ch1"), entry.entry_id
    )
    assert old_device is not None
    assert old_channel is not None
    before = {
        e.entity_id for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    }
    events = capture_lifecycle(hass)

    moved = replace(first, api_device_id=MAC, mac_address=MAC)
    network.backend.push(moved, structure=True)
    await hass.async_block_till_done()

    assert _lifecycle(events) == []
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}"), entry.entry_id
    )
    assert device is not None
    assert device.id == old_device.id
    channel_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}/ch1"), entry.entry_id
    )
    assert channel_device is not None
    assert channel_device.id == old_channel.id
    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert {e.entity_id for e in entries} == before
    battery = entity_registry.async_get("sensor.vox_1_battery")
    assert battery is not None
    assert battery.unique_id == f"shure:{MAC}/ch1-battery"
    assert not [e for e in entries if old_id in e.unique_id]
    assert state_of(hass, "sensor.vox_1_battery") == "100"

    # The entities follow the receiver under its new id.
    network.backend.push(with_transmitter(moved, 1, battery_bars=1, battery_percent=20))
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.vox_1_battery") == "20"
    network.backend.push(with_channel(moved, 1, transmitter=None))
    await hass.async_block_till_done()
    assert _lifecycle(events) == [("micboard_device_offline", "transmitter")]
    offline = events[-1]
    assert offline.data["api_device_id"] == f"{MAC}:1"
    assert offline.data["device_id"] == old_channel.id
    assert state_of(hass, "event.vox_1_transmitter_events") != "unknown"


async def test_identity_moving_to_a_mac_known_from_before(
    hass: HomeAssistant,
    network: FakeNetwork,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The MAC's devices from an earlier run take over; the interim host:port ones go."""
    stage = _stage_left()
    network.add(stage)
    entry = await setup_fake_entry(hass, network)
    mac_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}"), entry.entry_id
    )
    assert mac_device is not None
    battery_id = entity_registry.async_get_entity_id("sensor", DOMAIN, f"shure:{MAC}/ch1-battery")
    assert battery_id == "sensor.vox_1_battery"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    # This run it answers without its MAC at first (and nothing was remembered).
    interim = replace(stage, api_device_id="10.0.0.5:2202", mac_address=None)
    network.add(interim)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, "shure:10.0.0.5:2202"), entry.entry_id
    )
    events = capture_lifecycle(hass)

    network.backend.push(stage, structure=True)
    await hass.async_block_till_done()
    assert _lifecycle(events) == []
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, "shure:10.0.0.5:2202"), entry.entry_id
        )
        is None
    )
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}"), entry.entry_id
    )
    assert device is not None
    assert device.id == mac_device.id
    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert not [e for e in entries if "10.0.0.5:2202" in e.unique_id]
    assert entity_registry.async_get_entity_id("sensor", DOMAIN, f"shure:{MAC}/ch1-battery") == (
        "sensor.vox_1_battery"
    )
    assert state_of(hass, "sensor.vox_1_battery") == "100"


async def test_receiver_announced_offline_before_a_restart_is_not_announced_again(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Offline (and announced) when Home Assistant stopped: no second offline after start."""
    stage = _stage_left()
    network.add(stage)
    entry = await setup_fake_entry(hass, network)
    network.backend.go_offline("Stage L")
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}.identities"]["data"]["receivers"]
    assert stored["10.0.0.5:2202"]["online"] is False

    del network.receivers[stage.host, stage.port]
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "off"
    await advance(hass, freezer, timedelta(seconds=5))
    assert _lifecycle(events) == []


async def test_receiver_announced_offline_that_answers_after_a_restart_comes_online(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Announced offline, back while Home Assistant restarted: online, and what changed."""
    stage = _stage_left()
    network.add(stage)
    entry = await setup_fake_entry(hass, network)
    network.backend.go_offline("Stage L")
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    # It boots while Home Assistant is down; Vox 1's transmitter was switched off meanwhile.
    network.add(with_channel(stage, 1, transmitter=None))
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert _lifecycle(events) == [
        ("micboard_device_online", "receiver"),
        ("micboard_device_offline", "transmitter"),
    ]
    online, tx_off = (e for e in events if e.event_type != EVENT_DEVICE_SYNCED)
    assert online.data["api_device_id"] == MAC
    assert online.data["device_id"] is not None
    assert tx_off.data["api_device_id"] == f"{MAC}:1"
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "on"

    # Nothing more: the silence window does not apply, polls repeat nothing.
    for _ in range(2):
        await advance(hass, freezer, timedelta(seconds=30))
    assert len(_lifecycle(events)) == 2


async def test_changes_while_away_are_announced_after_a_quick_restart(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Online before and after a quick restart: what changed meanwhile, and nothing else."""
    stage = _stage_left()
    network.add(stage)
    entry = await setup_fake_entry(hass, network)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}.identities"]["data"]
    assert stored["saved_at"] == dt_util.utcnow().isoformat()

    # Two minutes later: Vox 1's transmitter was switched off and Vox 2 renamed meanwhile.
    freezer.tick(timedelta(minutes=2))
    network.add(with_channel(with_channel(stage, 1, transmitter=None), 2, name="Lectern"))
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=5))
    assert _lifecycle(events) == [
        ("micboard_device_offline", "transmitter"),
        ("micboard_device_updated", "transmitter"),
    ]
    tx_off, renamed = (e for e in events if e.event_type != EVENT_DEVICE_SYNCED)
    assert tx_off.data["api_device_id"] == f"{MAC}:1"
    assert renamed.data["new_data"] == {"name": "Lectern"}


async def test_unchanged_receiver_after_a_quick_restart_is_not_announced(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Nothing changed while Home Assistant was down: nothing is announced."""
    network.add(_stage_left())
    entry = await setup_fake_entry(hass, network)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=1))
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=5))
    assert _lifecycle(events) == []


@pytest.mark.parametrize(
    "saved_at",
    [lambda now: (now - timedelta(minutes=11)).isoformat(), lambda now: None, lambda now: 7],
    ids=["long-break", "no-time", "not-a-time"],
)
async def test_first_read_after_a_long_break_is_a_baseline(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    saved_at: Callable[[datetime], Any],
) -> None:
    """Back after more than the catch-up window (or no time written): old news is not told."""
    stage = _stage_left()
    network.add(stage)
    entry = await setup_fake_entry(hass, network)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    key = f"{DOMAIN}.{entry.entry_id}.identities"
    hass_storage[key]["data"]["saved_at"] = saved_at(dt_util.utcnow())

    network.add(with_channel(stage, 1, transmitter=None))
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=5))
    assert _lifecycle(events) == []
    assert state_of(hass, "sensor.vox_1_status") != "good"


async def test_stopping_home_assistant_writes_the_time(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Home Assistant stopping (entries are not unloaded) writes the identities with the time."""
    network.add(_stage_left())
    entry = await setup_fake_entry(hass, network)
    await advance(hass, freezer, timedelta(seconds=11))
    key = f"{DOMAIN}.{entry.entry_id}.identities"
    written = hass_storage[key]["data"]["saved_at"]
    freezer.tick(timedelta(minutes=30))
    await hass.async_stop(force=True)
    assert hass_storage[key]["data"]["saved_at"] > written
    assert hass_storage[key]["data"]["saved_at"] == dt_util.utcnow().isoformat()


async def test_a_change_announced_just_before_a_reload_is_not_announced_again(
    hass: HomeAssistant,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Announced between two polls, then a reload: remembered as announced, told once."""
    stage = _stage_left()
    network.add(stage)
    entry = await setup_fake_entry(hass, network)
    await advance(hass, freezer, timedelta(seconds=11))
    events = capture_lifecycle(hass)
    off = with_channel(stage, 1, transmitter=None)
    network.add(off)
    network.backend.push(off)
    await hass.async_block_till_done()
    assert _lifecycle(events) == [("micboard_device_offline", "transmitter")]
    # No poll since: the entry reloads at once.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=5))
    assert _lifecycle(events) == [("micboard_device_offline", "transmitter")]
