"""Fixtures of the real-socket tests: the simulator on 127.0.0.1 and loopback discovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
import time
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.micboard.manufacturers.shure import discovery as shure_discovery
from simulator.core import Simulator
from simulator.receiver import SimulatedReceiver

from ..helpers import mock_entry


@pytest.fixture
def rig_socket_enabled(socket_enabled: Any) -> None:
    """Let the simulator listen on 127.0.0.1 (the plugin still refuses other hosts)."""


@pytest.fixture
async def simulator(rig_socket_enabled: None) -> AsyncGenerator[Simulator]:
    """A simulator with no receivers yet; tests add the rig they need."""
    sim = Simulator(seed=1, noise=False, battery_drain=0)
    yield sim
    await sim.stop()


@pytest.fixture(autouse=True)
def discovery_transports(
    rig_socket_enabled: None,
) -> Generator[list[asyncio.DatagramTransport]]:
    """Discovery listens on 127.0.0.1 (never a real multicast group) during tests.

    Yields the transports opened, so a test can send announcements to their address.
    """
    opened: list[asyncio.DatagramTransport] = []

    async def loopback(
        protocol_factory: Callable[[], asyncio.DatagramProtocol], **_where: Any
    ) -> Any:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            protocol_factory, local_addr=("127.0.0.1", 0)
        )
        opened.append(transport)
        return transport

    with patch.object(shure_discovery, "open_multicast_transport", loopback):
        yield opened


async def setup_entry(
    hass: HomeAssistant, *receivers: SimulatedReceiver, **options: Any
) -> MockConfigEntry:
    """Create and set up a Shure entry watching the given simulated receivers."""
    entry = mock_entry((f"{rx.host}:{rx.port}" for rx in receivers), **options)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def until(hass: HomeAssistant, check: Callable[[], bool], seconds: float = 3.0) -> None:
    """Let the real sockets and timers run until ``check`` holds (real time, bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        await hass.async_block_till_done(wait_background_tasks=True)
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {seconds} s")
        await asyncio.sleep(0.02)


def api_id_of(entry: MockConfigEntry, receiver: SimulatedReceiver) -> str:
    """The api device id the coordinator knows a simulated receiver by."""
    for api_id, known in entry.runtime_data.data.receivers.items():
        if known.port == receiver.port:
            return api_id
    raise AssertionError(f"receiver on port {receiver.port} unknown")
