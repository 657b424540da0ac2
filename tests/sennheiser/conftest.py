"""Fixtures for the Sennheiser library tests: no Home Assistant, UDP on 127.0.0.1 only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components.micboard.manufacturers.sennheiser.client import ClientOptions

from .fake_device import FakeDevice

# Small timings keep the suite fast; tests of the defaults say so.
FAST = ClientOptions(
    request_timeout=0.3,
    attempts=2,
    liveness_timeout=0.8,
    keepalive_after=0.3,
    subscription_lifetime=2,
    renew_interval=0.6,
    reconnect_min=0.05,
    reconnect_max=0.2,
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: these tests need no Home Assistant."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets (only 127.0.0.1 is ever used)."""


@pytest.fixture
async def device() -> AsyncIterator[FakeDevice]:
    """A fake EW-DX EM 2: channel 1 linked to an SKM, channel 2 without transmitter."""
    fake = await FakeDevice().start()
    yield fake
    await fake.stop()
