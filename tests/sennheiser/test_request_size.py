"""No request the client sends carries more than ``max_leaves_per_request`` leaves.

Issue 13: "at most a few dozen leaves per request". The real client is driven against the
in-test fake (which records every request it gets) through identification, a full read,
subscriptions, their renewals and the keep-alive; every request's leaves are counted as
the device sees them: addresses read or written, and every address of every subscription.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from custom_components.micboard.manufacturers import Charger, Receiver
from custom_components.micboard.manufacturers.fleet import Change
from custom_components.micboard.manufacturers.sennheiser.client import (
    ClientOptions,
    ReceiverConnection,
    probe,
)
from custom_components.micboard.manufacturers.sennheiser.codec import (
    MAX_LEAVES_PER_REQUEST,
    Reply,
    chunked,
    merged,
)

from ..waiting import eventually
from .fake_device import FakeDevice, Path, flatten
from .helpers import FAST


def request_leaves(request: dict[str, Any]) -> list[Path]:
    """The leaves of one request as it went over the wire."""
    body = {key: value for key, value in request.items() if key != "osc"}
    leaves = [path for path in flatten(body) if path]
    for entry in request.get("osc", {}).get("state", {}).get("subscribe", []):
        addresses = {key: value for key, value in entry.items() if key != "#"}
        leaves += [path for path in flatten(addresses) if path]
    return leaves


def is_subscription(request: dict[str, Any]) -> bool:
    return "subscribe" in request.get("osc", {}).get("state", {})


def em4() -> FakeDevice:
    """An EW-DX EM 4 Dante with a transmitter on every channel: the most leaves there are."""
    fake = FakeDevice()
    fake.leaves[("device", "identity", "product")] = "EW-DX EM 4 Dante"
    for path, value in list(fake.leaves.items()):
        for index in (3, 4):
            if path[0] == "rx1":
                fake.leaves[(f"rx{index}", *path[1:])] = value
            elif path[:2] == ("m", "rx1"):
                fake.leaves[("m", f"rx{index}", *path[2:])] = value
            elif path[:2] == ("mates", "tx1"):
                fake.leaves[("mates", f"tx{index}", *path[2:])] = value
    # Channel 2's transmitter is switched on too.
    fake.linked = {1, 2, 3, 4}
    for path, value in list(fake.leaves.items()):
        if path[:2] == ("mates", "tx1"):
            fake.leaves[("mates", "tx2", *path[2:])] = value
    fake.leaves[("rx2", "warnings")] = []
    fake.leaves[("m", "rx2", "rsqi")] = 96
    return fake


def chg70n() -> FakeDevice:
    """A CHG 70N: its device leaves and bay arrays."""
    return FakeDevice(
        leaves={
            ("device", "identity", "product"): "CHG 70N",
            ("device", "identity", "serial"): "2001",
            ("device", "identity", "version"): "1.2.0",
            ("device", "name"): "CHG70N",
            ("device", "network", "ether", "macs"): ["00:1B:66:00:00:70"],
            ("device", "storage_mode"): False,
            ("device", "warnings"): [],
            ("bays", "bat_gauge"): [None, 100],
            ("bays", "bat_timetofull"): [None, 0],
            ("bays", "state"): ["NORMAL", "NORMAL"],
        }
    )


async def _drive(fake: FakeDevice, options: ClientOptions) -> tuple[Receiver | Charger, int]:
    """Probe; connect (identify, read, subscribe); a full resync; renewals and keep-alives.

    The device as the connection last saw it, and how many requests the probe sent first
    (with the default options).
    """
    await fake.start()
    try:
        await probe("127.0.0.1", fake.port, 2.0)
        probed = len(fake.requests)
        changes: list[Change] = []
        connection = ReceiverConnection("127.0.0.1", fake.port, changes.append, options)
        await connection.start()
        try:
            assert connection.online
            assert await connection.resync() is None
            subscribed = sum(map(is_subscription, fake.requests))
            # Renewals (every renew_interval) and keep-alives (after keepalive_after quiet).
            await eventually(lambda: sum(map(is_subscription, fake.requests)) >= 2 * subscribed)
            return connection.device(), probed
        finally:
            await connection.stop()
    finally:
        await fake.stop()


@pytest.mark.parametrize("make", [FakeDevice, em4, chg70n], ids=["em2", "em4", "chg70n"])
async def test_every_request_within_the_limit(make: Any) -> None:
    fake = make()
    device, _probed = await _drive(fake, FAST)
    assert device.identified
    assert fake.requests
    assert any(map(is_subscription, fake.requests))
    sizes = [len(request_leaves(request)) for request in fake.requests]
    assert max(sizes) <= MAX_LEAVES_PER_REQUEST, sizes
    # Nothing is sent empty.
    assert min(sizes) >= 1, sizes


async def test_the_defaults_keep_the_limit() -> None:
    assert ClientOptions().max_leaves_per_request == MAX_LEAVES_PER_REQUEST
    # "a few dozen" (issue 13), and above the largest request Micboard builds (EM 4 meters).
    assert 16 <= MAX_LEAVES_PER_REQUEST <= 36


async def test_a_small_limit_splits_reads_and_subscriptions() -> None:
    """With 5 leaves a request an EM 4 is still read, subscribed to and metered in full."""
    fake = em4()
    receiver, probed = await _drive(fake, replace(FAST, max_leaves_per_request=5))
    assert isinstance(receiver, Receiver)
    requests = fake.requests[probed:]
    assert [channel.name for channel in receiver.channels] == ["VOX1", "VOX2", "VOX1", "VOX1"]
    assert all(channel.transmitter is not None for channel in receiver.channels)
    assert all(channel.rf_level_dbm is not None for channel in receiver.channels)
    sizes = [len(request_leaves(request)) for request in requests]
    assert max(sizes) == 5, sizes
    # The identity (7 leaves), each channel's 12 and the 16 meters took several requests;
    # every address was still subscribed to.
    subscribed = {
        path for request in requests if is_subscription(request) for path in request_leaves(request)
    }
    for index in range(1, 5):
        assert ("m", f"rx{index}", "af") in subscribed
        assert ("mates", f"tx{index}", "battery", "gauge") in subscribed
        assert (f"rx{index}", "name") in subscribed


def test_chunked_and_merged() -> None:
    paths = [("a",), ("b",), ("c",)]
    assert chunked(paths, 2) == [(("a",), ("b",)), (("c",),)]
    assert chunked([], 2) == []
    with pytest.raises(ValueError, match="at least one leaf"):
        chunked(paths, 0)
    reply = merged(
        [
            Reply(values={("a",): 1}, errors={("b",): 404}, xid=3),
            Reply(values={("c",): 2}, echoed=frozenset({("c",)}), xid=4),
        ]
    )
    assert reply == Reply(
        values={("a",): 1, ("c",): 2}, errors={("b",): 404}, echoed=frozenset({("c",)})
    )
