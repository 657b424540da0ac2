"""What every front-end shares: the Python API tests and ``ctl`` use, over one rig ``Device``.

A subclass supplies the wire: how to take a snapshot of what its protocol would report, how
to push what changed since a snapshot, and how to open, close and break its sockets. The
state changes themselves, and the transition log, live here once for every manufacturer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
import random

from .rig import (
    BATTERY,
    DEFAULT_BATTERY_TYPE,
    DEFAULT_TRANSMITTER,
    FAULT,
    RENAME,
    RX_OFF,
    RX_ON,
    TX_OFF,
    TX_ON,
    Device,
    TransitionLog,
    Transmitter,
)

# The simulator never listens anywhere else.
LOOPBACK = "127.0.0.1"
DEFAULT_GARBAGE = b"\x00\xffjunk<<>"


class FrontEnd(ABC):
    """One device on the wire. Every change made through this API reaches its clients."""

    def __init__(
        self,
        device: Device,
        *,
        rng: random.Random,
        noise: bool,
        meter_jitter: float,
        log: TransitionLog | None = None,
    ) -> None:
        self.device = device
        self._rng = rng
        self._noise = noise
        self._meter_jitter = meter_jitter
        self.log = log if log is not None else TransitionLog()
        self.port = 0

    # --- what a subclass provides ----------------------------------------------------------

    @abstractmethod
    async def listen(self, port: int) -> None:
        """Open the port on 127.0.0.1 (0 picks a free one) and set ``self.port``."""

    @abstractmethod
    async def _stop_listening(self) -> None:
        """Close the port; established TCP connections may stay open."""

    @abstractmethod
    async def drop_connections(self) -> None:
        """Forget every client abruptly, as a power cut or cable pull would."""

    @abstractmethod
    async def send_garbage(self, data: bytes = DEFAULT_GARBAGE) -> None:
        """Send raw junk to every client once."""

    @property
    @abstractmethod
    def connection_count(self) -> int:
        """Clients known right now (TCP connections, live SSC subscribers)."""

    @abstractmethod
    def _snapshot(self) -> object:
        """What the protocol reports now, in a form ``_publish`` can diff against."""

    @abstractmethod
    def _publish(self, before: object) -> bool:
        """Push what changed since ``before`` to clients; True if anything changed."""

    def _resumed(self) -> None:  # noqa: B027 - optional hook
        """Called when ``silent`` ends (meter schedules may need waking)."""

    def check_name(self, name: str, channel: int | None) -> None:  # noqa: B027
        """Raise ValueError for a name the protocol cannot carry (channel None: the device)."""

    def _describe_extra(self) -> dict[str, object]:
        return {}

    # --- identity ----------------------------------------------------------------------------

    @property
    def state(self) -> Device:
        """The rig device (older name, kept for callers that read ``rx.state``)."""
        return self.device

    @property
    def host(self) -> str:
        """Always 127.0.0.1."""
        return LOOPBACK

    @property
    def model(self) -> str:
        """Model name, e.g. ULXD4Q or EW-DX-EM4-DANTE."""
        return self.device.info.model

    @property
    def id(self) -> str:
        """The device's simulator id (``ctl`` accepts it in place of the port)."""
        return self.device.id

    @property
    def protocol(self) -> str:
        """Front-end name, e.g. ``shure_tcp``."""
        return self.device.info.protocol

    # --- lifetime ----------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop listening and forget every client."""
        await self._stop_listening()
        await self.drop_connections()

    async def refuse_connections(self, refuse: bool = True) -> None:
        """Close (or reopen) the port: new connections are refused; open TCP ones stay."""
        if refuse == self.device.faults.refuse:
            return
        self.device.faults.refuse = refuse
        self._record(None, FAULT, "refuse" if refuse else "accept")
        if refuse:
            await self._stop_listening()
        elif self.device.powered:
            await self.listen(self.port)

    async def power_off(self) -> None:
        """The receiver goes off: port closed and every client forgotten."""
        if not self.device.powered:
            return
        self.device.powered = False
        self._record(None, RX_OFF)
        await self._stop_listening()
        await self.drop_connections()

    async def power_on(self) -> None:
        """The receiver comes back on the same port (unless ``refuse`` is still set)."""
        if self.device.powered:
            return
        self.device.powered = True
        self._record(None, RX_ON)
        if not self.device.faults.refuse:
            await self.listen(self.port)

    async def drop(self) -> None:
        """``drop_connections`` with a transition-log entry (what ``ctl drop`` does)."""
        self._record(None, FAULT, "drop")
        await self.drop_connections()

    def go_silent(self) -> None:
        """Keep sockets open but send and answer nothing (a hung receiver)."""
        if not self.device.faults.silent:
            self.device.faults.silent = True
            self._record(None, FAULT, "silent")

    def resume(self) -> None:
        """End ``go_silent``."""
        if self.device.faults.silent:
            self.device.faults.silent = False
            self._record(None, FAULT, "resume")
        self._resumed()

    def set_faults(
        self,
        *,
        garbage: bool | None = None,
        loss: float | None = None,
        duplicate: float | None = None,
        reorder: float | None = None,
        split: bool | None = None,
    ) -> None:
        """Switch the lasting wire faults; None leaves one as it is. Chances are 0-1."""
        faults = self.device.faults
        for key, value in (("loss", loss), ("duplicate", duplicate), ("reorder", reorder)):
            if value is not None:
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{key} must be between 0 and 1")
                setattr(faults, key, value)
        if garbage is not None:
            faults.garbage = garbage
        if split is not None:
            faults.split = split
        self._record(
            None,
            FAULT,
            f"garbage={'on' if faults.garbage else 'off'} loss={faults.loss:g} "
            f"duplicate={faults.duplicate:g} reorder={faults.reorder:g}"
            + (" split=on" if faults.split else ""),
        )

    # --- state changes, pushed by the front-end ------------------------------------------------

    def set_transmitter(
        self,
        channel: int,
        *,
        on: bool = True,
        model: str | None = None,
        name: str | None = None,
        battery_bars: int | None = None,
        battery_percent: int | None = None,
        battery_minutes: int | None = None,
        battery_type: str | None = None,
    ) -> None:
        """Turn a channel's transmitter on (linked) or off; unset values keep defaults."""
        ch = self.device.channel(channel)
        was_on = ch.transmitter is not None

        def change() -> None:
            if not on:
                ch.transmitter = None
                return
            tx = ch.transmitter or self.new_transmitter()
            ch.transmitter = tx
            if model is not None:
                tx.model = model
            if name is not None:
                tx.name = name
            if battery_type is not None:
                tx.battery_type = battery_type
            tx.set_battery(battery_bars, battery_percent, battery_minutes)

        self._change(change)
        if on != was_on:
            self._record(channel, TX_ON if on else TX_OFF)

    def set_battery(
        self,
        channel: int,
        *,
        bars: int | None = None,
        percent: int | None = None,
        minutes: int | None = None,
    ) -> None:
        """Set what the linked transmitter reports about its battery."""
        tx = self.device.channel(channel).transmitter
        if tx is None:
            raise KeyError(f"channel {channel} has no transmitter")
        self._change(lambda: tx.set_battery(bars, percent, minutes))
        self._record(channel, BATTERY, f"bars={bars} percent={percent} minutes={minutes}")

    def rename(self, name: str) -> None:
        """Change the receiver's name."""
        self.check_name(name, None)
        self._change(lambda: setattr(self.device, "name", name))
        self._record(None, RENAME, name)

    def rename_channel(self, channel: int, name: str) -> None:
        """Change a channel's name."""
        ch = self.device.channel(channel)
        self.check_name(name, channel)
        self._change(lambda: setattr(ch, "name", name))
        self._record(channel, RENAME, name)

    def set_firmware(self, firmware: str) -> None:
        """Report another firmware version (as after an update)."""
        self._change(lambda: setattr(self.device, "firmware", firmware))

    def set_frequency(self, channel: int, mhz: float) -> None:
        """Tune a channel; the group/channel no longer matches."""
        ch = self.device.channel(channel)

        def change() -> None:
            ch.frequency_khz = round(mhz * 1000)
            ch.group_channel = None

        self._change(change)

    def set_levels(
        self,
        channel: int,
        *,
        rf_dbm: float | None = None,
        audio_dbfs: float | None = None,
        antenna: str | None = None,
        quality: int | None = None,
    ) -> None:
        """Set what the meter reports while a transmitter is on.

        Levels are metering, not state: protocols stream them rather than push a change
        (Sennheiser derives warnings such as LowSignal from them, which are pushed).
        """
        ch = self.device.channel(channel)

        def change() -> None:
            if rf_dbm is not None:
                ch.rf_dbm = rf_dbm
            if audio_dbfs is not None:
                ch.audio_dbfs = audio_dbfs
            if antenna is not None:
                ch.antenna = antenna
            if quality is not None:
                ch.quality = quality

        self._change(change)

    def drain_batteries(self, minutes: float) -> None:
        """Run every linked transmitter's battery down by ``minutes`` of use."""

        def change() -> None:
            for ch in self.device.channels:
                if ch.transmitter is not None:
                    ch.transmitter.drain(minutes)

        self._change(change)

    def describe(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        device = self.device
        return {
            "id": device.id,
            "manufacturer": device.manufacturer,
            "protocol": device.info.protocol,
            "host": LOOPBACK,
            "port": self.port,
            "model": self.model,
            "name": device.name,
            "firmware": device.firmware,
            "mac": device.mac,
            "powered": device.powered,
            "silent": device.faults.silent,
            "refuse": device.faults.refuse,
            "connections": self.connection_count,
            "channels": [
                {
                    "channel": ch.index,
                    "name": ch.name,
                    "frequency_mhz": ch.frequency_khz / 1000,
                    "transmitter": None
                    if ch.transmitter is None
                    else {
                        "model": ch.transmitter.model,
                        "battery_bars": ch.transmitter.battery_bars,
                        "battery_percent": ch.transmitter.battery_percent,
                        "battery_minutes": ch.transmitter.battery_minutes,
                    },
                }
                for ch in device.channels
            ],
            **self._describe_extra(),
        }

    # --- helpers -----------------------------------------------------------------------------

    def new_transmitter(self) -> Transmitter:
        """A transmitter with this manufacturer's defaults."""
        info = self.device.info
        return Transmitter(
            DEFAULT_TRANSMITTER[info.family],
            battery_type=DEFAULT_BATTERY_TYPE[info.manufacturer],
        )

    def _change(self, change: Callable[[], object]) -> bool:
        """Apply a change to the rig and let the front-end push what it altered."""
        before = self._snapshot()
        change()
        return self._publish(before)

    def _record(self, channel: int | None, kind: str, value: str = "") -> None:
        self.log.record(self.device, self.port, channel, kind, value)
