"""The CHG 70N: its bay arrays decoded, and the Sennheiser backend against the simulator."""

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
    Charger,
    ErrorKind,
)
from custom_components.micboard.manufacturers.sennheiser import SennheiserBackend
from custom_components.micboard.manufacturers.sennheiser.charger import (
    MAX_BAYS,
    ChargerState,
    is_charger,
    is_supported_charger,
)
from custom_components.micboard.manufacturers.sennheiser.client import probe
from custom_components.micboard.manufacturers.sennheiser.codec import Reply
from simulator import Simulator
from simulator.frontend import FrontEnd

from ..waiting import eventually
from .helpers import FAST

HOST, PORT = "10.0.0.30", 45
SPEED = 3000


def charger_of(
    *replies: dict[tuple[str, ...], Any], errors: dict[Any, int] | None = None
) -> Charger:
    state = ChargerState()
    for values in replies:
        state.apply(Reply(values=values))
    if errors:
        state.apply(Reply(errors=errors))
    return state.charger(HOST, PORT, online=True)


def bays(**leaves: list[Any]) -> dict[tuple[str, ...], Any]:
    return {("bays", key): value for key, value in leaves.items()}


DEVICE = {
    ("device", "identity", "product"): "CHG 70N",
    ("device", "identity", "version"): "1.0.4",
    ("device", "name"): "EW Packs",
    ("device", "network", "ether", "macs"): ["00:1B:66:01:02:03"],
    ("device", "storage_mode"): False,
}


# --- decoding ----------------------------------------------------------------------------


def test_products() -> None:
    assert is_charger("CHG 70N")
    assert is_charger("chg 4n")
    assert not is_charger("EW-DX EM 2")
    assert not is_charger(None)
    assert is_supported_charger("CHG 70N-C")
    assert is_supported_charger("CHG70N")
    assert not is_supported_charger("CHG 4N")


def test_identity_and_bays() -> None:
    charger = charger_of(
        DEVICE,
        bays(
            state=["NORMAL", "NORMAL"],
            warnings=[[], []],
            device_type=["BA70", "NONE"],
            bat_timetofull=[42, 0],
            bat_gauge=[77, 0],
            bat_health=[96, 0],
            bat_cycles=[12, 0],
            serial=["5481743788", ""],
            version=["1.0.0", ""],
        ),
    )
    assert (charger.model, charger.firmware, charger.name) == ("CHG 70N", "1.0.4", "EW Packs")
    assert (charger.family, charger.manufacturer) == ("ssc1", "sennheiser")
    assert charger.api_device_id == charger.mac_address == "00:1b:66:01:02:03"
    assert charger.storage_mode is False
    first, second = charger.bays
    battery = first.battery
    assert battery is not None
    assert (battery.state, battery.charge_percent, battery.time_to_full_minutes) == (
        BatteryState.CHARGING,
        77,
        42,
    )
    assert (battery.health_percent, battery.cycle_count, battery.error) == (
        96,
        12,
        BatteryError.NONE,
    )
    assert (battery.device_type, battery.serial, battery.firmware) == (
        "BA70",
        "5481743788",
        "1.0.0",
    )
    # An empty bay's zeros are no battery ("NONE" device type).
    assert second.battery is None
    assert second.state is BatteryState.EMPTY


@pytest.mark.parametrize("empty", ["NONE", "", None, "none"])
def test_every_empty_device_type(empty: Any) -> None:
    charger = charger_of(DEVICE, bays(device_type=["EW-DX SKM", empty], bat_gauge=[100, 0]))
    assert [bay.occupied for bay in charger.bays] == [True, False]


def test_without_device_types_a_gauge_tells_a_pack() -> None:
    charger = charger_of(DEVICE, bays(bat_gauge=[None, 100], bat_timetofull=[None, None]))
    assert [bay.state for bay in charger.bays] == [BatteryState.EMPTY, BatteryState.FULL]
    # UNKNOWN is no device type worth showing.
    charger = charger_of(DEVICE, bays(device_type=["UNKNOWN", "BA70"], bat_gauge=[50, 50]))
    first = charger.bays[0].battery
    assert first is not None
    assert first.device_type is None
    assert first.state is BatteryState.UNKNOWN


@pytest.mark.parametrize(
    ("word", "warnings", "ttf", "gauge", "state", "error"),
    [
        ("NORMAL", [], 30, 80, BatteryState.CHARGING, BatteryError.NONE),
        ("NORMAL", [], 0, 100, BatteryState.FULL, BatteryError.NONE),
        ("NORMAL", [], None, 100, BatteryState.FULL, BatteryError.NONE),
        ("NORMAL", [], None, 60, BatteryState.UNKNOWN, BatteryError.NONE),
        ("UPDATE", [], 30, 80, BatteryState.UPDATING, BatteryError.NONE),
        ("DFU_MODE", [], None, None, BatteryState.UPDATING, BatteryError.NONE),
        ("ERROR", [], None, None, BatteryState.ERROR, BatteryError.NONE),
        ("SOMETHING", [], 10, 90, BatteryState.UNKNOWN, BatteryError.NONE),
        (
            "NORMAL",
            ["BatteryComError"],
            30,
            80,
            BatteryState.ERROR,
            BatteryError.COMMUNICATION_FAILURE,
        ),
        (
            "NORMAL",
            ["BatteryNotChargeable"],
            30,
            80,
            BatteryState.ERROR,
            BatteryError.CHARGE_FAILED,
        ),
        (
            "NORMAL",
            ["BatteryNotDischargeable"],
            30,
            80,
            BatteryState.ERROR,
            BatteryError.DISCHARGE_FAILED,
        ),
        ("NORMAL", ["OvercurrentDetected"], 30, 80, BatteryState.ERROR, BatteryError.OVERCURRENT),
        (
            "NORMAL",
            ["BatteryTempOutOfRange"],
            30,
            80,
            BatteryState.ERROR,
            BatteryError.TEMPERATURE_OUT_OF_RANGE,
        ),
        ("NORMAL", ["SomethingElse"], 30, 80, BatteryState.ERROR, BatteryError.OTHER),
        (
            "NORMAL",
            "BatteryComError",
            30,
            80,
            BatteryState.ERROR,
            BatteryError.COMMUNICATION_FAILURE,
        ),
    ],
)
def test_bay_states(  # noqa: PLR0917 - one parameter per column of the table
    word: str,
    warnings: Any,
    ttf: int | None,
    gauge: int | None,
    state: BatteryState,
    error: BatteryError,
) -> None:
    charger = charger_of(
        DEVICE,
        bays(
            state=[word, "NORMAL"],
            warnings=[warnings, []],
            device_type=["BA70", "NONE"],
            bat_timetofull=[ttf, 0],
            bat_gauge=[gauge, 0],
        ),
    )
    battery = charger.bays[0].battery
    assert battery is not None
    assert (battery.state, battery.error, battery.raw_state) == (state, error, word)
    if state is not BatteryState.CHARGING:
        # Never a number for full, error or unknown.
        assert battery.time_to_full_minutes is None


def test_storage_mode_target_is_stored() -> None:
    charger = charger_of(
        {**DEVICE, ("device", "storage_mode"): True},
        bays(device_type=["BA70", "BA70"], bat_timetofull=[0, 12], bat_gauge=[40, 70]),
    )
    assert charger.storage_mode is True
    assert [bay.state for bay in charger.bays] == [BatteryState.STORAGE, BatteryState.CHARGING]


@pytest.mark.parametrize(
    ("leaf", "value", "field"),
    [
        ("bat_gauge", 101, "charge_percent"),
        ("bat_gauge", -1, "charge_percent"),
        ("bat_gauge", True, "charge_percent"),
        ("bat_health", 255, "health_percent"),
        ("bat_cycles", 65535, "cycle_count"),
        ("bat_timetofull", 65535, "time_to_full_minutes"),
        ("bat_timetofull", -5, "time_to_full_minutes"),
        ("bat_timetofull", "soon", "time_to_full_minutes"),
    ],
)
def test_out_of_range_values_are_unknown(leaf: str, value: Any, field: str) -> None:
    charger = charger_of(DEVICE, bays(device_type=["BA70", "NONE"], **{leaf: [value, 0]}))
    battery = charger.bays[0].battery
    assert battery is not None
    assert getattr(battery, field) is None


def test_a_cascade_adds_bays_up_to_the_limit() -> None:
    charger = charger_of(DEVICE, bays(device_type=["BA70", "NONE", "BA70", "NONE"]))
    assert [bay.occupied for bay in charger.bays] == [True, False, True, False]
    huge = charger_of(DEVICE, bays(device_type=["BA70"] * (MAX_BAYS + 4)))
    assert len(huge.bays) == MAX_BAYS


def test_non_arrays_and_unknown_paths_are_ignored() -> None:
    state = ChargerState()
    assert not state.apply(Reply(values={("bays", "bat_gauge"): 50})).changed
    assert not state.apply(Reply(values={("bays", "something"): [1, 2]})).changed
    assert not state.apply(Reply(errors={("bays", "something"): 404})).changed


def test_errors_clear_values_and_404_is_remembered() -> None:
    state = ChargerState()
    state.apply(Reply(values={**DEVICE, **bays(device_type=["BA70", "BA70"], bat_gauge=[50, 60])}))
    applied = state.apply(Reply(errors={("bays", "bat_gauge"): 404, ("device", "name"): 500}))
    assert applied.changed
    assert ("bays", "bat_gauge") in state.missing
    charger = state.charger(HOST, PORT, online=True)
    assert charger.name is None
    assert {bay.battery.charge_percent for bay in charger.bays if bay.battery} == {None}
    ended = state.apply(Reply(errors={("bays", "state"): 310}))
    assert ended.subscription_ended
    assert not ended.changed


def test_unchanged_bays_keep_their_objects() -> None:
    state = ChargerState()
    state.apply(Reply(values={**DEVICE, **bays(device_type=["BA70", "BA70"], bat_gauge=[50, 60])}))
    first = state.charger(HOST, PORT, online=True)
    assert state.charger(HOST, PORT, online=True) is first
    state.apply(Reply(values=bays(bat_gauge=[51, 60])))
    second = state.charger(HOST, PORT, online=True)
    assert second.bays[1] is first.bays[1]
    assert second.bays[0] is not first.bays[0]
    # Storage mode changes what every bay at its target is: all are built again.
    state.apply(Reply(values={("device", "storage_mode"): True}))
    third = state.charger(HOST, PORT, online=True)
    assert third.storage_mode is True


# --- against the simulator ---------------------------------------------------------------


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(seed=9, noise=False, battery_drain=0, charge_speed=0) as simulator:
        yield simulator


@pytest.fixture
async def chg(sim: Simulator) -> FrontEnd:
    return await sim.add_charger("CHG70N", name="EW Packs")


@pytest.fixture
async def backend(chg: FrontEnd) -> AsyncIterator[SennheiserBackend]:
    started = SennheiserBackend([(chg.host, chg.port)], options=FAST)
    await started.start()
    yield started
    await started.stop()


def only(backend: SennheiserBackend) -> Charger:
    (charger,) = backend.snapshot.chargers.values()
    return charger


def bay(backend: SennheiserBackend, index: int) -> Bay:
    found = only(backend).bay(index)
    assert found is not None
    return found


async def test_probe_the_simulated_chg70n(chg: FrontEnd) -> None:
    chg.insert_battery(2, charge=100, calculating=False)
    charger = await probe(chg.host, chg.port, 3.0)
    assert isinstance(charger, Charger)
    assert (charger.model, charger.name) == ("CHG 70N", "EW Packs")
    assert charger.mac_address == chg.device.mac.lower()
    assert [b.state for b in charger.bays] == [BatteryState.EMPTY, BatteryState.FULL]
    battery = charger.bays[1].battery
    assert battery is not None
    assert battery.device_type == "BA70"


async def test_chg70n_insert_charge_full_fault_remove(
    chg: FrontEnd, backend: SennheiserBackend
) -> None:
    assert backend.snapshot.receivers == {}
    assert [b.state for b in only(backend).bays] == [BatteryState.EMPTY] * 2
    chg.set_charge_speed(SPEED)
    chg.insert_battery(1, charge=95)
    await eventually(lambda: bay(backend, 1).state is BatteryState.CHARGING)
    battery = bay(backend, 1).battery
    assert battery is not None
    assert battery.time_to_full_minutes is not None
    assert 0 < battery.time_to_full_minutes <= 9
    await eventually(lambda: bay(backend, 1).state is BatteryState.FULL, within=5)
    battery = bay(backend, 1).battery
    assert battery is not None
    assert (battery.charge_percent, battery.time_to_full_minutes) == (100, None)

    chg.insert_battery(2, charge=50, calculating=False)
    chg.fault_bay(2, 7)
    await eventually(lambda: bay(backend, 2).state is BatteryState.ERROR)
    battery = bay(backend, 2).battery
    assert battery is not None
    assert battery.error is BatteryError.COMMUNICATION_FAILURE
    chg.remove_battery(2)
    await eventually(lambda: bay(backend, 2).battery is None)
    chg.set_storage_mode(True)
    await eventually(lambda: only(backend).storage_mode is True)


async def test_chg70n_drop_and_refuse(chg: FrontEnd, backend: SennheiserBackend) -> None:
    await chg.drop()
    chg.insert_battery(1, charge=100, calculating=False)
    # Subscriptions forgotten: the renewal brings the pushes back.
    await eventually(lambda: bay(backend, 1).state is BatteryState.FULL, within=4)
    await chg.power_off()
    await eventually(lambda: not only(backend).online, within=4)
    await chg.power_on()
    await eventually(lambda: only(backend).online, within=4)


async def test_a_silent_chg70n_is_offline_within_10_s_by_default(chg: FrontEnd) -> None:
    backend = SennheiserBackend([(chg.host, chg.port)])
    await backend.start()
    try:
        assert only(backend).online
        chg.go_silent()
        silent_at = time.monotonic()
        await eventually(lambda: not only(backend).online, within=10)
        assert time.monotonic() - silent_at <= 10
        error = only(backend).error
        assert error is not None
        assert error.kind is ErrorKind.SILENT
        chg.resume()
        await eventually(lambda: only(backend).online, within=10)
    finally:
        await backend.stop()


async def test_a_quiet_chg70n_stays_online(chg: FrontEnd, backend: SennheiserBackend) -> None:
    # Nothing streams from a charger: the keep-alive read keeps it live.
    deadline = time.monotonic() + 2 * FAST.liveness_timeout
    while time.monotonic() < deadline:
        assert only(backend).online
        await asyncio.sleep(0.05)
