"""The processes scripts/develop starts: free ports, liveness, the simulator's receiver list."""

from __future__ import annotations

import os
from pathlib import Path
import re
import socket
import time

from .const import LOOPBACK

HOST_LINE = re.compile(r"^(127\.0\.0\.1:\d+)\s+(\S+)\s+(.*)$")
CONTROL_LINE = re.compile(r"^control 127\.0\.0\.1:\d+$", re.MULTILINE)


class SimulatorError(RuntimeError):
    """The simulator exited or listed no receivers."""


def port_free(port: int) -> bool:
    """Whether 127.0.0.1:port can be bound (what hass and the simulator will do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def alive(pid: int) -> bool:
    """Whether a process still runs (a zombie child counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError, IndexError:
        return True
    return status != "Z"


def _read(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def read_simulator_hosts(log: Path) -> list[str]:
    """``127.0.0.1:PORT MODEL NAME`` lines the simulator printed."""
    return [m.group(1) for line in _read(log).splitlines() if (m := HOST_LINE.match(line.strip()))]


def wait_simulator(log: Path, pid: int | None = None, timeout: float = 20) -> list[str]:
    """Until the simulator has listed its receivers (its last line names the control port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if CONTROL_LINE.search(_read(log)):
            return read_simulator_hosts(log)
        if pid is not None and not alive(pid):
            raise SimulatorError(f"the simulator exited; see {log}")
        time.sleep(0.05)
    raise SimulatorError(f"the simulator listed no receivers within {timeout} s; see {log}")
