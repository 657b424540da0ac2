"""Chargers end to end: simulator -> client -> coordinator -> bus, over real loopback sockets.

An SBC220 pair (two linked units behind one address, bays 1-4) and an SBC840 on the Shure
entry, a CHG 70N on the Sennheiser entry. The packs stand still unless a test charges them
(``charge_batteries``), so every transition is the test's own.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
import time
from typing import Any

from homeassistant.components import automation
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.micboard.const import (
    CONF_AUTO_ADD_DISCOVERED,
    CONF_DETAIL_ENTITIES,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
)
from custom_components.micboard.identifiers import device_identifier
from custom_components.micboard.logbook import describe_sentence
from simulator.core import Simulator

from ..helpers import capture_lifecycle
from .helpers import until


@pytest.fixture
async def chargers_sim(rig_socket_enabled: None) -> AsyncGenerator[Simulator]:
    """A simulator whose packs charge only when a test says so."""
    sim = Simulator(seed=3, noise=False, battery_drain=0, charge_speed=0)
    yield sim
    await sim.stop()


async def _entry(hass: HomeAssistant, code: str, *hosts: str) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=code.capitalize(),
        unique_id=code,
        data={CONF_MANUFACTURER: code},
        # Detail entities on: every reading the charger decodes becomes an entity.
        options={
            CONF_HOSTS: list(hosts),
            CONF_AUTO_ADD_DISCOVERED: False,
            CONF_DETAIL_ENTITIES: True,
        },
    )
    entry.add_to_hass(hass)
    return entry


def _bay_entity(hass: HomeAssistant, code: str, charger_id: str, bay: int, key: str) -> str:
    unique = f"{device_identifier(code, (charger_id, bay), bay=True)[1]}-{key}"
    platform = "binary_sensor" if key in {"connectivity", "storage_mode"} else "sensor"
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique)
    assert entity_id is not None, unique
    return entity_id


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _battery_events(events: list[Event], charger_id: str) -> list[tuple[str, int, Any]]:
    return [
        (
            e.event_type.removeprefix("micboard_device_"),
            int(e.data["api_device_id"].rpartition(":")[2]),
            e.data.get("battery_state"),
        )
        for e in events
        if e.data.get("device_type") == "battery" and e.data["api_device_id"].startswith(charger_id)
    ]


async def test_shure_chargers_bays_events_triggers_and_silence(
    hass: HomeAssistant, chargers_sim: Simulator
) -> None:
    """Bays decoded (faulted, empty, charging), insert -> full events, triggers, one offline."""
    pair = await chargers_sim.add_charger("SBC220", name="Docks", units=2)
    rack = await chargers_sim.add_charger("SBC840", name="Rack")
    pair.insert_battery(1, charge=80, health=91, cycles=12, temp_c=24, calculating=False)
    pair.insert_battery(3, charge=40, calculating=False)
    pair.fault_bay(3)
    entry = await _entry(hass, "shure", f"{pair.host}:{pair.port}", f"{rack.host}:{rack.port}")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data
    await until(hass, lambda: len(coordinator.data.chargers) == 2, seconds=5)
    by_name = {c.name: c for c in coordinator.data.chargers.values()}
    docks, rack_id = by_name["Docks"], by_name["Rack"].api_device_id
    assert [bay.index for bay in docks.bays] == [1, 2, 3, 4]
    assert len(by_name["Rack"].bays) == 8
    docks_id = docks.api_device_id

    assert _state(hass, _bay_entity(hass, "shure", docks_id, 1, "charge")) == "80"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 1, "battery_state")) == "charging"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 1, "battery_health")) == "91"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 1, "battery_temperature")) == "24"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 2, "battery_state")) == "empty"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 2, "charge")) == "unknown"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 3, "battery_state")) == "error"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 3, "charge")) == "unknown"
    assert (
        _state(hass, _bay_entity(hass, "shure", docks_id, 3, "battery_error"))
        == "communication_failure"
    )
    assert _state(hass, _bay_entity(hass, "shure", rack_id, 0, "connectivity")) == "on"

    # "Battery fully charged" on bay 5 of the rack, as a user builds it in the editor.
    (bay_device,) = dr.async_get(hass).async_get_devices(
        identifiers={device_identifier("shure", (rack_id, 5), bay=True)}
    )
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "trigger": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": bay_device.id,
                        "type": trigger,
                    },
                    "action": {"service": "test.automation", "data": {"fired": trigger}},
                }
                for trigger in ("battery_inserted", "battery_full", "battery_removed")
            ]
        },
    )
    events = capture_lifecycle(hass)
    rack.insert_battery(5, charge=90, calculating=False)
    await until(hass, lambda: len(calls) == 1)
    # Minutes pass: charge and time to full tick (no events), then the pack is full.
    rack.charge_batteries(2)
    await until(
        hass, lambda: _state(hass, _bay_entity(hass, "shure", rack_id, 5, "charge")) != "90"
    )
    rack.charge_batteries(600)
    await until(hass, lambda: len(calls) == 2)
    assert _state(hass, _bay_entity(hass, "shure", rack_id, 5, "battery_state")) == "full"
    assert _state(hass, _bay_entity(hass, "shure", rack_id, 5, "time_to_full")) == "unknown"
    rack.remove_battery(5)
    await until(hass, lambda: len(calls) == 3)
    assert [call.data["fired"] for call in calls] == [
        "battery_inserted",
        "battery_full",
        "battery_removed",
    ]
    assert _battery_events(events, rack_id) == [
        ("online", 5, None),
        ("updated", 5, "full"),
        ("offline", 5, None),
    ]
    sentences = [
        describe_sentence(hass, e.event_type, dict(e.data))
        for e in events
        if e.data.get("device_type") == "battery"
    ]
    assert sentences == [
        "Bay 5 of Rack: battery put in",
        "Bay 5 of Rack: battery fully charged",
        "Bay 5 of Rack: battery taken out",
    ]

    # The pair goes silent (socket open, no answers): one charger offline within 10 s.
    events.clear()
    started = time.monotonic()
    pair.go_silent()
    await until(
        hass,
        lambda: any(e.event_type == "micboard_device_offline" for e in events),
        seconds=12,
    )
    detected = time.monotonic() - started
    assert detected <= 10
    await until(hass, lambda: True, seconds=1)
    assert [
        (e.event_type, e.data["device_type"], e.data["name"])
        for e in events
        if e.event_type != "micboard_device_synced"
    ] == [("micboard_device_offline", "charger", "Docks")]
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 0, "connectivity")) == "off"
    assert _state(hass, _bay_entity(hass, "shure", docks_id, 1, "charge")) == "unavailable"


async def test_sennheiser_chg70n_bays_and_full(
    hass: HomeAssistant, chargers_sim: Simulator
) -> None:
    """The CHG 70N over SSC: its two bays, a pack put in and charged to full."""
    chg = await chargers_sim.add_charger("CHG70N", name="Base")
    chg.insert_battery(1, charge=30, calculating=False)
    entry = await _entry(hass, "sennheiser", f"{chg.host}:{chg.port}")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data
    await until(hass, lambda: len(coordinator.data.chargers) == 1, seconds=5)
    (base,) = coordinator.data.chargers.values()
    assert [bay.index for bay in base.bays] == [1, 2]
    charge = _bay_entity(hass, "sennheiser", base.api_device_id, 1, "charge")
    state = _bay_entity(hass, "sennheiser", base.api_device_id, 1, "battery_state")
    await until(hass, lambda: _state(hass, charge) == "30")
    assert _state(hass, state) == "charging"
    assert _state(
        hass, _bay_entity(hass, "sennheiser", base.api_device_id, 2, "battery_state")
    ) == ("empty")
    events = capture_lifecycle(hass)
    chg.charge_batteries(600)
    await until(hass, lambda: _state(hass, state) == "full", seconds=5)
    chg.insert_battery(2, charge=99, calculating=False)
    await until(hass, lambda: len(_battery_events(events, base.api_device_id)) == 2, seconds=5)
    assert _battery_events(events, base.api_device_id) == [
        ("updated", 1, "full"),
        ("online", 2, None),
    ]
