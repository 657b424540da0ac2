"""Fixtures of the real-socket tests: the simulator on 127.0.0.1 and loopback discovery.

The helpers the tests import are in ``helpers.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any
from unittest.mock import patch

import pytest

from custom_components.micboard.manufacturers.shure import discovery as shure_discovery
from simulator.core import Simulator


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
