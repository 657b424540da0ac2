"""``SennheiserBackend`` on the fleet, and the manufacturer spec."""

from __future__ import annotations

import asyncio

from custom_components.micboard.manufacturers import (
    Backend,
    ChangeSet,
    DiscoveryKind,
    ErrorKind,
    Snapshot,
)
from custom_components.micboard.manufacturers.sennheiser import (
    SENNHEISER,
    SennheiserBackend,
    probe,
)

from ..waiting import eventually
from .fake_device import FakeDevice
from .helpers import FAST
from .test_client import free_udp_port

MAC = "00:1b:66:7d:f8:99"


def test_spec() -> None:
    assert SENNHEISER.code == "sennheiser"
    assert SENNHEISER.name == "Sennheiser"
    assert SENNHEISER.default_port == 45
    assert SENNHEISER.probe is probe
    assert SENNHEISER.discovery is DiscoveryKind.ZEROCONF
    assert SENNHEISER.zeroconf_types == ("_ssc._udp.local.",)
    backend: Backend = SENNHEISER.create_backend([("127.0.0.1", 45)])
    assert isinstance(backend, SennheiserBackend)
    assert backend.snapshot.receivers["127.0.0.1:45"].identified is False


async def test_backend_publishes_receivers_and_meter_changes(device: FakeDevice) -> None:
    closed = free_udp_port()
    backend = SennheiserBackend([("127.0.0.1", device.port), ("127.0.0.1", closed)], options=FAST)
    published: list[tuple[Snapshot, ChangeSet]] = []
    backend.add_listener(lambda snapshot, change: published.append((snapshot, change)))
    await backend.start()
    try:
        receivers = backend.snapshot.receivers
        assert set(receivers) == {MAC, f"127.0.0.1:{closed}"}
        assert receivers[MAC].online
        refused = receivers[f"127.0.0.1:{closed}"]
        assert refused.error is not None
        assert refused.error.kind is ErrorKind.REFUSED
        # Identification moved the id from host:port to the MAC: a structure change.
        assert any(MAC in change.structure for _, change in published)

        published.clear()
        device.leaves[("m", "rx1", "rssi")] = -90.0
        await eventually(lambda: backend.snapshot.receivers[MAC].channels[0].rf_level_dbm == -90)
        assert any(MAC in change.meters_only for _, change in published)

        published.clear()
        device.set(("rx1", "name"), "LEAD")
        await eventually(lambda: backend.snapshot.receivers[MAC].channels[0].name == "LEAD")
        renamed = next(c for s, c in published if s.receivers[MAC].channels[0].name == "LEAD")
        assert MAC in renamed.receivers
        assert MAC not in renamed.meters_only

        result = await backend.refresh()
        assert result.device_count == 2
        assert result.online_count == 1
        assert result.error_count == 1
        stats = backend.connection_stats
        assert stats[MAC].online
    finally:
        await backend.stop()


async def test_add_and_remove_receiver(device: FakeDevice) -> None:
    backend = SennheiserBackend([], options=FAST)
    try:
        receiver = await backend.add_receiver("127.0.0.1", device.port)
        assert receiver.online
        assert receiver.api_device_id == MAC
        await backend.remove_receiver("127.0.0.1", device.port)
        assert not backend.snapshot.receivers
    finally:
        await backend.stop()


async def test_a_dead_receiver_does_not_hold_up_the_others(device: FakeDevice) -> None:
    silent = await FakeDevice(silent=True).start()
    backend = SennheiserBackend(
        [("127.0.0.1", silent.port), ("127.0.0.1", device.port)], options=FAST
    )
    try:
        await backend.start()
        assert backend.snapshot.receivers[MAC].online
        device.set(("rx1", "name"), "LIVE")
        await eventually(lambda: backend.snapshot.receivers[MAC].channels[0].name == "LIVE")
        dead = backend.snapshot.receivers[f"127.0.0.1:{silent.port}"]
        assert dead.error is not None
        assert dead.error.kind is ErrorKind.TIMED_OUT
        assert "Legacy (SSC v1)" in dead.error.detail
    finally:
        await backend.stop()
        await silent.stop()
    # stop leaves no task of ours behind.
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("sennheiser")]
