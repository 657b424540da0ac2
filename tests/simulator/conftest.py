"""Fixtures for the simulator's own tests: no Home Assistant, no client code, loopback only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import json
from typing import Any

import pytest

from simulator import Simulator, SscOptions
from simulator.frontend import FrontEnd

# Fast meters and expiry checks keep the SSC tests short.
FAST_SSC = SscOptions(meter_interval=0.05)


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


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.errors: list[Exception] = []

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        self.errors.append(exc)


class SscWire:
    """A plain UDP client: raw JSON datagrams out, datagrams in (written for the tests)."""

    def __init__(self, transport: asyncio.DatagramTransport, protocol: _Datagrams) -> None:
        self.transport = transport
        self.protocol = protocol

    @property
    def errors(self) -> list[Exception]:
        """Socket errors seen (ICMP port unreachable arrives as ConnectionRefusedError)."""
        return self.protocol.errors

    def send(self, message: object) -> None:
        """Send a JSON object, or raw bytes as they are."""
        data = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.transport.sendto(data)

    async def raw(self, wait: float = 1.0) -> bytes | None:
        """The next datagram, or None after ``wait`` seconds."""
        try:
            async with asyncio.timeout(wait):
                return await self.protocol.queue.get()
        except TimeoutError:
            return None

    async def recv(self, wait: float = 1.0) -> Any:
        """The next datagram as JSON (fails if none comes)."""
        data = await self.raw(wait)
        assert data is not None, "no datagram"
        return json.loads(data)

    async def ask(self, message: object, wait: float = 1.0) -> Any:
        """Send one request and return the next datagram as JSON."""
        self.send(message)
        return await self.recv(wait)

    async def collect(self, seconds: float) -> list[bytes]:
        """Every datagram received in the next ``seconds``."""
        datagrams: list[bytes] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    datagrams.append(await self.protocol.queue.get())
        return datagrams

    async def silence(self, seconds: float = 0.15) -> bool:
        """True if nothing arrives within ``seconds``."""
        return await self.raw(seconds) is None


type ConnectSsc = Callable[[FrontEnd], Awaitable[SscWire]]


@pytest.fixture
async def ssc_to() -> AsyncIterator[ConnectSsc]:
    """Open UDP clients to simulated SSC devices; all are closed after the test."""
    wires: list[SscWire] = []

    async def connect(receiver: FrontEnd) -> SscWire:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            _Datagrams, remote_addr=(receiver.host, receiver.port)
        )
        wire = SscWire(transport, protocol)
        wires.append(wire)
        return wire

    yield connect
    for wire in wires:
        wire.transport.close()
