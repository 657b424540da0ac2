"""Cost and timing bounds: unchanged channels reused, meters coalesced, offline and
transmitter-back deadlines, pure state and against the simulator over 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
import time

import pytest

from custom_components.micboard.manufacturers import ErrorKind, Receiver
from custom_components.micboard.manufacturers.backend import ChangeSet
from custom_components.micboard.manufacturers.fleet import Change
from custom_components.micboard.manufacturers.models import Snapshot
from custom_components.micboard.manufacturers.sennheiser import (
    ClientOptions,
    ReceiverConnection,
    SennheiserBackend,
)
from custom_components.micboard.manufacturers.sennheiser.codec import Reply
from custom_components.micboard.manufacturers.sennheiser.state import DeviceState
from simulator import Simulator
from simulator.sennheiser_ssc import SscOptions

from ..waiting import eventually
from .fake_device import FakeDevice
from .helpers import FAST
from .test_state import em2_state

METERS_1 = {
    ("m", "rx1", "rssi"): -70.2,
    ("m", "rx1", "rsqi"): 95,
    ("m", "rx1", "divi"): 2,
    ("m", "rx1", "af"): -20.0,
}


# --- pure state ------------------------------------------------------------------------


def test_a_meter_datagram_rebuilds_only_its_channel() -> None:
    state = em2_state()
    before = state.receiver("h", 45, online=True)
    applied = state.apply(Reply(values=METERS_1))
    assert applied.changed
    assert applied.meters_only
    after = state.receiver("h", 45, online=True)
    assert after is not before
    assert after.channels[0] is not before.channels[0]
    assert after.channels[0].rf_level_dbm == -70
    assert after.channels[0].antenna == "B"
    # The HA layer skips unchanged channels by identity.
    assert after.channels[1] is before.channels[1]
    # The transmitter of a channel whose meters moved is not built again either.
    assert after.channels[0].transmitter == before.channels[0].transmitter


def test_nothing_changed_gives_the_same_receiver() -> None:
    state = em2_state()
    first = state.receiver("h", 45, online=True)
    assert state.receiver("h", 45, online=True) is first
    # The same reading again changes nothing.
    state.apply(Reply(values=METERS_1))
    second = state.receiver("h", 45, online=True)
    applied = state.apply(Reply(values=METERS_1))
    assert not applied.changed
    assert state.receiver("h", 45, online=True) is second
    # Online state is part of the view.
    offline = state.receiver("h", 45, online=False)
    assert offline is not second
    assert not offline.online
    assert offline.channels == second.channels


def test_a_reading_that_moved_and_came_back_keeps_the_channel_object() -> None:
    state = em2_state()
    before = state.receiver("h", 45, online=True)
    state.apply(Reply(values={("m", "rx1", "rssi"): -70.2}))
    state.apply(Reply(values={("m", "rx1", "rssi"): -60.4}))
    after = state.receiver("h", 45, online=True)
    assert after.channels[0] is before.channels[0]


def test_warnings_losing_nolink_bring_the_link_up_before_any_meter() -> None:
    # Channel 2 is off: NoLink and RSQI 0.
    state = em2_state()
    assert not state.link_up(2)
    state.apply(Reply(values={("mates", "tx2", "name"): "BACK", ("mates", "tx2", "type"): "SKM"}))
    state.apply(Reply(values={("rx2", "warnings"): ["NoLink"]}))
    assert not state.link_up(2)
    applied = state.apply(Reply(values={("rx2", "warnings"): []}))
    assert applied.changed
    assert not applied.meters_only
    # The last RSQI (0) is older than the warnings push.
    assert state.link_up(2)
    transmitter = state.receiver("h", 45, online=True).channels[1].transmitter
    assert transmitter is not None
    assert transmitter.name == "BACK"
    # The next meter confirming the link changes nothing about it; RSQI 0 again takes it.
    state.apply(Reply(values={("m", "rx2", "rsqi"): 80}))
    assert state.link_up(2)
    applied = state.apply(Reply(values={("m", "rx2", "rsqi"): 0}))
    assert not state.link_up(2)
    assert not applied.meters_only
    assert state.receiver("h", 45, online=True).channels[1].transmitter is None


def test_transmitter_values_bring_the_link_up_while_rsqi_is_still_0() -> None:
    state = DeviceState()
    state.count_channels(Reply(values={("rx1", "name"): "A"}))
    state.apply(Reply(values={("rx1", "warnings"): [], ("m", "rx1", "rsqi"): 0}))
    assert not state.link_up(1)
    # A repeated RSQI 0 says nothing new.
    state.apply(Reply(values={("m", "rx1", "rsqi"): 0}))
    applied = state.apply(Reply(values={("mates", "tx1", "name"): "LEAD"}))
    assert applied.changed
    assert state.link_up(1)
    state.apply(Reply(values={("m", "rx1", "rsqi"): 0}))
    assert state.link_up(1)
    channel = state.receiver("h", 45, online=True).channels[0]
    assert channel.transmitter is not None
    assert channel.transmitter.name == "LEAD"


# --- against the fake device and the simulator ----------------------------------------

# Production renewal timing (5 s): nothing may wait for it.
SLOW_RENEWAL = replace(FAST, renew_interval=5.0, subscription_lifetime=15)


class Times:
    """When each receiver first satisfied conditions, recorded by a fleet listener."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.meter_publishes: dict[str, int] = {}
        self.seen: dict[str, float] = {}

    def __call__(self, snapshot: Snapshot, changes: ChangeSet) -> None:
        self.snapshot = snapshot
        for api_id in changes.meters_only:
            self.meter_publishes[api_id] = self.meter_publishes.get(api_id, 0) + 1

    def receiver(self, port: int) -> Receiver:
        assert self.snapshot is not None
        return next(r for r in self.snapshot.receivers.values() if r.port == port)


async def test_two_transmitters_back_without_a_push_are_both_read_at_once() -> None:
    device = await FakeDevice().start()
    connection = ReceiverConnection("127.0.0.1", device.port, lambda _change: None, SLOW_RENEWAL)
    try:
        await connection.start()
        device.unlink(1)
        await eventually(lambda: connection.device().channels[0].transmitter is None)
        for index, name in ((1, "ONE"), (2, "TWO")):
            # Back without a push of its mates values: only the warnings and meters say so.
            device.linked.add(index)
            device.leaves[("mates", f"tx{index}", "name")] = name
            device.leaves[("m", f"rx{index}", "rsqi")] = 80
            device.set((f"rx{index}", "warnings"), [])
            started = time.monotonic()
            await eventually(
                lambda i=index, n=name: (
                    (tx := connection.device().channels[i - 1].transmitter) is not None
                    and tx.name == n
                ),
                within=1.0,
            )
            assert time.monotonic() - started < 0.3
            await asyncio.sleep(0.2)
    finally:
        await connection.stop()
        await device.stop()


@pytest.fixture
async def quiet_sim() -> AsyncIterator[Simulator]:
    """A deterministic simulator: seeded, no noise, no battery drain."""
    async with Simulator(seed=7, noise=False, battery_drain=0) as simulator:
        yield simulator


async def test_silence_at_any_phase_of_the_renewal_cycle_is_offline_within_5_s(
    quiet_sim: Simulator,
) -> None:
    # Production timings: renewals every 5 s, each waiting up to 2 x 2 s for its answer.
    options = ClientOptions()
    phases = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 4.9, 5.1, 5.5]
    devices = [await quiet_sim.add_sennheiser("EW-DX-EM2") for _ in phases]
    backend = SennheiserBackend([("127.0.0.1", d.port) for d in devices], options=options)
    offline_at: dict[int, float] = {}
    why: dict[int, ErrorKind | None] = {}

    def listener(snapshot: Snapshot, _changes: ChangeSet) -> None:
        now = time.monotonic()
        for receiver in snapshot.receivers.values():
            if not receiver.online and receiver.port not in offline_at:
                offline_at[receiver.port] = now
                why[receiver.port] = receiver.error.kind if receiver.error else None

    backend.add_listener(listener)
    await backend.start()
    try:
        assert all(r.online for r in backend.snapshot.receivers.values())
        started = time.monotonic()
        silenced_at: dict[int, float] = {}
        for phase, device in zip(phases, devices, strict=True):
            await asyncio.sleep(max(0.0, started + phase - time.monotonic()))
            device.go_silent()
            silenced_at[device.port] = time.monotonic()
        await eventually(lambda: len(offline_at) == len(devices), within=6.0)
        delays = {
            phase: round(offline_at[d.port] - silenced_at[d.port], 2)
            for phase, d in zip(phases, devices, strict=True)
        }
        assert max(delays.values()) <= 5.0, delays
        assert set(why.values()) == {ErrorKind.SILENT}
    finally:
        await backend.stop()


@pytest.mark.parametrize(
    "reading",
    [SscOptions(), SscOptions(tx_off_push="nothing")],
    ids=["defaults", "tx-off-silent"],
)
async def test_transmitters_back_are_visible_within_100_ms(
    quiet_sim: Simulator, reading: SscOptions
) -> None:
    device = await quiet_sim.add_sennheiser("EW-DX-EM4-DANTE", options=reading)
    backend = SennheiserBackend([("127.0.0.1", device.port)], options=ClientOptions())
    times = Times()
    seen: dict[int, float] = {}

    def listener(snapshot: Snapshot, changes: ChangeSet) -> None:
        times(snapshot, changes)
        now = time.monotonic()
        for index, channel in enumerate(times.receiver(device.port).channels, 1):
            if channel.transmitter is not None and channel.transmitter.name == f"BACK{index}":
                seen.setdefault(index, now)

    backend.add_listener(listener)
    await backend.start()
    try:
        for index in (1, 2):
            device.set_transmitter(index, on=False)
        await eventually(
            lambda: all(
                channel.transmitter is None for channel in times.receiver(device.port).channels[:2]
            )
        )
        # Well inside one renewal interval (5 s) of each other.
        back_at = {}
        for index in (1, 2):
            device.set_transmitter(index, on=True, name=f"BACK{index}")
            back_at[index] = time.monotonic()
            await asyncio.sleep(0.4)
        await eventually(lambda: len(seen) == 2, within=2.0)
        delays = {index: seen[index] - back_at[index] for index in (1, 2)}
        assert max(delays.values()) < 0.1, delays
    finally:
        await backend.stop()


async def test_meters_reach_the_fleet_about_once_a_second_per_receiver() -> None:
    async with Simulator(seed=7, noise=True, battery_drain=0) as sim:
        coalesced = await sim.add_sennheiser("EW-DX-EM4-DANTE")
        every = await sim.add_sennheiser("EW-DX-EM4-DANTE")
        backends = [
            SennheiserBackend([("127.0.0.1", coalesced.port)], options=ClientOptions()),
            SennheiserBackend([("127.0.0.1", every.port)], options=ClientOptions(meter_interval=0)),
        ]
        counters = [Times(), Times()]
        for backend, counter in zip(backends, counters, strict=True):
            backend.add_listener(counter)
            await backend.start()
        try:
            await asyncio.sleep(0.5)
            for counter in counters:
                counter.meter_publishes.clear()
            await asyncio.sleep(4.0)
            slow, fast = (sum(c.meter_publishes.values()) for c in counters)
            # 5 meter datagrams a second come in; about 1 publish a second goes out.
            assert 3 <= slow <= 5
            assert fast >= 10
            # The reading held back is the latest one, within a second.
            coalesced.set_levels(1, rf_dbm=-71, audio_dbfs=-12)
            await eventually(
                lambda: (
                    counters[0].receiver(coalesced.port).channels[0].rf_level_dbm in range(-75, -66)
                ),
                within=1.5,
            )
        finally:
            for backend in backends:
                await backend.stop()


async def test_a_meter_change_on_the_wire_reuses_the_other_channel_objects(
    quiet_sim: Simulator,
) -> None:
    device = await quiet_sim.add_sennheiser("EW-DX-EM4-DANTE")
    backend = SennheiserBackend([("127.0.0.1", device.port)], options=ClientOptions())
    times = Times()
    backend.add_listener(times)
    await backend.start()
    try:
        await asyncio.sleep(1.2)
        before = times.receiver(device.port)
        device.set_levels(2, rf_dbm=-71)
        await eventually(lambda: times.receiver(device.port).channels[1].rf_level_dbm == -71)
        after = times.receiver(device.port)
        assert after.channels[1] is not before.channels[1]
        for index in (0, 2, 3):
            assert after.channels[index] is before.channels[index]
    finally:
        await backend.stop()


def test_meter_interval_default_is_one_second() -> None:
    assert ClientOptions().meter_interval == 1.0
    assert Change.METERS.value == "meters"
