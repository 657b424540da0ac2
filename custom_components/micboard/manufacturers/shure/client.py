"""One persistent TCP connection per receiver, and the one-shot probe.

A connection reads the full state (``GET 0 ALL``, or ``GET n ALL`` per channel on SLX-D+),
tells the family from what the receiver reports, switches metering on, then applies every
REP and SAMPLE as it arrives. Silence longer than the liveness timeout closes the socket;
reconnects back off exponentially (with jitter), forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import contextlib
from dataclasses import dataclass
import logging
import random

from ..errors import (
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    MicboardError,
    UnsupportedDeviceError,
)
from ..models import Capability, Receiver
from .families import FAMILIES, Identity, apply_message, identify
from .framing import MessageSplitter
from .parser import Message, Rep, RepError, Unknown, parse_message
from .state import DeviceState

_LOGGER = logging.getLogger(__name__)

MANUFACTURER = "shure"
DEFAULT_PORT = 2202
_READ_SIZE = 65536
# Device-scoped keys asked for one by one where GET 0 ALL is refused (SLX-D+).
_PER_CHANNEL_DEVICE_KEYS = ("MODEL", "DEVICE_ID", "FW_VER", "RF_BAND")
# Every channel key some supported family reports.
_SHURE_KEYS = frozenset(key for family in FAMILIES for key in family.channel_rules)
_METER_RATE_MIN_MS = 100
_METER_RATE_MAX_MS = 65535
_ALL = frozenset({Capability.RF_LEVEL, Capability.AUDIO_LEVEL})
_CAPS = {
    "ulxd": _ALL
    | {
        Capability.TX_MUTE,
        Capability.POWER_LOCK,
        Capability.TX_OFFSET,
        Capability.ANTENNA,
        Capability.WEB_UI,
    },
    "qlxd": _ALL | {Capability.POWER_LOCK, Capability.TX_OFFSET, Capability.ANTENNA},
    "slxd": _ALL,
    "slxdplus": _ALL | {Capability.ANTENNA, Capability.WEB_UI},
    "axient": _ALL
    | {
        Capability.TX_MUTE,
        Capability.POWER_LOCK,
        Capability.TX_OFFSET,
        Capability.ANTENNA,
        Capability.QUALITY,
        Capability.WEB_UI,
    },
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientOptions:
    """Timing of one receiver connection (seconds unless the name says otherwise)."""

    # SAMPLE interval asked of the receiver; 0 leaves metering off.
    meter_rate_ms: int = 1000
    # A receiver that sends nothing for this long is offline; it is asked for METER_RATE
    # half-way through the silence, so a healthy receiver always has a reason to speak.
    # Below 5 s so that, counted from when the receiver fell silent (up to one meter
    # interval after its last word) plus the time to act on it, "offline" lands within 5 s.
    liveness_timeout: float = 4.5
    connect_timeout: float = 3.0
    # Longest wait for the first reply to a command.
    request_timeout: float = 2.0
    # A GET ALL burst has no terminator: it is over after this long without a REP.
    burst_quiet_time: float = 0.1
    reconnect_min: float = 1.0
    reconnect_max: float = 30.0

    def meter_rate_command(self, rate_ms: int | None = None) -> str:
        """``< SET 0 METER_RATE nnnnn >`` with the rate clamped to what receivers accept."""
        rate = self.meter_rate_ms if rate_ms is None else rate_ms
        if rate:
            rate = min(max(rate, _METER_RATE_MIN_MS), _METER_RATE_MAX_MS)
        return f"< SET 0 METER_RATE {rate:05d} >"


def full_read_commands(identity: Identity | None) -> list[str]:
    """Commands that make a receiver report its whole state."""
    if identity is None or not identity.family.per_channel_get_all:
        return ["< GET 0 ALL >"]
    commands = [f"< GET {key} >" for key in _PER_CHANNEL_DEVICE_KEYS]
    for index in range(1, identity.channel_count + 1):
        # An SLX-D+ channel without a transmitter leaves its name out of GET n ALL.
        commands += [f"< GET {index} ALL >", f"< GET {index} CHAN_NAME >"]
        commands.append(f"< GET {index} FREQUENCY >")
    return commands


class Session:
    """One open TCP connection to a receiver: write commands, read parsed messages."""

    def __init__(
        self,
        host: str,
        port: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        options: ClientOptions,
    ) -> None:
        self.host = host
        self.port = port
        self._reader = reader
        self._writer = writer
        self._options = options
        self._splitter = MessageSplitter()
        self.last_received = asyncio.get_running_loop().time()

    @classmethod
    async def open(cls, host: str, port: int, options: ClientOptions) -> Session:
        """Connect, or raise MicboardConnectionError."""
        try:
            async with asyncio.timeout(options.connect_timeout):
                reader, writer = await asyncio.open_connection(host, port)
        except TimeoutError as err:
            raise MicboardConnectionError(f"{host}:{port}: connection timed out") from err
        except OSError as err:
            reason = err.strerror or str(err) or type(err).__name__
            raise MicboardConnectionError(f"{host}:{port}: {reason}") from err
        return cls(host, port, reader, writer, options)

    async def send(self, commands: Sequence[str]) -> None:
        """Write commands (no line endings: receivers send none either)."""
        _LOGGER.debug("%s:%s <- %s", self.host, self.port, " ".join(commands))
        try:
            self._writer.write("".join(commands).encode("ascii"))
            async with asyncio.timeout(self._options.request_timeout):
                await self._writer.drain()
        except (OSError, TimeoutError) as err:
            raise MicboardConnectionError(f"{self.host}:{self.port}: write failed") from err

    async def read(self, wait: float) -> list[Message]:
        """Messages completed by the next read; TimeoutError when nothing came in ``wait`` s."""
        try:
            async with asyncio.timeout(wait):
                data = await self._reader.read(_READ_SIZE)
        except TimeoutError:
            raise  # an OSError too, but it means "nothing yet", not a broken connection
        except OSError as err:
            raise MicboardConnectionError(f"{self.host}:{self.port}: {err}") from err
        if not data:
            raise MicboardConnectionError(f"{self.host}:{self.port}: connection closed")
        self.last_received = asyncio.get_running_loop().time()
        return [self._parse(text) for text in self._splitter.feed(data)]

    def _parse(self, text: str) -> Message:
        message = parse_message(text)
        if isinstance(message, Unknown):
            _LOGGER.debug("%s:%s sent an unknown message: %r", self.host, self.port, text)
        return message

    async def exchange(self, commands: Sequence[str]) -> list[Message]:
        """Send commands and collect what comes back until REP lines pause.

        Returns an empty list when nothing at all answered within the request timeout.
        """
        loop = asyncio.get_running_loop()
        await self.send(commands)
        messages: list[Message] = []
        deadline = loop.time() + self._options.request_timeout
        while (remaining := deadline - loop.time()) > 0:
            try:
                batch = await self.read(remaining)
            except TimeoutError:
                break
            messages += batch
            if any(isinstance(message, Rep | RepError) for message in batch):
                deadline = loop.time() + self._options.burst_quiet_time
        return messages

    async def close(self, *, stop_metering: bool) -> None:
        """Close; stop metering first, as QLX-D firmware can lock up otherwise (sheet §1.6)."""
        with contextlib.suppress(MicboardConnectionError):
            if stop_metering and not self._writer.is_closing():
                await self.send([self._options.meter_rate_command(0)])
        self._writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(self._options.request_timeout):
                await self._writer.wait_closed()


@dataclass(slots=True)
class _Reading:
    """A receiver's state as read in one session."""

    identity: Identity
    device: DeviceState


def _identify(host: str, port: int, messages: Sequence[Message]) -> Identity:
    model: str | None = None
    device_keys = 0
    channel_keys: set[str] = set()
    channel_indexes: set[int] = set()
    for message in messages:
        if not isinstance(message, Rep):
            continue
        if message.channel is None:
            device_keys += 1
            if message.key == "MODEL":
                model = message.value.strip() or None
        elif message.channel > 0:
            channel_keys.add(message.key)
            channel_indexes.add(message.channel)
    identity = identify(model, channel_keys, channel_indexes)
    if identity is None and not device_keys and channel_keys and channel_keys <= _SHURE_KEYS:
        # Only values a receiver pushes on its own (say a battery tick) came back before the
        # full read did: the receiver is busy or slow, not something else. Try again later.
        raise MicboardConnectionError(f"{host}:{port}: no full answer yet")
    if identity is None:
        what = f"model {model!r}" if model else "no recognisable model or keys"
        raise UnsupportedDeviceError(f"{host}:{port} is not a supported Shure receiver ({what})")
    return identity


async def read_receiver(session: Session, known_mac: str | None = None) -> _Reading:
    """Read and identify a receiver's full state over a fresh session.

    Raises MicboardConnectionError when it does not answer, UnsupportedDeviceError when what
    answers is not a supported Shure receiver.
    """
    # MODEL is asked for explicitly: SLX-D+ refuses GET 0 ALL but answers GET MODEL.
    messages = await session.exchange(["< GET 0 ALL >", "< GET MODEL >"])
    if not messages:
        raise MicboardConnectionError(f"{session.host}:{session.port}: no answer")
    identity = _identify(session.host, session.port, messages)
    if identity.family.per_channel_get_all and not any(
        isinstance(message, Rep) and message.channel for message in messages
    ):
        messages += await session.exchange(full_read_commands(identity))
        identity = _identify(session.host, session.port, messages)
    device = DeviceState()
    device.ensure_channels(identity.channel_count)
    for message in messages:
        apply_message(identity.family, device, message)
    if device.mac_address is None and identity.family.reports_net_settings:
        for message in await session.exchange(["< GET NET_SETTINGS SC >"]):
            apply_message(identity.family, device, message)
    if device.mac_address is None:
        device.mac_address = known_mac
    if device.model is None:
        device.model = identity.model
    return _Reading(identity, device)


def build_receiver(
    host: str,
    port: int,
    reading: _Reading | None,
    *,
    online: bool,
    error: DeviceError | None,
) -> Receiver:
    """The public, frozen view of a receiver."""
    if reading is None:
        return Receiver(
            manufacturer=MANUFACTURER,
            api_device_id=f"{host}:{port}",
            host=host,
            port=port,
            online=online,
            error=error,
        )
    device = reading.device
    return Receiver(
        manufacturer=MANUFACTURER,
        api_device_id=device.mac_address or f"{host}:{port}",
        host=host,
        port=port,
        online=online,
        identified=True,
        capabilities=_CAPS[reading.identity.family.code],
        model=device.model,
        family=reading.identity.family.code,
        firmware=device.firmware,
        name=device.name,
        rf_band=device.rf_band,
        mac_address=device.mac_address,
        channels=device.built_channels(),
        error=error,
    )


async def probe(
    host: str,
    port: int = DEFAULT_PORT,
    timeout: float = 5.0,  # noqa: ASYNC109 - one budget for connect, read and close
) -> Receiver:
    """Connect once, read and identify the receiver, close politely.

    Raises MicboardConnectionError if unreachable or silent, UnsupportedDeviceError if what
    answers is not a supported Shure receiver.
    """
    options = ClientOptions(connect_timeout=timeout, request_timeout=min(timeout, 2.0))
    reading: _Reading | None = None
    try:
        async with asyncio.timeout(timeout):
            session = await Session.open(host, port, options)
            try:
                reading = await read_receiver(session)
            finally:
                # SLX-D+ starts metering on its own when asked GET 0 ALL.
                await session.close(stop_metering=reading is not None)
    except TimeoutError as err:
        raise MicboardConnectionError(f"{host}:{port}: no answer within {timeout} s") from err
    return build_receiver(host, port, reading, online=True, error=None)


class ReceiverConnection:
    """Keeps one receiver connected forever and its state current.

    ``on_change`` is called (synchronously) whenever the receiver's public state may have
    changed; build the new view with ``receiver()``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        options: ClientOptions,
        on_change: Callable[[ReceiverConnection], None],
    ) -> None:
        self.host = host
        self.port = port
        self._options = options
        self._on_change = on_change
        self._reading: _Reading | None = None
        self._session: Session | None = None
        self._online = False
        self._error: DeviceError | None = DeviceError(ErrorKind.NOT_CONNECTED, "not connected yet")
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
        """The receiver as it is now."""
        return build_receiver(
            self.host, self.port, self._reading, online=self._online, error=self._error
        )

    async def start(self) -> None:
        """Start connecting; returns once the first attempt has finished either way."""
        first_attempt = self._attempt_finished()
        self._task = asyncio.create_task(self._run(), name=f"shure {self.host}:{self.port}")
        await first_attempt

    async def stop(self) -> None:
        """Close the connection (metering off first) and end the task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def resync(self) -> str | None:
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
                    return str(self._error) if self._error else None
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
            return "no answer to the full read"
        except MicboardError as err:
            return str(err)

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
                _LOGGER.debug("%s:%s: reconnecting in %.1f s", self.host, self.port, pause)
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
            self._reading = await read_receiver(session, known_mac)
            identified = True
            self._unsupported_logged = False
            if self._options.meter_rate_ms:
                await session.send([self._options.meter_rate_command()])
            self._session = session
            self._set_status(online=True, error=None)
            self._finish_attempt()
            await self._stay_live(session, self._reading)
        except UnsupportedDeviceError as err:
            if not self._unsupported_logged:
                _LOGGER.warning("%s", err)
                self._unsupported_logged = True
            self._set_status(online=False, error=DeviceError(ErrorKind.UNSUPPORTED, str(err)))
        except MicboardConnectionError as err:
            _LOGGER.debug("%s", err)
            reason = str(err).removeprefix(f"{self.host}:{self.port}: ")
            self._set_status(online=False, error=DeviceError(ErrorKind.UNREACHABLE, reason))
        finally:
            self._session = None
            self._finish_attempt()
            if session is not None:
                await session.close(stop_metering=identified)
        return identified

    async def _stay_live(self, session: Session, reading: _Reading) -> None:
        """Apply messages as they come until the receiver falls silent or disconnects."""
        liveness = self._options.liveness_timeout
        loop = asyncio.get_running_loop()
        asked = False
        while True:
            silence = loop.time() - session.last_received
            if silence >= liveness:
                raise MicboardConnectionError(f"{self.host}:{self.port}: silent for {liveness:g} s")
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
            changed = False
            for message in messages:
                if isinstance(message, Rep | RepError):
                    self._reply_seen.set()
                changed |= apply_message(reading.identity.family, reading.device, message)
            if changed:
                self._on_change(self)

    def _set_status(self, *, online: bool, error: DeviceError | None) -> None:
        self._online = online
        self._error = error
        self._on_change(self)
