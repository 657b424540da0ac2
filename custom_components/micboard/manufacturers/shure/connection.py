"""``ReceiverConnection``: keeps one receiver connected forever and its state current.

A connection reads the full state, switches metering on, then applies every REP and SAMPLE
as it arrives. Silence longer than the liveness timeout closes the socket; reconnects back
off exponentially (with jitter), forever (``ReconnectingConnection``). It is the
``EndpointConnection`` that ``ShureBackend``'s fleet drives.
"""

from __future__ import annotations

import asyncio
import logging

from ..errors import DeviceError, ErrorKind, MicboardConnectionError, MicboardError
from ..fleet import Backoff, Change, ChangeNotifier, ReconnectingConnection
from ..models import Receiver
from .families import apply_message
from .options import ClientOptions
from .parser import Rep, RepError
from .reading import (
    NO_ANSWER_AFTER_CONNECT,
    Reading,
    build_receiver,
    full_read_commands,
    read_receiver,
)
from .session import Session

_LOGGER = logging.getLogger(__name__)

# What to change on the receiver when it accepts connections but answers nothing.
ACCESS_HINT = (
    "connected, but the receiver answers no command: allow third-party control on it "
    "(SLX-D+: Network > Controller Access > Allow)"
)
_NO_FULL_ANSWER = DeviceError(ErrorKind.TIMED_OUT, "no answer to the full read")


class ReceiverConnection(ReconnectingConnection):
    """One receiver, kept connected; tells its notifier what each change touched.

    ``notify`` is called synchronously, at most once per read from the socket, with
    ``Change.METERS`` when nothing but meter readings changed and ``Change.STATE``
    otherwise; never when nothing changed. The reconnect loop is ``ReconnectingConnection``'s;
    closing switches metering off first.
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
        self._reading: Reading | None = None
        # The live session (identified and online); ``_link`` is the socket of the current
        # attempt, identified or not, for ``_end_session`` to close.
        self._session: Session | None = None
        self._link: Session | None = None
        self._identified = False
        # The public view, built on demand and kept until something changes.
        self._receiver: Receiver | None = None
        self._reply_seen = asyncio.Event()
        self._refresh_lock = asyncio.Lock()

    def receiver(self) -> Receiver:
        """The receiver as it is now; the same object until something changed."""
        if self._receiver is None:
            self._receiver = build_receiver(
                self.host, self.port, self._reading, online=self._online, error=self._error
            )
        return self._receiver

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
                await session.send(full_read_commands(reading.identity))
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

    def _changed(self, change: Change) -> None:
        self._receiver = None
        super()._changed(change)

    async def _run_session(self) -> None:
        """One session: connect, read, stay live until lost (raises MicboardError)."""
        self._identified = False
        self._link = session = await Session.open(self.host, self.port, self._options)
        known_mac = self._reading.device.mac_address if self._reading else None
        try:
            reading = await read_receiver(session, known_mac)
        except MicboardConnectionError as err:
            if self._reading is None and err.detail == NO_ANSWER_AFTER_CONNECT:
                # Never identified, and the port accepts but nothing answers: what a
                # receiver with third-party control switched off does (SLX-D+: "the TCP
                # connection opens but every command is silently ignored").
                raise MicboardConnectionError(
                    ACCESS_HINT, kind=ErrorKind.ACCESS_DISABLED, host=err.host
                ) from err
            raise
        self._identified = True
        if self._options.meter_rate_ms:
            await session.send([self._options.meter_rate_command()])
        # Taken over only now, together with the status: the public view (and its cache)
        # never shows a reading that did not get online.
        self._reading, self._session = reading, session
        self._went_online()
        await self._stay_live(session, reading)

    async def _end_session(self) -> None:
        self._session = None
        link, self._link = self._link, None
        if link is not None:
            await link.close(stop_metering=self._identified)

    async def _stay_live(self, session: Session, reading: Reading) -> None:
        """Apply messages as they come until the receiver falls silent or disconnects."""
        liveness = self._options.liveness_timeout
        family, device = reading.identity.family, reading.device
        loop = asyncio.get_running_loop()
        asked = False
        while True:
            silence = loop.time() - session.last_received
            if silence >= liveness:
                raise MicboardConnectionError(
                    f"silent for {liveness:g} s", kind=ErrorKind.SILENT, host=self._where
                )
            if not asked and silence >= liveness / 2:
                # Any reply proves the receiver is alive when metering is off or slow.
                await session.send(["< GET 1 METER_RATE >"])
                asked = True
            wait = (liveness if asked else liveness / 2) - silence
            try:
                messages = await session.read(wait)
            except TimeoutError:
                continue
            asked = False
            # The hot path: a read is mostly SAMPLEs. What the messages touched decides
            # the change kind, so nobody compares receivers to find out.
            change: Change | None = None
            for message in messages:
                applied = apply_message(family, device, message)
                if applied is not None and change is not Change.STATE:
                    change = applied
                if isinstance(message, Rep | RepError):
                    self._reply_seen.set()
            if change is not None:
                self._changed(change)
