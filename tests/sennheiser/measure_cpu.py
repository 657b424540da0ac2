"""Measurement helper (not a test): CPU of the Sennheiser library alone.

Starts ``python -m simulator --rig fleet:50:EW-DX-EM4-DANTE`` in a separate process, runs a
``SennheiserBackend`` against it in this process with one listener that reads every
published receiver's channels (as the HA layer does), and prints this process's CPU time
over the measured window as a share of one core, plus publish counts.

    python -m tests.sennheiser.measure_cpu [--count 50] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import time

from custom_components.micboard.manufacturers.backend import ChangeSet
from custom_components.micboard.manufacturers.models import Snapshot
from custom_components.micboard.manufacturers.sennheiser import SennheiserBackend


async def measure(count: int, seconds: float) -> None:
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, before the loop matters
        [
            sys.executable,
            "-m",
            "simulator",
            "--rig",
            f"fleet:{count}:EW-DX-EM4-DANTE",
            "--base-port",
            "0",
            "--control-port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    hosts: list[tuple[str, int]] = []
    try:
        while len(hosts) < count:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("simulator ended early")
            address = line.split()[0]
            if line.startswith("control"):
                break
            host, port = address.rsplit(":", 1)
            hosts.append((host, int(port)))
        backend = SennheiserBackend(hosts)
        publishes = 0
        channel_changes = 0
        last: dict[str, tuple[object, ...]] = {}

        def listener(snapshot: Snapshot, changes: ChangeSet) -> None:
            nonlocal publishes, channel_changes
            publishes += 1
            for api_id in changes.receivers:
                receiver = snapshot.receivers.get(api_id)
                if receiver is None:
                    continue
                before = last.get(api_id, ())
                for index, channel in enumerate(receiver.channels):
                    if index >= len(before) or before[index] is not channel:
                        channel_changes += 1
                last[api_id] = receiver.channels

        backend.add_listener(listener)
        await backend.start()
        online = sum(1 for r in backend.snapshot.receivers.values() if r.online)
        await asyncio.sleep(1.0)
        publishes = channel_changes = 0
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        await backend.stop()
        print(
            f"{count} EM 4, {online} online, {wall:.1f} s: CPU {100 * cpu / wall:.2f} % of a core, "
            f"{publishes / wall:.1f} publishes/s, {channel_changes / wall:.1f} new channel "
            "objects/s"
        )
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    options = parser.parse_args()
    asyncio.run(measure(options.count, options.seconds))


if __name__ == "__main__":
    main()
