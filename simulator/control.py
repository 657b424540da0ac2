"""Control port: JSON lines ``{"cmd": "tx-off", "args": ["2202", "1"]}`` -> ``{"ok": ...}``.

Commands name a device by its port (digits) or by its id (``ulxd-1``, ``ewdx-6``, ...);
the ``bay-*``, ``storage-mode``, ``charge-speed`` and ``charge`` commands take a charger.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
import json
from typing import Any

from .core import Simulator
from .frontend import LOOPBACK, FrontEnd

type Handler = Callable[[FrontEnd, list[str]], Awaitable[object] | object]

_ON = {"on", "1", "true", "yes"}
_OFF = {"off", "0", "false", "no"}


def _channel(args: list[str]) -> int:
    return int(args[0])


def _rename(receiver: FrontEnd, args: list[str]) -> None:
    channel, name = int(args[0]), " ".join(args[1:])
    if channel == 0:
        receiver.rename(name)
    else:
        receiver.rename_channel(channel, name)


def _levels(receiver: FrontEnd, args: list[str]) -> None:
    receiver.set_levels(
        int(args[0]),
        rf_dbm=float(args[1]),
        audio_dbfs=float(args[2]),
        quality=int(args[3]) if args[3:] else None,
    )


def _switch(value: str) -> bool:
    if value.lower() not in _ON | _OFF:
        raise ValueError(f"on|off, not {value!r}")
    return value.lower() in _ON


def _bay_insert(charger: FrontEnd, args: list[str]) -> None:
    charger.insert_battery(
        int(args[0]),
        charge=float(args[1]) if args[1:] else 50.0,
        health=int(args[2]) if args[2:] else None,
        cycles=int(args[3]) if args[3:] else None,
    )


def _charge(charger: FrontEnd, args: list[str]) -> None:
    if charger.kind != "charger":
        raise KeyError(f"{charger.model} is not a charger")
    # Minute by minute, so that every tick is pushed as the charger would push it.
    for _ in range(int(args[0])):
        charger.charge_batteries(1.0)


def _faults(receiver: FrontEnd, args: list[str]) -> None:
    """``garbage=on split=on loss=0.2 duplicate=0.1 reorder=0.3``: any subset, any order."""
    values: dict[str, Any] = {}
    for arg in args:
        key, _, value = arg.partition("=")
        if key in {"garbage", "split", "locked"}:
            if value.lower() not in _ON | _OFF:
                raise ValueError(f"{key}=on|off, not {value!r}")
            values[key] = value.lower() in _ON
        elif key in {"loss", "duplicate", "reorder"}:
            values[key] = float(value)
        else:
            raise ValueError(
                f"unknown fault {key!r} (garbage, split, locked, loss, duplicate, reorder)"
            )
    receiver.set_faults(**values)


# Commands taking DEVICE (port or id) first; the handler gets it and the remaining arguments.
COMMANDS: dict[str, tuple[str, Handler]] = {
    "tx-on": (
        "DEVICE CH [MODEL]: link a transmitter",
        lambda rx, a: rx.set_transmitter(_channel(a), on=True, model=a[1] if a[1:] else None),
    ),
    "tx-off": (
        "DEVICE CH: turn a transmitter off",
        lambda rx, a: rx.set_transmitter(_channel(a), on=False),
    ),
    "battery": (
        "DEVICE CH BARS [PERCENT [MINUTES]]: set battery",
        lambda rx, a: rx.set_battery(
            _channel(a),
            bars=int(a[1]),
            percent=int(a[2]) if a[2:] else None,
            minutes=int(a[3]) if a[3:] else None,
        ),
    ),
    "rename": ("DEVICE CH NAME: rename a channel (CH 0: the receiver)", _rename),
    "firmware": ("DEVICE VERSION: report another firmware", lambda rx, a: rx.set_firmware(a[0])),
    "frequency": (
        "DEVICE CH MHZ: tune a channel",
        lambda rx, a: rx.set_frequency(_channel(a), float(a[1])),
    ),
    "levels": ("DEVICE CH RF_DBM AUDIO_DBFS [QUALITY]: set metering", _levels),
    "power-off": ("DEVICE: the receiver goes off (port closed)", lambda rx, a: rx.power_off()),
    "power-on": ("DEVICE: the receiver comes back", lambda rx, a: rx.power_on()),
    "silent": (
        "DEVICE: stop sending and answering (sockets stay open)",
        lambda rx, a: rx.go_silent(),
    ),
    "resume": ("DEVICE: end silent", lambda rx, a: rx.resume()),
    "drop": ("DEVICE: drop every connection (SSC: every subscription)", lambda rx, a: rx.drop()),
    "refuse": (
        "DEVICE: refuse new connections (port closed)",
        lambda rx, a: rx.refuse_connections(True),
    ),
    "accept": ("DEVICE: accept connections again", lambda rx, a: rx.refuse_connections(False)),
    "garbage": ("DEVICE: send garbage once", lambda rx, a: rx.send_garbage()),
    "faults": (
        "DEVICE [garbage=on|off] [split=on|off] [locked=on|off] [loss=P] [duplicate=P] "
        "[reorder=P]: lasting wire faults (locked: every write of a setting refused)",
        _faults,
    ),
    "bay-insert": (
        "CHARGER BAY [CHARGE [HEALTH [CYCLES]]]: put a pack in (charge %, default 50)",
        _bay_insert,
    ),
    "bay-remove": ("CHARGER BAY: take the pack out", lambda ch, a: ch.remove_battery(int(a[0]))),
    "bay-fault": (
        "CHARGER BAY [CODE]: fault the pack (BATT_ERROR code, default 7)",
        lambda ch, a: ch.fault_bay(int(a[0]), int(a[1]) if a[1:] else 7),
    ),
    "bay-clear": ("CHARGER BAY: clear the pack's fault", lambda ch, a: ch.clear_fault(int(a[0]))),
    "bay-temp": (
        "CHARGER BAY CELSIUS: the pack's temperature (warm >= 40, hot >= 45, cold <= 5)",
        lambda ch, a: ch.set_bay_temperature(int(a[0]), int(a[1])),
    ),
    "storage-mode": (
        "CHARGER on|off: storage mode (packs to their storage charge)",
        lambda ch, a: ch.set_storage_mode(_switch(a[0])),
    ),
    "charge-speed": (
        "CHARGER SPEED: charging minutes per real minute (0: stand still)",
        lambda ch, a: ch.set_charge_speed(float(a[0])),
    ),
    "charge": (
        "CHARGER MINUTES: that many charging minutes pass at once",
        _charge,
    ),
}


async def execute(simulator: Simulator, command: str, args: Sequence[str]) -> dict[str, Any]:
    """Run one control command; never raises."""
    try:
        if command == "list":
            return {
                "ok": True,
                "receivers": [rx.describe() for rx in simulator.receivers if rx.kind != "charger"],
                "chargers": [charger.describe() for charger in simulator.chargers],
            }
        if command == "log":
            since = float(args[0]) if args else 0.0
            return {"ok": True, "log": [entry.as_dict() for entry in simulator.log.since(since)]}
        if command not in COMMANDS:
            return {"ok": False, "error": f"unknown command {command!r}"}
        if not args:
            return {"ok": False, "error": "DEVICE (port or id) is required"}
        receiver = simulator.device(args[0])
        result = COMMANDS[command][1](receiver, list(args[1:]))
        if isinstance(result, Awaitable):
            await result
    except (KeyError, ValueError, IndexError, TypeError) as err:
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
