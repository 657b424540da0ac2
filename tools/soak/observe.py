"""What the soak watches in its own process: bus events, log lines, loop errors, resources."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import gc
import logging
import os
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback

from custom_components.micboard.const import (
    EVENT_DEVICE_DISCOVERED,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_SYNCED,
    EVENT_DEVICE_UPDATED,
)
from tools.bench.system import trimmed_rss_mb
from tools.bench.timing import clock

from .matching import OFFLINE, ONLINE, UPDATED, BusEvent

_KINDS = {EVENT_DEVICE_OFFLINE: OFFLINE, EVENT_DEVICE_ONLINE: ONLINE, EVENT_DEVICE_UPDATED: UPDATED}


@dataclass
class BusRecorder:
    """Every ``micboard_device_*`` event, stamped on the shared monotonic clock."""

    events: list[BusEvent] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    _unsubs: list[Callable[[], None]] = field(default_factory=list)

    def listen(self, hass: HomeAssistant) -> None:
        for event_type in (*_KINDS, EVENT_DEVICE_SYNCED, EVENT_DEVICE_DISCOVERED):
            self._unsubs.append(hass.bus.async_listen(event_type, self._event))

    def stop(self) -> None:
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    @callback
    def _event(self, event: Event[dict[str, Any]]) -> None:
        event_type = str(event.event_type)
        self.counts[event_type] = self.counts.get(event_type, 0) + 1
        kind = _KINDS.get(event_type)
        if kind is None:
            return
        data = event.data
        name = None
        if kind == UPDATED:
            if "name" not in data.get("changed", []):
                return
            name = str(data["new_data"]["name"])
        self.events.append(
            BusEvent(clock(), kind, str(data["api_device_id"]), str(data["device_type"]), name)
        )


@dataclass(frozen=True, slots=True)
class LogLine:
    at: float
    level: str
    logger: str
    message: str


class LogCollector(logging.Handler):
    """Every warning-or-worse line, stamped."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[LogLine] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "homeassistant.loader" and "custom integration" in str(record.msg):
            return
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
        self.lines.append(LogLine(clock(), record.levelname, record.name, message[:400]))


@dataclass
class LoopErrors:
    """Exceptions the event loop's exception handler saw."""

    errors: list[str] = field(default_factory=list)

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            exc = context.get("exception")
            self.errors.append(
                f"{context.get('message', '')} {type(exc).__name__ if exc else ''}: {exc}"[:300]
            )
            loop.default_exception_handler(context)

        loop.set_exception_handler(handler)


@dataclass(frozen=True, slots=True)
class Resources:
    at: float
    rss_mb: float
    tasks: int
    fds: int


# Objects of a Home Assistant instance and of Micboard whose count should not grow with
# restarts and reloads (one per instance or per entry is expected).
ALIVE = ("HomeAssistant", "MicboardCoordinator", "ShureBackend", "SennheiserBackend")


def alive_objects() -> dict[str, int]:
    """How many objects of each ``ALIVE`` class survive a full collection.

    Objects of a stopped instance are counted apart: the test harness runs every instance
    on one loop, and Home Assistant's daily entity-registry clean-up timer
    (``helpers/entity_registry.py``, ``_async_setup_cleanup``) keeps a stopped instance,
    and what it still references, alive for a day; in production the process ends instead.
    """
    gc.collect()
    counts = dict.fromkeys(ALIVE, 0)
    for obj in gc.get_objects():
        name = type(obj).__name__
        if name in counts:
            owner = obj if name == "HomeAssistant" else getattr(obj, "hass", None)
            if owner is not None and not owner.is_running:
                name = f"{name} of a stopped instance"
            counts[name] = counts.get(name, 0) + 1
    return counts


def resources() -> Resources:
    """Resident memory (after a full collection and malloc_trim), tasks and open fds."""
    gc.collect()
    return Resources(
        clock(), trimmed_rss_mb(), len(asyncio.all_tasks()), len(os.listdir("/proc/self/fd"))
    )
