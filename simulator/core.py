"""``Simulator``: any mix of Shure receivers on 127.0.0.1, one port each."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import contextlib
import random
from types import TracebackType
from typing import Self

from .receiver import SimulatedReceiver
from .state import (
    BAND_START_KHZ,
    DEFAULT_BAND,
    DEFAULT_FIRMWARE,
    DEFAULT_TRANSMITTER,
    MODELS,
    ChannelState,
    ReceiverState,
    TransmitterState,
)

# Channels of one receiver are spaced this far apart by default (kHz).
_CHANNEL_SPACING_KHZ = 400
# Receivers added one after another start this far apart (kHz).
_RECEIVER_SPACING_KHZ = 2000
_SECONDS_PER_MINUTE = 60.0


class Simulator:
    """Runs simulated receivers. Use ``async with Simulator() as sim`` or call ``stop()``.

    ``seed`` makes names, MACs, noise and jitter reproducible; ``noise=False`` reports the
    set levels exactly; ``battery_drain`` is battery minutes used per real minute (0: off).
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        noise: bool = True,
        battery_drain: float = 1.0,
        meter_jitter: float = 0.0,
    ) -> None:
        self._rng = random.Random(seed)
        self._noise = noise
        self._battery_drain = battery_drain
        self._meter_jitter = meter_jitter
        self.receivers: list[SimulatedReceiver] = []
        self._drain_task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def add_receiver(
        self,
        model: str,
        *,
        name: str | None = None,
        port: int = 0,
        channel_names: Sequence[str] | None = None,
        mac: str | None = None,
        firmware: str | None = None,
        with_model: bool | None = None,
        model_string: str | None = None,
        rf_band: str | None = None,
        transmitters: bool = True,
    ) -> SimulatedReceiver:
        """Start a receiver listening on 127.0.0.1:port (0 = any free port).

        ``with_model`` defaults to what the family does (QLX-D: no MODEL); ``transmitters``
        False starts with every transmitter off.
        """
        info = MODELS.get(model.upper())
        if info is None:
            raise ValueError(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
        family = info.family
        number = len(self.receivers) + 1
        names = list(channel_names or [])
        start_khz = BAND_START_KHZ[family] + (number - 1) * _RECEIVER_SPACING_KHZ
        channels = []
        for index in range(1, info.channels + 1):
            channel = ChannelState(
                index=index,
                name=names[index - 1] if index <= len(names) else f"CH {index}",
                frequency_khz=start_khz + (index - 1) * _CHANNEL_SPACING_KHZ,
                group_channel=f"{number % 100:02d},{index:02d}",
                antenna=self._rng.choice(["A", "B", "AB"]),
            )
            if transmitters:
                channel.transmitter = TransmitterState(DEFAULT_TRANSMITTER[family])
            channels.append(channel)
        state = ReceiverState(
            info=info,
            name=name if name is not None else f"RX {number}",
            firmware=firmware or DEFAULT_FIRMWARE[family],
            rf_band=rf_band or DEFAULT_BAND[family],
            mac=mac or self._random_mac(),
            with_model=with_model if with_model is not None else family != "qlxd",
            model_string=model_string or info.model,
            channels=channels,
        )
        receiver = SimulatedReceiver(
            state, rng=self._rng, noise=self._noise, meter_jitter=self._meter_jitter
        )
        await receiver.listen(port)
        self.receivers.append(receiver)
        if self._battery_drain and self._drain_task is None:
            self._drain_task = asyncio.create_task(self._drain())
        return receiver

    def receiver(self, port: int) -> SimulatedReceiver:
        """The receiver listening on ``port`` (KeyError if none)."""
        for receiver in self.receivers:
            if receiver.port == port:
                return receiver
        raise KeyError(f"no simulated receiver on port {port}")

    async def remove_receiver(self, receiver: SimulatedReceiver) -> None:
        """Stop one receiver."""
        if receiver in self.receivers:
            self.receivers.remove(receiver)
        await receiver.close()

    async def stop(self) -> None:
        """Stop every receiver."""
        if self._drain_task is not None:
            self._drain_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain_task
            self._drain_task = None
        receivers, self.receivers = self.receivers, []
        await asyncio.gather(*(receiver.close() for receiver in receivers))

    async def _drain(self) -> None:
        # Once a minute of simulated use, so bar changes are pushed as on a real receiver.
        interval = _SECONDS_PER_MINUTE / self._battery_drain
        while True:
            await asyncio.sleep(interval)
            for receiver in self.receivers:
                receiver.drain_batteries(1.0)

    def _random_mac(self) -> str:
        # Shure's OUI 00:0E:DD and three random bytes.
        tail = ":".join(f"{self._rng.randrange(256):02x}" for _ in range(3))
        return f"00:0e:dd:{tail}"
