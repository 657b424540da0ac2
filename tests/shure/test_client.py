"""The Shure client against the simulator over real loopback TCP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging
import time
from typing import Any

import pytest

from custom_components.micboard.manufacturers import (
    ChangeSet,
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    Snapshot,
    SyncStatus,
    Transmitter,
    UnsupportedDeviceError,
)
from custom_components.micboard.manufacturers.shure import probe
from simulator import Simulator

from ..waiting import eventually
from .helpers import MakeBackend, only, started


async def test_ulxd4q_full_state(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver(
        "ULXD4Q",
        name="Stage L",
        channel_names=["Vox 1", "Vox 2", "Gtr", "Spare"],
        mac="00:0E:DD:AA:BB:01",
        firmware="2.7.6.0",
    )
    rx.set_transmitter(1, model="ULXD2", battery_bars=4, battery_percent=78, battery_minutes=312)
    rx.set_transmitter(4, on=False)
    backend = await started(make_backend, rx)

    receiver = only(backend)
    assert receiver.api_device_id == "00:0e:dd:aa:bb:01"
    assert receiver.mac_address == "00:0e:dd:aa:bb:01"
    assert (receiver.model, receiver.family, receiver.name) == ("ULXD4Q", "ulxd", "Stage L")
    assert receiver.firmware == "2.7.6.0"
    assert receiver.online
    assert receiver.error is None
    assert [channel.name for channel in receiver.channels] == ["Vox 1", "Vox 2", "Gtr", "Spare"]
    first = receiver.channels[0]
    assert first.frequency_mhz == pytest.approx(470.125)
    assert first.group_channel == "01,01"
    assert first.audio_gain_db == 0
    assert first.audio_mute is False
    assert first.interference is False
    assert first.encryption_error is False
    assert first.transmitter == Transmitter(
        model="ULXD2",
        name=None,
        battery_bars=4,
        battery_percent=78,
        battery_runtime_minutes=312,
        battery_type="LION",
        battery_health_percent=100,
        battery_cycles=12,
        battery_temperature_c=24,
        tx_offset_db=0,
        rf_power="NORMAL",
        power_lock=False,
        mute=False,
    )
    assert receiver.channels[3].transmitter is None


@pytest.mark.parametrize(
    "case",
    [
        ("ULXD4", "ulxd", 1, True, True),
        ("ULXD4D", "ulxd", 2, True, True),
        ("QLXD4", "qlxd", 1, True, True),
        ("SLXD4", "slxd", 1, False, False),
        ("SLXD4D", "slxd", 2, False, False),
        ("SLXD4+", "slxdplus", 1, False, True),
        ("SLXD4Q+", "slxdplus", 4, False, True),
        ("AD4D", "axient", 2, True, False),
        ("AD4Q", "axient", 4, True, False),
    ],
)
async def test_every_family(
    sim: Simulator, make_backend: MakeBackend, case: tuple[str, str, int, bool, bool]
) -> None:
    model, family, channels, has_percent, has_mac = case
    rx = await sim.add_receiver(model, name="Rack 1", mac="00:0e:dd:00:00:09")
    rx.set_transmitter(1, battery_bars=3, battery_percent=50, battery_minutes=240)
    rx.set_levels(1, rf_dbm=-60, audio_dbfs=-20, antenna="B")
    backend = await started(make_backend, rx)

    receiver = only(backend)
    assert (receiver.family, receiver.model, receiver.name) == (family, model, "Rack 1")
    assert len(receiver.channels) == channels
    assert receiver.api_device_id == ("00:0e:dd:00:00:09" if has_mac else f"127.0.0.1:{rx.port}")
    transmitter = receiver.channels[0].transmitter
    assert transmitter is not None
    assert transmitter.battery_bars == 3
    assert transmitter.battery_runtime_minutes == 240
    assert transmitter.battery_percent == (50 if has_percent else None)
    assert receiver.channels[0].frequency_mhz is not None
    # Metering arrives at the fast meter rate.
    await eventually(lambda: only(backend).channels[0].rf_level_dbm == -60)
    channel = only(backend).channels[0]
    assert channel.audio_level_dbfs == -20
    assert channel.audio_peak is False
    if family != "slxd":
        assert channel.antenna == "B"


async def test_axient_details(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("AD4Q", model_string="AD4Q-A", rf_band="G57")
    rx.set_levels(2, rf_dbm=-45, audio_dbfs=-1, antenna="AB")
    rx.set_transmitter(3, on=False)
    backend = await started(make_backend, rx)
    receiver = only(backend)
    assert (receiver.model, receiver.rf_band) == ("AD4Q-A", "G57")
    await eventually(lambda: only(backend).channels[1].audio_peak)
    channel = only(backend).channels[1]
    assert (channel.antenna, channel.rf_level_dbm, channel.quality) == ("AB", -45, 5)
    idle = only(backend).channels[2]
    assert (idle.quality, idle.antenna, idle.transmitter) == (None, None, None)


async def test_pushed_changes_are_applied(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("ULXD4D", name="Rack", mac="00:0e:dd:00:00:01")
    backend = await started(make_backend, rx, meter_rate_ms=0)
    seen: list[tuple[Snapshot, ChangeSet]] = []
    backend.add_listener(lambda snapshot, changed: seen.append((snapshot, changed)))

    rx.rename_channel(2, "Vox 9")
    rx.rename("Stage R")
    rx.set_battery(1, bars=1)
    rx.set_firmware("2.7.8.0")
    await eventually(lambda: only(backend).firmware == "2.7.8.0")
    receiver = only(backend)
    assert receiver.channels[1].name == "Vox 9"
    assert receiver.name == "Stage R"
    transmitter = receiver.channels[0].transmitter
    assert transmitter is not None
    assert transmitter.battery_bars == 1
    assert seen
    # Settings, not meters, and nothing appeared or went.
    only_this = ChangeSet(receivers=frozenset({"00:0e:dd:00:00:01"}))
    assert all(changed == only_this for _, changed in seen)
    assert seen[-1][0] is backend.snapshot


async def test_transmitter_off_and_on(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("SLXD4D")
    backend = await started(make_backend, rx)
    assert only(backend).channels[0].transmitter is not None

    rx.set_transmitter(1, on=False)
    await eventually(lambda: only(backend).channels[0].transmitter is None)

    rx.set_transmitter(1, on=True, model="SLXD1", battery_bars=2)
    await eventually(lambda: only(backend).channels[0].transmitter is not None)
    transmitter = only(backend).channels[0].transmitter
    assert transmitter is not None
    assert (transmitter.model, transmitter.battery_bars) == ("SLXD1", 2)


async def test_silent_receiver_goes_offline_and_comes_back(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("QLXD4")
    backend = await started(make_backend, rx, liveness_timeout=0.5)
    assert only(backend).online

    rx.go_silent()
    went_silent = time.monotonic()
    await eventually(lambda: not only(backend).online, within=2)
    assert time.monotonic() - went_silent < 1.0
    error = only(backend).error
    assert error is not None
    assert error.kind is ErrorKind.SILENT
    assert error.detail == "silent for 0.5 s"

    rx.resume()
    await eventually(lambda: only(backend).online, within=3)
    assert only(backend).error is None
    stats = next(iter(backend.connection_stats.values()))
    assert stats.reconnects >= 1
    assert stats.online


async def test_a_short_hang_is_read_in_full_when_the_receiver_speaks_again(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    """What a receiver dropped while it hung (shorter than the offline window) is read back.

    The soak found it: a transmitter switched off during a 2 s hang was never reported,
    as the receiver sent nothing for it and never went offline.
    """
    rx = await sim.add_receiver("ULXD4D")
    backend = await started(make_backend, rx, liveness_timeout=1.2)
    rx.go_silent()
    rx.set_transmitter(1, on=False)
    await asyncio.sleep(0.8)
    # Still online (not silent for 1.2 s yet), and it knows nothing of the change.
    assert only(backend).online
    assert only(backend).channels[0].transmitter is not None
    rx.resume()
    await eventually(lambda: only(backend).channels[0].transmitter is None, within=2)
    assert only(backend).online


async def test_silence_without_metering_is_detected_by_asking(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx, meter_rate_ms=0, liveness_timeout=0.4)
    # A healthy receiver without metering stays online: it answers the liveness question.
    await asyncio.sleep(1.0)
    assert only(backend).online
    assert "< GET 1 METER_RATE >" in rx.received
    rx.go_silent()
    await eventually(lambda: not only(backend).online, within=2)


async def test_dropped_and_refused_connections_are_retried(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("AD4D")
    backend = await started(make_backend, rx)
    await rx.refuse_connections(True)
    await rx.drop_connections()
    await eventually(lambda: not only(backend).online)
    await asyncio.sleep(0.5)
    assert not only(backend).online
    assert only(backend).error == DeviceError(ErrorKind.REFUSED, "connection refused")
    attempts = next(iter(backend.connection_stats.values())).reconnects
    assert attempts >= 2
    await rx.refuse_connections(False)
    await eventually(lambda: only(backend).online)


async def test_garbage_is_survived(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("ULXD4D")
    backend = await started(make_backend, rx)
    await rx.send_garbage(b"\x00\xffjunk<<>< REP 1 NONSENSE {x} >>>" + b"x" * 3000)
    rx.rename_channel(1, "After")
    await eventually(lambda: only(backend).channels[0].name == "After")
    assert only(backend).online
    assert next(iter(backend.connection_stats.values())).reconnects == 0


async def test_slxd_plus_is_read_per_channel(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("SLXD4Q+", channel_names=["A", "B", "C", "D"])
    rx.set_transmitter(2, on=False)
    backend = await started(make_backend, rx)
    receiver = only(backend)
    assert [channel.name for channel in receiver.channels] == ["A", "B", "C", "D"]
    assert receiver.channels[1].transmitter is None
    assert receiver.channels[1].frequency_mhz is not None
    assert "< GET 0 ALL >" in rx.received
    assert "< GET 4 ALL >" in rx.received
    result = await backend.refresh()
    assert result.status is SyncStatus.SUCCESS


@pytest.mark.parametrize(("model", "family"), [("ULXD4Q", "ulxd"), ("QLXD4", "qlxd")])
async def test_old_firmware_without_model(
    sim: Simulator, make_backend: MakeBackend, model: str, family: str
) -> None:
    rx = await sim.add_receiver(model, with_model=False)
    backend = await started(make_backend, rx)
    receiver = only(backend)
    assert (receiver.family, receiver.model) == (family, model)
    assert receiver.online


class FakeDevice:
    """A TCP server on 127.0.0.1 that answers every command with fixed bytes."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while await reader.read(1024):
                if self.reply:
                    writer.write(self.reply)
        except ConnectionError:
            pass
        finally:
            writer.close()


@pytest.fixture
async def fake_err() -> AsyncIterator[tuple[FakeDevice, int]]:
    device = FakeDevice(b"< REP ERR >")
    async with device as port:
        yield device, port


async def test_unsupported_device_is_reported_once(
    fake_err: tuple[FakeDevice, int],
    make_backend: MakeBackend,
    caplog: pytest.LogCaptureFixture,
) -> None:
    device, port = fake_err
    caplog.set_level(logging.WARNING)
    backend = make_backend([("127.0.0.1", port)])
    await backend.start()
    await eventually(lambda: device.connections >= 3)
    receiver = only(backend)
    assert not receiver.online
    assert receiver.api_device_id == f"127.0.0.1:{port}"
    assert receiver.error == DeviceError(
        ErrorKind.UNSUPPORTED,
        "not a supported Shure receiver or charger (no recognisable model or keys)",
    )
    assert not receiver.identified
    warnings = [r for r in caplog.records if "not a supported Shure receiver" in r.getMessage()]
    assert len(warnings) == 1
    # The log line says where.
    assert warnings[0].getMessage().startswith(f"127.0.0.1:{port}: ")


async def test_unrelated_model_is_unsupported() -> None:
    device = FakeDevice(b"< REP MODEL {UR4D} >< REP 1 CHAN_NAME {x} >")
    async with device as port:
        with pytest.raises(UnsupportedDeviceError, match=f"127.0.0.1:{port}") as caught:
            await probe("127.0.0.1", port, timeout=1)
    assert caught.value.error == DeviceError(
        ErrorKind.UNSUPPORTED, "not a supported Shure receiver or charger (model 'UR4D')"
    )
    assert str(caught.value) == (
        f"127.0.0.1:{port}: not a supported Shure receiver or charger (model 'UR4D')"
    )
    unknown_keys = FakeDevice(b"< REP 1 SOMETHING 001 >< REP 2 OTHER 002 >")
    async with unknown_keys as port:
        with pytest.raises(UnsupportedDeviceError):
            await probe("127.0.0.1", port, timeout=1)


async def test_probe(sim: Simulator) -> None:
    rx = await sim.add_receiver("SLXD4D+", name="Band", mac="00:0E:DD:12:34:56")
    receiver = await probe(rx.host, rx.port, timeout=2)
    assert (receiver.model, receiver.family, receiver.name) == ("SLXD4D+", "slxdplus", "Band")
    assert receiver.api_device_id == "00:0e:dd:12:34:56"
    assert receiver.online
    # Closed politely: SLX-D+ starts metering by itself, so it is switched off again.
    await eventually(lambda: rx.connection_count == 0)
    assert rx.received[-1] == "< SET 0 METER_RATE 00000 >"


async def test_probe_errors() -> None:
    silent = FakeDevice(b"")
    async with silent as port:
        with pytest.raises(MicboardConnectionError, match="no answer") as caught:
            await probe("127.0.0.1", port, timeout=0.3)
    # Either the read's own wait or the probe's overall budget ends it: both time out.
    assert caught.value.kind is ErrorKind.TIMED_OUT
    # The port is closed now: refused.
    with pytest.raises(MicboardConnectionError, match=f"127.0.0.1:{port}") as caught:
        await probe("127.0.0.1", port, timeout=0.5)
    assert caught.value.kind is ErrorKind.REFUSED
    assert str(caught.value) == f"127.0.0.1:{port}: connection refused"


async def test_probe_overall_timeout() -> None:
    # Answers, but keeps answering: the read never goes quiet within the budget.
    handlers: set[asyncio.Task[Any]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.add(asyncio.current_task())  # type: ignore[arg-type]
        await reader.read(100)
        try:
            while True:
                writer.write(b"< REP 1 CHAN_NAME {x} >")
                await writer.drain()
                await asyncio.sleep(0.01)
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(MicboardConnectionError, match="no answer within") as caught:
            await probe("127.0.0.1", port, timeout=0.3)
        assert caught.value.error == DeviceError(ErrorKind.TIMED_OUT, "no answer within 0.3 s")
    finally:
        server.close()
        # The endless writer may still be waiting to write: stop it, leave nothing behind.
        for handler in handlers:
            handler.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


async def test_unreachable_receiver_in_snapshot(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("ULXD4")
    port = rx.port
    await sim.remove_receiver(rx)
    backend = make_backend([("127.0.0.1", port)])
    placeholder = only(backend)
    assert placeholder.error == DeviceError(ErrorKind.NOT_CONNECTED, "not connected yet")
    assert not placeholder.identified
    assert placeholder.capabilities == frozenset()
    began = time.monotonic()
    await backend.start()
    assert time.monotonic() - began < 1
    receiver = only(backend)
    assert receiver.api_device_id == f"127.0.0.1:{port}"
    assert (receiver.online, receiver.model, receiver.identified) == (False, None, False)
    assert receiver.error == DeviceError(ErrorKind.REFUSED, "connection refused")

    result = await backend.refresh()
    assert result.status is SyncStatus.ERROR
    assert result.error_count == 1
    assert f"127.0.0.1:{port}" in (result.error_message or "")
    assert result.errors == {f"127.0.0.1:{port}": receiver.error}


async def test_refresh_many_receivers_quickly(sim: Simulator, make_backend: MakeBackend) -> None:
    receivers = [await sim.add_receiver("AD4Q") for _ in range(100)]
    gone = await sim.add_receiver("ULXD4")
    await sim.remove_receiver(gone)
    backend = make_backend(
        [(rx.host, rx.port) for rx in [*receivers, gone]],
        meter_rate_ms=1000,
        burst_quiet_time=0.05,
    )
    await backend.start()
    result = await backend.refresh()
    assert (result.device_count, result.online_count, result.error_count) == (101, 100, 1)
    assert result.status is SyncStatus.PARTIAL
    assert result.duration_seconds < 1.0
    assert backend.snapshot.last_sync == result
    assert len(backend.snapshot.receivers) == 101


async def test_refresh_reconnects_an_offline_receiver_now(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx, reconnect_min=30, reconnect_max=30)
    await rx.drop_connections()
    await eventually(lambda: not only(backend).online)
    result = await backend.refresh()
    assert result.status is SyncStatus.SUCCESS
    assert only(backend).online


async def test_refresh_reports_a_receiver_that_stops_answering(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx, liveness_timeout=5)
    await asyncio.sleep(0.1)  # let the replies to SET METER_RATE arrive first
    rx.go_silent()
    result = await backend.refresh()
    assert result.error_count == 1
    assert "no answer" in (result.error_message or "")
    assert [error.kind for error in result.errors.values()] == [ErrorKind.TIMED_OUT]


async def test_stop_switches_metering_off_and_leaves_no_tasks(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("QLXD4")
    tasks_before = asyncio.all_tasks()
    backend = make_backend([(rx.host, rx.port)])
    await backend.start()
    assert "< SET 0 METER_RATE 00100 >" in rx.received
    await backend.stop()
    await eventually(lambda: rx.connection_count == 0)
    assert rx.received[-1] == "< SET 0 METER_RATE 00000 >"
    assert asyncio.all_tasks() - tasks_before == set()


async def test_add_and_remove_receivers_at_runtime(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    first = await sim.add_receiver("ULXD4", mac="00:0e:dd:00:00:01")
    second = await sim.add_receiver("SLXD4")
    backend = await started(make_backend, first)
    changes: list[ChangeSet] = []
    remove_listener = backend.add_listener(lambda _, changed: changes.append(changed))

    added = await backend.add_receiver(second.host, second.port)
    assert added.online
    assert added.api_device_id in backend.snapshot.receivers
    assert await backend.add_receiver(second.host, second.port) == added
    assert [key[1] for key in backend.hosts] == [first.port, second.port]

    await backend.remove_receiver(first.host, first.port)
    assert list(backend.snapshot.receivers) == [added.api_device_id]
    removal = ChangeSet(
        receivers=frozenset({"00:0e:dd:00:00:01"}), structure=frozenset({"00:0e:dd:00:00:01"})
    )
    assert removal in changes
    await eventually(lambda: first.connection_count == 0)

    remove_listener()
    remove_listener()
    count = len(changes)
    second.rename("Quiet")
    await asyncio.sleep(0.1)
    assert len(changes) == count
    await backend.remove_receiver("127.0.0.1", 1)


async def test_api_id_moves_from_host_port_to_mac(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4", mac="00:0e:dd:00:00:05")
    await rx.refuse_connections(True)
    backend = await started(make_backend, rx)
    host_port = f"127.0.0.1:{rx.port}"
    assert list(backend.snapshot.receivers) == [host_port]
    changes: list[ChangeSet] = []
    backend.add_listener(lambda _, changed: changes.append(changed))
    await rx.refuse_connections(False)
    await eventually(lambda: only(backend).online)
    assert list(backend.snapshot.receivers) == ["00:0e:dd:00:00:05"]
    assert {host_port, "00:0e:dd:00:00:05"} <= changes[0].receivers
    # Identified, and its id moved: both ids are structure, neither is meters-only.
    assert {host_port, "00:0e:dd:00:00:05"} <= changes[0].structure
    assert not changes[0].meters_only & {host_port, "00:0e:dd:00:00:05"}
    assert only(backend).identified
    # The MAC stays the id while the receiver is offline again.
    await rx.drop_connections()
    await eventually(lambda: not only(backend).online)
    assert list(backend.snapshot.receivers) == ["00:0e:dd:00:00:05"]


async def test_failing_listener_does_not_stop_others(
    sim: Simulator, make_backend: MakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx, meter_rate_ms=0)
    calls: list[ChangeSet] = []

    def broken(snapshot: Snapshot, changed: ChangeSet) -> None:
        raise RuntimeError("boom")

    backend.add_listener(broken)
    backend.add_listener(lambda _, changed: calls.append(changed))
    rx.rename("New")
    await eventually(lambda: bool(calls))
    assert "Error in a shure change listener" in caplog.text


async def test_metering_changes_are_coalesced(sim: Simulator, make_backend: MakeBackend) -> None:
    sim_rx = [await sim.add_receiver("ULXD4Q") for _ in range(3)]
    backend = await started(make_backend, *sim_rx)
    calls: list[ChangeSet] = []
    backend.add_listener(lambda _, changed: calls.append(changed))
    for rx in sim_rx:
        for channel in range(1, 5):
            rx.set_levels(channel, rf_dbm=-70)
    await eventually(
        lambda: all(
            channel.rf_level_dbm == -70
            for receiver in backend.snapshot.receivers.values()
            for channel in receiver.channels
        )
    )
    # Four channels metered together arrive in one read and make one change per receiver.
    assert len(calls) <= 3 * 2
    # Known to be meter readings from what was applied: no consumer compares fields.
    assert all(changed.meters_only == changed.receivers for changed in calls)
    assert not any(changed.structure for changed in calls)
    # Unchanged metering publishes nothing.
    calls.clear()
    await asyncio.sleep(0.3)
    assert calls == []


async def test_push_before_full_read_is_not_unsupported(
    sim: Simulator, make_backend: MakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """After a silence, a pushed value that beats the full read is no reason to give up.

    The reconnect's GET 0 ALL went into the silence; the first thing back is a battery tick.
    The receiver is retried, never reported as an unsupported device.
    """
    rx = await sim.add_receiver("ULXD4Q", name="Stage L")
    backend = await started(make_backend, rx, liveness_timeout=1.0, reconnect_min=0.2)
    rx.go_silent()
    await eventually(lambda: not only(backend).online, within=5)
    await eventually(
        lambda: (
            rx.connection_count >= 1
            and any("GET 0 ALL" in command for command in list(rx.received)[-3:])
        ),
        within=5,
    )
    rx.resume()
    rx.drain_batteries(1.0)
    await eventually(lambda: only(backend).online, within=5)
    assert "not a supported Shure receiver" not in caplog.text
    await backend.stop()


async def test_identified_without_any_channel_is_not_online() -> None:
    """A read cut short after MODEL (a flapping link) is retried, never published empty."""

    async def only_model(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"< REP MODEL {ULXD4D                          } >")
        await writer.drain()
        await reader.read(1024)
        writer.close()

    server = await asyncio.start_server(only_model, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(MicboardConnectionError) as caught:
            await probe("127.0.0.1", port, 3.0)
        assert caught.value.kind is ErrorKind.TIMED_OUT
        assert caught.value.detail == "no channel in the full read"
    finally:
        server.close()
        await server.wait_closed()


def _padded(text: str) -> str:
    return "{" + text.ljust(31) + "}"


async def _serve_slxd_plus(named_after: int) -> tuple[asyncio.Server, int, list[str]]:
    """An SLXD4D+ that names its channels from its ``named_after``-th full read on
    (before that it answers a channel's gain only, as one back from a hang might)."""
    reads = 0
    received: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal reads
        while data := await reader.read(4096):
            text = data.decode()
            received.append(text)
            replies: list[str] = []
            if "GET 0 ALL" in text:
                replies.append("< REP ERR >")
            if "GET MODEL" in text:
                replies.append(f"< REP MODEL {_padded('SLXD4D+')} >")
            if "GET 1 ALL" in text:
                reads += 1
                replies.append("< REP 1 AUDIO_GAIN 030 >")
                if reads >= named_after:
                    replies += [
                        f"< REP DEVICE_ID {_padded('Stage L')} >",
                        f"< REP 1 CHAN_NAME {_padded('Vox 1')} >",
                        f"< REP 2 CHAN_NAME {_padded('Vox 2')} >",
                    ]
            if replies:
                writer.write("".join(replies).encode())
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], received


async def test_channels_cut_off_from_a_full_read_are_read_again() -> None:
    """A per-channel full read that comes back without channel names is asked once more.

    The 60-minute soak found it: an SLX-D+ back from a hang answered its first full read
    in part, went online with every name empty and no transmitters, and announced all of it
    as changes (every transmitter off, every name cleared) until the next poll.
    """
    server, port, received = await _serve_slxd_plus(named_after=2)
    try:
        receiver = await probe("127.0.0.1", port, 3.0)
        assert [c.name for c in receiver.channels] == ["Vox 1", "Vox 2"]
        assert receiver.name == "Stage L"
        assert sum(text.count("GET 1 ALL") for text in received) == 2
    finally:
        server.close()
        await server.wait_closed()


async def test_a_full_read_that_names_no_channel_is_not_online() -> None:
    """Still no channel named when asked again: the session is retried, never published."""
    server, port, _received = await _serve_slxd_plus(named_after=99)
    try:
        with pytest.raises(MicboardConnectionError) as caught:
            await probe("127.0.0.1", port, 3.0)
        assert caught.value.kind is ErrorKind.TIMED_OUT
        assert caught.value.detail == "no channel name in the full read"
    finally:
        server.close()
        await server.wait_closed()


async def test_a_cut_off_burst_is_asked_for_again() -> None:
    """A ``GET 0 ALL`` burst without channel names (cut short) is asked for once more."""
    bursts = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal bursts
        while data := await reader.read(4096):
            replies = [f"< REP MODEL {_padded('ULXD4D')} >"] if b"GET MODEL" in data else []
            if b"GET 0 ALL" in data:
                bursts += 1
                replies.append("< REP 2 AUDIO_GAIN 030 >")
                if bursts > 1:
                    replies += [f"< REP {i} CHAN_NAME {_padded(f'Vox {i}')} >" for i in (1, 2)]
            writer.write("".join(replies).encode())
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        receiver = await probe("127.0.0.1", server.sockets[0].getsockname()[1], 3.0)
        assert [c.name for c in receiver.channels] == ["Vox 1", "Vox 2"]
        assert bursts == 2
    finally:
        server.close()
        await server.wait_closed()
