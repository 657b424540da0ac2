"""REP -> state latency: each change the driver made, matched to the state write it caused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
import math

from custom_components.micboard.identifiers import unique_id
from custom_components.micboard.lifecycle import transmitter_api_id

from .const import TARGET_LATENCY_P99_MS
from .driver import Change
from .results import MEASURES, Results

# Changes made while profiling (C) or measuring memory (M) are left out.
_LEFT_OUT_PHASES = ("C", "M")
_BURST_PHASE = "L"
# How the rows name the changes of each phase ("steady" for the rest).
_PHASE_NAMES = {_BURST_PHASE: "burst", "B": "steady with the board subscribed"}


def _rate(phase: str) -> str:
    return _PHASE_NAMES.get(phase, "steady")


def percentile(ordered: list[float], percent: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True, kw_only=True)
class LatencyRun:
    """What the two processes logged while the driver made changes."""

    changes: list[Change]
    drain_ticks: list[float]
    # (bench clock, entity id or "upd:<api id>", state or name) as Home Assistant showed it.
    seen: list[tuple[float, str, str]]
    port_to_id: dict[int, str]
    # Port -> manufacturer code (whose entry, hence whose unique ids).
    port_to_code: dict[int, str]
    # Resolves (platform, unique id) to an entity id.
    entity_id: Callable[[str, str], str | None]
    resyncs: list[tuple[float, float]]
    gc_pauses: list[tuple[float, float, int]]
    runqueue_ms_per_s: float


def latency_row(results: Results, run: LatencyRun) -> None:
    """Row 5: the p99 of every change (one that never arrived counts as infinitely late)."""
    wanted: dict[tuple[str, str], list[tuple[float, str, str]]] = {}
    makers: dict[str, str] = {}  # entity id (or "upd:...") -> manufacturer code
    skipped_profiled = 0
    unresolved = 0
    for stamp, port, channel, kind, value, phase in run.changes:
        if phase in _LEFT_OUT_PHASES:
            skipped_profiled += 1
            continue
        receiver_id = run.port_to_id.get(int(port))
        key: str | None = None
        if receiver_id is None:
            unresolved += 1
            continue
        if kind == "rename":
            key = "upd:" + transmitter_api_id(receiver_id, channel)
        elif kind == "battery":
            code = run.port_to_code.get(int(port), "shure")
            key = run.entity_id("sensor", unique_id(code, (receiver_id, channel), "battery"))
        else:
            key = "tx:" + transmitter_api_id(receiver_id, channel)
        if key is None:
            unresolved += 1
            continue
        wanted.setdefault((key, value), []).append((stamp, kind, phase))
        makers[key] = run.port_to_code.get(int(port), "shure")
    for pending in wanted.values():
        pending.sort()
    latencies: dict[str, list[float]] = {}
    by_maker: dict[str, list[float]] = {}
    slow: list[tuple[float, float]] = []
    by_phase: dict[str, list[float]] = {}
    for stamp, key, value in sorted(run.seen):
        waiting = wanted.get((key, value))
        if not waiting or waiting[0][0] > stamp:
            continue
        change_stamp, kind, phase = waiting.pop(0)
        latency = 1000 * (stamp - change_stamp)
        if latency >= TARGET_LATENCY_P99_MS:
            slow.append((change_stamp, stamp))
        latencies.setdefault(kind, []).append(latency)
        by_maker.setdefault(makers.get(key, "?"), []).append(latency)
        by_phase.setdefault(_rate(phase), []).append(latency)
    # A battery change made in the same instant as a battery-drain tick may be overtaken
    # by the drained value before Home Assistant sees it: not a lost change.
    coalesced = 0
    for pending in wanted.values():
        kept = [
            item
            for item in pending
            if not any(abs(item[0] - tick) < 0.2 for tick in run.drain_ticks)
        ]
        coalesced += len(pending) - len(kept)
        pending[:] = kept
    missed = sum(len(pending) for pending in wanted.values())
    lost = Counter(
        f"{kind} ({_rate(phase)})" for pending in wanted.values() for _, kind, phase in pending
    )
    every = sorted(value for values in latencies.values() for value in values)
    if not every:
        results.unmeasured(5, "no change reached Home Assistant")
        return
    # A change that never showed up counts as infinitely late.
    ranked = every + [math.inf] * missed
    p50, p99 = percentile(ranked, 50), percentile(ranked, 99)
    results.row(
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
        f"by kind: {_spread(latencies)}",
        f"by rate: {_spread(by_phase)}",
        *([f"by manufacturer: {_spread(by_maker)}"] if len(by_maker) > 1 else []),
        *([f"never arrived: {dict(lost)}"] if lost else []),
        _slow_changes(run, slow),
        f"the event-loop thread waited {run.runqueue_ms_per_s:.1f} ms per s for a CPU "
        "(run queue, i.e. other processes on the machine) while changes were made",
    )


def _spread(groups: dict[str, list[float]]) -> str:
    return ", ".join(
        f"{name} n={len(values)} p50 {percentile(sorted(values), 50):.1f} / p99 "
        f"{percentile(sorted(values), 99):.1f} ms"
        for name, values in sorted(groups.items())
    )


def _slow_changes(run: LatencyRun, slow: list[tuple[float, float]]) -> str:
    """How many of the changes slower than the target overlapped a full resync."""
    resyncs = run.resyncs
    during = sum(
        1
        for written, arrived in slow
        if any(start - 0.05 <= arrived and written <= end + 0.05 for start, end in resyncs)
    )
    drained = sum(
        1
        for written, arrived in slow
        if any(written - 0.5 <= tick <= arrived for tick in run.drain_ticks)
    )
    collected = sum(
        1
        for written, arrived in slow
        if any(
            seconds >= 0.02 and start <= arrived and written <= start + seconds
            for start, seconds, _ in run.gc_pauses
        )
    )
    polls = [end - start for start, end in resyncs]
    return (
        f"{len(slow)} changes took {TARGET_LATENCY_P99_MS:g} ms or more: {during} overlapped "
        f"one of the {len(resyncs)} full resyncs of the run (backend part "
        f"{min(polls, default=0):.2f}-{max(polls, default=0):.2f} s each), {drained} one of "
        f"the {len(run.drain_ticks)} battery-drain ticks (every receiver pushes runtime "
        f"for every channel at once), {collected} a garbage-collector pause of 20 ms or more"
    )
