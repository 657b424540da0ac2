"""The simulated receivers of the worker process: the bench's only use of ``simulator``.

Everything the driver and the control server do to a receiver goes through ``BenchRig``,
addressed by (port, channel), so a change of the simulator's Python API stays in this file.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from simulator.core import Simulator
from simulator.frontend import FrontEnd
from simulator.rig import find_model

from .timing import clock

_SECONDS_PER_MINUTE = 60.0
# Charging minutes per real minute: packs reach full during a bench run, so battery state
# changes (and their lifecycle events) happen while it measures.
CHARGE_SPEED = 20.0
CHARGER_MODEL = "SBC840"


@dataclass(frozen=True, slots=True)
class RigReceiver:
    """One simulated receiver as the bench knows it."""

    port: int
    model: str
    channels: int
    # The manufacturer code ("shure", "sennheiser"): which config entry watches it.
    manufacturer: str


@dataclass(frozen=True, slots=True)
class RigCharger:
    """One simulated charger as the bench knows it."""

    port: int
    model: str
    bays: int
    manufacturer: str


@dataclass
class BenchRig:
    """Simulated receivers on 127.0.0.1, one port each, with battery drain the bench times."""

    simulator: Simulator
    drain: float
    receivers: list[RigReceiver] = field(default_factory=list)
    chargers: list[RigCharger] = field(default_factory=list)
    # When each battery-drain tick happened (every receiver pushes every channel at once).
    drain_ticks: list[float] = field(default_factory=list)
    _by_port: dict[int, FrontEnd] = field(default_factory=dict)
    _drain_task: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls,
        *,
        receivers: int,
        models: list[str],
        seed: int,
        drain: float,
        meter_jitter: float,
        chargers: int = 0,
    ) -> BenchRig:
        """``receivers`` receivers of ``models`` in turn, named ``RX 000``, ``RX 001``...

        Any model the simulator plays: Shure over TCP, Sennheiser SSC over UDP (channel names
        fit SSC's 8 characters). ``chargers`` SBC840s follow, every bay holding a pack at
        some charge (a few full already), charging at ``CHARGE_SPEED``.
        """
        # The rig drains the batteries itself (not the simulator) to know when it happens.
        simulator = Simulator(
            seed=seed,
            noise=True,
            battery_drain=0,
            meter_jitter=meter_jitter,
            charge_speed=CHARGE_SPEED,
        )
        rig = cls(simulator, drain)
        for number in range(receivers):
            model = models[number % len(models)]
            count = find_model(model).channels
            rx = await simulator.add_device(
                model,
                name=f"RX {number:03d}",
                port=0,
                channel_names=[f"R{number:03d} C{index}" for index in range(1, count + 1)],
            )
            rig._by_port[rx.port] = rx
            rig.receivers.append(
                RigReceiver(rx.port, rx.model, len(rx.state.channels), rx.state.manufacturer)
            )
            if drain and rig._drain_task is None:
                rig._drain_task = asyncio.create_task(rig._drain_batteries())
        for number in range(chargers):
            charger = await simulator.add_charger(CHARGER_MODEL, name=f"CHG {number:02d}", port=0)
            bays = len(charger.device.bays)
            for bay in range(1, bays + 1):
                # 30 % to 100 %, spread over the bays: some are full, most reach it later.
                charger.insert_battery(bay, charge=30 + (number * bays + bay) * 7 % 71)
            rig.chargers.append(RigCharger(charger.port, CHARGER_MODEL, bays, "shure"))
        return rig

    async def _drain_batteries(self) -> None:
        # Once a minute of simulated use, as the simulator's own drain does.
        interval = _SECONDS_PER_MINUTE / self.drain
        while True:
            await asyncio.sleep(interval)
            self.drain_ticks.append(clock())
            for rx in self.simulator.receivers:
                rx.drain_batteries(1.0)

    def has_transmitter(self, port: int, channel: int) -> bool:
        return self._by_port[port].state.channel(channel).transmitter is not None

    def battery_percent(self, port: int, channel: int) -> int | None:
        """What the channel's transmitter reports (None: no transmitter or no percentage)."""
        transmitter = self._by_port[port].state.channel(channel).transmitter
        return None if transmitter is None else transmitter.battery_percent

    def rename_channel(self, port: int, channel: int, name: str) -> None:
        self._by_port[port].rename_channel(channel, name)

    def set_transmitter(self, port: int, channel: int, *, on: bool) -> None:
        self._by_port[port].set_transmitter(channel, on=on)

    def set_battery(self, port: int, channel: int, *, bars: int, percent: int) -> None:
        self._by_port[port].set_battery(channel, bars=bars, percent=percent)

    def go_silent(self, port: int) -> None:
        """Sockets stay open, nothing is sent or answered (a hung receiver)."""
        self._by_port[port].go_silent()

    def resume(self, port: int) -> None:
        self._by_port[port].resume()

    async def stop(self) -> None:
        if self._drain_task is not None:
            self._drain_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain_task
        await self.simulator.stop()
