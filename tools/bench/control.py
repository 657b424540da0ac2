"""The control protocol between the two processes: one JSON object per line each way.

The worker prints a ``Ready`` line on stdout once its receivers listen, then serves commands
on its control port: ``rate`` (changes per second, and the phase they are logged under),
``count`` and ``log`` (the changes made), ``silent`` and ``resume`` (receivers, by port),
``stop``. ``Worker`` is the Home Assistant process's side of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from typing import Any, TypedDict

from .const import LOOPBACK, ROOT
from .driver import Change
from .options import Options, worker_arguments
from .system import process_cpu


class ReceiverInfo(TypedDict):
    port: int
    model: str
    channels: int
    manufacturer: str


class ChargerInfo(TypedDict):
    port: int
    model: str
    bays: int
    manufacturer: str


class Ready(TypedDict):
    control: int
    receivers: list[ReceiverInfo]
    chargers: list[ChargerInfo]


class ChangeLog(TypedDict):
    log: list[Change]
    drain_ticks: list[float]
    swapped: int


class Worker:
    """The simulator subprocess and its control connection."""

    def __init__(self, options: Options) -> None:
        command = [sys.executable, "-m", "tools.bench", *worker_arguments(options)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, text=True)
        self.ready: Ready | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def receivers(self) -> list[ReceiverInfo]:
        """The simulated receivers (none until the worker is ready)."""
        return self.ready["receivers"] if self.ready is not None else []

    @property
    def chargers(self) -> list[ChargerInfo]:
        """The simulated chargers (none until the worker is ready, or without --chargers)."""
        return self.ready.get("chargers", []) if self.ready is not None else []

    def wait_ready(self, timeout: float) -> None:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = self.process.stdout.readline()
        if not line or time.monotonic() > deadline:
            raise RuntimeError("the simulator worker did not start")
        self.ready = json.loads(line)

    async def connect(self) -> None:
        assert self.ready is not None
        self._reader, self._writer = await asyncio.open_connection(LOOPBACK, self.ready["control"])

    async def _call(self, command: str, **args: object) -> dict[str, Any]:
        assert self._reader is not None
        assert self._writer is not None
        self._writer.write(json.dumps({"cmd": command, **args}).encode() + b"\n")
        await self._writer.drain()
        reply: dict[str, Any] = json.loads(await self._reader.readline())
        return reply

    async def set_rate(self, rate: float, phase: str = "") -> None:
        """Transmitter changes per second from now on, logged under ``phase``."""
        await self._call("rate", rate=rate, phase=phase)

    async def count(self) -> int:
        """How many changes were made so far."""
        count: int = (await self._call("count"))["count"]
        return count

    async def change_log(self) -> ChangeLog:
        """Every change made, and the battery-drain ticks."""
        reply = await self._call("log")
        return ChangeLog(
            log=[
                (t, port, ch, kind, value, phase)
                for t, port, ch, kind, value, phase in reply["log"]
            ],
            drain_ticks=[float(t) for t in reply.get("drain_ticks", [])],
            swapped=int(reply.get("swapped", 0)),
        )

    async def silence(self, ports: list[int]) -> dict[int, float]:
        """Receivers go silent (sockets left open); when each did, by port."""
        reply = await self._call("silent", ports=ports)
        return {int(port): float(stamp) for port, stamp in reply["stamps"].items()}

    async def resume(self, ports: list[int]) -> dict[int, float]:
        """Silenced receivers answer again; when each did, by port."""
        reply = await self._call("resume", ports=ports)
        return {int(port): float(stamp) for port, stamp in reply["stamps"].items()}

    @property
    def cpu(self) -> float:
        return process_cpu(self.process.pid)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._call("stop")
        if self._writer is not None:
            self._writer.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
