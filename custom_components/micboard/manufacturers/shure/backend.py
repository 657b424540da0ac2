"""``ShureBackend``: every configured Shure receiver, kept connected, as one Snapshot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
import logging
import time

from ..backend import ChangeListener, ChangeSet, ConnectionStats
from ..errors import DeviceError, ErrorKind
from ..models import Receiver, Snapshot, SyncResult
from .client import MANUFACTURER, ClientOptions, ReceiverConnection, build_receiver

_LOGGER = logging.getLogger(__name__)

type HostPort = tuple[str, int]

# Receivers re-read at the same time during a refresh.
_RESYNC_CONCURRENCY = 25


class ShureBackend:
    """Keeps one connection per receiver and publishes a new Snapshot on every change.

    Changes arriving in the same event-loop iteration are coalesced into one Snapshot.
    """

    def __init__(
        self,
        hosts: Sequence[HostPort],
        *,
        meter_rate_ms: int = 1000,
        liveness_timeout: float = 4.5,
        connect_timeout: float = 3.0,
        request_timeout: float = 2.0,
        burst_quiet_time: float = 0.1,
        reconnect_min: float = 1.0,
        reconnect_max: float = 30.0,
    ) -> None:
        self._options = ClientOptions(
            meter_rate_ms=meter_rate_ms,
            liveness_timeout=liveness_timeout,
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
            burst_quiet_time=burst_quiet_time,
            reconnect_min=reconnect_min,
            reconnect_max=reconnect_max,
        )
        self._hosts: list[HostPort] = list(dict.fromkeys(hosts))
        self._connections: dict[HostPort, ReceiverConnection] = {}
        self._published: dict[HostPort, Receiver] = {}
        self._dirty: set[HostPort] = set()
        self._publish_pending = False
        self._listeners: list[ChangeListener] = []
        self._last_sync: SyncResult | None = None
        self._snapshot = Snapshot(manufacturer=MANUFACTURER)
        for host, port in self._hosts:
            self._published[host, port] = self._placeholder(host, port)
        self._snapshot = self._build_snapshot()

    @property
    def manufacturer(self) -> str:
        """Manufacturer code."""
        return MANUFACTURER

    @property
    def snapshot(self) -> Snapshot:
        """The current state of every configured receiver."""
        return self._snapshot

    @property
    def hosts(self) -> list[HostPort]:
        """Configured receivers, in the order they were added."""
        return list(self._hosts)

    @property
    def connection_stats(self) -> Mapping[str, ConnectionStats]:
        """Per receiver (by api device id): reconnect attempts and the last error."""
        stats: dict[str, ConnectionStats] = {}
        for key, receiver in self._published.items():
            connection = self._connections.get(key)
            stats[receiver.api_device_id] = ConnectionStats(
                host=key[0],
                port=key[1],
                online=receiver.online,
                reconnects=connection.reconnects if connection else 0,
                last_error=connection.last_error if connection else receiver.error,
            )
        return stats

    async def start(self) -> None:
        """Connect to every receiver concurrently; returns once each has been tried once."""
        await asyncio.gather(*(self._start_connection(key) for key in self._hosts))

    async def stop(self) -> None:
        """Switch metering off and close every connection; no task is left running."""
        connections = list(self._connections.values())
        self._connections.clear()
        await asyncio.gather(*(connection.stop() for connection in connections))

    async def refresh(self) -> SyncResult:
        """Re-read the full state of every receiver concurrently."""
        started = time.monotonic()
        keys = list(self._hosts)
        # All replies of a large rig landing in one loop iteration would hold pushed changes
        # back for a few hundred ms; re-reading in waves keeps them flowing.
        limit = asyncio.Semaphore(_RESYNC_CONCURRENCY)

        async def resync(key: HostPort) -> str | None:
            async with limit:
                return await self._resync(key)

        errors = await asyncio.gather(*(resync(key) for key in keys))
        self._publish()
        failures = {
            f"{host}:{port}": DeviceError(ErrorKind.UNREACHABLE, error)
            for (host, port), error in zip(keys, errors, strict=True)
            if error
        }
        result = SyncResult(
            device_count=len(keys),
            online_count=sum(1 for key in keys if self._published[key].online),
            error_count=len(failures),
            duration_seconds=round(time.monotonic() - started, 3),
            errors=failures,
        )
        self._last_sync = result
        self._snapshot = self._build_snapshot()
        return result

    def add_listener(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener(snapshot, changed_ids)`` on every change; returns its remover."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    async def add_receiver(self, host: str, port: int) -> Receiver:
        """Start watching another receiver; returns it after the first connection attempt."""
        key = (host, port)
        if key not in self._published:
            self._hosts.append(key)
            self._published[key] = self._placeholder(host, port)
            self._mark_dirty(key)
        if key not in self._connections:
            await self._start_connection(key)
        self._publish()
        return self._published[key]

    async def remove_receiver(self, host: str, port: int) -> None:
        """Stop watching a receiver and drop it from the snapshot."""
        key = (host, port)
        connection = self._connections.pop(key, None)
        if connection is not None:
            await connection.stop()
        if key in self._hosts:
            self._hosts.remove(key)
        self._dirty.discard(key)
        removed = self._published.pop(key, None)
        if removed is not None:
            self._snapshot = self._build_snapshot()
            gone = frozenset({removed.api_device_id})
            self._notify(ChangeSet(receivers=gone, structure=gone))

    async def _start_connection(self, key: HostPort) -> None:
        connection = ReceiverConnection(key[0], key[1], self._options, self._on_change)
        self._connections[key] = connection
        await connection.start()

    async def _resync(self, key: HostPort) -> str | None:
        connection = self._connections.get(key)
        if connection is None:
            return "not started"
        return await connection.resync()

    def _on_change(self, connection: ReceiverConnection) -> None:
        key = (connection.host, connection.port)
        if self._connections.get(key) is connection:
            self._mark_dirty(key)

    def _mark_dirty(self, key: HostPort) -> None:
        self._dirty.add(key)
        if not self._publish_pending:
            self._publish_pending = True
            asyncio.get_running_loop().call_soon(self._publish)

    def _publish(self) -> None:
        """Rebuild the receivers that changed; publish and notify if any really did."""
        self._publish_pending = False
        dirty, self._dirty = self._dirty, set()
        changed: set[str] = set()
        meters: set[str] = set()
        structure: set[str] = set()
        for key in dirty:
            connection = self._connections.get(key)
            if connection is None or key not in self._published:
                continue
            previous = self._published[key]
            current = connection.receiver()
            if current == previous:
                continue
            self._published[key] = current
            changed.add(current.api_device_id)
            # The id moves from host:port to the MAC once the receiver has reported it.
            changed.add(previous.api_device_id)
            if (
                previous.api_device_id != current.api_device_id
                or previous.identified != current.identified
                or len(previous.channels) != len(current.channels)
            ):
                structure |= {previous.api_device_id, current.api_device_id}
            elif _meter_only(previous, current):
                meters.add(current.api_device_id)
        if changed:
            self._snapshot = self._build_snapshot()
            self._notify(
                ChangeSet(
                    receivers=frozenset(changed),
                    meters_only=frozenset(meters),
                    structure=frozenset(structure),
                )
            )

    def _notify(self, changed: ChangeSet) -> None:
        for listener in list(self._listeners):
            try:
                listener(self._snapshot, changed)
            except Exception:
                _LOGGER.exception("Error in a Shure snapshot listener")

    def _build_snapshot(self) -> Snapshot:
        receivers = {receiver.api_device_id: receiver for receiver in self._published.values()}
        return Snapshot(manufacturer=MANUFACTURER, receivers=receivers, last_sync=self._last_sync)

    @staticmethod
    def _placeholder(host: str, port: int) -> Receiver:
        return build_receiver(
            host,
            port,
            None,
            online=False,
            error=DeviceError(ErrorKind.NOT_CONNECTED, "not connected yet"),
        )


def _meter_only(old: Receiver, new: Receiver) -> bool:
    """Temporary: whether only meter readings changed."""
    fields = ("online", "name", "firmware", "model", "rf_band", "host", "error")
    if any(getattr(old, f) != getattr(new, f) for f in fields):
        return False
    return all(
        a is b
        or (
            a.index,
            a.name,
            a.frequency_mhz,
            a.group_channel,
            a.audio_gain_db,
            a.audio_mute,
            a.interference,
            a.encryption_error,
            a.transmitter,
        )
        == (
            b.index,
            b.name,
            b.frequency_mhz,
            b.group_channel,
            b.audio_gain_db,
            b.audio_mute,
            b.interference,
            b.encryption_error,
            b.transmitter,
        )
        for a, b in zip(old.channels, new.channels, strict=True)
    )
