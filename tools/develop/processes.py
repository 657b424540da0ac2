"""The processes scripts/develop starts: free ports, liveness, the simulator's receiver list."""

from __future__ import annotations

from collections.abc import Collection
import os
from pathlib import Path
import re
import socket
import time

from simulator.rig import find_model

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


def read_simulator_devices(log: Path) -> list[tuple[str, str, str]]:
    """(``host:port``, model, name) of each ``127.0.0.1:PORT MODEL NAME`` line printed."""
    return [
        (m.group(1), m.group(2), m.group(3))
        for line in _read(log).splitlines()
        if (m := HOST_LINE.match(line.strip()))
    ]


def manufacturer_of(model: str) -> str:
    """The manufacturer code (``shure``, ``sennheiser``) of a model the simulator printed.

    Data-driven: the simulator's own model table says who makes each model, so a model or
    manufacturer added there needs no change here.
    """
    return find_model(model).manufacturer


# Marks a charger's word (``shure+charger=host:port``): it joins its manufacturer's entry
# like a receiver, and bootstrap counts it apart (it waits for the receivers' channels).
CHARGER_MARK = "+charger"


def group_hosts(devices: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    """Hosts by manufacturer code, manufacturers in the order they first appear."""
    groups: dict[str, list[str]] = {}
    for host, model, _name in devices:
        groups.setdefault(manufacturer_of(model), []).append(host)
    return groups


def charger_hosts(devices: list[tuple[str, str, str]]) -> set[str]:
    """The hosts of the chargers among the simulator's devices."""
    return {host for host, model, _name in devices if find_model(model).is_charger}


def host_words(groups: dict[str, list[str]], chargers: Collection[str] = ()) -> list[str]:
    """``code=host:port`` words (``code+charger=...`` for chargers), what bootstrap takes."""
    return [
        f"{code}{CHARGER_MARK if host in chargers else ''}={host}"
        for code, hosts in groups.items()
        for host in hosts
    ]


def parse_host_words(words: list[str], default: str = "shure") -> dict[str, list[str]]:
    """``code=host:port`` (or a bare ``host:port``, for ``default``) words, by code.

    Chargers' words (``code+charger=host:port``) are hosts of their code too.
    """
    groups: dict[str, list[str]] = {}
    for word in words:
        code, sep, host = word.partition("=")
        if not sep:
            code, host = default, word
        groups.setdefault(code.removesuffix(CHARGER_MARK), []).append(host)
    return groups


def charger_counts(words: list[str]) -> dict[str, int]:
    """How many of each code's words are chargers'."""
    counts: dict[str, int] = {}
    for word in words:
        code, sep, _host = word.partition("=")
        if sep and code.endswith(CHARGER_MARK):
            key = code.removesuffix(CHARGER_MARK)
            counts[key] = counts.get(key, 0) + 1
    return counts


def wait_simulator_devices(
    log: Path, pid: int | None = None, timeout: float = 20
) -> list[tuple[str, str, str]]:
    """Until the simulator has listed its receivers: (host, model, name) of each."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if CONTROL_LINE.search(_read(log)):
            return read_simulator_devices(log)
        if pid is not None and not alive(pid):
            raise SimulatorError(f"the simulator exited; see {log}")
        time.sleep(0.05)
    raise SimulatorError(f"the simulator listed no receivers within {timeout} s; see {log}")


def wait_simulator(log: Path, pid: int | None = None, timeout: float = 20) -> list[str]:
    """Until the simulator has listed its receivers (its last line names the control port)."""
    return [host for host, _model, _name in wait_simulator_devices(log, pid, timeout)]
