"""One board client: ``micboard/subscribe`` through Home Assistant's real websocket API.

The client connects as a browser would (aiohttp, with the access token of a logged-in user,
permessage-deflate offered and message coalescing on, as the frontend asks) and counts what
the subscription sends: messages by type, their JSON bytes, the meter channels and values.
It runs on the same event loop as Home Assistant; its callbacks are the bench's, not
Micboard's (see ``accounting``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp

from .const import LOOPBACK
from .timing import clock

# The server's window bits when the client offers permessage-deflate (as browsers do).
_DEFLATE_BITS = 15


@dataclass
class Traffic:
    """What the subscription sent since ``since`` (bench clock)."""

    since: float = 0.0
    # Websocket frames and the JSON bytes in them (coalesced frames hold several messages).
    frames: int = 0
    frame_bytes: int = 0
    # Messages by their ``event.type`` (picture, change, meters) and their JSON bytes.
    messages: Counter[str] = field(default_factory=Counter)
    message_bytes: Counter[str] = field(default_factory=Counter)
    # In meter messages: channels, and meter values (the keys beyond the channel's address).
    meter_channels: int = 0
    meter_values: int = 0
    # When each meter message arrived.
    meter_times: list[float] = field(default_factory=list)
    # Bytes the client's socket received (TCP payload: websocket framing, deflated).
    wire_bytes: int = 0


_ADDRESS = frozenset({"entry_id", "receiver_id", "index"})


class BoardClient:
    """A websocket session on Home Assistant with one ``micboard/subscribe``."""

    def __init__(self, port: int, token: str) -> None:
        self._url = f"http://{LOOPBACK}:{port}/api/websocket"
        self._token = token
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = 0
        self._subscription = 0
        self._reader: asyncio.Task[None] | None = None
        self._results: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._picture: asyncio.Future[dict[str, Any]] | None = None
        self.traffic = Traffic()
        # Subscription events that arrived after the unsubscribe was answered.
        self.after_unsubscribe = 0
        # JSON bytes of the picture (the subscription's first message).
        self.picture_bytes = 0
        # Whether the server took up permessage-deflate.
        self.deflate = False
        self._unsubscribed = False

    async def connect(self) -> None:
        """Open the socket and authenticate, as the frontend does."""
        self._session = aiohttp.ClientSession()
        ws = self._ws = await self._session.ws_connect(self._url, compress=_DEFLATE_BITS)
        self.deflate = bool(ws.compress)
        self._count_wire_bytes(ws)
        hello = await ws.receive_json()
        if hello.get("type") != "auth_required":
            raise RuntimeError(f"websocket: {hello}")
        await ws.send_json({"type": "auth", "access_token": self._token})
        answer = await ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise RuntimeError(f"websocket authentication: {answer}")
        self._reader = asyncio.create_task(self._read(ws))
        await self._call({"type": "supported_features", "features": {"coalesce_messages": 1}})

    async def subscribe(self, interval: float | None = None) -> dict[str, Any]:
        """Subscribe to the board; the picture (the first message)."""
        loop = asyncio.get_running_loop()
        self._picture = loop.create_future()
        request: dict[str, Any] = {"type": "micboard/subscribe"}
        if interval is not None:
            request["interval"] = interval
        self._subscription = self._next_id()
        await self._call(request, self._subscription)
        picture: dict[str, Any] = await asyncio.wait_for(self._picture, 30)
        return picture

    def count_from_now(self) -> Traffic:
        """Start counting the traffic afresh; what was counted until now."""
        counted, self.traffic = self.traffic, Traffic(since=clock())
        return counted

    async def unsubscribe(self, quiet: float = 1.0) -> None:
        """Unsubscribe, then listen ``quiet`` seconds for anything the stream still sends."""
        await self._call({"type": "unsubscribe_events", "subscription": self._subscription})
        self._unsubscribed = True
        await asyncio.sleep(quiet)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._session is not None:
            await self._session.close()

    def _count_wire_bytes(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Count every byte the socket hands the client's protocol (aiohttp internals)."""
        protocol = ws._conn.protocol if ws._conn is not None else None
        if protocol is None:
            return
        received = protocol.data_received

        def counted(data: bytes) -> None:
            self.traffic.wire_bytes += len(data)
            received(data)

        # The transport looks the method up on each read, so the instance's wins.
        setattr(protocol, "data_received", counted)  # noqa: B010

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    async def _call(self, request: dict[str, Any], msg_id: int | None = None) -> dict[str, Any]:
        assert self._ws is not None
        msg_id = msg_id or self._next_id()
        answer = self._results[msg_id] = asyncio.get_running_loop().create_future()
        await self._ws.send_json({"id": msg_id, **request})
        result: dict[str, Any] = await asyncio.wait_for(answer, 30)
        if not result.get("success"):
            raise RuntimeError(f"websocket {request['type']}: {result}")
        return result

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for frame in ws:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            payload: bytes = frame.data.encode() if isinstance(frame.data, str) else frame.data
            traffic = self.traffic
            traffic.frames += 1
            traffic.frame_bytes += len(payload)
            decoded = json.loads(payload)
            messages = decoded if isinstance(decoded, list) else [decoded]
            # A coalesced frame's bytes are shared out by each message's own JSON length.
            for message in messages:
                self._received(message, len(payload) // len(messages))

    def _received(self, message: dict[str, Any], size: int) -> None:
        if message.get("type") == "result":
            answer = self._results.pop(int(message["id"]), None)
            if answer is not None and not answer.done():
                answer.set_result(message)
            return
        if message.get("type") != "event" or message.get("id") != self._subscription:
            return
        if self._unsubscribed:
            self.after_unsubscribe += 1
            return
        event: dict[str, Any] = message["event"]
        kind = str(event.get("type"))
        traffic = self.traffic
        traffic.messages[kind] += 1
        traffic.message_bytes[kind] += size
        if kind == "picture" and self._picture is not None and not self._picture.done():
            self.picture_bytes = size
            self._picture.set_result(event)
        elif kind == "meters":
            traffic.meter_times.append(clock())
            channels = event.get("channels", [])
            traffic.meter_channels += len(channels)
            traffic.meter_values += sum(len(set(ch) - _ADDRESS) for ch in channels)
