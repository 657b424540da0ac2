"""ShureBackend's change sets, error kinds and capabilities, against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.micboard.manufacturers import (
    MANUFACTURERS,
    Backend,
    Capability,
    ChangeSet,
    DeviceError,
    ErrorKind,
    MicboardConnectionError,
    Snapshot,
)
from custom_components.micboard.manufacturers.shure import (
    SHURE,
    ShureBackend,
    probe,
)
from custom_components.micboard.manufacturers.shure.families import (
    AXIENT,
    QLXD,
    SLXD,
    SLXD_PLUS,
    ULXD,
    Family,
)
from simulator import Simulator

from ..waiting import eventually
from .helpers import FAST, MakeBackend, only, started


class Changes(list[tuple[Snapshot, ChangeSet]]):
    """A listener that records every publish."""

    def __call__(self, snapshot: Snapshot, change_set: ChangeSet) -> None:
        self.append((snapshot, change_set))

    @property
    def sets(self) -> list[ChangeSet]:
        return [change_set for _, change_set in self]


def test_spec_builds_the_backend() -> None:
    assert MANUFACTURERS["shure"] is SHURE
    backend: Backend = SHURE.create_backend([("127.0.0.1", 2202)])
    assert isinstance(backend, ShureBackend)
    assert backend.manufacturer == "shure"
    # The constructor's defaults are the product's timings.
    assert backend.options.liveness_timeout == 4.5
    assert backend.options.meter_rate_ms == 1000
    assert SHURE.probe is probe


async def test_meter_readings_are_meters_only(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("ULXD4D", mac="00:0e:dd:00:00:21")
    backend = await started(make_backend, rx)
    # The first SAMPLEs fill in every channel's meters.
    await eventually(lambda: all(ch.rf_level_dbm is not None for ch in only(backend).channels))
    changes = Changes()
    backend.add_listener(changes)
    before = only(backend)

    rx.set_levels(1, rf_dbm=-66)
    await eventually(lambda: only(backend).channels[0].rf_level_dbm == -66)
    mac = frozenset({"00:0e:dd:00:00:21"})
    assert ChangeSet(receivers=mac, meters_only=mac) in changes.sets
    assert all(change_set.meters_only == mac for change_set in changes.sets)
    # The channel that did not change is the same object: cheap for every consumer.
    assert only(backend).channels[1] is before.channels[1]

    changes.clear()
    rx.rename_channel(2, "Vox 2")
    await eventually(lambda: only(backend).channels[1].name == "Vox 2")
    assert changes.sets[-1] == ChangeSet(receivers=mac)


async def test_unchanged_poll_publishes_nothing(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("AD4Q")
    backend = await started(make_backend, rx, meter_rate_ms=0)
    await asyncio.sleep(0.1)  # the replies to SET METER_RATE
    changes = Changes()
    backend.add_listener(changes)
    before = backend.snapshot
    receiver = only(backend)
    result = await backend.refresh()
    assert result.error_count == 0
    await asyncio.sleep(0.1)
    assert changes == []
    assert only(backend) is receiver
    # A new snapshot carries the poll's statistics, and is equal to the previous one.
    assert backend.snapshot == before
    assert backend.snapshot.last_sync is result


async def test_identification_is_structure(sim: Simulator, make_backend: MakeBackend) -> None:
    # SLX-D reports no MAC: the id stays host:port, and identification is still structure.
    rx = await sim.add_receiver("SLXD4D")
    await rx.refuse_connections(True)
    backend = await started(make_backend, rx)
    host_port = f"127.0.0.1:{rx.port}"
    placeholder = only(backend)
    assert not placeholder.identified
    assert placeholder.capabilities == frozenset()
    changes = Changes()
    backend.add_listener(changes)

    await rx.refuse_connections(False)
    await eventually(lambda: only(backend).online)
    receiver = only(backend)
    assert receiver.identified
    assert receiver.api_device_id == host_port
    assert changes.sets[0] == ChangeSet(
        receivers=frozenset({host_port}), structure=frozenset({host_port})
    )

    # Going offline is a change, but not structure: the receiver stays identified.
    changes.clear()
    await rx.refuse_connections(True)
    await rx.drop_connections()
    await eventually(lambda: not only(backend).online)
    assert only(backend).identified
    assert changes.sets[0] == ChangeSet(receivers=frozenset({host_port}))


@pytest.mark.parametrize(
    ("model", "family"),
    [("ULXD4Q", ULXD), ("QLXD4", QLXD), ("SLXD4D", SLXD), ("SLXD4Q+", SLXD_PLUS), ("AD4D", AXIENT)],
)
async def test_capabilities_come_from_the_family(
    sim: Simulator, make_backend: MakeBackend, model: str, family: Family
) -> None:
    """Each receiver carries its family's capabilities (the table is tested in families)."""
    rx = await sim.add_receiver(model)
    backend = await started(make_backend, rx)
    receiver = only(backend)
    assert receiver.identified
    assert receiver.family == family.code
    assert receiver.capabilities == family.capabilities
    assert {Capability.RF_LEVEL, Capability.AUDIO_LEVEL} <= receiver.capabilities


async def test_qlxd_transmitter_mute_is_not_reported(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("QLXD4")
    rx.set_transmitter(1, model="QLXD2")
    backend = await started(make_backend, rx)
    transmitter = only(backend).channels[0].transmitter
    assert transmitter is not None
    assert transmitter.model == "QLXD2"
    assert transmitter.mute is None
    assert Capability.TX_MUTE not in only(backend).capabilities


async def test_connection_stats_carry_typed_errors(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4")
    await rx.refuse_connections(True)
    backend = make_backend([(rx.host, rx.port)])
    (stats,) = backend.connection_stats.values()
    assert stats.last_error == DeviceError(ErrorKind.NOT_CONNECTED, "not connected yet")
    await backend.start()
    (stats,) = backend.connection_stats.values()
    assert stats.last_error == DeviceError(ErrorKind.REFUSED, "connection refused")
    assert not stats.online


# --- error kinds ------------------------------------------------------------------------


@pytest.fixture
async def closing_server() -> AsyncIterator[int]:
    """A TCP server that accepts and hangs up at once."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_closed_connection(closing_server: int, make_backend: MakeBackend) -> None:
    with pytest.raises(MicboardConnectionError) as caught:
        await probe("127.0.0.1", closing_server, timeout=1)
    # "connection closed", or a reset when the hang-up races the request.
    assert caught.value.kind is ErrorKind.CLOSED
    assert caught.value.host == f"127.0.0.1:{closing_server}"
    assert str(caught.value) == f"127.0.0.1:{closing_server}: {caught.value.detail}"
    backend = make_backend([("127.0.0.1", closing_server)])
    await backend.start()
    error = only(backend).error
    assert error is not None
    assert error.kind is ErrorKind.CLOSED


async def test_connect_timeout(monkeypatch: pytest.MonkeyPatch, make_backend: MakeBackend) -> None:
    async def never_connects(host: str, port: int) -> None:
        await asyncio.sleep(3600)

    # No network needed: the connect itself is what hangs.
    monkeypatch.setattr(asyncio, "open_connection", never_connects)
    backend = make_backend([("127.0.0.1", 9)], connect_timeout=0.05)
    await backend.start()
    receiver = only(backend)
    assert receiver.error == DeviceError(ErrorKind.TIMED_OUT, "connection timed out")
    result = await backend.refresh()
    assert result.errors == {"127.0.0.1:9": receiver.error}
    assert result.error_message == "127.0.0.1:9: connection timed out"


async def test_refused_error_kind_in_refresh(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("AD4Q")
    await rx.refuse_connections(True)
    backend = await started(make_backend, rx)
    result = await backend.refresh()
    refused = DeviceError(ErrorKind.REFUSED, "connection refused")
    assert result.errors == {f"127.0.0.1:{rx.port}": refused}
    assert result.error_message == f"127.0.0.1:{rx.port}: connection refused"


def test_fast_timings_are_all_constructor_options() -> None:
    # The conftest's FAST timings are the backend's keyword options, one for one.
    backend = ShureBackend([], **FAST)
    assert backend.options.meter_rate_ms == FAST["meter_rate_ms"]
    assert backend.options.reconnect_max == FAST["reconnect_max"]
