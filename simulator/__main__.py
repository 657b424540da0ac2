"""Command line: ``python -m simulator [--rig demo]`` and ``python -m simulator ctl ...``."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from .control import COMMANDS, send_command, serve_control
from .core import Simulator
from .rigs import load_rig, start_rig

DEFAULT_BASE_PORT = 2202
DEFAULT_CONTROL_PORT = 2290


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description=(
            "Simulated Shure (TCP) and Sennheiser SSC (UDP) receivers and chargers on 127.0.0.1."
        ),
    )
    parser.add_argument(
        "--rig",
        default="demo",
        help="demo, demo-shure, fleet:N[:MODEL], mixed[:N], or a rig JSON file (default: demo)",
    )
    parser.add_argument("--base-port", type=int, default=DEFAULT_BASE_PORT)
    parser.add_argument("--control-port", type=int, default=DEFAULT_CONTROL_PORT)
    parser.add_argument("--seed", type=int, default=None, help="reproducible noise and MACs")
    parser.add_argument(
        "--meter-jitter", type=float, default=0.0, help="extra random delay per SAMPLE (s)"
    )
    parser.add_argument(
        "--drain-speed",
        type=float,
        default=1.0,
        help="battery minutes used per real minute (0: no drain)",
    )
    parser.add_argument(
        "--charge-speed",
        type=float,
        default=1.0,
        help="charging minutes per real minute on every charger (0: packs stand still)",
    )
    parser.add_argument("--no-noise", action="store_true", help="meter exactly the set levels")
    return parser


def _ctl_parser() -> argparse.ArgumentParser:
    lines = [f"  {name} {usage}" for name, (usage, _) in COMMANDS.items()]
    parser = argparse.ArgumentParser(
        prog="python -m simulator ctl",
        description="Send one command to a running simulator.",
        epilog="DEVICE (CHARGER) is a port or a device id.\ncommands:\n"
        "  list: every receiver and charger as JSON\n"
        "  log [SINCE]: the transition log (monotonic seconds)\n" + "\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--control-port", type=int, default=DEFAULT_CONTROL_PORT)
    parser.add_argument("command")
    parser.add_argument("args", nargs="*")
    return parser


async def _run(options: argparse.Namespace) -> None:
    simulator = Simulator(
        seed=options.seed,
        noise=not options.no_noise,
        battery_drain=options.drain_speed,
        meter_jitter=options.meter_jitter,
        charge_speed=options.charge_speed,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    control = await serve_control(simulator, options.control_port)
    try:
        receivers = await start_rig(
            simulator,
            load_rig(options.rig),
            base_port=options.base_port,
            reserved={options.control_port},
        )
        for receiver in receivers:
            print(f"{receiver.host}:{receiver.port} {receiver.model} {receiver.device.name}")
        # The bound port, so that --control-port 0 prints the one the system picked.
        control_port = control.sockets[0].getsockname()[1]
        print(f"control 127.0.0.1:{control_port}", flush=True)
        await stop.wait()
    finally:
        control.close()
        await control.wait_closed()
        await simulator.stop()


def main(argv: list[str]) -> int:
    """Entry point; returns the exit status."""
    if argv[:1] == ["ctl"]:
        ctl = _ctl_parser().parse_args(argv[1:])
        try:
            reply = asyncio.run(send_command(ctl.control_port, ctl.command, ctl.args))
        except OSError as err:
            print(
                f"simulator not reachable on 127.0.0.1:{ctl.control_port}: {err}", file=sys.stderr
            )
            return 2
        print(json.dumps(reply, indent=2 if ctl.command == "list" else None))
        return 0 if reply.get("ok") else 1
    try:
        asyncio.run(_run(_parser().parse_args(argv)))
    except OSError as err:
        print(f"simulator: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
