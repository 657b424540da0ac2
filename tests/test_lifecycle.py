"""The pure lifecycle diff: transitions only, exact payload pieces."""

from __future__ import annotations

from dataclasses import replace
import itertools

from hypothesis import given, strategies as st

from custom_components.micboard.lifecycle import (
    diff_receiver,
    diff_snapshots,
    receiver_name,
    synced_event,
)
from custom_components.micboard.manufacturers import (
    Channel,
    DeviceError,
    ErrorKind,
    Receiver,
    Snapshot,
    SyncResult,
    Transmitter,
)

TX = Transmitter(model="ULXD2", battery_bars=4)


def _receiver(**changes: object) -> Receiver:
    receiver = Receiver(
        manufacturer="shure",
        api_device_id="00:0e:dd:00:00:01",
        host="10.0.0.5",
        port=2202,
        online=True,
        identified=True,
        model="ULXD4D",
        family="ulxd",
        firmware="2.7.6",
        name="Stage L",
        channels=(
            Channel(index=1, name="Vox 1", frequency_mhz=518.25, transmitter=TX),
            Channel(index=2, name="Vox 2", frequency_mhz=520.0),
        ),
    )
    return replace(receiver, **changes)  # type: ignore[arg-type]


def _snapshot(*receivers: Receiver) -> Snapshot:
    return Snapshot(manufacturer="shure", receivers={r.api_device_id: r for r in receivers})


def _types(events: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return [(e.event_type, e.device_type, e.api_device_id) for e in events]


def test_new_receiver_is_discovered_once() -> None:
    """First sight: one discovered event with the device data."""
    receiver = _receiver()
    events = diff_snapshots(_snapshot(), _snapshot(receiver))
    assert _types(events) == [("micboard_device_discovered", "receiver", "00:0e:dd:00:00:01")]
    assert events[0].extra["device_data"] == {
        "id": "00:0e:dd:00:00:01",
        "name": "Stage L",
        "type": "receiver",
        "model": "ULXD4D",
        "ip_address": "10.0.0.5",
    }
    assert diff_snapshots(_snapshot(receiver), _snapshot(receiver)) == []


def test_known_receiver_answering_comes_online() -> None:
    """A receiver announced in an earlier run is not discovered again."""
    receiver = _receiver()
    events = diff_snapshots(_snapshot(), _snapshot(receiver), known={receiver.api_device_id})
    assert _types(events) == [("micboard_device_online", "receiver", receiver.api_device_id)]
    offline = replace(receiver, online=False)
    assert diff_snapshots(_snapshot(), _snapshot(offline), known={receiver.api_device_id}) == []


def test_never_answered_receiver_produces_nothing() -> None:
    """A configured host that never answered is not a device yet."""
    ghost = Receiver(
        manufacturer="shure", api_device_id="10.0.0.9:2202", host="10.0.0.9", port=2202
    )
    assert diff_snapshots(_snapshot(), _snapshot(ghost)) == []
    assert diff_receiver(ghost, _receiver()) != []


def test_offline_online_transitions_in_order() -> None:
    """A flapping link gives one event per real transition, in order."""
    states = [True, False, False, True, False, True, True]
    events = []
    previous = _receiver(online=states[0])
    for online in states[1:]:
        current = _receiver(online=online)
        events += diff_receiver(previous, current)
        previous = current
    assert [e.event_type for e in events] == [
        "micboard_device_offline",
        "micboard_device_online",
        "micboard_device_offline",
        "micboard_device_online",
    ]


def test_transmitter_on_off_are_transmitter_events() -> None:
    """Transmitter links are online/offline with device_type transmitter and the channel id."""
    on = _receiver()
    channels = (replace(on.channels[0], transmitter=None), on.channels[1])
    off = _receiver(channels=channels)
    events = diff_receiver(on, off)
    assert _types(events) == [("micboard_device_offline", "transmitter", "00:0e:dd:00:00:01:1")]
    assert events[0].name == "Vox 1"
    assert _types(diff_receiver(off, on)) == [
        ("micboard_device_online", "transmitter", "00:0e:dd:00:00:01:1")
    ]


def test_no_transmitter_events_while_receiver_offline() -> None:
    """Nothing is known about transmitters of an unreachable receiver."""
    offline = _receiver(online=False)
    channels = (replace(offline.channels[0], transmitter=None), offline.channels[1])
    assert diff_receiver(offline, replace(offline, channels=channels)) == []


def test_updated_reports_only_changed_keys() -> None:
    """Firmware and name changes; metering and battery never."""
    old = _receiver()
    new = _receiver(firmware="2.7.8")
    (event,) = diff_receiver(old, new)
    assert event.event_type == "micboard_device_updated"
    assert event.extra == {
        "old_data": {"firmware": "2.7.6"},
        "new_data": {"firmware": "2.7.8"},
        "changed": ["firmware"],
    }
    metering = replace(
        old.channels[0],
        rf_level_dbm=-40,
        audio_level_dbfs=-12,
        antenna="A",
        transmitter=replace(TX, battery_bars=1, battery_runtime_minutes=30),
    )
    assert diff_receiver(old, replace(old, channels=(metering, old.channels[1]))) == []


def test_channel_rename_is_transmitter_update() -> None:
    """A channel rename is an update of the channel's device."""
    old = _receiver()
    renamed = replace(old.channels[1], name="Pastor", frequency_mhz=521.0)
    (event,) = diff_receiver(old, replace(old, channels=(old.channels[0], renamed)))
    assert event.device_type == "transmitter"
    assert event.extra["changed"] == ["name", "frequency"]
    assert event.extra["new_data"] == {"name": "Pastor", "frequency": 521.0}


def test_transmitter_model_swap_is_update() -> None:
    """A different transmitter on the channel is an update, not on/off."""
    old = _receiver()
    swapped = replace(old.channels[0], transmitter=replace(TX, model="ULXD1"))
    (event,) = diff_receiver(old, replace(old, channels=(swapped, old.channels[1])))
    assert event.extra["changed"] == ["transmitter_model"]


def test_only_limits_the_diff() -> None:
    """A pushed change names the receivers it touched; others are not diffed."""
    a = _receiver()
    b = _receiver(api_device_id="b", host="10.0.0.6")
    before = _snapshot(a, b)
    after = _snapshot(replace(a, online=False), replace(b, online=False))
    assert _types(diff_snapshots(before, after, only=["b"])) == [
        ("micboard_device_offline", "receiver", "b")
    ]


def test_synced_payload() -> None:
    """The sync result carries the counts, status and duration."""
    event = synced_event(
        "shure",
        "Shure",
        SyncResult(
            device_count=12,
            online_count=11,
            error_count=1,
            duration_seconds=0.41234,
            errors={"10.0.0.9:2202": DeviceError(ErrorKind.TIMED_OUT, "timed out")},
        ),
    )
    assert event.event_type == "micboard_device_synced"
    assert event.extra["sync_result"] == {
        "device_count": 12,
        "online_count": 11,
        "error_count": 1,
        "status": "partial",
        "duration_seconds": 0.412,
        "error_message": "10.0.0.9:2202: timed out",
    }
    none = SyncResult(device_count=2, online_count=0, error_count=2, duration_seconds=1)
    assert none.status == "error"
    ok = SyncResult(device_count=2, online_count=2, error_count=0, duration_seconds=1)
    assert ok.status == "success"


@given(st.lists(st.booleans(), min_size=1, max_size=30))
def test_polling_unchanged_state_is_silent(onlines: list[bool]) -> None:
    """Events equal the number of real transitions, whatever the poll sequence."""
    previous = _receiver(online=onlines[0])
    count = 0
    for online in onlines[1:]:
        current = _receiver(online=online)
        count += len(diff_receiver(previous, current))
        previous = current
    transitions = sum(a != b for a, b in itertools.pairwise(onlines))
    assert count == transitions


def test_unnamed_receiver_is_named_by_model_and_host() -> None:
    """A receiver without a name of its own still reads as something."""
    assert receiver_name(_receiver(name=None)) == "ULXD4D 10.0.0.5"
    assert receiver_name(_receiver(name=None, model=None)) == "Receiver 10.0.0.5"


def test_added_channel_is_no_transmitter_update() -> None:
    """A channel that was not there before: the receiver changed, the new channel did not."""
    for kept in (slice(0, 1), slice(1, 2)):
        old = _receiver(channels=_receiver().channels[kept])
        events = diff_receiver(old, _receiver(), known=True)
        assert _types(events) == [("micboard_device_updated", "receiver", "00:0e:dd:00:00:01")]
        assert events[0].extra["changed"] == ["channel_count"]


def test_transmitter_change_during_an_outage_is_announced_on_return() -> None:
    """Switched off while the receiver was unreachable: announced when it answers again."""
    before = _receiver()
    offline = replace(before, online=False)
    # Nothing new is known while it is offline.
    assert [e.event_type for e in diff_receiver(before, offline)] == ["micboard_device_offline"]
    back = _receiver(
        channels=(Channel(index=1, name="Vox 1", frequency_mhz=518.25), before.channels[1])
    )
    assert _types(diff_receiver(offline, back)) == [
        ("micboard_device_online", "receiver", before.api_device_id),
        ("micboard_device_offline", "transmitter", f"{before.api_device_id}:1"),
    ]
    # Back as it was: the receiver only.
    assert _types(diff_receiver(offline, before)) == [
        ("micboard_device_online", "receiver", before.api_device_id)
    ]
