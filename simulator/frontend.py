"""What every front-end shares: the Python API tests and ``ctl`` use, over one rig ``Device``.

A subclass supplies the wire: how to take a snapshot of what its protocol would report, how
to push what changed since a snapshot, and how to open, close and break its sockets. The
state changes themselves, and the transition log, live here once for every manufacturer:
receivers (transmitters, batteries, names, levels) and chargers (packs put in and taken
out, faults, temperatures, storage mode, and packs charging over time at ``charge_speed``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Callable
import contextlib
import random

from .rig import (
    BATTERY,
    BAY_CLEAR,
    BAY_FAULT,
    BAY_FULL,
    BAY_INSERT,
    BAY_REMOVE,
    BAY_TEMP,
    CHARGE_SPEED,
    DEFAULT_BATTERY_TYPE,
    DEFAULT_PACK,
    DEFAULT_TRANSMITTER,
    FAULT,
    RENAME,
    RX_OFF,
    RX_ON,
    STORAGE_MODE,
    TX_OFF,
    TX_ON,
    Device,
    Pack,
    PackState,
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
        # Chargers: the task that charges the packs, woken when the speed changes.
        self._charging: asyncio.Task[None] | None = None
        self._speed_changed = asyncio.Event()

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

    @property
    def kind(self) -> str:
        """``receiver`` or ``charger``."""
        return self.device.info.kind

    # --- lifetime ----------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop listening and forget every client (and stop charging)."""
        await self.stop_charging()
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
        locked: bool | None = None,
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
        if locked is not None:
            faults.locked = locked
        self._record(
            None,
            FAULT,
            f"garbage={'on' if faults.garbage else 'off'} loss={faults.loss:g} "
            f"duplicate={faults.duplicate:g} reorder={faults.reorder:g}"
            + (" split=on" if faults.split else "")
            + (" locked=on" if faults.locked else ""),
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

    # --- chargers: packs in bays, charging over time -----------------------------------------

    def new_pack(
        self,
        *,
        charge: float = 50.0,
        health: int | None = None,
        cycles: int | None = None,
        temp_c: int | None = None,
        capacity_mah: int | None = None,
        model: str | None = None,
        calculating: bool = True,
    ) -> Pack:
        """A pack with this charger's defaults (and a serial of its own)."""
        pack = Pack(
            charge=float(charge),
            model=model or DEFAULT_PACK[self.device.info.family],
            serial=f"{self._rng.randrange(10**9, 10**10)}",
            calculating=calculating,
        )
        if health is not None:
            pack.health = health
        if cycles is not None:
            pack.cycles = cycles
        if temp_c is not None:
            pack.temp_c = temp_c
        if capacity_mah is not None:
            pack.capacity_mah = capacity_mah
        return pack

    def insert_battery(
        self,
        bay: int,
        *,
        charge: float = 50.0,
        health: int | None = None,
        cycles: int | None = None,
        temp_c: int | None = None,
        model: str | None = None,
        calculating: bool = True,
    ) -> None:
        """Put a pack in a bay (replacing any); the charger calculates for its first minute."""
        target = self.device.bay(bay)
        if not 0 <= charge <= 100:
            raise ValueError("charge must be between 0 and 100")
        pack = self.new_pack(
            charge=charge,
            health=health,
            cycles=cycles,
            temp_c=temp_c,
            model=model,
            calculating=calculating,
        )
        self._change(lambda: setattr(target, "pack", pack))
        self._record(bay, BAY_INSERT, f"charge={charge:g}")

    def remove_battery(self, bay: int) -> None:
        """Take the pack out of a bay (nothing happens if it is empty)."""
        target = self.device.bay(bay)
        if target.pack is None:
            return
        self._change(lambda: setattr(target, "pack", None))
        self._record(bay, BAY_REMOVE)

    def fault_bay(self, bay: int, code: int = 7) -> None:
        """Fault the pack in a bay with a BATT_ERROR-style code (7: communication failure)."""
        pack = self._pack(bay)
        if not 1 <= code <= 253:
            raise ValueError("fault code must be between 1 and 253")
        self._change(lambda: setattr(pack, "fault", code))
        self._record(bay, BAY_FAULT, str(code))

    def clear_fault(self, bay: int) -> None:
        """The pack in a bay charges again."""
        pack = self._pack(bay)
        if pack.fault is None:
            return
        self._change(lambda: setattr(pack, "fault", None))
        self._record(bay, BAY_CLEAR)

    def set_bay_temperature(self, bay: int, temp_c: int) -> None:
        """The pack's temperature (C): warm packs charge slowly, hot and cold ones not at all."""
        pack = self._pack(bay)
        self._change(lambda: setattr(pack, "temp_c", temp_c))
        self._record(bay, BAY_TEMP, str(temp_c))

    def set_storage_mode(self, on: bool) -> None:
        """Storage mode on (packs go to their storage charge) or off (charged to full)."""
        self._charger()
        if on == self.device.storage_mode:
            return
        self._change(lambda: setattr(self.device, "storage_mode", on))
        self._record(None, STORAGE_MODE, "on" if on else "off")

    def set_charge_speed(self, speed: float) -> None:
        """Charging minutes per real minute (0: standing still); tests use hundreds."""
        self._charger()
        if speed < 0:
            raise ValueError("speed must not be negative")
        self.device.charge_speed = speed
        self._speed_changed.set()
        self._record(None, CHARGE_SPEED, f"{speed:g}")

    def charge_batteries(self, minutes: float = 1.0) -> None:
        """``minutes`` pass on the charger: every pack moves towards its target."""
        device = self.device
        reached: list[int] = []

        def change() -> None:
            for bay in device.bays:
                pack = bay.pack
                if pack is None:
                    continue
                before = pack.state(device.storage_mode)
                pack.charge_for(minutes, device.storage_mode)
                if before is not PackState.FULL and pack.state(device.storage_mode) is (
                    PackState.FULL
                ):
                    reached.append(bay.index)

        self._change(change)
        for index in reached:
            self._record(index, BAY_FULL)

    def start_charging(self) -> None:
        """Start the task that charges the packs (chargers only; idempotent)."""
        if self.device.info.is_charger and self._charging is None:
            self._charging = asyncio.create_task(self._charge_forever())

    async def stop_charging(self) -> None:
        """Stop charging the packs."""
        if self._charging is not None:
            self._charging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._charging
            self._charging = None

    async def _charge_forever(self) -> None:
        # One charging minute every 60 / speed seconds; a speed change restarts the wait.
        while True:
            speed = self.device.charge_speed
            self._speed_changed.clear()
            if speed <= 0:
                await self._speed_changed.wait()
                continue
            try:
                async with asyncio.timeout(60.0 / speed):
                    await self._speed_changed.wait()
                continue
            except TimeoutError:
                # A speed change that came with the deadline restarts the wait instead.
                if self._speed_changed.is_set():
                    continue
            if self.device.powered:
                self.charge_batteries(1.0)

    def _charger(self) -> None:
        if not self.device.info.is_charger:
            raise KeyError(f"{self.device.info.model} is not a charger")

    def _pack(self, bay: int) -> Pack:
        pack = self.device.bay(bay).pack
        if pack is None:
            raise KeyError(f"bay {bay} is empty")
        return pack

    def describe(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        device = self.device
        if device.info.is_charger:
            return self._describe_charger()
        return {
            **self._describe_device(),
            "channels": [
                {
                    "channel": ch.index,
                    "name": ch.name,
                    "frequency_mhz": ch.frequency_khz / 1000,
                    "gain_db": ch.gain_db,
                    "muted": ch.muted,
                    "identify": ch.identify,
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

    def _describe_device(self) -> dict[str, object]:
        """What every device's summary starts with."""
        device = self.device
        return {
            "id": device.id,
            "kind": device.info.kind,
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
            "locked": device.faults.locked,
            "identify": device.identify,
            "connections": self.connection_count,
        }

    def _describe_charger(self) -> dict[str, object]:
        device = self.device
        return {
            **self._describe_device(),
            "units": device.units,
            "storage_mode": device.storage_mode,
            "charge_speed": device.charge_speed,
            "bays": [
                {
                    "bay": bay.index,
                    "battery": None
                    if bay.pack is None
                    else {
                        "state": bay.pack.state(device.storage_mode).value,
                        "charge": bay.pack.percent,
                        "minutes_to_full": bay.pack.minutes_to_target(device.storage_mode),
                        "health": bay.pack.health,
                        "cycles": bay.pack.cycles,
                        "temp_c": bay.pack.temp_c,
                        "fault": bay.pack.fault,
                    },
                }
                for bay in device.bays
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
