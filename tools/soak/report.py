"""The soak's table: each figure against its target, PASS or FAIL."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import math

from tools.bench.system import load_average, machine

from .matching import RULES, Outcome, percentile, ports_in
from .observe import LogCollector, LogLine, LoopErrors
from .run import Observations

TARGET_OFFLINE_S = 5.0
TARGET_RECOVERY_P99_S = 10.0
TARGET_WARNINGS_PER_OUTAGE = 1
TARGET_MEMORY_MB_PER_10_MIN = 2.0
# "Flat": at most this much more at the end than at the start.
TASKS_SLACK = 3
FDS_SLACK = 2
# A warning this long after an outage ended still belongs to it.
WARNING_TAIL_S = 15.0
# Memory growth is taken over a window at least this long after the last (re)start.
MIN_MEMORY_WINDOW_S = 120.0
_SHOWN = 8


@dataclass
class Row:
    measure: str
    figure: str
    target: str
    passed: bool | None  # None: not measured
    details: list[str] = field(default_factory=list)


def _fmt(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{percentile(values, 0.5):.2f}/{percentile(values, 0.99):.2f}/{max(values):.2f} s"


def _listed(items: list[str]) -> list[str]:
    shown = items[:_SHOWN]
    more = [f"... and {len(items) - _SHOWN} more"] if len(items) > _SHOWN else []
    return shown + more


def rows(obs: Observations, out: Outcome, logs: LogCollector, loop_errors: LoopErrors) -> list[Row]:
    """Every row of the table, in order."""
    table: list[Row] = []
    transitions = {k: n for k, n in out.injected.items() if not k.startswith("fault")}
    faults = {k: n for k, n in out.injected.items() if k.startswith("fault")}
    injected = sum(transitions.values())
    table.append(
        Row(
            "transitions injected (sim log)",
            str(injected),
            "> 0",
            injected > 0,
            [
                ", ".join(f"{n} {k}" for k, n in sorted(transitions.items())),
                "faults logged: " + ", ".join(f"{n} {k}" for k, n in sorted(faults.items())),
                "schedule: "
                + ", ".join(
                    f"{n} {k}"
                    for k, n in sorted((obs.schedule.faults if obs.schedule else {}).items())
                ),
                f"{out.expected} events expected by R1-R7 ({out.folded} transitions folded into "
                f"blind windows), {out.matched} matched",
            ],
        )
    )
    received = sum(out.received.values())
    table.append(
        Row(
            "events received (offline/online/rename)",
            str(received),
            "> 0",
            received > 0,
            [", ".join(f"{n} {k}" for k, n in sorted(out.received.items()))],
        )
    )
    for label, items in (
        ("lost transitions", out.lost),
        ("duplicated transitions", out.duplicated),
        ("out-of-order transitions", out.out_of_order),
        ("unexplained events", out.unexplained),
    ):
        table.append(Row(label, str(len(items)), "0", not items, _listed(items)))
    table.append(
        Row(
            "collapsed by datagram loss (R7)",
            str(len(out.collapsed)),
            "reported",
            True,
            _listed(out.collapsed),
        )
    )
    p99 = percentile(out.recovery, 0.99)
    model = {int(rx["port"]): str(rx["model"]) for rx in obs.receivers}
    returns = sorted(
        (b for b in out.bursts if b.online_at is not None and b.end is not None),
        key=lambda b: (b.online_at or 0) - (b.end or 0),
        reverse=True,
    )
    slowest = [
        f"{(b.online_at or 0) - (b.end or 0):.1f} s {model.get(b.port, '?')} port {b.port} "
        f"({'/'.join(sorted(b.causes))} {b.longest:.0f} s, {len(b.periods)} period(s), "
        f"back at {b.end:.1f})"
        for b in returns[:5]
    ]
    fastest_detect = sorted(
        (b for b in out.bursts if b.mandatory and b.offline_at is not None),
        key=lambda b: (b.offline_at or 0) - b.start,
        reverse=True,
    )
    slow_detect = [
        f"{(b.offline_at or 0) - b.start:.2f} s {model.get(b.port, '?')} "
        f"({'/'.join(sorted(b.causes))})"
        for b in fastest_detect[:5]
    ]
    mandatory = [b for b in out.bursts if b.mandatory]
    table.append(
        Row(
            "offline detection p50/p99/max",
            _fmt(out.detection),
            f"<= {TARGET_OFFLINE_S:g} s",
            (max(out.detection) <= TARGET_OFFLINE_S) if out.detection else None,
            [
                f"{len(out.detection)} single outages of >= 6 s (silent or switched off), from "
                f"the simulator's stamp to the bus event; {len(mandatory)} outages had to be "
                f"reported, {len(out.bursts)} bursts in all (flaps, drops, short hangs)",
                "slowest: " + "; ".join(slow_detect),
            ],
        )
    )
    table.append(
        Row(
            "recovery after return p50/p99/max",
            _fmt(out.recovery),
            f"p99 <= {TARGET_RECOVERY_P99_S:g} s",
            (p99 <= TARGET_RECOVERY_P99_S) if out.recovery else None,
            [
                f"{len(out.recovery)} returns, rx-on/resume to device_online; slowest:",
                *slowest,
            ],
        )
    )
    table += _warning_rows(obs, out, logs.lines)
    table.append(
        Row(
            "entities unavailable at the end",
            str(len(obs.unavailable)),
            "0",
            not obs.unavailable if obs.entities_checked else None,
            [f"{obs.entities_checked} enabled entities checked", *_listed(obs.unavailable)],
        )
    )
    table += _resource_rows(obs)
    errors = loop_errors.errors + [
        f"{line.logger}: {line.message}"
        for line in logs.lines
        if line.level in ("ERROR", "CRITICAL") and line.logger in ("asyncio", "homeassistant.core")
    ]
    table.append(
        Row("exceptions in the event loop", str(len(errors)), "0", not errors, _listed(errors))
    )
    return table


def _warning_rows(obs: Observations, out: Outcome, lines: list[LogLine]) -> list[Row]:
    outages = [b for b in out.bursts if b.offline_at is not None or b.mandatory]
    attributed: set[int] = set()
    for burst in out.bursts:
        stop = (burst.end if burst.end is not None else obs.end) + WARNING_TAIL_S
        for index, line in enumerate(lines):
            if burst.start - 0.5 <= line.at <= stop and burst.port in ports_in(line.message):
                burst.warnings += 1
                attributed.add(index)
    worst = max(outages, key=lambda b: b.warnings, default=None)
    per = [b.warnings for b in outages]
    loggers = Counter(line.logger for line in lines)
    samples = [f"{line.level} {line.logger}: {line.message}" for line in lines]
    during = [
        lines[i]
        for i in range(len(lines))
        if i not in attributed and obs.start <= lines[i].at <= obs.end
    ]
    return [
        Row(
            "warnings per outage (max)",
            str(max(per, default=0)),
            f"<= {TARGET_WARNINGS_PER_OUTAGE}",
            max(per, default=0) <= TARGET_WARNINGS_PER_OUTAGE,
            [
                f"{len(outages)} reported outages, {sum(per)} warning-or-worse lines naming "
                "their receiver's port during them (or 15 s after)",
                *(
                    [f"worst: port {worst.port} from {worst.start:.1f}: {worst.warnings} lines"]
                    if worst is not None and worst.warnings
                    else []
                ),
            ],
        ),
        Row(
            "warning-or-worse lines in total",
            str(len(lines)),
            f"<= outages ({len(outages)})",
            len(lines) <= len(outages),
            [
                "by logger: " + ", ".join(f"{n} {k}" for k, n in loggers.most_common()),
                f"{len(during)} during the run not attributed to an outage",
                *_listed(samples),
            ],
        ),
    ]


def _resource_rows(obs: Observations) -> list[Row]:
    if len(obs.samples) < 2:
        return [Row("resident memory / tasks / fds", "n/a", "", None)]
    first, last = obs.samples[0], obs.samples[-1]
    baseline = first
    if obs.restarted_at:
        later = [s for s in obs.samples if s.at >= obs.restarted_at[-1] + SAMPLE_SETTLE_S]
        if later and last.at - later[0].at >= MIN_MEMORY_WINDOW_S:
            baseline = later[0]
        else:
            baseline = next((s for s in obs.samples if s.at >= obs.restarted_at[-1]), last)
    span = last.at - baseline.at
    growth = last.rss_mb - baseline.rss_mb
    rate = growth * 600 / span if span > 0 else math.nan
    series = ", ".join(f"{s.rss_mb:.0f}" for s in obs.samples)
    where = "after the last restart" if baseline is not first else "after the warm-up"
    return [
        Row(
            "resident memory growth per 10 min",
            f"{rate:+.2f} MB",
            f"<= {TARGET_MEMORY_MB_PER_10_MIN:g} MB",
            (rate <= TARGET_MEMORY_MB_PER_10_MIN) if span >= 60 else None,
            [
                f"{baseline.rss_mb:.1f} MB {where} -> {last.rss_mb:.1f} MB at the end over "
                f"{span:.0f} s (gc + malloc_trim before each sample)",
                f"whole run: {first.rss_mb:.1f} -> {last.rss_mb:.1f} MB over "
                f"{last.at - first.at:.0f} s, across {len(obs.restarted_at)} restart(s); "
                f"samples (MB): {series}",
                "alive at the end (after gc): "
                + ", ".join(f"{n} {k}" for k, n in obs.alive.items()),
            ],
        ),
        _flat(
            "asyncio tasks",
            values=(first.tasks, baseline.tasks, last.tasks),
            split=baseline is not first,
            slack=TASKS_SLACK,
        ),
        _flat(
            "open file descriptors",
            values=(first.fds, baseline.fds, last.fds),
            split=baseline is not first,
            slack=FDS_SLACK,
        ),
    ]


SAMPLE_SETTLE_S = 50.0


def _flat(label: str, *, values: tuple[int, int, int], split: bool, slack: int) -> Row:
    start, mid, end = values
    return Row(
        f"{label} start -> end",
        f"{start} -> {end}",
        f"flat (+{slack})",
        end <= start + slack,
        [f"after the last restart: {mid}"] if split else [],
    )


def render(
    obs: Observations,
    table: list[Row],
    *,
    command: str,
    seed: int,
    minutes: float,
    load_before: str,
) -> str:
    """The report as text."""
    models = Counter(str(rx["model"]) for rx in obs.receivers)
    channels = sum(len(rx["channels"]) for rx in obs.receivers)
    lines = [
        "",
        f"Micboard soak: {len(obs.receivers)} receivers, {channels} channels "
        f"({', '.join(f'{n} {m}' for m, n in sorted(models.items()))}), both entries",
        f"command:   {command}",
        f"seed:      {seed}, {minutes:g} min of faults + {45:g} s quiet tail",
        f"machine:   {machine()}",
        f"load:      {load_before} before, {load_average()} after",
        "harness:   pytest-homeassistant-custom-component's async_test_home_assistant on HA's "
        "production loop; registries on real .storage (a restart reloads them); simulator "
        "in its own process (python -m simulator, ctl port)",
        "",
    ]
    width = max(len(r.measure) for r in table)
    header = f"{'measure':<{width}}  {'figure':>22}  {'target':<16} result"
    lines += [header, "-" * len(header)]
    unmeasured = 0
    for row in table:
        if row.passed is None:
            unmeasured += 1
            result = "FAIL (not measured)"
        else:
            result = "PASS" if row.passed else "FAIL  <<<"
        lines.append(f"{row.measure:<{width}}  {row.figure:>22}  {row.target:<16} {result}")
    failed = sum(1 for r in table if r.passed is False)
    lines += [
        "-" * len(header),
        f"{len(table) - failed - unmeasured} of {len(table)} rows passed"
        + (f", {failed} FAILED" if failed else "")
        + (f", {unmeasured} NOT MEASURED" if unmeasured else ""),
        "",
        "details:",
    ]
    for row in table:
        if row.details:
            lines.append(f"  {row.measure}:")
            lines += [f"    - {d}" for d in row.details if d]
    lines += ["", "matching rules (tools/soak/matching.py):"]
    lines += [f"  {r}" for r in RULES if r]
    notes = list(obs.notes)
    setups = ", ".join(f"{s:.1f}" for s in obs.setup_s)
    notes.append(f"Home Assistant set-up until every receiver answered: {setups} s")
    if obs.late_steps:
        notes.append(f"{obs.late_steps} steps ran more than 1 s late")
    if obs.refused_steps:
        notes.append("steps the simulator refused: " + "; ".join(obs.refused_steps[:5]))
    lines += ["", "notes:"] + [f"  - {n}" for n in notes]
    return "\n".join(lines)


def measured(table: list[Row]) -> bool:
    """Whether every row got a figure."""
    return all(row.passed is not None for row in table)
