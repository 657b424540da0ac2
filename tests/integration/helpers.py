"""Helpers of the real-socket tests: set up an entry for simulated receivers, wait for it.

These wait in real time (the sockets and the clients' timers are real); the HA-layer tests'
helpers (``tests.helpers``) wait with a frozen clock instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import SimulatedReceiver

from ..helpers import mock_entry


async def setup_entry(
    hass: HomeAssistant, *receivers: SimulatedReceiver, **options: Any
) -> MockConfigEntry:
    """Create and set up a Shure entry watching the given simulated receivers."""
    entry = mock_entry((f"{rx.host}:{rx.port}" for rx in receivers), **options)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def until(hass: HomeAssistant, check: Callable[[], bool], seconds: float = 3.0) -> None:
    """Let the real sockets and timers run until ``check`` holds (real time, bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        await hass.async_block_till_done(wait_background_tasks=True)
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {seconds} s")
        await asyncio.sleep(0.02)


def api_id_of(entry: MockConfigEntry, receiver: SimulatedReceiver) -> str:
    """The api device id the coordinator knows a simulated receiver by."""
    for api_id, known in entry.runtime_data.data.receivers.items():
        if known.port == receiver.port:
            return api_id
    raise AssertionError(f"receiver on port {receiver.port} unknown")
