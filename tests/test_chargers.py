"""Chargers in Home Assistant: devices, entities, lifecycle events, triggers and the logbook.

Driven through the real integration against the in-memory backend (``tests/helpers.py``);
the wire side of chargers is tested in ``tests/shure`` / ``tests/sennheiser`` and end to end
in ``tests/integration/test_chargers_live.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_get_device_automations

from custom_components.micboard.const import (
    DOMAIN,
    EVENT_DEVICE_DISCOVERED,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_UPDATED,
)
from custom_components.micboard.identifiers import device_identifier
from custom_components.micboard.lifecycle import diff_charger
from custom_components.micboard.logbook import describe_sentence
from custom_components.micboard.manufacturers import BatteryError, BatteryState

from .helpers import (
    FakeNetwork,
    advance,
    battery,
    capture_lifecycle,
    charger,
    receiver,
    setup_fake_entry,
    state_of,
    with_bay,
)

MAC = "00:0e:dd:aa:bb:01"
FULL = battery(state=BatteryState.FULL, charge_percent=100, time_to_full_minutes=None)
FAULTED = battery(
    state=BatteryState.ERROR,
    charge_percent=None,
    time_to_full_minutes=None,
    health_percent=None,
    cycle_count=None,
    temperature_c=None,
    error=BatteryError.COMMUNICATION_FAILURE,
)


def _device(hass: HomeAssistant, key: tuple[str, int]) -> dr.DeviceEntry:
    """The charger (index 0) or bay device at ``key``."""
    ident = device_identifier("shure", key, bay=True) if key[0] else (DOMAIN, "shure")
    (device,) = dr.async_get(hass).async_get_devices(identifiers={ident})
    return device


def _entity(hass: HomeAssistant, device_key: tuple[str, int], key: str) -> str:
    """The entity id of a charger/bay entity by its description key."""
    unique = f"{device_identifier('shure', device_key, bay=True)[1]}-{key}"
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor"
        if key not in {"connectivity", "storage_mode", "battery_present"}
        else "binary_sensor",
        DOMAIN,
        unique,
    )
    assert entity_id is not None, unique
    return entity_id


# --- the pure diff -------------------------------------------------------------------------


def test_diff_charger_insert_full_fault_remove() -> None:
    """Put in -> online, charging -> full / error -> updated, taken out -> offline."""
    empty = charger(api_device_id=MAC, bays=[None, None])
    charging = with_bay(empty, 1, battery())
    events = diff_charger(empty, charging)
    assert [(e.event_type, e.device_type, e.api_device_id, e.name) for e in events] == [
        (EVENT_DEVICE_ONLINE, "battery", f"{MAC}:1", "Bay 1 of Chargers A")
    ]
    # Percent and minutes ticking are not events.
    ticking = with_bay(charging, 1, battery(charge_percent=70, time_to_full_minutes=60))
    assert diff_charger(charging, ticking) == []
    full = with_bay(ticking, 1, FULL)
    (event,) = diff_charger(ticking, full)
    assert event.event_type == EVENT_DEVICE_UPDATED
    assert event.extra == {
        "old_data": {"state": "charging"},
        "new_data": {"state": "full"},
        "changed": ["state"],
        "battery_state": "full",
    }
    faulted = with_bay(full, 2, FAULTED)
    (inserted,) = diff_charger(full, faulted)
    assert (inserted.event_type, inserted.channel_index) == (EVENT_DEVICE_ONLINE, 2)
    removed = with_bay(faulted, 1, None)
    (out,) = diff_charger(faulted, removed)
    assert (out.event_type, out.channel_index) == (EVENT_DEVICE_OFFLINE, 1)


def test_diff_charger_offline_and_net_change_on_return() -> None:
    """Nothing about bays while unreachable; the net change when it answers again."""
    before = charger(api_device_id=MAC, bays=[battery(), None])
    gone = replace(before, online=False)
    (offline,) = diff_charger(before, gone)
    assert (offline.event_type, offline.device_type) == (EVENT_DEVICE_OFFLINE, "charger")
    # Packs swapped while it was unreachable: bay 1 emptied, bay 2 filled.
    back = with_bay(with_bay(before, 1, None), 2, battery())
    assert diff_charger(gone, replace(with_bay(gone, 1, None), online=False)) == []
    events = diff_charger(gone, back)
    assert [(e.event_type, e.device_type, e.channel_index) for e in events] == [
        (EVENT_DEVICE_ONLINE, "charger", 0),
        (EVENT_DEVICE_OFFLINE, "battery", 1),
        (EVENT_DEVICE_ONLINE, "battery", 2),
    ]


def test_diff_charger_discovered_updated_and_unidentified() -> None:
    """First sight is one discovery; a rename is an update; a placeholder says nothing."""
    new = charger(api_device_id=MAC)
    (discovered,) = diff_charger(None, new)
    assert discovered.event_type == EVENT_DEVICE_DISCOVERED
    assert discovered.extra["device_data"] == {
        "id": MAC,
        "name": "Chargers A",
        "type": "charger",
        "model": "SBC220",
        "ip_address": "10.0.0.9",
    }
    assert diff_charger(None, new, known=True)[0].event_type == EVENT_DEVICE_ONLINE
    assert diff_charger(None, replace(new, identified=False)) == []
    (renamed,) = diff_charger(new, replace(new, name="Dock B", storage_mode=True))
    assert renamed.extra["changed"] == ["name", "storage_mode"]
    # A fault code changing on a faulted pack is an update without a state change.
    faulted = with_bay(new, 1, FAULTED)
    recoded = with_bay(faulted, 1, replace(FAULTED, error=BatteryError.CHARGE_FAILED))
    (update,) = diff_charger(faulted, recoded)
    assert update.extra["changed"] == ["error"]
    assert "battery_state" not in update.extra


# --- Home Assistant ------------------------------------------------------------------------


async def test_charger_devices_and_entities(hass: HomeAssistant, network: FakeNetwork) -> None:
    """A charger beside a receiver: its device under the service device, one per bay."""
    network.add(receiver("Stage L"), charger(api_device_id=MAC, bays=[battery(), FAULTED]))
    await setup_fake_entry(hass, network)
    service = _device(hass, ("", 0))
    device = _device(hass, (MAC, 0))
    assert service is not None
    assert device is not None
    assert (device.name, device.model, device.sw_version) == ("Chargers A", "SBC220", "1.4.53.0")
    assert device.via_device_id == service.id
    bays = [_device(hass, (MAC, i)) for i in (1, 2)]
    assert [(b.name, b.via_device_id) for b in bays if b] == [
        ("Bay 1 of Chargers A", device.id),
        ("Bay 2 of Chargers A", device.id),
    ]

    assert state_of(hass, _entity(hass, (MAC, 0), "connectivity")) == STATE_ON
    assert state_of(hass, _entity(hass, (MAC, 0), "storage_mode")) == STATE_OFF
    assert state_of(hass, _entity(hass, (MAC, 1), "charge")) == "62"
    assert state_of(hass, _entity(hass, (MAC, 1), "time_to_full")) == "83"
    assert state_of(hass, _entity(hass, (MAC, 1), "battery_state")) == "charging"
    assert state_of(hass, _entity(hass, (MAC, 1), "battery_health")) == "94"
    # Cycles and temperature are detail entities (see the next test).
    for key in ("battery_cycles", "battery_temperature"):
        unique = f"{device_identifier('shure', (MAC, 1), bay=True)[1]}-{key}"
        assert er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique) is None
    # A faulted pack: no numbers, never a sentinel.
    assert state_of(hass, _entity(hass, (MAC, 2), "charge")) == STATE_UNKNOWN
    assert state_of(hass, _entity(hass, (MAC, 2), "battery_state")) == "error"
    assert state_of(hass, _entity(hass, (MAC, 2), "battery_error")) == "communication_failure"
    assert state_of(hass, "sensor.shure_batteries_charging") == "1"
    assert state_of(hass, "sensor.shure_batteries_ready") == "0"
    # The presence sensor restates put-in/taken-out events: created disabled.
    entry = er.async_get(hass).async_get(_entity(hass, (MAC, 1), "battery_present"))
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_bay_detail_entities_follow_the_option(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """With detail entities: cycles and temperature per bay; turned off, they go."""
    network.add(charger(api_device_id=MAC, bays=[battery(), None]))
    entry = await setup_fake_entry(hass, network, detail_entities=True)
    assert state_of(hass, _entity(hass, (MAC, 1), "battery_temperature")) == "25"
    assert state_of(hass, _entity(hass, (MAC, 1), "battery_cycles")) == "41"
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "detail_entities": False}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    unique = f"{device_identifier('shure', (MAC, 1), bay=True)[1]}-battery_cycles"
    assert er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique) is None
    assert state_of(hass, _entity(hass, (MAC, 1), "charge")) == "62"


async def test_battery_lifecycle_events_and_entities(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """Insert -> charging ticks -> full -> taken out: exactly three events, states follow."""
    network.add(charger(api_device_id=MAC, bays=[None, None]))
    await setup_fake_entry(hass, network)
    backend = network.backend
    events = capture_lifecycle(hass)
    state = _entity(hass, (MAC, 1), "battery_state")
    assert state_of(hass, state) == "empty"

    dock = backend.charger("Chargers A")
    dock = with_bay(dock, 1, battery(charge_percent=20, time_to_full_minutes=120))
    backend.push(dock)
    await hass.async_block_till_done()
    for percent in (40, 60, 80, 99):
        dock = with_bay(
            dock, 1, battery(charge_percent=percent, time_to_full_minutes=100 - percent)
        )
        backend.push(dock)
        await hass.async_block_till_done()
    assert state_of(hass, _entity(hass, (MAC, 1), "charge")) == "99"
    dock = with_bay(dock, 1, FULL)
    backend.push(dock)
    await hass.async_block_till_done()
    assert state_of(hass, state) == "full"
    assert state_of(hass, "sensor.shure_batteries_ready") == "1"
    dock = with_bay(dock, 1, None)
    backend.push(dock)
    await hass.async_block_till_done()
    assert state_of(hass, state) == "empty"
    assert state_of(hass, _entity(hass, (MAC, 1), "charge")) == STATE_UNKNOWN

    bay_device = _device(hass, (MAC, 1))
    assert bay_device is not None
    assert [
        (e.event_type, e.data["device_type"], e.data["api_device_id"], e.data["device_id"])
        for e in events
        if e.event_type != "micboard_device_synced"
    ] == [
        (EVENT_DEVICE_ONLINE, "battery", f"{MAC}:1", bay_device.id),
        (EVENT_DEVICE_UPDATED, "battery", f"{MAC}:1", bay_device.id),
        (EVENT_DEVICE_OFFLINE, "battery", f"{MAC}:1", bay_device.id),
    ]
    assert [describe_sentence(hass, e.event_type, dict(e.data)) for e in events] == [
        "Bay 1 of Chargers A: battery put in",
        "Bay 1 of Chargers A: battery fully charged",
        "Bay 1 of Chargers A: battery taken out",
    ]

    # The charger goes silent: one offline; its bay values become unavailable.
    events.clear()
    backend.push(replace(dock, online=False))
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=30))
    assert [
        (e.event_type, e.data["device_type"]) for e in events if "synced" not in e.event_type
    ] == [(EVENT_DEVICE_OFFLINE, "charger")]
    assert describe_sentence(hass, events[0].event_type, dict(events[0].data)) == (
        "Chargers A SBC220 went offline"
    )
    assert state_of(hass, _entity(hass, (MAC, 0), "connectivity")) == STATE_OFF
    assert state_of(hass, state) == STATE_UNAVAILABLE


@pytest.mark.parametrize(
    ("trigger", "final"),
    [
        ("battery_inserted", battery()),
        ("battery_full", FULL),
        ("charging_fault", FAULTED),
    ],
)
async def test_bay_device_triggers(
    hass: HomeAssistant,
    network: FakeNetwork,
    service_calls: list[ServiceCall],
    trigger: str,
    final: Any,
) -> None:
    """The bay's triggers are offered in the editor and fire on their event only."""
    start = None if trigger == "battery_inserted" else battery()
    network.add(charger(api_device_id=MAC, bays=[start, None]))
    await setup_fake_entry(hass, network)
    bay = _device(hass, (MAC, 1))
    dock_device = _device(hass, (MAC, 0))
    assert bay is not None
    assert dock_device is not None
    offered = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, bay.id)
    assert {t["type"] for t in offered if t["domain"] == DOMAIN} == {
        "battery_inserted",
        "battery_removed",
        "battery_full",
        "charging_fault",
        "device_updated",
    }
    charger_offered = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, dock_device.id
    )
    assert {t["type"] for t in charger_offered if t["domain"] == DOMAIN} == {
        "charger_offline",
        "charger_online",
        "device_updated",
    }
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": bay.id,
                    "type": trigger,
                },
                "action": {"service": "test.automation", "data": {"fired": trigger}},
            }
        },
    )
    backend = network.backend
    dock = backend.charger("Chargers A")
    # Another bay's event and an unrelated state change do not fire it.
    backend.push(with_bay(dock, 2, battery()))
    await hass.async_block_till_done()
    assert service_calls == []
    backend.push(with_bay(with_bay(dock, 2, battery()), 1, final))
    await hass.async_block_till_done()
    assert [call.data["fired"] for call in service_calls] == [trigger]


async def test_remembered_charger_switched_off_across_a_restart(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """A charger off while Home Assistant starts: devices and entities at once, one offline."""
    dock = charger(api_device_id=MAC, bays=[FULL, None])
    network.add(dock)
    entry = await setup_fake_entry(hass, network)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # Switched off: it no longer answers.
    del network.receivers[dock.host, dock.port]
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, _entity(hass, (MAC, 0), "connectivity")) == STATE_OFF
    assert state_of(hass, _entity(hass, (MAC, 1), "battery_state")) == STATE_UNAVAILABLE
    await advance(hass, freezer, timedelta(seconds=5))
    assert [
        (e.event_type, e.data["device_type"]) for e in events if "synced" not in e.event_type
    ] == [(EVENT_DEVICE_OFFLINE, "charger")]
    # It boots with the same packs: online, nothing else.
    events.clear()
    network.backend.push(dock)
    await hass.async_block_till_done()
    assert [(e.event_type, e.data["device_type"]) for e in events] == [
        (EVENT_DEVICE_ONLINE, "charger")
    ]
    assert state_of(hass, _entity(hass, (MAC, 1), "battery_state")) == "full"


async def test_charger_announced_offline_that_answers_after_a_restart_comes_online(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """Announced offline, back while Home Assistant restarted: online, and the new pack."""
    dock = charger(api_device_id=MAC, bays=[FULL, None])
    network.add(dock)
    entry = await setup_fake_entry(hass, network)
    network.backend.push(replace(dock, online=False))
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # It boots while Home Assistant is down, with a pack put in bay 2 meanwhile.
    network.add(with_bay(dock, 2, battery()))
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, timedelta(seconds=5))
    assert [
        (e.event_type, e.data["device_type"], e.data["api_device_id"])
        for e in events
        if "synced" not in e.event_type
    ] == [(EVENT_DEVICE_ONLINE, "charger", MAC), (EVENT_DEVICE_ONLINE, "battery", f"{MAC}:2")]
    assert state_of(hass, _entity(hass, (MAC, 0), "connectivity")) == STATE_ON
