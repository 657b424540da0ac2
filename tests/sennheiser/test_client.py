"""The real client (session, identification, subscriptions) against the in-test fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
import json
import socket

import pytest

from custom_components.micboard.manufacturers import (
    BatteryState,
    Charger,
    ErrorKind,
    MicboardConnectionError,
    MicboardError,
    UnsupportedDeviceError,
)
from custom_components.micboard.manufacturers.fleet import Change
from custom_components.micboard.manufacturers.sennheiser.client import (
    ClientOptions,
    ReceiverConnection,
    probe,
)

from ..waiting import eventually
from .fake_device import FakeDevice
from .helpers import FAST


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_probe_identifies_an_em2(device: FakeDevice) -> None:
    receiver = await probe("127.0.0.1", device.port, 2.0)
    assert receiver.identified
    assert receiver.online
    assert receiver.api_device_id == "00:1b:66:7d:f8:99"
    assert [channel.name for channel in receiver.channels] == ["VOX1", "VOX2"]
    assert receiver.channels[0].transmitter is not None
    assert receiver.channels[1].transmitter is None
    # Reads carry an xid; no meter is read directly (they are subscribe-only).
    assert all("xid" in request.get("osc", {}) for request in device.requests)
    assert not any("m" in request for request in device.requests)


async def test_probe_em4() -> None:
    fake = FakeDevice()
    for index in (3, 4):
        for path, value in list(fake.leaves.items()):
            if path[0] == "rx1":
                fake.leaves[(f"rx{index}", *path[1:])] = value
    await fake.start()
    try:
        receiver = await probe("127.0.0.1", fake.port, 2.0)
    finally:
        await fake.stop()
    assert len(receiver.channels) == 4


async def test_probe_without_xid_echo(device: FakeDevice) -> None:
    device.echo_xid = False
    receiver = await probe("127.0.0.1", device.port, 2.0)
    assert receiver.name == "EWDXEM2"


async def test_probe_a_chg70n_is_a_charger(device: FakeDevice) -> None:
    # The bay leaves the sheet lists (part 2 §8); no device type: the gauge tells a pack.
    device.leaves = {
        ("device", "identity", "product"): "CHG 70N",
        ("device", "name"): "CHG70N",
        ("bays", "bat_gauge"): [None, 100],
        ("bays", "bat_timetofull"): [None, 0],
        ("bays", "state"): ["NORMAL", "NORMAL"],
    }
    charger = await probe("127.0.0.1", device.port, 2.0)
    assert isinstance(charger, Charger)
    assert (charger.model, charger.name, charger.online) == ("CHG 70N", "CHG70N", True)
    assert [bay.state for bay in charger.bays] == [BatteryState.EMPTY, BatteryState.FULL]


async def test_probe_another_sennheiser_charger_is_unsupported(device: FakeDevice) -> None:
    device.leaves = {
        ("device", "identity", "product"): "CHG 4N",
        ("device", "name"): "CHG4N",
        ("bays", "bat_gauge"): [0, 100, 0, 100],
    }
    with pytest.raises(UnsupportedDeviceError, match="CHG 70N only"):
        await probe("127.0.0.1", device.port, 2.0)


async def test_probe_speechline_dialect_is_unsupported(device: FakeDevice) -> None:
    device.leaves = {
        ("device", "identity", "product"): "SL MCR 2 DW",
        ("rx1", "name"): "A",
        ("rx2", "name"): "B",
        ("mates", "tx1", "bat_gauge"): 67,
    }
    with pytest.raises(UnsupportedDeviceError, match="mates/tx1/battery"):
        await probe("127.0.0.1", device.port, 2.0)


async def test_probe_silent_device_times_out_with_the_access_hint(device: FakeDevice) -> None:
    device.silent = True
    with pytest.raises(MicboardConnectionError) as caught:
        await probe("127.0.0.1", device.port, 0.6)
    assert caught.value.kind is ErrorKind.TIMED_OUT
    assert "Legacy (SSC v1)" in str(caught.value)


async def test_probe_closed_port_is_refused() -> None:
    with pytest.raises(MicboardConnectionError) as caught:
        await probe("127.0.0.1", free_udp_port(), 1.0)
    assert caught.value.kind is ErrorKind.REFUSED
    assert "Legacy (SSC v1)" in str(caught.value)


async def test_probe_access_refused(device: FakeDevice) -> None:
    async def refuse(data: bytes, addr: tuple[str, int]) -> None:
        request = json.loads(data)
        xid = request.get("osc", {}).get("xid")
        request.pop("osc", None)
        errors = {key: [403, {"desc": "forbidden"}] for key in request}
        device._send({"osc": {"xid": xid, "error": [errors]}}, addr)

    device.datagram_received = lambda data, addr: asyncio.ensure_future(refuse(data, addr))  # type: ignore[method-assign]
    with pytest.raises(MicboardError) as caught:
        await probe("127.0.0.1", device.port, 1.0)
    assert caught.value.kind is ErrorKind.ACCESS_DISABLED


@pytest.fixture
async def connection(device: FakeDevice) -> AsyncIterator[ReceiverConnection]:
    changes: list[Change] = []
    conn = ReceiverConnection("127.0.0.1", device.port, changes.append, FAST)
    conn.changes = changes  # type: ignore[attr-defined]
    await conn.start()
    yield conn
    await conn.stop()


async def test_connection_subscribes_and_streams_meters(
    device: FakeDevice, connection: ReceiverConnection
) -> None:
    assert connection.online
    assert device.subscriptions
    device.leaves[("m", "rx1", "rssi")] = -80.0
    await eventually(lambda: connection.device().channels[0].rf_level_dbm == -80)
    assert Change.METERS in connection.changes  # type: ignore[attr-defined]


async def test_transmitter_off_and_on(device: FakeDevice, connection: ReceiverConnection) -> None:
    device.unlink(1)
    await eventually(lambda: connection.device().channels[0].transmitter is None)
    device.link(2, name="NEW")
    await eventually(
        lambda: (tx := connection.device().channels[1].transmitter) is not None and tx.name == "NEW"
    )


async def test_transmitter_back_without_a_push_is_read_again(
    device: FakeDevice, connection: ReceiverConnection
) -> None:
    # The sheet leaves open whether the device pushes mates values when a TX returns.
    device.linked.add(2)
    device.leaves[("mates", "tx2", "name")] = "QUIET"
    device.leaves[("m", "rx2", "rsqi")] = 80
    device.set(("rx2", "warnings"), [])
    await eventually(
        lambda: (
            (tx := connection.device().channels[1].transmitter) is not None and tx.name == "QUIET"
        )
    )


async def test_rename_and_battery_push(device: FakeDevice, connection: ReceiverConnection) -> None:
    device.set(("rx1", "name"), "LEAD")
    device.set(("mates", "tx1", "battery", "gauge"), 40)
    device.set(("device", "name"), "STAGE-L")
    await eventually(lambda: connection.device().channels[0].name == "LEAD")
    await eventually(lambda: connection.device().name == "STAGE-L")
    transmitter = connection.device().channels[0].transmitter
    assert transmitter is not None
    assert transmitter.battery_percent == 40


async def test_renewal_keeps_the_subscription(
    device: FakeDevice, connection: ReceiverConnection
) -> None:
    await asyncio.sleep(FAST.subscription_lifetime * 1.5)
    assert connection.online
    device.leaves[("m", "rx1", "af")] = -10.0
    await eventually(lambda: connection.device().channels[0].audio_level_dbfs == -10)


async def test_310_renews_at_once(device: FakeDevice) -> None:
    # Renewals far apart: only the 310 can explain a quick re-subscribe.
    options = replace(FAST, renew_interval=30, subscription_lifetime=60, liveness_timeout=30)
    conn = ReceiverConnection("127.0.0.1", device.port, lambda _change: None, options)
    await conn.start()
    try:
        client = device.subscriptions[0].client
        device.subscriptions.clear()
        device._send({"osc": {"error": [{"m": {"rx1": {"rssi": [310]}}}]}}, client)
        await eventually(lambda: bool(device.subscriptions), within=1.0)
        assert conn.online
    finally:
        await conn.stop()


async def test_unanswered_renewal_is_a_lost_link(
    device: FakeDevice, connection: ReceiverConnection
) -> None:
    device.ignore_subscribe = True
    device.subscriptions.clear()  # and the old ones are gone
    # Unanswered renewals are asked again (a lost datagram is no lost link) until the
    # subscriptions would have lapsed: then the link is lost.
    lapse = FAST.subscription_lifetime
    await eventually(lambda: not connection.online, within=lapse + 2)
    device.ignore_subscribe = False
    await eventually(lambda: connection.online, within=3)


async def test_lost_renewal_answers_while_meters_flow_keep_the_link(
    device: FakeDevice, connection: ReceiverConnection
) -> None:
    """Renewals honoured but their answers lost: meters still flow, so the link holds.

    The 60-minute soak saw a receiver declared offline in a window of 20 % datagram loss
    although its meters never stopped.
    """
    device.mute_subscribe_replies = True
    device.send_310_on_expiry = False
    await asyncio.sleep(FAST.subscription_lifetime * 2)
    assert connection.online
    # Never lost on the way (a lost link would have reconnected by now).
    assert connection.reconnects == 0
    device.leaves[("m", "rx1", "af")] = -12.0
    await eventually(lambda: connection.device().channels[0].audio_level_dbfs == -12)


async def test_separate_ack_and_no_310(device: FakeDevice) -> None:
    device.separate_ack = True
    device.send_310_on_expiry = False
    device.echo_xid = False
    conn = ReceiverConnection("127.0.0.1", device.port, lambda _change: None, FAST)
    await conn.start()
    try:
        await asyncio.sleep(FAST.subscription_lifetime * 1.5)
        assert conn.online
        device.leaves[("m", "rx1", "af")] = -3.0
        await eventually(lambda: conn.device().channels[0].audio_level_dbfs == -3)
    finally:
        await conn.stop()


async def test_silent_device_goes_offline_and_recovers(
    device: FakeDevice, connection: ReceiverConnection
) -> None:
    device.silent = True
    await eventually(lambda: not connection.online, within=FAST.liveness_timeout + 1)
    receiver = connection.device()
    assert receiver.error is not None
    assert receiver.error.kind is ErrorKind.SILENT
    assert receiver.api_device_id == "00:1b:66:7d:f8:99"  # keeps its id while offline
    device.silent = False
    await eventually(lambda: connection.online, within=3)


async def test_garbage_is_ignored(device: FakeDevice, connection: ReceiverConnection) -> None:
    client = device.subscriptions[0].client
    for garbage in (b"\xff\x00", b"[]", b'{"rx1":', b'{"rx1":{"name":[1,2]}}'):
        assert device._transport is not None
        device._transport.sendto(garbage, client)
    device.set(("rx1", "name"), "AFTER")
    await eventually(lambda: connection.device().channels[0].name == "AFTER")
    assert connection.online


def test_backoff_is_capped_and_jittered() -> None:
    conn = ReceiverConnection("127.0.0.1", 45, lambda _change: None)
    pauses = {conn._backoff(failures) for failures in range(200)}
    cap = ClientOptions().reconnect_max
    assert cap == 5.0
    assert max(pauses) <= cap
    assert min(pauses) >= 0.5
    assert all(cap / 2 <= conn._backoff(1000) <= cap for _ in range(20))
    assert len(pauses) > 100  # drawn, not fixed


async def test_probe_asks_again_after_lost_datagrams(device: FakeDevice) -> None:
    device.drop_requests = 2
    receiver = await probe("127.0.0.1", device.port, 3.0)
    assert len(receiver.channels) == 2


async def test_duplicated_datagrams_change_nothing(device: FakeDevice) -> None:
    device.duplicate = True
    changes: list[Change] = []
    conn = ReceiverConnection("127.0.0.1", device.port, changes.append, FAST)
    await conn.start()
    try:
        before = conn.device()
        changes.clear()
        device.set(("rx1", "name"), "TWICE")
        await eventually(lambda: conn.device().channels[0].name == "TWICE")
        assert conn.device().channels[1] == before.channels[1]
        # The second copy of the push changed nothing, so it notified nothing.
        assert changes.count(Change.STATE) == 1
    finally:
        await conn.stop()
