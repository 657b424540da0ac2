"""FleetBackend with fake connections: coalescing, change sets, listeners, bounded resync."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import logging

import pytest

from custom_components.micboard.manufacturers import (
    Backend,
    ChangeSet,
    Channel,
    DeviceError,
    ErrorKind,
    Receiver,
    Snapshot,
)
from custom_components.micboard.manufacturers.fleet import (
    NOT_CONNECTED,
    Change,
    ChangeNotifier,
    FleetBackend,
    placeholder_receiver,
)

HOST = "127.0.0.1"


class Gauge:
    def __init__(self) -> None:
        self.now = 0
        self.most = 0


class FakeConnection:
    """A connection whose receiver a test sets by hand."""

    def __init__(self, host: str, port: int, notify: ChangeNotifier) -> None:
        self.host, self.port, self.notify = host, port, notify
        self.reconnects = 0
        self.last_error: DeviceError | None = NOT_CONNECTED
        self.current = placeholder_receiver("fake", host, port)
        self.started = self.stopped = False
        self.resync_delay = 0.0
        self.resync_error: DeviceError | None = None
        # Shared by the connections of one test to measure how many resync at once.
        self.gauge: Gauge | None = None

    async def start(self) -> None:
        self.started = True
        self.set(identified(self.host, self.port), Change.STATE)
        self.last_error = None

    async def stop(self) -> None:
        self.stopped = True

    async def resync(self) -> DeviceError | None:
        if self.gauge is not None:
            self.gauge.now += 1
            self.gauge.most = max(self.gauge.most, self.gauge.now)
        await asyncio.sleep(self.resync_delay)
        if self.gauge is not None:
            self.gauge.now -= 1
        return self.resync_error

    def device(self) -> Receiver:
        return self.current

    def set(self, receiver: Receiver, change: Change) -> None:
        self.current = receiver
        self.notify(change)


def identified(host: str, port: int, channels: int = 2) -> Receiver:
    return Receiver(
        manufacturer="fake",
        api_device_id=f"{host}:{port}",
        host=host,
        port=port,
        online=True,
        identified=True,
        model="F1",
        channels=tuple(Channel(index=index) for index in range(1, channels + 1)),
    )


class FakeBackend(FleetBackend[FakeConnection]):
    def __init__(self, hosts: list[tuple[str, int]], **options: int) -> None:
        super().__init__("fake", hosts, FakeConnection, **options)

    def fake(self, port: int) -> FakeConnection:
        connection = self.connection(HOST, port)
        assert connection is not None
        return connection


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Snapshot, ChangeSet]] = []

    def __call__(self, snapshot: Snapshot, change_set: ChangeSet) -> None:
        self.calls.append((snapshot, change_set))


async def slow_fleet(size: int) -> tuple[FakeBackend, Gauge]:
    """A started fleet of ``size`` whose resyncs take a while, all measured by one gauge."""
    backend = FakeBackend([(HOST, port) for port in range(1, size + 1)], resync_concurrency=25)
    await backend.start()
    gauge = Gauge()
    for port in range(1, size + 1):
        backend.fake(port).resync_delay = 0.01
        backend.fake(port).gauge = gauge
    return backend, gauge


async def next_iteration() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def test_placeholders_before_start() -> None:
    backend = FakeBackend([(HOST, 1), (HOST, 2), (HOST, 1)])
    assert backend.hosts == [(HOST, 1), (HOST, 2)]
    receivers = list(backend.snapshot.receivers.values())
    assert [receiver.api_device_id for receiver in receivers] == [f"{HOST}:1", f"{HOST}:2"]
    for receiver in receivers:
        assert not receiver.identified
        assert not receiver.online
        assert receiver.error is not None
        assert receiver.error.kind is ErrorKind.NOT_CONNECTED
    stats = backend.connection_stats[f"{HOST}:1"]
    assert (stats.online, stats.reconnects, stats.last_error) == (False, 0, NOT_CONNECTED)


async def test_is_a_backend() -> None:
    backend: Backend = FakeBackend([(HOST, 1)])
    await backend.start()
    assert backend.manufacturer == "fake"
    await backend.stop()


async def test_start_publishes_first_attempts_as_structure() -> None:
    backend = FakeBackend([(HOST, 1), (HOST, 2)])
    recorder = Recorder()
    backend.add_listener(recorder)
    await backend.start()
    # Published by the time start returns, in one change set.
    assert len(recorder.calls) == 1
    snapshot, change_set = recorder.calls[0]
    assert snapshot is backend.snapshot
    assert all(receiver.identified for receiver in snapshot.receivers.values())
    assert change_set.receivers == {f"{HOST}:1", f"{HOST}:2"}
    assert change_set.structure == change_set.receivers
    assert change_set.meters_only == frozenset()
    await backend.stop()


async def test_changes_in_one_iteration_are_coalesced() -> None:
    backend = FakeBackend([(HOST, 1), (HOST, 2)])
    await backend.start()
    recorder = Recorder()
    backend.add_listener(recorder)
    one, two = backend.fake(1), backend.fake(2)
    for level in range(-60, -50):
        channel = replace(one.current.channels[0], rf_level_dbm=level)
        one.set(replace(one.current, channels=(channel, *one.current.channels[1:])), Change.METERS)
    two.set(replace(two.current, name="Stage"), Change.STATE)
    assert recorder.calls == []
    await next_iteration()
    assert len(recorder.calls) == 1
    snapshot, change_set = recorder.calls[0]
    assert change_set == ChangeSet(
        receivers=frozenset({f"{HOST}:1", f"{HOST}:2"}),
        meters_only=frozenset({f"{HOST}:1"}),
    )
    assert snapshot.receivers[f"{HOST}:1"].channels[0].rf_level_dbm == -51
    assert snapshot.receivers[f"{HOST}:2"].name == "Stage"


async def test_meters_then_state_in_one_iteration_is_not_meters_only() -> None:
    backend = FakeBackend([(HOST, 1)])
    await backend.start()
    recorder = Recorder()
    backend.add_listener(recorder)
    one = backend.fake(1)
    channel = replace(one.current.channels[0], rf_level_dbm=-70)
    one.set(replace(one.current, channels=(channel, *one.current.channels[1:])), Change.METERS)
    one.set(replace(one.current, name="Renamed"), Change.STATE)
    await next_iteration()
    ((_, change_set),) = recorder.calls
    assert change_set == ChangeSet(receivers=frozenset({f"{HOST}:1"}))


async def test_unchanged_state_is_not_published() -> None:
    backend = FakeBackend([(HOST, 1)])
    await backend.start()
    recorder = Recorder()
    backend.add_listener(recorder)
    one = backend.fake(1)
    before = backend.snapshot
    # An equal receiver, newly built: a poll that found everything as it was.
    one.set(replace(one.current), Change.STATE)
    # The very same object, whatever the change kind.
    one.set(one.current, Change.METERS)
    await next_iteration()
    assert recorder.calls == []
    assert backend.snapshot is before


async def test_structure_on_id_move_and_channel_count() -> None:
    backend = FakeBackend([(HOST, 1)])
    await backend.start()
    recorder = Recorder()
    backend.add_listener(recorder)
    one = backend.fake(1)
    one.set(replace(one.current, api_device_id="00:0e:dd:00:00:01"), Change.STATE)
    await next_iteration()
    snapshot, change_set = recorder.calls[-1]
    both = frozenset({f"{HOST}:1", "00:0e:dd:00:00:01"})
    assert change_set == ChangeSet(receivers=both, structure=both)
    assert list(snapshot.receivers) == ["00:0e:dd:00:00:01"]

    one.set(replace(one.current, channels=one.current.channels[:1]), Change.STATE)
    await next_iteration()
    _, change_set = recorder.calls[-1]
    only_mac = frozenset({"00:0e:dd:00:00:01"})
    assert change_set == ChangeSet(receivers=only_mac, structure=only_mac)


async def test_failing_listener_is_logged_and_others_still_called(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = FakeBackend([(HOST, 1)])

    def broken(snapshot: Snapshot, change_set: ChangeSet) -> None:
        raise RuntimeError("listener bug")

    recorder = Recorder()
    backend.add_listener(broken)
    remove = backend.add_listener(recorder)
    with caplog.at_level(logging.ERROR):
        await backend.start()
    assert len(recorder.calls) == 1
    assert "listener bug" in caplog.text
    remove()
    remove()  # removing twice is harmless
    backend.fake(1).set(replace(backend.fake(1).current, name="x"), Change.STATE)
    await next_iteration()
    assert len(recorder.calls) == 1


async def test_refresh_is_bounded_and_reports_errors_by_endpoint() -> None:
    backend, gauge = await slow_fleet(60)
    failing = backend.fake(7)
    failing.resync_error = DeviceError(ErrorKind.SILENT, "silent for 4.5 s")
    failing.set(replace(failing.current, online=False, error=failing.resync_error), Change.STATE)
    result = await backend.refresh()
    assert gauge.most == 25
    assert result.device_count == 60
    assert result.online_count == 59
    assert result.error_count == 1
    assert result.errors == {f"{HOST}:7": failing.resync_error}
    assert result.error_message == f"{HOST}:7: silent for 4.5 s"
    assert backend.snapshot.last_sync is result


async def test_refresh_of_an_endpoint_not_started() -> None:
    backend = FakeBackend([(HOST, 1)])
    result = await backend.refresh()
    assert result.errors == {f"{HOST}:1": NOT_CONNECTED}
    assert result.online_count == 0


async def test_add_and_remove_receivers() -> None:
    backend = FakeBackend([])
    recorder = Recorder()
    backend.add_listener(recorder)
    receiver = await backend.add_receiver(HOST, 5)
    assert receiver.identified
    assert backend.fake(5).started
    # The placeholder appeared, then the first attempt identified it.
    assert [change_set.structure for _, change_set in recorder.calls] == [
        {f"{HOST}:5"},
        {f"{HOST}:5"},
    ]
    assert await backend.add_receiver(HOST, 5) is receiver
    assert len(recorder.calls) == 2

    connection = backend.fake(5)
    await backend.remove_receiver(HOST, 5)
    assert connection.stopped
    assert backend.snapshot.receivers == {}
    assert backend.hosts == []
    _, change_set = recorder.calls[-1]
    assert change_set == ChangeSet(
        receivers=frozenset({f"{HOST}:5"}), structure=frozenset({f"{HOST}:5"})
    )
    # A removed connection's late words are dropped.
    connection.set(replace(connection.current, name="late"), Change.STATE)
    await next_iteration()
    assert len(recorder.calls) == 3
    await backend.remove_receiver(HOST, 5)
    assert len(recorder.calls) == 3


async def test_stop_stops_every_connection_and_drops_pending_changes() -> None:
    backend = FakeBackend([(HOST, 1), (HOST, 2)])
    await backend.start()
    recorder = Recorder()
    backend.add_listener(recorder)
    one, two = backend.fake(1), backend.fake(2)
    one.set(replace(one.current, name="pending"), Change.STATE)
    await backend.stop()
    assert one.stopped
    assert two.stopped
    await next_iteration()
    assert recorder.calls == []
    # Started again, the endpoint publishes again.
    await backend.start()
    again = backend.fake(1)
    assert again is not one
    again.set(replace(again.current, name="after"), Change.STATE)
    await next_iteration()
    assert backend.snapshot.receivers[f"{HOST}:1"].name == "after"
    await backend.stop()


async def test_overlapping_refreshes_share_the_bound() -> None:
    backend, gauge = await slow_fleet(40)
    first, second = await asyncio.gather(backend.refresh(), backend.refresh())
    assert gauge.most == 25
    assert first.error_count == second.error_count == 0
