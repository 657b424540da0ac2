"""Fixtures of the backend contract suite: every scenario runs once per pair in ``PAIRS``.

No Home Assistant: the real backend, built through the registry with its default timings,
against the simulator on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulator import Simulator

from .harness import Rig, start_rig
from .pairs import PAIRS, Pair


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: these tests need no Home Assistant."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets (only 127.0.0.1 is ever used)."""


@pytest.fixture(params=PAIRS, ids=[pair.id for pair in PAIRS])
def pair(request: pytest.FixtureRequest) -> Pair:
    """The (backend, simulator front-end) pair under test."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A deterministic simulator: seeded, meters exactly as set, no battery drain."""
    async with Simulator(seed=3, noise=False, battery_drain=0) as simulator:
        yield simulator


@pytest.fixture
async def rig(pair: Pair, sim: Simulator) -> AsyncIterator[Rig]:
    """One device of the pair's model and its started backend (stopped afterwards)."""
    device = await pair.add_device(sim, pair.model)
    started = await start_rig(pair, sim, [device])
    yield started
    await started.backend.stop()
