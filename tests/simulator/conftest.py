"""Fixtures for the simulator's own tests: no Home Assistant, no client code, loopback only.

The helpers the tests import are in ``helpers.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulator import Simulator
from simulator.frontend import FrontEnd

from .helpers import FAST_SSC, ConnectSsc, SscWire, open_ssc_wire


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: these tests need no Home Assistant."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets (only 127.0.0.1 is ever used)."""


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A deterministic simulator: seeded, no noise, no battery drain, fast SSC meters."""
    async with Simulator(seed=7, noise=False, battery_drain=0, ssc_options=FAST_SSC) as simulator:
        yield simulator


@pytest.fixture
async def ssc_to() -> AsyncIterator[ConnectSsc]:
    """Open UDP clients to simulated SSC devices; all are closed after the test."""
    wires: list[SscWire] = []

    async def connect(receiver: FrontEnd) -> SscWire:
        wire = await open_ssc_wire(receiver)
        wires.append(wire)
        return wire

    yield connect
    for wire in wires:
        wire.transport.close()
