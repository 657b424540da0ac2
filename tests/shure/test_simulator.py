"""The simulator speaks the wire format exactly; its control port and CLI work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import json
from pathlib import Path
import re
import socket
import sys

import pytest

from simulator import SimulatedReceiver, Simulator
from simulator.__main__ import main
from simulator.control import execute, send_command, serve_control
from simulator.rigs import DEMO_RIG, load_rig, start_rig

from ..waiting import eventually

REPO = Path(__file__).resolve().parents[2]


class Wire:
    """A raw TCP connection to a simulated receiver."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buffer = b""

    async def send(self, data: str) -> None:
        self.writer.write(data.encode())
        await self.writer.drain()

    async def collect(self, quiet: float = 0.1) -> str:
        """Everything received until the line goes quiet."""
        while True:
            try:
                async with asyncio.timeout(quiet):
                    chunk = await self.reader.read(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            self.buffer += chunk
        text, self.buffer = self.buffer.decode(), b""
        return text

    async def ask(self, command: str, quiet: float = 0.1) -> list[str]:
        await self.send(command)
        return messages(await self.collect(quiet))

    async def listen(self, seconds: float) -> list[str]:
        """Every message received in the next ``seconds`` (metering never goes quiet)."""
        data = b""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while chunk := await self.reader.read(65536):
                    data += chunk
        return messages(data.decode())


def messages(text: str) -> list[str]:
    """Split received text into messages."""
    return re.findall(r"<(?:[^>{]|\{[^}]*\})*>", text)


type Connect = Callable[[SimulatedReceiver], Awaitable[Wire]]


@pytest.fixture
async def wire_to() -> AsyncIterator[Connect]:
    wires: list[Wire] = []

    async def connect(receiver: SimulatedReceiver) -> Wire:
        reader, writer = await asyncio.open_connection(receiver.host, receiver.port)
        wire = Wire(reader, writer)
        wires.append(wire)
        return wire

    yield connect
    for wire in wires:
        wire.writer.close()
        with contextlib.suppress(ConnectionError):
            await wire.writer.wait_closed()


async def test_ulxd_wire_format(sim: Simulator, wire_to: Connect) -> None:
    rx = await sim.add_receiver("ULXD4D", name="Rack 1", channel_names=["VOX 1", "VOX 2"])
    rx.set_transmitter(2, on=False)
    wire = await wire_to(rx)
    raw = await wire.ask("< GET 0 ALL >\r\n")
    text = "".join(raw)
    assert "\r" not in text
    assert "\n" not in text
    assert raw[0] == "< REP FW_VER {2.7.6.0                 } >"
    assert "< REP DEVICE_ID {Rack 1  } >" in raw
    assert "< REP MODEL {ULXD4D" + " " * 26 + "} >" in raw
    assert "< REP 1 CHAN_NAME {VOX 1   } >" in raw
    assert "< REP 1 METER_RATE 00000 >" in raw
    assert "< REP 1 GROUP_CHAN 01,01 >" in raw
    assert "< REP 1 FREQUENCY 470125 >" in raw
    assert "< REP 1 BATT_CYCLE 00012 >" in raw
    assert "< REP 1 BATT_TEMP_C 064 >" in raw
    assert "< REP 2 TX_TYPE UNKN >" in raw
    assert "< REP 2 BATT_RUN_TIME 65535 >" in raw
    assert "< REP 2 TX_DEVICE_ID {        } >" in raw

    assert await wire.ask("< GET NET_SETTINGS SC >") == [
        f"< REP NET_SETTINGS SC MANUAL 127.0.0.1 255.0.0.0 0.0.0.0 {rx.state.mac.upper()} >"
    ]
    assert await wire.ask("< GET 2 BATT_BARS >") == ["< REP 2 BATT_BARS 255 >"]
    assert await wire.ask("< GET DEVICE_ID >") == ["< REP DEVICE_ID {Rack 1  } >"]
    assert await wire.ask("< SET 0 METER_RATE 00100 >", quiet=0.05) == [
        "< REP 1 METER_RATE 00100 >",
        "< REP 2 METER_RATE 00100 >",
    ]
    samples = await wire.listen(0.35)
    assert samples.count("< SAMPLE 2 ALL XX 018 000 >") >= 2
    assert all(re.fullmatch(r"< SAMPLE [12] ALL [AX][BX] \d{3} \d{3} >", s) for s in samples)
    await wire.send("< SET 0 METER_RATE 0 >")
    replies = await wire.listen(0.2)
    assert replies[-2:] == ["< REP 1 METER_RATE 00000 >", "< REP 2 METER_RATE 00000 >"]
    assert await wire.ask("< GET 1 METER_RATE >") == ["< REP 1 METER_RATE 00000 >"]


@pytest.mark.parametrize(
    "command",
    [
        "< GET 0 NOTHING >",
        "< GET 5 CHAN_NAME >",
        "< HELLO >",
        "< GET >",
        "< GET 1 >",
        "< SET 1 METER_RATE 00050 >",
        "< SET 1 CHAN_NAME NoBraces >",
        "< SET 1 CHAN_NAME {Far too long} >",
        "< SET 1 CHAN_NAME {bad|char} >",
        "< SET 1 AUDIO_GAIN UP 3 >",
        "< SET 1 AUDIO_MUTE MAYBE >",
        "< SET 1 WHATEVER 1 >",
        "< SET FLASH SOMETIMES >",
        "< GET NET_SETTINGS D9 >",
        "< GET DEVICE_ID EXTRA >",
    ],
)
async def test_rep_err(sim: Simulator, wire_to: Connect, command: str) -> None:
    rx = await sim.add_receiver("ULXD4D")
    wire = await wire_to(rx)
    assert await wire.ask(command) == ["< REP ERR >"]


async def test_sets_are_answered_and_pushed_to_everyone(sim: Simulator, wire_to: Connect) -> None:
    rx = await sim.add_receiver("AD4D")
    asker = await wire_to(rx)
    other = await wire_to(rx)
    await eventually(lambda: rx.connection_count == 2)
    assert await asker.ask("< SET 1 CHAN_NAME {Lead} >") == [
        "< REP 1 CHAN_NAME {Lead" + " " * 27 + "} >"
    ]
    assert "CHAN_NAME {Lead" in await other.collect()
    # Unchanged: only the asker hears back.
    assert await asker.ask("< SET 1 CHAN_NAME {Lead} >") == [
        "< REP 1 CHAN_NAME {Lead" + " " * 27 + "} >"
    ]
    assert await other.collect() == ""
    assert await asker.ask("< SET 2 AUDIO_GAIN 40 >") == ["< REP 2 AUDIO_GAIN 040 >"]
    assert await asker.ask("< SET 2 AUDIO_GAIN INC 5 >") == ["< REP 2 AUDIO_GAIN 045 >"]
    assert await asker.ask("< SET 2 AUDIO_GAIN DEC 99 >") == ["< REP 2 AUDIO_GAIN 000 >"]
    assert await asker.ask("< SET 1 AUDIO_MUTE TOGGLE >") == ["< REP 1 AUDIO_MUTE ON >"]
    assert await asker.ask("< SET 0 AUDIO_MUTE OFF >") == ["< REP 1 AUDIO_MUTE OFF >"]
    assert await asker.ask("< SET 1 FREQUENCY 602125 >") == [
        "< REP 1 GROUP_CHANNEL {--,--} >",
        "< REP 1 FREQUENCY 0602125 >",
    ]
    assert await asker.ask("< SET DEVICE_ID {FOH} >") == ["< REP DEVICE_ID {FOH" + " " * 28 + "} >"]
    assert await asker.ask("< SET DEVICE_ID {FOH} >") == ["< REP DEVICE_ID {FOH" + " " * 28 + "} >"]
    assert await asker.ask("< SET FLASH ON >") == ["< REP FLASH ON >"]
    (rssi,) = await asker.ask("< GET 1 RSSI 2 >")
    assert re.fullmatch(r"< REP 1 RSSI 2 \d{3} >", rssi)
    assert len(await asker.ask("< GET 0 RSSI >")) == 4
    assert rx.received[-1] == "< GET 0 RSSI >"


async def test_axient_and_slxd_samples(sim: Simulator, wire_to: Connect) -> None:
    ad = await sim.add_receiver("AD4D")
    ad.set_levels(1, rf_dbm=-50, audio_dbfs=0, antenna="AB")
    ad.set_transmitter(2, on=False)
    wire = await wire_to(ad)
    await wire.send("< SET 0 METER_RATE 00100 >")
    samples = set(await wire.listen(0.25))
    assert "< SAMPLE 1 ALL 005 255 120 114 BB 15 070 15 070 >" in samples
    assert "< SAMPLE 2 ALL 255 000 000 000 XX 00 012 00 012 >" in samples

    slx = await sim.add_receiver("SLXD4")
    slx.set_levels(1, rf_dbm=-34, audio_dbfs=-18)
    wire = await wire_to(slx)
    await wire.send("< SET 1 METER_RATE 00100 >")
    assert "< SAMPLE 1 ALL 102 096 086 >" in await wire.listen(0.25)
    await wire.send("< GET 1 ALL >")
    assert "< REP 1 RSSI 1 086 >" in await wire.listen(0.2)


async def test_slxd_plus_quirks(sim: Simulator, wire_to: Connect) -> None:
    rx = await sim.add_receiver("SLXD4D+")
    rx.set_transmitter(2, on=False)
    wire = await wire_to(rx)
    await wire.send("< GET 0 ALL >")
    started = await wire.listen(1.2)
    assert started[0] == "< REP ERR >"
    # ... yet metering starts.
    assert any(line.startswith("< SAMPLE 1 ALL") for line in started)
    await wire.send("< SET 0 METER_RATE 0 >")
    await wire.listen(0.1)
    empty = await wire.ask("< GET 2 ALL >")
    assert empty == [
        "< REP 2 TX_MODEL UNKNOWN >",
        "< REP 2 TX_BATT_BARS 255 >",
        "< REP 2 TX_BATT_MINS 65535 >",
        "< REP 2 SLOT_TX_MODEL 1 {          } >",
        "< REP 2 SLOT_TX_MODEL 2 {          } >",
        "< REP 2 LINK_STATUS 1 offline >",
        "< REP 2 LINK_STATUS 2 offline >",
    ]
    linked = await wire.ask("< GET 1 ALL >")
    assert "< REP 1 RSSI 065 >" in linked
    assert "< REP 1 SLOT_TX_MODEL 1 {SLXD2+    } >" in linked
    assert any(line.startswith("< REP MODEL {SLXD4D+ ") for line in linked)
    assert await wire.ask("< GET 2 CHAN_NAME >") == ["< REP 2 CHAN_NAME {CH 2" + " " * 27 + "} >"]


async def test_qlxd_has_mac_and_no_model(sim: Simulator, wire_to: Connect) -> None:
    rx = await sim.add_receiver("QLXD4", mac="00:0e:dd:aa:bb:cc", firmware="2.2.11.0")
    wire = await wire_to(rx)
    raw = await wire.ask("< GET 0 ALL >")
    assert "< REP MAC_ADDR 00:0e:dd:aa:bb:cc >" in raw
    assert "< REP FW_VER {2.2.11.0          } >" in raw
    assert not any("MODEL" in line or "AUDIO_MUTE" in line for line in raw)
    assert await wire.ask("< GET NET_SETTINGS SC >") == ["< REP ERR >"]
    assert await wire.ask("< SET FLASH ON >") == ["< REP ERR >"]


async def test_pushes_battery_drop_and_transmitter_off(sim: Simulator, wire_to: Connect) -> None:
    rx = await sim.add_receiver("ULXD4")
    wire = await wire_to(rx)
    await eventually(lambda: rx.connection_count == 1)
    rx.set_battery(1, bars=1)
    pushed = await wire.collect()
    assert "< REP 1 BATT_BARS 001 >" in pushed
    assert "< REP 1 BATT_CHARGE 010 >" in pushed
    rx.set_battery(1, minutes=240)
    assert "< REP 1 BATT_RUN_TIME 00240 >" in await wire.collect()
    rx.set_transmitter(1, on=False)
    pushed = await wire.collect()
    assert "< REP 1 TX_TYPE UNKN >" in pushed
    assert "< REP 1 BATT_BARS 255 >" in pushed
    with pytest.raises(KeyError):
        rx.set_battery(1, bars=3)
    rx.set_transmitter(1, on=True, model="ULXD1", name="Gtr", battery_type="ALKA")
    pushed = await wire.collect()
    assert "< REP 1 TX_TYPE ULXD1 >" in pushed
    assert "< REP 1 BATT_TYPE ALKA >" in pushed
    rx.set_frequency(1, 500.0)
    assert "< REP 1 FREQUENCY 500000 >" in await wire.collect()
    # Silent: nothing pushed, nothing answered.
    rx.go_silent()
    rx.rename("Quiet")
    assert await wire.ask("< GET DEVICE_ID >") == []
    rx.resume()
    assert await wire.ask("< GET DEVICE_ID >") == ["< REP DEVICE_ID {Quiet   } >"]


async def test_battery_drains_over_time() -> None:
    async with Simulator(seed=1, noise=True, battery_drain=6000) as sim:
        rx = await sim.add_receiver("AD4D")
        rx.set_transmitter(2, on=False)
        await asyncio.sleep(0.25)
        transmitter = rx.state.channel(1).transmitter
        assert transmitter is not None
        assert transmitter.battery_minutes is not None
        assert transmitter.battery_minutes < 480
        assert transmitter.battery_bars is not None
        with pytest.raises(KeyError):
            rx.state.channel(3)


async def test_many_receivers_meter_in_one_process(sim: Simulator) -> None:
    receivers = [await sim.add_receiver("ULXD4Q") for _ in range(100)]
    connections = [await asyncio.open_connection(rx.host, rx.port) for rx in receivers]
    for _, writer in connections:
        writer.write(b"< SET 0 METER_RATE 00100 >")
    await asyncio.sleep(0.35)
    counts = [(await reader.read(1 << 20)).count(b"SAMPLE") for reader, _ in connections]
    assert min(counts) >= 8
    for _, writer in connections:
        writer.close()


async def test_add_receiver_validation(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="unknown model"):
        await sim.add_receiver("UR4D")
    rx = await sim.add_receiver("slxd4", transmitters=False)
    assert rx.state.channel(1).transmitter is None
    assert sim.receiver(rx.port) is rx
    with pytest.raises(KeyError):
        sim.receiver(1)
    await sim.remove_receiver(rx)
    await sim.remove_receiver(rx)
    assert sim.receivers == []


# --- rigs, control port, command line ----------------------------------------------------


async def test_demo_rig_and_control_port(sim: Simulator, unused_tcp_port: int) -> None:
    receivers = await start_rig(sim, DEMO_RIG, base_port=0, reserved=set())
    models = [rx.model for rx in receivers if rx.kind == "receiver"]
    assert models == [
        "ULXD4Q",
        "QLXD4",
        "SLXD4D",
        "SLXD4D+",
        "AD4Q",
        "EW-DX-EM4-DANTE",
        "EW-DX-EM2",
    ]
    # The chargers follow the receivers (their ports and ids unchanged by them).
    assert [(rx.model, rx.kind) for rx in receivers[7:]] == [
        ("SBC220", "charger"),
        ("SBC840", "charger"),
    ]
    # Setting the rig up is not a transition.
    assert sim.transitions == []
    stage = receivers[0]
    assert stage.state.channel(4).transmitter is None
    low = stage.state.channel(3).transmitter
    assert low is not None
    assert low.battery_bars == 1

    server = await serve_control(sim, unused_tcp_port)
    try:
        port = str(stage.port)
        listing = await send_command(unused_tcp_port, "list", [])
        assert [rx["model"] for rx in listing["receivers"]] == models
        assert [charger["model"] for charger in listing["chargers"]] == ["SBC220", "SBC840"]
        for command, args in [
            ("tx-off", [port, "1"]),
            ("tx-on", [port, "4", "ULXD1"]),
            ("tx-on", [port, "1"]),
            ("battery", [port, "1", "2"]),
            ("battery", [port, "1", "2", "30", "100"]),
            ("rename", [port, "1", "Lead", "Vox"]),
            ("rename", [port, "0", "Stage"]),
            ("firmware", [port, "2.7.8.0"]),
            ("frequency", [port, "1", "512.5"]),
            ("levels", [port, "1", "-60", "-10"]),
            ("silent", [port]),
            ("resume", [port]),
            ("garbage", [port]),
            ("drop", [port]),
            ("refuse", [port]),
            ("accept", [port]),
        ]:
            assert await send_command(unused_tcp_port, command, args) == {"ok": True}, command
        assert stage.state.channel(1).name == "Lead Vox"
        assert stage.state.name == "Stage"
        assert stage.describe()["firmware"] == "2.7.8.0"
        failures = [
            ("nope", [port]),
            ("tx-off", []),
            ("tx-off", ["1", "1"]),
            ("tx-off", [port, "9"]),
            ("battery", [port]),
        ]
        for command, args in failures:
            reply = await send_command(unused_tcp_port, command, args)
            assert reply["ok"] is False, command
        reader, writer = await asyncio.open_connection("127.0.0.1", unused_tcp_port)
        writer.write(b"not json\n")
        assert json.loads(await reader.readline())["ok"] is False
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_load_rig(tmp_path: Path) -> None:
    assert load_rig("demo") is DEMO_RIG
    fleet = load_rig("fleet:3:AD4D")
    assert [rx["model"] for rx in fleet["receivers"]] == ["AD4D"] * 3
    assert load_rig("fleet:2")["receivers"][1] == {"model": "ULXD4Q", "name": "RX 001"}
    path = tmp_path / "rig.json"
    path.write_text(json.dumps({"receivers": [{"model": "QLXD4", "port": 0}]}))
    assert load_rig(str(path)) == {"receivers": [{"model": "QLXD4", "port": 0}]}


def _free_block(size: int) -> int:
    """A base port with ``size`` consecutive ports free right now (bound and released)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + size > 65535:
            continue
        try:
            with contextlib.ExitStack() as stack:
                for port in range(base, base + size):
                    held = stack.enter_context(socket.socket())
                    held.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise AssertionError("no block of free ports")


async def test_rig_ports_skip_reserved(sim: Simulator) -> None:
    rig = {"receivers": [{"model": "ULXD4"}, {"model": "QLXD4", "channels": [{"name": "X"}]}]}
    base = _free_block(3)
    receivers = await start_rig(sim, rig, base_port=base, reserved={base + 1})
    assert [rx.port for rx in receivers] == [base, base + 2]
    assert receivers[1].state.channel(1).name == "X"


async def test_execute_list(sim: Simulator) -> None:
    await sim.add_receiver("AD4D")
    reply = await execute(sim, "list", [])
    assert reply["receivers"][0]["channels"][0]["transmitter"]["model"] == "AD2"


async def test_cli_runs_a_rig_and_ctl_talks_to_it() -> None:
    # Port 0 everywhere: the system picks free ports and the simulator prints them, so the
    # test cannot race another process for a port picked in advance (CI saw EADDRINUSE).
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--rig",
        "fleet:2:SLXD4D",
        "--base-port",
        "0",
        "--control-port",
        "0",
        "--seed",
        "3",
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(10):
            lines = [(await process.stdout.readline()).decode().strip() for _ in range(3)]
        first, second, control_line = lines
        assert re.fullmatch(r"127\.0\.0\.1:\d+ SLXD4D RX 000", first)
        assert re.fullmatch(r"127\.0\.0\.1:\d+ SLXD4D RX 001", second)
        assert re.fullmatch(r"control 127\.0\.0\.1:\d+", control_line)
        base = int(first.split()[0].rsplit(":", 1)[1])
        control = int(control_line.rsplit(":", 1)[1])
        assert int(second.split()[0].rsplit(":", 1)[1]) != base
        ctl = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "simulator",
            "ctl",
            "--control-port",
            str(control),
            "tx-off",
            str(base),
            "1",
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
        )
        output, _ = await ctl.communicate()
        assert ctl.returncode == 0
        assert json.loads(output) == {"ok": True}
    finally:
        process.terminate()
        await process.wait()
    assert process.returncode == 0


def test_ctl_errors(unused_tcp_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ctl", "--control-port", str(unused_tcp_port), "list"]) == 2
    assert "not reachable" in capsys.readouterr().err


async def test_ctl_in_process(sim: Simulator, unused_tcp_port: int) -> None:
    rx = await sim.add_receiver("ULXD4")
    server = await serve_control(sim, unused_tcp_port)
    try:
        loop = asyncio.get_running_loop()
        status = await loop.run_in_executor(
            None, main, ["ctl", "--control-port", str(unused_tcp_port), "list"]
        )
        assert status == 0
        status = await loop.run_in_executor(
            None, main, ["ctl", "--control-port", str(unused_tcp_port), "tx-off", "1", "1"]
        )
        assert status == 1
        assert rx.describe()["port"] == rx.port
    finally:
        server.close()
        await server.wait_closed()


def test_cli_reports_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--rig", "fleet:1", "--base-port", "notaport"])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        assert main(["--rig", "fleet:1", "--base-port", port, "--control-port", port]) == 2
    assert "simulator:" in capsys.readouterr().err


async def test_identify_flashes_then_stops_by_itself(sim: Simulator, wire_to: Connect) -> None:
    """Sheet §1.7: REP FLASH ON, later REP FLASH OFF on its own; a channel index flashes one
    channel."""
    rx = await sim.add_receiver("ULXD4D")
    rx.flash_seconds = (0.6, 0.8)
    wire = await wire_to(rx)
    assert await wire.ask("< SET FLASH ON >") == ["< REP FLASH ON >"]
    assert rx.device.identify
    assert await wire.ask("< SET 2 FLASH ON >") == ["< REP 2 FLASH ON >"]
    assert rx.device.channel(2).identify
    assert not rx.device.channel(1).identify
    later = await wire.listen(1.0)
    assert later == ["< REP FLASH OFF >", "< REP 2 FLASH OFF >"]
    assert not rx.device.identify
    assert not rx.device.channel(2).identify
    # Switched off by hand: no second OFF later.
    assert await wire.ask("< SET 1 FLASH ON >") == ["< REP 1 FLASH ON >"]
    assert await wire.ask("< SET 1 FLASH OFF >") == ["< REP 1 FLASH OFF >"]
    assert await wire.listen(1.0) == []


@pytest.mark.parametrize(
    ("model", "command"),
    [
        # QLX-D has no FLASH, and no receiver mute (sheet §1.7, §3).
        ("QLXD4", "< SET 1 FLASH ON >"),
        ("QLXD4", "< SET 1 AUDIO_MUTE ON >"),
        # SLX-D has no mute of any kind (sheet §4.3).
        ("SLXD4D", "< SET 1 AUDIO_MUTE ON >"),
        ("SLXD4D+", "< SET 2 AUDIO_MUTE OFF >"),
        # Identify names the device or one channel, not "every channel".
        ("ULXD4D", "< SET 0 FLASH ON >"),
        # Absolute gain beyond 000-060 (-18 to +42 dB) is out of range.
        ("ULXD4D", "< SET 1 AUDIO_GAIN 061 >"),
        ("AD4D", "< SET 1 AUDIO_GAIN 999 >"),
        # Names: at most 8 characters of Shure's set.
        ("SLXD4", "< SET 1 CHAN_NAME {NINE CHAR} >"),
        ("AD4Q", "< SET 3 CHAN_NAME {a{b} >"),
        ("ULXD4", "< SET 1 CHAN_NAME {} >"),
    ],
)
async def test_writes_a_family_refuses(
    sim: Simulator, wire_to: Connect, model: str, command: str
) -> None:
    rx = await sim.add_receiver(model)
    wire = await wire_to(rx)
    assert await wire.ask(command) == ["< REP ERR >"]


async def test_slxd_identifies_and_takes_names_and_gain(sim: Simulator, wire_to: Connect) -> None:
    rx = await sim.add_receiver("SLXD4D")
    wire = await wire_to(rx)
    assert await wire.ask("< SET 2 FLASH ON >") == ["< REP 2 FLASH ON >"]
    assert await wire.ask("< SET 1 CHAN_NAME {Lead #1} >") == [
        "< REP 1 CHAN_NAME {Lead #1" + " " * 24 + "} >"
    ]
    assert await wire.ask("< SET 1 AUDIO_GAIN 000 >") == ["< REP 1 AUDIO_GAIN 000 >"]
    assert rx.device.channel(1).gain_db == -18


async def test_locked_refuses_every_change(sim: Simulator, wire_to: Connect) -> None:
    rx = await sim.add_receiver("ULXD4D", channel_names=["Vox 1"])
    rx.set_faults(locked=True)
    wire = await wire_to(rx)
    for command in (
        "< SET 1 CHAN_NAME {Lead} >",
        "< SET 1 AUDIO_GAIN 030 >",
        "< SET 1 AUDIO_MUTE ON >",
        "< SET FLASH ON >",
        "< SET DEVICE_ID {Rack} >",
    ):
        assert await wire.ask(command) == ["< REP ERR >"], command
    # Reading and metering still work.
    assert await wire.ask("< GET 1 CHAN_NAME >") == ["< REP 1 CHAN_NAME {Vox 1   } >"]
    assert await wire.ask("< SET 1 METER_RATE 00000 >") == ["< REP 1 METER_RATE 00000 >"]
    assert rx.describe()["locked"] is True
    assert sim.log.since()[-1].value == "garbage=off loss=0 duplicate=0 reorder=0 locked=on"
    rx.set_faults(locked=False)
    assert await wire.ask("< SET 1 AUDIO_MUTE ON >") == ["< REP 1 AUDIO_MUTE ON >"]
    channel = rx.describe()["channels"][0]  # type: ignore[index]
    assert (channel["muted"], channel["gain_db"], channel["identify"]) == (True, 0, False)


async def test_ctl_locked_fault(sim: Simulator) -> None:
    rx = await sim.add_receiver("AD4D")
    assert await execute(sim, "faults", [str(rx.port), "locked=on"]) == {"ok": True}
    assert rx.device.faults.locked
    reply = await execute(sim, "faults", [str(rx.port), "locked=maybe"])
    assert reply["ok"] is False
