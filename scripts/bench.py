"""Scale benchmark: a 100-receiver show in one Home Assistant (run it with ``scripts/bench``).

Two processes:

* the simulator worker (``--simulator-worker``): the simulated receivers on 127.0.0.1, plus a
  driver that changes transmitters (battery, off/on swaps, renames) at a set rate and logs
  the system-wide CLOCK_MONOTONIC time of every change at the moment its REP is written;
* this process: a Home Assistant built with the test harness of
  pytest-homeassistant-custom-component (production event-loop settings, no debug mode),
  with the Micboard config entry watching every simulated receiver.

Figures: set-up time, full resync time, event-loop CPU at steady state and Micboard's share
of it, state writes per second, REP-to-state latency, offline detection time and resident
memory. Each row prints PASS or FAIL; the exit status is 0 whenever every row was measured.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Callable
import contextlib
import cProfile
import ctypes
from dataclasses import dataclass, field
import gc
import importlib
import json
import logging
import math
import os
from pathlib import Path
import platform
import pstats
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import tracemalloc
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MICBOARD_PATH = "custom_components/micboard"
LOOPBACK = "127.0.0.1"

# Targets of issue 8.
TARGET_SETUP_S = 5.0
TARGET_RESYNC_S = 1.0
TARGET_MICBOARD_CPU_PCT = 5.0
TARGET_LEVEL_WRITES = 0.2
TARGET_LATENCY_P99_MS = 100.0
TARGET_OFFLINE_S = 5.0
TARGET_MEMORY_MB = 50.0

# Driver mix: share of changes that are renames / transmitter swaps (off, then on again
# 1-3 s later, as when a battery is replaced); the rest are battery changes.
RENAME_SHARE = 0.05
SWAP_SHARE = 0.30
SWAP_BACK_S = (1.0, 3.0)
LATENCY_MIN_CHANGES = 500


_STARTED = time.monotonic()


def say(message: str) -> None:
    """Progress on stderr (the report itself goes to stdout at the end)."""
    print(f"bench: {time.monotonic() - _STARTED:5.1f} s  {message}", file=sys.stderr, flush=True)


def clock() -> float:
    """System-wide monotonic clock (the same in both processes on Linux)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# ==========================================================================================
# Simulator worker (separate process)
# ==========================================================================================


@dataclass
class _Driver:
    """Changes transmitters at ``rate`` per second and logs each change."""

    receivers: list[Any]
    rng: random.Random
    rate: float = 0.0
    phase: str = ""
    log: list[tuple[float, int, int, str, str, str]] = field(default_factory=list)
    swapped: set[tuple[int, int]] = field(default_factory=set)
    renames: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if self.rate <= 0:
                self.wake.clear()
                await self.wake.wait()
                continue
            await asyncio.sleep(self.rng.expovariate(self.rate))
            if self.rate > 0:
                self._change(loop)

    def _record(self, port: int, channel: int, kind: str, value: str) -> None:
        self.log.append((clock(), port, channel, kind, value, self.phase))

    def _change(self, loop: asyncio.AbstractEventLoop) -> None:
        rx = self.rng.choice(self.receivers)
        channel = self.rng.randint(1, len(rx.state.channels))
        if (rx.port, channel) in self.swapped:
            return
        state = rx.state.channel(channel)
        pick = self.rng.random()
        if pick < RENAME_SHARE:
            self.renames += 1
            name = f"N{self.renames % 10000:04d}C{channel}"
            stamp = clock()
            rx.rename_channel(channel, name)
            self.log.append((stamp, rx.port, channel, "rename", name, self.phase))
        elif pick < RENAME_SHARE + SWAP_SHARE and state.transmitter is not None:
            self.swapped.add((rx.port, channel))
            stamp = clock()
            rx.set_transmitter(channel, on=False)
            self.log.append((stamp, rx.port, channel, "tx", "off", self.phase))
            loop.call_later(self.rng.uniform(*SWAP_BACK_S), self._swap_back, rx, channel)
        elif state.transmitter is not None:
            current = state.transmitter.battery_percent
            percent = self.rng.choice([p for p in range(1, 101) if p != current])
            stamp = clock()
            rx.set_battery(channel, bars=min(5, math.ceil(percent / 20)), percent=percent)
            self.log.append((stamp, rx.port, channel, "battery", str(percent), self.phase))

    def _swap_back(self, rx: Any, channel: int) -> None:
        self.swapped.discard((rx.port, channel))
        stamp = clock()
        rx.set_transmitter(channel, on=True)
        self.log.append((stamp, rx.port, channel, "tx", "on", self.phase))


async def _worker(options: argparse.Namespace) -> None:
    from simulator.core import Simulator  # noqa: PLC0415 - the worker only
    from simulator.state import MODELS  # noqa: PLC0415

    simulator = Simulator(
        seed=options.seed,
        noise=True,
        battery_drain=options.drain,
        meter_jitter=options.meter_jitter,
    )
    models = options.models.split(",")
    receivers = []
    for number in range(options.receivers):
        model = models[number % len(models)]
        count = MODELS[model].channels
        receivers.append(
            await simulator.add_receiver(
                model,
                name=f"RX {number:03d}",
                port=0,
                channel_names=[f"R{number:03d} C{index}" for index in range(1, count + 1)],
            )
        )
    by_port = {rx.port: rx for rx in receivers}
    driver = _Driver(receivers, random.Random(options.seed + 1))
    drain_ticks: list[float] = []

    def watch_drain(rx: Any) -> None:
        drain = rx.drain_batteries

        def logged(minutes: float) -> None:
            if not drain_ticks or clock() - drain_ticks[-1] > 1.0:
                drain_ticks.append(clock())
            drain(minutes)

        rx.drain_batteries = logged

    for rx in receivers:
        watch_drain(rx)
    driver_task = asyncio.create_task(driver.run())
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            request = json.loads(line)
            command = request["cmd"]
            reply: dict[str, Any] = {"ok": True}
            if command == "rate":
                driver.rate = float(request["rate"])
                driver.phase = str(request.get("phase", ""))
                driver.wake.set()
            elif command == "count":
                reply["count"] = len(driver.log)
            elif command == "log":
                reply["log"] = driver.log
                reply["drain_ticks"] = drain_ticks
                reply["swapped"] = len(driver.swapped)
            elif command == "silent":
                stamps = {}
                for port in request["ports"]:
                    stamps[port] = clock()
                    by_port[port].go_silent()
                reply["stamps"] = stamps
            elif command == "resume":
                stamps = {}
                for port in request["ports"]:
                    stamps[port] = clock()
                    by_port[port].resume()
                reply["stamps"] = stamps
            elif command == "stop":
                done.set()
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, LOOPBACK, 0)
    ready = {
        "control": server.sockets[0].getsockname()[1],
        "receivers": [
            {"port": rx.port, "model": rx.model, "channels": len(rx.state.channels)}
            for rx in receivers
        ],
    }
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    await done.wait()
    driver_task.cancel()
    server.close()
    await simulator.stop()


# ==========================================================================================
# Measuring tools (Home Assistant process)
# ==========================================================================================


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


def _frame_kind(filename: str) -> str:
    if MICBOARD_PATH in filename:
        return "micboard"
    if filename == __file__:
        return "bench"
    if f"{os.sep}asyncio{os.sep}" in filename:
        return "asyncio"
    if f"{os.sep}homeassistant{os.sep}" in filename:
        return "homeassistant"
    return "other"


def _short(filename: str, name: str, line: int | None = None) -> str:
    path = filename
    for marker in (MICBOARD_PATH, "homeassistant/", "asyncio/"):
        if marker in filename:
            path = filename[filename.index(marker) :]
            break
    else:
        path = Path(filename).name
    path = path.replace(MICBOARD_PATH + "/", "micboard/")
    return f"{path}:{line}({name})" if line is not None else f"{path}({name})"


CALLBACK_OWNERS = {
    "micboard": "Micboard callbacks and tasks (inclusive of the HA work they call)",
    "micboard-io": "asyncio socket I/O of Micboard's receiver connections",
    "homeassistant": "Home Assistant callbacks and tasks",
    "asyncio": "asyncio internals",
    "bench": "bench harness (control connection, its task)",
    "other": "other callbacks",
}


class LoopAccounting:
    """Times every event-loop callback (asyncio ``Handle``) and charges it to its owner.

    A callback is Micboard's when its function, the object it is bound to, a job or partial
    it carries, or (for a task step) any coroutine of the task's await chain or that
    coroutine's ``self`` comes from ``custom_components/micboard``. Socket reads and writes
    of the receiver connections are charged to Micboard too. Time spent in the bench's own
    state listeners (they run inside Micboard's state writes) is measured and subtracted, and
    so are garbage-collector pauses, which are reported on their own.
    """

    def __init__(self, receiver_ports: set[int]) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        # Micboard's callbacks by what they are (task, method), in seconds.
        self.labels: Counter[str] = Counter()
        # Garbage-collector CPU time by the owner of the callback it interrupted.
        self.gc_seconds: Counter[str] = Counter()
        self._ports = receiver_ports
        self._task_owner: dict[int, tuple[Any, tuple[str, str]]] = {}
        self._transport_owner: dict[int, tuple[Any, tuple[str, str]]] = {}
        self._original: Any = None
        self._current: list[str] = ["outside callbacks"]
        self._gc_started = 0.0
        # The longest single callbacks: (seconds, owner, what ran).
        self.slowest: list[tuple[float, str, str]] = []
        # CPU time spent finding owners (the instrumentation's own cost).
        self.lookup_seconds = [0.0]

    @property
    def overhead(self) -> float:
        """CPU seconds the accounting itself cost the loop (lookups and clock reads)."""
        clock_read = _thread_time_cost()
        return self.lookup_seconds[0] + 2 * clock_read * sum(self.calls.values())

    def start(self) -> None:
        handle_class = asyncio.events.Handle
        original = self._original = handle_class._run
        owner_of = self._owner
        seconds, calls, labels = self.seconds, self.calls, self.labels
        slowest = self.slowest
        perf = time.thread_time  # CPU time: other processes on the machine do not count
        lookup = self.lookup_seconds
        current = self._current

        def _run(handle: Any) -> None:
            before = perf()
            owner, label = owner_of(handle)
            started = perf()
            lookup[0] += started - before
            current[0] = owner
            try:
                original(handle)
            finally:
                took = perf() - started
                current[0] = "outside callbacks"
                seconds[owner] += took
                calls[owner] += 1
                if owner.startswith("micboard"):
                    labels[label] += took
                if took > 0.02:
                    slowest.append((took, owner, _describe(handle)))
                    slowest.sort(reverse=True)
                    del slowest[8:]

        handle_class._run = _run  # type: ignore[method-assign]
        gc.callbacks.append(self._gc)

    def stop(self) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._gc)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if phase == "start":
            self._gc_started = time.thread_time()
        else:
            self.gc_seconds[self._current[0]] += time.thread_time() - self._gc_started

    def _owner(self, handle: Any) -> tuple[str, str]:
        callback = handle._callback
        target = getattr(callback, "__self__", None)
        if isinstance(target, asyncio.Task):
            return self._of_task(target)
        if isinstance(target, asyncio.BaseTransport):
            return self._of_transport(target)
        candidates = [callback, *handle._args]
        kinds = [_callable_kind(candidate) for candidate in candidates]
        for kind in ("micboard", "bench"):
            if kind in kinds:
                return kind, _label(candidates[kinds.index(kind)])
        return kinds[0] or "other", _label(callback)

    def _of_transport(self, transport: asyncio.BaseTransport) -> tuple[str, str]:
        cached = self._transport_owner.get(id(transport))
        if cached is not None and cached[0] is transport:
            return cached[1]
        peer = transport.get_extra_info("peername")
        port = peer[1] if isinstance(peer, tuple) and len(peer) > 1 else None
        owner = "bench" if port is not None and port not in self._ports else "micboard-io"
        found = (owner, "receiver socket reads and writes (asyncio transport)")
        self._transport_owner[id(transport)] = (transport, found)
        return found

    def _of_task(self, task: asyncio.Task[Any]) -> tuple[str, str]:
        cached = self._task_owner.get(id(task))
        if cached is not None and cached[0] is task:
            return cached[1]
        found = self._find_task_owner(task)
        self._task_owner[id(task)] = (task, found)
        return found

    def _find_task_owner(self, task: asyncio.Task[Any]) -> tuple[str, str]:
        coro: Any = task.get_coro()
        label = "task " + str(getattr(coro, "__qualname__", type(coro).__name__))
        kinds: set[str] = set()
        depth = 0
        while coro is not None and depth < 64:
            depth += 1
            code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
            if code is None:
                break
            kinds.add(_frame_kind(code.co_filename))
            frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
            if frame is not None and "self" in code.co_varnames:
                kinds.add(_object_kind(frame.f_locals.get("self")))
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        for kind in ("bench", "micboard", "homeassistant", "asyncio"):
            if kind in kinds:
                return kind, label
        return "other", label


def _label(obj: Any) -> str:
    """Short name of a callable (unwrapping partials and HassJobs)."""
    for _ in range(3):
        inner = getattr(obj, "func", None) or (
            getattr(obj, "target", None) if type(obj).__name__ == "HassJob" else None
        )
        if inner is None:
            break
        obj = inner
    return str(getattr(obj, "__qualname__", type(obj).__name__))


def _thread_time_cost() -> float:
    """Seconds one ``time.thread_time()`` call takes here."""
    started = time.perf_counter()
    for _ in range(1000):
        time.thread_time()
    return (time.perf_counter() - started) / 1000


def _describe(handle: Any) -> str:
    """What a loop callback ran, for the list of the longest ones."""
    callback = handle._callback
    target = getattr(callback, "__self__", None)
    if isinstance(target, asyncio.Task):
        names = []
        coro: Any = target.get_coro()
        while coro is not None and len(names) < 6:
            code = getattr(coro, "cr_code", None)
            if code is None:
                break
            names.append(_short(code.co_filename, code.co_qualname).split(":")[-1])
            coro = getattr(coro, "cr_await", None)
        return "task " + " > ".join(names)
    func = getattr(callback, "func", callback)
    name = getattr(func, "__qualname__", type(func).__name__)
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    return _short(code.co_filename, name) if code is not None else name


def _object_kind(obj: Any) -> str:
    module = type(obj).__module__ or ""
    if module.startswith("custom_components.micboard"):
        return "micboard"
    if module.startswith("homeassistant"):
        return "homeassistant"
    return "other"


def _callable_kind(obj: Any, depth: int = 0) -> str | None:
    """Owner of a callable (unwrapping partials, HassJobs and bound methods), or None."""
    if obj is None or depth > 3:
        return None
    func = getattr(obj, "func", None)  # functools.partial
    if func is not None and callable(obj):
        kinds = [_callable_kind(func, depth + 1)]
        kinds += [_callable_kind(arg, depth + 1) for arg in getattr(obj, "args", ())]
        return "micboard" if "micboard" in kinds else kinds[0]
    target = getattr(obj, "target", None)  # HassJob
    if target is not None and type(obj).__name__ == "HassJob":
        return _callable_kind(target, depth + 1)
    bound = getattr(obj, "__self__", None)
    if bound is not None and not isinstance(bound, type(sys)):
        if _object_kind(bound) == "micboard":
            return "micboard"
        obj = getattr(obj, "__func__", obj)
    code = getattr(obj, "__code__", None)
    if code is None:
        return None
    return _frame_kind(code.co_filename)


class GcWatch:
    """Times the cyclic garbage collector's pauses (they block the event loop)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int]] = []  # (start, seconds, generation)
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = clock()
        else:
            self.pauses.append((self._started, clock() - self._started, info["generation"]))

    def start(self) -> None:
        gc.callbacks.append(self)

    def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self)

    def summary(self, span: float, since: float = 0.0) -> str:
        pauses = [pause for pause in self.pauses if pause[0] >= since]
        if not pauses:
            return "no garbage collection ran"
        longest = max(pauses, key=lambda pause: pause[1])
        total = sum(seconds for _, seconds, _ in pauses)
        by_gen = Counter(generation for _, _, generation in pauses)
        return (
            f"garbage collector: {len(pauses)} collections "
            f"({', '.join(f'gen{g} {n}' for g, n in sorted(by_gen.items()))}), "
            f"{1000 * total / span:.1f} ms per s, longest {1000 * longest[1]:.0f} ms "
            f"(gen{longest[2]})"
        )


@dataclass
class Recorder:
    """Bus listeners: counts state writes by entity key, times the watched ones."""

    key_of: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    first_state: dict[str, float] = field(default_factory=dict)
    watched: set[str] = field(default_factory=set)
    seen: list[tuple[float, str, str]] = field(default_factory=list)
    offline: list[tuple[float, str, str]] = field(default_factory=list)
    online: list[tuple[float, str, str]] = field(default_factory=list)
    # Full resyncs: (start, end) on the bench clock.
    resyncs: list[tuple[float, float]] = field(default_factory=list)
    resolve: Callable[[str], str] | None = None
    # Time spent in these listeners (they run inside the state writes Micboard makes).
    listener_seconds: float = 0.0

    def state_changed(self, event: Any) -> None:
        stamp = clock()
        started = time.thread_time()
        entity_id = event.data["entity_id"]
        new_state = event.data["new_state"]
        if event.data["old_state"] is None:
            self.first_state[entity_id] = stamp
        key = self.key_of.get(entity_id)
        if key is None:
            key = self.resolve(entity_id) if self.resolve else "?"
            self.key_of[entity_id] = key
        self.counts[key] += 1
        if entity_id in self.watched and new_state is not None:
            self.seen.append((stamp, entity_id, new_state.state))
        self.listener_seconds += time.thread_time() - started

    def updated(self, event: Any) -> None:
        name = (event.data.get("new_data") or {}).get("name")
        if name is not None:
            self.seen.append((clock(), "upd:" + event.data["api_device_id"], str(name)))

    def synced(self, event: Any) -> None:
        end = clock()
        duration = float(event.data["sync_result"]["duration_seconds"])
        self.resyncs.append((end - duration, end))

    def went_offline(self, event: Any) -> None:
        self.offline.append((clock(), event.data["api_device_id"], event.data["device_type"]))

    def came_online(self, event: Any) -> None:
        self.online.append((clock(), event.data["api_device_id"], event.data["device_type"]))


class Worker:
    """The simulator subprocess and its control connection."""

    def __init__(self, options: argparse.Namespace) -> None:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--simulator-worker",
            f"--receivers={options.receivers}",
            f"--models={options.models}",
            f"--seed={options.seed}",
            f"--drain={options.drain}",
            f"--meter-jitter={options.meter_jitter}",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, text=True)
        self.ready: dict[str, Any] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def wait_ready(self, timeout: float) -> None:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = self.process.stdout.readline()
        if not line or time.monotonic() > deadline:
            raise RuntimeError("the simulator worker did not start")
        self.ready = json.loads(line)

    async def connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(LOOPBACK, self.ready["control"])

    async def call(self, command: str, **args: Any) -> dict[str, Any]:
        assert self._reader is not None
        assert self._writer is not None
        self._writer.write(json.dumps({"cmd": command, **args}).encode() + b"\n")
        await self._writer.drain()
        reply: dict[str, Any] = json.loads(await self._reader.readline())
        return reply

    @property
    def cpu(self) -> float:
        return process_cpu(self.process.pid)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.call("stop")
        if self._writer is not None:
            self._writer.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ==========================================================================================
# The benchmark
# ==========================================================================================


@dataclass
class Row:
    number: int
    measure: str
    figure: str
    target: str
    passed: bool | None  # None: not measured
    details: list[str] = field(default_factory=list)


@dataclass
class Results:
    rows: dict[int, Row] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    log_records: list[str] = field(default_factory=list)

    def row(self, number: int, measure: str, figure: str, target: str, passed: bool | None,
            *details: str) -> None:  # fmt: skip
        self.rows[number] = Row(number, measure, figure, target, passed, list(details))


MEASURES = {
    1: ("setup until all channels have state", f"< {TARGET_SETUP_S:g} s"),
    2: ("full resync, all receivers", f"< {TARGET_RESYNC_S:g} s"),
    3: ("Micboard event-loop CPU, steady state", f"< {TARGET_MICBOARD_CPU_PCT:g} % core"),
    4: ("level-sensor writes per entity", f"<= {TARGET_LEVEL_WRITES:g} /s"),
    5: ("REP -> state latency p99", f"< {TARGET_LATENCY_P99_MS:g} ms"),
    6: ("receiver silent -> device_offline", f"<= {TARGET_OFFLINE_S:g} s"),
    7: ("resident memory added", f"< {TARGET_MEMORY_MB:g} MB"),
}


class LogCollector(logging.Handler):
    """Keeps warnings and errors for the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "homeassistant.loader" and "custom integration" in record.msg:
            return
        self.records.append(f"{record.levelname} {record.name}: {record.getMessage()[:300]}")


class Bench:
    """Runs every phase against one Home Assistant and one simulator worker."""

    def __init__(self, options: argparse.Namespace, worker: Worker, results: Results) -> None:
        self.options = options
        self.worker = worker
        self.results = results
        self.recorder = Recorder()
        self.hass: Any = None
        self.entry: Any = None
        self.port_to_id: dict[int, str] = {}
        self.expected_channels = sum(rx["channels"] for rx in worker.ready["receivers"])
        self.loop_cpu_pct: float | None = None
        self.drain_ticks: list[float] = []
        self.wait_span = (0.0, 0.0)
        self.runqueue_ms_per_s = math.nan
        self.gc_watch = GcWatch()
        self.rss_before = 0.0
        self._malloc_before: Any = None

    # --- helpers ---------------------------------------------------------------------------

    def _entity_id(self, domain: str, unique_id: str) -> str | None:
        er = importlib.import_module("homeassistant.helpers.entity_registry")
        entity_id: str | None = er.async_get(self.hass).async_get_entity_id(
            domain, "micboard", unique_id
        )
        return entity_id

    def _resolve_key(self, entity_id: str) -> str:
        er = importlib.import_module("homeassistant.helpers.entity_registry")
        entry = er.async_get(self.hass).async_get(entity_id)
        if entry is None or entry.platform != "micboard":
            return "other integrations"
        return str(entry.unique_id).rsplit("-", 1)[-1]

    async def _wait_for(self, predicate: Callable[[], bool], within: float) -> bool:
        deadline = clock() + within
        while not predicate():
            if clock() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    # --- phases ----------------------------------------------------------------------------

    async def run(self) -> None:
        ha_common = importlib.import_module("pytest_homeassistant_custom_component.common")
        loader = importlib.import_module("homeassistant.loader")
        frame = importlib.import_module("homeassistant.helpers.frame")
        translation = importlib.import_module("homeassistant.helpers.translation")
        setup = importlib.import_module("homeassistant.setup")
        loop = asyncio.get_running_loop()
        with tempfile.TemporaryDirectory(prefix="micboard-bench-") as config_dir:
            async with ha_common.async_test_home_assistant(
                loop, True, config_dir=config_dir
            ) as hass:
                self.hass = hass
                frame.async_setup(hass)
                await translation.async_load_integrations(hass, {"homeassistant"})
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
                # Platforms every real instance has loaded: their cost is not Micboard's.
                for domain in ("sensor", "binary_sensor", "event"):
                    await setup.async_setup_component(hass, domain, {})
                await hass.async_block_till_done()
                await self.worker.connect()
                try:
                    await self._phases(ha_common)
                finally:
                    await self._teardown()

    async def _phases(self, ha_common: Any) -> None:
        hass = self.hass
        recorder = self.recorder
        recorder.resolve = self._resolve_key
        hass.bus.async_listen("state_changed", _as_callback(recorder.state_changed))
        hass.bus.async_listen("micboard_device_updated", _as_callback(recorder.updated))
        hass.bus.async_listen("micboard_device_offline", _as_callback(recorder.went_offline))
        hass.bus.async_listen("micboard_device_synced", _as_callback(recorder.synced))
        hass.bus.async_listen("micboard_device_online", _as_callback(recorder.came_online))

        gc.collect()
        self.rss_before = rss_mb()
        if self.options.tracemalloc:
            tracemalloc.start(self.options.tracemalloc)
            self._malloc_before = tracemalloc.take_snapshot()
        say(f"setting up the Micboard entry for {len(self.worker.ready['receivers'])} receivers")
        await self._setup(ha_common)
        coordinator = self.entry.runtime_data
        for receiver in coordinator.data.receivers.values():
            self.port_to_id[receiver.port] = receiver.api_device_id
        say(f"timing {self.options.resyncs} full resyncs each way")
        await self._resync(coordinator)

        self.wait_span = (clock(), runqueue_wait())
        self.gc_watch.start()
        await self.worker.call("rate", rate=self.options.steady_rate, phase="settle")
        await asyncio.sleep(self.options.settle)
        say(f"steady state: {self.options.window:g} s of CPU accounting and state-write counting")
        await self._steady_state()
        # The bench's own full collection blocks the loop: no changes meanwhile (swap-backs
        # still due are made in phase M and left out of the latency, like those in phase C).
        await self.worker.call("rate", rate=0, phase="M")
        self.gc_watch.stop()  # the bench's own full collection is not a pause Micboard causes
        gc.collect()
        rss_after = rss_mb()
        trimmed = trimmed_rss_mb()
        self.gc_watch.start()
        self._memory(rss_after, trimmed)
        if self.options.tracemalloc:
            self._malloc_report()
        say(f"cProfile for {self.options.profile_window:g} s")
        await self._profile_window()
        say(f"latency burst for {self.options.burst_window:g} s")
        await self._latency_burst()
        span, waited = clock() - self.wait_span[0], runqueue_wait() - self.wait_span[1]
        self.runqueue_ms_per_s = 1000 * waited / span
        self.gc_watch.stop()
        self.results.notes.append(
            f"from the settle phase to the end of the latency burst ({span:.0f} s): "
            + self.gc_watch.summary(span)
        )
        await self.worker.call("rate", rate=0)
        await asyncio.sleep(SWAP_BACK_S[1] + 0.5)
        await self._latency_report()
        say(f"silencing {self.options.offline_receivers} receivers until they are declared offline")
        await self._offline()

    async def _setup(self, ha_common: Any) -> None:
        hass = self.hass
        discovery = importlib.import_module("custom_components.micboard.discovery")
        er = importlib.import_module("homeassistant.helpers.entity_registry")

        async def loopback(protocol_factory: Callable[[], asyncio.DatagramProtocol]) -> Any:
            transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                protocol_factory, local_addr=(LOOPBACK, 0)
            )
            return transport

        discovery.TRANSPORT_FACTORY = loopback
        hosts = [f"{LOOPBACK}:{rx['port']}" for rx in self.worker.ready["receivers"]]
        self.entry = ha_common.MockConfigEntry(
            domain="micboard",
            title="Shure",
            unique_id="shure",
            data={"manufacturer": "shure"},
            options={
                "hosts": hosts,
                "auto_add_discovered": False,
                "detail_entities": self.options.detail_entities,
            },
        )
        self.entry.add_to_hass(hass)
        started = clock()
        ok = await hass.config_entries.async_setup(self.entry.entry_id)
        returned = clock()
        registry = er.async_get(hass)
        entry_id = self.entry.entry_id

        def enabled() -> list[Any]:
            return [
                e
                for e in er.async_entries_for_config_entry(registry, entry_id)
                if e.disabled_by is None
            ]

        def status_ready() -> int:
            return sum(
                1
                for e in enabled()
                if e.unique_id.endswith("-status")
                and (s := hass.states.get(e.entity_id)) is not None
                and s.state not in ("unknown", "unavailable")
            )

        def ready() -> bool:
            if not ok:
                return True
            entities = enabled()
            return status_ready() >= self.expected_channels and all(
                e.entity_id in self.recorder.first_state for e in entities
            )

        finished = await self._wait_for(ready, 60.0)
        entities = enabled()
        stamps = [self.recorder.first_state.get(e.entity_id) for e in entities]
        known = [s for s in stamps if s is not None]
        last = max(known, default=returned)
        setup_s = last - started
        channels = status_ready()
        disabled = len(er.async_entries_for_config_entry(registry, entry_id)) - len(entities)
        details = [
            f"config entry set-up returned after {returned - started:.2f} s "
            f"(first refresh of {len(hosts)} receivers, then the platforms)",
            f"{len(entities)} enabled entities with state ({disabled} disabled by default), "
            f"{channels} channel status sensors with a status",
        ]
        if not ok or not finished:
            details.append(
                f"NOT READY: entry set-up {'ok' if ok else 'failed'}, {channels} of "
                f"{self.expected_channels} channels, {len(known)} of {len(entities)} entities"
            )
            self.results.row(1, *MEASURES[1], None, *details)
            raise RuntimeError("the config entry did not reach a state for every channel")
        self.results.row(
            1,
            MEASURES[1][0].replace("all channels", f"all {self.expected_channels} channels"),
            f"{setup_s:.2f} s",
            MEASURES[1][1],
            setup_s < TARGET_SETUP_S,
            *details,
        )
        self.recorder.key_of.update({e.entity_id: e.unique_id.rsplit("-", 1)[-1] for e in entities})
        # Entities whose state the latency measurement times.
        for entity in entities:
            if entity.unique_id.endswith(("-battery", "-transmitter")):
                self.recorder.watched.add(entity.entity_id)

    async def _resync(self, coordinator: Any) -> None:
        backend_times: list[float] = []
        coordinator_times: list[float] = []
        errors = 0
        for _ in range(self.options.resyncs):
            started = clock()
            result = await coordinator.backend.refresh()
            backend_times.append(clock() - started)
            errors += result.error_count
        coordinator_cpu: list[float] = []
        for _ in range(self.options.resyncs):
            started, cpu = clock(), time.thread_time()
            await coordinator.async_refresh()
            coordinator_times.append(clock() - started)
            coordinator_cpu.append(time.thread_time() - cpu)
            if not coordinator.last_update_success:
                errors += 1
        worst = max(coordinator_times)
        self.results.row(
            2,
            MEASURES[2][0].replace("all receivers", f"{len(self.port_to_id)} receivers"),
            f"{worst:.2f} s",
            MEASURES[2][1],
            worst < TARGET_RESYNC_S and errors == 0,
            "coordinator.async_refresh(), worst of "
            f"{len(coordinator_times)}: {', '.join(f'{t:.3f}' for t in coordinator_times)} s "
            "(backend refresh + snapshot diff + entity updates)",
            f"backend.refresh() alone: {', '.join(f'{t:.3f}' for t in backend_times)} s; "
            f"receiver errors: {errors}",
            "event-loop CPU time of each coordinator resync: "
            + ", ".join(f"{t:.3f}" for t in coordinator_cpu)
            + " s (the rest of the wall time is waiting for the receivers' replies: at least "
            "the 0.1 s burst quiet time)",
        )

    async def _steady_state(self) -> None:
        """CPU, its owners and the state writes over one steady-state window."""
        await self.worker.call("rate", rate=self.options.steady_rate, phase="A")
        counts_before = Counter(self.recorder.counts)
        accounting = LoopAccounting(set(self.port_to_id))
        listener_before = self.recorder.listener_seconds
        wall0, loop0, proc0 = clock(), time.thread_time(), time.process_time()
        sim0, wait0 = self.worker.cpu, runqueue_wait()
        accounting.start()
        try:
            await asyncio.sleep(self.options.window)
        finally:
            accounting.stop()
        wall = clock() - wall0
        overhead = accounting.overhead
        loop_cpu = time.thread_time() - loop0 - overhead
        proc_cpu = time.process_time() - proc0 - overhead
        sim_cpu = self.worker.cpu - sim0
        waited = runqueue_wait() - wait0
        counts = self.recorder.counts - counts_before
        listeners = self.recorder.listener_seconds - listener_before
        self.loop_cpu_pct = 100 * loop_cpu / wall
        self.results.notes.append(
            f"steady state window {wall:.1f} s at {self.options.steady_rate:g} transmitter "
            f"changes/s: event-loop thread CPU {100 * loop_cpu / wall:.1f} % of a core, "
            f"whole HA process {100 * proc_cpu / wall:.1f} %, simulator process "
            f"{100 * sim_cpu / wall:.1f} % (separate process); the loop thread waited "
            f"{1000 * waited / wall:.1f} ms per s for a CPU"
        )
        self._cpu_row(accounting, wall, loop_cpu, listeners, overhead)
        self._writes_row(counts, wall)

    def _cpu_row(
        self,
        accounting: LoopAccounting,
        wall: float,
        loop_cpu: float,
        listeners: float,
        overhead: float,
    ) -> None:
        seconds = accounting.seconds
        gc_seconds = accounting.gc_seconds
        gc_micboard = gc_seconds["micboard"] + gc_seconds["micboard-io"]
        micboard = seconds["micboard"] + seconds["micboard-io"] - listeners - gc_micboard
        micboard_pct = 100 * micboard / wall
        in_callbacks = sum(seconds.values())
        parts = [
            f"{CALLBACK_OWNERS.get(owner, owner)} {100 * t / wall:.2f} % "
            f"({accounting.calls[owner] / wall:.0f} callbacks/s)"
            for owner, t in seconds.most_common()
            if t > 0
        ]
        parts.append(
            f"bench state listeners (subtracted from Micboard) {100 * listeners / wall:.2f} %"
        )
        parts.append(
            f"event loop outside callbacks (select, scheduling) "
            f"{100 * max(loop_cpu - in_callbacks, 0) / wall:.2f} %"
        )
        self.results.row(
            3,
            MEASURES[3][0],
            f"{micboard_pct:.2f} % core",
            MEASURES[3][1],
            micboard_pct < TARGET_MICBOARD_CPU_PCT,
            f"event-loop thread CPU {100 * loop_cpu / wall:.1f} % of a core over {wall:.0f} s of "
            f"steady state (it covers {wall / 30:.0f} of the 30 s resyncs and the 60 s battery "
            f"drain); Micboard's part {micboard_pct:.1f} % "
            f"(= {100 * micboard / max(loop_cpu, 1e-9):.0f} % of the loop), by the thread CPU "
            "time of every loop callback it owns",
            "per owner, % of one core: " + "; ".join(parts),
            "Micboard's part by callback: "
            + "; ".join(
                f"{label} {100 * t / wall:.2f} %" for label, t in accounting.labels.most_common(7)
            ),
            f"garbage collection: {100 * sum(gc_seconds.values()) / wall:.2f} % of a core, "
            f"{100 * gc_micboard / wall:.2f} % of it inside Micboard's callbacks (left out of "
            "Micboard's part: collections scan Home Assistant's whole heap, whoever allocates); "
            + self.gc_watch.summary(wall, since=clock() - wall),
            f"the accounting's own cost, {100 * overhead / wall:.2f} % of a core, is left out",
            "longest single callbacks in CPU time (the loop is blocked meanwhile): "
            + (
                "; ".join(
                    f"{1000 * took:.0f} ms {what}" for took, _, what in accounting.slowest[:5]
                )
                or "none over 20 ms"
            ),
        )

    def _writes_row(self, counts: Counter[str], wall: float) -> None:
        entities = Counter(self.recorder.key_of.values())
        level_entities = entities["rf_level"] + entities["audio_level"]
        total = sum(counts.values())
        rf, audio = counts["rf_level"], counts["audio_level"]
        per_entity = (rf + audio) / max(level_entities, 1) / wall
        by_key = ", ".join(f"{key} {n / wall:.1f}" for key, n in counts.most_common(8))
        per_kind = ", ".join(
            f"{key} {counts[key] / entities[key] / wall:.3f} /s per entity ({entities[key]})"
            for key in ("rf_level", "audio_level")
            if entities[key]
        )
        self.results.row(
            4,
            MEASURES[4][0],
            f"{per_entity:.3f} /s",
            MEASURES[4][1],
            per_entity <= TARGET_LEVEL_WRITES,
            f"state writes/s at steady state: total {total / wall:.1f}, rf_level "
            f"{rf / wall:.1f}, audio_level {audio / wall:.1f} over {level_entities} level "
            "entities",
            per_kind or "no level entities",
            f"writes/s by entity key: {by_key}",
        )

    def _memory(self, rss_after: float, trimmed: float) -> None:
        added = rss_after - self.rss_before
        er = importlib.import_module("homeassistant.helpers.entity_registry")
        entries = er.async_entries_for_config_entry(er.async_get(self.hass), self.entry.entry_id)
        enabled = sum(1 for entry in entries if entry.disabled_by is None)
        self.results.row(
            7,
            MEASURES[7][0],
            f"{added:.1f} MB",
            MEASURES[7][1],
            added < TARGET_MEMORY_MB,
            f"VmRSS {self.rss_before:.1f} MB before the entry (HA + sensor/binary_sensor/event "
            f"loaded) -> {rss_after:.1f} MB after steady state (gc.collect() before each)",
            f"{1024 * added / max(enabled, 1):.1f} KB per enabled entity ({enabled} enabled, "
            f"{len(entries)} in the entity registry); --tracemalloc FRAMES shows where it is held",
            f"for comparison only: {trimmed - self.rss_before:.1f} MB once glibc's malloc_trim "
            "has returned the free pages it keeps (measured after the figure above; Home "
            "Assistant does not trim, so the figure above is the one that counts)",
        )

    def _malloc_report(self) -> None:
        """Where the memory still held after steady state was allocated (``--tracemalloc``)."""
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        diff = after.compare_to(self._malloc_before, "traceback")
        total = sum(stat.size_diff for stat in diff)
        by_file: Counter[str] = Counter()
        for stat in diff:
            by_file[_short(stat.traceback[-1].filename, "")] += stat.size_diff
        self.results.profile.append(
            f"tracemalloc: {total / 2**20:.1f} MB more Python memory held after steady state; "
            "by file of the innermost frame:"
        )
        self.results.profile += [
            f"  {size / 2**20:7.2f} MB  {name.removesuffix('()')}"
            for name, size in by_file.most_common(15)
        ]
        by_line: Counter[str] = Counter()
        by_cause: Counter[str] = Counter()
        for stat in diff:
            inner = stat.traceback[-1]
            by_line[_short(inner.filename, "", inner.lineno).replace("()", "")] += stat.size_diff
            # The innermost Micboard frame: which of our lines made Home Assistant allocate it.
            ours = [f for f in stat.traceback if MICBOARD_PATH in f.filename]
            cause = (
                _short(ours[-1].filename, "", ours[-1].lineno).replace("()", "")
                if ours
                else "no Micboard frame"
            )
            by_cause[cause] += stat.size_diff
        self.results.profile.append("  by innermost line:")
        self.results.profile += [
            f"  {size / 2**20:7.2f} MB  {name}" for name, size in by_line.most_common(20)
        ]
        self.results.profile.append("  by the innermost Micboard line on the way:")
        self.results.profile += [
            f"  {size / 2**20:7.2f} MB  {name}" for name, size in by_cause.most_common(15)
        ]
        self.results.profile.append("  largest allocation sites (outermost frame first):")
        for stat in diff[:12]:
            frames = " <- ".join(
                f"{_short(frame.filename, '', frame.lineno).replace('()', '')}"
                for frame in reversed(stat.traceback)
            )
            self.results.profile.append(
                f"  {stat.size_diff / 2**20:7.2f} MB {stat.count_diff:8d} blocks  {frames}"
            )

    async def _profile_window(self) -> None:
        await self.worker.call("rate", rate=self.options.steady_rate, phase="C")
        profile = cProfile.Profile()
        profile.enable()
        await asyncio.sleep(self.options.profile_window)
        profile.disable()
        stats = pstats.Stats(profile)
        raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
        busy = 0.0
        micboard = 0.0
        by_file: Counter[str] = Counter()
        rows: list[tuple[float, float, int, str]] = []
        for (filename, line, name), (_, calls, tottime, cumtime, _) in raw.items():
            if "poll' of 'select.epoll" in name:
                continue
            busy += tottime
            if MICBOARD_PATH in filename:
                micboard += tottime
                by_file[_short(filename, "")] += tottime
            rows.append((tottime, cumtime, calls, _short(filename, name, line)))
        rows.sort(reverse=True)
        files = ", ".join(
            f"{name.removesuffix('()')} {100 * t / busy:.0f} %"
            for name, t in by_file.most_common(8)
        )
        self.results.profile += [
            f"cProfile, {self.options.profile_window:g} s of steady state (profiling slows "
            f"Python code ~2x): loop busy {busy:.2f} s; Micboard's own code (self time in "
            f"{MICBOARD_PATH}) {100 * micboard / busy:.0f} % of it",
            f"  self time by Micboard file: {files}",
            "  top functions by self time (tottime s, cumtime s, calls):",
            *(
                f"    {tottime:7.3f} {cumtime:7.3f} {calls:8d}  {name}"
                for tottime, cumtime, calls, name in rows[:18]
            ),
        ]

    async def _latency_burst(self) -> None:
        done = (await self.worker.call("count"))["count"]
        window = self.options.burst_window
        rate = max(self.options.burst_rate, (LATENCY_MIN_CHANGES * 1.2 - done) / window)
        await self.worker.call("rate", rate=rate, phase="L")
        await asyncio.sleep(window)
        self.results.notes.append(
            f"latency burst: {window:g} s at {rate:g} changes/s after {done} changes at "
            f"{self.options.steady_rate:g}/s"
        )

    async def _latency_report(self) -> None:
        reply = await self.worker.call("log")
        changes = [tuple(change) for change in reply["log"]]
        self.drain_ticks = [float(t) for t in reply.get("drain_ticks", [])]
        wanted: dict[tuple[str, str], list[tuple[float, str, str]]] = {}
        skipped_profiled = 0
        unresolved = 0
        for stamp, port, channel, kind, value, phase in changes:
            if phase in ("C", "M"):
                skipped_profiled += 1
                continue
            receiver_id = self.port_to_id.get(int(port))
            key: str | None = None
            if receiver_id is None:
                unresolved += 1
                continue
            if kind == "rename":
                key = f"upd:{receiver_id}:{channel}"
            else:
                suffix = "battery" if kind == "battery" else "transmitter"
                domain = "sensor" if kind == "battery" else "binary_sensor"
                key = self._entity_id(domain, f"shure:{receiver_id}/ch{channel}-{suffix}")
            if key is None:
                unresolved += 1
                continue
            wanted.setdefault((key, value), []).append((stamp, kind, phase))
        for pending in wanted.values():
            pending.sort()
        latencies: dict[str, list[float]] = {}
        slow: list[tuple[float, float]] = []
        by_phase: dict[str, list[float]] = {}
        for stamp, key, value in sorted(self.recorder.seen):
            pending = wanted.get((key, value))
            if not pending or pending[0][0] > stamp:
                continue
            change_stamp, kind, phase = pending.pop(0)
            latency = 1000 * (stamp - change_stamp)
            if latency >= TARGET_LATENCY_P99_MS:
                slow.append((change_stamp, stamp))
            latencies.setdefault(kind, []).append(latency)
            by_phase.setdefault("burst" if phase == "L" else "steady", []).append(latency)
        # A battery change made in the same instant as a battery-drain tick may be overtaken
        # by the drained value before Home Assistant sees it: not a lost change.
        coalesced = 0
        for pending in wanted.values():
            kept = [
                item
                for item in pending
                if not any(abs(item[0] - tick) < 0.2 for tick in self.drain_ticks)
            ]
            coalesced += len(pending) - len(kept)
            pending[:] = kept
        missed = sum(len(pending) for pending in wanted.values())
        lost = Counter(
            f"{kind} ({'burst' if phase == 'L' else 'steady'})"
            for pending in wanted.values()
            for _, kind, phase in pending
        )
        every = sorted(value for values in latencies.values() for value in values)
        if not every:
            self.results.row(5, *MEASURES[5], None, "no change reached Home Assistant")
            return
        # A change that never showed up counts as infinitely late.
        ranked = every + [math.inf] * missed
        p50, p99 = _percentile(ranked, 50), _percentile(ranked, 99)
        kinds = ", ".join(
            f"{kind} n={len(values)} p50 {_percentile(sorted(values), 50):.1f} / p99 "
            f"{_percentile(sorted(values), 99):.1f} ms"
            for kind, values in sorted(latencies.items())
        )
        phases = ", ".join(
            f"{phase} n={len(values)} p50 {_percentile(sorted(values), 50):.1f} / p99 "
            f"{_percentile(sorted(values), 99):.1f} ms"
            for phase, values in sorted(by_phase.items())
        )
        self.results.row(
            5,
            MEASURES[5][0],
            f"{p99:.1f} ms",
            MEASURES[5][1],
            p99 < TARGET_LATENCY_P99_MS,
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {every[-1]:.1f} ms over {len(ranked)} "
            f"changes ({missed} never arrived; {skipped_profiled} made while profiling or "
            "measuring memory and "
            f"{coalesced} overtaken by a battery-drain tick are left out"
            f"{f'; {unresolved} unresolved' if unresolved else ''})",
            f"by kind: {kinds}",
            f"by rate: {phases}",
            *([f"never arrived: {dict(lost)}"] if lost else []),
            self._slow_changes(slow),
            f"the event-loop thread waited {self.runqueue_ms_per_s:.1f} ms per s for a CPU "
            "(run queue, i.e. other processes on the machine) while changes were made",
        )

    def _slow_changes(self, slow: list[tuple[float, float]]) -> str:
        """How many of the changes slower than the target overlapped a full resync."""
        resyncs = self.recorder.resyncs
        during = sum(
            1
            for written, arrived in slow
            if any(start - 0.05 <= arrived and written <= end + 0.05 for start, end in resyncs)
        )
        drained = sum(
            1
            for written, arrived in slow
            if any(written - 0.5 <= tick <= arrived for tick in self.drain_ticks)
        )
        collected = sum(
            1
            for written, arrived in slow
            if any(
                seconds >= 0.02 and start <= arrived and written <= start + seconds
                for start, seconds, _ in self.gc_watch.pauses
            )
        )
        polls = [end - start for start, end in resyncs]
        return (
            f"{len(slow)} changes took {TARGET_LATENCY_P99_MS:g} ms or more: {during} overlapped "
            f"one of the {len(resyncs)} full resyncs of the run (backend part "
            f"{min(polls, default=0):.2f}-{max(polls, default=0):.2f} s each), {drained} one of "
            f"the {len(self.drain_ticks)} battery-drain ticks (every receiver pushes runtime "
            f"for every channel at once), {collected} a garbage-collector pause of 20 ms or more"
        )

    async def _offline(self) -> None:
        ports = self._offline_ports()
        ids = {port: self.port_to_id[port] for port in ports}
        self.recorder.offline.clear()
        self.recorder.online.clear()
        reply = await self.worker.call("silent", ports=ports)
        stamps = {int(port): stamp for port, stamp in reply["stamps"].items()}

        def all_offline() -> bool:
            gone = {api for _, api, kind in self.recorder.offline if kind == "receiver"}
            return all(api in gone for api in ids.values())

        await self._wait_for(all_offline, 3 * TARGET_OFFLINE_S)
        detection: list[float] = []
        for port, api in ids.items():
            hits = [t for t, a, k in self.recorder.offline if a == api and k == "receiver"]
            detection.append(min(hits) - stamps[port] if hits else math.inf)
        reply = await self.worker.call("resume", ports=ports)
        resumed = {int(port): stamp for port, stamp in reply["stamps"].items()}

        def all_online() -> bool:
            back = {api for _, api, kind in self.recorder.online if kind == "receiver"}
            return all(api in back for api in ids.values())

        await self._wait_for(all_online, 15.0)
        back: list[float] = []
        for port, api in ids.items():
            hits = [t for t, a, k in self.recorder.online if a == api and k == "receiver"]
            back.append(min(hits) - resumed[port] if hits else math.inf)
        worst = max(detection)
        self.results.row(
            6,
            MEASURES[6][0],
            f"{worst:.2f} s",
            MEASURES[6][1],
            worst <= TARGET_OFFLINE_S,
            f"{len(ports)} receivers silenced at once (sockets left open): "
            + ", ".join(f"{d:.3f}" for d in detection)
            + " s; the worst counts",
            "back online after resume: " + ", ".join(f"{b:.2f}" for b in back) + " s",
        )

    def _offline_ports(self) -> list[int]:
        by_model: dict[str, list[int]] = {}
        for rx in self.worker.ready["receivers"]:
            by_model.setdefault(rx["model"], []).append(rx["port"])
        picked: list[int] = []
        for ports in by_model.values():
            picked += ports[: max(1, self.options.offline_receivers // len(by_model))]
        return picked[: max(self.options.offline_receivers, len(by_model))]

    async def _teardown(self) -> None:
        hass = self.hass
        if self.entry is not None:
            with contextlib.suppress(Exception):
                await self.worker.call("rate", rate=0)
            try:
                await hass.config_entries.async_unload(self.entry.entry_id)
            except Exception as err:
                self.results.notes.append(f"unloading the entry failed: {err!r}")
        await hass.async_stop(force=True)


def _as_callback(function: Callable[[Any], None]) -> Callable[[Any], None]:
    core = importlib.import_module("homeassistant.core")

    def listener(event: Any) -> None:
        function(event)

    wrapped: Callable[[Any], None] = core.callback(listener)
    return wrapped


def _percentile(ordered: list[float], percent: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


# ==========================================================================================
# Report
# ==========================================================================================


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        ha_version = importlib.import_module("homeassistant.const").__version__
    except ImportError:
        ha_version = "not installed"
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Home Assistant {ha_version}"
    )


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "unknown"


def print_report(options: argparse.Namespace, results: Results, worker: Worker | None) -> int:
    receivers = worker.ready.get("receivers", []) if worker else []
    models = Counter(rx["model"] for rx in receivers)
    channels = sum(rx["channels"] for rx in receivers)
    rig = " + ".join(f"{n} {model}" for model, n in models.items()) or options.models
    out = [
        "",
        f"Micboard scale benchmark: {len(receivers)} receivers ({rig}), {channels} channels, "
        "metering every 1000 ms",
        f"command:   {options.command}",
        f"machine:   {machine()}",
        f"load:      {options.load_before} before the run, {_load()} after (1/5/15-min load "
        "average; other work on the machine inflates wall-clock figures, not CPU times)",
        "harness:   Home Assistant from pytest-homeassistant-custom-component's "
        "async_test_home_assistant, HA's production event loop (no debug), no recorder",
        "entities:  the entry's 'detail entities' option "
        + ("ON (--detail-entities)" if options.detail_entities else "off (the default)"),
        f"simulator: separate process, seed {options.seed}, meter noise on, meter jitter "
        f"{options.meter_jitter:g} s, battery drain {options.drain:g} min/min; transmitter "
        f"changes {options.steady_rate:g}/s steady ({100 * (1 - RENAME_SHARE - SWAP_SHARE):.0f} % "
        f"battery, {100 * SWAP_SHARE:.0f} % off-then-on swaps, {100 * RENAME_SHARE:.0f} % "
        "channel renames)",
        "",
    ]
    header = f"{'#':>2}  {'measure':<40} {'figure':>12}  {'target':<14} result"
    out += [header, "-" * len(header)]
    unmeasured = 0
    for number, (measure, target) in MEASURES.items():
        row = results.rows.get(number)
        if row is None or row.passed is None:
            unmeasured += 1
            figure = row.figure if row and row.figure else "n/a"
            out.append(f"{number:>2}  {measure:<40} {figure:>12}  {target:<14} FAIL (not measured)")
        else:
            result = "PASS" if row.passed else "FAIL  <<<"
            out.append(
                f"{number:>2}  {row.measure:<40} {row.figure:>12}  {row.target:<14} {result}"
            )
    failed = sum(1 for row in results.rows.values() if row.passed is False)
    out += [
        "-" * len(header),
        f"{len(MEASURES) - failed - unmeasured} of {len(MEASURES)} targets met"
        + (f", {failed} FAILED" if failed else "")
        + (f", {unmeasured} NOT MEASURED" if unmeasured else ""),
        "",
        "details:",
    ]
    for number in MEASURES:
        row = results.rows.get(number)
        if row is None:
            continue
        out.append(f"{number:>2}. {row.measure}")
        out += [f"    - {line}" for line in row.details]
    if results.notes:
        out += ["", "notes:"] + [f"  - {note}" for note in results.notes]
    if results.profile:
        out += ["", "profile:"] + [f"  {line}" for line in results.profile]
    if results.log_records:
        shown = results.log_records[:12]
        out += ["", f"warnings and errors logged during the run ({len(results.log_records)}):"]
        out += [f"  {line}" for line in shown]
    print("\n".join(out), flush=True)
    if options.json:
        Path(options.json).write_text(
            json.dumps(
                {
                    "command": options.command,
                    "machine": machine(),
                    "rows": {
                        n: {
                            "measure": r.measure,
                            "figure": r.figure,
                            "target": r.target,
                            "passed": r.passed,
                            "details": r.details,
                        }
                        for n, r in results.rows.items()
                    },
                    "notes": results.notes,
                    "profile": results.profile,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 1 if unmeasured else 0


# ==========================================================================================
# Entry point
# ==========================================================================================


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description="Micboard scale benchmark (issue 8)."
    )
    parser.add_argument("--receivers", type=int, default=100)
    parser.add_argument(
        "--models",
        default="ULXD4Q,AD4Q",
        help="receiver models, used in turn (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--drain", type=float, default=1.0, help="battery minutes per minute")
    parser.add_argument(
        "--meter-jitter", type=float, default=0.0, help="simulator SAMPLE jitter (s)"
    )
    parser.add_argument("--steady-rate", type=float, default=4.0, help="changes/s at steady state")
    parser.add_argument("--burst-rate", type=float, default=16.0, help="changes/s, latency burst")
    parser.add_argument("--settle", type=float, default=8.0, help="s before the steady window")
    parser.add_argument("--window", type=float, default=60.0, help="steady-state window (s)")
    parser.add_argument("--profile-window", type=float, default=10.0, help="cProfile (s)")
    parser.add_argument("--burst-window", type=float, default=25.0, help="latency burst (s)")
    parser.add_argument("--resyncs", type=int, default=3, help="full resyncs timed, each way")
    parser.add_argument("--offline-receivers", type=int, default=4)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--detail-entities",
        action="store_true",
        help="with the entry's 'detail entities' option on (the default leaves it off)",
    )
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="FRAMES",
        help="trace allocations (slow: for finding memory, not for timing)",
    )
    parser.add_argument("--simulator-worker", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str]) -> int:
    options = _parser().parse_args(argv)
    if options.simulator_worker:
        asyncio.run(_worker(options))
        return 0
    options.command = os.environ.get("MICBOARD_BENCH_COMMAND") or shlex.join(
        [sys.executable, *sys.argv]
    )
    started = time.monotonic()
    options.load_before = _load()
    results = Results()
    collector = LogCollector()
    logging.basicConfig(level=logging.WARNING, handlers=[collector])
    say(f"starting the simulator ({options.receivers} x {options.models}) in its own process")
    worker = Worker(options)
    try:
        # Import Home Assistant while the simulator starts up.
        runner = importlib.import_module("homeassistant.runner")
        importlib.import_module("pytest_homeassistant_custom_component.common")
        worker.wait_ready(60)
        say(f"simulator ready: {len(worker.ready['receivers'])} receivers on 127.0.0.1")
        loop = runner.create_event_loop(debug=False)
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(_run(options, worker, results))
        finally:
            loop.run_until_complete(worker.close())
            loop.close()
    except Exception:
        results.notes.append("the benchmark stopped early:\n" + traceback.format_exc())
        if worker.process.poll() is None:
            worker.process.kill()
    results.log_records = collector.records
    results.notes.append(f"benchmark wall time {time.monotonic() - started:.0f} s")
    return print_report(options, results, worker)


async def _run(options: argparse.Namespace, worker: Worker, results: Results) -> None:
    bench = Bench(options, worker, results)
    await bench.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
