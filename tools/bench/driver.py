"""Changes transmitters at a set rate and logs the moment of each change (worker process)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import math
import random

from .const import RENAME_SHARE, SWAP_BACK_S, SWAP_SHARE
from .rig import BenchRig, RigReceiver
from .timing import clock

# (bench clock, port, channel, kind, value, phase); kind is "rename", "tx" or "battery".
type Change = tuple[float, int, int, str, str, str]


@dataclass
class Driver:
    """Changes transmitters at ``rate`` per second and logs each change."""

    rig: BenchRig
    rng: random.Random
    rate: float = 0.0
    phase: str = ""
    log: list[Change] = field(default_factory=list)
    swapped: set[tuple[int, int]] = field(default_factory=set)
    renames: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if self.rate <= 0:
                self.wake.clear()
                await self.wake.wait()
                continue
            await asyncio.sleep(self.rng.expovariate(self.rate))
            if self.rate > 0:
                self._change(loop)

    def set_rate(self, rate: float, phase: str) -> None:
        self.rate = rate
        self.phase = phase
        self.wake.set()

    def _change(self, loop: asyncio.AbstractEventLoop) -> None:
        rig = self.rig
        rx: RigReceiver = self.rng.choice(rig.receivers)
        port = rx.port
        channel = self.rng.randint(1, rx.channels)
        if (port, channel) in self.swapped:
            return
        linked = rig.has_transmitter(port, channel)
        pick = self.rng.random()
        if pick < RENAME_SHARE:
            self.renames += 1
            name = f"N{self.renames % 10000:04d}C{channel}"
            stamp = clock()
            rig.rename_channel(port, channel, name)
            self.log.append((stamp, port, channel, "rename", name, self.phase))
        elif pick < RENAME_SHARE + SWAP_SHARE and linked:
            self.swapped.add((port, channel))
            stamp = clock()
            rig.set_transmitter(port, channel, on=False)
            self.log.append((stamp, port, channel, "tx", "off", self.phase))
            loop.call_later(self.rng.uniform(*SWAP_BACK_S), self._swap_back, port, channel)
        elif linked:
            current = rig.battery_percent(port, channel)
            percent = self.rng.choice([p for p in range(1, 101) if p != current])
            stamp = clock()
            rig.set_battery(port, channel, bars=min(5, math.ceil(percent / 20)), percent=percent)
            self.log.append((stamp, port, channel, "battery", str(percent), self.phase))

    def _swap_back(self, port: int, channel: int) -> None:
        self.swapped.discard((port, channel))
        stamp = clock()
        self.rig.set_transmitter(port, channel, on=True)
        self.log.append((stamp, port, channel, "tx", "on", self.phase))
