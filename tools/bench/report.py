"""The table printed at the end, and the ``--json`` file."""

from __future__ import annotations

from collections import Counter
import json
from pathlib import Path

from .const import RENAME_SHARE, SWAP_SHARE
from .control import ReceiverInfo
from .options import Options
from .results import FIGURE_ONLY, MEASURES, Results
from .system import load_average, machine


def print_report(options: Options, results: Results, receivers: list[ReceiverInfo]) -> int:
    """Print the report; 1 when a figure was not measured, else 0 (passed or not)."""
    models = Counter(rx["model"] for rx in receivers)
    channels = sum(rx["channels"] for rx in receivers)
    rig = " + ".join(f"{n} {model}" for model, n in models.items()) or options.models
    makers = {rx.get("manufacturer", "shure") for rx in receivers}
    # Shure SAMPLE at METER_RATE 1000 ms; the SSC simulator streams meters every 0.2 s.
    metering = "metering every 1000 ms"
    if "sennheiser" in makers:
        metering = "Shure metering every 1000 ms, Sennheiser meters pushed every 200 ms"
    entries = "each entry's" if len(makers) > 1 else "the entry's"
    out = [
        "",
        f"Micboard scale benchmark: {len(receivers)} receivers ({rig}), {channels} channels, "
        + metering
        + (f" ({len(makers)} config entries, one per manufacturer)" if len(makers) > 1 else ""),
        f"command:   {options.command}",
        f"machine:   {machine()}",
        f"load:      {options.load_before} before the run, {load_average()} after (1/5/15-min "
        "load average; other work on the machine inflates wall-clock figures, not CPU times)",
        "harness:   Home Assistant from pytest-homeassistant-custom-component's "
        "async_test_home_assistant, HA's production event loop (no debug), no recorder; "
        "HTTP and websocket API served on 127.0.0.1 (one board client in its own window)",
        f"entities:  {entries} 'detail entities' option "
        + ("ON (--detail-entities)" if options.detail_entities else "off (the default)"),
        f"simulator: separate process, seed {options.seed}, meter noise on, meter jitter "
        f"{options.meter_jitter:g} s, battery drain {options.drain:g} min/min; transmitter "
        f"changes {options.steady_rate:g}/s steady ({100 * (1 - RENAME_SHARE - SWAP_SHARE):.0f} % "
        f"battery, {100 * SWAP_SHARE:.0f} % off-then-on swaps, {100 * RENAME_SHARE:.0f} % "
        "channel renames)",
        "",
    ]
    header = f"{'#':>2}  {'measure':<40} {'figure':>12}  {'target':<14} result"
    out += [header, "-" * len(header)]
    unmeasured = 0
    failed = 0
    targets = 0
    for number, (measure, target) in sorted(MEASURES.items()):
        row = results.rows.get(number)
        figure_only = target == FIGURE_ONLY
        targets += not figure_only
        if row is None or row.passed is None:
            unmeasured += 1
            figure = row.figure if row and row.figure else "n/a"
            out.append(f"{number:>2}  {measure:<40} {figure:>12}  {target:<14} FAIL (not measured)")
        else:
            failed += not figure_only and not row.passed
            result = "-" if figure_only else "PASS" if row.passed else "FAIL  <<<"
            out.append(
                f"{number:>2}  {row.measure:<40} {row.figure:>12}  {row.target:<14} {result}"
            )
    out += [
        "-" * len(header),
        f"{targets - failed - unmeasured} of {targets} targets met"
        + (f", {failed} FAILED" if failed else "")
        + (f", {unmeasured} NOT MEASURED" if unmeasured else "")
        + (
            f" ({len(MEASURES) - targets} figures without a target)"
            if len(MEASURES) > targets
            else ""
        ),
        "",
        "details:",
    ]
    for number in sorted(MEASURES):
        row = results.rows.get(number)
        if row is None:
            continue
        out.append(f"{number:>2}. {row.measure}")
        out += [f"    - {line}" for line in row.details]
    if results.notes:
        out += ["", "notes:"] + [f"  - {note}" for note in results.notes]
    if results.profile:
        out += ["", "profile:"] + [f"  {line}" for line in results.profile]
    if results.log_records:
        shown = results.log_records[:12]
        out += ["", f"warnings and errors logged during the run ({len(results.log_records)}):"]
        out += [f"  {line}" for line in shown]
    print("\n".join(out), flush=True)
    if options.json:
        write_json(Path(options.json), options, results)
    return 1 if unmeasured else 0


def write_json(path: Path, options: Options, results: Results) -> None:
    """The figures as JSON (the same rows, notes and profile as the table)."""
    path.write_text(
        json.dumps(
            {
                "command": options.command,
                "machine": machine(),
                "rows": {
                    n: {
                        "measure": r.measure,
                        "figure": r.figure,
                        "target": r.target,
                        "passed": r.passed,
                        "details": r.details,
                    }
                    for n, r in results.rows.items()
                },
                "notes": results.notes,
                "profile": results.profile,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
