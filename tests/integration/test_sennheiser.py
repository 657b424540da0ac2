"""Sennheiser end to end: SSC simulator -> SSC client -> coordinator -> bus, over UDP loopback.

The same contract as Shure's: set-up through the real config flow (with per-host errors),
decoded entities, the five lifecycle events, logbook lines, a device-trigger automation on
a receiver going offline, and zeroconf discovery with Home Assistant's service-info objects.
"""

from __future__ import annotations

from ipaddress import ip_address
import time
from typing import Any

from homeassistant.components import automation
from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.micboard.const import (
    CONF_ALLOW_CHANGES,
    CONF_AUTO_ADD_DISCOVERED,
    CONF_DETAIL_ENTITIES,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
)
from simulator.core import Simulator
from simulator.sennheiser_ssc import SscReceiver

from ..helpers import capture_lifecycle, wait_for_event
from .helpers import until

SSC_TYPE = "_ssc._udp.local."


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: Any) -> None:
    """The recorder (for the logbook) must be set up before Home Assistant starts."""


def _host(rx: SscReceiver) -> str:
    return f"{rx.host}:{rx.port}"


async def _setup(hass: HomeAssistant, *receivers: SscReceiver, **options: Any) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Sennheiser",
        unique_id="sennheiser",
        data={CONF_MANUFACTURER: "sennheiser"},
        options={
            CONF_HOSTS: [_host(rx) for rx in receivers],
            CONF_AUTO_ADD_DISCOVERED: False,
            **options,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _zeroconf(rx: SscReceiver, name: str) -> ZeroconfServiceInfo:
    return ZeroconfServiceInfo(
        ip_address=ip_address(rx.host),
        ip_addresses=[ip_address(rx.host)],
        port=rx.port,
        hostname=f"{name.replace(' ', '-')}.local.",
        type=SSC_TYPE,
        name=f"{name}.{SSC_TYPE}",
        properties={"model": "EW-DX EM 4"},
    )


async def test_config_flow_names_the_failing_host(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The Sennheiser step contacts every receiver and names the one that did not answer."""
    good = await simulator.add_sennheiser("EW-DX-EM2", name="Lectern")
    dead = await simulator.add_sennheiser("EW-DX-EM2", name="Dead")
    await dead.power_off()
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MANUFACTURER: "sennheiser"}
    )
    assert result["step_id"] == "sennheiser"
    assert result["description_placeholders"] == {
        "manufacturer": "Sennheiser",
        "default_port": "45",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOSTS: f"{_host(good)}, {_host(dead)}"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOSTS: "cannot_connect"}
    assert result["description_placeholders"]["hosts"] == _host(dead)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOSTS: _host(good)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Sennheiser"
    assert result["data"] == {CONF_MANUFACTURER: "sennheiser"}
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.lectern_connectivity").state == "on"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities_events_and_logbook(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Decoded values, then a transmitter off/on and a rename as events and logbook lines."""
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    rx = await simulator.add_sennheiser(
        "EW-DX-EM4-DANTE", name="Theatre", channel_names=["VOX1", "VOX2", "VOX3", "VOX4"]
    )
    rx.set_transmitter(1, on=True, battery_percent=64, battery_minutes=300)
    rx.set_levels(1, rf_dbm=-61, audio_dbfs=-23, quality=88)
    discovered = capture_lifecycle(hass)
    entry = await _setup(hass, rx)
    (api_id,) = entry.runtime_data.data.receivers
    assert ":" in api_id  # the MAC, not host:port
    assert [e.event_type for e in discovered if e.event_type != "micboard_device_synced"] == [
        "micboard_device_discovered"
    ]
    found = next(e for e in discovered if e.event_type == "micboard_device_discovered")
    assert found.data["service_code"] == "sennheiser"
    assert found.data["device_data"]["model"].startswith("EW-DX")

    # Meters arrive only through the subscription.
    await until(hass, lambda: hass.states.get("sensor.vox1_rf_quality").state == "88", 5)
    assert hass.states.get("sensor.vox1_battery").state == "64"
    assert hass.states.get("sensor.vox1_battery_runtime").state == "300"
    assert hass.states.get("sensor.vox1_rf_level").state == "-61"
    # 64 % is bars ceil(64 / 20) = 4: good.
    assert hass.states.get("sensor.vox1_status").state == "good"
    assert hass.states.get("binary_sensor.vox1_transmitter").state == "on"
    assert hass.states.get("binary_sensor.theatre_connectivity").state == "on"

    channel_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"sennheiser:{api_id}/ch1"), entry.entry_id
    )
    assert channel_device is not None
    events = capture_lifecycle(hass)
    rx.set_transmitter(1, on=False)
    offline = await wait_for_event(hass, events, "micboard_device_offline", 8)
    assert offline.data == {
        "service_code": "sennheiser",
        "api_device_id": f"{api_id}:1",
        "device_type": "transmitter",
        "device_id": channel_device.id,
        "name": "VOX1",
    }
    assert hass.states.get("sensor.vox1_status").state == "prev_good"
    rx.set_transmitter(1, on=True)
    # The client re-reads a returning transmitter (cached values may be another pack's).
    await wait_for_event(hass, events, "micboard_device_online", 12)
    rx.rename_channel(2, "CHOIR")
    updated = await wait_for_event(hass, events, "micboard_device_updated", 8)
    assert updated.data["changed"] == ["name"]
    assert updated.data["new_data"] == {"name": "CHOIR"}
    await entry.runtime_data.async_refresh()
    synced = await wait_for_event(hass, events, "micboard_device_synced", 5)
    assert synced.data["sync_result"]["status"] == "success"
    assert synced.data["service_code"] == "sennheiser"

    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start})
    response = await client.receive_json()
    assert response["success"], response
    lines = [(e["name"], e["message"]) for e in response["result"] if e.get("domain") == DOMAIN]
    model = entry.runtime_data.data.receivers[api_id].model
    assert ("Micboard", f"Discovered receiver device: Theatre {model}") in lines
    assert lines.index(("VOX1 transmitter", "went offline")) < lines.index(
        ("VOX1 transmitter", "came online")
    )


async def test_device_trigger_on_receiver_offline(
    hass: HomeAssistant, simulator: Simulator, device_registry: dr.DeviceRegistry
) -> None:
    """A UI device trigger "Receiver went offline" fires for a silent Sennheiser receiver."""
    rx = await simulator.add_sennheiser("EW-DX-EM2", name="Lectern")
    entry = await _setup(hass, rx)
    (api_id,) = entry.runtime_data.data.receivers
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"sennheiser:{api_id}"), entry.entry_id
    )
    assert device is not None
    calls = async_mock_service(hass, "test", "offline")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": device.id,
                    "type": "receiver_offline",
                },
                "actions": {
                    "action": "test.offline",
                    "data": {"name": "{{ trigger.event.data.name }}"},
                },
            }
        },
    )
    rx.go_silent()
    started = time.monotonic()
    await until(hass, lambda: bool(calls), 7)
    assert time.monotonic() - started <= 6.0
    assert [call.data["name"] for call in calls] == ["Lectern"]
    assert hass.states.get("binary_sensor.lectern_connectivity").state == "off"
    rx.resume()
    await until(
        hass, lambda: hass.states.get("binary_sensor.lectern_connectivity").state == "on", 10
    )
    assert len(calls) == 1


async def test_zeroconf_offers_then_adds(hass: HomeAssistant, simulator: Simulator) -> None:
    """An mDNS announcement is probed, offered (auto-add off), and added on confirmation."""
    known = await simulator.add_sennheiser("EW-DX-EM2", name="Known")
    found = await simulator.add_sennheiser("EW-DX-EM4-DANTE", name="Found")
    entry = await _setup(hass, known)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(found, "Found")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"]["host"] == _host(found)
    assert result["description_placeholders"]["name"] == "Found"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_added"
    assert _host(found) in entry.options[CONF_HOSTS]
    await until(hass, lambda: hass.states.get("binary_sensor.found_connectivity") is not None, 5)
    assert hass.states.get("binary_sensor.found_connectivity").state == "on"
    assert hass.states.get("binary_sensor.known_connectivity").state == "on"

    # Announced again: already watched.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(found, "Found")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_zeroconf_auto_add_and_foreign_types(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Auto-add on: added at once; a device that does not answer and an unknown type: nothing."""
    known = await simulator.add_sennheiser("EW-DX-EM2", name="Known")
    found = await simulator.add_sennheiser("EW-DX-EM2", name="Found")
    dead = await simulator.add_sennheiser("EW-DX-EM2", name="Dead")
    await dead.power_off()
    entry = await _setup(hass, known, auto_add_discovered=True)
    events = capture_lifecycle(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(found, "Found")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_added"
    await until(hass, lambda: hass.states.get("binary_sensor.found_connectivity") is not None, 5)
    assert [e.data["name"] for e in events if e.event_type == "micboard_device_discovered"] == [
        "Found"
    ]
    assert entry.options[CONF_HOSTS] == [_host(known), _host(found)]

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=_zeroconf(dead, "Dead")
    )
    assert result["reason"] == "cannot_connect"
    other = _zeroconf(found, "Printer")
    other.type = "_ipp._tcp.local."
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=other
    )
    assert result["reason"] == "not_supported_device"
    assert entry.options[CONF_HOSTS] == [_host(known), _host(found)]


async def test_options_reconfigure_and_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Options add an EW-DX, reconfigure takes one away, diagnostics describe the SSC rig."""
    theatre = await simulator.add_sennheiser("EW-DX-EM4-DANTE", name="Theatre")
    lectern = await simulator.add_sennheiser("EW-DX-EM2", name="Lectern")
    dead = await simulator.add_sennheiser("EW-DX-EM2", name="Dead")
    await dead.power_off()
    entry = await _setup(hass, theatre)
    switches = {
        CONF_AUTO_ADD_DISCOVERED: False,
        CONF_DETAIL_ENTITIES: False,
        CONF_ALLOW_CHANGES: False,
    }

    # Options: a host that does not answer is named, the form keeps what was typed.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    assert result["description_placeholders"]["default_port"] == "45"
    typed = f"{_host(theatre)}\n{_host(lectern)}\n{_host(dead)}"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: typed, **switches}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOSTS: "cannot_connect"}
    assert result["description_placeholders"]["hosts"] == _host(dead)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: f"{_host(theatre)}\n{_host(lectern)}", **switches}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await until(
        hass,
        lambda: (
            (s := hass.states.get("binary_sensor.lectern_connectivity")) is not None
            and s.state == "on"
        ),
        5,
    )
    assert entry.options[CONF_HOSTS] == [_host(theatre), _host(lectern)]

    # Diagnostics: both receivers, decoded, with their SSC identity and connections.
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["data"] == {CONF_MANUFACTURER: "sennheiser"}
    receivers = diagnostics["receivers"]
    assert sorted(r["name"] for r in receivers.values()) == ["Lectern", "Theatre"]
    assert {r["manufacturer"] for r in receivers.values()} == {"sennheiser"}
    assert sorted(len(r["channels"]) for r in receivers.values()) == [2, 4]
    assert all(r["online"] and r["mac_address"] for r in receivers.values())
    assert "rf_quality" in next(iter(receivers.values()))["capabilities"]
    assert set(diagnostics["connections"]) == set(receivers)
    assert diagnostics["last_sync_status"] == "success"

    # Reconfigure: Theatre goes; its devices leave the registry, Lectern stays.
    theatre_id = next(i for i, r in receivers.items() if r["name"] == "Theatre")
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOSTS: _host(lectern), **switches}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.options[CONF_HOSTS] == [_host(lectern)]
    assert theatre_id not in entry.runtime_data.data.receivers
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"sennheiser:{theatre_id}"), entry.entry_id
        )
        is None
    )
    assert hass.states.get("binary_sensor.lectern_connectivity").state == "on"
