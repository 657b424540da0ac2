"""The simulator in its own process (``python -m simulator``) and its control port."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
import subprocess
import sys
from typing import Any

from tools.bench.const import LOOPBACK, ROOT

from .matching import SimEntry

# The rig: every Shure family and the EW-DX receivers, in turn.
SHURE_MODELS = ["ULXD4Q", "ULXD4D", "QLXD4", "SLXD4D", "SLXD4D+", "SLXD4Q+", "AD4Q", "AD4D"]
SENNHEISER_MODELS = ["EW-DX-EM2", "EW-DX-EM2-DANTE", "EW-DX-EM4-DANTE"]
_CHANNELS = {
    "ULXD4Q": 4,
    "ULXD4D": 2,
    "QLXD4": 1,
    "SLXD4D": 2,
    "SLXD4D+": 2,
    "SLXD4Q+": 4,
    "AD4Q": 4,
    "AD4D": 2,
    "EW-DX-EM2": 2,
    "EW-DX-EM2-DANTE": 2,
    "EW-DX-EM4-DANTE": 4,
}
_REPLY_LIMIT = 256 * 1024 * 1024
# Every this many channels starts without a transmitter.
_EMPTY_EVERY = 7


def rig_json(shure: int, sennheiser: int) -> dict[str, Any]:
    """``shure`` Shure and ``sennheiser`` Sennheiser receivers, models in turn."""
    receivers: list[dict[str, Any]] = []
    slot = 0
    models = [SHURE_MODELS[i % len(SHURE_MODELS)] for i in range(shure)] + [
        SENNHEISER_MODELS[i % len(SENNHEISER_MODELS)] for i in range(sennheiser)
    ]
    for number, model in enumerate(models, start=1):
        channels: list[dict[str, Any]] = []
        for index in range(1, _CHANNELS[model] + 1):
            slot += 1
            empty = slot % _EMPTY_EVERY == 0
            channels.append(
                {"name": f"{number:02d}CH{index}", "transmitter": None if empty else {}}
            )
        receivers.append({"model": model, "name": f"RX{number:02d}", "channels": channels})
    return {"receivers": receivers}


class SimProcess:
    """``python -m simulator --rig FILE --base-port 0 --control-port 0`` and its ctl port."""

    def __init__(self, rig_file: Path, seed: int) -> None:
        command = [
            sys.executable,
            "-m",
            "simulator",
            "--rig",
            str(rig_file),
            "--base-port",
            "0",
            "--control-port",
            "0",
            "--seed",
            str(seed),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, text=True)
        self.control_port = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    def wait_ready(self) -> None:
        """Read the receiver lines until ``control 127.0.0.1:PORT``."""
        assert self.process.stdout is not None
        for _ in range(10000):
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the simulator exited before it was ready")
            if line.startswith("control "):
                self.control_port = int(line.rsplit(":", 1)[1])
                return
        raise RuntimeError("the simulator printed no control port")

    async def connect(self) -> None:
        # The transition log of a long run is one reply line of several megabytes.
        self._reader, self._writer = await asyncio.open_connection(
            LOOPBACK, self.control_port, limit=_REPLY_LIMIT
        )

    async def call(self, command: str, *args: str) -> dict[str, Any]:
        """One control command; its JSON reply."""
        assert self._reader is not None
        assert self._writer is not None
        async with self._lock:
            self._writer.write(json.dumps({"cmd": command, "args": list(args)}).encode() + b"\n")
            await self._writer.drain()
            reply: dict[str, Any] = json.loads(await self._reader.readline())
        return reply

    async def receivers(self) -> list[dict[str, Any]]:
        reply = await self.call("list")
        found: list[dict[str, Any]] = reply["receivers"]
        return found

    async def log(self, since: float = 0.0) -> list[SimEntry]:
        """The simulator's transition log."""
        reply = await self.call("log", str(since))
        return [
            SimEntry(
                at=float(e["at"]),
                device=str(e["device"]),
                port=int(e["port"]),
                channel=None if e["channel"] is None else int(e["channel"]),
                kind=str(e["kind"]),
                value=str(e["value"]),
            )
            for e in reply["log"]
        ]

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def cpu_pid(self) -> int:
        return self.process.pid
