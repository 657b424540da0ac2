"""The simulator worker process: the receivers, the driver and the control server."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from typing import Any

from .const import LOOPBACK
from .control import Ready
from .driver import Driver
from .options import Options
from .rig import BenchRig
from .timing import clock


async def run_worker(options: Options) -> None:
    """Until the bench sends ``stop``: receivers on 127.0.0.1 and their control server."""
    rig = await BenchRig.start(
        receivers=options.receivers,
        models=options.model_list,
        seed=options.seed,
        drain=options.drain,
        meter_jitter=options.meter_jitter,
        chargers=options.chargers,
    )
    driver = Driver(rig, random.Random(options.seed + 1))
    driver_task = asyncio.create_task(driver.run())
    done = asyncio.Event()

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        command = request["cmd"]
        reply: dict[str, Any] = {"ok": True}
        if command == "rate":
            driver.set_rate(float(request["rate"]), str(request.get("phase", "")))
        elif command == "count":
            reply["count"] = len(driver.log)
        elif command == "log":
            reply["log"] = driver.log
            reply["drain_ticks"] = rig.drain_ticks
            reply["swapped"] = len(driver.swapped)
        elif command == "silent":
            stamps = {}
            for port in request["ports"]:
                stamps[port] = clock()
                rig.go_silent(port)
            reply["stamps"] = stamps
        elif command == "resume":
            stamps = {}
            for port in request["ports"]:
                stamps[port] = clock()
                rig.resume(port)
            reply["stamps"] = stamps
        elif command == "stop":
            done.set()
        return reply

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            writer.write(json.dumps(answer(json.loads(line))).encode() + b"\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, LOOPBACK, 0)
    ready: Ready = {
        "control": server.sockets[0].getsockname()[1],
        "receivers": [
            {
                "port": rx.port,
                "model": rx.model,
                "channels": rx.channels,
                "manufacturer": rx.manufacturer,
            }
            for rx in rig.receivers
        ],
        "chargers": [
            {"port": c.port, "model": c.model, "bays": c.bays, "manufacturer": c.manufacturer}
            for c in rig.chargers
        ],
    }
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    await done.wait()
    driver_task.cancel()
    server.close()
    await rig.stop()
