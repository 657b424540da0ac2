"""Identify an SSC v1 receiver or CHG 70N charger, keep it subscribed, and ``probe``.

A connection reads who the device is and every channel and transmitter value (a charger:
every bay), subscribes to the receiver, channel, transmitter and meter subtrees (a
charger: its device and bays subtrees), then applies every pushed change as it arrives.
Meter readings (about five datagrams a second per channel on EW-DX) are applied as they
come but passed on at most once per ``meter_interval`` (1 s) per receiver; everything else
at once. Subscriptions are renewed well before their lifetime runs out,
beside the liveness check, so a device that falls silent is offline within
``liveness_timeout`` of its last datagram whatever the renewal is doing; one whose
renewals go unanswered until its subscriptions have lapsed while no meters arrive, or that
fails at socket level, is offline too, and is re-probed with capped, jittered backoff,
forever (``ReconnectingConnection``). No request carries more than
``max_leaves_per_request`` leaves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Sequence
import contextlib
from dataclasses import dataclass
import logging
from typing import Any, override

from ..errors import (
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    MicboardError,
    NotConfirmedError,
    UnsupportedDeviceError,
    WriteRefusedError,
)
from ..fleet import (
    Backoff,
    Change,
    ChangeNotifier,
    ReconnectingConnection,
    placeholder_receiver,
)
from ..models import Charger, Device, Receiver
from .charger import (
    BAY_PATHS,
    CHARGER_DEVICE_PATHS,
    ChargerState,
    is_charger,
    is_supported_charger,
)
from .codec import (
    FORBIDDEN,
    MAX_LEAVES_PER_REQUEST,
    NOT_FOUND,
    UNAUTHORIZED,
    Path,
    Reply,
    chunked,
    merged,
    request_tree,
    write_tree,
)
from .paths import (
    DEVICE_NAME,
    DEVICE_PATHS,
    MAX_CHANNELS,
    PRODUCT,
    Area,
    channel_leaves,
    channel_path,
)
from .state import MANUFACTURER, NAME_RULE, DeviceState
from .transport import ACCESS_HINT, SscSession

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT = 45

# Shortest sleep of the watch loop, so that a deadline just missed is not spun on.
_MIN_WAIT = 0.01
_TX_PROBE: Path = channel_path(1, Area.TX, ("battery", "gauge"))
IDENTIFICATION: Path = ("device", "identification", "visual")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientOptions:
    """Timing of one receiver connection (seconds)."""

    # Longest wait for the answer to one request; requests are tried ``attempts`` times.
    request_timeout: float = 2.0
    attempts: int = 2
    # A subscribed receiver talks several times a second (meters); this much silence means
    # offline. Below 5 s so that "offline" lands within 5 s of the last datagram.
    liveness_timeout: float = 4.5
    # After this much silence, read ``device/name`` so that a quiet device has a reason
    # to speak before the liveness deadline.
    keepalive_after: float = 1.5
    # Subscriptions live this long on the device and are renewed every ``renew_interval``:
    # two renewals in a row may be lost before one lapses.
    subscription_lifetime: int = 15
    renew_interval: float = 5.0
    reconnect_min: float = 1.0
    # Capped low so a receiver that comes back is found again within seconds: it waits at
    # most one pause (2.5-5 s) plus a read. The soak's recovery target is 10 s at p99, and
    # with an 8 s cap a loaded machine came within 0.2 s of it; a failed attempt costs one datagram.
    reconnect_max: float = 5.0
    # Meter readings reach the fleet at most once per this many seconds per receiver (the
    # latest reading wins), like Shure's METER_RATE 1000. EW-DX streams meters about five
    # times a second per channel and SSC v1 offers no documented way to ask for fewer (the
    # subscription's ``min``/``max`` are undocumented for EW-DX and self-contradictory
    # elsewhere, sheet part 2 §4), so they are coalesced here. Anything else, including
    # a link lost or found through a meter, is passed on at once. 0: every datagram.
    meter_interval: float = 1.0
    # How long a write may take until the device answers it with the value it took; the
    # write is sent again half-way (a datagram may be lost).
    control_timeout: float = 3.0
    # Identification is switched off again after this long (whether the device stops on
    # its own is not documented; Shure receivers stop after about 30 s).
    identify_seconds: float = 30.0
    # No request carries more leaves than this: longer reads and subscriptions are split.
    max_leaves_per_request: int = MAX_LEAVES_PER_REQUEST


def subscription_request(entries: Sequence[Sequence[Path]], lifetime: int) -> dict[str, Any]:
    """One ``osc/state/subscribe`` request; each entry is a subscription of its own.

    Separate entries keep one subtree's failure (e.g. 424 on ``mates`` while no
    transmitter is linked) from taking the other subtrees' notifications with it.
    """
    params = {"min": 0, "max": 0, "count": 1000, "lifetime": lifetime}
    subscriptions = [{"#": params, **request_tree(paths)} for paths in entries if paths]
    return {"osc": {"state": {"subscribe": subscriptions}}}


async def read_with_retry(
    session: SscSession, paths: Iterable[Path], options: ClientOptions
) -> Reply:
    """Read leaves, asking again when a datagram was lost; MicboardConnectionError if none.

    More leaves than one request may carry are read in several requests at once, and their
    answers merged.
    """
    paths = tuple(paths)
    parts = chunked(paths, options.max_leaves_per_request)
    if len(parts) > 1:
        return merged(await _all(*(read_with_retry(session, part, options) for part in parts)))
    for _ in range(options.attempts):
        try:
            return await session.read(paths, timeout=options.request_timeout)
        except TimeoutError:
            continue
    raise MicboardConnectionError(
        f"no answer on UDP port {session.port}; {ACCESS_HINT}",
        kind=ErrorKind.TIMED_OUT,
        host=session.where,
    )


def _raise_if_access_denied(reply: Reply, where: str) -> None:
    if (
        reply.errors
        and not reply.values
        and set(reply.errors.values()) <= {UNAUTHORIZED, FORBIDDEN}
    ):
        raise MicboardError(
            f"the device refuses SSC v1 requests (error {min(reply.errors.values())}); "
            + ACCESS_HINT,
            kind=ErrorKind.ACCESS_DISABLED,
            host=where,
        )


type SscState = DeviceState | ChargerState
"""What one session's datagrams are applied to: a receiver's or a charger's state."""


async def identify(
    session: SscSession, state: DeviceState, options: ClientOptions
) -> ChargerState | None:
    """Read identity, channel count and every channel and transmitter value into ``state``.

    A CHG 70N is not read further: a fresh ``ChargerState`` is returned for it, which the
    caller reads with ``read_charger`` (after routing the session's datagrams to it).
    Raises UnsupportedDeviceError for SSC devices that are neither EW-DX / EW-D receivers
    nor a CHG 70N (SpeechLine and ew D1 keep the battery elsewhere).
    """
    # ``session`` hands every datagram to ``state`` before a read returns, so the replies
    # are only inspected here, never applied twice.
    layout_paths = [channel_path(i, Area.RX, ("name",)) for i in range(1, MAX_CHANNELS + 1)]
    layout, device = await _all(
        read_with_retry(session, [*layout_paths, _TX_PROBE], options),
        read_with_retry(session, DEVICE_PATHS, options),
    )
    _raise_if_access_denied(device, session.where)
    product = state.value(PRODUCT)
    if is_charger(product):
        if is_supported_charger(product):
            return ChargerState()
        raise UnsupportedDeviceError(
            f"{product} is a Sennheiser charger this library does not speak (CHG 70N only)",
            host=session.where,
        )
    if not state.count_channels(layout):
        raise UnsupportedDeviceError(
            "answers SSC but has no receiver channel (rx1)", host=session.where
        )
    if layout.errors.get(_TX_PROBE) == NOT_FOUND:
        raise UnsupportedDeviceError(
            "answers SSC but has no mates/tx1/battery: not an EW-DX or EW-D receiver",
            host=session.where,
        )
    await _all(*_channel_reads(session, state, options))
    return None


async def read_charger(session: SscSession, state: ChargerState, options: ClientOptions) -> None:
    """Read a charger's identity and every bay leaf (the datagrams go to ``state``)."""
    await _all(
        read_with_retry(session, _wanted(state, CHARGER_DEVICE_PATHS), options),
        read_with_retry(session, _wanted(state, BAY_PATHS), options),
    )


async def resync(session: SscSession, state: SscState, options: ClientOptions) -> None:
    """Read identity, every channel and transmitter leaf again (meters: subscription only).

    A charger: its identity and every bay leaf.
    """
    if isinstance(state, ChargerState):
        await read_charger(session, state, options)
        return
    reads = _channel_reads(session, state, options)
    if device := _wanted(state, DEVICE_PATHS):
        reads.append(read_with_retry(session, device, options))
    await _all(*reads)


def _channel_reads(
    session: SscSession, state: DeviceState, options: ClientOptions
) -> list[Coroutine[Any, Any, Reply]]:
    # One request per channel (12 leaves), well under ``max_leaves_per_request``; all four
    # of an EM 4 in one would not be.
    reads = []
    for index in range(1, state.channel_count + 1):
        leaves = [*channel_leaves(index, Area.RX), *channel_leaves(index, Area.TX)]
        if wanted := _wanted(state, leaves):
            reads.append(read_with_retry(session, wanted, options))
    return reads


async def _all[T](*coroutines: Coroutine[Any, Any, T]) -> list[T]:
    """Await concurrently; on the first failure cancel the rest and raise that failure."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except* MicboardError as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]


def _wanted(state: SscState, paths: Iterable[Path]) -> list[Path]:
    return [path for path in paths if path not in state.missing]


def _subscription(
    entries: Sequence[Sequence[Path]], lifetime: int
) -> tuple[dict[str, Any], list[Path]]:
    """A subscription request and the leaves it covers."""
    return subscription_request(entries, lifetime), [path for entry in entries for path in entry]


async def probe(
    host: str,
    port: int = DEFAULT_PORT,
    timeout: float = 5.0,  # noqa: ASYNC109 - one budget for every request of the probe
) -> Device:
    """Identify the receiver or charger at ``host:port`` once; return it (online).

    Raises MicboardConnectionError when nothing answers (TIMED_OUT) or the port is closed
    (REFUSED), UnsupportedDeviceError when an SSC device answers that is neither an EW-DX /
    EW-D receiver nor a CHG 70N, MicboardError(ACCESS_DISABLED) when it refuses SSC v1.
    """
    options = ClientOptions(request_timeout=min(timeout / 2, 2.0), attempts=3)
    state = DeviceState()
    target: list[SscState] = [state]
    # Late-bound: the datagrams go to whichever state ``target`` holds by then.
    session = SscSession(host, port, lambda reply: target[0].apply(reply))  # noqa: PLW0108
    charger: ChargerState | None = None
    try:
        async with asyncio.timeout(timeout):
            await session.open()
            charger = await identify(session, state, options)
            if charger is not None:
                target[0] = charger
                await read_charger(session, charger, options)
    except TimeoutError as err:
        raise MicboardConnectionError(
            f"no answer within {timeout:g} s; {ACCESS_HINT}",
            kind=ErrorKind.TIMED_OUT,
            host=session.where,
        ) from err
    finally:
        session.close()
    if charger is not None:
        return charger.charger(host, port, online=True)
    return state.receiver(host, port, online=True)


class ReceiverConnection(ReconnectingConnection):
    """Keeps one receiver or charger subscribed forever, its state current (a fleet endpoint).

    ``notify`` is called synchronously with ``Change.METERS`` when only meter readings
    changed and ``Change.STATE`` for anything else; ``device()`` builds the new view.
    The reconnect loop is ``ReconnectingConnection``'s.
    """

    def __init__(
        self,
        host: str,
        port: int,
        notify: ChangeNotifier,
        options: ClientOptions | None = None,
    ) -> None:
        options = options or ClientOptions()
        super().__init__(
            host,
            port,
            notify,
            Backoff(minimum=options.reconnect_min, maximum=options.reconnect_max),
            label="sennheiser",
        )
        self._options = options
        # The last identified state; kept while offline so the device keeps its id.
        self._state: SscState | None = None
        # The live session (identified and subscribed); ``_link`` is the socket of the
        # current attempt, for ``_end_session`` to close.
        self._session: SscSession | None = None
        self._link: SscSession | None = None
        # ``_wake`` (the base's) also wakes the watch loop: a 310, a socket error.
        self._renew_now = False
        # Meter coalescing: when the next meter change may be passed on, and the timer
        # that passes on the readings held back until then.
        self._meters_due = 0.0
        # When meters last arrived (they flow only while the subscriptions live).
        self._meters_heard: float | None = None
        self._meter_flush: asyncio.TimerHandle | None = None
        # Identification switched on, by path: when it is switched off again.
        self._identify_off: dict[Path, asyncio.TimerHandle] = {}

    @override
    def device(self) -> Receiver | Charger:
        """The receiver or charger as it is now."""
        state = self._state
        if state is None:
            return placeholder_receiver(MANUFACTURER, self.host, self.port, self._error)
        if isinstance(state, ChargerState):
            return state.charger(self.host, self.port, online=self._online, error=self._error)
        return state.receiver(self.host, self.port, online=self._online, error=self._error)

    async def resync(self) -> DeviceError | None:
        """Re-read every value now; None on success, else why not."""
        session, state = self._session, self._state
        if not self._online or session is None or state is None:
            # Offline: cut the backoff short and report how that attempt went.
            return await self._next_attempt()
        try:
            await resync(session, state, self._options)
        except MicboardError as err:
            return err.error
        return None

    # --- writes ------------------------------------------------------------------------------

    async def identify(self, channel: int) -> None:
        """Switch visual identification on (device or ``rxN``); off again after a while."""
        path = IDENTIFICATION if channel == 0 else (f"rx{channel}", "identification", "visual")
        await self._send_write(path, True, lambda value: value is True)
        loop = asyncio.get_running_loop()
        if (pending := self._identify_off.pop(path, None)) is not None:
            pending.cancel()
        self._identify_off[path] = loop.call_later(
            self._options.identify_seconds, self._stop_identify, path
        )

    def _stop_identify(self, path: Path) -> None:
        self._identify_off.pop(path, None)
        session = self._session
        if session is not None:
            # Best effort: a lost datagram leaves it to the device to stop.
            with contextlib.suppress(MicboardError):
                session.send(write_tree(path, False))

    async def set_channel_name(self, channel: int, name: str) -> str:
        """Write ``rxN/name``; the reply carries the name as the device took it."""
        reported = await self._send_write(
            channel_path(channel, Area.RX, ("name",)),
            name,
            lambda value: isinstance(value, str) and NAME_RULE.same(name, value.strip()),
        )
        assert isinstance(reported, str)
        return reported.strip()

    async def set_audio_mute(self, channel: int, muted: bool) -> bool:
        """Write ``rxN/mute`` (the receiver's output)."""
        reported = await self._send_write(
            channel_path(channel, Area.RX, ("mute",)), muted, lambda value: value is muted
        )
        assert isinstance(reported, bool)
        return reported

    async def set_audio_gain(self, channel: int, gain_db: int) -> int:
        """Write ``rxN/gain`` (dB)."""
        reported = await self._send_write(
            channel_path(channel, Area.RX, ("gain",)),
            gain_db,
            lambda value: (
                isinstance(value, int | float) and not isinstance(value, bool) and value == gain_db
            ),
        )
        assert isinstance(reported, int | float)
        return round(reported)

    async def _send_write(
        self, path: Path, value: object, same: Callable[[object], bool]
    ) -> object:
        """Write one leaf; return what the device answered it took.

        The answer to a write mirrors the leaf with the value the device took, or an error at
        the leaf. Unanswered, it is sent once more half-way through ``control_timeout`` (UDP
        may lose either datagram; a write of the same value twice does no harm).
        """
        session = self._session
        if not self._online or session is None:
            raise MicboardConnectionError("offline", kind=ErrorKind.NOT_CONNECTED, host=self._where)
        where = "/".join(path)
        timeout = self._options.control_timeout
        for _ in range(2):
            try:
                reply = await session.request(write_tree(path, value), [path], timeout=timeout / 2)
            except TimeoutError:
                continue
            if (code := reply.errors.get(path)) is not None:
                raise WriteRefusedError(f"{where}: error {code}", host=self._where)
            if path in reply.values:
                reported = reply.values[path]
                if not same(reported):
                    raise WriteRefusedError(
                        f"{where}: the device kept {reported!r}", host=self._where
                    )
                return reported
            # Answered without a word about the leaf: no confirmation (asked once more).
        raise NotConfirmedError(f"{where}: no answer within {timeout:g} s", host=self._where)

    @override
    async def _run_session(self) -> None:
        """One session: identify, subscribe, stay live until lost (raises MicboardError)."""
        receiver = DeviceState()
        # Where this session's datagrams go: the receiver state, or the charger's once the
        # device said it is one.
        target: list[SscState] = [receiver]
        session = SscSession(self.host, self.port, lambda reply: self._received(target[0], reply))
        session.on_failure = lambda _failure: self._wake.set()
        self._link = session
        await session.open()
        charger = await identify(session, receiver, self._options)
        state: SscState = receiver
        if charger is not None:
            state = target[0] = charger
            await read_charger(session, charger, self._options)
        await self._subscribe(session, state)
        self._state, self._session = state, session
        self._went_online()
        await self._watch(session, state)

    @override
    async def _end_session(self) -> None:
        # Subscriptions are not cancelled: they lapse on their own.
        self._session = None
        if self._meter_flush is not None:
            self._meter_flush.cancel()
            self._meter_flush = None
        for pending in self._identify_off.values():
            pending.cancel()
        self._identify_off.clear()
        link, self._link = self._link, None
        if link is not None:
            link.close()

    def _received(self, state: SscState, reply: Reply) -> None:
        if reply.values and next(iter(reply.values))[0] == "m":
            # Meters come only through a live subscription.
            self._meters_heard = asyncio.get_running_loop().time()
        applied = state.apply(reply)
        if applied.subscription_ended:
            # The device dropped a subscription (310): renew at once. Unanswered renewals
            # lose the link only as ``_watch`` says (lapsed, and no meters).
            self._renew_now = True
            self._wake.set()
        if applied.changed and isinstance(state, DeviceState) and state.stale_transmitters:
            # Maybe the link is back: the watch loop decides whether to read the TX.
            self._wake.set()
        if applied.changed and state is self._state and self._online:
            if applied.meters_only:
                self._meters_changed()
            else:
                self._changed(Change.STATE)

    def _meters_changed(self) -> None:
        """Pass meter readings on at most once per ``meter_interval`` (the latest wins)."""
        if self._meter_flush is not None:
            return  # already held back: the flush takes this reading with it
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now >= self._meters_due:
            self._meters_due = now + self._options.meter_interval
            self._changed(Change.METERS)
        else:
            self._meter_flush = loop.call_at(self._meters_due, self._flush_meters)

    def _flush_meters(self) -> None:
        self._meter_flush = None
        if self._online and self._session is not None:
            self._meters_due = asyncio.get_running_loop().time() + self._options.meter_interval
            # Nothing is published when a state change in between already showed them.
            self._changed(Change.METERS)

    def _subscriptions(self, state: SscState) -> list[tuple[dict[str, Any], list[Path]]]:
        """Every subscription request (tree, leaves it covers), renewals included."""
        if isinstance(state, ChargerState):
            # The device leaves and the bay arrays: a handful of leaves each.
            return self._requests(state, [[CHARGER_DEVICE_PATHS], [BAY_PATHS]])
        # One request for the device, one per channel (12 leaves at most each), and one for
        # every channel's meters (16 leaves at most). Meters stream per subscription, so
        # a single meter subscription makes one datagram per meter tick for the whole
        # receiver instead of one per channel: a quarter of the datagrams on an EM 4.
        channels = range(1, state.channel_count + 1)
        groups: list[list[tuple[Path, ...]]] = [
            [(DEVICE_NAME,)],
            *(
                [channel_leaves(index, Area.RX), channel_leaves(index, Area.TX)]
                for index in channels
            ),
            [tuple(path for index in channels for path in channel_leaves(index, Area.METER))],
        ]
        return self._requests(state, groups)

    def _requests(
        self, state: SscState, groups: list[list[tuple[Path, ...]]]
    ) -> list[tuple[dict[str, Any], list[Path]]]:
        """One subscription request per group; each entry of a group its own subscription.

        A group with more leaves than a request may carry is sent as several requests (an
        entry too long for one request as several entries), never more than
        ``max_leaves_per_request`` leaves in one.
        """
        limit = self._options.max_leaves_per_request
        lifetime = self._options.subscription_lifetime
        requests = []
        for group in groups:
            entries = [part for leaves in group for part in chunked(_wanted(state, leaves), limit)]
            batch: list[tuple[Path, ...]] = []
            for entry in entries:
                if batch and sum(map(len, batch)) + len(entry) > limit:
                    requests.append(_subscription(batch, lifetime))
                    batch = []
                batch.append(entry)
            if batch:
                requests.append(_subscription(batch, lifetime))
        return requests

    async def _subscribe(self, session: SscSession, state: SscState) -> None:
        """Send (or renew) every subscription; MicboardConnectionError if unanswered."""

        async def send(tree: dict[str, Any], paths: list[Path]) -> None:
            for _ in range(self._options.attempts):
                with contextlib.suppress(TimeoutError):
                    await session.request(tree, paths, timeout=self._options.request_timeout)
                    return
            raise MicboardConnectionError(
                "subscription not answered", kind=ErrorKind.SILENT, host=session.where
            )

        await _all(*(send(tree, paths) for tree, paths in self._subscriptions(state)))

    async def _watch(self, session: SscSession, state: SscState) -> None:
        """Keep the session live: liveness, renewals, keep-alive, transmitter re-reads.

        Sleeps until the next deadline (or a wake-up from a datagram that needs acting on),
        so a hundred quiet receivers cost no polling. Renewals run beside the loop, so the
        liveness deadline is checked on time even while a renewal waits for its answer.
        """
        options = self._options
        loop = asyncio.get_running_loop()
        next_renewal = loop.time() + options.renew_interval
        last_keepalive = loop.time()
        renewal: asyncio.Task[None] | None = None
        unanswered = 0
        # Unanswered renewals in a row after which the subscriptions have lapsed.
        lapse_after = max(1, int(options.subscription_lifetime / options.renew_interval))
        # Per channel whose transmitter is to be read again: when it may be asked again
        # (an unanswered read is repeated after ``request_timeout``).
        next_read: dict[int, float] = {}
        try:
            while True:
                if session.failure is not None:
                    raise session.failure
                if renewal is not None and renewal.done():
                    failure = renewal.exception()
                    renewal = None
                    if failure is None:
                        unanswered = 0
                        next_renewal = loop.time() + options.renew_interval
                    elif isinstance(failure, MicboardConnectionError):
                        # A renewal whose datagrams were lost while the device still talks
                        # is asked again at once; only when the subscriptions would have
                        # lapsed unrenewed is the link lost (the device forgot us).
                        unanswered += 1
                        if unanswered >= lapse_after and not self._meters_flow(loop.time()):
                            raise failure
                        _LOGGER.debug("%s: renewal unanswered, asking again", session.where)
                        next_renewal = loop.time()
                    else:
                        raise failure
                now = loop.time()
                heard = session.last_received or now
                if now - heard >= options.liveness_timeout:
                    raise MicboardConnectionError(
                        f"silent for {options.liveness_timeout:g} s",
                        kind=ErrorKind.SILENT,
                        host=session.where,
                    )
                if renewal is None and (self._renew_now or now >= next_renewal):
                    self._renew_now = False
                    renewal = asyncio.create_task(self._subscribe(session, state))
                    renewal.add_done_callback(lambda _task: self._wake.set())
                next_keepalive = max(heard, last_keepalive) + options.keepalive_after
                if now >= next_keepalive:
                    session.send(request_tree([DEVICE_NAME]))
                    # Meters stream continuously while a subscription lives (sheet §4), so
                    # this much silence means the device hung or forgot the subscriptions
                    # (a reboot blip, a dropped client). Renewing them now, without waiting
                    # for the answer, brings a forgetful device's pushes back at once; the
                    # scheduled renewal would leave it online but stale for up to
                    # ``renew_interval``. A hung one is still caught by the liveness deadline.
                    # A charger streams nothing: its silence is normal, the read is enough.
                    if isinstance(state, DeviceState):
                        for tree, _paths in self._subscriptions(state):
                            session.send(tree)
                    last_keepalive = now
                    next_keepalive = now + options.keepalive_after
                deadlines = [next_keepalive, heard + options.liveness_timeout]
                if renewal is None:
                    deadlines.append(next_renewal)
                deadlines += self._read_transmitters(session, state, next_read, now)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(min(deadlines) - now, _MIN_WAIT)):
                        await self._wake.wait()
        finally:
            if renewal is not None:
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError, MicboardError):
                    await renewal

    def _meters_flow(self, now: float) -> bool:
        """Whether meters arrived within the last renewal interval.

        They come only through a live subscription, so renewals whose answers are lost
        (datagrams lost on the way back) while meters still arrive are no lost link; a
        device that really forgot the subscriptions stops them, and the liveness deadline
        (or the next unanswered renewal) catches it.
        """
        heard = self._meters_heard
        return heard is not None and now - heard < self._options.renew_interval

    def _read_transmitters(
        self, session: SscSession, state: SscState, next_read: dict[int, float], now: float
    ) -> list[float]:
        """Read each transmitter that may be back, at once; return when to ask again.

        A transmitter that came back may not be pushed again (the sheet leaves it open),
        and one kept through a link loss may be another: its channel is read as soon as
        the link is up, each channel on its own, so two coming back together both show.
        """
        if isinstance(state, ChargerState):
            return []
        stale = state.transmitters_to_read()
        for index in [index for index in next_read if index not in stale]:
            del next_read[index]
        limit = self._options.max_leaves_per_request
        for index in stale:
            if now >= next_read.get(index, now):
                for part in chunked(_wanted(state, channel_leaves(index, Area.TX)), limit):
                    session.send(request_tree(part))
                next_read[index] = now + self._options.request_timeout
        return list(next_read.values())
