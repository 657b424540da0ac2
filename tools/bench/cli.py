"""``scripts/bench``: start the simulator worker, run the phases, print the report."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import logging
import os
import shlex
import sys
import time
import traceback

from .control import Worker
from .logs import LogCollector
from .options import Options, parse
from .report import print_report
from .results import Results
from .system import load_average
from .timing import say
from .worker import run_worker


def main(argv: list[str]) -> int:
    options = parse(argv)
    if options.simulator_worker:
        asyncio.run(run_worker(options))
        return 0
    options = replace(
        options,
        command=os.environ.get("MICBOARD_BENCH_COMMAND") or shlex.join([sys.executable, *sys.argv]),
        load_before=load_average(),
    )
    started = time.monotonic()
    results = Results()
    collector = LogCollector()
    logging.basicConfig(level=logging.WARNING, handlers=[collector])
    say(f"starting the simulator ({options.receivers} x {options.models}) in its own process")
    worker = Worker(options)
    try:
        _measure(options, worker, results)
    except Exception:
        results.notes.append("the benchmark stopped early:\n" + traceback.format_exc())
        if worker.process.poll() is None:
            worker.process.kill()
    results.log_records = collector.records
    results.notes.append(f"benchmark wall time {time.monotonic() - started:.0f} s")
    status = print_report(options, results, worker.receivers)
    if options.browser is not False:
        from .browser import run_for_report  # noqa: PLC0415

        status = max(status, run_for_report(options, status))
    return status


def _measure(options: Options, worker: Worker, results: Results) -> None:
    # Home Assistant is imported here, while the simulator starts up (and never in the
    # simulator worker, which runs this same command line).
    from .harness import create_event_loop  # noqa: PLC0415
    from .phases import run_bench  # noqa: PLC0415

    worker.wait_ready(60)
    say(f"simulator ready: {len(worker.receivers)} receivers on 127.0.0.1")
    loop = create_event_loop(debug=False)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run_bench(options, worker, results))
    finally:
        loop.run_until_complete(worker.close())
        loop.close()
