"""``python -m tools.develop write|wait-simulator|bootstrap|check-ports`` (scripts/develop)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys

from .client import HAError
from .config import write_config
from .onboarding import bootstrap
from .processes import (
    SimulatorError,
    charger_counts,
    charger_hosts,
    group_hosts,
    host_words,
    parse_host_words,
    port_free,
    wait_simulator_devices,
)
from .rig import device_name

DESCRIPTION = "A ready Home Assistant for scripts/develop and tests/e2e, without a single click."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("write", help="write or refresh the config dir")
    write.add_argument("--config", type=Path, required=True)
    write.add_argument("--port", type=int, default=8123)
    wait = sub.add_parser(
        "wait-simulator",
        help="print the hosts the simulator listed, as code=host:port words (by manufacturer)",
    )
    wait.add_argument("--log", type=Path, required=True)
    wait.add_argument("--pid", type=int)
    boot = sub.add_parser("bootstrap", help="user, a Micboard entry per manufacturer, dashboard")
    boot.add_argument("--url", required=True)
    boot.add_argument(
        "--hosts",
        nargs="+",
        required=True,
        help="code=host:port words (a bare host:port is Shure's; code+charger=host:port a "
        "charger's), as wait-simulator prints",
    )
    boot.add_argument("--pid", type=int, help="the hass process, to stop waiting if it dies")
    ports = sub.add_parser("check-ports", help="fail if a 127.0.0.1 port is taken")
    ports.add_argument("ports", type=int, nargs="+")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "write":
            print(write_config(args.config, port=args.port))
        elif args.command == "wait-simulator":
            devices = wait_simulator_devices(args.log, args.pid)
            print(" ".join(host_words(group_hosts(devices), charger_hosts(devices))))
        elif args.command == "check-ports":
            if taken := [port for port in args.ports if not port_free(port)]:
                print(
                    f"develop: 127.0.0.1 port(s) in use: {', '.join(map(str, taken))}",
                    file=sys.stderr,
                )
                return 1
        else:
            done = asyncio.run(
                bootstrap(
                    args.url,
                    parse_host_words(args.hosts),
                    pid=args.pid,
                    chargers=charger_counts(args.hosts),
                )
            )
            for rig in done.rigs.values():
                receivers = ", ".join(device_name(r) for r in rig.receivers)
                print(
                    f"develop: {device_name(rig.service)} entry watches "
                    f"{len(rig.receivers)} receivers: {receivers}"
                )
            print(f"develop: dashboard {done.dashboard_url}")
    except (HAError, SimulatorError) as err:
        print(f"develop: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
