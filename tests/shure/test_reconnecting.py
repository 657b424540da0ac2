"""ReconnectingConnection (fleet.py) with a scripted session: the loop both backends share."""

from __future__ import annotations

import asyncio
import logging

import pytest

from custom_components.micboard.manufacturers import (
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    Receiver,
    UnsupportedDeviceError,
)
from custom_components.micboard.manufacturers.fleet import (
    NOT_CONNECTED,
    Backoff,
    Change,
    ReconnectingConnection,
    placeholder_receiver,
)

FAST = Backoff(minimum=0.02, maximum=0.05)


class Scripted(ReconnectingConnection):
    """Each attempt takes the next outcome: an error to raise, or "online" (live until cut)."""

    def __init__(self, outcomes: list[Exception | str], backoff: Backoff = FAST) -> None:
        self.changes: list[Change] = []
        super().__init__("127.0.0.1", 9, self.changes.append, backoff, label="test")
        self.outcomes = outcomes
        self.attempts = 0
        self.cut = asyncio.Event()
        self.ended_while_online: list[bool] = []

    def device(self) -> Receiver:
        return placeholder_receiver("test", self.host, self.port, self._error)

    async def resync(self) -> DeviceError | None:
        return await self._next_attempt() if not self.online else None

    async def _run_session(self) -> None:
        self.attempts += 1
        outcome = self.outcomes.pop(0) if self.outcomes else MicboardConnectionError("down")
        if isinstance(outcome, Exception):
            raise outcome
        self._went_online()
        self.cut.clear()
        await self.cut.wait()
        raise MicboardConnectionError("lost", kind=ErrorKind.CLOSED)

    async def _end_session(self) -> None:
        # Recorded before the clean-up, so that "offline" never waits for a slow close.
        self.ended_while_online.append(self.online)


def test_backoff_doubles_to_the_cap_with_jitter() -> None:
    backoff = Backoff(minimum=1.0, maximum=30.0)
    assert all(0.5 <= backoff.pause(0) <= 1.0 for _ in range(50))
    assert all(2.0 <= backoff.pause(2) <= 4.0 for _ in range(50))
    assert all(15.0 <= backoff.pause(10_000) <= 30.0 for _ in range(50))
    assert len({backoff.pause(3) for _ in range(50)}) > 40  # drawn, not fixed


async def test_start_returns_after_a_failed_first_attempt() -> None:
    conn = Scripted([MicboardConnectionError("refused", kind=ErrorKind.REFUSED)])
    assert conn.last_error == NOT_CONNECTED
    await conn.start()
    try:
        assert not conn.online
        assert conn.last_error == DeviceError(ErrorKind.REFUSED, "refused")
        assert conn.changes == [Change.STATE]
    finally:
        await conn.stop()


async def test_goes_online_and_reconnects_after_a_loss() -> None:
    conn = Scripted(["online", "online"])
    await conn.start()
    try:
        assert conn.online
        assert conn.last_error is None
        conn.cut.set()
        await asyncio.sleep(0.2)
        assert conn.online
        assert conn.attempts == 2
        assert conn.reconnects == 1
        assert conn.ended_while_online == [False]
    finally:
        await conn.stop()


async def test_resync_while_offline_skips_the_pause() -> None:
    slow = Backoff(minimum=60.0, maximum=60.0)
    conn = Scripted([MicboardConnectionError("down"), "online"], slow)
    await conn.start()
    try:
        async with asyncio.timeout(1.0):
            assert await conn.resync() is None
        assert conn.online
    finally:
        await conn.stop()


async def test_stop_releases_waiters_and_ends_the_task() -> None:
    slow = Backoff(minimum=60.0, maximum=60.0)
    conn = Scripted([MicboardConnectionError("down")], slow)
    await conn.start()
    waiter = asyncio.create_task(conn._next_attempt())
    await asyncio.sleep(0)
    conn.outcomes = [MicboardConnectionError("down")] * 100
    await conn.stop()
    async with asyncio.timeout(1.0):
        await waiter
    assert conn._task is None


async def test_unsupported_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    conn = Scripted([UnsupportedDeviceError("not a receiver")] * 1000)
    with caplog.at_level(logging.WARNING):
        await conn.start()
        await asyncio.sleep(0.3)
        await conn.stop()
    assert conn.attempts > 2
    assert [r.getMessage() for r in caplog.records] == ["not a receiver"]
    assert conn.last_error is not None
    assert conn.last_error.kind is ErrorKind.UNSUPPORTED
