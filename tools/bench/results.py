"""The seven measures and what a run found for each."""

from __future__ import annotations

from dataclasses import dataclass, field

from .const import (
    TARGET_LATENCY_P99_MS,
    TARGET_LEVEL_WRITES,
    TARGET_MEMORY_MB,
    TARGET_MICBOARD_CPU_PCT,
    TARGET_OFFLINE_S,
    TARGET_RESYNC_S,
    TARGET_SETUP_S,
)

# Number -> (measure, target), in the order of the table.
MEASURES = {
    1: ("setup until all channels have state", f"< {TARGET_SETUP_S:g} s"),
    2: ("full resync, all receivers", f"< {TARGET_RESYNC_S:g} s"),
    3: ("Micboard event-loop CPU, steady state", f"< {TARGET_MICBOARD_CPU_PCT:g} % core"),
    4: ("level-sensor writes per entity", f"<= {TARGET_LEVEL_WRITES:g} /s"),
    5: ("REP -> state latency p99", f"< {TARGET_LATENCY_P99_MS:g} ms"),
    6: ("receiver silent -> device_offline", f"<= {TARGET_OFFLINE_S:g} s"),
    7: ("resident memory added", f"< {TARGET_MEMORY_MB:g} MB"),
}


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
