"""``scripts/soak``: start the simulator, play the schedule, match, print the table."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
from pathlib import Path
import shlex
import signal
import sys
import tempfile
import time
import traceback

from tools.bench.system import load_average

from .matching import Inputs, match
from .observe import BusRecorder, LogCollector, LoopErrors
from .simproc import SimProcess, rig_json
from .timing import say

MIN_RECEIVERS = 60


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/soak", description="Micboard soak test (issue 14): faults for N minutes."
    )
    parser.add_argument("--seed", type=int, default=1, help="fault schedule seed (default 1)")
    parser.add_argument(
        "--minutes", type=float, default=10.0, help="minutes of faults (default 10)"
    )
    parser.add_argument("--shure", type=int, default=48, help="Shure receivers (default 48)")
    parser.add_argument(
        "--sennheiser", type=int, default=16, help="Sennheiser receivers (default 16)"
    )
    parser.add_argument("--json", help="also write the table and the raw lists to this file")
    return parser


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    # Stopped from outside (kill, CI's timeout): unwind, so the simulator is stopped too.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if args.shure + args.sennheiser < MIN_RECEIVERS:
        say(f"note: fewer than {MIN_RECEIVERS} receivers ({args.shure + args.sennheiser})")
    command = os.environ.get("MICBOARD_SOAK_COMMAND") or shlex.join([sys.executable, *sys.argv])
    load_before = load_average()
    logs = LogCollector()
    logging.basicConfig(level=logging.WARNING, handlers=[logs])
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="micboard-soak-") as tmp:
        rig_file = Path(tmp) / "rig.json"
        rig_file.write_text(json.dumps(rig_json(args.shure, args.sennheiser)), encoding="utf-8")
        config_dir = Path(tmp) / "config"
        config_dir.mkdir()
        say(f"starting the simulator ({args.shure} Shure + {args.sennheiser} Sennheiser)")
        sim = SimProcess(rig_file, args.seed)
        try:
            return _run(
                args,
                sim,
                config_dir,
                logs=logs,
                command=command,
                load_before=load_before,
                started=started,
            )
        finally:
            if sim.process.poll() is None:
                sim.process.kill()
                sim.process.wait()


def _run(
    args: argparse.Namespace,
    sim: SimProcess,
    config_dir: Path,
    *,
    logs: LogCollector,
    command: str,
    load_before: str,
    started: float,
) -> int:
    # Home Assistant is imported only here, while the simulator starts up.
    from homeassistant.runner import create_event_loop  # noqa: PLC0415

    from .report import measured, render, rows  # noqa: PLC0415
    from .run import Soak  # noqa: PLC0415

    sim.wait_ready()
    loop = create_event_loop(debug=False)
    asyncio.set_event_loop(loop)
    loop_errors = LoopErrors()
    loop_errors.install(loop)
    bus = BusRecorder()
    soak = Soak(
        sim=sim,
        config_dir=config_dir,
        seed=args.seed,
        minutes=args.minutes,
        bus=bus,
        logs=logs,
        loop_errors=loop_errors,
    )
    try:
        obs = loop.run_until_complete(soak.run())
    except Exception:
        print("soak stopped early:\n" + traceback.format_exc(), file=sys.stderr)
        return 1
    finally:
        loop.run_until_complete(sim.close())
        loop.close()
    inputs = Inputs(
        log=obs.log,
        events=bus.events,
        api_ids=obs.api_ids,
        initial_tx=obs.initial_tx,
        initial_names=obs.initial_names,
        ha_blind=obs.ha_blind,
        lossy=obs.lossy,
        start=obs.start,
        end=obs.end,
    )
    outcome = match(inputs)
    obs.notes.append(f"soak wall time {time.monotonic() - started:.0f} s")
    obs.notes.append(
        "bus events by type: " + ", ".join(f"{n} {k}" for k, n in sorted(bus.counts.items()))
    )
    table = rows(obs, outcome, logs, loop_errors)
    print(
        render(
            obs, table, command=command, seed=args.seed, minutes=args.minutes,
            load_before=load_before,
        ),
        flush=True,
    )  # fmt: skip
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "command": command,
                    "seed": args.seed,
                    "rows": [dataclasses.asdict(row) for row in table],
                    "lost": outcome.lost,
                    "duplicated": outcome.duplicated,
                    "out_of_order": outcome.out_of_order,
                    "unexplained": outcome.unexplained,
                    "log_lines": [dataclasses.asdict(line) for line in logs.lines],
                    "inputs": dataclasses.asdict(inputs)
                    | {"ha_blind": [(s, e, sorted(ports)) for s, e, ports in inputs.ha_blind]},
                },
                indent=1,
                default=str,
            ),
            encoding="utf-8",
        )
    return 0 if measured(table) else 1
