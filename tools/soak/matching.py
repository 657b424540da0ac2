"""Matching the simulator's transition log with the ``micboard_device_*`` events (pure).

Nothing here imports Home Assistant or the simulator: the inputs are plain records stamped on
the system-wide monotonic clock (the simulator's ``time.monotonic()`` and the soak's bus
listeners read the same clock), so the rules can be read, and tested, on their own.

The rules (also printed with the report, ``RULES``):

R1 Receiver outages. A receiver is *down* from ``rx-off`` to ``rx-on`` (switched off, port
   refusing) and from ``fault silent`` to ``fault resume`` (hung: sockets open, no answers).
   Down periods of one receiver less than ``MERGE_GAP_S`` apart form one *burst* (a flapping
   link is one burst of several periods). A ``fault drop`` is a burst of its own, zero long.
R2 A burst must be reported (one ``device_offline`` for the receiver, later one
   ``device_online``) when one of its periods lasted at least ``MANDATORY_S`` (longer than
   the 5 s detection target) and Home Assistant was running at its start; shorter bursts
   (drops, flaps, brief hangs) may be reported or not. An offline up to ``LATE_S`` after the
   receiver came back still reports the burst (late: its detection time counts in full).
   A burst may be reported at most once per down period; more offline/online pairs than
   periods are duplicates. A receiver that returned while Home Assistant ran must be
   reported back online (when its offline was).
R3 A receiver powered off while its transmitters were on gives one receiver offline and no
   transmitter offlines: transmitter events are expected only for *direct* transitions,
   made while the receiver was up in the simulator and online in Home Assistant.
R4 Transitions made while the integration could not see them (a *blind window*: from the
   start of a burst until the receiver was reported back online, or until the burst ended
   when no outage was reported; every reported outage too) are folded: only the net change
   per channel between the window's start and end is expected, once, after the window
   (off -> on -> off collapses to nothing; on -> off -> on too), or earlier, from the
   transition that made it (a flapping receiver read between two flaps). Renames fold the
   same way (the final name, if it differs from the name before the window).
R5 While Home Assistant is down (a restart) or an entry reloads, nothing can be reported;
   the first read afterwards announces what changed meanwhile (Micboard catches up after a
   restart or reload within 10 minutes, README "Receivers off at start"), and a receiver
   off across a restart announces it when it returns. A net change folded into such a
   window (or into an outage overlapping one) is expected like R4's: once, after the
   window, or from the transition that made it. After such a window the next receiver
   event may be either online or offline.
R6 Each expected event is matched with the first unused event of the same subject and kind
   (transmitter on/off; the same new name) stamped from ``EARLY_S`` before the transition to
   ``MATCH_WINDOW_S`` after it (the 30 s resync catches up what a lost datagram hid). An
   expected event without one is *lost*. Matched events whose order differs from the
   transitions' order are *out of order*; so is a receiver online stamped while the receiver
   was down. A received event nobody expected is a *duplicate* when it repeats its subject's
   previous event (same kind, or the same name), else *unexplained*.
R7 A transmitter switched off and on again within ``COLLAPSE_S`` on a Sennheiser receiver
   whose datagrams were being lost, with neither event received, is counted as *collapsed by
   datagram loss*, not as lost: the final state was read correctly and no read saw the
   intermediate one. Anything else missing is lost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import re

MERGE_GAP_S = 3.0
MANDATORY_S = 6.0
EARLY_S = 0.2
MATCH_WINDOW_S = 35.0
COLLAPSE_S = 6.0
# A receiver online stamped this long after a down period started is out of order.
ONLINE_GRACE_S = 0.5
# After a burst ends, its online is looked for this long.
RECOVERY_WINDOW_S = 90.0
# A drop's outage, if reported at all, starts within this long.
DROP_WINDOW_S = 5.0
# R2: an offline this long after the receiver came back still reports its outage (late).
LATE_S = 5.0

RULES = [line.strip() for line in (__doc__ or "").split("The rules")[1].splitlines()[1:]]

RX_OFF, RX_ON, TX_OFF, TX_ON = "rx-off", "rx-on", "tx-off", "tx-on"
RENAME, FAULT = "rename", "fault"
OFFLINE, ONLINE, UPDATED = "offline", "online", "updated"
RECEIVER, TRANSMITTER = "receiver", "transmitter"


@dataclass(frozen=True, slots=True)
class SimEntry:
    """One line of the simulator's transition log."""

    at: float
    device: str
    port: int
    channel: int | None
    kind: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class BusEvent:
    """One lifecycle event received on the bus (``kind``: offline, online or updated)."""

    at: float
    kind: str
    api_id: str
    device_type: str
    # For updated: the new name, when the name changed.
    name: str | None = None


@dataclass(slots=True)
class Burst:
    """Down periods of one receiver close together (R1)."""

    port: int
    start: float
    end: float | None  # None: still down at the end of the run
    periods: list[tuple[float, float | None]] = field(default_factory=list)
    drop: bool = False
    causes: set[str] = field(default_factory=set)
    # Filled by the matcher.
    mandatory: bool = False
    offline_at: float | None = None
    online_at: float | None = None
    reported: int = 0
    warnings: int = 0

    @property
    def longest(self) -> float:
        return max(((e if e is not None else float("inf")) - s for s, e in self.periods), default=0)


@dataclass
class Outcome:
    """What the matcher found."""

    injected: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    collapsed: list[str] = field(default_factory=list)
    folded: int = 0
    expected: int = 0
    matched: int = 0
    detection: list[float] = field(default_factory=list)
    recovery: list[float] = field(default_factory=list)
    bursts: list[Burst] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything the matcher needs (all times on the shared monotonic clock)."""

    log: Sequence[SimEntry]
    events: Sequence[BusEvent]
    # Simulator port -> the receiver's api device id.
    api_ids: dict[int, str]
    # Simulator port -> channel -> transmitter on, when the faults began.
    initial_tx: dict[int, dict[int, bool]]
    # Simulator port -> channel (0: the receiver) -> name when the faults began.
    initial_names: dict[int, dict[int, str]]
    # Home Assistant restarts and entry reloads: (start, end, ports concerned).
    ha_blind: Sequence[tuple[float, float, frozenset[int]]]
    # Sennheiser ports whose datagrams were lost meanwhile: (start, end).
    lossy: dict[int, list[tuple[float, float]]]
    start: float
    end: float


def _in(at: float, windows: Iterable[tuple[float, float]]) -> bool:
    return any(s <= at <= e for s, e in windows)


def _bursts(log: Sequence[SimEntry], port: int, end: float) -> list[Burst]:
    periods: list[tuple[float, float | None, str]] = []
    drops: list[float] = []
    off_at: float | None = None
    silent_at: float | None = None
    for entry in log:
        if entry.port != port:
            continue
        if entry.kind == RX_OFF:
            off_at = entry.at
        elif entry.kind == RX_ON and off_at is not None:
            periods.append((off_at, entry.at, "switched off"))
            off_at = None
        elif entry.kind == FAULT and entry.value == "silent":
            silent_at = entry.at
        elif entry.kind == FAULT and entry.value == "resume" and silent_at is not None:
            periods.append((silent_at, entry.at, "silent"))
            silent_at = None
        elif entry.kind == FAULT and entry.value == "drop":
            drops.append(entry.at)
    for still, cause in ((off_at, "switched off"), (silent_at, "silent")):
        if still is not None:
            periods.append((still, None, cause))
    periods.sort(key=lambda p: p[0])
    bursts: list[Burst] = []
    for start, stop, cause in periods:
        last = bursts[-1] if bursts else None
        if last is not None and (last.end is None or start - last.end < MERGE_GAP_S):
            last.periods.append((start, stop))
            last.causes.add(cause)
            last.end = None if stop is None or last.end is None else max(last.end, stop)
            continue
        bursts.append(Burst(port, start, stop, [(start, stop)], causes={cause}))
    for at in drops:
        if not any(b.start - 0.1 <= at <= (b.end if b.end is not None else end) for b in bursts):
            bursts.append(Burst(port, at, at, [(at, at)], drop=True, causes={"drop"}))
    bursts.sort(key=lambda b: b.start)
    return bursts


def match(inputs: Inputs) -> Outcome:
    """Apply R1-R7."""
    out = Outcome()
    log = sorted((e for e in inputs.log if inputs.start <= e.at <= inputs.end), key=lambda e: e.at)
    for entry in log:
        key = entry.kind if entry.kind != FAULT else f"fault {entry.value.split('=')[0]}"
        out.injected[key] = out.injected.get(key, 0) + 1
    events = sorted(inputs.events, key=lambda e: e.at)
    for event in events:
        key = f"{event.device_type} {event.kind}"
        out.received[key] = out.received.get(key, 0) + 1
    by_api: dict[str, list[BusEvent]] = defaultdict(list)
    for event in events:
        by_api[event.api_id].append(event)

    for port, api in sorted(inputs.api_ids.items()):
        ha_blind = [(s, e) for s, e, ports in inputs.ha_blind if port in ports]
        bursts = _bursts(log, port, inputs.end)
        out.bursts += bursts
        blind = _match_receiver(
            out=out,
            port=port,
            api=api,
            bursts=bursts,
            events=by_api.get(api, []),
            ha_blind=ha_blind,
            inputs=inputs,
        )
        _match_transmitters(
            out=out,
            port=port,
            api=api,
            log=log,
            blind=blind,
            ha_blind=ha_blind,
            by_api=by_api,
            inputs=inputs,
        )
        _match_names(
            out=out,
            port=port,
            api=api,
            log=log,
            blind=blind,
            ha_blind=ha_blind,
            by_api=by_api,
            inputs=inputs,
        )
    return out


def _match_receiver(
    out: Outcome,
    *,
    port: int,
    api: str,
    bursts: list[Burst],
    events: list[BusEvent],
    ha_blind: list[tuple[float, float]],
    inputs: Inputs,
) -> list[tuple[float, float]]:
    """R1, R2 and the receiver half of R6; returns the receiver's blind windows (R4)."""
    stream = [e for e in events if e.device_type == RECEIVER and e.kind in (OFFLINE, ONLINE)]
    # Reported outages: (offline at or None after a baseline, online at or None).
    outages: list[tuple[float | None, float | None]] = []
    previous: str | None = None
    for event in stream:
        reset = previous is not None and any(
            s <= event.at and s >= _last_at(stream, event) for s, _ in ha_blind
        )
        if reset:
            previous = None
        if event.kind == previous:
            out.duplicated.append(f"receiver {api}: {event.kind} again at {event.at:.1f}")
            continue
        previous = event.kind
        if event.kind == OFFLINE:
            outages.append((event.at, None))
        elif outages and outages[-1][1] is None and outages[-1][0] is not None:
            outages[-1] = (outages[-1][0], event.at)
        else:
            outages.append((None, event.at))
        if event.kind == ONLINE:
            for burst in bursts:
                for start, stop in burst.periods:
                    if start + ONLINE_GRACE_S < event.at < (stop if stop is not None else 1e18):
                        out.out_of_order.append(
                            f"receiver {api}: online at {event.at:.1f} while down since {start:.1f}"
                        )
    used = [False] * len(outages)
    blind: list[tuple[float, float]] = []
    for burst in bursts:
        horizon = burst.end if burst.end is not None else inputs.end
        last_start = max(s for s, _ in burst.periods)
        window_end = (burst.start + DROP_WINDOW_S) if burst.drop else horizon + LATE_S
        mine: list[tuple[float | None, float | None]] = []
        for index, (off, on) in enumerate(outages):
            if used[index]:
                continue
            starts_here = off is not None and burst.start - EARLY_S <= off <= max(
                window_end, last_start
            )
            back_only = off is None and on is not None and burst.start <= on <= horizon + 60
            if starts_here or back_only:
                used[index] = True
                mine.append((off, on))
        burst.reported = len([m for m in mine if m[0] is not None])
        during_ha = _in(burst.start, ha_blind) or any(
            s - MANDATORY_S < burst.start < s for s, _ in ha_blind
        )
        burst.mandatory = (not burst.drop) and burst.longest >= MANDATORY_S and not during_ha
        if mine:
            offs = [m[0] for m in mine if m[0] is not None]
            ons = [m[1] for m in mine if m[1] is not None]
            burst.offline_at = min(offs) if offs else None
            burst.online_at = max(ons) if ons else None
        if burst.reported > len(burst.periods):
            out.duplicated.append(
                f"receiver {api}: {burst.reported} outages reported for {len(burst.periods)} "
                f"down period(s) from {burst.start:.1f}"
            )
        if burst.mandatory:
            out.expected += 1
            if burst.offline_at is None:
                out.lost.append(
                    f"receiver {api}: offline at {burst.start:.1f} ({burst.longest:.0f} s down)"
                )
            else:
                out.matched += 1
                if len(burst.periods) == 1:
                    out.detection.append(burst.offline_at - burst.start)
        returned = burst.end is not None and not _in(burst.end, ha_blind)
        must_return = returned and (burst.mandatory or burst.offline_at is not None)
        if must_return and burst.end is not None:
            out.expected += 1
            back = _back_online(stream, burst, bursts, inputs.end)
            if back is None:
                out.lost.append(f"receiver {api}: online after {burst.end:.1f}")
            else:
                out.matched += 1
                if back >= burst.end - ONLINE_GRACE_S:
                    burst.online_at = back
                    out.recovery.append(max(0.0, back - burst.end))
        # R4: what the integration could not see.
        seen_back = burst.online_at if burst.online_at is not None else None
        stop = seen_back if seen_back is not None else (burst.end or inputs.end)
        if burst.drop and seen_back is None:
            stop = burst.start + 2.0
        blind.append((burst.start, max(stop, burst.end or inputs.end)))
    for index, (off, on) in enumerate(outages):
        if not used[index] and off is not None:
            out.unexplained.append(
                f"receiver {api}: offline at {off:.1f} with no outage injected"
                + (f" (online at {on:.1f})" if on is not None else "")
            )
        if off is not None:
            blind.append((off, on if on is not None else inputs.end))
    return _merge(blind)


def _back_online(
    stream: list[BusEvent], burst: Burst, bursts: list[Burst], end: float
) -> float | None:
    """When Home Assistant last said the receiver was back, if its last word was online.

    Only events from the burst's start until the next burst (or ``RECOVERY_WINDOW_S`` after
    the burst) count; None when the last of them says offline, or when there is none.
    """
    assert burst.end is not None
    later = [b.start for b in bursts if b.start > burst.start]
    horizon = min(burst.end + RECOVERY_WINDOW_S, end + 1.0)
    until = min([*later, horizon])
    mine = [e for e in stream if burst.start <= e.at < until]
    if mine and mine[-1].kind == OFFLINE:
        # Not back before the next burst began: its first online still ends this outage.
        back = next((e for e in stream if until <= e.at < horizon and e.kind == ONLINE), None)
        if back is not None:
            mine.append(back)
    if not mine or mine[-1].kind != ONLINE:
        return None
    # The first online after the last offline.
    return (
        mine[-1].at
        if len(mine) == 1
        else next(
            e.at
            for e in reversed(mine)
            if e.kind == ONLINE and (mine.index(e) == 0 or mine[mine.index(e) - 1].kind == OFFLINE)
        )
    )


def _last_at(stream: list[BusEvent], event: BusEvent) -> float:
    index = stream.index(event)
    return stream[index - 1].at if index else -1e18


def _merge(windows: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, stop in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


@dataclass(slots=True)
class _Expected:
    at: float
    value: str
    what: str
    # R4 and R5: a net change may be reported from the transition that made it, even inside its
    # window (the receiver came back between two flaps and was read then).
    earliest: float | None = None


def _fold(
    out: Outcome,
    *,
    changes: list[tuple[float, str]],
    initial: str,
    blind: list[tuple[float, float]],
    ha_blind: list[tuple[float, float]],
    what: str,
) -> list[_Expected]:
    """R3-R5 for one subject: the events to expect, in order."""
    expected: list[_Expected] = []
    state = initial
    # Overlapping windows are one; it is by design when Home Assistant was down in it (a
    # receiver off across a restart is first read, as a baseline, when it returns).
    windows: list[tuple[float, float, bool]] = []
    for start, stop, down in sorted(
        [(s, e, False) for s, e in blind] + [(s, e, True) for s, e in ha_blind]
    ):
        if windows and start <= windows[-1][1]:
            last = windows[-1]
            windows[-1] = (last[0], max(last[1], stop), last[2] or down)
        else:
            windows.append((start, stop, down))
    index = 0
    for start, stop, by_design in windows:
        while index < len(changes) and changes[index][0] < start:
            at, value = changes[index]
            if value != state:
                expected.append(_Expected(at, value, f"{what} -> {value} at {at:.1f}"))
            state = value
            index += 1
        before = state
        inside = 0
        last_change = start
        while index < len(changes) and changes[index][0] <= stop:
            if changes[index][1] != state:
                last_change = changes[index][0]
            state = changes[index][1]
            index += 1
            inside += 1
        out.folded += inside
        if inside and state != before:
            across = "across a restart or reload " if by_design else ""
            expected.append(
                _Expected(
                    stop,
                    state,
                    f"{what} -> {state} (net, {across}after {start:.1f}-{stop:.1f})",
                    earliest=last_change,
                )
            )
    while index < len(changes):
        at, value = changes[index]
        if value != state:
            expected.append(_Expected(at, value, f"{what} -> {value} at {at:.1f}"))
        state = value
        index += 1
    return expected


def _align(
    out: Outcome,
    expected: list[_Expected],
    observed: list[tuple[float, str]],
    what: str,
    lossy: list[tuple[float, float]],
) -> None:
    """R6 and R7 for one subject."""
    used = [False] * len(observed)
    matched_at: list[int | None] = []
    for exp in expected:
        found: int | None = None
        lowest = (exp.at if exp.earliest is None else exp.earliest) - EARLY_S
        for index, (at, value) in enumerate(observed):
            if used[index] or value != exp.value or at < lowest:
                continue
            if at <= exp.at + MATCH_WINDOW_S:
                found = index
            break
        matched_at.append(found)
        out.expected += 1
        if found is not None:
            used[found] = True
            out.matched += 1
    highest = -1
    for exp, found in zip(expected, matched_at, strict=True):
        if found is None:
            continue
        if found < highest:
            out.out_of_order.append(f"{exp.what}: its event came before an earlier one's")
        highest = max(highest, found)
    # R7: an off->on (or on->off) pair inside a lossy window, both unseen.
    missing = {i for i, f in enumerate(matched_at) if f is None}
    collapsed: set[int] = set()
    for i in sorted(missing):
        j = i + 1
        if (
            j in missing
            and i not in collapsed
            and expected[j].at - expected[i].at <= COLLAPSE_S
            and _in(expected[i].at, lossy)
        ):
            collapsed |= {i, j}
            out.collapsed.append(f"{expected[i].what} and back at {expected[j].at:.1f}")
    for i in sorted(missing - collapsed):
        out.lost.append(expected[i].what)
    out.matched += len(collapsed)
    previous: str | None = None
    for index, (at, value) in enumerate(observed):
        if not used[index]:
            if value == previous:
                out.duplicated.append(f"{what}: {value} again at {at:.1f}")
            else:
                out.unexplained.append(f"{what}: {value} at {at:.1f} with no transition")
        previous = value


def _match_transmitters(
    out: Outcome,
    *,
    port: int,
    api: str,
    log: Sequence[SimEntry],
    blind: list[tuple[float, float]],
    ha_blind: list[tuple[float, float]],
    by_api: dict[str, list[BusEvent]],
    inputs: Inputs,
) -> None:
    lossy = inputs.lossy.get(port, [])
    lossy = [(s, e + COLLAPSE_S) for s, e in lossy]
    for channel, was_on in sorted(inputs.initial_tx.get(port, {}).items()):
        changes = [
            (e.at, ONLINE if e.kind == TX_ON else OFFLINE)
            for e in log
            if e.port == port and e.channel == channel and e.kind in (TX_ON, TX_OFF)
        ]
        what = f"transmitter {api}:{channel}"
        expected = _fold(
            out=out,
            changes=changes,
            initial=ONLINE if was_on else OFFLINE,
            blind=blind,
            ha_blind=ha_blind,
            what=what,
        )
        observed = [
            (e.at, e.kind)
            for e in by_api.get(f"{api}:{channel}", [])
            if e.device_type == TRANSMITTER and e.kind in (OFFLINE, ONLINE)
        ]
        _align(out, expected, observed, what, lossy)


def _match_names(
    out: Outcome,
    *,
    port: int,
    api: str,
    log: Sequence[SimEntry],
    blind: list[tuple[float, float]],
    ha_blind: list[tuple[float, float]],
    by_api: dict[str, list[BusEvent]],
    inputs: Inputs,
) -> None:
    for channel, name in sorted(inputs.initial_names.get(port, {}).items()):
        changes = [
            (e.at, e.value)
            for e in log
            if e.port == port and e.kind == RENAME and (e.channel or 0) == channel
        ]
        subject = api if channel == 0 else f"{api}:{channel}"
        what = f"name of {subject}"
        expected = _fold(
            out=out, changes=changes, initial=name, blind=blind, ha_blind=ha_blind, what=what
        )
        observed = [
            (e.at, e.name)
            for e in by_api.get(subject, [])
            if e.kind == UPDATED and e.name is not None
        ]
        _align(out, expected, [(at, n) for at, n in observed if n is not None], what, [])


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (nan for none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


_PORT = re.compile(r":(\d{2,5})\b")


def ports_in(message: str) -> set[int]:
    """Ports a log line names (``host:port``)."""
    return {int(m) for m in _PORT.findall(message)}
