"""The Shure backend against simulated chargers over real loopback TCP (no Home Assistant)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import time
from typing import Any

import pytest

from custom_components.micboard.manufacturers import (
    BatteryError,
    BatteryState,
    Bay,
    ChangeSet,
    Charger,
    ErrorKind,
    Snapshot,
)
from custom_components.micboard.manufacturers.shure import ShureBackend, probe
from simulator import ChargerOptions, Simulator
from simulator.frontend import FrontEnd

from ..waiting import eventually
from .helpers import FAST, MakeBackend

# Charging minutes per real second in these tests: a minute every 20 ms.
SPEED = 3000


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """Seeded, no noise, no drain; chargers stand still unless a test sets their speed."""
    async with Simulator(seed=5, noise=False, battery_drain=0, charge_speed=0) as simulator:
        yield simulator


def only(backend: ShureBackend) -> Charger:
    (charger,) = backend.snapshot.chargers.values()
    return charger


def bay(backend: ShureBackend, index: int) -> Bay:
    found = only(backend).bay(index)
    assert found is not None
    return found


async def watched(
    make_backend: MakeBackend, device: FrontEnd, **options: Any
) -> tuple[ShureBackend, list[tuple[Snapshot, ChangeSet]]]:
    backend = make_backend([(device.host, device.port)], charger_liveness_timeout=0.6, **options)
    published: list[tuple[Snapshot, ChangeSet]] = []
    backend.add_listener(lambda snapshot, changes: published.append((snapshot, changes)))
    await backend.start()
    return backend, published


def states(published: list[tuple[Snapshot, ChangeSet]], index: int) -> list[BatteryState]:
    """The states bay ``index`` went through, as published (repeats folded)."""
    seen: list[BatteryState] = []
    for snapshot, _ in published:
        for charger in snapshot.chargers.values():
            found = charger.bay(index)
            if found is not None and (not seen or seen[-1] is not found.state):
                seen.append(found.state)
    return seen


async def test_probe_a_linked_sbc220_chain(sim: Simulator) -> None:
    chain = await sim.add_charger("SBC220", name="MA: 5-8", units=4)
    chain.insert_battery(8, charge=100, calculating=False)
    charger = await probe(chain.host, chain.port, 3.0)
    assert isinstance(charger, Charger)
    assert (charger.model, charger.name, charger.online) == ("SBC220", "MA: 5-8", True)
    assert charger.mac_address == chain.device.mac.lower()
    assert [b.index for b in charger.bays] == list(range(1, 9))
    assert [b.module for b in charger.bays] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert [m.kind for m in charger.modules] == ["primary", "secondary", "secondary", "secondary"]
    assert [b.state for b in charger.bays] == [BatteryState.EMPTY] * 7 + [BatteryState.FULL]
    # No metering was asked for or stopped: chargers have none.
    assert not any("METER_RATE" in command for command in chain.received)


async def test_the_backend_holds_receivers_and_chargers(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    receiver = await sim.add_receiver("ULXD4D", name="Stage")
    docks = await sim.add_charger("SBC220", name="Docks", units=2)
    packs = await sim.add_charger("SBC840", name="Packs")
    backend = make_backend(
        [(d.host, d.port) for d in (receiver, docks, packs)], charger_liveness_timeout=0.6
    )
    published: list[ChangeSet] = []
    backend.add_listener(lambda _snapshot, changes: published.append(changes))
    await backend.start()
    snapshot = backend.snapshot
    assert [r.model for r in snapshot.receivers.values()] == ["ULXD4D"]
    assert sorted((c.model, len(c.bays)) for c in snapshot.chargers.values()) == [
        ("SBC220", 4),
        ("SBC840", 8),
    ]
    ids = set(snapshot.chargers)
    # The chargers were announced as chargers, never as receivers.
    assert ids <= set().union(*(changes.charger_structure for changes in published))
    assert not ids & set().union(*(changes.receivers for changes in published))
    result = await backend.refresh()
    assert (result.device_count, result.online_count, result.error_count) == (3, 3, 0)
    assert set(backend.connection_stats) == set(snapshot.receivers) | ids


async def test_insert_charge_full_and_remove(sim: Simulator, make_backend: MakeBackend) -> None:
    packs = await sim.add_charger("SBC840", name="Packs")
    backend, published = await watched(make_backend, packs)
    api_id = only(backend).api_device_id
    assert bay(backend, 3).battery is None

    packs.set_charge_speed(SPEED)
    packs.insert_battery(3, charge=96)
    await eventually(lambda: bay(backend, 3).state is BatteryState.FULL, within=5)
    assert states(published, 3) == [
        BatteryState.EMPTY,
        BatteryState.CALCULATING,
        BatteryState.CHARGING,
        BatteryState.FULL,
    ]
    minutes = [
        found.battery.time_to_full_minutes
        for snapshot, _ in published
        if (found := snapshot.chargers[api_id].bay(3)) is not None
        and found.battery is not None
        and found.battery.state is BatteryState.CHARGING
    ]
    assert minutes
    assert minutes == sorted(minutes, reverse=True)
    assert all(isinstance(value, int) and 0 < value <= 8 for value in minutes)
    battery = bay(backend, 3).battery
    assert battery is not None
    assert (battery.charge_percent, battery.time_to_full_minutes) == (100, None)
    assert battery.error is BatteryError.NONE
    assert (only(backend).full_count, only(backend).charging_count) == (1, 0)
    # Every step was a charger change, never a receiver one.
    assert all(not changes.receivers for _, changes in published[1:])
    assert all(api_id in changes.chargers for _, changes in published[1:])

    packs.remove_battery(3)
    await eventually(lambda: bay(backend, 3).battery is None)
    assert bay(backend, 3).state is BatteryState.EMPTY


async def test_a_faulted_bay_and_its_recovery(sim: Simulator, make_backend: MakeBackend) -> None:
    packs = await sim.add_charger("SBC840", name="Packs")
    packs.insert_battery(7, charge=50, calculating=False)
    backend, _ = await watched(make_backend, packs)
    assert bay(backend, 7).state is BatteryState.CHARGING
    packs.fault_bay(7, 7)
    await eventually(lambda: bay(backend, 7).state is BatteryState.ERROR)
    battery = bay(backend, 7).battery
    assert battery is not None
    assert battery.faulted
    assert battery.error is BatteryError.COMMUNICATION_FAILURE
    assert (battery.charge_percent, battery.time_to_full_minutes, battery.cycle_count) == (
        None,
        None,
        None,
    )
    assert (battery.health_percent, battery.temperature_c, battery.bars) == (None, None, None)
    packs.clear_fault(7)
    await eventually(lambda: bay(backend, 7).state is BatteryState.CHARGING)


async def test_temperature_and_storage_mode(sim: Simulator, make_backend: MakeBackend) -> None:
    packs = await sim.add_charger("SBC840", name="Packs")
    packs.insert_battery(1, charge=60, calculating=False)
    packs.insert_battery(2, charge=100, calculating=False)
    backend, _ = await watched(make_backend, packs)
    packs.set_bay_temperature(1, 46)
    await eventually(lambda: bay(backend, 1).state is BatteryState.HOT)
    battery = bay(backend, 1).battery
    assert battery is not None
    assert battery.temperature_c == 46
    assert battery.charging
    packs.set_bay_temperature(1, 2)
    await eventually(lambda: bay(backend, 1).state is BatteryState.COLD)

    packs.set_storage_mode(True)
    await eventually(lambda: only(backend).storage_mode is True)
    assert bay(backend, 2).state is BatteryState.DISCHARGING
    packs.set_charge_speed(SPEED * 4)
    await eventually(lambda: bay(backend, 2).state is BatteryState.STORAGE, within=5)
    battery = bay(backend, 2).battery
    assert battery is not None
    assert (battery.charge_percent, battery.time_to_full_minutes) == (40, None)


async def test_a_silent_charger_is_offline_within_10_s_with_default_timings(
    sim: Simulator,
) -> None:
    packs = await sim.add_charger("SBC840", name="Packs")
    backend = ShureBackend([(packs.host, packs.port)])
    await backend.start()
    try:
        assert only(backend).online
        packs.go_silent()
        silent_at = time.monotonic()
        await eventually(lambda: not only(backend).online, within=10)
        assert time.monotonic() - silent_at <= 10
        error = only(backend).error
        assert error is not None
        assert error.kind is ErrorKind.SILENT
        # Known while offline: its bays stay as last read.
        assert len(only(backend).bays) == 8
        packs.resume()
        await eventually(lambda: only(backend).online, within=10)
    finally:
        await backend.stop()


async def test_a_quiet_charger_stays_online_on_heartbeats(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    packs = await sim.add_charger("SBC840", name="Packs")
    backend, _ = await watched(make_backend, packs)
    started = time.monotonic()
    while time.monotonic() - started < 2.0:
        assert only(backend).online
        await asyncio.sleep(0.05)
    assert "< GET DEVICE_ID >" in packs.received


async def test_drop_and_refuse_and_back(sim: Simulator, make_backend: MakeBackend) -> None:
    docks = await sim.add_charger("SBC220", name="Docks")
    backend, _ = await watched(make_backend, docks)
    await docks.drop()
    await eventually(lambda: only(backend).online and docks.connection_count == 1)
    await docks.power_off()
    await eventually(lambda: not only(backend).online)
    error = only(backend).error
    assert error is not None
    assert error.kind in {ErrorKind.REFUSED, ErrorKind.CLOSED}
    await docks.power_on()
    await eventually(lambda: only(backend).online)


async def test_rename_and_garbage(sim: Simulator, make_backend: MakeBackend) -> None:
    docks = await sim.add_charger("SBC220", name="Docks")
    backend, _ = await watched(make_backend, docks)
    docks.set_faults(garbage=True, split=True)
    docks.rename("Docks 2")
    await eventually(lambda: only(backend).name == "Docks 2")
    await docks.send_garbage()
    docks.insert_battery(2, charge=100, calculating=False)
    await eventually(lambda: bay(backend, 2).state is BatteryState.FULL)
    assert only(backend).online


@pytest.mark.parametrize(
    "options",
    [
        ChargerOptions(dump_order="key"),
        ChargerOptions(dump_order="interleaved"),
        ChargerOptions(dump_empty_bays=False),
        ChargerOptions(charging_word="CHARGING"),
        ChargerOptions(error_255_with_battery=True),
        ChargerOptions(get_flash=False, flash_auto_off=False),
    ],
    ids=["key-order", "interleaved", "no-empty-bays", "charging-word", "error-255", "no-flash"],
)
async def test_every_reading_of_the_open_questions(
    sim: Simulator, make_backend: MakeBackend, options: ChargerOptions
) -> None:
    docks = await sim.add_charger("SBC220", name="Docks", units=2, options=options)
    docks.insert_battery(1, charge=62, calculating=False)
    docks.insert_battery(2, charge=100, calculating=False)
    docks.insert_battery(4, charge=30, calculating=False)
    docks.fault_bay(4, 5)
    backend, _ = await watched(make_backend, docks)
    charger = only(backend)
    assert [b.index for b in charger.bays] == [1, 2, 3, 4]
    assert [b.state for b in charger.bays] == [
        BatteryState.CHARGING,
        BatteryState.FULL,
        BatteryState.EMPTY,
        BatteryState.ERROR,
    ]
    first = charger.bays[0].battery
    assert first is not None
    assert (first.charge_percent, first.time_to_full_minutes) == (62, 69)
    faulted = charger.bays[3].battery
    assert faulted is not None
    assert faulted.error is BatteryError.CHECK_BATTERY
    # And a change after start is seen in every reading too.
    docks.remove_battery(1)
    await eventually(lambda: bay(backend, 1).battery is None)


async def test_time_to_full_only_pushes(sim: Simulator, make_backend: MakeBackend) -> None:
    """Open question 7's narrow reading: only BATT_TIME_TO_FULL is pushed."""
    packs = await sim.add_charger("SBC840", options=ChargerOptions(push="time_to_full"))
    backend, _ = await watched(make_backend, packs)
    packs.set_charge_speed(SPEED)
    packs.insert_battery(5, charge=97)
    # Pushed as a time-to-full code change; the bay is read again, long before a resync.
    await eventually(lambda: bay(backend, 5).occupied, within=2)
    await eventually(lambda: bay(backend, 5).state is BatteryState.FULL, within=5)
    battery = bay(backend, 5).battery
    assert battery is not None
    assert battery.charge_percent == 100
    packs.fault_bay(5)
    await eventually(lambda: bay(backend, 5).state is BatteryState.ERROR, within=2)


async def test_temperature_codes_reading(sim: Simulator, make_backend: MakeBackend) -> None:
    """Open question 5's other reading: a warm pack's time to full is 65531."""
    packs = await sim.add_charger("SBC840", options=ChargerOptions(temperature_codes=True))
    packs.insert_battery(1, charge=60, temp_c=41, calculating=False)
    backend, _ = await watched(make_backend, packs)
    battery = bay(backend, 1).battery
    assert battery is not None
    assert (battery.state, battery.time_to_full_minutes) == (BatteryState.WARM, None)


@pytest.mark.parametrize(("net", "by_mac"), [("plain", True), ("error", False)])
async def test_net_settings_readings(
    sim: Simulator, make_backend: MakeBackend, net: Any, by_mac: bool
) -> None:
    docks = await sim.add_charger("SBC220", options=ChargerOptions(net_settings=net))
    backend, _ = await watched(make_backend, docks)
    expected = docks.device.mac.lower() if by_mac else f"{docks.host}:{docks.port}"
    assert only(backend).api_device_id == expected


async def test_sbc840_module_reading(sim: Simulator, make_backend: MakeBackend) -> None:
    packs = await sim.add_charger("SBC840", options=ChargerOptions(sbc840_module=True))
    backend, _ = await watched(make_backend, packs)
    assert [(m.index, m.kind) for m in only(backend).modules] == [(1, "primary")]
    assert len(only(backend).bays) == 8


async def test_a_charger_remembered_while_off(sim: Simulator, make_backend: MakeBackend) -> None:
    docks = await sim.add_charger("SBC220", name="Docks")
    seen = await probe(docks.host, docks.port, 3.0)
    assert isinstance(seen, Charger)
    await docks.power_off()
    backend = make_backend([(docks.host, docks.port)], **{**FAST, "charger_liveness_timeout": 0.6})
    backend.remember([seen])
    assert backend.snapshot.chargers[seen.api_device_id].online is False
    await backend.start()
    charger = only(backend)
    assert (charger.api_device_id, charger.identified, charger.online) == (
        seen.api_device_id,
        True,
        False,
    )
    assert backend.snapshot.receivers == {}
    await docks.power_on()
    await eventually(lambda: only(backend).online, within=5)
