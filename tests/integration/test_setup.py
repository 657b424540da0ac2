"""Set-up through the config flow against the simulator, and unload leaving nothing behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import socket
import time

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest

from custom_components.micboard.const import CONF_HOSTS, DOMAIN
from simulator.core import Simulator

from ..helpers import capture_lifecycle
from .helpers import api_id_of, setup_entry, until


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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


async def test_config_flow_sets_up_the_rig(
    hass: HomeAssistant,
    simulator: Simulator,
    not_shure: str,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The real probe names a dead and a non-Shure host; then the rig is set up and announced."""
    ulxd = await simulator.add_receiver("ULXD4Q", name="Stage L")
    axient = await simulator.add_receiver("AD4Q", name="Stage R")
    events = capture_lifecycle(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"manufacturer": "shure"}
    )
    flow_id = result["flow_id"]
    good = f"127.0.0.1:{ulxd.port}, 127.0.0.1:{axient.port}"
    dead = _free_port()
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOSTS: f"{good} {dead} {not_shure}"}
    )
    assert result["errors"] == {CONF_HOSTS: "cannot_connect_not_supported"}
    assert result["description_placeholders"]["hosts"] == dead
    assert result["description_placeholders"]["unsupported"] == not_shure

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: good})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    # Service device, two receivers, 4 + 4 channels.
    assert len(devices) == 11
    assert hass.states.get("binary_sensor.stage_l_connectivity").state == "on"
    assert hass.states.get("binary_sensor.stage_r_connectivity").state == "on"

    api_id = api_id_of(entry, ulxd)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{api_id}"), entry.entry_id
    )
    assert device is not None
    # Both receivers answer at once: the order of their announcements is theirs.
    discovered = {
        e.data["api_device_id"]: e.data
        for e in events
        if e.event_type == "micboard_device_discovered"
    }
    assert discovered.keys() == {api_id, api_id_of(entry, axient)}
    assert discovered[api_id] == {
        "service_code": "shure",
        "api_device_id": api_id,
        "device_type": "receiver",
        "device_id": device.id,
        "name": "Stage L",
        "device_data": {
            "id": api_id,
            "name": "Stage L",
            "type": "receiver",
            "model": "ULXD4Q",
            "ip_address": "127.0.0.1",
        },
    }
    synced = [e for e in events if e.event_type == "micboard_device_synced"]
    assert synced[-1].data["sync_result"]["status"] == "success"
    assert synced[-1].data["sync_result"]["online_count"] == 2


async def test_unload_leaves_nothing_running(hass: HomeAssistant, simulator: Simulator) -> None:
    """Unload stops the backend: no task or connection of the client is left."""
    receiver = await simulator.add_receiver("SLXD4D", name="Pulpit")
    entry = await setup_entry(hass, receiver)
    assert sum(rx.connection_count for rx in simulator.receivers) >= 1
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert sum(rx.connection_count for rx in simulator.receivers) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(20):
        if sum(rx.connection_count for rx in simulator.receivers) == 0:
            break
        await asyncio.sleep(0.05)
    assert sum(rx.connection_count for rx in simulator.receivers) == 0
    names = {task.get_name() for task in asyncio.all_tasks()}
    assert not [name for name in names if "micboard" in name.lower() or "shure" in name.lower()]


async def test_no_receiver_answers_retries_later(hass: HomeAssistant, simulator: Simulator) -> None:
    """If no configured receiver answers, the entry is not ready and leaves no socket open."""
    receiver = await simulator.add_receiver("QLXD4", name="Dead")
    await receiver.refuse_connections(True)
    entry = await setup_entry(hass, receiver)
    assert entry.state.value == "setup_retry"
    await receiver.refuse_connections(False)
    # The failed attempt left nothing behind that keeps reconnecting (backoff starts at 1 s).
    await asyncio.sleep(1.5)
    assert receiver.connection_count == 0
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state.value == "loaded"


async def test_receiver_off_while_home_assistant_starts(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Remembered from the last run: offline at once, one offline event, online when it boots."""
    rx = await simulator.add_receiver("ULXD4D", name="Stage L", channel_names=["Vox 1", "Vox 2"])
    rx.set_transmitter(1, on=True, battery_bars=4)
    entry = await setup_entry(hass, rx)
    assert hass.states.get("sensor.vox_1_status").state == "good"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    await rx.power_off()
    events = capture_lifecycle(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.stage_l_connectivity").state == "off"
    assert hass.states.get("sensor.vox_1_status").state == "rx_com_error"
    started = time.monotonic()
    await until(hass, lambda: any(e.event_type == "micboard_device_offline" for e in events), 7)
    assert time.monotonic() - started <= 6.0

    await rx.power_on()
    await until(hass, lambda: any(e.event_type == "micboard_device_online" for e in events), 12)
    await until(hass, lambda: hass.states.get("sensor.vox_1_status").state == "good", 3)
    assert [e.event_type for e in events if e.event_type != "micboard_device_synced"] == [
        "micboard_device_offline",
        "micboard_device_online",
    ]
    assert hass.states.get("binary_sensor.stage_l_connectivity").state == "on"


async def test_receiver_ignoring_commands_raises_a_repair_until_it_answers(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An SLX-D+ with third-party control off (connects, answers nothing): a repair issue
    that names the setting, cleared by itself once the receiver answers."""
    good = await simulator.add_receiver("ULXD4", name="Lectern")
    locked = await simulator.add_receiver("SLXD4D+", name="Band")
    locked.go_silent()
    entry = await setup_entry(hass, good, locked)
    issue_id = f"access_disabled_{entry.entry_id}_127.0.0.1_{locked.port}"
    registry = ir.async_get(hass)
    await until(hass, lambda: registry.async_get_issue(DOMAIN, issue_id) is not None, 5)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "access_disabled_shure"
    assert issue.translation_placeholders == {
        "name": "Receiver 127.0.0.1",
        "host": f"127.0.0.1:{locked.port}",
    }

    locked.resume()
    await until(hass, lambda: registry.async_get_issue(DOMAIN, issue_id) is None, 12)
    await until(hass, lambda: hass.states.get("binary_sensor.band_connectivity") is not None, 5)
    assert hass.states.get("binary_sensor.band_connectivity").state == "on"
