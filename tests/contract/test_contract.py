"""The backend contract: every backend behaves the same in the same scenarios.

Each scenario runs once per (backend, simulator front-end) pair in ``pairs.PAIRS``, drives
the real backend (built through ``MANUFACTURERS``, default timings) against the simulator
over 127.0.0.1, and asserts only on what the backend publishes: ``Snapshot``s and
``ChangeSet``s through ``add_listener``, and ``refresh``'s ``SyncResult``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import time

import pytest

from custom_components.micboard.manufacturers import (
    Capability,
    ErrorKind,
    InvalidValueError,
    NotConfirmedError,
    WriteRefusedError,
)
from simulator import Simulator

from ..waiting import eventually
from .harness import Rig, start_rig
from .pairs import Pair

# A silent receiver is offline within this long (the liveness timeout is 4.5 s by default).
OFFLINE_WITHIN = 5.5
# A receiver that is back answers within this long (the first reconnect pauses are 0.5-2 s).
BACK_WITHIN = 6.0
# A dropped connection (Shure) or forgotten subscriptions (Sennheiser) are back this soon.
RECOVER_WITHIN = 3.0
# A device that does not answer a change: the write fails this soon (3 s by default).
CONFIRM_WITHIN = 4.0
LIBRARY = Path(__file__).parents[2] / "custom_components" / "micboard" / "manufacturers"


async def test_start_identifies_the_receiver(rig: Rig, pair: Pair) -> None:
    receiver = rig.receiver()
    assert receiver.manufacturer == pair.manufacturer
    assert receiver.identified
    assert receiver.online
    assert receiver.error is None
    assert receiver.capabilities
    assert receiver.model
    assert len(receiver.channels) == pair.channels
    assert [channel.index for channel in receiver.channels] == list(range(1, pair.channels + 1))
    assert all(channel.transmitter is not None for channel in receiver.channels)
    # Identification was published as a structure change of the receiver.
    assert any(receiver.api_device_id in change.structure for _, change in rig.published)


async def test_transmitter_off_and_on(rig: Rig) -> None:
    mark = rig.mark()
    rig.device.set_transmitter(1, on=False)
    await eventually(lambda: rig.channel(1).transmitter is None)
    assert rig.state_changes(mark)
    assert rig.channel(2).transmitter is not None
    assert rig.receiver().online

    mark = rig.mark()
    rig.device.set_transmitter(1, on=True)
    await eventually(lambda: rig.channel(1).transmitter is not None)
    assert rig.state_changes(mark)


async def test_channel_rename(rig: Rig) -> None:
    mark = rig.mark()
    rig.device.rename_channel(2, "VOX 9")
    await eventually(lambda: rig.channel(2).name == "VOX 9")
    assert rig.state_changes(mark)
    assert rig.channel(1).name != "VOX 9"


async def test_controls_confirmed_by_the_device(rig: Rig) -> None:
    """A write returns once the device reported the value; the snapshot shows it by then."""
    receiver = rig.receiver()
    api_id = receiver.api_device_id
    assert {
        Capability.IDENTIFY,
        Capability.CHANNEL_IDENTIFY,
        Capability.CHANNEL_NAME,
        Capability.RX_MUTE,
        Capability.AUDIO_GAIN,
    } <= receiver.capabilities
    assert receiver.name_rule is not None
    assert receiver.gain_range is not None
    mark = rig.mark()
    assert await rig.backend.set_channel_name(api_id, 2, "HOST") == "HOST"
    assert rig.channel(2).name == "HOST"
    assert rig.device.device.channel(2).name == "HOST"
    assert rig.state_changes(mark)
    assert await rig.backend.set_audio_mute(api_id, 1, True) is True
    assert rig.channel(1).audio_mute is True
    gain = receiver.gain_range.minimum_db + 2 * receiver.gain_range.step_db
    assert await rig.backend.set_audio_gain(api_id, 1, gain) == gain
    assert rig.channel(1).audio_gain_db == gain
    await rig.backend.identify(api_id)
    await rig.backend.identify(api_id, 2)
    assert rig.device.device.identify
    assert rig.device.device.channel(2).identify


async def test_controls_refused(rig: Rig) -> None:
    """Beyond the limits: refused before sending. Locked device: refused by the device.
    Silent device: not confirmed. The snapshot keeps what the device last reported."""
    receiver = rig.receiver()
    api_id = receiver.api_device_id
    name = rig.channel(1).name
    assert receiver.gain_range is not None
    with pytest.raises(InvalidValueError):
        await rig.backend.set_channel_name(api_id, 1, "NINE CHAR")
    with pytest.raises(InvalidValueError):
        await rig.backend.set_audio_gain(api_id, 1, receiver.gain_range.maximum_db + 1)
    rig.device.set_faults(locked=True)
    with pytest.raises(WriteRefusedError):
        await rig.backend.set_channel_name(api_id, 1, "LOCKED")
    rig.device.set_faults(locked=False)
    rig.device.go_silent()
    started = time.monotonic()
    with pytest.raises(NotConfirmedError):
        await rig.backend.set_channel_name(api_id, 1, "SILENT")
    # "Within a few seconds" (3 s by default).
    assert time.monotonic() - started < CONFIRM_WITHIN
    assert rig.channel(1).name == name


async def test_battery_change(rig: Rig) -> None:
    before = rig.channel(1).transmitter
    assert before is not None
    mark = rig.mark()
    rig.device.set_battery(1, bars=1, percent=10, minutes=48)

    def low() -> bool:
        tx = rig.channel(1).transmitter
        return tx is not None and (tx.battery_bars == 1 or tx.battery_percent == 10)

    await eventually(low)
    after = rig.channel(1).transmitter
    assert after is not None
    assert after.battery_runtime_minutes in (None, 48)
    assert rig.state_changes(mark)


async def test_meters_flow_as_meter_only_changes(rig: Rig) -> None:
    api_id = rig.receiver().api_device_id
    mark = rig.mark()
    rig.device.set_levels(1, rf_dbm=-55, audio_dbfs=-18)
    await eventually(lambda: rig.channel(1).rf_level_dbm == -55)
    rig.device.set_levels(1, rf_dbm=-65, audio_dbfs=-30)
    await eventually(lambda: rig.channel(1).rf_level_dbm == -65)
    meter_changes = [change for _, change in rig.since(mark) if api_id in change.meters_only]
    assert meter_changes
    # Levels that raise no warning are meters and nothing else.
    assert rig.state_changes(mark) == []
    assert rig.channel(1).audio_level_dbfs is not None
    # A meters-only change set never claims structure.
    assert all(api_id not in change.structure for change in meter_changes)


async def test_silent_receiver_goes_offline_and_comes_back(rig: Rig) -> None:
    rig.device.go_silent()
    waited = await eventually(lambda: not rig.receiver().online, OFFLINE_WITHIN)
    assert waited <= OFFLINE_WITHIN
    error = rig.receiver().error
    assert error is not None
    assert error.kind in {ErrorKind.SILENT, ErrorKind.TIMED_OUT}
    # Offline keeps the identity: same id, channels still listed.
    assert rig.receiver().identified

    rig.device.resume()
    await eventually(lambda: rig.receiver().online, BACK_WITHIN)
    assert rig.receiver().error is None


async def test_dropped_connection_recovers(rig: Rig) -> None:
    api_id = rig.receiver().api_device_id
    await rig.device.drop()
    # Shure: the TCP connection is closed and reopened. Sennheiser: the device forgets
    # the subscriptions (as after a reboot) and the client must notice and renew them.
    rig.device.rename_channel(1, "AFTER")
    await eventually(lambda: rig.channel(1).name == "AFTER", RECOVER_WITHIN)
    await eventually(lambda: rig.receiver().online, BACK_WITHIN)
    assert rig.receiver().api_device_id == api_id


async def test_refused_connections_offline_then_back(rig: Rig) -> None:
    api_id = rig.receiver().api_device_id
    await rig.device.refuse_connections(True)
    await rig.device.drop_connections()
    await eventually(lambda: not rig.receiver().online, OFFLINE_WITHIN)
    await eventually(
        lambda: (
            (error := rig.receiver().error) is not None
            and error.kind in {ErrorKind.REFUSED, ErrorKind.UNREACHABLE, ErrorKind.SILENT}
        ),
        OFFLINE_WITHIN,
    )
    await rig.device.refuse_connections(False)
    await eventually(lambda: rig.receiver().online, BACK_WITHIN)
    assert rig.receiver().api_device_id == api_id


async def test_power_cycle_keeps_the_device_id(rig: Rig) -> None:
    api_id = rig.receiver().api_device_id
    assert not api_id.startswith(f"{rig.device.host}:")
    await rig.device.power_off()
    await eventually(lambda: not rig.receiver().online, OFFLINE_WITHIN)
    await eventually(
        lambda: (
            (error := rig.receiver().error) is not None
            and error.kind in {ErrorKind.REFUSED, ErrorKind.UNREACHABLE, ErrorKind.SILENT}
        ),
        OFFLINE_WITHIN,
    )
    # Offline, the receiver keeps its id (nobody sees it vanish and reappear).
    assert rig.receiver().api_device_id == api_id
    mark = rig.mark()
    await rig.device.power_on()
    await eventually(lambda: rig.receiver().online, BACK_WITHIN)
    receiver = rig.receiver()
    assert receiver.api_device_id == api_id
    assert list(rig.backend.snapshot.receivers) == [api_id]
    # Coming back is no structure change: same id, same channels.
    assert all(api_id not in change.structure for _, change in rig.since(mark))


async def test_garbage_on_the_wire_is_survived(rig: Rig) -> None:
    mark = rig.mark()
    await rig.device.send_garbage()
    rig.device.set_faults(garbage=True)
    rig.device.rename_channel(1, "JUNK")
    await eventually(lambda: rig.channel(1).name == "JUNK")
    await asyncio.sleep(0.5)
    rig.device.set_faults(garbage=False)
    await rig.device.send_garbage(b"\x00\x01{{not json<<")
    rig.device.rename_channel(1, "CLEAN")
    await eventually(lambda: rig.channel(1).name == "CLEAN")
    assert rig.receiver().online
    assert not rig.was_offline(mark)


async def test_refresh_reports_counts(pair: Pair, sim: Simulator) -> None:
    live = await pair.add_device(sim, pair.model)
    off = await pair.add_device(sim, pair.model)
    await off.power_off()
    rig = await start_rig(pair, sim, [live, off])
    try:
        result = await rig.backend.refresh()
        assert (result.device_count, result.online_count, result.error_count) == (2, 1, 1)
        assert list(result.errors) == [f"{off.host}:{off.port}"]
        error = result.errors[f"{off.host}:{off.port}"]
        assert error.kind in {ErrorKind.REFUSED, ErrorKind.UNREACHABLE, ErrorKind.TIMED_OUT}
        assert rig.backend.snapshot.last_sync == result
        assert rig.receiver(0).online
        assert not rig.receiver(1).online
        assert not rig.receiver(1).identified
    finally:
        await rig.backend.stop()


async def test_unchanged_refresh_publishes_no_change(rig: Rig) -> None:
    # Let start-up pushes (first meters, subscription notifications) settle.
    await asyncio.sleep(0.5)
    before = rig.backend.snapshot.receivers
    mark = rig.mark()
    result = await rig.backend.refresh()
    assert (result.device_count, result.online_count, result.error_count) == (1, 1, 0)
    await asyncio.sleep(0.3)
    # Meters are set exactly (no noise): nothing at all changed, so nothing is published.
    assert rig.since(mark) == []
    assert rig.backend.snapshot.receivers == before


async def test_stop_leaves_no_task_running(rig: Rig) -> None:
    def library_tasks() -> list[asyncio.Task[object]]:
        found = []
        for task in asyncio.all_tasks():
            code = getattr(task.get_coro(), "cr_code", None)
            if code is not None and Path(code.co_filename).is_relative_to(LIBRARY):
                found.append(task)
        return found

    assert library_tasks()
    started = time.monotonic()
    await rig.backend.stop()
    assert time.monotonic() - started < 3.0
    await asyncio.sleep(0)
    assert library_tasks() == []
    # Stopped means quiet: nothing more is published.
    mark = rig.mark()
    rig.device.rename_channel(1, "LATE")
    await asyncio.sleep(0.3)
    assert rig.since(mark) == []
