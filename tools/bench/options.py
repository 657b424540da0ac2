"""The command line of scripts/bench, as typed options."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

# --rig mixed: the simulator's "mixed" rig, one Shure and one Sennheiser model in turn.
MIXED_MODELS = "ULXD4Q,EW-DX-EM4-DANTE"
MIXED_EACH = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """Everything a run is told (both processes parse the same command line)."""

    receivers: int
    models: str
    seed: int
    drain: float
    meter_jitter: float
    steady_rate: float
    burst_rate: float
    settle: float
    window: float
    board_window: float
    profile_window: float
    burst_window: float
    resyncs: int
    offline_receivers: int
    json: str | None
    detail_entities: bool
    tracemalloc: int
    simulator_worker: bool
    # The board in headless Chromium after the figures (tools/bench/browser.py): None runs
    # it when Chromium is there, True insists, False skips.
    browser: bool | None = None
    browser_seconds: float = 60.0
    # "" (the default: --receivers of --models) or "mixed[:N]" (N ULXD4Q + N EW-DX EM 4).
    rig: str = ""
    # SBC840 chargers (8 bays each, packs charging) beside the receivers, on the Shure entry.
    chargers: int = 0
    # The command as the report prints it, and the load average before the run.
    command: str = ""
    load_before: str = ""

    @property
    def model_list(self) -> list[str]:
        """The receiver models, used in turn."""
        return self.models.split(",")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description="Micboard scale benchmark (issue 8)."
    )
    parser.add_argument("--receivers", type=int, default=100)
    parser.add_argument(
        "--models",
        default="ULXD4Q,AD4Q",
        help="receiver models, used in turn (default: %(default)s)",
    )
    parser.add_argument(
        "--rig",
        metavar="mixed[:N]",
        help="mixed: N ULXD4Q and N EW-DX EM 4 Dante alternating (default N 50), the Sennheiser "
        "entry beside the Shure one; replaces --receivers and --models",
    )
    parser.add_argument(
        "--chargers",
        type=int,
        default=0,
        metavar="N",
        help="also N SBC840 chargers (8 bays each, packs charging) on the Shure entry",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--drain", type=float, default=1.0, help="battery minutes per minute")
    parser.add_argument(
        "--meter-jitter", type=float, default=0.0, help="simulator SAMPLE jitter (s)"
    )
    parser.add_argument("--steady-rate", type=float, default=4.0, help="changes/s at steady state")
    parser.add_argument("--burst-rate", type=float, default=16.0, help="changes/s, latency burst")
    parser.add_argument("--settle", type=float, default=8.0, help="s before the steady window")
    parser.add_argument("--window", type=float, default=60.0, help="steady-state window (s)")
    parser.add_argument(
        "--board-window", type=float, default=60.0, help="window with one board subscribed (s)"
    )
    parser.add_argument("--profile-window", type=float, default=10.0, help="cProfile (s)")
    parser.add_argument("--burst-window", type=float, default=25.0, help="latency burst (s)")
    parser.add_argument("--resyncs", type=int, default=3, help="full resyncs timed, each way")
    parser.add_argument("--offline-receivers", type=int, default=4)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--detail-entities",
        action="store_true",
        help="with the entry's 'detail entities' option on (the default leaves it off)",
    )
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="FRAMES",
        help="trace allocations (slow: for finding memory, not for timing)",
    )
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        help="then time the board card in headless Chromium (default: when /usr/bin/chromium "
        "exists; python -m tools.bench.browser runs only that)",
    )
    parser.add_argument(
        "--browser-seconds", type=float, default=60.0, help="meter ticks played to the card (s)"
    )
    parser.add_argument("--simulator-worker", action="store_true", help=argparse.SUPPRESS)
    return parser


def parse(argv: list[str]) -> Options:
    """Options from a command line (``--help`` and errors exit, as argparse does)."""
    argp = parser()
    args = argp.parse_args(argv)
    receivers, models, rig = args.receivers, args.models, ""
    if args.rig is not None:
        name, _, count = args.rig.partition(":")
        if name != "mixed" or (count and not count.isdigit()) or count == "0":
            argp.error(f"--rig: mixed or mixed:N, not {args.rig!r}")
        each = int(count or MIXED_EACH)
        receivers, models, rig = 2 * each, MIXED_MODELS, f"mixed:{each}"
    return Options(
        receivers=receivers,
        models=models,
        rig=rig,
        chargers=max(0, args.chargers),
        seed=args.seed,
        drain=args.drain,
        meter_jitter=args.meter_jitter,
        steady_rate=args.steady_rate,
        burst_rate=args.burst_rate,
        settle=args.settle,
        window=args.window,
        board_window=args.board_window,
        profile_window=args.profile_window,
        burst_window=args.burst_window,
        resyncs=args.resyncs,
        offline_receivers=args.offline_receivers,
        json=args.json,
        detail_entities=args.detail_entities,
        tracemalloc=args.tracemalloc,
        simulator_worker=args.simulator_worker,
        browser=args.browser,
        browser_seconds=args.browser_seconds,
    )


def worker_arguments(options: Options) -> list[str]:
    """The command-line flags the simulator worker process needs."""
    return [
        "--simulator-worker",
        f"--receivers={options.receivers}",
        f"--models={options.models}",
        f"--chargers={options.chargers}",
        f"--seed={options.seed}",
        f"--drain={options.drain}",
        f"--meter-jitter={options.meter_jitter}",
    ]
