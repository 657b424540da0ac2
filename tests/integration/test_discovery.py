"""An SLP announcement on the (loopback) network reaches the entry and is watched at once."""

from __future__ import annotations

import asyncio
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.micboard.const import CONF_HOSTS, DOMAIN
from custom_components.micboard.manufacturers import shure
from simulator import SimulatedReceiver
from simulator.core import Simulator
from simulator.shure_tcp.slp import build_announcement

from .helpers import setup_entry, until


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
    # Receivers are controlled on one fixed port; the simulated one listens elsewhere.
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
