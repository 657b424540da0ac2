"""FleetBackend with chargers at some endpoints: snapshot kinds and change sets."""

from __future__ import annotations

from dataclasses import replace

from custom_components.micboard.manufacturers import (
    Battery,
    BatteryState,
    Bay,
    Charger,
    Receiver,
)
from custom_components.micboard.manufacturers.fleet import Change, structure_changed

from .test_fleet import HOST, FakeBackend, Recorder, identified, next_iteration


def charger(port: int, bays: int = 2, **values: object) -> Charger:
    made = Charger(
        manufacturer="fake",
        api_device_id=f"mac-{port}",
        host=HOST,
        port=port,
        online=True,
        identified=True,
        model="SBC220",
        mac_address=f"mac-{port}",
        bays=tuple(Bay(index=index) for index in range(1, bays + 1)),
    )
    return replace(made, **values)  # type: ignore[arg-type]


async def test_a_placeholder_that_turns_out_a_charger_moves_kinds() -> None:
    backend = FakeBackend([(HOST, 1), (HOST, 2)])
    await backend.start()
    recorder = Recorder()
    backend.add_listener(recorder)
    backend.fake(2).set(charger(2), Change.STATE)
    await next_iteration()
    ((snapshot, changes),) = recorder.calls
    assert list(snapshot.receivers) == [f"{HOST}:1"]
    assert list(snapshot.chargers) == ["mac-2"]
    # The placeholder left the receivers; the charger appeared among the chargers.
    assert changes.receivers == changes.structure == frozenset({f"{HOST}:2"})
    assert changes.chargers == changes.charger_structure == frozenset({"mac-2"})
    assert changes.meters_only == frozenset()


async def test_bay_changes_and_bay_counts() -> None:
    backend = FakeBackend([(HOST, 1)])
    await backend.start()
    connection = backend.fake(1)
    connection.set(charger(1), Change.STATE)
    await next_iteration()
    recorder = Recorder()
    backend.add_listener(recorder)
    before = backend.snapshot.chargers["mac-1"]
    battery = Battery(state=BatteryState.CHARGING, charge_percent=50)
    changed = replace(before, bays=(Bay(index=1, battery=battery), before.bays[1]))
    # A charger never has "meters only": a METERS notification is taken as a change.
    connection.set(changed, Change.METERS)
    await next_iteration()
    connection.set(changed, Change.STATE)  # unchanged: nothing published
    await next_iteration()
    connection.set(charger(1, bays=8), Change.STATE)
    await next_iteration()
    first, second = (changes for _, changes in recorder.calls)
    assert (first.chargers, first.charger_structure, first.receivers) == (
        frozenset({"mac-1"}),
        frozenset(),
        frozenset(),
    )
    assert second.charger_structure == frozenset({"mac-1"})
    after = backend.snapshot.chargers["mac-1"]
    assert after.bay(8) is not None
    assert after.bay(9) is None


async def test_chargers_added_removed_and_remembered() -> None:
    backend = FakeBackend([(HOST, 1)])
    backend.remember([charger(1)])
    remembered = backend.snapshot.chargers["mac-1"]
    assert (remembered.online, remembered.identified) == (False, True)
    assert backend.snapshot.receivers == {}
    await backend.start()
    recorder = Recorder()
    backend.add_listener(recorder)
    # It answers as a charger of the same model without its MAC: it keeps its id.
    answered = charger(1, api_device_id=f"{HOST}:1", mac_address=None)
    backend.fake(1).set(answered, Change.STATE)
    await next_iteration()
    assert list(backend.snapshot.chargers) == ["mac-1"]
    assert backend.snapshot.chargers["mac-1"].online
    await backend.remove_receiver(HOST, 1)
    assert backend.snapshot.chargers == {}
    (_, went) = recorder.calls[-1]
    assert went.chargers == went.charger_structure == frozenset({"mac-1"})
    added = await backend.add_receiver(HOST, 5)
    assert isinstance(added, Receiver)


def test_structure_changed_across_kinds() -> None:
    receiver = identified(HOST, 1)
    assert structure_changed(receiver, charger(1))
    assert not structure_changed(charger(1), charger(1, name="New"))
    assert structure_changed(charger(1), charger(1, bays=4))
    assert structure_changed(charger(1), replace(charger(1), identified=False))
