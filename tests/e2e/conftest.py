"""A real ``hass`` process and the simulator, started once per run on free loopback ports.

Both run as their own process groups and are stopped in finalizers, even when a test fails.
The Home Assistant config comes from ``tools.develop``, the same code ``scripts/develop``
uses, so this also proves that script's set-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
import time
from typing import Any

import aiohttp
import pytest
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


# The unit tests' autouse fixtures build Home Assistant's in-process test harness; these
# tests talk to a real process instead and must not start one.
@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Not needed: the integration runs inside the real ``hass`` process."""


@pytest.fixture(autouse=True)
def discovery_transports() -> list[Any]:
    """Not needed: discovery runs inside the real ``hass`` process."""
    return []


def _allow_loopback_sockets() -> None:
    """The test plugin blocks sockets per test; the servers here listen on 127.0.0.1 only."""
    pytest_socket.enable_socket()


def _free_port() -> int:
    """A free port on 127.0.0.1 outside the ephemeral range (hass needs a fixed one)."""
    rnd = random.Random()
    for _ in range(200):
        if develop.port_free(port := rnd.randrange(20000, 32000)):
            return port
    raise RuntimeError("no free loopback port found")


def _stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
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


@pytest.fixture(scope="session")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedRig]:
    """``python -m simulator --rig demo`` (Shure and Sennheiser) on free loopback ports."""
    _allow_loopback_sockets()
    control = _free_port()
    log = tmp_path_factory.mktemp("simulator") / "simulator.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                *(PYTHON, "-u", "-m", "simulator", "--rig", "demo", "--seed", "1"),
                *("--base-port", "0", "--control-port", str(control)),  # 0: ephemeral ports
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        devices = develop.wait_simulator_devices(log, proc.pid, timeout=20)
        yield SimulatedRig(devices, control, log)
    finally:
        _stop(proc, timeout=5)


@dataclass
class RunningHA:
    """A started ``hass`` with Micboard set up by ``python -m tools.develop bootstrap``.

    One entry per manufacturer of the rig (``shure``, ``sennheiser``).
    """

    url: str
    config: Path
    log: Path
    setup_seconds: float


@pytest.fixture(scope="session")
def home_assistant(
    rig: SimulatedRig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHA]:
    """Real Home Assistant on a free 127.0.0.1 port, onboarded, Micboard added, dashboard."""
    _allow_loopback_sockets()
    port = _free_port()
    config = develop.write_config(tmp_path_factory.mktemp("ha-config"), port=port)
    log = config / "hass.out"
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [HASS, "-c", str(config), "--skip-pip"],
            cwd=config,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        boot = subprocess.run(
            [
                *(PYTHON, "-m", "tools.develop", "bootstrap"),
                *("--url", url, "--pid", str(proc.pid)),
                *(
                    "--hosts",
                    *develop.host_words(rig.by_manufacturer, develop.charger_hosts(rig.devices)),
                ),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        if boot.returncode != 0:
            tail = log.read_text(errors="replace")[-4000:]
            pytest.fail(f"bootstrap failed:\n{boot.stdout}{boot.stderr}\n--- hass log ---\n{tail}")
        yield RunningHA(url, config, log, time.monotonic() - started)
    finally:
        _stop(proc)


@pytest.fixture
async def api(home_assistant: RunningHA, socket_enabled: None) -> AsyncGenerator[Any]:
    """The admin user's REST/WebSocket access (trusted-networks login, as a browser does)."""
    async with aiohttp.ClientSession() as session:
        client = develop.HomeAssistantAPI(home_assistant.url, session)
        await client.login()
        try:
            yield client
        finally:
            await client.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser test saves its screenshots (``MICBOARD_E2E_SCREENSHOTS`` to keep)."""
    if wanted := os.environ.get("MICBOARD_E2E_SCREENSHOTS"):
        path = Path(wanted)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
