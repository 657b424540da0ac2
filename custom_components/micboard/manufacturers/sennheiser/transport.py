"""One UDP "session" with an SSC device: send JSON trees, match replies, hand on the rest.

The socket is connected to ``host:45`` from an ephemeral local port (SSC answers any
source port), so the OS drops datagrams from anyone else and reports an ICMP "port
unreachable" as a refused connection. Every decoded datagram goes to ``on_message``,
whether it answers a request or is a pushed notification: the state applies them all the
same way, and ``request`` only tells its caller that (and how) the device answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
import itertools
import logging
from typing import Any, override

from ..errors import ErrorKind, MicboardConnectionError
from .codec import Path, Reply, SscDecodeError, decode, encode, request_tree

_LOGGER = logging.getLogger(__name__)

# Said wherever a device gives no answer or its port is closed: on EW-DX firmware 4 and
# later SSC v1 is off until the user switches it on, and the unit then answers nothing.
ACCESS_HINT = (
    "EW-DX / EW-D receivers on firmware 4.0 or later answer only once third-party access "
    "is set to Legacy (SSC v1) in the device's settings or in Sennheiser Control Cockpit"
)
# Far above any SSC reply (WMSS reads up to 64 KiB); the OS truncates beyond the buffer.
_MAX_DATAGRAM = 65_507


@dataclass(slots=True)
class _Pending:
    paths: frozenset[Path]
    future: asyncio.Future[Reply]


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, session: SscSession) -> None:
        self._session = session

    @override
    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._session.datagram_received(data)

    @override
    def error_received(self, exc: Exception) -> None:
        self._session.socket_failed(exc)

    @override
    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            self._session.socket_failed(exc)


class SscSession:
    """A connected UDP socket to one device, with ``osc/xid`` request matching."""

    def __init__(self, host: str, port: int, on_message: Callable[[Reply], object]) -> None:
        self.host = host
        self.port = port
        self._on_message = on_message
        self._transport: asyncio.DatagramTransport | None = None
        self._pending: dict[int, _Pending] = {}
        # Each session has a socket (and local port) of its own, so xids need only be
        # unique within it.
        self._xids = itertools.count(1)
        self.last_received: float | None = None
        self.failure: MicboardConnectionError | None = None
        self.garbage_count = 0
        self.on_failure: Callable[[MicboardConnectionError], None] | None = None

    @property
    def where(self) -> str:
        """``host:port`` for messages."""
        return f"{self.host}:{self.port}"

    async def open(self) -> None:
        """Create the socket; MicboardConnectionError when the host cannot be resolved."""
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), remote_addr=(self.host, self.port)
            )
        except OSError as err:
            reason = err.strerror or str(err) or type(err).__name__
            raise MicboardConnectionError(reason, host=self.where) from err
        self._transport = transport

    def close(self) -> None:
        """Close the socket; waiting requests fail as closed."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        self._fail_pending(MicboardConnectionError("closed", kind=ErrorKind.CLOSED))

    def send(self, tree: Mapping[str, Any]) -> int:
        """Send one request with a fresh ``osc/xid`` without waiting; returns the xid.

        Every request carries an xid, so that its reply can never be taken for the answer
        to another request (a keep-alive for a subscription renewal, say).
        """
        if self.failure is not None:
            raise self.failure
        if self._transport is None:
            raise MicboardConnectionError("not open", kind=ErrorKind.NOT_CONNECTED)
        xid = next(self._xids)
        osc = tree.get("osc", {})
        data = encode({**tree, "osc": {"xid": xid, **osc}})
        _LOGGER.debug("%s <- %s", self.where, data)
        self._transport.sendto(data)
        return xid

    async def request(
        self,
        tree: Mapping[str, Any],
        paths: Iterable[Path],
        *,
        timeout: float,  # noqa: ASYNC109 - each request has its own answer deadline
    ) -> Reply:
        """Send ``tree`` with a fresh xid; return the first datagram that answers it.

        An answer is a datagram echoing the xid, or (for devices that do not echo it) one
        without any xid that mentions one of ``paths``. TimeoutError when none came.
        """
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        xid = self.send(tree)
        self._pending[xid] = _Pending(frozenset(paths), future)
        try:
            async with asyncio.timeout(timeout):
                return await future
        finally:
            self._pending.pop(xid, None)

    async def read(
        self,
        paths: Iterable[Path],
        *,
        timeout: float,  # noqa: ASYNC109 - each request has its own answer deadline
    ) -> Reply:
        """Read leaves (``null`` in the request)."""
        paths = tuple(paths)
        return await self.request(request_tree(paths), paths, timeout=timeout)

    def datagram_received(self, data: bytes) -> None:
        """Decode one datagram, wake the request it answers, hand it on."""
        try:
            reply = decode(data[:_MAX_DATAGRAM])
        except SscDecodeError as err:
            # Logged once per session: a device (or anything else on the path) that sends
            # garbage keeps sending it.
            if not self.garbage_count:
                _LOGGER.debug("%s sent something that is not SSC: %s", self.where, err)
            self.garbage_count += 1
            return
        # Only SSC counts as a sign of life: garbage from the address proves nothing.
        self.last_received = asyncio.get_running_loop().time()
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("%s -> %s", self.where, data)
        if self._pending:
            # Pushed meters (most datagrams) wait for no request.
            self._resolve(reply)
        self._on_message(reply)

    def _resolve(self, reply: Reply) -> None:
        if reply.xid is not None:
            pending = self._pending.get(reply.xid)
            if pending is not None and not pending.future.done():
                pending.future.set_result(reply)
            return
        paths = reply.paths
        for pending in self._pending.values():
            if not pending.future.done() and pending.paths & paths:
                pending.future.set_result(reply)
                return

    def socket_failed(self, exc: Exception) -> None:
        """An ICMP error or a dead socket: every waiting request fails at once."""
        if isinstance(exc, ConnectionRefusedError):
            failure = MicboardConnectionError(
                f"port {self.port} closed (ICMP port unreachable); {ACCESS_HINT}",
                kind=ErrorKind.REFUSED,
                host=self.where,
            )
        else:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            failure = MicboardConnectionError(reason, host=self.where)
        self.failure = failure
        self._fail_pending(failure)
        if self.on_failure is not None:
            self.on_failure(failure)

    def _fail_pending(self, failure: MicboardConnectionError) -> None:
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(failure)
