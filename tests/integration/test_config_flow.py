"""The config flow against simulated receivers: set-up, options, reconfigure, discovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.micboard.const import (
    CONF_AUTO_ADD_DISCOVERED,
    CONF_DETAIL_ENTITIES,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
)
from custom_components.micboard.manufacturers import shure
from simulator.core import Simulator
from simulator.receiver import SimulatedReceiver
from simulator.slp import build_announcement

from .conftest import api_id_of, setup_entry, until

# What every Shure hosts form fills into its texts.
SHURE_TEXTS = {"manufacturer": "Shure", "default_port": "2202"}


@pytest.fixture
async def not_shure(rig_socket_enabled: None) -> AsyncGenerator[str]:
    """A TCP service on 127.0.0.1 that answers everything with REP ERR (not a receiver)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.read(1024):
                writer.write(b"< REP ERR >")
                await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"127.0.0.1:{port}"
    server.close()
    await server.wait_closed()


def _free_port() -> str:
    """An address on 127.0.0.1 where nothing listens."""
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"manufacturer": "shure"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "shure"
    return result["flow_id"]


async def test_user_flow_creates_entry_with_devices(
    hass: HomeAssistant, simulator: Simulator, device_registry: dr.DeviceRegistry
) -> None:
    """Two receivers answer: the entry, its devices and entities exist without a restart."""
    ulxd = await simulator.add_receiver("ULXD4D", name="Stage L")
    axient = await simulator.add_receiver("AD4Q", name="Stage R")
    flow_id = await _start(hass)
    # Comma, new line and a duplicate: two receivers.
    hosts = f"127.0.0.1:{ulxd.port}, 127.0.0.1:{axient.port}\n127.0.0.1:{ulxd.port}"
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: hosts})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Shure"
    assert result["data"] == {"manufacturer": "shure"}
    assert result["options"] == {
        CONF_HOSTS: [f"127.0.0.1:{ulxd.port}", f"127.0.0.1:{axient.port}"],
        CONF_AUTO_ADD_DISCOVERED: False,
        CONF_DETAIL_ENTITIES: False,
    }
    entry = result["result"]
    assert entry.unique_id == "shure"
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    names = sorted(device.name or "" for device in devices)
    # Service device, two receivers, 2 + 4 channels.
    assert len(devices) == 9
    assert "Stage L" in names
    assert "Stage R" in names
    assert hass.states.get("binary_sensor.stage_l_connectivity").state == "on"


async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, simulator: Simulator, not_shure: str
) -> None:
    """Invalid syntax, an unreachable host and a non-Shure host are named; then it works."""
    receiver = await simulator.add_receiver("QLXD4", name="Lectern")
    good = f"{receiver.host}:{receiver.port}"
    flow_id = await _start(hass)

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: "bad_host!"})
    assert result["errors"] == {CONF_HOSTS: "invalid_host"}
    assert result["description_placeholders"] == {"hosts": "bad_host!", **SHURE_TEXTS}

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: " , "})
    assert result["errors"] == {CONF_HOSTS: "no_hosts"}

    dead = _free_port()
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: f"{good} {dead}"})
    assert result["errors"] == {CONF_HOSTS: "cannot_connect"}
    assert result["description_placeholders"]["hosts"] == dead

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOSTS: f"{good} {not_shure}"}
    )
    assert result["errors"] == {CONF_HOSTS: "not_supported"}
    assert result["description_placeholders"]["hosts"] == not_shure

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOSTS: f"{dead} {not_shure}"}
    )
    assert result["errors"] == {CONF_HOSTS: "cannot_connect_not_supported"}
    assert result["description_placeholders"] == {
        "hosts": dead,
        "unsupported": not_shure,
        **SHURE_TEXTS,
    }
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: good})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_second_entry_for_manufacturer_aborts(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """One entry per manufacturer."""
    receiver = await simulator.add_receiver("SLXD4", name="Choir")
    await setup_entry(hass, receiver)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"manufacturer": "shure"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_options_add_and_remove_hosts(
    hass: HomeAssistant,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Options add a receiver (checked first) and remove one (its devices go too)."""
    first = await simulator.add_receiver("ULXD4", name="Rack A")
    second = await simulator.add_receiver("SLXD4D", name="Rack B")
    entry = await setup_entry(hass, first)
    first_host = f"127.0.0.1:{first.port}"
    second_host = f"127.0.0.1:{second.port}"

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    dead = _free_port()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: f"{first_host}\n{dead}", CONF_AUTO_ADD_DISCOVERED: True}
    )
    assert result["errors"] == {CONF_HOSTS: "cannot_connect"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_HOSTS: f"{first_host}\n{second_host}", CONF_AUTO_ADD_DISCOVERED: True},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_HOSTS: [first_host, second_host],
        CONF_AUTO_ADD_DISCOVERED: True,
        CONF_DETAIL_ENTITIES: False,
    }
    assert hass.states.get("binary_sensor.rack_b_connectivity").state == "on"
    rack_a = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{api_id_of(entry, first)}"), entry.entry_id
    )
    assert rack_a is not None

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: second_host, CONF_AUTO_ADD_DISCOVERED: True}
    )
    await hass.async_block_till_done()
    assert entry.options[CONF_HOSTS] == [second_host]
    assert device_registry.async_get(rack_a.id) is None
    assert entity_registry.async_get("binary_sensor.rack_a_connectivity") is None
    assert hass.states.get("binary_sensor.rack_a_connectivity") is None


async def test_reconfigure(hass: HomeAssistant, simulator: Simulator) -> None:
    """Reconfigure changes hosts and auto-add without deleting the entry."""
    first = await simulator.add_receiver("ULXD4Q", name="Band")
    second = await simulator.add_receiver("QLXD4", name="Spare")
    entry = await setup_entry(hass, first)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOSTS: "nope!", CONF_AUTO_ADD_DISCOVERED: False}
    )
    assert result["errors"] == {CONF_HOSTS: "invalid_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOSTS: f"127.0.0.1:{second.port}", CONF_AUTO_ADD_DISCOVERED: True},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.options == {
        CONF_HOSTS: [f"127.0.0.1:{second.port}"],
        CONF_AUTO_ADD_DISCOVERED: True,
        CONF_DETAIL_ENTITIES: False,
    }
    assert hass.states.get("binary_sensor.spare_connectivity").state == "on"


async def test_options_switch_detail_entities(
    hass: HomeAssistant, simulator: Simulator, entity_registry: er.EntityRegistry
) -> None:
    """Detail entities come with the option and leave the registry without it."""
    receiver = await simulator.add_receiver("ULXD4D", name="Stage L", channel_names=["Vox"])
    entry = await setup_entry(hass, receiver)
    host = f"127.0.0.1:{receiver.port}"
    assert entity_registry.async_get("sensor.vox_frequency") is None

    async def set_detail(on: bool) -> None:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_HOSTS: host, CONF_AUTO_ADD_DISCOVERED: False, CONF_DETAIL_ENTITIES: on},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()

    await set_detail(True)
    assert entry.options[CONF_DETAIL_ENTITIES] is True
    assert hass.states.get("sensor.vox_frequency") is not None
    assert hass.states.get("sensor.stage_l_firmware") is not None
    # Disabled by default even with the option: the user enables them one by one.
    power_lock = entity_registry.async_get("binary_sensor.vox_transmitter_power_lock")
    assert power_lock is not None
    assert power_lock.disabled_by is er.RegistryEntryDisabler.INTEGRATION

    await set_detail(False)
    for entity_id in (
        "sensor.vox_frequency",
        "sensor.stage_l_firmware",
        "binary_sensor.vox_transmitter_power_lock",
    ):
        assert entity_registry.async_get(entity_id) is None, entity_id
        assert hass.states.get(entity_id) is None, entity_id
    # The essentials stay, with their history.
    assert hass.states.get("sensor.vox_battery") is not None
    assert entity_registry.async_get("sensor.vox_status") is not None


async def _announce(transport: asyncio.DatagramTransport, receiver: SimulatedReceiver) -> None:
    """Send the receiver's SLP announcement to the loopback discovery listener."""
    loop = asyncio.get_running_loop()
    sender, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )
    sender.sendto(
        build_announcement(
            model=receiver.model, name=receiver.state.name, ip="127.0.0.1", mac=receiver.state.mac
        ),
        transport.get_extra_info("sockname"),
    )
    sender.close()


async def test_discovery_offers_receiver_when_auto_add_off(
    hass: HomeAssistant,
    simulator: Simulator,
    discovery_transports: list[asyncio.DatagramTransport],
) -> None:
    """Auto-add off: an announced receiver becomes a discovery flow to confirm."""
    known = await simulator.add_receiver("ULXD4", name="Known")
    entry = await setup_entry(hass, known)
    new = await simulator.add_receiver("SLXD4", name="New")
    with patch.object(shure, "CONTROL_PORT", new.port):
        await _announce(discovery_transports[-1], new)
        await until(hass, lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["step_id"] == "discovery_confirm"
    assert flow["context"]["title_placeholders"] == {"name": "New"}

    # The same receiver announcing again does not stack up flows.
    with patch.object(shure, "CONTROL_PORT", new.port):
        await _announce(discovery_transports[-1], new)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1

    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_added"
    assert f"127.0.0.1:{new.port}" in entry.options[CONF_HOSTS]
    assert hass.states.get("binary_sensor.new_connectivity").state == "on"


async def test_discovery_of_configured_host_aborts(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A discovery flow for a host already watched, or with no entry, ends at once."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={
            CONF_MANUFACTURER: "shure",
            "host": "127.0.0.1",
            "port": 2202,
            "name": "X",
            "model": "QLXD4",
            "mac": None,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"

    receiver = await simulator.add_receiver("QLXD4", name="Known")
    await setup_entry(hass, receiver)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={
            CONF_MANUFACTURER: "shure",
            "host": "127.0.0.1",
            "port": receiver.port,
            "name": "Known",
            "model": "QLXD4",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_discovery_confirm_after_entry_removed(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Confirming a stale offer after the entry was deleted explains why nothing happened."""
    receiver = await simulator.add_receiver("QLXD4", name="Known")
    entry = await setup_entry(hass, receiver)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={
            CONF_MANUFACTURER: "shure",
            "host": "127.0.0.1",
            "port": 1,
            "name": "Gone",
            "model": "QLXD4",
        },
    )
    assert result["step_id"] == "discovery_confirm"
    await hass.config_entries.async_remove(entry.entry_id)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_set_up"


async def test_discovery_auto_adds_receiver(
    hass: HomeAssistant,
    simulator: Simulator,
    discovery_transports: list[asyncio.DatagramTransport],
) -> None:
    """Auto-add on: the announced receiver is watched at once and announced as discovered."""
    known = await simulator.add_receiver("ULXD4", name="Known")
    entry = await setup_entry(hass, known, auto_add_discovered=True)
    events = async_capture_events(hass, "micboard_device_discovered")
    new = await simulator.add_receiver("AD4D", name="Found")
    with patch.object(shure, "CONTROL_PORT", new.port):
        await _announce(discovery_transports[-1], new)
        await until(hass, lambda: hass.states.get("binary_sensor.found_connectivity") is not None)
        # Already watched now: a second announcement changes nothing.
        await _announce(discovery_transports[-1], new)
        await hass.async_block_till_done()
    assert entry.options[CONF_HOSTS] == [f"127.0.0.1:{known.port}", f"127.0.0.1:{new.port}"]
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert [event.data["name"] for event in events] == ["Found"]
    assert events[0].data["device_data"]["model"] == "AD4D"
    assert hass.states.get("binary_sensor.found_connectivity").state == "on"
