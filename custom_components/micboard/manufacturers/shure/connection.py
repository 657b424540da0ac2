"""``DeviceConnection``: keeps one receiver or charger connected forever, its state current.

A connection reads the full state and tells from it what answered. A receiver then gets
metering switched on and every REP and SAMPLE applied as it arrives. A charger has no
metering: every REP it pushes (time to full once a minute while charging) is applied, and
while it is quiet ``GET DEVICE_ID`` proves it alive. Silence longer than the liveness timeout
closes the socket; reconnects back off exponentially (with jitter), forever
(``ReconnectingConnection``). It is the ``EndpointConnection`` that ``ShureBackend``'s fleet
drives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import logging
from typing import Any, override

from ..errors import (
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    MicboardError,
    NotConfirmedError,
    WriteRefusedError,
)
from ..fleet import Backoff, Change, ChangeNotifier, ReconnectingConnection
from ..limits import NameRule
from ..models import Device
from .chargers import HEARTBEAT, apply_charger_messages
from .families import GAIN_OFFSET, NAME_RULE, apply_message
from .options import ClientOptions
from .parser import Message, Rep, RepError, offset_number, on_off, text
from .reading import (
    NO_ANSWER_AFTER_CONNECT,
    ChargerReading,
    Reading,
    build_device,
    read_device,
)
from .session import Session

_LOGGER = logging.getLogger(__name__)

# What to change on the receiver when it accepts connections but answers nothing.
ACCESS_HINT = (
    "connected, but the receiver answers no command: allow third-party control on it "
    "(SLX-D+: Network > Controller Access > Allow)"
)
_NO_FULL_ANSWER = DeviceError(ErrorKind.TIMED_OUT, "no answer to the full read")


# Asked while a receiver is quiet: any reply proves it alive when metering is off or slow.
_RECEIVER_HEARTBEAT = "< GET 1 METER_RATE >"


@dataclass(slots=True)
class _Write:
    """One SET waiting for the device's answer: the REP of its key with the value, or REP ERR.

    ``channels`` are the channel tokens an answer may carry (None: the device scope);
    ``decode`` turns the REP's value into the reported value, ``same`` says whether that is
    what was asked for. A REP of the key with another value may still be an older one (a
    full read's burst sent before the SET, a front-panel change): it is remembered
    (``kept``) and the wait goes on; if the asked value never comes, the device kept that.
    """

    command: str
    key: str
    channels: frozenset[int | None]
    decode: Callable[[str], Any]
    same: Callable[[Any], bool]
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    kept: str | None = None

    @property
    def what(self) -> str:
        """The command as a message says it (``SET 1 AUDIO_MUTE ON``)."""
        return self.command.strip("<> ")

    def answer(self, message: Message) -> bool:
        """Settle on ``message`` if it answers this SET; True if it did."""
        if isinstance(message, RepError):
            self.future.set_exception(WriteRefusedError(f"{self.what}: REP ERR"))
            return True
        if not isinstance(message, Rep) or message.key != self.key:
            return False
        if message.channel not in self.channels:
            return False
        value = self.decode(message.value)
        if not self.same(value):
            self.kept = message.value.strip()
            return False
        self.future.set_result(value)
        return True


class DeviceConnection(ReconnectingConnection):
    """One receiver or charger, kept connected; tells its notifier what each change touched.

    ``notify`` is called synchronously, at most once per read from the socket, with
    ``Change.METERS`` when nothing but meter readings changed and ``Change.STATE``
    otherwise (always ``STATE`` for a charger); never when nothing changed. The reconnect
    loop is ``ReconnectingConnection``'s; closing a receiver switches metering off first.
    """

    def __init__(
        self,
        host: str,
        port: int,
        options: ClientOptions,
        notify: ChangeNotifier,
    ) -> None:
        super().__init__(
            host,
            port,
            notify,
            Backoff(minimum=options.reconnect_min, maximum=options.reconnect_max),
            label="shure",
        )
        self._options = options
        self._reading: Reading | ChargerReading | None = None
        # The live session (identified and online); ``_link`` is the socket of the current
        # attempt, identified or not, for ``_end_session`` to close.
        self._session: Session | None = None
        self._link: Session | None = None
        # Whether closing must switch metering off first (a receiver read in this session).
        self._metering = False
        # The public view, built on demand and kept until something changes.
        self._device: Device | None = None
        self._reply_seen = asyncio.Event()
        self._refresh_lock = asyncio.Lock()
        # One SET at a time: REP ERR names no key, so it answers the one waiting.
        self._write_lock = asyncio.Lock()
        self._write: _Write | None = None

    @override
    def device(self) -> Device:
        """The receiver or charger as it is now; the same object until something changed."""
        if self._device is None:
            self._device = build_device(
                self.host, self.port, self._reading, online=self._online, error=self._error
            )
        return self._device

    async def resync(self) -> DeviceError | None:
        """Re-read the full state now; returns None on success, else why it failed."""
        options = self._options
        budget = options.connect_timeout + 3 * options.request_timeout + options.burst_quiet_time
        try:
            async with self._refresh_lock, asyncio.timeout(budget):
                session, reading = self._session, self._reading
                if not self._online or session is None or reading is None:
                    # Offline: skip the backoff and wait for that attempt instead.
                    return await self._next_attempt()
                # The replies are applied by the live loop, which tells this wait of them.
                self._reply_seen.clear()
                await session.send(reading.full_read())
                async with asyncio.timeout(options.request_timeout):
                    await self._reply_seen.wait()
                while True:
                    self._reply_seen.clear()
                    try:
                        async with asyncio.timeout(options.burst_quiet_time):
                            await self._reply_seen.wait()
                    except TimeoutError:
                        return None
        except TimeoutError:
            return _NO_FULL_ANSWER
        except MicboardError as err:
            return err.error

    @override
    def _changed(self, change: Change) -> None:
        self._device = None
        super()._changed(change)

    # --- writes ------------------------------------------------------------------------------

    async def identify(self, channel: int) -> None:
        """``SET FLASH ON`` (device) or ``SET n FLASH ON`` (channel); REP FLASH ON answers.

        Whether a channel's answer carries its index is not documented: either is taken.
        """
        if channel == 0:
            command, channels = "< SET FLASH ON >", frozenset[int | None]({None})
        else:
            command = f"< SET {channel} FLASH ON >"
            channels = frozenset[int | None]({channel, None})
        await self._send_write(_Write(command, "FLASH", channels, on_off, lambda on: on is True))

    async def set_channel_name(self, channel: int, name: str, rule: NameRule = NAME_RULE) -> str:
        """``SET n CHAN_NAME {name}``; the padded REP, trimmed, must be the name."""
        reported: str = await self._send_write(
            _Write(
                f"< SET {channel} CHAN_NAME {{{name}}} >",
                "CHAN_NAME",
                frozenset({channel}),
                text,
                lambda value: rule.same(name, value),
            )
        )
        return reported

    async def set_audio_mute(self, channel: int, muted: bool) -> bool:
        """``SET n AUDIO_MUTE ON|OFF`` (ULX-D, Axient)."""
        reported: bool = await self._send_write(
            _Write(
                f"< SET {channel} AUDIO_MUTE {'ON' if muted else 'OFF'} >",
                "AUDIO_MUTE",
                frozenset({channel}),
                on_off,
                lambda value: value is muted,
            )
        )
        return reported

    async def set_audio_gain(self, channel: int, gain_db: int) -> int:
        """``SET n AUDIO_GAIN vvv`` with the value dB + 18."""
        reported: int = await self._send_write(
            _Write(
                f"< SET {channel} AUDIO_GAIN {gain_db + GAIN_OFFSET:03d} >",
                "AUDIO_GAIN",
                frozenset({channel}),
                lambda value: offset_number(value, GAIN_OFFSET),
                lambda value: value == gain_db,
            )
        )
        return reported

    async def _send_write(self, write: _Write) -> Any:
        """Send one SET and wait for its answer (one SET in flight per connection)."""
        async with self._write_lock:
            session = self._session
            if not self._online or session is None:
                raise MicboardConnectionError(
                    "offline", kind=ErrorKind.NOT_CONNECTED, host=self._where
                )
            self._write = write
            try:
                await session.send([write.command])
                timeout = self._options.control_timeout
                try:
                    async with asyncio.timeout(timeout):
                        return await write.future
                except TimeoutError:
                    if write.kept is not None:
                        raise WriteRefusedError(
                            f"{write.what}: the device kept {write.kept!r}", host=self._where
                        ) from None
                    raise NotConfirmedError(
                        f"{write.what}: no answer within {timeout:g} s", host=self._where
                    ) from None
            except WriteRefusedError as err:
                # Said where: the answer itself names no device.
                raise WriteRefusedError(err.detail, host=self._where) from None
            finally:
                self._write = None

    def _settle_write(self, messages: list[Message]) -> None:
        """Hand the messages just applied to the SET waiting for its answer, if any."""
        write = self._write
        if write is None or write.future.done():
            return
        for message in messages:
            if write.answer(message):
                return

    @override
    async def _run_session(self) -> None:
        """One session: connect, read, stay live until lost (raises MicboardError)."""
        self._metering = False
        self._link = session = await Session.open(self.host, self.port, self._options)
        known_mac = self._reading.device.mac_address if self._reading else None
        try:
            reading = await read_device(session, known_mac)
        except MicboardConnectionError as err:
            if self._reading is None and err.detail == NO_ANSWER_AFTER_CONNECT:
                # Never identified, and the port accepts but nothing answers: what a
                # receiver with third-party control switched off does (SLX-D+: "the TCP
                # connection opens but every command is silently ignored").
                raise MicboardConnectionError(
                    ACCESS_HINT, kind=ErrorKind.ACCESS_DISABLED, host=err.host
                ) from err
            raise
        # Metering is stopped politely on close: receivers only (chargers have none).
        self._metering = isinstance(reading, Reading)
        if isinstance(reading, Reading) and self._options.meter_rate_ms:
            await session.send([self._options.meter_rate_command()])
        # Taken over only now, together with the status: the public view (and its cache)
        # never shows a reading that did not get online.
        self._reading, self._session = reading, session
        self._went_online()
        if isinstance(reading, ChargerReading):
            charger = reading.device

            def apply_to_charger(messages: list[Message]) -> tuple[Change | None, list[str]]:
                changed, again = apply_charger_messages(charger, messages)
                return (Change.STATE if changed else None), [
                    f"< GET {index} ALL >" for index in again
                ]

            await self._stay_live(
                session,
                apply_to_charger,
                liveness=self._options.charger_liveness_timeout,
                heartbeat=HEARTBEAT,
            )
        else:
            family, device = reading.identity.family, reading.device

            def apply_to_receiver(messages: list[Message]) -> tuple[Change | None, list[str]]:
                # The hot path: a read is mostly SAMPLEs. What the messages touched decides
                # the change kind, so nobody compares receivers to find out.
                change: Change | None = None
                for message in messages:
                    applied = apply_message(family, device, message)
                    if applied is not None and change is not Change.STATE:
                        change = applied
                return change, []

            await self._stay_live(
                session,
                apply_to_receiver,
                liveness=self._options.liveness_timeout,
                heartbeat=_RECEIVER_HEARTBEAT,
                # A metering receiver that went quiet long enough to be asked may have
                # dropped what it would have pushed meanwhile (a transmitter switched off
                # while it hung): when it speaks again, it is read in full.
                reread=reading.full_read
                if self._metering and self._options.meter_rate_ms
                else None,
            )

    @override
    async def _end_session(self) -> None:
        self._session = None
        write = self._write
        if write is not None and not write.future.done():
            write.future.set_exception(
                MicboardConnectionError("connection lost", kind=ErrorKind.CLOSED, host=self._where)
            )
        link, self._link = self._link, None
        if link is not None:
            await link.close(stop_metering=self._metering)

    async def _stay_live(
        self,
        session: Session,
        apply: Callable[[list[Message]], tuple[Change | None, list[str]]],
        *,
        liveness: float,
        heartbeat: str,
        reread: Callable[[], list[str]] | None = None,
    ) -> None:
        """Apply messages as they come until the device falls silent or disconnects.

        ``apply`` takes one read's messages and says what they changed and which commands
        to send in return (a charger's bay to read again). ``reread``: the commands of a
        full read, sent when the device speaks again after a quiet spell it was asked about.
        """
        loop = asyncio.get_running_loop()
        asked = False
        while True:
            silence = loop.time() - session.last_received
            if silence >= liveness:
                raise MicboardConnectionError(
                    f"silent for {liveness:g} s", kind=ErrorKind.SILENT, host=self._where
                )
            if not asked and silence >= liveness / 2:
                # Any reply proves the device is alive when it has nothing to push.
                await session.send([heartbeat])
                asked = True
            wait = (liveness if asked else liveness / 2) - silence
            try:
                messages = await session.read(wait)
            except TimeoutError:
                continue
            if asked and reread is not None:
                await session.send(reread())
            asked = False
            change, commands = apply(messages)
            if any(isinstance(message, Rep | RepError) for message in messages):
                self._reply_seen.set()
            if change is not None:
                self._changed(change)
            # After the change is told: its publish is queued before the writer wakes.
            self._settle_write(messages)
            if commands:
                await session.send(commands)
