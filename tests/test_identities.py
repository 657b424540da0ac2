"""Identities remembered across restarts: a receiver switched off while Home Assistant starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.micboard.const import (
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
    EVENT_DEVICE_SYNCED,
    LIFECYCLE_EVENTS,
)
from custom_components.micboard.identities import identity_of, receiver_from
from custom_components.micboard.manufacturers import Capability

from .helpers import (
    FakeNetwork,
    advance,
    channel,
    mock_entry,
    receiver,
    setup_fake_entry,
    state_of,
    transmitter,
)

MAC = "00:0e:dd:00:00:07"


def _capture(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []
    for event_type in LIFECYCLE_EVENTS:
        hass.bus.async_listen(event_type, events.append)
    return events


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
    assert [(c.index, c.name, c.transmitter) for c in back.channels] == [
        (1, "Vox 1", None),
        (2, "Vox 2", None),
    ]
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
    events = _capture(hass)
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
    events = _capture(hass)
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
