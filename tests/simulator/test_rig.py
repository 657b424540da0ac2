"""The neutral rig: models, ids, the transition log, ctl by id, rigs and the CLI with SSC."""

from __future__ import annotations

import ast
import asyncio
import contextlib
from pathlib import Path
import sys

import pytest

from simulator import MODELS, SimulatedReceiver, Simulator, SscReceiver, find_model
from simulator.control import execute, send_command, serve_control
from simulator.rigs import DEMO_RIG, load_rig, mixed_rig, start_rig

from ..waiting import eventually
from .helpers import ConnectSsc

REPO = Path(__file__).resolve().parents[2]


def test_models_and_aliases() -> None:
    assert find_model("ew-dx em 4").model == "EW-DX-EM4-DANTE"
    assert find_model("EW-DX EM 2 Dante").model == "EW-DX-EM2-DANTE"
    assert find_model("EWDX-EM2").channels == 2
    assert find_model("slxd4d+") is MODELS["SLXD4D+"]
    assert MODELS["EW-DX-EM4-DANTE"].manufacturer == "sennheiser"
    assert MODELS["ULXD4Q"].protocol == "shure_tcp"
    # Model names stay single tokens for the CLI's "HOST:PORT MODEL NAME" lines.
    assert all(" " not in name for name in MODELS)
    with pytest.raises(ValueError, match="unknown model"):
        find_model("EM 6000")


async def test_add_by_manufacturer(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="Shure only"):
        await sim.add_receiver("EW-DX-EM2")
    with pytest.raises(ValueError, match="add_sennheiser"):
        await sim.add_sennheiser("ULXD4")
    shure = await sim.add_device("ULXD4D")
    ssc = await sim.add_device("EW-DX EM 4", device_id="theatre")
    assert isinstance(shure, SimulatedReceiver)
    assert isinstance(ssc, SscReceiver)
    assert (shure.id, ssc.id) == ("ulxd-1", "theatre")
    assert ssc.device.mac.startswith("00:1B:66:")
    assert ssc.device.serial.isdigit()
    transmitter = ssc.device.channel(1).transmitter
    assert transmitter is not None
    assert transmitter.battery_type == "Battery"
    assert sim.device("theatre") is ssc
    assert sim.device(ssc.port) is ssc
    assert sim.device(str(shure.port)) is shure
    with pytest.raises(KeyError):
        sim.device("nobody")
    with pytest.raises(ValueError, match="taken"):
        await sim.add_device("ULXD4", device_id="theatre")
    # Starting with transmitters on is no transition.
    assert sim.transitions == []


async def test_transition_log(sim: Simulator, ssc_to: ConnectSsc) -> None:
    shure = await sim.add_receiver("ULXD4D", device_id="stage")
    ssc = await sim.add_sennheiser("EW-DX-EM2", device_id="lectern")
    shure.set_transmitter(1, on=False)
    shure.set_transmitter(1, on=False)  # already off: no transition
    shure.set_transmitter(1, on=True)
    ssc.rename("FOH")
    ssc.rename_channel(2, "READER")
    ssc.set_battery(1, percent=20)
    await ssc.power_off()
    await ssc.power_off()
    await ssc.power_on()
    shure.go_silent()
    shure.resume()
    await shure.drop()
    await shure.refuse_connections(True)
    await shure.refuse_connections(False)
    shure.set_faults(garbage=True)
    kinds = [(t.device, t.channel, t.kind, t.value) for t in sim.transitions]
    assert kinds == [
        ("stage", 1, "tx-off", ""),
        ("stage", 1, "tx-on", ""),
        ("lectern", None, "rename", "FOH"),
        ("lectern", 2, "rename", "READER"),
        ("lectern", 1, "battery", "bars=None percent=20 minutes=None"),
        ("lectern", None, "rx-off", ""),
        ("lectern", None, "rx-on", ""),
        ("stage", None, "fault", "silent"),
        ("stage", None, "fault", "resume"),
        ("stage", None, "fault", "drop"),
        ("stage", None, "fault", "refuse"),
        ("stage", None, "fault", "accept"),
        ("stage", None, "fault", "garbage=on loss=0 duplicate=0 reorder=0"),
    ]
    stamps = [t.at for t in sim.transitions]
    assert stamps == sorted(stamps)
    assert sim.log.since(stamps[5]) == sim.transitions[5:]
    assert sim.transitions[0].port == shure.port
    assert sim.transitions[0].as_dict()["kind"] == "tx-off"
    assert len(sim.log) == 13
    sim.log.clear()
    assert list(sim.log) == []


async def test_ctl_by_id_and_new_commands(
    sim: Simulator, ssc_to: ConnectSsc, unused_tcp_port: int
) -> None:
    shure = await sim.add_receiver("ULXD4", device_id="podium")
    ssc = await sim.add_sennheiser("EW-DX-EM2", device_id="em2")
    server = await serve_control(sim, unused_tcp_port)
    try:
        for command, args in [
            ("tx-off", ["em2", "1"]),
            ("tx-on", ["em2", "1", "SK"]),
            ("battery", ["em2", "1", "2", "35", "150"]),
            ("rename", ["em2", "0", "FOH"]),
            ("rename", ["em2", "2", "VOX"]),
            ("levels", ["em2", "1", "-70", "-18", "55"]),
            ("faults", ["em2", "loss=0.5", "duplicate=0.25", "reorder=0", "garbage=on"]),
            ("faults", ["em2", "garbage=off", "loss=0"]),
            ("power-off", ["em2"]),
            ("power-on", ["em2"]),
            ("silent", ["podium"]),
            ("resume", [str(shure.port)]),
            ("drop", ["em2"]),
            ("refuse", ["em2"]),
            ("accept", ["em2"]),
            ("garbage", ["em2"]),
            ("tx-off", ["podium", "1"]),
        ]:
            assert await send_command(unused_tcp_port, command, args) == {"ok": True}, command
        tx = ssc.device.channel(1).transmitter
        assert tx is not None
        assert (tx.model, tx.battery_percent, tx.battery_minutes) == ("SK", 35, 150)
        assert ssc.device.name == "FOH"
        assert ssc.device.channel(1).quality == 55
        assert (ssc.device.faults.duplicate, ssc.device.faults.loss) == (0.25, 0.0)
        assert shure.device.channel(1).transmitter is None
        for command, args in [
            ("faults", ["em2", "loss=3"]),
            ("faults", ["em2", "garbage=maybe"]),
            ("faults", ["em2", "jitter=1"]),
            ("rename", ["em2", "1", "Grüße"]),
            ("tx-off", ["nobody", "1"]),
        ]:
            reply = await send_command(unused_tcp_port, command, args)
            assert reply["ok"] is False, (command, args)
        log = await send_command(unused_tcp_port, "log", [])
        kinds = [(entry["device"], entry["kind"]) for entry in log["log"]]
        assert kinds[:2] == [("em2", "tx-off"), ("em2", "tx-on")]
        assert ("em2", "rx-off") in kinds
        assert kinds[-1] == ("podium", "tx-off")
        later = await send_command(unused_tcp_port, "log", [str(log["log"][-1]["at"])])
        assert len(later["log"]) == 1
        listing = await execute(sim, "list", [])
        assert [rx["id"] for rx in listing["receivers"]] == ["podium", "em2"]
        assert listing["receivers"][1]["protocol"] == "sennheiser_ssc"
    finally:
        server.close()
        await server.wait_closed()


async def test_demo_rig_serves_both_protocols(sim: Simulator, ssc_to: ConnectSsc) -> None:
    receivers = await start_rig(sim, DEMO_RIG, base_port=0, reserved=set())
    # The two chargers come after the receivers.
    em4, em2 = receivers[-4:-2]
    assert isinstance(em4, SscReceiver)
    assert isinstance(em2, SscReceiver)
    assert em4.device.channel(4).transmitter is None
    wire = await ssc_to(em4)
    reply = await wire.ask({"device": {"name": None}, "mates": {"tx3": {"warnings": None}}})
    assert reply == {"device": {"name": "Theatre"}, "mates": {"tx3": {"warnings": ["LowBattery"]}}}
    assert sim.transitions == []


def test_mixed_rig() -> None:
    rig = load_rig("mixed")
    models = [entry["model"] for entry in rig["receivers"]]
    assert models.count("ULXD4Q") == 50
    assert models.count("EW-DX-EM4-DANTE") == 50
    assert models[:2] == ["ULXD4Q", "EW-DX-EM4-DANTE"]
    assert load_rig("mixed:2") == mixed_rig(2)
    assert len({entry["name"] for entry in rig["receivers"]}) == 100


async def test_mixed_rig_starts(ssc_to: ConnectSsc) -> None:
    async with Simulator(seed=2, noise=True, battery_drain=0) as sim:
        receivers = await start_rig(sim, mixed_rig(5), base_port=0, reserved=set())
        assert len(receivers) == 10
        wire = await ssc_to(receivers[9])
        reply = await wire.ask({"rx4": {"name": None}})
        assert reply == {"rx4": {"name": "CH 4"}}


async def test_cli_demo_lists_sennheiser_devices() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--rig",
        "demo",
        "--base-port",
        "0",
        "--control-port",
        "0",
        "--seed",
        "1",
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(10):
            lines = [(await process.stdout.readline()).decode().strip() for _ in range(10)]
        assert lines[-1].startswith("control 127.0.0.1:")
        control = int(lines[-1].rsplit(":", 1)[1])
        ssc_lines = [line for line in lines if " EW-DX-" in line]
        assert [line.split(" ", 1)[1] for line in ssc_lines] == [
            "EW-DX-EM4-DANTE Theatre",
            "EW-DX-EM2 Lectern",
        ]
        port = int(ssc_lines[0].split()[0].rsplit(":", 1)[1])
        reply = await send_command(control, "tx-off", [str(port), "1"])
        assert reply == {"ok": True}
        reply = await send_command(control, "tx-off", ["ewdx-6", "2"])
        assert reply == {"ok": True}
        log = await send_command(control, "log", [])
        assert [(e["device"], e["channel"]) for e in log["log"]] == [("ewdx-6", 1), ("ewdx-6", 2)]
    finally:
        process.terminate()
        await process.wait()
    assert process.returncode == 0


async def test_shure_garbage_switch_and_power(sim: Simulator) -> None:
    rx = await sim.add_receiver("ULXD4")
    reader, writer = await asyncio.open_connection(rx.host, rx.port)
    try:
        await eventually(lambda: rx.connection_count == 1)
        rx.set_faults(garbage=True)
        writer.write(b"< GET 1 CHAN_NAME >< GET DEVICE_ID >")
        await writer.drain()
        data = b""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.2):
                while chunk := await reader.read(4096):
                    data += chunk
        # Junk sits between the messages; every message still frames cleanly.
        assert b"junk" in data
        assert data.count(b"<") == data.count(b">") == 2
        assert b"< REP 1 CHAN_NAME {CH 1    } >" in data
        await rx.power_off()
        assert await reader.read() == b""
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(rx.host, rx.port)
        await rx.refuse_connections(False)  # still off: stays closed
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(rx.host, rx.port)
        await rx.power_on()
        _, again = await asyncio.open_connection(rx.host, rx.port)
        again.close()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    assert [t.kind for t in sim.transitions] == ["fault", "rx-off", "rx-on"]


def test_package_never_imports_the_client() -> None:
    # An independent implementation of the framing: a bug cannot hide on both sides.
    for path in (REPO / "simulator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "custom_components" for m in modules), path


def test_shure_demo_rig() -> None:
    models = [entry["model"] for entry in load_rig("demo-shure")["receivers"]]
    assert models == ["ULXD4Q", "QLXD4", "SLXD4D", "SLXD4D+", "AD4Q"]


async def test_ephemeral_ports_are_unique_across_protocols(sim: Simulator) -> None:
    receivers = [await sim.add_device(model) for model in ["ULXD4", "EW-DX-EM2"] * 20]
    assert len({rx.port for rx in receivers}) == 40


async def test_mdns_service(sim: Simulator) -> None:
    rx = await sim.add_sennheiser("EW-DX EM 4", name="Theatre", mac="00:1B:66:00:00:2A")
    assert rx.mdns_service() == {
        "type": "_ssc._udp.local.",
        "name": "Theatre._ssc._udp.local.",
        "hostname": f"ew-dx-em4-dante-{rx.device.serial}.local.",
        "port": rx.port,
        "addresses": ["127.0.0.1"],
        "properties": {"id": "001b6600002a", "model": "EW-DX EM 4 DANTE"},
    }


async def test_rig_with_control_port_zero(sim: Simulator) -> None:
    # A reserved 0 (--control-port 0) used to make the port generator spin for ever.
    async with asyncio.timeout(5):
        receivers = await start_rig(sim, load_rig("fleet:2"), base_port=0, reserved={0})
    assert len({rx.port for rx in receivers}) == 2
