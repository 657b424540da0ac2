"""``FleetBackend``: what every "one connection per endpoint" backend shares.

A manufacturer backend whose devices each hold (or are polled over) a connection of their
own only has to say how to talk to one device: an ``EndpointConnection``. The fleet owns
everything above that, identically for every manufacturer:

- one connection per configured ``(host, port)``, started concurrently, added and removed
  while running (discovery);
- a placeholder receiver for every endpoint not contacted yet, so the snapshot always lists
  every configured device (``identified=False``, error kind ``NOT_CONNECTED``); an
  endpoint may turn out to be a charger, which the snapshot then lists under ``chargers``;
- change notifications from the connections, coalesced: everything that changed within one
  event-loop iteration becomes one ``Snapshot`` and one ``ChangeSet``, so 100 receivers
  metering every second cost one publish per loop iteration, not one per message;
- listeners, each isolated from the others' exceptions;
- ``refresh`` in bounded waves (``resync_concurrency`` at a time), so the replies of a large
  rig do not all land in one loop iteration and hold pushed changes back;
- ``connection_stats`` for diagnostics.

``ReconnectingConnection`` is the other half every connection-oriented backend shares: a
base class for one device's connection that connects, stays live until the link is lost,
backs off (capped, with full jitter) and tries again, forever. A manufacturer's connection
only supplies ``_run_session`` (one connected lifetime), ``_end_session`` (its clean-up)
and ``device``.

How a connection reports changes: the fleet hands every connection a ``ChangeNotifier``.
The connection calls it with ``Change.METERS`` when only meter readings changed (levels,
peak, antenna, quality) and with ``Change.STATE`` for anything else (values, online state,
errors, identity, bays and batteries), and only when ``device()`` would now return
something different. The connection knows what each message it applied touched, so the
fleet never has to compare receivers field by field to tell a meter reading from a setting.
The fleet itself works out ``structure`` / ``charger_structure`` (appeared, went,
identified, channel or bay count, id moved, receiver turned charger), which is cheap to see.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Callable, Iterable, Mapping
import contextlib
from dataclasses import dataclass, replace
from enum import Enum
import logging
import random
import time
from typing import Protocol

from .backend import ChangeListener, ChangeSet, ConnectionStats, HostPort
from .controls import check_audio_gain, check_audio_mute, check_channel_name, check_identify
from .errors import (
    ControlNotSupportedError,
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    MicboardError,
    UnsupportedDeviceError,
)
from .models import Charger, Device, Receiver, Snapshot, SyncResult

_LOGGER = logging.getLogger(__name__)

# Receivers re-read at the same time during a refresh: enough to finish a large rig quickly,
# few enough that their replies spread over several loop iterations.
DEFAULT_RESYNC_CONCURRENCY = 25

NOT_CONNECTED = DeviceError(ErrorKind.NOT_CONNECTED, "not connected yet")
"""The error of an endpoint that has not been contacted yet."""


SESSION_ENDED = DeviceError(ErrorKind.CLOSED, "session ended")


class Change(Enum):
    """What a connection's change touched, as far as its consumers care."""

    # Only meter readings (RF and audio levels, audio peak, antenna, quality): consumers
    # refresh what shows meters and nothing else.
    METERS = "meters"
    # Anything else: settings, transmitter values, online state, errors, identity.
    STATE = "state"


type ChangeNotifier = Callable[[Change], None]
"""Given to each connection; called synchronously whenever its ``device()`` changed."""


class EndpointConnection(Protocol):
    """One device's connection, as the fleet drives it.

    Implementations keep the device current on their own (reconnecting as they see fit)
    and call their ``ChangeNotifier`` when ``device()`` changes. ``reconnects`` and
    ``last_error`` may be plain attributes.
    """

    @property
    def reconnects(self) -> int:
        """Connection attempts after the first (for diagnostics)."""

    @property
    def last_error(self) -> DeviceError | None:
        """Why the device is not usable now; None while it is."""

    async def start(self) -> None:
        """Start connecting; return once the first attempt has finished either way."""

    async def stop(self) -> None:
        """Close politely; no task of the connection is left running."""

    async def resync(self) -> DeviceError | None:
        """Re-read the device's full state now; None on success, else why it failed."""

    def device(self) -> Device:
        """The device as it is now (cheap: called on every publish that concerns it).

        A placeholder ``Receiver`` until identified; then a ``Receiver`` or a ``Charger``.
        """

    # Writes: sent as asked (the fleet has checked the device's controls and limits) and
    # returned once the device reported the new value (its state already holding it);
    # ``WriteRefusedError``, ``NotConfirmedError`` or ``MicboardConnectionError`` if not.

    async def identify(self, channel: int) -> None:
        """Make the device (channel 0) or a channel show where it is."""

    async def set_channel_name(self, channel: int, name: str) -> str:
        """Rename a channel; the name as reported."""

    async def set_audio_mute(self, channel: int, muted: bool) -> bool:
        """Mute or unmute a channel's output; the state as reported."""

    async def set_audio_gain(self, channel: int, gain_db: int) -> int:
        """Set a channel's gain (dB); the gain as reported."""


type ConnectionFactory[C: EndpointConnection] = Callable[[str, int, ChangeNotifier], C]
"""(host, port, notifier) -> a new, not yet started connection."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """How long a ``ReconnectingConnection`` waits between attempts (seconds)."""

    minimum: float = 1.0
    maximum: float = 30.0

    def pause(self, step: int) -> float:
        """The pause after ``step`` pauses since the device was last online.

        Doubling per step up to the cap, drawn from its upper half: the jitter keeps a rack
        of receivers that lost power together from coming back in lock-step, and the
        exponent is bounded so that days of failures cannot overflow.
        """
        ceiling = min(self.minimum * 2 ** min(step, 32), self.maximum)
        return random.uniform(ceiling / 2, ceiling)


class ReconnectingConnection(ABC):
    """One device's connection, kept up forever: an ``EndpointConnection`` base class.

    The loop: run ``_run_session`` (connect, identify, call ``_went_online``, stay live until
    the link is lost by raising a ``MicboardError``); record why it ended; pause with
    ``backoff``; try again. ``_wake`` cuts a pause short. Whoever waits for "the next
    attempt" (``start``, a ``resync`` while offline) is released when an attempt gets
    online or fails, and when the connection stops.

    Subclasses implement ``_run_session``, ``_end_session`` and ``device``, and their own
    ``resync`` (calling ``_next_attempt`` while offline); they report their own changes
    through ``_changed``.
    """

    def __init__(
        self, host: str, port: int, notify: ChangeNotifier, backoff: Backoff, *, label: str
    ) -> None:
        self.host = host
        self.port = port
        self._where = f"{host}:{port}"
        self._notify = notify
        self._backoff_policy = backoff
        self._label = label
        self._online = False
        self._error: DeviceError | None = NOT_CONNECTED
        self._unsupported_logged = False
        self.reconnects = 0
        self._task: asyncio.Task[None] | None = None
        # Set to cut a backoff pause short; subclasses may use it to wake their live loop.
        self._wake = asyncio.Event()
        self._attempt_waiters: list[asyncio.Future[None]] = []
        self._online_this_attempt = False

    @property
    def online(self) -> bool:
        """True while connected and identified."""
        return self._online

    @property
    def last_error(self) -> DeviceError | None:
        """Why the device is not online (None while it is)."""
        return self._error

    @abstractmethod
    def device(self) -> Device:
        """The device as it is now."""

    @abstractmethod
    async def _run_session(self) -> None:
        """One connected lifetime: connect, identify, ``_went_online()``, stay live.

        Raises a ``MicboardError`` when the device cannot be reached or identified, or when
        the link is lost. Never returns normally while live. What it opened is closed by
        ``_end_session``, also when it is cancelled.
        """

    @abstractmethod
    async def _end_session(self) -> None:
        """Close whatever the last ``_run_session`` opened (nothing if it opened nothing)."""

    async def start(self) -> None:
        """Start connecting; returns once the first attempt has finished either way."""
        first_attempt = self._attempt_finished()
        self._task = asyncio.create_task(self._run(), name=f"{self._label} {self._where}")
        await first_attempt

    async def stop(self) -> None:
        """End the task; ``_end_session`` closes the socket on the way out."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _backoff(self, step: int) -> float:
        return self._backoff_policy.pause(step)

    async def _next_attempt(self) -> DeviceError | None:
        """Skip the backoff pause, wait for that attempt, and return how it went."""
        attempt = self._attempt_finished()
        self._wake.set()
        await attempt
        return self._error

    def _went_online(self) -> None:
        """Called by ``_run_session`` once identified: online now, and the waiters released."""
        self._unsupported_logged = False
        self._online_this_attempt = True
        # Forced: the session's fresh state may differ even when online and error do not.
        self._set_status(online=True, error=None, force=True)
        self._finish_attempt()

    def _changed(self, change: Change) -> None:
        """Tell the fleet ``device()`` changed (subclasses drop their caches first)."""
        self._notify(change)

    def _set_status(self, *, online: bool, error: DeviceError | None, force: bool = False) -> None:
        """Record the connection state; tell the fleet only if the public view changed."""
        if not force and (online, error) == (self._online, self._error):
            return
        self._online, self._error = online, error
        self._changed(Change.STATE)

    def _attempt_finished(self) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().create_future()
        self._attempt_waiters.append(future)
        return future

    def _finish_attempt(self) -> None:
        waiters, self._attempt_waiters = self._attempt_waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)

    async def _run(self) -> None:
        step = 0
        try:
            while True:
                if await self._attempt():
                    step = 0
                self.reconnects += 1
                pause = self._backoff(step)
                step += 1
                _LOGGER.debug("%s: reconnecting in %.1f s", self._where, pause)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._wake.wait()
        finally:
            # Nobody may wait forever for an attempt of a stopped connection.
            self._finish_attempt()

    async def _attempt(self) -> bool:
        """One ``_run_session``; records why it ended, then cleans up. True if it got online."""
        self._online_this_attempt = False
        try:
            await self._run_session()
            # Not expected (a live session ends by raising), but never left "online".
            self._set_status(online=False, error=SESSION_ENDED)
        except UnsupportedDeviceError as err:
            # Said once, not on every retry: the device will not change its mind.
            if not self._unsupported_logged:
                _LOGGER.warning("%s", err)
                self._unsupported_logged = True
            self._set_status(online=False, error=err.error)
        except MicboardError as err:
            _LOGGER.debug("%s", err)
            self._set_status(online=False, error=err.error)
        finally:
            try:
                # After the status: a polite close to a hung device may take seconds,
                # and "offline" must not wait for it.
                await self._end_session()
            finally:
                self._finish_attempt()
        return self._online_this_attempt


def _where(key: HostPort) -> str:
    return f"{key[0]}:{key[1]}"


def placeholder_receiver(
    manufacturer: str, host: str, port: int, error: DeviceError | None = NOT_CONNECTED
) -> Receiver:
    """A device known only by its address: not identified, offline, id ``host:port``."""
    return Receiver(
        manufacturer=manufacturer,
        api_device_id=f"{host}:{port}",
        host=host,
        port=port,
        online=False,
        identified=False,
        error=error,
    )


def structure_changed(previous: Device, current: Device) -> bool:
    """Whether consumers that list devices, channels and bays must look again.

    True when the device was identified (or lost its identity), its id moved, it turned
    from a receiver into a charger (or back), or it gained or lost channels or bays.
    """
    if type(previous) is not type(current):
        return True
    if previous.identified != current.identified or previous.api_device_id != current.api_device_id:
        return True
    if isinstance(previous, Receiver) and isinstance(current, Receiver):
        return len(previous.channels) != len(current.channels)
    assert isinstance(previous, Charger)
    assert isinstance(current, Charger)
    return len(previous.bays) != len(current.bays)


class _Endpoint[C: EndpointConnection]:
    """One configured endpoint: its connection (once started) and what was last published."""

    __slots__ = ("connection", "key", "pending", "published", "remembered")

    def __init__(self, key: HostPort, published: Device) -> None:
        self.key = key
        self.connection: C | None = None
        self.published: Device = published
        # Who answered here in an earlier run, until the device answers in this one.
        self.remembered: Device | None = None
        # The change kinds notified since the last publish; None when nothing is pending.
        self.pending: Change | None = None


class FleetBackend[C: EndpointConnection]:
    """A ``Backend`` keeping one ``EndpointConnection`` per configured endpoint.

    A manufacturer backend passes its manufacturer code and a factory that builds one
    connection for ``(host, port, notifier)``; subclasses usually add nothing but their
    constructor options. ``C`` is the connection type, so a subclass can reach its own
    connections' extras through ``connection()``.
    """

    def __init__(
        self,
        manufacturer: str,
        hosts: Iterable[HostPort],
        connection_factory: ConnectionFactory[C],
        *,
        resync_concurrency: int = DEFAULT_RESYNC_CONCURRENCY,
    ) -> None:
        self._manufacturer = manufacturer
        self._connection_factory = connection_factory
        # Shared by overlapping refreshes, so that the bound holds for the whole backend.
        self._resync_limit = asyncio.Semaphore(resync_concurrency)
        # Insertion order is the configured order, which the snapshot keeps.
        self._endpoints: dict[HostPort, _Endpoint[C]] = {}
        self._dirty: list[_Endpoint[C]] = []
        self._publish_scheduled = False
        self._listeners: list[ChangeListener] = []
        self._last_sync: SyncResult | None = None
        for host, port in hosts:
            if (host, port) not in self._endpoints:
                self._endpoints[host, port] = self._new_endpoint(host, port)
        self._snapshot = self._build_snapshot()

    # --- Backend protocol ------------------------------------------------------------------

    @property
    def manufacturer(self) -> str:
        """Manufacturer code, e.g. ``"shure"``."""
        return self._manufacturer

    @property
    def snapshot(self) -> Snapshot:
        """The current state of every configured device (receivers and chargers)."""
        return self._snapshot

    @property
    def hosts(self) -> list[HostPort]:
        """Configured endpoints, in the order they were added."""
        return list(self._endpoints)

    @property
    def connection_stats(self) -> Mapping[str, ConnectionStats]:
        """Per device (by api device id): connection state, reconnects, last error."""
        stats: dict[str, ConnectionStats] = {}
        for endpoint in self._endpoints.values():
            device, connection = endpoint.published, endpoint.connection
            stats[device.api_device_id] = ConnectionStats(
                host=endpoint.key[0],
                port=endpoint.key[1],
                online=device.online,
                reconnects=connection.reconnects if connection is not None else 0,
                last_error=connection.last_error if connection is not None else device.error,
            )
        return stats

    async def start(self) -> None:
        """Connect to every endpoint concurrently; returns once each has been tried once."""
        await asyncio.gather(*(self._start(endpoint) for endpoint in self._endpoints.values()))
        # Whatever the first attempts found is in the snapshot when start returns.
        self._publish()

    async def stop(self) -> None:
        """Close every connection; no task is left running. The snapshot stays as it was."""
        connections = []
        for endpoint in self._endpoints.values():
            if endpoint.connection is not None:
                connections.append(endpoint.connection)
                endpoint.connection = None
        # Changes the closing connections report concern nobody any more.
        for endpoint in self._dirty:
            endpoint.pending = None
        self._dirty.clear()
        await asyncio.gather(*(connection.stop() for connection in connections))

    async def refresh(self) -> SyncResult:
        """Re-read every endpoint, ``resync_concurrency`` at a time; publish; report."""
        started = time.monotonic()
        endpoints = list(self._endpoints.values())

        async def resync(endpoint: _Endpoint[C]) -> DeviceError | None:
            async with self._resync_limit:
                if endpoint.connection is None:
                    return NOT_CONNECTED
                return await endpoint.connection.resync()

        outcomes = await asyncio.gather(*(resync(endpoint) for endpoint in endpoints))
        self._publish()
        errors = {
            f"{endpoint.key[0]}:{endpoint.key[1]}": error
            for endpoint, error in zip(endpoints, outcomes, strict=True)
            if error is not None
        }
        result = SyncResult(
            device_count=len(endpoints),
            online_count=sum(1 for endpoint in endpoints if endpoint.published.online),
            error_count=len(errors),
            duration_seconds=round(time.monotonic() - started, 3),
            errors=errors,
        )
        self._last_sync = result
        # last_sync is not part of equality: nobody is told about a poll alone.
        self._snapshot = self._build_snapshot()
        return result

    def add_listener(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener(snapshot, change_set)`` on every publish; returns its remover."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    async def add_receiver(self, host: str, port: int) -> Device:
        """Start watching another endpoint (a receiver or a charger); returns its device
        after the first connection attempt."""
        endpoint = self._endpoints.get((host, port))
        if endpoint is None:
            endpoint = self._endpoints[host, port] = self._new_endpoint(host, port)
            self._publish(appeared=endpoint.published)
        await self._start(endpoint)
        self._publish()
        return endpoint.published

    async def remove_receiver(self, host: str, port: int) -> None:
        """Stop watching an endpoint and drop it from the snapshot (published at once)."""
        endpoint = self._endpoints.pop((host, port), None)
        if endpoint is None:
            return
        connection, endpoint.connection = endpoint.connection, None
        if connection is not None:
            await connection.stop()
        # Whatever else is pending goes out with the removal, in one change set.
        self._publish(went=endpoint.published)

    # --- controls -----------------------------------------------------------------------------

    async def identify(self, api_id: str, channel: int = 0) -> None:
        """Make the device (channel 0) or one channel show where it is, once it confirms."""
        connection, device = self._writable(api_id)
        check_identify(device, channel)
        await connection.identify(channel)
        self._publish()

    async def set_channel_name(self, api_id: str, channel: int, name: str) -> str:
        """Rename a channel; the name as the device reports it (published by then)."""
        connection, device = self._writable(api_id)
        check_channel_name(device, channel, name)
        reported = await connection.set_channel_name(channel, name)
        self._publish()
        return reported

    async def set_audio_mute(self, api_id: str, channel: int, muted: bool) -> bool:
        """Mute or unmute a channel's receiver output; the state as reported."""
        connection, device = self._writable(api_id)
        check_audio_mute(device, channel)
        reported = await connection.set_audio_mute(channel, muted)
        self._publish()
        return reported

    async def set_audio_gain(self, api_id: str, channel: int, gain_db: int) -> int:
        """Set a channel's audio gain (dB); the gain as reported."""
        connection, device = self._writable(api_id)
        check_audio_gain(device, channel, gain_db)
        reported = await connection.set_audio_gain(channel, gain_db)
        self._publish()
        return reported

    def _writable(self, api_id: str) -> tuple[C, Device]:
        """The connection and published view of a device that can be told something now."""
        endpoint = next(
            (e for e in self._endpoints.values() if e.published.api_device_id == api_id), None
        )
        if endpoint is None:
            raise ControlNotSupportedError(f"no device {api_id} is watched")
        device, connection = endpoint.published, endpoint.connection
        if connection is None or not device.online:
            raise MicboardConnectionError(
                "offline", kind=ErrorKind.NOT_CONNECTED, host=_where(endpoint.key)
            )
        return connection, device

    # --- for subclasses ----------------------------------------------------------------------

    def remember(self, devices: Iterable[Device]) -> None:
        """Identities an earlier run learnt, for devices that have not answered in this one.

        Until such a device answers, it is published as that receiver or charger
        (identified, with its id, model and channels or bays) but offline, so a consumer can
        show it as switched off rather than as an unknown address. Call before ``start``.
        """
        for device in devices:
            endpoint = self._endpoints.get((device.host, device.port))
            if endpoint is None or not device.identified or endpoint.published.identified:
                continue
            endpoint.remembered = device
            endpoint.published = self._as_remembered(device, endpoint.published)
        self._snapshot = self._build_snapshot()

    @staticmethod
    def _as_remembered(remembered: Device, current: Device) -> Device:
        return replace(remembered, online=False, error=current.error)

    def _with_remembered(self, endpoint: _Endpoint[C], current: Device) -> Device:
        """What to publish for a device with a remembered identity."""
        remembered = endpoint.remembered
        assert remembered is not None
        if not current.identified:
            return self._as_remembered(remembered, current)
        if (
            type(current) is type(remembered)
            and current.mac_address is None
            and remembered.mac_address is not None
            and current.model == remembered.model
            and current.api_device_id == f"{endpoint.key[0]}:{endpoint.key[1]}"
        ):
            # It answered without its MAC (yet): the same model at the same address keeps
            # the id it is known by, rather than moving back to host:port and again later.
            return replace(
                current,
                api_device_id=remembered.api_device_id,
                mac_address=remembered.mac_address,
            )
        return current

    def connection(self, host: str, port: int) -> C | None:
        """The running connection of an endpoint, if it has one."""
        endpoint = self._endpoints.get((host, port))
        return None if endpoint is None else endpoint.connection

    # --- internals ---------------------------------------------------------------------------

    def _new_endpoint(self, host: str, port: int) -> _Endpoint[C]:
        return _Endpoint((host, port), placeholder_receiver(self._manufacturer, host, port))

    async def _start(self, endpoint: _Endpoint[C]) -> None:
        if endpoint.connection is not None:
            return
        connection = self._connection_factory(*endpoint.key, self._notifier(endpoint))
        endpoint.connection = connection
        await connection.start()

    def _notifier(self, endpoint: _Endpoint[C]) -> ChangeNotifier:
        """The callback one connection reports its changes through."""

        def notify(change: Change) -> None:
            # A removed endpoint's (or a stopped connection's) last words are dropped.
            if self._endpoints.get(endpoint.key) is not endpoint or endpoint.connection is None:
                return
            if endpoint.pending is None:
                endpoint.pending = change
                self._dirty.append(endpoint)
            elif change is Change.STATE:
                endpoint.pending = Change.STATE
            if not self._publish_scheduled:
                self._publish_scheduled = True
                asyncio.get_running_loop().call_soon(self._publish)

        return notify

    def _publish(self, *, appeared: Device | None = None, went: Device | None = None) -> None:
        """Publish everything pending (plus an endpoint that appeared or went) as one change."""
        self._publish_scheduled = False
        dirty, self._dirty = self._dirty, []
        changed = _Changed()
        for endpoint in dirty:
            change, endpoint.pending = endpoint.pending, None
            connection = endpoint.connection
            if connection is None or self._endpoints.get(endpoint.key) is not endpoint:
                continue
            previous = endpoint.published
            current = connection.device()
            if current is previous:
                continue
            if endpoint.remembered is not None:
                current = self._with_remembered(endpoint, current)
            if (
                change is Change.METERS
                and isinstance(current, Receiver)
                and isinstance(previous, Receiver)
            ):
                # The connection says only meters moved: no field-by-field compare needed.
                endpoint.published = current
                changed.receivers.add(current.api_device_id)
                changed.meters_only.add(current.api_device_id)
                continue
            # Settings, status and identity change rarely: a full compare is affordable
            # here and keeps an unchanged poll from ever being published as a change.
            if current == previous:
                continue
            endpoint.published = current
            # When the id moves (host:port to the MAC), both ids are in the change set; a
            # placeholder that turned out to be a charger goes from the receivers.
            structure = structure_changed(previous, current)
            changed.add(previous, structure=structure)
            changed.add(current, structure=structure)
        for device in (appeared, went):
            if device is not None:
                changed.add(device, structure=True)
        if not changed:
            return
        self._snapshot = self._build_snapshot()
        self._notify(changed.change_set())

    def _notify(self, change_set: ChangeSet) -> None:
        snapshot = self._snapshot
        for listener in list(self._listeners):
            try:
                listener(snapshot, change_set)
            except Exception:
                # One consumer's bug must not starve the others of changes.
                _LOGGER.exception("Error in a %s change listener", self._manufacturer)

    def _build_snapshot(self) -> Snapshot:
        receivers: dict[str, Receiver] = {}
        chargers: dict[str, Charger] = {}
        for endpoint in self._endpoints.values():
            device = endpoint.published
            if isinstance(device, Charger):
                chargers[device.api_device_id] = device
            else:
                receivers[device.api_device_id] = device
        return Snapshot(
            manufacturer=self._manufacturer,
            receivers=receivers,
            chargers=chargers,
            last_sync=self._last_sync,
        )


class _Changed:
    """The ids one publish changed, by kind, as they become a ``ChangeSet``."""

    __slots__ = (
        "charger_structure",
        "chargers",
        "meters_only",
        "not_meters",
        "receivers",
        "structure",
    )

    def __init__(self) -> None:
        self.receivers: set[str] = set()
        self.meters_only: set[str] = set()
        # Ids with any other change: never meters-only, even if another reading was.
        self.not_meters: set[str] = set()
        self.structure: set[str] = set()
        self.chargers: set[str] = set()
        self.charger_structure: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.receivers or self.chargers)

    def add(self, device: Device, *, structure: bool) -> None:
        """A non-meter change of ``device`` (structural or not)."""
        api_id = device.api_device_id
        if isinstance(device, Charger):
            self.chargers.add(api_id)
            if structure:
                self.charger_structure.add(api_id)
            return
        self.receivers.add(api_id)
        self.not_meters.add(api_id)
        if structure:
            self.structure.add(api_id)

    def change_set(self) -> ChangeSet:
        return ChangeSet(
            receivers=frozenset(self.receivers),
            meters_only=frozenset(self.meters_only - self.not_meters),
            structure=frozenset(self.structure),
            chargers=frozenset(self.chargers),
            charger_structure=frozenset(self.charger_structure),
        )
