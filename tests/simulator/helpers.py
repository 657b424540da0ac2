"""Helpers of the simulator's own tests: no Home Assistant, no client code, loopback only.

``SscWire`` is a plain UDP client written for these tests (not the library's), so the
simulator's SSC front-end is checked against the sheet, not against the client. Waiting is
``tests.waiting.eventually``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import json
from typing import Any

from simulator import SscOptions
from simulator.frontend import FrontEnd

# Fast meters and expiry checks keep the SSC tests short.
FAST_SSC = SscOptions(meter_interval=0.05)


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


async def open_ssc_wire(receiver: FrontEnd) -> SscWire:
    """A UDP client of a simulated SSC device (the caller closes its transport)."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        _Datagrams, remote_addr=(receiver.host, receiver.port)
    )
    return SscWire(transport, protocol)


# What the ``ssc_to`` fixture gives: a simulated SSC device in, a connected client out.
type ConnectSsc = Callable[[FrontEnd], Awaitable[SscWire]]
