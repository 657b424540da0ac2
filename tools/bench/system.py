"""What Linux tells about a process and the machine (``/proc``, glibc)."""

from __future__ import annotations

import contextlib
import ctypes
from importlib import metadata
import math
import os
from pathlib import Path
import platform
import threading


def rss_mb() -> float:
    """Resident set size of this process (VmRSS) in MB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def trimmed_rss_mb() -> float:
    """VmRSS after glibc hands back the free pages it keeps (``malloc_trim``); nan elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except OSError, AttributeError:
        return float("nan")
    return rss_mb()


def runqueue_wait() -> float:
    """Seconds this thread has waited for a CPU while runnable (Linux schedstat)."""
    try:
        path = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
        return int(path.read_text(encoding="ascii").split()[1]) / 1e9
    except OSError, IndexError, ValueError:
        return math.nan


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    """CPU, cores, OS, Python and Home Assistant versions, for the report."""
    cpu = platform.processor() or "unknown cpu"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        ha_version = metadata.version("homeassistant")
    except metadata.PackageNotFoundError:
        ha_version = "not installed"
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Home Assistant {ha_version}"
    )


def load_average() -> str:
    """The 1/5/15-minute load average."""
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "unknown"
