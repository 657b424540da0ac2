"""``Session``: one open TCP connection to a receiver, and nothing more.

It opens, writes commands, reads parsed messages, collects the answer to a request, and
closes politely. Every failure is a ``MicboardConnectionError`` with its kind; reading a
receiver's state and staying connected live in ``reading`` and ``connection``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import contextlib
import errno
import logging

from ..errors import ErrorKind, MicboardConnectionError
from .framing import MessageSplitter
from .options import ClientOptions
from .parser import Message, Rep, RepError, Unknown, parse_message

_LOGGER = logging.getLogger(__name__)

_READ_SIZE = 65536


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
        self.where = f"{host}:{port}"
        self._reader = reader
        self._writer = writer
        self._options = options
        self._splitter = MessageSplitter()
        self.last_received = asyncio.get_running_loop().time()

    @classmethod
    async def open(cls, host: str, port: int, options: ClientOptions) -> Session:
        """Connect, or raise MicboardConnectionError (TIMED_OUT, REFUSED or UNREACHABLE)."""
        where = f"{host}:{port}"
        try:
            async with asyncio.timeout(options.connect_timeout):
                reader, writer = await asyncio.open_connection(host, port)
        except TimeoutError as err:
            raise MicboardConnectionError(
                "connection timed out", kind=ErrorKind.TIMED_OUT, host=where
            ) from err
        except OSError as err:
            if isinstance(err, ConnectionRefusedError) or err.errno == errno.ECONNREFUSED:
                raise MicboardConnectionError(
                    "connection refused", kind=ErrorKind.REFUSED, host=where
                ) from err
            reason = err.strerror or str(err) or type(err).__name__
            raise MicboardConnectionError(reason, kind=ErrorKind.UNREACHABLE, host=where) from err
        return cls(host, port, reader, writer, options)

    async def send(self, commands: Sequence[str]) -> None:
        """Write commands (no line endings: receivers send none either)."""
        _LOGGER.debug("%s <- %s", self.where, " ".join(commands))
        try:
            self._writer.write("".join(commands).encode("ascii"))
            async with asyncio.timeout(self._options.request_timeout):
                await self._writer.drain()
        except (OSError, TimeoutError) as err:
            raise MicboardConnectionError(
                "write failed", kind=ErrorKind.CLOSED, host=self.where
            ) from err

    async def read(self, wait: float) -> list[Message]:
        """Messages completed by the next read; TimeoutError when nothing came in ``wait`` s."""
        try:
            async with asyncio.timeout(wait):
                data = await self._reader.read(_READ_SIZE)
        except TimeoutError:
            raise  # an OSError too, but it means "nothing yet", not a broken connection
        except OSError as err:
            raise MicboardConnectionError(
                str(err) or type(err).__name__, kind=ErrorKind.CLOSED, host=self.where
            ) from err
        if not data:
            raise MicboardConnectionError(
                "connection closed", kind=ErrorKind.CLOSED, host=self.where
            )
        self.last_received = asyncio.get_running_loop().time()
        return [self._parse(text) for text in self._splitter.feed(data)]

    def _parse(self, text: str) -> Message:
        message = parse_message(text)
        if isinstance(message, Unknown):
            _LOGGER.debug("%s sent an unknown message: %r", self.where, text)
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
