"""Fixtures for the pure Shure tests: no Home Assistant, real loopback TCP to the simulator.

These tests run with or without the Home Assistant test plugin; with it, sockets to
127.0.0.1 must be enabled explicitly and no Home Assistant instance is wanted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from custom_components.micboard.manufacturers import Receiver
from custom_components.micboard.manufacturers.shure import ShureBackend
from simulator import SimulatedReceiver, Simulator

# Small timings keep the suite fast; tests that check defaults say so.
FAST: dict[str, Any] = {
    "meter_rate_ms": 100,
    "liveness_timeout": 0.6,
    "connect_timeout": 0.5,
    "request_timeout": 0.5,
    "burst_quiet_time": 0.03,
    "reconnect_min": 0.05,
    "reconnect_max": 0.2,
}


type MakeBackend = Callable[..., ShureBackend]


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
async def make_backend() -> AsyncIterator[Callable[..., ShureBackend]]:
    """Build backends with fast timings; every one is stopped after the test."""
    backends: list[ShureBackend] = []

    def make(hosts: list[tuple[str, int]], **options: Any) -> ShureBackend:
        backend = ShureBackend(hosts, **{**FAST, **options})
        backends.append(backend)
        return backend

    yield make
    for backend in backends:
        await backend.stop()


def only(backend: ShureBackend) -> Receiver:
    """The single receiver of a backend's snapshot."""
    (receiver,) = backend.snapshot.receivers.values()
    return receiver


async def started(
    make_backend: MakeBackend, *receivers: SimulatedReceiver, **options: Any
) -> ShureBackend:
    """A backend for these simulated receivers, started."""
    backend = make_backend([(rx.host, rx.port) for rx in receivers], **options)
    await backend.start()
    return backend
