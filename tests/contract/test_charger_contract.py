"""The charger contract: every backend that speaks to chargers behaves the same.

Each scenario runs once per pair in ``pairs.CHARGER_PAIRS``: the real backend, built through
``MANUFACTURERS`` with its default timings, against a simulated charger over 127.0.0.1.
Only what the backend publishes is asserted: ``Snapshot.chargers`` and ``ChangeSet``s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from custom_components.micboard.manufacturers import (
    MANUFACTURERS,
    Backend,
    BatteryState,
    Bay,
    ChangeSet,
    Charger,
    ErrorKind,
    Snapshot,
)
from simulator import Simulator
from simulator.frontend import FrontEnd

from ..waiting import eventually
from .pairs import CHARGER_PAIRS, ChargerPair

# Chargers have no metering: liveness by a light query, offline within 10 s.
OFFLINE_WITHIN = 10.0
BACK_WITHIN = 10.0
# Charging minutes per real minute: a minute every 10 ms.
SPEED = 6000


@dataclass
class ChargerRig:
    pair: ChargerPair
    device: FrontEnd
    backend: Backend
    published: list[tuple[Snapshot, ChangeSet]] = field(default_factory=list)

    def charger(self) -> Charger:
        (charger,) = (
            c for c in self.backend.snapshot.chargers.values() if c.port == self.device.port
        )
        return charger

    def bay(self, index: int) -> Bay:
        found = self.charger().bay(index)
        assert found is not None
        return found


@pytest.fixture(params=CHARGER_PAIRS, ids=[pair.id for pair in CHARGER_PAIRS])
def charger_pair(request: pytest.FixtureRequest) -> ChargerPair:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def rig(charger_pair: ChargerPair) -> AsyncIterator[ChargerRig]:
    async with Simulator(seed=3, noise=False, battery_drain=0, charge_speed=0) as sim:
        units = 2 if charger_pair.model == "SBC220" else 1
        device = await sim.add_charger(charger_pair.model, name="Contract", units=units)
        device.insert_battery(1, charge=100, calculating=False)
        backend = MANUFACTURERS[charger_pair.manufacturer].create_backend(
            [(device.host, device.port)]
        )
        rig = ChargerRig(charger_pair, device, backend)
        backend.add_listener(lambda snapshot, changes: rig.published.append((snapshot, changes)))
        await backend.start()
        yield rig
        await backend.stop()


async def test_start_identifies_the_charger(rig: ChargerRig) -> None:
    charger = rig.charger()
    assert charger.manufacturer == rig.pair.manufacturer
    assert (charger.identified, charger.online, charger.error) == (True, True, None)
    assert charger.model
    assert charger.name == "Contract"
    assert [bay.index for bay in charger.bays] == list(range(1, rig.pair.bays + 1))
    assert [bay.state for bay in charger.bays] == [BatteryState.FULL] + [BatteryState.EMPTY] * (
        rig.pair.bays - 1
    )
    assert rig.backend.snapshot.receivers == {}
    assert any(charger.api_device_id in changes.charger_structure for _, changes in rig.published)


async def test_insert_charge_full_remove(rig: ChargerRig) -> None:
    api_id = rig.charger().api_device_id
    mark = len(rig.published)
    rig.device.set_charge_speed(SPEED)
    rig.device.insert_battery(2, charge=95)
    await eventually(lambda: rig.bay(2).state is BatteryState.CHARGING, 5)
    battery = rig.bay(2).battery
    assert battery is not None
    assert battery.time_to_full_minutes is not None
    await eventually(lambda: rig.bay(2).state is BatteryState.FULL, 5)
    battery = rig.bay(2).battery
    assert battery is not None
    assert (battery.charge_percent, battery.time_to_full_minutes) == (100, None)
    assert all(api_id in changes.chargers for _, changes in rig.published[mark:])
    assert all(not changes.receivers for _, changes in rig.published[mark:])
    rig.device.remove_battery(2)
    await eventually(lambda: rig.bay(2).battery is None)
    # Bays came and went inside the charger: no structure change.
    assert all(api_id not in changes.charger_structure for _, changes in rig.published[mark:])


async def test_a_faulted_bay(rig: ChargerRig) -> None:
    rig.device.insert_battery(2, charge=40, calculating=False)
    rig.device.fault_bay(2, 7)
    await eventually(lambda: rig.bay(2).state is BatteryState.ERROR)
    battery = rig.bay(2).battery
    assert battery is not None
    assert battery.faulted
    assert battery.error is not None
    assert battery.time_to_full_minutes is None


async def test_silent_charger_offline_within_10_s_and_back(rig: ChargerRig) -> None:
    rig.device.go_silent()
    waited = await eventually(lambda: not rig.charger().online, OFFLINE_WITHIN)
    assert waited <= OFFLINE_WITHIN
    error = rig.charger().error
    assert error is not None
    assert error.kind in {ErrorKind.SILENT, ErrorKind.TIMED_OUT}
    assert rig.charger().identified
    assert len(rig.charger().bays) == rig.pair.bays
    rig.device.resume()
    await eventually(lambda: rig.charger().online, BACK_WITHIN)


async def test_dropped_then_refused_then_back(rig: ChargerRig) -> None:
    api_id = rig.charger().api_device_id
    await rig.device.drop()
    rig.device.insert_battery(2, charge=100, calculating=False)
    await eventually(lambda: rig.bay(2).state is BatteryState.FULL, BACK_WITHIN)
    await rig.device.power_off()
    await eventually(lambda: not rig.charger().online, OFFLINE_WITHIN)
    assert rig.charger().api_device_id == api_id
    await rig.device.power_on()
    await eventually(lambda: rig.charger().online, BACK_WITHIN)
    assert list(rig.backend.snapshot.chargers) == [api_id]


async def test_refresh_counts_the_charger(rig: ChargerRig) -> None:
    result = await rig.backend.refresh()
    assert (result.device_count, result.online_count, result.error_count) == (1, 1, 0)
