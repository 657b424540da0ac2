"""The library's discovery tests open their own sockets."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture(autouse=True)
def discovery_transports() -> list[asyncio.DatagramTransport]:
    """Keep the real multicast factory: these tests check it (on loopback)."""
    return []
