"""The measures and what a run found for each."""

from __future__ import annotations

from dataclasses import dataclass, field

from .const import (
    TARGET_BOARD_CPU_PCT,
    TARGET_BOARD_METER_HZ,
    TARGET_LATENCY_P99_MS,
    TARGET_LEVEL_WRITES,
    TARGET_MEMORY_MB,
    TARGET_MICBOARD_CPU_PCT,
    TARGET_OFFLINE_S,
    TARGET_RESYNC_S,
    TARGET_SETUP_S,
)

# The target of a row that reports a figure and has no target: neither passes nor fails.
FIGURE_ONLY = "(figure only)"


# Number -> (measure, target), in the order of the table. More modules may add theirs
# (``add_measure``): tools/bench/browser.py adds the Chromium rows from 11 on.
MEASURES = {
    1: ("setup until all channels have state", f"< {TARGET_SETUP_S:g} s"),
    2: ("full resync, all receivers", f"< {TARGET_RESYNC_S:g} s"),
    3: ("Micboard event-loop CPU, steady state", f"< {TARGET_MICBOARD_CPU_PCT:g} % core"),
    4: ("level-sensor writes per entity", f"<= {TARGET_LEVEL_WRITES:g} /s"),
    5: ("REP -> state latency p99", f"< {TARGET_LATENCY_P99_MS:g} ms"),
    6: ("receiver silent -> device_offline", f"<= {TARGET_OFFLINE_S:g} s"),
    7: ("resident memory added", f"< {TARGET_MEMORY_MB:g} MB"),
    8: ("recorder state rows per hour", FIGURE_ONLY),
    9: ("board websocket, one client", f"<= {TARGET_BOARD_METER_HZ:g} Hz ticks"),
    10: ("Micboard CPU added by the board", f"<= {TARGET_BOARD_CPU_PCT:g} % core"),
}


def add_measure(number: int, measure: str, target: str) -> None:
    """A row more in the table (``target`` ``FIGURE_ONLY``: a figure without a target)."""
    MEASURES[number] = (measure, target)


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

    def unmeasured(self, number: int, *details: str) -> None:
        """A row whose figure could not be taken."""
        measure, target = MEASURES[number]
        self.row(number, measure, "", target, None, *details)
