"""Who spends the event loop's time: every callback timed and charged to its owner."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Mapping
import contextlib
import gc
import threading
import time
from types import CodeType, FrameType

from .frames import callable_kind, describe, frame_kind, handle_callback, label, object_kind
from .timing import clock

CALLBACK_OWNERS = {
    "micboard": "Micboard callbacks and tasks (inclusive of the HA work they call)",
    "micboard-io": "asyncio socket I/O of Micboard's receiver connections",
    "homeassistant": "Home Assistant callbacks and tasks",
    "asyncio": "asyncio internals",
    "bench": "bench harness (control connection, board client, their tasks)",
    "other": "other callbacks",
}

type Owner = tuple[str, str]
"""(owner, what the callback is): ``("micboard", "task MicboardCoordinator._x")``."""


def top(values: Mapping[str, float], n: int | None = None) -> list[tuple[str, float]]:
    """The largest values first, as ``Counter.most_common`` orders them (ties: first seen)."""
    return sorted(values.items(), key=lambda item: item[1], reverse=True)[:n]


class LoopAccounting:
    """Times every event-loop callback (asyncio ``Handle``) and charges it to its owner.

    A callback is Micboard's when its function, the object it is bound to, a job or partial
    it carries, or (for a task step) any coroutine of the task's await chain or that
    coroutine's ``self`` comes from ``custom_components/micboard``. Socket reads and writes
    of the receiver connections are charged to Micboard too, those of the connections Home
    Assistant's HTTP server accepted (``server_ports``) to Home Assistant, any other (the
    bench's control connection and board client) to the bench. Time spent in the bench's own
    state listeners (they run inside Micboard's state writes) is measured and subtracted, and
    so are garbage-collector pauses, which are reported on their own.
    """

    def __init__(
        self, receiver_ports: set[int], server_ports: frozenset[int] = frozenset()
    ) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        # Micboard's callbacks by what they are (task, method), in seconds.
        self.labels: defaultdict[str, float] = defaultdict(float)
        # Garbage-collector CPU time by the owner of the callback it interrupted.
        self.gc_seconds: defaultdict[str, float] = defaultdict(float)
        self._ports = receiver_ports
        # Home Assistant's own listening ports (HTTP): the connections it accepted are its own.
        self._server_ports = server_ports
        self._task_owner: dict[int, tuple[asyncio.Task[object], Owner]] = {}
        self._transport_owner: dict[int, tuple[asyncio.BaseTransport, Owner]] = {}
        self._original = asyncio.events.Handle._run
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
        original = self._original
        owner_of = self._owner
        seconds, calls, labels = self.seconds, self.calls, self.labels
        slowest = self.slowest
        perf = time.thread_time  # CPU time: other processes on the machine do not count
        lookup = self.lookup_seconds
        current = self._current

        def _run(handle: asyncio.Handle) -> None:
            before = perf()
            owner, what = owner_of(handle)
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
                    labels[what] += took
                if took > 0.02:
                    slowest.append((took, owner, describe(handle)))
                    slowest.sort(reverse=True)
                    del slowest[8:]

        # Every callback of every loop runs through Handle._run: the one place to time them.
        asyncio.events.Handle._run = _run  # type: ignore[method-assign, assignment]
        gc.callbacks.append(self._gc)

    def stop(self) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if phase == "start":
            self._gc_started = time.thread_time()
        else:
            self.gc_seconds[self._current[0]] += time.thread_time() - self._gc_started

    def _owner(self, handle: asyncio.Handle) -> Owner:
        callback = handle_callback(handle)
        target = getattr(callback, "__self__", None)
        if isinstance(target, asyncio.Task):
            return self._of_task(target)
        if isinstance(target, asyncio.BaseTransport):
            return self._of_transport(target)
        candidates = [callback, *handle._args]
        kinds = [callable_kind(candidate) for candidate in candidates]
        for kind in ("micboard", "bench"):
            if kind in kinds:
                return kind, label(candidates[kinds.index(kind)])
        return kinds[0] or "other", label(callback)

    def _of_transport(self, transport: asyncio.BaseTransport) -> Owner:
        cached = self._transport_owner.get(id(transport))
        if cached is not None and cached[0] is transport:
            return cached[1]
        peer = transport.get_extra_info("peername")
        port = peer[1] if isinstance(peer, tuple) and len(peer) > 1 else None
        local = transport.get_extra_info("sockname")
        if isinstance(local, tuple) and len(local) > 1 and local[1] in self._server_ports:
            found = ("homeassistant", "Home Assistant HTTP server socket (asyncio transport)")
            self._transport_owner[id(transport)] = (transport, found)
            return found
        owner = "bench" if port is not None and port not in self._ports else "micboard-io"
        found = (owner, "receiver socket reads and writes (asyncio transport)")
        self._transport_owner[id(transport)] = (transport, found)
        return found

    def _of_task(self, task: asyncio.Task[object]) -> Owner:
        cached = self._task_owner.get(id(task))
        if cached is not None and cached[0] is task:
            return cached[1]
        found = _find_task_owner(task)
        self._task_owner[id(task)] = (task, found)
        return found


def _find_task_owner(task: asyncio.Task[object]) -> Owner:
    """The owner of a task: any coroutine of its await chain, or that coroutine's ``self``."""
    coro: object = task.get_coro()
    what = "task " + str(getattr(coro, "__qualname__", type(coro).__name__))
    kinds: set[str] = set()
    depth = 0
    while coro is not None and depth < 64:
        depth += 1
        code: CodeType | None = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
        if code is None:
            break
        kinds.add(frame_kind(code.co_filename))
        frame: FrameType | None = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None and "self" in code.co_varnames:
            kinds.add(object_kind(frame.f_locals.get("self")))
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    for kind in ("bench", "micboard", "homeassistant", "asyncio"):
        if kind in kinds:
            return kind, what
    return "other", what


def _thread_time_cost() -> float:
    """Seconds one ``time.thread_time()`` call takes here."""
    started = time.perf_counter()
    for _ in range(1000):
        time.thread_time()
    return (time.perf_counter() - started) / 1000


class GcWatch:
    """Times the cyclic garbage collector's pauses (they block the event loop)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int]] = []  # (start, seconds, generation)
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
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
