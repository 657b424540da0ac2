"""Rows 3, 4, 7, 8, 9 and 10 from what the measurement windows and the memory reading found."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .accounting import CALLBACK_OWNERS, LoopAccounting, top
from .board import Traffic
from .const import (
    TARGET_BOARD_CPU_PCT,
    TARGET_BOARD_METER_HZ,
    TARGET_LEVEL_WRITES,
    TARGET_MEMORY_MB,
    TARGET_MICBOARD_CPU_PCT,
)
from .results import MEASURES, Results

_HOUR = 3600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """One measurement window: the loop's CPU by owner and the state writes in it."""

    accounting: LoopAccounting
    wall: float
    # CPU seconds of the event-loop thread and of the whole process (accounting's cost out).
    loop_cpu: float
    proc_cpu: float
    # CPU seconds of the simulator process, and the loop thread's run-queue wait.
    sim_cpu: float
    waited: float
    # Time in the bench's state listeners (inside Micboard's state writes: subtracted).
    listeners: float
    overhead: float
    gc_summary: str
    # State writes by entity description key ("other integrations" for the rest), and
    # Micboard's lifecycle events by type.
    counts: Counter[str]
    events: Counter[str]

    @property
    def gc_micboard(self) -> float:
        """Garbage-collector seconds inside Micboard's callbacks (left out of its part)."""
        gc_seconds = self.accounting.gc_seconds
        return gc_seconds["micboard"] + gc_seconds["micboard-io"]

    @property
    def micboard(self) -> float:
        """Micboard's CPU seconds on the event loop, as row 3 counts them."""
        seconds = self.accounting.seconds
        return seconds["micboard"] + seconds["micboard-io"] - self.listeners - self.gc_micboard

    def pct(self, seconds: float) -> float:
        """CPU seconds in the window as a percentage of one core."""
        return 100 * seconds / self.wall

    def owners(self) -> str:
        """The loop's CPU by owner, % of one core."""
        accounting, wall = self.accounting, self.wall
        in_callbacks = sum(accounting.seconds.values())
        parts = [
            f"{CALLBACK_OWNERS.get(owner, owner)} {self.pct(t):.2f} % "
            f"({accounting.calls[owner] / wall:.0f} callbacks/s)"
            for owner, t in top(accounting.seconds)
            if t > 0
        ]
        parts.append(
            f"bench state listeners (subtracted from Micboard) {self.pct(self.listeners):.2f} %"
        )
        parts.append(
            f"event loop outside callbacks (select, scheduling) "
            f"{self.pct(max(self.loop_cpu - in_callbacks, 0)):.2f} %"
        )
        return "; ".join(parts)

    def micboard_labels(self, n: int = 7) -> str:
        """Micboard's part by callback."""
        return "; ".join(
            f"{label} {self.pct(t):.2f} %" for label, t in top(self.accounting.labels, n)
        )


def cpu_row(results: Results, window: Window) -> None:
    """Row 3: Micboard's share of the event loop's CPU time, by owner and by callback."""
    accounting, wall, loop_cpu = window.accounting, window.wall, window.loop_cpu
    gc_seconds = accounting.gc_seconds
    gc_micboard = window.gc_micboard
    micboard = window.micboard
    micboard_pct = window.pct(micboard)
    overhead, gc_summary = window.overhead, window.gc_summary
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
        "per owner, % of one core: " + window.owners(),
        "Micboard's part by callback: " + window.micboard_labels(),
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


def writes_row(results: Results, window: Window, entities: Counter[str]) -> None:
    """Row 4: state writes of the level sensors, per entity and second.

    ``entities``: Micboard's entities by description key.
    """
    counts, wall = window.counts, window.wall
    level_entities = entities["rf_level"] + entities["audio_level"]
    total = sum(counts.values())
    rf, audio = counts["rf_level"], counts["audio_level"]
    per_entity = (rf + audio) / max(level_entities, 1) / wall
    by_key = ", ".join(f"{key} {n / wall:.1f}" for key, n in counts.most_common(8))
    per_kind = ", ".join(
        f"{key} {counts[key] / entities[key] / wall:.3f} /s per entity ({entities[key]})"
        for key in ("rf_level", "audio_level", "rf_quality", "antenna")
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
        f"target moved by issue 15 from 0.2 to {TARGET_LEVEL_WRITES:g} /s: the board streams "
        "live meters, the sensors keep history (30 s between paced writes; an RF fade of "
        "8 dB or more and a value appearing or going at once)",
    )


def recorder_rows_row(results: Results, window: Window, board: Window | None) -> None:
    """Row 8: the rows Home Assistant's recorder would write per hour for Micboard.

    Counted, not recorded: every ``state_changed`` of a Micboard entity in the steady-state
    window is one row of the recorder's ``states`` table (Micboard excludes none of its
    entities; a write that changes nothing fires ``state_reported`` and writes no row), and
    every lifecycle event one row of ``events``; scaled to an hour.
    """
    counts, wall = window.counts, window.wall
    micboard = Counter({k: n for k, n in counts.items() if k != "other integrations"})
    rows = sum(micboard.values()) * _HOUR / wall
    levels = sum(micboard[key] for key in ("rf_level", "audio_level", "rf_quality", "antenna"))
    events = sum(window.events.values()) * _HOUR / wall
    fired = ", ".join(
        f"{kind.removeprefix('micboard_device_')} {n}" for kind, n in sorted(window.events.items())
    )
    by_key = ", ".join(
        f"{key} {n * _HOUR / wall / 1000:.1f}k" for key, n in micboard.most_common(6)
    )
    details = [
        f"counted, not recorded (the bench runs no recorder): each state_changed of a Micboard "
        f"entity in the {wall:.0f} s steady-state window is one row of the recorder's states "
        f"table (no Micboard entity is excluded), scaled to an hour: {rows:,.0f} rows/h, "
        f"{24 * rows / 1e6:.1f} million a day",
        f"by entity key, rows/h: {by_key}; the level sensors' share "
        f"{100 * levels / max(sum(micboard.values()), 1):.0f} %",
        f"events table: {events:,.0f} rows/h of Micboard lifecycle events ({fired} in the window)",
    ]
    if board is not None:
        board_rows = sum(n for k, n in board.counts.items() if k != "other integrations")
        details.append(
            f"in the {board.wall:.0f} s window with one board subscribed: "
            f"{board_rows * _HOUR / board.wall:,.0f} rows/h (the meters it streams write no "
            "state; the windows differ by the driver's random changes and the battery-drain "
            "ticks they hold)"
        )
    results.row(8, MEASURES[8][0], f"{rows / 1000:.1f}k /h", MEASURES[8][1], True, *details)


def board_rows(
    results: Results,
    *,
    traffic: Traffic,
    window: Window,
    without: Window,
    channels: int,
    after_unsubscribe: int,
    picture_bytes: int,
    deflate: bool,
) -> None:
    """Rows 9 and 10: the websocket traffic of one board, and the CPU it adds.

    ``window`` is the board's window, ``without`` the steady-state window before it (the
    same accounting, the same driver rate, no subscriber).
    """
    wall = window.wall
    meter_msgs = traffic.messages["meters"]
    meter_hz = meter_msgs / wall
    json_rate = traffic.frame_bytes / wall
    wire = traffic.wire_bytes / wall
    gaps = sorted(b - a for a, b in zip(traffic.meter_times, traffic.meter_times[1:], strict=False))
    shortest = 1000 * gaps[0] if gaps else float("nan")
    per_msg = traffic.meter_channels / max(meter_msgs, 1)
    values = traffic.meter_values / max(traffic.meter_channels, 1)
    kinds = ", ".join(
        f"{kind} {n / wall:.1f}/s ({traffic.message_bytes[kind] / wall / 1000:.1f} kB/s)"
        for kind, n in sorted(traffic.messages.items())
    )
    results.row(
        9,
        MEASURES[9][0].replace("one client", f"{channels} channels"),
        f"{json_rate / 1000:.1f} kB/s",
        MEASURES[9][1],
        meter_hz <= TARGET_BOARD_METER_HZ * 1.01 and after_unsubscribe == 0,
        f"{json_rate / 1000:.1f} kB/s of JSON in {traffic.frames / wall:.1f} websocket frames/s "
        f"over {wall:.0f} s (the messages' text, as the client reads it); on the wire "
        f"{wire / 1000:.1f} kB/s (TCP payload the client's socket received: framing, "
        + (
            "permessage-deflate, offered as browsers do and taken up)"
            if deflate
            else "no compression)"
        ),
        f"messages: {kinds}; the picture (first message) {picture_bytes / 1000:.0f} kB",
        f"meter messages {meter_hz:.2f}/s (one per tick, at most one per 0.1 s: shortest gap "
        f"{shortest:.0f} ms), {per_msg:.0f} channels each, {values:.1f} changed values per "
        "channel (only what changed since the last tick)",
        f"after unsubscribing: {after_unsubscribe} messages in the next second",
    )
    added = window.pct(window.micboard) - without.pct(without.micboard)
    ha_added = window.pct(window.accounting.seconds["homeassistant"]) - without.pct(
        without.accounting.seconds["homeassistant"]
    )
    loop_added = window.pct(window.loop_cpu) - without.pct(without.loop_cpu)
    bench_part = window.pct(window.accounting.seconds["bench"])
    results.row(
        10,
        MEASURES[10][0],
        f"{added:+.2f} % core",
        MEASURES[10][1],
        added <= TARGET_BOARD_CPU_PCT,
        f"Micboard's part of the event loop {window.pct(window.micboard):.2f} % of a core with "
        f"one board subscribed ({wall:.0f} s) against {without.pct(without.micboard):.2f} % "
        f"without (row 3's window, same run, same driver rate), counted as row 3 counts it",
        "Micboard's part by callback with the board: " + window.micboard_labels(8),
        f"Home Assistant's part (websocket writer, deflate, HTTP server socket) {ha_added:+.2f} "
        f"% of a core; the whole event-loop thread {loop_added:+.2f} % (it includes the bench's "
        f"own callbacks, {bench_part:.2f} %: the board client reading and parsing every message, "
        "and the control connection)",
        "per owner with the board, % of one core: " + window.owners(),
        f"state writes/s with the board {sum(window.counts.values()) / wall:.1f}, without "
        f"{sum(without.counts.values()) / without.wall:.1f}",
        window.gc_summary,
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
