"""Waiting in real time for something a socket or a timer will make true (no Home Assistant).

The library, simulator and contract suites run real loopback sockets with real timers; this
is how they wait for the outcome. It imports nothing of Home Assistant (``tests.helpers``
does), so those suites stay Home-Assistant-free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time

POLL_INTERVAL = 0.01


async def eventually(condition: Callable[[], object], within: float = 3.0) -> float:
    """Wait until ``condition()`` is truthy; fail after ``within`` s. Returns the wait.

    The condition is always checked once after the deadline has passed, so a loop slowed
    down by a busy machine never fails a condition that did come true in time.
    """
    started = time.monotonic()
    deadline = started + within
    while True:
        expired = time.monotonic() >= deadline
        if condition():
            return time.monotonic() - started
        if expired:
            raise AssertionError(f"condition not met within {within:g} s")
        await asyncio.sleep(POLL_INTERVAL)
