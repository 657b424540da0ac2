"""A real ``hass`` process and the simulator, started once per run on free loopback ports.

Both run as their own process groups and are stopped in finalizers, even when a test fails.
The Home Assistant config comes from ``tools.develop``, the same code ``scripts/develop``
uses, so this also proves that script's set-up. The helpers are in ``helpers.py``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
import os
from pathlib import Path
import subprocess
import time
from typing import Any

import aiohttp
import pytest

from tools import develop

from .helpers import (
    HASS,
    PYTHON,
    REPO,
    RunningHA,
    SimulatedRig,
    allow_loopback_sockets,
    free_port,
    stop_process,
)


# The unit tests' autouse fixtures build Home Assistant's in-process test harness; these
# tests talk to a real process instead and must not start one.
@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Not needed: the integration runs inside the real ``hass`` process."""


@pytest.fixture(autouse=True)
def discovery_transports() -> list[Any]:
    """Not needed: discovery runs inside the real ``hass`` process."""
    return []


@pytest.fixture(scope="session")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedRig]:
    """``python -m simulator --rig demo`` (Shure and Sennheiser) on free loopback ports."""
    allow_loopback_sockets()
    control = free_port()
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
        stop_process(proc, timeout=5)


@pytest.fixture(scope="session")
def home_assistant(
    rig: SimulatedRig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHA]:
    """Real Home Assistant on a free 127.0.0.1 port, onboarded, Micboard added, dashboard."""
    allow_loopback_sockets()
    port = free_port()
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
        stop_process(proc)


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
