"""Rows 3, 4 and 7 from what the steady-state window and the memory reading found."""

from __future__ import annotations

from collections import Counter

from .accounting import CALLBACK_OWNERS, LoopAccounting, top
from .const import TARGET_LEVEL_WRITES, TARGET_MEMORY_MB, TARGET_MICBOARD_CPU_PCT
from .results import MEASURES, Results


def cpu_row(
    results: Results,
    *,
    accounting: LoopAccounting,
    wall: float,
    loop_cpu: float,
    listeners: float,
    overhead: float,
    gc_summary: str,
) -> None:
    """Row 3: Micboard's share of the event loop's CPU time, by owner and by callback."""
    seconds = accounting.seconds
    gc_seconds = accounting.gc_seconds
    gc_micboard = gc_seconds["micboard"] + gc_seconds["micboard-io"]
    micboard = seconds["micboard"] + seconds["micboard-io"] - listeners - gc_micboard
    micboard_pct = 100 * micboard / wall
    in_callbacks = sum(seconds.values())
    parts = [
        f"{CALLBACK_OWNERS.get(owner, owner)} {100 * t / wall:.2f} % "
        f"({accounting.calls[owner] / wall:.0f} callbacks/s)"
        for owner, t in top(seconds)
        if t > 0
    ]
    parts.append(f"bench state listeners (subtracted from Micboard) {100 * listeners / wall:.2f} %")
    parts.append(
        f"event loop outside callbacks (select, scheduling) "
        f"{100 * max(loop_cpu - in_callbacks, 0) / wall:.2f} %"
    )
    results.row(
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
        + "; ".join(f"{label} {100 * t / wall:.2f} %" for label, t in top(accounting.labels, 7)),
        f"garbage collection: {100 * sum(gc_seconds.values()) / wall:.2f} % of a core, "
        f"{100 * gc_micboard / wall:.2f} % of it inside Micboard's callbacks (left out of "
        "Micboard's part: collections scan Home Assistant's whole heap, whoever allocates); "
        + gc_summary,
        f"the accounting's own cost, {100 * overhead / wall:.2f} % of a core, is left out",
        "longest single callbacks in CPU time (the loop is blocked meanwhile): "
        + (
            "; ".join(f"{1000 * took:.0f} ms {what}" for took, _, what in accounting.slowest[:5])
            or "none over 20 ms"
        ),
    )


def writes_row(results: Results, counts: Counter[str], entities: Counter[str], wall: float) -> None:
    """Row 4: state writes of the level sensors, per entity and second.

    ``counts``: state writes in the window by entity key; ``entities``: entities by key.
    """
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
    results.row(
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


def memory_row(
    results: Results,
    *,
    rss_before: float,
    rss_after: float,
    trimmed: float,
    enabled: int,
    registered: int,
) -> None:
    """Row 7: resident memory added by the entry (and, for comparison, after malloc_trim)."""
    added = rss_after - rss_before
    results.row(
        7,
        MEASURES[7][0],
        f"{added:.1f} MB",
        MEASURES[7][1],
        added < TARGET_MEMORY_MB,
        f"VmRSS {rss_before:.1f} MB before the entry (HA + sensor/binary_sensor/event "
        f"loaded) -> {rss_after:.1f} MB after steady state (gc.collect() before each)",
        f"{1024 * added / max(enabled, 1):.1f} KB per enabled entity ({enabled} enabled, "
        f"{registered} in the entity registry); --tracemalloc FRAMES shows where it is held",
        f"for comparison only: {trimmed - rss_before:.1f} MB once glibc's malloc_trim "
        "has returned the free pages it keeps (measured after the figure above; Home "
        "Assistant does not trim, so the figure above is the one that counts)",
    )
