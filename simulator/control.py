"""Control port: JSON lines ``{"cmd": "tx-off", "args": ["2202", "1"]}`` -> ``{"ok": ...}``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
import json
from typing import Any

from .core import Simulator
from .receiver import LOOPBACK, SimulatedReceiver

type Handler = Callable[[SimulatedReceiver, list[str]], Awaitable[object] | object]


def _channel(args: list[str]) -> int:
    return int(args[0])


def _rename(receiver: SimulatedReceiver, args: list[str]) -> None:
    channel, name = int(args[0]), " ".join(args[1:])
    if channel == 0:
        receiver.rename(name)
    else:
        receiver.rename_channel(channel, name)


def _levels(receiver: SimulatedReceiver, args: list[str]) -> None:
    receiver.set_levels(int(args[0]), rf_dbm=float(args[1]), audio_dbfs=float(args[2]))


# Commands taking PORT first; the handler gets the receiver and the remaining arguments.
COMMANDS: dict[str, tuple[str, Handler]] = {
    "tx-on": (
        "PORT CH [MODEL]: link a transmitter",
        lambda rx, a: rx.set_transmitter(_channel(a), on=True, model=a[1] if a[1:] else None),
    ),
    "tx-off": (
        "PORT CH: turn a transmitter off",
        lambda rx, a: rx.set_transmitter(_channel(a), on=False),
    ),
    "battery": (
        "PORT CH BARS [PERCENT [MINUTES]]: set battery",
        lambda rx, a: rx.set_battery(
            _channel(a),
            bars=int(a[1]),
            percent=int(a[2]) if a[2:] else None,
            minutes=int(a[3]) if a[3:] else None,
        ),
    ),
    "rename": ("PORT CH NAME: rename a channel (CH 0: the receiver)", _rename),
    "firmware": ("PORT VERSION: report another firmware", lambda rx, a: rx.set_firmware(a[0])),
    "frequency": (
        "PORT CH MHZ: tune a channel",
        lambda rx, a: rx.set_frequency(_channel(a), float(a[1])),
    ),
    "levels": ("PORT CH RF_DBM AUDIO_DBFS: set metering", _levels),
    "silent": (
        "PORT: stop sending and answering (sockets stay open)",
        lambda rx, a: rx.go_silent(),
    ),
    "resume": ("PORT: end silent", lambda rx, a: rx.resume()),
    "drop": ("PORT: drop every connection", lambda rx, a: rx.drop_connections()),
    "refuse": ("PORT: refuse new connections", lambda rx, a: rx.refuse_connections(True)),
    "accept": ("PORT: accept connections again", lambda rx, a: rx.refuse_connections(False)),
    "garbage": ("PORT: send garbage bytes", lambda rx, a: rx.send_garbage()),
}


async def execute(simulator: Simulator, command: str, args: Sequence[str]) -> dict[str, Any]:
    """Run one control command; never raises."""
    try:
        if command == "list":
            return {"ok": True, "receivers": [rx.describe() for rx in simulator.receivers]}
        if command not in COMMANDS:
            return {"ok": False, "error": f"unknown command {command!r}"}
        if not args:
            return {"ok": False, "error": "PORT is required"}
        receiver = simulator.receiver(int(args[0]))
        result = COMMANDS[command][1](receiver, list(args[1:]))
        if isinstance(result, Awaitable):
            await result
    except (KeyError, ValueError, IndexError) as err:
        return {"ok": False, "error": f"{type(err).__name__}: {err}"}
    return {"ok": True}


async def serve_control(simulator: Simulator, port: int) -> asyncio.Server:
    """Listen for control commands on 127.0.0.1:port."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                try:
                    request = json.loads(line)
                    reply = await execute(
                        simulator, str(request["cmd"]), [str(a) for a in request.get("args", [])]
                    )
                except (ValueError, KeyError, TypeError) as err:
                    reply = {"ok": False, "error": f"bad request: {err}"}
                writer.write(json.dumps(reply).encode() + b"\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    return await asyncio.start_server(handle, LOOPBACK, port)


async def send_command(port: int, command: str, args: Sequence[str]) -> dict[str, Any]:
    """Send one command to a running simulator's control port and return its reply."""
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    try:
        writer.write(json.dumps({"cmd": command, "args": list(args)}).encode() + b"\n")
        await writer.drain()
        reply: dict[str, Any] = json.loads(await reader.readline())
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return reply
