"""Fixtures for the Sennheiser library tests: no Home Assistant, UDP on 127.0.0.1 only.

The helpers the tests import are in ``helpers.py`` and ``fake_device.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .fake_device import FakeDevice


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
