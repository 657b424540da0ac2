"""Helpers of the pure Shure tests: fast timings, backends for simulated receivers.

No Home Assistant (``tests.helpers`` imports it; these do not). Waiting is
``tests.waiting.eventually``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from custom_components.micboard.manufacturers import Receiver
from custom_components.micboard.manufacturers.shure import ShureBackend
from simulator import SimulatedReceiver

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


# What the ``make_backend`` fixture gives: hosts and options in, an unstarted backend out.
type MakeBackend = Callable[..., ShureBackend]


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
