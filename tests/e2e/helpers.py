"""Helpers of the end-to-end tests: paths, free ports, process groups, what the fixtures give.

The fixtures (``conftest.py``) start the simulator and ``hass`` with these; the tests import
``CHROMIUM``, ``CHROMIUM_ARGS`` and the ``SimulatedRig`` / ``RunningHA`` types from here.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
from typing import Any

import pytest_socket

from tools import develop

REPO = Path(__file__).resolve().parents[2]
# Debian's Chromium, driven by Playwright (never `playwright install`), as root.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PYTHON = sys.executable
HASS = str(Path(PYTHON).with_name("hass"))


def allow_loopback_sockets() -> None:
    """The test plugin blocks sockets per test; the servers here listen on 127.0.0.1 only."""
    pytest_socket.enable_socket()


def free_port() -> int:
    """A free port on 127.0.0.1 outside the ephemeral range (hass needs a fixed one)."""
    rnd = random.Random()
    for _ in range(200):
        if develop.port_free(port := rnd.randrange(20000, 32000)):
            return port
    raise RuntimeError("no free loopback port found")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM the process group, wait, then SIGKILL whatever is left."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
    # Whatever is left in the group: children, or a process that ignored SIGTERM.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(5)


@dataclass
class SimulatedRig:
    """The simulator process and its receivers: (``127.0.0.1:PORT``, model, name) each."""

    devices: list[tuple[str, str, str]]
    control_port: int
    log: Path

    @property
    def hosts(self) -> list[str]:
        return [host for host, _model, _name in self.devices]

    @property
    def by_manufacturer(self) -> dict[str, list[str]]:
        """Hosts by manufacturer code, as ``tools.develop`` groups them (one entry each)."""
        return develop.group_hosts(self.devices)

    async def ctl(self, *args: str) -> dict[str, Any]:
        """``python -m simulator ctl ...`` (the command scripts/develop tells you to use)."""
        proc = await asyncio.create_subprocess_exec(
            PYTHON,
            "-m",
            "simulator",
            "ctl",
            "--control-port",
            str(self.control_port),
            *args,
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 15)
        reply: dict[str, Any] = json.loads(out)
        assert reply.get("ok"), f"simulator ctl {' '.join(args)}: {reply}"
        return reply

    @property
    def ports(self) -> list[int]:
        return [int(host.rsplit(":", 1)[1]) for host in self.hosts]

    def port_of(self, name: str) -> str:
        """The port of the receiver called ``name`` (what ``ctl`` takes as DEVICE)."""
        return next(host.rsplit(":", 1)[1] for host, _, rx in self.devices if rx == name)


@dataclass
class RunningHA:
    """A started ``hass`` with Micboard set up by ``python -m tools.develop bootstrap``.

    One entry per manufacturer of the rig (``shure``, ``sennheiser``).
    """

    url: str
    config: Path
    log: Path
    setup_seconds: float
