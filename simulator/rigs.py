"""Rigs: sets of devices to start together (``demo``, ``fleet``, ``mixed``, or a JSON file).

A rig lists ``receivers`` and, optionally, ``chargers`` (started after the receivers, so a
rig's receivers keep their ports and ids whether it has chargers or not).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import json
from pathlib import Path
from typing import Any

from .core import Simulator
from .frontend import FrontEnd

DEMO_RIG: dict[str, Any] = {
    "receivers": [
        {
            "model": "ULXD4Q",
            "name": "Stage L",
            "channels": [
                {"name": "Vox 1", "transmitter": {"model": "ULXD2", "battery_bars": 5}},
                {"name": "Vox 2", "transmitter": {"model": "ULXD2", "battery_bars": 4}},
                {"name": "Gtr", "transmitter": {"model": "ULXD1", "battery_bars": 1}},
                {"name": "Spare", "transmitter": None},
            ],
        },
        {
            "model": "QLXD4",
            "name": "Podium",
            "channels": [{"name": "Lectern", "transmitter": {"model": "QLXD2"}}],
        },
        {
            "model": "SLXD4D",
            "name": "Choir",
            "channels": [
                {"name": "Choir L", "transmitter": {"model": "SLXD1", "battery_bars": 3}},
                {"name": "Choir R", "transmitter": {"model": "SLXD2"}},
            ],
        },
        {
            "model": "SLXD4D+",
            "name": "Band",
            "channels": [
                {"name": "Keys", "transmitter": {"model": "SLXD1+"}},
                {"name": "Bass", "transmitter": {"model": "SLXD1+", "battery_bars": 2}},
            ],
        },
        {
            "model": "AD4Q",
            "name": "FOH RF",
            "model_string": "AD4Q-A",
            "channels": [
                {"name": "Host", "transmitter": {"model": "AD2", "battery_percent": 86}},
                {"name": "Guest 1", "transmitter": {"model": "AD1"}},
                {"name": "Guest 2", "transmitter": {"model": "ADX1", "battery_percent": 35}},
                {"name": "Guest 3", "transmitter": {"model": "AD2"}},
            ],
        },
        {
            "model": "EW-DX-EM4-DANTE",
            "name": "Theatre",
            "channels": [
                {"name": "LEAD", "transmitter": {"model": "SK", "battery_percent": 80}},
                {"name": "ALTO", "transmitter": {"model": "SK", "battery_percent": 45}},
                {"name": "HOST", "transmitter": {"model": "SKM", "battery_percent": 8}},
                {"name": "SPARE", "transmitter": None},
            ],
        },
        {
            "model": "EW-DX-EM2",
            "name": "Lectern",
            "channels": [
                {"name": "PASTOR", "transmitter": {"model": "SKM", "battery_percent": 65}},
                {"name": "READER", "transmitter": {"model": "SK"}},
            ],
        },
    ],
    "chargers": [
        {
            # Two linked SBC220 docks behind one address: bays 1-4.
            "model": "SBC220",
            "name": "Docks",
            "units": 2,
            "bays": [
                {"charge": 62},
                {"charge": 100, "cycles": 362, "health": 84},
                None,
                {"charge": 35},
            ],
        },
        {
            "model": "SBC840",
            "name": "Packs",
            "bays": [
                {"charge": 100},
                {"charge": 100},
                {"charge": 88},
                {"charge": 71, "temp_c": 41},
                {"charge": 20},
                None,
                # Bay 7 faulted, as in the real capture (shure-chargers sheet §5.1).
                {"charge": 50, "fault": 7},
                None,
            ],
        },
    ],
}


# The Shure part of the demo alone (the demo as it was before the Sennheiser front-end).
SHURE_DEMO_RIG: dict[str, Any] = {
    "receivers": [rx for rx in DEMO_RIG["receivers"] if not rx["model"].startswith("EW-DX")]
}


def fleet_rig(count: int, model: str = "ULXD4Q") -> dict[str, Any]:
    """``count`` receivers of one model, e.g. for a benchmark."""
    return {"receivers": [{"model": model, "name": f"RX {number:03d}"} for number in range(count)]}


def mixed_rig(count: int = 50) -> dict[str, Any]:
    """``count`` ULXD4Q and ``count`` EW-DX EM 4 Dante, alternating (a two-protocol bench)."""
    receivers: list[dict[str, Any]] = []
    for number in range(count):
        receivers.append({"model": "ULXD4Q", "name": f"RX {2 * number:03d}"})
        receivers.append({"model": "EW-DX-EM4-DANTE", "name": f"RX {2 * number + 1:03d}"})
    return {"receivers": receivers}


def load_rig(spec: str) -> dict[str, Any]:
    """``demo``, ``demo-shure``, ``fleet:N[:MODEL]``, ``mixed[:N]`` or a JSON rig file's path."""
    if spec == "demo":
        return DEMO_RIG
    if spec == "demo-shure":
        return SHURE_DEMO_RIG
    if spec == "mixed" or spec.startswith("mixed:"):
        _, *each = spec.split(":")
        return mixed_rig(*(int(number) for number in each))
    if spec.startswith("fleet:"):
        _, count, *model = spec.split(":")
        return fleet_rig(int(count), *model)
    rig: dict[str, Any] = json.loads(Path(spec).read_text(encoding="utf-8"))
    return rig


def _ports(base_port: int, reserved: set[int]) -> Iterator[int]:
    # Base port 0: every receiver gets its own ephemeral port (a reserved 0, as with
    # --control-port 0, reserves nothing; skipping it looped for ever).
    port = base_port
    while True:
        if port == 0 or port not in reserved:
            yield port
        port += 1 if base_port else 0


async def start_rig(
    simulator: Simulator, rig: Mapping[str, Any], *, base_port: int, reserved: set[int]
) -> list[FrontEnd]:
    """Start every receiver of a rig on consecutive ports from ``base_port``.

    A receiver may name its own ``port``; ports in ``reserved`` (the control port) are skipped.
    ``base_port`` 0 gives every receiver an ephemeral port. Shure (TCP) and Sennheiser (UDP)
    devices draw from the same run of ports. Setting up the rig is not a transition: what it
    would log is taken out of the transition log again. The rig's ``chargers`` follow its
    receivers on the same run of ports; their packs start charged as listed, not
    calculating.
    """
    free = _ports(base_port, reserved)
    started: list[FrontEnd] = []
    logged = len(simulator.log)
    for entry in rig["receivers"]:
        channels: list[Mapping[str, Any]] = entry.get("channels", [])
        receiver = await simulator.add_device(
            entry["model"],
            name=entry.get("name"),
            port=entry.get("port") or next(free),
            channel_names=[channel.get("name", "") for channel in channels] or None,
            mac=entry.get("mac"),
            firmware=entry.get("firmware"),
            with_model=entry.get("with_model"),
            model_string=entry.get("model_string"),
            rf_band=entry.get("rf_band"),
            device_id=entry.get("id"),
            serial=entry.get("serial"),
        )
        for index, channel in enumerate(channels, 1):
            if "transmitter" not in channel:
                continue
            transmitter = channel["transmitter"]
            if transmitter is None:
                receiver.set_transmitter(index, on=False)
            else:
                receiver.set_transmitter(index, on=True, **transmitter)
        started.append(receiver)
    for entry in rig.get("chargers", []):
        charger = await simulator.add_charger(
            entry["model"],
            name=entry.get("name"),
            port=entry.get("port") or next(free),
            units=entry.get("units", 1),
            mac=entry.get("mac"),
            firmware=entry.get("firmware"),
            model_string=entry.get("model_string"),
            device_id=entry.get("id"),
            serial=entry.get("serial"),
            charge_speed=entry.get("charge_speed"),
        )
        for index, bay in enumerate(entry.get("bays", []), 1):
            if bay is None:
                continue
            keys = ("health", "cycles", "temp_c", "model")
            values = {key: bay[key] for key in keys if key in bay}
            charger.insert_battery(index, charge=bay.get("charge", 50), calculating=False, **values)
            if bay.get("fault"):
                charger.fault_bay(index, int(bay["fault"]))
        started.append(charger)
    simulator.log.truncate(logged)
    return started
