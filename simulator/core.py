"""``Simulator``: any mix of simulated receivers and chargers on 127.0.0.1, one port each.

The devices live in the neutral rig (``rig.py``); each is served by the front-end of its
manufacturer's wire protocol (``shure_tcp``, ``sennheiser_ssc``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import contextlib
import random
from types import TracebackType
from typing import Self

from .frontend import FrontEnd
from .rig import (
    BAND_START_KHZ,
    CHARGER_FIRMWARE,
    DEFAULT_BAND,
    DEFAULT_FIRMWARE,
    SENNHEISER,
    SENNHEISER_SSC,
    SHURE_TCP,
    Channel,
    ChargerBay,
    Device,
    Transition,
    TransitionLog,
    find_model,
)
from .sennheiser_ssc import SscOptions, SscReceiver
from .shure_tcp import SimulatedReceiver
from .shure_tcp.charger import ChargerOptions, SimulatedCharger

# Channels of one receiver are spaced this far apart by default (kHz).
_CHANNEL_SPACING_KHZ = 400
# Receivers added one after another start this far apart (kHz).
_RECEIVER_SPACING_KHZ = 2000
_SECONDS_PER_MINUTE = 60.0
_PORT_ATTEMPTS = 20


class Simulator:
    """Runs simulated receivers. Use ``async with Simulator() as sim`` or call ``stop()``.

    ``seed`` makes names, MACs, noise and jitter reproducible; ``noise=False`` reports the
    set levels exactly; ``battery_drain`` is battery minutes used per real minute (0: off);
    ``ssc_options`` are the Sennheiser readings every SSC device plays unless given its own;
    ``charge_speed`` is charging minutes per real minute for every charger added (0: packs
    stand still), ``charger_options`` the readings Shure chargers play unless given their own.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        noise: bool = True,
        battery_drain: float = 1.0,
        meter_jitter: float = 0.0,
        ssc_options: SscOptions | None = None,
        charge_speed: float = 1.0,
        charger_options: ChargerOptions | None = None,
    ) -> None:
        self._rng = random.Random(seed)
        self._noise = noise
        self._battery_drain = battery_drain
        self._meter_jitter = meter_jitter
        self._ssc_options = ssc_options or SscOptions()
        self._charge_speed = charge_speed
        self._charger_options = charger_options or ChargerOptions()
        # Every running device's front-end, in the order added.
        self.receivers: list[FrontEnd] = []
        # Every transition the simulator caused, for every device.
        self.log = TransitionLog()
        self._drain_task: asyncio.Task[None] | None = None
        self._added = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def transitions(self) -> list[Transition]:
        """The transition log, oldest first."""
        return self.log.since()

    async def add_device(
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
        device_id: str | None = None,
        serial: str | None = None,
        ssc_options: SscOptions | None = None,
    ) -> FrontEnd:
        """Start a receiver of any model on 127.0.0.1:port (0 = any free port).

        The model picks the front-end. ``with_model``/``model_string`` only matter to Shure,
        ``serial``/``ssc_options`` only to Sennheiser; ``model_string`` is also what an SSC
        device reports as ``device/identity/product``. A charger model is started with
        ``add_charger`` (its defaults: one unit, every bay empty).
        """
        info = find_model(model)
        if info.is_charger:
            return await self.add_charger(
                model,
                name=name,
                port=port,
                mac=mac,
                firmware=firmware,
                model_string=model_string,
                device_id=device_id,
                serial=serial,
                ssc_options=ssc_options,
            )
        family = info.family
        number = len(self.receivers) + 1
        self._added += 1
        names = list(channel_names or [])
        start_khz = BAND_START_KHZ[family] + (number - 1) * _RECEIVER_SPACING_KHZ
        channels = [
            Channel(
                index=index,
                name=names[index - 1] if index <= len(names) else f"CH {index}",
                frequency_khz=start_khz + (index - 1) * _CHANNEL_SPACING_KHZ,
                group_channel=f"{number % 100:02d},{index:02d}",
                antenna=self._rng.choice(["A", "B", "AB"]),
            )
            for index in range(1, info.channels + 1)
        ]
        # Random draws in this order keep a seeded Shure rig what it was before SSC existed.
        device = Device(
            info=info,
            name=name if name is not None else f"RX {number}",
            firmware=firmware or DEFAULT_FIRMWARE[family],
            rf_band=rf_band or DEFAULT_BAND[family],
            mac=mac or self._random_mac(info.manufacturer),
            with_model=with_model if with_model is not None else family != "qlxd",
            model_string=model_string or _default_model_string(info.model),
            channels=channels,
            id=device_id or f"{family}-{self._added}",
        )
        if info.manufacturer == SENNHEISER:
            device.serial = serial or f"{self._rng.randrange(10**9, 10**10)}"
        if any(other.id == device.id for other in self.receivers):
            raise ValueError(f"device id {device.id!r} is taken")
        receiver = self._front_end(device, ssc_options=ssc_options)
        receiver.check_name(device.name, None)
        for channel in device.channels:
            receiver.check_name(channel.name, channel.index)
            if transmitters:
                # Not through set_transmitter: a device starting with its transmitters on is
                # not a transition.
                channel.transmitter = receiver.new_transmitter()
        await self._listen(receiver, port)
        self.receivers.append(receiver)
        if self._battery_drain and self._drain_task is None:
            self._drain_task = asyncio.create_task(self._drain())
        return receiver

    async def add_charger(
        self,
        model: str,
        *,
        name: str | None = None,
        port: int = 0,
        units: int = 1,
        mac: str | None = None,
        firmware: str | None = None,
        model_string: str | None = None,
        device_id: str | None = None,
        serial: str | None = None,
        charge_speed: float | None = None,
        options: ChargerOptions | None = None,
        ssc_options: SscOptions | None = None,
    ) -> FrontEnd:
        """Start a charger (every bay empty) on 127.0.0.1:port (0 = any free port).

        ``units`` links that many SBC220/240 units behind the one address (bays 1-8 for
        four). Shure chargers speak TCP (``SimulatedCharger``, ``options``), the CHG 70N SSC
        over UDP (``SscReceiver`` with a charger tree, ``ssc_options``). Packs charge by
        ``charge_speed`` minutes per real minute (default: the simulator's).
        """
        info = find_model(model)
        if not info.is_charger:
            raise ValueError(f"{model!r} is not a charger model")
        if not 1 <= units <= info.max_units:
            raise ValueError(f"{info.model} takes 1 to {info.max_units} linked units")
        self._added += 1
        number = len(self.receivers) + 1
        device = Device(
            info=info,
            name=name if name is not None else f"CHG {number}",
            firmware=firmware or CHARGER_FIRMWARE[info.family],
            rf_band="",
            mac=mac or self._random_mac(info.manufacturer),
            with_model=True,
            model_string=model_string or _default_model_string(info.model),
            id=device_id or f"{info.family}-{self._added}",
            bays=[ChargerBay(index) for index in range(1, info.bays * units + 1)],
            units=units,
            charge_speed=self._charge_speed if charge_speed is None else charge_speed,
        )
        if info.manufacturer == SENNHEISER:
            device.serial = serial or f"{self._rng.randrange(10**9, 10**10)}"
        if any(other.id == device.id for other in self.receivers):
            raise ValueError(f"device id {device.id!r} is taken")
        charger = self._front_end(device, ssc_options=ssc_options, charger_options=options)
        charger.check_name(device.name, None)
        await self._listen(charger, port)
        self.receivers.append(charger)
        charger.start_charging()
        return charger

    def _front_end(
        self,
        device: Device,
        *,
        ssc_options: SscOptions | None = None,
        charger_options: ChargerOptions | None = None,
    ) -> FrontEnd:
        """The front-end that speaks ``device``'s wire protocol (not listening yet)."""
        rng, noise, jitter, log = self._rng, self._noise, self._meter_jitter, self.log
        if device.info.protocol == SENNHEISER_SSC:
            # An SSC tree of its own serves receivers and the CHG 70N alike.
            options = ssc_options or self._ssc_options
            return SscReceiver(
                device, rng=rng, noise=noise, meter_jitter=jitter, log=log, options=options
            )
        assert device.info.protocol == SHURE_TCP
        if device.info.is_charger:
            return SimulatedCharger(
                device,
                rng=rng,
                noise=noise,
                meter_jitter=jitter,
                log=log,
                options=charger_options or self._charger_options,
            )
        return SimulatedReceiver(device, rng=rng, noise=noise, meter_jitter=jitter, log=log)

    @property
    def chargers(self) -> list[FrontEnd]:
        """Every running charger, in the order added."""
        return [device for device in self.receivers if device.kind == "charger"]

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
        device_id: str | None = None,
    ) -> SimulatedReceiver:
        """Start a Shure receiver listening on 127.0.0.1:port (0 = any free port).

        ``with_model`` defaults to what the family does (QLX-D: no MODEL); ``transmitters``
        False starts with every transmitter off.
        """
        info = find_model(model)
        if info.protocol != SHURE_TCP:
            raise ValueError(f"unknown model {model!r} for add_receiver (Shure only)")
        receiver = await self.add_device(
            model,
            name=name,
            port=port,
            channel_names=channel_names,
            mac=mac,
            firmware=firmware,
            with_model=with_model,
            model_string=model_string,
            rf_band=rf_band,
            transmitters=transmitters,
            device_id=device_id,
        )
        assert isinstance(receiver, SimulatedReceiver)
        return receiver

    async def add_sennheiser(
        self,
        model: str = "EW-DX-EM4-DANTE",
        *,
        name: str | None = None,
        port: int = 0,
        channel_names: Sequence[str] | None = None,
        mac: str | None = None,
        firmware: str | None = None,
        product: str | None = None,
        rf_band: str | None = None,
        transmitters: bool = True,
        device_id: str | None = None,
        serial: str | None = None,
        options: SscOptions | None = None,
    ) -> SscReceiver:
        """Start a Sennheiser SSC v1 receiver on UDP 127.0.0.1:port (0 = any free port)."""
        info = find_model(model)
        if info.manufacturer != SENNHEISER:
            raise ValueError(f"unknown model {model!r} for add_sennheiser")
        receiver = await self.add_device(
            model,
            name=name,
            port=port,
            channel_names=channel_names,
            mac=mac,
            firmware=firmware,
            model_string=product,
            rf_band=rf_band,
            transmitters=transmitters,
            device_id=device_id,
            serial=serial,
            ssc_options=options,
        )
        assert isinstance(receiver, SscReceiver)
        return receiver

    async def _listen(self, receiver: FrontEnd, port: int) -> None:
        # TCP and UDP ports are separate spaces, so an ephemeral UDP port may repeat a TCP
        # one; ctl names devices by port, so such a port is given back and another drawn.
        taken = {other.port for other in self.receivers}
        for _ in range(_PORT_ATTEMPTS):
            await receiver.listen(port)
            if port or receiver.port not in taken:
                return
            await receiver.close()
        raise OSError(f"no free port for {receiver.model} after {_PORT_ATTEMPTS} attempts")

    def device(self, ref: str | int) -> FrontEnd:
        """The device with this port (a number) or id (anything else); KeyError if none."""
        text = str(ref)
        for receiver in self.receivers:
            if (text.isdigit() and receiver.port == int(text)) or receiver.id == text:
                return receiver
        raise KeyError(f"no simulated device {text!r}")

    def receiver(self, port: int) -> FrontEnd:
        """The receiver listening on ``port`` (KeyError if none)."""
        for receiver in self.receivers:
            if receiver.port == port:
                return receiver
        raise KeyError(f"no simulated receiver on port {port}")

    async def remove_receiver(self, receiver: FrontEnd) -> None:
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

    def _random_mac(self, manufacturer: str) -> str:
        # Each manufacturer's OUI (Shure 00:0E:DD, Sennheiser 00:1B:66) and three random bytes.
        tail = ":".join(f"{self._rng.randrange(256):02x}" for _ in range(3))
        if manufacturer == SENNHEISER:
            return f"00:1B:66:{tail.upper()}"
        return f"00:0e:dd:{tail}"


def _default_model_string(model: str) -> str:
    # SSC v1 product strings were never seen in a source (sheet part 2 §12 q1): this reading
    # spells the model as Sennheiser's documents do, "EW-DX EM 4 Dante".
    return _SSC_PRODUCT.get(model, model)


_SSC_PRODUCT = {
    "EW-DX-EM2": "EW-DX EM 2",
    "EW-DX-EM2-DANTE": "EW-DX EM 2 Dante",
    "EW-DX-EM4-DANTE": "EW-DX EM 4 Dante",
    "CHG70N": "CHG 70N",
}
