"""Simulated Shure devices on TCP: the command-string server, and a receiver in its dialect.

``ShureTcpServer`` is the wire every Shure device shares (framing, connections, faults,
pushed REPs); ``SimulatedReceiver`` answers as a receiver family does, ``SimulatedCharger``
(``charger.py``) as a networked charger does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
import contextlib
from dataclasses import dataclass, field
import logging
import random
import re

from ..frontend import DEFAULT_GARBAGE, LOOPBACK, FrontEnd
from ..rig import ChannelState, ReceiverState, TransitionLog
from .dialects import DIALECTS, Dialect, Meter, Prop, resting_meter

_LOGGER = logging.getLogger(__name__)

# What the garbage switch writes between messages (no '<' or '>': framing survives it).
_INTERLEAVED_JUNK = "\x00\xff junk "
# A command runs from '<' to the next '>' outside braces; names may contain '<' and '>'.
_COMMAND = re.compile(r"<((?:[^>{]|\{[^}]*\})*)>")
_TOKEN = re.compile(r"\{[^}]*\}?|\S+")
# Characters Shure allows in names: letters, digits, space and this punctuation.
_NAME = re.compile(r"^[A-Za-z0-9 !\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`~]+$")
_NAME_MAX = 8
_METER_MIN_MS = 100
_METER_MAX_MS = 65535
_MAX_PENDING = 4096
_GAIN_MIN_DB = -18
_GAIN_MAX_DB = 42
# Identify (sheet §1.7): the device sends REP FLASH OFF by itself after about 30 s (a
# channel after about 60 s, as Companion's tooltips say).
FLASH_DEVICE_SECONDS = 30.0
FLASH_CHANNEL_SECONDS = 60.0
# Families that take FLASH: every one but QLX-D (sheet §1.7); with a channel index it
# identifies the channel (ULX-D current document, SLX-D, Axient).
_FLASH_FAMILIES = frozenset({"ulxd", "slxd", "slxdplus", "axient"})
_RECEIVED_LOG = 1000
_FREQUENCY_DIGITS = 6
# The split fault: largest piece (bytes) and the pause before each piece is written (s).
_SPLIT_MAX = 16
_SPLIT_GAP_S = 0.0005


class CommandError(Exception):
    """The command is malformed or not supported: answered with REP ERR."""


@dataclass(eq=False)
class _Client:
    """One connected controller and its own metering schedule."""

    writer: asyncio.StreamWriter
    meter_rate_ms: dict[int, int]
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    # The split fault: pieces still to be written one by one, oldest first.
    pieces: deque[bytes] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None

    def send(
        self, lines: Iterable[str], junk: str = "", split: random.Random | None = None
    ) -> None:
        """Write ``lines``; with ``split``, in pieces of 1-16 bytes written one at a time."""
        payload = "".join(line + junk for line in lines)
        if not payload or self.writer.is_closing():
            return
        data = payload.encode("ascii", errors="replace")
        if split is None and not self.pieces:
            self.writer.write(data)
            return
        if split is None:
            # Behind pieces still in flight, so that nothing overtakes them.
            self.pieces.append(data)
        else:
            at = 0
            while at < len(data):
                size = split.randint(1, _SPLIT_MAX)
                self.pieces.append(data[at : at + size])
                at += size
        if self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(_SPLIT_GAP_S, self._write_piece)

    def _write_piece(self) -> None:
        self.timer = None
        if self.writer.is_closing():
            self.pieces.clear()
            return
        self.writer.write(self.pieces.popleft())
        if self.pieces:
            self.timer = asyncio.get_running_loop().call_later(_SPLIT_GAP_S, self._write_piece)


class ShureTcpServer(FrontEnd):
    """A Shure device on TCP 127.0.0.1: commands in, REPs out, every change pushed.

    Subclasses answer commands (``_answer``) and list what they report (``_pushable``);
    what changed is pushed to every connection by comparing those lists.
    """

    def __init__(
        self,
        state: ReceiverState,
        *,
        rng: random.Random,
        noise: bool,
        meter_jitter: float,
        log: TransitionLog | None = None,
    ) -> None:
        super().__init__(state, rng=rng, noise=noise, meter_jitter=meter_jitter, log=log)
        self._server: asyncio.Server | None = None
        self._clients: set[_Client] = set()
        # Every command received, newest last (for tests).
        self.received: deque[str] = deque(maxlen=_RECEIVED_LOG)

    # --- lifetime -------------------------------------------------------------------------

    @property
    def _silent(self) -> bool:
        return self.device.faults.silent

    @property
    def connection_count(self) -> int:
        """Controllers connected right now."""
        return len(self._clients)

    async def listen(self, port: int) -> None:
        """Start listening on 127.0.0.1 (port 0 picks a free one)."""
        self._server = await asyncio.start_server(self._serve, LOOPBACK, port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        server = self._server
        await super().close()
        if server is not None:
            await server.wait_closed()

    async def _stop_listening(self) -> None:
        if self._server is not None:
            # close() stops listening at once; wait_closed() would wait for open connections.
            self._server.close()
            self._server = None

    async def drop_connections(self) -> None:
        """Close every open connection abruptly, as a power cut or cable pull would."""
        clients = list(self._clients)
        for client in clients:
            client.writer.transport.abort()
        for client in clients:
            if client.task is not None:
                client.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await client.task
        self._clients.difference_update(clients)

    def _resumed(self) -> None:
        for client in self._clients:
            client.wake.set()

    async def send_garbage(self, data: bytes = DEFAULT_GARBAGE) -> None:
        """Write raw bytes to every connection."""
        for client in self._clients:
            client.writer.write(data)
            with contextlib.suppress(ConnectionError):
                await client.writer.drain()

    # --- state changes, pushed as REP to every connection ------------------------------------

    def _snapshot(self) -> object:
        return set(self._pushable())

    def _publish(self, before: object) -> bool:
        assert isinstance(before, set)
        lines = [
            self._rep(scope, prop)
            for scope, prop in self._pushable()
            if (scope, prop) not in before and self._pushes(prop)
        ]
        if lines and not self._silent:
            for client in self._clients:
                self._send(client, lines)
        return bool(lines)

    def _send(self, client: _Client, lines: list[str]) -> None:
        # The garbage switch puts junk between messages; it holds no '<' or '>', so a client
        # that frames correctly loses nothing.
        faults = self.device.faults
        client.send(
            lines,
            _INTERLEAVED_JUNK if faults.garbage else "",
            self._rng if faults.split else None,
        )

    def _pushable(self) -> list[tuple[int | None, Prop]]:
        """Every (index, property) the device reports and pushes when it changes."""
        raise NotImplementedError

    def _answer(self, client: _Client, tokens: list[str]) -> list[str]:
        """The reply lines to one command's tokens; CommandError for REP ERR."""
        raise NotImplementedError

    def _pushes(self, prop: Prop) -> bool:
        """Whether a change of this property is pushed (every one, unless overridden)."""
        return True

    def _connected(self, client: _Client) -> asyncio.Task[None] | None:
        """A controller connected: start what runs beside it (metering), if anything."""
        return None

    # --- protocol ---------------------------------------------------------------------------

    @staticmethod
    def _rep(channel: int | None, prop: Prop) -> str:
        key, index, value = prop
        parts = ["<", "REP"]
        if channel is not None:
            parts.append(str(channel))
        parts.append(key)
        if index is not None:
            parts.append(str(index))
        parts += [value, ">"]
        return " ".join(parts)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        rates = dict.fromkeys(range(1, self.state.info.channels + 1), 0)
        client = _Client(writer, rates)
        client.task = asyncio.current_task()
        self._clients.add(client)
        beside = self._connected(client)
        pending = ""
        try:
            while data := await reader.read(4096):
                pending += data.decode("ascii", errors="replace")
                last = 0
                for match in _COMMAND.finditer(pending):
                    last = match.end()
                    self._handle(client, match.group(1))
                pending = pending[last:][-_MAX_PENDING:]
        except ConnectionError:
            pass
        finally:
            if beside is not None:
                beside.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beside
            self._clients.discard(client)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _handle(self, client: _Client, command: str) -> None:
        self.received.append(f"<{command}>")
        if self._silent:
            return
        try:
            self._send(client, self._answer(client, _TOKEN.findall(command)))
        except CommandError, KeyError, ValueError:
            self._send(client, ["< REP ERR >"])


class SimulatedReceiver(ShureTcpServer):
    """A Shure receiver the tests and the CLI can drive; every change is pushed as REP."""

    def __init__(
        self,
        state: ReceiverState,
        *,
        rng: random.Random,
        noise: bool,
        meter_jitter: float,
        log: TransitionLog | None = None,
    ) -> None:
        super().__init__(state, rng=rng, noise=noise, meter_jitter=meter_jitter, log=log)
        self.dialect: Dialect = DIALECTS[state.info.family]
        self.flash_seconds = (FLASH_DEVICE_SECONDS, FLASH_CHANNEL_SECONDS)
        # Pending REP FLASH OFF by channel (0: the device).
        self._flash_off: dict[int, asyncio.TimerHandle] = {}

    async def close(self) -> None:
        """Stop listening, drop every connection, forget pending FLASH OFFs."""
        for handle in self._flash_off.values():
            handle.cancel()
        self._flash_off.clear()
        await super().close()

    def _connected(self, client: _Client) -> asyncio.Task[None] | None:
        return asyncio.create_task(self._meter(client))

    def _pushable(self) -> list[tuple[int | None, Prop]]:
        dialect = self.dialect
        values: list[tuple[int | None, Prop]] = [
            (None, prop) for prop in dialect.device_props(self.state)
        ]
        for ch in self.state.channels:
            values += [
                (ch.index, prop)
                for prop in dialect.channel_props(self.state, ch)
                if prop[0] not in dialect.metered
            ]
        return values

    # --- protocol ---------------------------------------------------------------------------

    def _answer(self, client: _Client, tokens: list[str]) -> list[str]:
        if len(tokens) < 2 or tokens[0] not in {"GET", "SET"}:
            raise CommandError
        verb, rest = tokens[0], tokens[1:]
        channel: int | None = None
        if rest[0].isdigit():
            channel = int(rest[0])
            rest = rest[1:]
            if channel > self.state.info.channels or not rest:
                raise CommandError
        if verb == "GET":
            return self._get(client, channel, rest)
        return self._set(client, channel, rest)

    def _channels(self, channel: int) -> list[ChannelState]:
        return self.state.channels if channel == 0 else [self.state.channel(channel)]

    def _get(self, client: _Client, channel: int | None, rest: list[str]) -> list[str]:
        key = rest[0]
        dialect = self.dialect
        if channel is None:
            if key == "NET_SETTINGS" and dialect.net_settings and rest[1:] in (["SC"], []):
                mac = self.state.mac.upper()
                return [f"< REP NET_SETTINGS SC MANUAL {LOOPBACK} 255.0.0.0 0.0.0.0 {mac} >"]
            props = [p for p in dialect.device_props(self.state) if p[0] == key]
            if not props or len(rest) > 1:
                raise CommandError
            return [self._rep(None, prop) for prop in props]
        if key == "ALL" and len(rest) == 1:
            return self._get_all(client, channel)
        lines: list[str] = []
        for ch in self._channels(channel):
            if key == "METER_RATE":
                lines.append(self._rep(ch.index, ("METER_RATE", None, self._rate(client, ch))))
                continue
            wanted = int(rest[1]) if len(rest) > 1 else None
            lines += [
                self._rep(ch.index, prop)
                for prop in dialect.channel_props(self.state, ch)
                if prop[0] == key and wanted in (None, prop[1])
            ]
        if not lines:
            raise CommandError
        return lines

    def _get_all(self, client: _Client, channel: int) -> list[str]:
        dialect = self.dialect
        if channel == 0 and dialect.refuses_get_all_zero:
            # SLX-D+ refuses, yet switches metering on (sheet §4.5).
            for index, rate in client.meter_rate_ms.items():
                client.meter_rate_ms[index] = rate or 1000
            client.wake.set()
            return ["< REP ERR >"]
        lines = [self._rep(None, prop) for prop in dialect.device_props(self.state)]
        for ch in self._channels(channel):
            props = dialect.get_all_props(self.state, ch)
            if props and props[0][0] == "CHAN_NAME":
                props.insert(1, ("METER_RATE", None, self._rate(client, ch)))
                lines += [self._rep(ch.index, prop) for prop in props]
            else:
                # The SLX-D+ empty-channel reply carries no device properties either.
                lines = [self._rep(ch.index, prop) for prop in props]
        return lines

    @staticmethod
    def _rate(client: _Client, ch: ChannelState) -> str:
        return f"{client.meter_rate_ms[ch.index]:05d}"

    def _set(self, client: _Client, channel: int | None, rest: list[str]) -> list[str]:
        key, args = rest[0], rest[1:]
        if self.device.faults.locked and key != "METER_RATE":
            raise CommandError
        if key == "FLASH":
            return self._flash(channel, args)
        if channel is None:
            if key == "DEVICE_ID" and len(args) == 1:
                name = _name(args[0])
                if self._change(lambda: setattr(self.state, "name", name)):
                    return []
                return [
                    self._rep(None, p) for p in self.dialect.device_props(self.state) if p[0] == key
                ]
            raise CommandError
        channels = self._channels(channel)
        if key == "METER_RATE" and len(args) == 1 and args[0].isdigit():
            rate = int(args[0])
            if rate and not _METER_MIN_MS <= rate <= _METER_MAX_MS:
                raise CommandError
            for ch in channels:
                client.meter_rate_ms[ch.index] = rate
            client.wake.set()
            return [self._rep(ch.index, ("METER_RATE", None, f"{rate:05d}")) for ch in channels]
        update = self._channel_update(key, args)
        # Changed values reach every connection as pushes; otherwise answer the asker only.
        if self._change(lambda: [update(ch) for ch in channels]):
            return []
        return [
            self._rep(ch.index, prop)
            for ch in channels
            for prop in self.dialect.channel_props(self.state, ch)
            if prop[0] == key
        ]

    def _flash(self, index: int | None, args: list[str]) -> list[str]:
        """``SET [n] FLASH ON|OFF``: REP FLASH, and REP FLASH OFF by itself later.

        ``SET 0 FLASH`` is refused: identify names the device (no index) or one channel.
        """
        if self.dialect.family not in _FLASH_FAMILIES or args not in (["ON"], ["OFF"]):
            raise CommandError
        if index == 0:
            raise CommandError
        # 0 stands for the device from here on.
        channel = index or 0
        on = args[0] == "ON"
        self._identify(channel, on)
        if (pending := self._flash_off.pop(channel, None)) is not None:
            pending.cancel()
        if on:
            seconds = self.flash_seconds[0 if channel == 0 else 1]
            self._flash_off[channel] = asyncio.get_running_loop().call_later(
                seconds, self._flash_ended, channel
            )
        return [self._flash_rep(channel, on)]

    def _identify(self, channel: int, on: bool) -> None:
        if channel == 0:
            self.device.identify = on
        else:
            self.state.channel(channel).identify = on

    @staticmethod
    def _flash_rep(channel: int, on: bool) -> str:
        scope = "" if channel == 0 else f"{channel} "
        return f"< REP {scope}FLASH {'ON' if on else 'OFF'} >"

    def _flash_ended(self, channel: int) -> None:
        self._flash_off.pop(channel, None)
        self._identify(channel, False)
        if not self._silent:
            for client in self._clients:
                self._send(client, [self._flash_rep(channel, False)])

    def _channel_update(self, key: str, args: list[str]) -> Callable[[ChannelState], None]:
        if key == "CHAN_NAME" and len(args) == 1:
            name = _name(args[0])
            return lambda ch: setattr(ch, "name", name)
        if key == "AUDIO_GAIN":
            return _gain_update(args)
        if key == "AUDIO_MUTE" and len(args) == 1 and self.dialect.family in {"ulxd", "axient"}:
            value = args[0]
            if value not in {"ON", "OFF", "TOGGLE"}:
                raise CommandError
            return lambda ch: setattr(
                ch, "muted", (not ch.muted) if value == "TOGGLE" else value == "ON"
            )
        if key == "FREQUENCY" and len(args) == 1 and args[0].isdigit():
            khz = int(args[0])

            def tune(ch: ChannelState) -> None:
                ch.frequency_khz = khz
                ch.group_channel = None

            return tune
        raise CommandError

    async def _meter(self, client: _Client) -> None:
        """Send SAMPLE lines on this connection at its METER_RATE per channel."""
        loop = asyncio.get_running_loop()
        due: dict[int, float] = {}
        while True:
            now = loop.time()
            active = {i: r for i, r in client.meter_rate_ms.items() if r}
            for index in list(due):
                if index not in active:
                    del due[index]
            for index, rate in active.items():
                due.setdefault(index, now + rate / 1000)
            if not due:
                client.wake.clear()
                await client.wake.wait()
                continue
            next_due = min(due.values())
            if next_due > now:
                client.wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(next_due - now):
                        await client.wake.wait()
                continue
            lines = []
            for index in sorted(i for i, t in due.items() if t <= now):
                jitter = self._rng.uniform(0, self._meter_jitter) if self._meter_jitter else 0
                due[index] = max(due[index] + active[index] / 1000, now) + jitter
                lines.append(self._sample(self.state.channel(index)))
            if not self._silent:
                self._send(client, lines)

    def _sample(self, ch: ChannelState) -> str:
        meter = resting_meter(ch)
        if self._noise:
            meter = Meter(
                meter.rf_dbm + self._rng.gauss(0, 1.5),
                meter.audio_dbfs + self._rng.gauss(0, 4) if ch.transmitter else meter.audio_dbfs,
                meter.antenna,
            )
        return f"< SAMPLE {ch.index} ALL {self.dialect.sample_fields(ch, meter)} >"


def _name(token: str) -> str:
    if not (token.startswith("{") and token.endswith("}")):
        raise CommandError
    name = token[1:-1].strip()
    if not name or len(name) > _NAME_MAX or not _NAME.match(name):
        raise CommandError
    return name


def _gain_update(args: list[str]) -> Callable[[ChannelState], None]:
    if len(args) == 1 and args[0].isdigit():
        absolute = int(args[0]) - 18
        # An absolute value out of range is refused (sheet §1.2: REP ERR for out-of-range
        # values); INC and DEC stop at the ends.
        if not _GAIN_MIN_DB <= absolute <= _GAIN_MAX_DB:
            raise CommandError
        return lambda ch: _set_gain(ch, absolute)
    if len(args) == 2 and args[0] in {"INC", "DEC"} and args[1].isdigit():
        step = int(args[1]) * (1 if args[0] == "INC" else -1)
        return lambda ch: _set_gain(ch, ch.gain_db + step)
    raise CommandError


def _set_gain(ch: ChannelState, gain_db: int) -> None:
    ch.gain_db = max(_GAIN_MIN_DB, min(gain_db, _GAIN_MAX_DB))
