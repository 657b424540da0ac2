"""``ReceiverConnection``: keeps one receiver connected forever and its state current.

A connection reads the full state, switches metering on, then applies every REP and SAMPLE
as it arrives. Silence longer than the liveness timeout closes the socket; reconnects back
off exponentially (with jitter), forever. It is the ``EndpointConnection`` that
``ShureBackend``'s fleet drives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from ..errors import (
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    MicboardError,
    UnsupportedDeviceError,
)
from ..fleet import NOT_CONNECTED, Change, ChangeNotifier
from ..models import Receiver
from .families import apply_message
from .options import ClientOptions
from .parser import Rep, RepError
from .reading import Reading, build_receiver, full_read_commands, read_receiver
from .session import Session

_LOGGER = logging.getLogger(__name__)

_NO_FULL_ANSWER = DeviceError(ErrorKind.TIMED_OUT, "no answer to the full read")


class ReceiverConnection:
    """One receiver, kept connected; tells its notifier what each change touched.

    ``notify`` is called synchronously, at most once per read from the socket, with
    ``Change.METERS`` when nothing but meter readings changed and ``Change.STATE``
    otherwise; never when nothing changed.
    """

    def __init__(
        self,
        host: str,
        port: int,
        options: ClientOptions,
        notify: ChangeNotifier,
    ) -> None:
        self.host = host
        self.port = port
        self._where = f"{host}:{port}"
        self._options = options
        self._notify = notify
        self._reading: Reading | None = None
        self._session: Session | None = None
        self._online = False
        self._error: DeviceError | None = NOT_CONNECTED
        # The public view, built on demand and kept until something changes.
        self._receiver: Receiver | None = None
        self._unsupported_logged = False
        self.reconnects = 0
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._attempt_waiters: list[asyncio.Future[None]] = []
        self._reply_seen = asyncio.Event()
        self._refresh_lock = asyncio.Lock()

    @property
    def online(self) -> bool:
        """True while connected and identified."""
        return self._online

    @property
    def last_error(self) -> DeviceError | None:
        """Why the receiver is not online (None while it is)."""
        return self._error

    def receiver(self) -> Receiver:
        """The receiver as it is now; the same object until something changed."""
        if self._receiver is None:
            self._receiver = build_receiver(
                self.host, self.port, self._reading, online=self._online, error=self._error
            )
        return self._receiver

    async def start(self) -> None:
        """Start connecting; returns once the first attempt has finished either way."""
        first_attempt = self._attempt_finished()
        self._task = asyncio.create_task(self._run(), name=f"shure {self._where}")
        await first_attempt

    async def stop(self) -> None:
        """Close the connection (metering off first) and end the task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def resync(self) -> DeviceError | None:
        """Re-read the full state now; returns None on success, else why it failed."""
        options = self._options
        budget = options.connect_timeout + 3 * options.request_timeout + options.burst_quiet_time
        try:
            async with self._refresh_lock, asyncio.timeout(budget):
                session, reading = self._session, self._reading
                if not self._online or session is None or reading is None:
                    # Offline: skip the backoff and wait for that attempt instead.
                    attempt = self._attempt_finished()
                    self._wake.set()
                    await attempt
                    return self._error
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

    def _attempt_finished(self) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().create_future()
        self._attempt_waiters.append(future)
        return future

    def _finish_attempt(self) -> None:
        waiters, self._attempt_waiters = self._attempt_waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)

    async def _run(self) -> None:
        delay = self._options.reconnect_min
        try:
            while True:
                if await self._connect_once():
                    delay = self._options.reconnect_min
                self.reconnects += 1
                # Full jitter around the delay keeps 100 receivers from reconnecting in step.
                pause = delay * random.uniform(0.5, 1.0)
                _LOGGER.debug("%s: reconnecting in %.1f s", self._where, pause)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._wake.wait()
                delay = min(delay * 2, self._options.reconnect_max)
        finally:
            self._finish_attempt()

    async def _connect_once(self) -> bool:
        """One session: connect, read, stay live until lost. True if it got online."""
        session: Session | None = None
        identified = False
        try:
            session = await Session.open(self.host, self.port, self._options)
            known_mac = self._reading.device.mac_address if self._reading else None
            reading = await read_receiver(session, known_mac)
            identified = True
            self._unsupported_logged = False
            if self._options.meter_rate_ms:
                await session.send([self._options.meter_rate_command()])
            # Taken over only now, together with the status: the public view (and its cache)
            # never shows a reading that did not get online.
            self._reading, self._session = reading, session
            self._set_status(online=True, error=None, force=True)
            self._finish_attempt()
            await self._stay_live(session, reading)
        except UnsupportedDeviceError as err:
            if not self._unsupported_logged:
                _LOGGER.warning("%s", err)
                self._unsupported_logged = True
            self._set_status(online=False, error=err.error)
        except MicboardConnectionError as err:
            _LOGGER.debug("%s", err)
            self._set_status(online=False, error=err.error)
        finally:
            self._session = None
            self._finish_attempt()
            if session is not None:
                await session.close(stop_metering=identified)
        return identified

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
                self._receiver = None
                self._notify(change)

    def _set_status(self, *, online: bool, error: DeviceError | None, force: bool = False) -> None:
        """Record the connection state; tell the fleet only if the public view changed.

        ``force`` after a fresh read: the state itself may differ even when online and
        error do not.
        """
        if not force and online == self._online and error == self._error:
            return
        self._online = online
        self._error = error
        self._receiver = None
        self._notify(Change.STATE)
