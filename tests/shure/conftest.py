"""Fixtures for the pure Shure tests: no Home Assistant, real loopback TCP to the simulator.

These tests run with or without the Home Assistant test plugin; with it, sockets to
127.0.0.1 must be enabled explicitly and no Home Assistant instance is wanted. The helpers
the tests import are in ``helpers.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.micboard.manufacturers.shure import ShureBackend
from simulator import Simulator

from .helpers import FAST, MakeBackend


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: these tests need no Home Assistant."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets (only 127.0.0.1 is ever used)."""


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A deterministic simulator: seeded, no noise, no battery drain."""
    async with Simulator(seed=7, noise=False, battery_drain=0) as simulator:
        yield simulator


@pytest.fixture
async def make_backend() -> AsyncIterator[MakeBackend]:
    """Build backends with fast timings; every one is stopped after the test."""
    backends: list[ShureBackend] = []

    def make(hosts: list[tuple[str, int]], **options: Any) -> ShureBackend:
        backend = ShureBackend(hosts, **{**FAST, **options})
        backends.append(backend)
        return backend

    yield make
    for backend in backends:
        await backend.stop()
