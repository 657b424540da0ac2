"""Chargers in a Shure entry while the Home Assistant layer does not show them yet.

The library publishes them (``Snapshot.chargers``); the integration must set up, sync and
stay quiet about them: no devices, no entities, no lifecycle events, no errors.
"""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er

from custom_components.micboard.const import CONF_HOSTS, DOMAIN, LIFECYCLE_EVENTS
from simulator.core import Simulator

from .conftest import until


async def test_a_charger_in_the_entry_is_watched_and_shows_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    receiver = await simulator.add_receiver("ULXD4D", name="Stage")
    docks = await simulator.add_charger("SBC220", name="Docks", units=2, charge_speed=0)
    docks.insert_battery(1, charge=50, calculating=False)
    events: list[Event] = []
    for event_type in LIFECYCLE_EVENTS:
        hass.bus.async_listen(event_type, events.append)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"manufacturer": "shure"}
    )
    # The probe identifies the charger: the hosts form takes it like a receiver.
    hosts = f"127.0.0.1:{receiver.port}\n127.0.0.1:{docks.port}"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_HOSTS: hosts})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    coordinator = entry.runtime_data
    charger_id = docks.device.mac.lower()
    assert list(coordinator.backend.snapshot.chargers) == [charger_id]
    # Service device, one receiver, two channels: nothing for the charger.
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert len(devices) == 4
    entities = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert not any(charger_id in (e.unique_id or "") for e in entities)
    assert all(e.data.get("api_device_id") != charger_id for e in events)
    synced = [e for e in events if e.event_type == "micboard_device_synced"]
    assert synced[-1].data["sync_result"]["status"] == "success"
    assert synced[-1].data["sync_result"]["device_count"] == 2

    # Bay changes reach the coordinator as charger changes and wake nothing.
    count = len(events)
    docks.insert_battery(3, charge=90, calculating=False)
    docks.fault_bay(1)
    await until(
        hass,
        lambda: (
            (bay := coordinator.backend.snapshot.chargers[charger_id].bay(1)) is not None
            and bay.battery is not None
            and bay.battery.faulted
        ),
    )
    await hass.async_block_till_done()
    assert len(events) == count
    assert len(dr.async_entries_for_config_entry(device_registry, entry.entry_id)) == 4
    assert hass.states.get("binary_sensor.stage_connectivity").state == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)
