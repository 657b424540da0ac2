"""The simulated chargers on the wire, from the protocol sheets (raw sockets, no client code)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import re

import pytest

from simulator import ChargerOptions, Pack, PackState, SimulatedCharger, Simulator
from simulator.control import execute
from simulator.frontend import FrontEnd
from simulator.rig import FULL_CHARGE_MINUTES, STORAGE_PERCENT
from simulator.rigs import DEMO_RIG, load_rig, start_rig
from simulator.shure_tcp import charger as charger_module

from ..waiting import eventually
from .helpers import ConnectSsc

_LINE = re.compile(rb"<[^>]*>")


class Wire:
    """A plain TCP client: commands out, ``< ... >`` messages in."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = b""

    async def ask(self, *commands: str, quiet: float = 0.15) -> list[str]:
        self.writer.write("".join(commands).encode())
        await self.writer.drain()
        return await self.read(quiet)

    async def read(self, quiet: float = 0.15) -> list[str]:
        """Every message until nothing came for ``quiet`` seconds."""
        while True:
            try:
                async with asyncio.timeout(quiet):
                    data = await self.reader.read(65536)
            except TimeoutError:
                break
            if not data:
                break
            self.buffer += data
        found = _LINE.findall(self.buffer)
        self.buffer = self.buffer[self.buffer.rfind(b">") + 1 :]
        return [line.decode() for line in found]


@pytest.fixture
async def chargers() -> AsyncIterator[Simulator]:
    async with Simulator(seed=4, noise=False, battery_drain=0, charge_speed=0) as sim:
        yield sim


async def connect(device: FrontEnd) -> Wire:
    reader, writer = await asyncio.open_connection(device.host, device.port)
    return Wire(reader, writer)


def braced(line: str) -> str:
    return line[line.index("{") + 1 : line.index("}")]


async def test_get_0_all_writes_the_sheets_widths_and_sentinels(chargers: Simulator) -> None:
    docks = await chargers.add_charger("SBC220", name="MA: 5-8", units=4)
    assert isinstance(docks, SimulatedCharger)
    docks.insert_battery(1, charge=100, cycles=362, health=84, temp_c=24, calculating=False)
    docks.insert_battery(7, calculating=False)
    docks.fault_bay(7)
    wire = await connect(docks)
    lines = await wire.ask("< GET 0 ALL >")
    head = lines[:5]
    assert [line.split()[2] for line in head] == [
        "MODEL",
        "FW_VER",
        "DEVICE_ID",
        "FLASH",
        "STORAGE_MODE",
    ]
    assert [len(braced(line)) for line in head[:3]] == [32, 24, 31]
    assert head[2] == "< REP DEVICE_ID {MA: 5-8                        } >"
    # The real full bay (sheet §5.1), temperatures + 40 on both keys.
    bay1 = [line for line in lines if line.startswith("< REP 1 BATT") and "MODULE" not in line]
    assert bay1 == [
        "< REP 1 BATT_DETECTED YES >",
        "< REP 1 BATT_TIME_TO_FULL 65529 >",
        "< REP 1 BATT_STATE FULL >",
        "< REP 1 BATT_CHARGE 100 >",
        "< REP 1 BATT_CURRENT_CAPACITY 01848 >",
        "< REP 1 BATT_CURRENT_CAPACITY_MAX 01848 >",
        "< REP 1 BATT_CYCLE 00362 >",
        "< REP 1 BATT_TEMP_F 115 >",
        "< REP 1 BATT_TEMP_C 064 >",
        "< REP 1 BATT_CAPACITY_MAX 02200 >",
        "< REP 1 BATT_HEALTH 084 >",
        "< REP 1 BATT_BARS 005 >",
        "< REP 1 BATT_ERROR 000 >",
    ]
    # The real faulted bay: every number its error sentinel.
    bay7 = [line.split(" ", 3)[3] for line in lines if line.startswith("< REP 7 BATT_")]
    assert bay7 == [
        "BATT_DETECTED YES >",
        "BATT_TIME_TO_FULL 65534 >",
        "BATT_STATE ERROR >",
        "BATT_CHARGE 254 >",
        "BATT_CURRENT_CAPACITY 65534 >",
        "BATT_CURRENT_CAPACITY_MAX 65534 >",
        "BATT_CYCLE 65534 >",
        "BATT_TEMP_F 254 >",
        "BATT_TEMP_C 254 >",
        "BATT_CAPACITY_MAX 65534 >",
        "BATT_HEALTH 254 >",
        "BATT_BARS 254 >",
        "BATT_ERROR 007 >",
    ]
    # An empty bay: NO, NO_BATT, 255 and 65535.
    bay2 = [line.split()[4] for line in lines if line.startswith("< REP 2 BATT_")]
    assert bay2[:-1] == [
        "NO",
        "65535",
        "NO_BATT",
        "255",
        "65535",
        "65535",
        "65535",
        "255",
        "255",
        "65535",
        "255",
        "255",
        "255",
    ]
    # Bays 1-8 across the chain, then the four units' module types.
    assert {int(line.split()[2]) for line in lines if "BATT_STATE" in line} == set(range(1, 9))
    assert lines[-4:] == [
        "< REP 1 BATT_MODULE_TYPE 129 >",
        "< REP 2 BATT_MODULE_TYPE 133 >",
        "< REP 3 BATT_MODULE_TYPE 133 >",
        "< REP 4 BATT_MODULE_TYPE 133 >",
    ]


async def test_single_keys_errors_and_settings(chargers: Simulator) -> None:
    packs = await chargers.add_charger("SBC840", name="Packs")
    packs.insert_battery(3, charge=62, calculating=False)
    wire = await connect(packs)
    assert await wire.ask("< GET 1 METER_RATE >") == ["< REP ERR >"]
    assert await wire.ask("< GET 1 BATT_MODULE_TYPE >") == ["< REP ERR >"]
    assert await wire.ask("< GET 9 BATT_CHARGE >") == ["< REP ERR >"]
    assert await wire.ask("< GET NET_SETTINGS D1 >") == ["< REP ERR >"]
    assert await wire.ask("< HELLO >") == ["< REP ERR >"]
    assert await wire.ask("< GET 3 BATT_TIME_TO_FULL >") == ["< REP 3 BATT_TIME_TO_FULL 00069 >"]
    charges = await wire.ask("< GET 0 BATT_CHARGE >")
    assert len(charges) == 8
    assert charges[2] == "< REP 3 BATT_CHARGE 062 >"
    assert await wire.ask("< GET MODEL >") == [f"< REP MODEL {{{'SBC840':<32}}} >"]
    one = await wire.ask("< GET 3 ALL >")
    assert len(one) == 5 + 13
    mac = packs.device.mac.upper()
    assert await wire.ask("< GET NET_SETTINGS SC >") == [
        f"< REP NET_SETTINGS SC MANUAL 127.000.000.001 255.000.000.000 000.000.000.000 {mac} >"
    ]
    # CRLF after a command is taken (open question 8).
    assert await wire.ask("< GET FLASH >\r\n") == ["< REP FLASH OFF >"]
    # Pushed (to every connection): the mode, and the bay it changes (now draining).
    toggled = await wire.ask("< SET STORAGE_MODE TOGGLE >")
    assert toggled[0] == "< REP STORAGE_MODE ON >"
    assert "< REP 3 BATT_STATE DISCHARGING >" in toggled
    assert packs.device.storage_mode
    assert await wire.ask("< SET DEVICE_ID {Bodies} >") == [f"< REP DEVICE_ID {{{'Bodies':<31}}} >"]
    assert await wire.ask("< SET DEVICE_ID {Far too long} >") == ["< REP ERR >"]
    assert await wire.ask("< SET REBOOT >") == []
    assert await wire.ask("< SET 1 BATT_CHARGE 050 >") == ["< REP ERR >"]


async def test_flash_turns_itself_off(chargers: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charger_module, "FLASH_SECONDS", 0.3)
    docks = await chargers.add_charger("SBC220")
    wire = await connect(docks)
    assert await wire.ask("< SET FLASH ON >", quiet=0.1) == ["< REP FLASH ON >"]
    assert await wire.read(0.5) == ["< REP FLASH OFF >"]


async def test_packs_charge_minute_by_minute_and_push_each_tick(chargers: Simulator) -> None:
    packs = await chargers.add_charger("SBC840", name="Packs")
    wire = await connect(packs)
    await wire.ask("< GET 0 ALL >")
    packs.insert_battery(2, charge=98)
    pushed = await wire.read()
    assert "< REP 2 BATT_DETECTED YES >" in pushed
    assert "< REP 2 BATT_STATE CALCULATING >" in pushed
    assert "< REP 2 BATT_TIME_TO_FULL 65533 >" in pushed
    packs.charge_batteries(1)
    assert "< REP 2 BATT_TIME_TO_FULL 00004 >" in await wire.read()
    packs.charge_batteries(1)
    # One minute: one less, and nothing else of bay 2 but the charge (and capacity).
    tick = await wire.read()
    assert "< REP 2 BATT_TIME_TO_FULL 00003 >" in tick
    assert not [line for line in tick if "BATT_STATE" in line]
    for _ in range(3):
        packs.charge_batteries(1)
    full = await wire.read()
    assert "< REP 2 BATT_STATE FULL >" in full
    assert "< REP 2 BATT_TIME_TO_FULL 65529 >" in full
    assert "< REP 2 BATT_CHARGE 100 >" in full
    assert [(entry.kind, entry.channel) for entry in chargers.transitions][-1] == ("bay-full", 2)


async def test_the_speed_drives_charging(chargers: Simulator) -> None:
    packs = await chargers.add_charger("SBC840", charge_speed=6000)
    packs.insert_battery(1, charge=90)
    # 6000 minutes a minute: a minute every 10 ms; 90 % -> full in 18 minutes.
    await eventually(lambda: packs.device.bay(1).pack.state(False) is PackState.FULL, within=3)
    packs.set_charge_speed(0)
    packs.insert_battery(2, charge=10)
    await asyncio.sleep(0.1)
    pack = packs.device.bay(2).pack
    assert pack is not None
    assert pack.calculating


def test_pack_states_and_storage() -> None:
    pack = Pack(charge=50, calculating=False)
    assert pack.state(False) is PackState.CHARGING
    assert pack.minutes_to_target(False) == FULL_CHARGE_MINUTES // 2
    pack.temp_c = 41
    assert pack.state(False) is PackState.WARM
    pack.charge_for(2, False)
    assert pack.charge == pytest.approx(50 + 100 / FULL_CHARGE_MINUTES)
    pack.temp_c = 46
    assert pack.state(False) is PackState.HOT
    pack.charge_for(10, False)
    assert pack.charge == pytest.approx(50 + 100 / FULL_CHARGE_MINUTES)
    pack.temp_c = 3
    assert pack.state(False) is PackState.COLD
    pack.temp_c = 25
    assert pack.state(True) is PackState.DISCHARGING
    pack.charge_for(FULL_CHARGE_MINUTES, True)
    assert pack.charge == STORAGE_PERCENT
    assert pack.state(True) is PackState.STORED
    pack.fault = 7
    assert pack.state(True) is PackState.FAULT


@pytest.mark.parametrize(
    ("options", "check"),
    [
        (ChargerOptions(dump_order="key"), "key"),
        (ChargerOptions(dump_order="interleaved"), "interleaved"),
        (ChargerOptions(dump_empty_bays=False), "no-empty"),
    ],
)
async def test_dump_readings(chargers: Simulator, options: ChargerOptions, check: str) -> None:
    docks = await chargers.add_charger("SBC220", units=2, options=options)
    docks.insert_battery(1, calculating=False)
    lines = (await (await connect(docks)).ask("< GET 0 ALL >"))[5:]
    keys = [line.split()[3] for line in lines]
    if check == "key":
        assert keys[:4] == ["BATT_DETECTED"] * 4
    elif check == "interleaved":
        assert keys[26] == "BATT_MODULE_TYPE"
        assert keys[-1] == "BATT_MODULE_TYPE"
    else:
        assert {line.split()[2] for line in lines if "BATT_STATE" in line} == {"1"}


async def test_value_readings(chargers: Simulator) -> None:
    options = ChargerOptions(
        temperature_codes=True,
        error_255_with_battery=True,
        charging_word="CHARGING",
        net_settings="plain",
        sbc840_module=True,
        get_flash=False,
    )
    packs = await chargers.add_charger("SBC840", options=options)
    packs.insert_battery(1, charge=60, temp_c=41, calculating=False)
    packs.insert_battery(2, charge=60, calculating=False)
    wire = await connect(packs)
    assert await wire.ask("< GET 1 BATT_TIME_TO_FULL >") == ["< REP 1 BATT_TIME_TO_FULL 65531 >"]
    assert await wire.ask("< GET 2 BATT_STATE >") == ["< REP 2 BATT_STATE CHARGING >"]
    assert await wire.ask("< GET 2 BATT_ERROR >") == ["< REP 2 BATT_ERROR 255 >"]
    assert await wire.ask("< GET 0 BATT_MODULE_TYPE >") == ["< REP 1 BATT_MODULE_TYPE 129 >"]
    assert await wire.ask("< GET FLASH >") == ["< REP ERR >"]
    (net,) = await wire.ask("< GET NET_SETTINGS >")
    assert " 127.0.0.1 255.0.0.0 0.0.0.0 " in net


async def test_time_to_full_only_pushes(chargers: Simulator) -> None:
    packs = await chargers.add_charger("SBC840", options=ChargerOptions(push="time_to_full"))
    wire = await connect(packs)
    packs.insert_battery(4, charge=50)
    assert await wire.read() == ["< REP 4 BATT_TIME_TO_FULL 65533 >"]
    packs.rename("Other")
    assert await wire.read() == []
    assert await wire.ask("< SET FLASH ON >") == ["< REP FLASH ON >"]


async def test_faults_on_a_charger(chargers: Simulator) -> None:
    docks = await chargers.add_charger("SBC220")
    wire = await connect(docks)
    docks.go_silent()
    assert await wire.ask("< GET MODEL >") == []
    docks.resume()
    assert len(await wire.ask("< GET MODEL >")) == 1
    await docks.refuse_connections(True)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(docks.host, docks.port)
    await docks.refuse_connections(False)
    await docks.drop()
    assert await wire.read() == []
    assert docks.connection_count == 0


async def test_units_and_ids(chargers: Simulator) -> None:
    with pytest.raises(ValueError, match="not a charger"):
        await chargers.add_charger("ULXD4")
    with pytest.raises(ValueError, match="1 to 4"):
        await chargers.add_charger("SBC220", units=5)
    with pytest.raises(ValueError, match="1 to 1"):
        await chargers.add_charger("SBC840", units=2)
    with pytest.raises(ValueError, match="cannot carry"):
        await chargers.add_charger("SBC220", name="A name far too long")
    docks = await chargers.add_charger("SBC220", device_id="docks")
    with pytest.raises(ValueError, match="taken"):
        await chargers.add_charger("SBC840", device_id="docks")
    assert chargers.chargers == [docks]
    with pytest.raises(KeyError):
        docks.device.bay(3)
    with pytest.raises(KeyError, match="empty"):
        docks.fault_bay(1)
    with pytest.raises(ValueError, match="charge"):
        docks.insert_battery(1, charge=120)
    docks.insert_battery(1)
    with pytest.raises(ValueError, match="fault code"):
        docks.fault_bay(1, 0)
    with pytest.raises(ValueError, match="negative"):
        docks.set_charge_speed(-1)
    rx = await chargers.add_receiver("ULXD4")
    with pytest.raises(KeyError, match="not a charger"):
        rx.set_storage_mode(True)


async def test_ctl_commands_and_the_transition_log(chargers: Simulator) -> None:
    docks = await chargers.add_charger("SBC220", units=2, device_id="docks")
    await chargers.add_receiver("ULXD4", device_id="rx")
    for command, args in [
        ("bay-insert", ["docks", "1", "80", "90", "12"]),
        ("bay-insert", ["docks", "2"]),
        ("bay-fault", ["docks", "2", "4"]),
        ("bay-clear", ["docks", "2"]),
        ("bay-temp", ["docks", "1", "42"]),
        ("bay-remove", ["docks", "2"]),
        ("storage-mode", ["docks", "on"]),
        ("storage-mode", ["docks", "off"]),
        ("charge-speed", ["docks", "0"]),
        ("charge", ["docks", "2"]),
    ]:
        assert await execute(chargers, command, args) == {"ok": True}, command
    pack = docks.device.bay(1).pack
    assert pack is not None
    assert (pack.health, pack.cycles, pack.temp_c) == (90, 12, 42)
    assert not pack.calculating
    assert docks.device.bay(2).pack is None
    assert [(entry.kind, entry.channel, entry.value) for entry in chargers.transitions] == [
        ("bay-insert", 1, "charge=80"),
        ("bay-insert", 2, "charge=50"),
        ("bay-fault", 2, "4"),
        ("bay-clear", 2, ""),
        ("bay-temp", 1, "42"),
        ("bay-remove", 2, ""),
        ("storage-mode", None, "on"),
        ("storage-mode", None, "off"),
        ("charge-speed", None, "0"),
    ]
    listing = await execute(chargers, "list", [])
    assert [rx["id"] for rx in listing["receivers"]] == ["rx"]
    (charger,) = listing["chargers"]
    assert (charger["id"], charger["kind"], charger["units"]) == ("docks", "charger", 2)
    assert charger["bays"][0]["battery"]["state"] == "warm"
    assert charger["bays"][1]["battery"] is None
    for command, args in [
        ("bay-insert", ["rx", "1"]),
        ("charge", ["rx", "1"]),
        ("bay-fault", ["docks", "3"]),
        ("storage-mode", ["docks", "maybe"]),
    ]:
        reply = await execute(chargers, command, args)
        assert reply["ok"] is False, command


async def test_chg70n_answers_ssc_with_bay_arrays(chargers: Simulator, ssc_to: ConnectSsc) -> None:
    chg = await chargers.add_charger("CHG70N", name="EW Packs")
    chg.insert_battery(2, charge=70, calculating=False)
    wire = await ssc_to(chg)
    reply = await wire.ask(
        {
            "device": {"identity": {"product": None}, "name": None, "storage_mode": None},
            "bays": {
                "device_type": None,
                "bat_gauge": None,
                "bat_timetofull": None,
                "state": None,
                "warnings": None,
            },
        }
    )
    assert reply["device"] == {
        "identity": {"product": "CHG 70N"},
        "name": "EW Packs",
        "storage_mode": False,
    }
    assert reply["bays"] == {
        "device_type": ["NONE", "BA70"],
        "bat_gauge": [0, 70],
        "bat_timetofull": [0, 54],
        "state": ["NORMAL", "NORMAL"],
        "warnings": [[], []],
    }
    assert "rx1" not in (await wire.ask({"osc": {"schema": None}}))["osc"]["schema"][0]
    subscribed = await wire.ask(
        {"osc": {"state": {"subscribe": [{"#": {"lifetime": 10}, "bays": {"bat_gauge": None}}]}}}
    )
    assert subscribed["bays"]["bat_gauge"] == [0, 70]
    chg.fault_bay(2, 6)
    # The fault leaves the gauge as it was: nothing for this subscription.
    assert await wire.silence()
    chg.insert_battery(1, charge=100, calculating=False)
    assert await wire.recv() == {"bays": {"bat_gauge": [100, 70]}}
    state = await wire.ask({"bays": {"state": None, "warnings": None, "bat_timetofull": None}})
    assert state["bays"] == {
        "state": ["NORMAL", "ERROR"],
        "warnings": [[], ["OvercurrentDetected"]],
        "bat_timetofull": [0, 0],
    }
    chg.clear_fault(2)
    chg.set_bay_temperature(2, 50)
    warnings = await wire.ask({"bays": {"warnings": None}})
    assert warnings["bays"]["warnings"] == [[], ["BatteryTempOutOfRange"]]


async def test_rigs_with_chargers(chargers: Simulator) -> None:
    devices = await start_rig(chargers, DEMO_RIG, base_port=0, reserved=set())
    docks, packs = devices[-2:]
    assert (docks.model, docks.device.name, len(docks.device.bays)) == ("SBC220", "Docks", 4)
    assert (packs.model, len(packs.device.bays)) == ("SBC840", 8)
    assert [bay.pack is None for bay in docks.device.bays] == [False, False, True, False]
    seventh = packs.device.bay(7).pack
    assert seventh is not None
    assert seventh.fault == 7
    # Packs at rest, not calculating; setting the rig up is no transition.
    assert not any(bay.pack.calculating for bay in packs.device.bays if bay.pack)
    assert chargers.transitions == []
    assert load_rig("demo")["chargers"][0]["units"] == 2
