"""The SSC v1 front-end answers raw JSON datagrams as the Sennheiser sheet describes."""

from __future__ import annotations

import asyncio
import json

import pytest

from simulator import Simulator, SscOptions

from ..waiting import eventually
from .helpers import FAST_SSC, ConnectSsc

NOT_FOUND = [404, {"desc": "address not found"}]
FAILED = [424, {"desc": "failed dependency"}]
NOT_ACCEPTABLE = [406, {"desc": "not acceptable"}]
LOCKED = [423, {"desc": "locked"}]
TERMINATES = [310, {"desc": "subscription terminates"}]


def subscribe(tree: dict[str, object], xid: int = 1, **params: float) -> dict[str, object]:
    """An ``osc/state/subscribe`` request with one entry."""
    entry: dict[str, object] = dict(tree)
    if params:
        entry["#"] = params
    return {"osc": {"xid": xid, "state": {"subscribe": [entry]}}}


async def test_identity(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser(
        "EW-DX EM 2", name="EWDXEM2", mac="00:1b:66:7d:f8:99", serial="1454100930"
    )
    wire = await ssc_to(rx)
    reply = await wire.ask(
        {
            "device": {
                "identity": {"product": None, "serial": None, "version": None, "vendor": None},
                "name": None,
                "network": {"ether": {"macs": None}},
            }
        }
    )
    assert reply == {
        "device": {
            "identity": {
                "product": "EW-DX EM 2",
                "serial": "1454100930",
                "version": "3.0.3",
                "vendor": "Sennheiser electronic GmbH & Co. KG",
            },
            "name": "EWDXEM2",
            "network": {"ether": {"macs": ["00:1B:66:7D:F8:99"]}},
        }
    }
    # The port is UDP: a TCP connection to it is refused.
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(rx.host, rx.port)


async def test_xid_partial_success_and_424(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2", name="EWDXEM2")
    rx.set_transmitter(1, on=False)
    wire = await ssc_to(rx)
    # The request of the sheet's observed EW-DX EM 2 reply (part 2 §2).
    reply = await wire.ask(
        {
            "osc": {"xid": 42},
            "abc": None,
            "device": {"name": None},
            "mates": {"tx1": {"battery": {"xyz": None, "type": None}}},
        }
    )
    assert reply == {
        "device": {"name": "EWDXEM2"},
        "osc": {
            "xid": 42,
            "error": [
                {
                    "abc": NOT_FOUND,
                    "mates": {"tx1": {"battery": {"xyz": NOT_FOUND, "type": FAILED}}},
                }
            ],
        },
    }
    off = await wire.ask({"mates": {"tx1": {"battery": {"gauge": None, "lifetime": None}}}})
    assert off == {
        "osc": {"error": [{"mates": {"tx1": {"battery": {"gauge": FAILED, "lifetime": FAILED}}}}]}
    }
    channel = await wire.ask({"rx1": {"warnings": None, "mates": None}, "mates": {"active": None}})
    assert channel == {
        "rx1": {"warnings": ["NoLink"], "mates": []},
        "mates": {"active": ["mates/tx2"]},
    }


async def test_channel_and_transmitter_paths(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM4-DANTE", channel_names=["LEAD"])
    rx.set_transmitter(
        1, model="SKM", name="Lead", battery_percent=65, battery_minutes=300, battery_type="Battery"
    )
    rx.set_battery(2, percent=5)
    rx.set_levels(2, rf_dbm=-95, audio_dbfs=0)
    wire = await ssc_to(rx)
    reply = await wire.ask(
        {
            "rx1": {"name": None, "frequency": None, "mute": None, "gain": None},
            "rx2": {"warnings": None},
            "mates": {
                "tx1": {
                    "battery": {"gauge": None, "lifetime": None, "type": None},
                    "type": None,
                    "name": None,
                    "mute": None,
                    "warnings": None,
                },
                "tx2": {"warnings": None},
            },
            "device": {"booster": None, "frequency_code": None, "frequency_ranges": None},
        }
    )
    assert reply == {
        "rx1": {"name": "LEAD", "frequency": 470200, "mute": False, "gain": 0},
        "rx2": {"warnings": ["LowSignal", "AfPeak"]},
        "mates": {
            "tx1": {
                "battery": {"gauge": 65, "lifetime": 300, "type": "Battery"},
                "type": "SKM",
                "name": "Lead",
                "mute": False,
                "warnings": [],
            },
            "tx2": {"warnings": ["LowBattery", "AfPeak"]},
        },
        "device": {
            "booster": False,
            "frequency_code": "Q1-9",
            "frequency_ranges": ["470200000:25000:550000000"],
        },
    }
    # A container read answers every leaf below it.
    whole = await wire.ask({"mates": {"tx3": None}})
    assert whole["mates"]["tx3"]["battery"]["gauge"] == 100
    assert set(whole["mates"]["tx3"]) >= {"type", "name", "mute", "warnings", "version"}
    schema = await wire.ask({"osc": {"schema": None}})
    assert set(schema["osc"]["schema"][0]) == {
        "device",
        "rx1",
        "rx2",
        "rx3",
        "rx4",
        "m",
        "mates",
        "audio1",
        "interface",
        "osc",
    }


async def test_em2_lacks_em4_addresses(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    reply = await wire.ask(
        {"rx3": {"name": None}, "mates": {"tx3": {"type": None}}, "device": {"booster": None}}
    )
    assert reply == {
        "osc": {
            "error": [
                {
                    "rx3": NOT_FOUND,
                    "mates": {"tx3": NOT_FOUND},
                    "device": {"booster": NOT_FOUND},
                }
            ]
        }
    }
    dante = await wire.ask({"device": {"network": {"dante": None}}})
    assert dante == {"osc": {"error": [{"device": {"network": {"dante": NOT_FOUND}}}]}}


async def test_writes(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    other = await ssc_to(rx)
    await other.ask(subscribe({"rx1": {"name": None, "mute": None}}, lifetime=5))
    reply = await wire.ask({"rx1": {"name": "VOX 1", "mute": True, "gain": 6}})
    assert reply == {"rx1": {"name": "VOX 1", "mute": True, "gain": 6}}
    assert rx.device.channel(1).name == "VOX 1"
    pushed = [json.loads(d) for d in await other.collect(0.15)]
    assert {"rx1": {"name": "VOX 1"}} in pushed
    assert {"rx1": {"mute": True}} in pushed
    refused = await wire.ask(
        {
            "rx1": {"name": "TOO LONG 9", "gain": 5, "frequency": 470210},
            "rx2": {"name": "TAB\there", "mute": "yes", "warnings": []},
            "device": {"identity": {"serial": "1"}, "name": "N" * 19},
            "mates": {"tx1": {"name": "X"}},
            "m": {"rx1": {"rssi": 0}},
        }
    )
    assert reply != refused
    assert "rx1" not in refused
    assert refused["osc"]["error"] == [
        {
            "rx1": {"name": NOT_ACCEPTABLE, "gain": NOT_ACCEPTABLE, "frequency": NOT_ACCEPTABLE},
            "rx2": {"name": NOT_ACCEPTABLE, "mute": NOT_ACCEPTABLE, "warnings": NOT_ACCEPTABLE},
            "device": {"identity": {"serial": NOT_ACCEPTABLE}, "name": NOT_ACCEPTABLE},
            "mates": {"tx1": {"name": NOT_ACCEPTABLE}},
            "m": {"rx1": {"rssi": NOT_ACCEPTABLE}},
        }
    ]
    assert rx.device.channel(2).name == "CH 2"
    tuned = await wire.ask({"rx2": {"frequency": 520125}, "device": {"name": "FOH EM2"}})
    assert tuned == {"rx2": {"frequency": 520125}, "device": {"name": "FOH EM2"}}
    # A name SSC cannot carry is refused by the Python API too.
    with pytest.raises(ValueError, match="cannot carry"):
        rx.rename_channel(1, "Grüße")
    with pytest.raises(ValueError, match="cannot carry"):
        await sim.add_sennheiser("EW-DX-EM2", channel_names=["NINE CHRS"])


async def test_identification_and_locked_writes(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM4-DANTE")
    wire = await ssc_to(rx)
    visual = {"identification": {"visual": True}}
    on = {"device": visual, "rx3": visual}
    assert await wire.ask(on) == on
    assert rx.device.identify
    assert rx.device.channel(3).identify
    rx.set_faults(locked=True)
    refused = await wire.ask({"osc": {"xid": 9}, "rx1": {"name": "LEAD", "gain": 9}})
    assert refused == {"osc": {"xid": 9, "error": [{"rx1": {"name": LOCKED, "gain": LOCKED}}]}}
    # Reads still work while locked.
    assert await wire.ask({"rx1": {"gain": None}}) == {"rx1": {"gain": 0}}
    assert rx.describe()["channels"][0]["gain_db"] == 0  # type: ignore[index]


async def test_chg70n_identification(sim: Simulator, ssc_to: ConnectSsc) -> None:
    charger = await sim.add_device("CHG 70N")
    wire = await ssc_to(charger)
    on = {"device": {"identification": {"visual": True}}}
    assert await wire.ask(on) == on
    assert charger.device.identify


async def test_malformed_requests(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2", name="EM")
    wire = await ssc_to(rx)
    bad = {"osc": {"error": [[400, {"desc": "not understood"}]]}}
    for data in (
        b"not json",
        b"[1, 2]",
        b'{"device":{"name":"caf\\u00e9"}}',
        '{"device":{"name":"café"}}'.encode(),
        b'{"device":',
    ):
        assert await wire.ask(data) == bad, data
    # Nothing was half executed; a trailing CR LF is tolerated.
    assert await wire.ask(b'{"device":{"name":null}}\r\n') == {"device": {"name": "EM"}}
    assert await wire.ask({"osc": {"version": None, "ping": None}}) == {
        "osc": {"version": "1.0", "ping": None}
    }
    assert await wire.ask({}) == {}
    assert isinstance(rx.received[-1], dict)


async def test_meters_only_through_subscriptions(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    rx.set_levels(1, rf_dbm=-60, audio_dbfs=-12, antenna="B", quality=77)
    rx.set_transmitter(2, on=False)
    wire = await ssc_to(rx)
    meters = {"m": {"rx1": {"rssi": None, "rsqi": None, "divi": None, "af": None}}}
    assert await wire.ask(meters) == {
        "osc": {
            "error": [
                {
                    "m": {
                        "rx1": {
                            "rssi": NOT_FOUND,
                            "rsqi": NOT_FOUND,
                            "divi": NOT_FOUND,
                            "af": NOT_FOUND,
                        }
                    }
                }
            ]
        }
    }
    first = await wire.ask(subscribe({**meters, "rx1": {"name": None}}, xid=9, lifetime=5))
    assert first == {
        "m": {"rx1": {"rssi": -60.0, "rsqi": 77, "divi": 2, "af": -12.0}},
        "rx1": {"name": "CH 1"},
        "osc": {"xid": 9},
    }
    streamed = [json.loads(d) for d in await wire.collect(0.3)]
    assert len(streamed) >= 3
    assert all(
        m == {"m": {"rx1": {"rssi": -60.0, "rsqi": 77, "divi": 2, "af": -12.0}}} for m in streamed
    )
    # No link: rsqi 0, no antenna, floor levels.
    await wire.ask(subscribe({"m": {"rx2": None}}, xid=10, lifetime=5))
    await asyncio.sleep(0.1)
    latest = [json.loads(d) for d in await wire.collect(0.12)]
    assert {"m": {"rx2": {"rssi": -107.0, "rsqi": 0, "divi": 0, "af": -120.0}}} in latest


async def test_meter_read_can_be_omitted(ssc_to: ConnectSsc) -> None:
    async with Simulator(seed=1, noise=False, battery_drain=0) as sim:
        rx = await sim.add_sennheiser("EW-DX-EM2", options=SscOptions(meter_read="omit"))
        wire = await ssc_to(rx)
        reply = await wire.ask({"m": {"rx1": {"rssi": None}}, "rx1": {"mute": None}})
        assert reply == {"rx1": {"mute": False}}


async def test_subscription_pushes_changes(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    tree = {
        "rx1": {"name": None, "warnings": None},
        "mates": {"tx1": {"battery": {"gauge": None}, "type": None}},
    }
    first = await wire.ask(subscribe(tree, xid=3, lifetime=5, min=0, max=0, count=1000))
    assert first == {
        "rx1": {"name": "CH 1", "warnings": []},
        "mates": {"tx1": {"battery": {"gauge": 100}, "type": "SKM"}},
        "osc": {"xid": 3},
    }
    assert rx.connection_count == 1
    rx.rename_channel(1, "VOX")
    assert await wire.recv() == {"rx1": {"name": "VOX"}}
    rx.set_battery(1, percent=40)
    assert await wire.recv() == {"mates": {"tx1": {"battery": {"gauge": 40}}}}
    rx.set_transmitter(1, on=False)
    assert await wire.recv() == {
        "rx1": {"warnings": ["NoLink"]},
        "osc": {"error": [{"mates": {"tx1": {"battery": {"gauge": FAILED}, "type": FAILED}}}]},
    }
    # A transmitter switched on again is a fresh one (full pack, unless told otherwise).
    rx.set_transmitter(1, on=True, model="SK", battery_percent=90)
    assert await wire.recv() == {
        "rx1": {"warnings": []},
        "mates": {"tx1": {"battery": {"gauge": 90}, "type": "SK"}},
    }
    # A change outside the subscription is not pushed.
    rx.rename_channel(2, "OTHER")
    assert await wire.silence()


async def test_tx_off_push_can_be_nothing(ssc_to: ConnectSsc) -> None:
    options = SscOptions(tx_off_push="nothing", meter_interval=0.05)
    async with Simulator(seed=1, noise=False, battery_drain=0, ssc_options=options) as sim:
        rx = await sim.add_sennheiser("EW-DX-EM2")
        wire = await ssc_to(rx)
        await wire.ask(subscribe({"mates": {"tx1": {"type": None}}}, lifetime=5))
        rx.set_transmitter(1, on=False)
        assert await wire.silence()
        rx.set_transmitter(1, on=True)
        assert await wire.recv() == {"mates": {"tx1": {"type": "SKM"}}}


async def test_subscription_lifetime_renewal_and_expiry(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    request = subscribe({"rx1": {"mute": None}}, lifetime=0.3)
    assert await wire.ask(request) == {"rx1": {"mute": False}, "osc": {"xid": 1}}
    await asyncio.sleep(0.2)
    # Renewal: the same subscription again, before it expires; still one subscription.
    assert await wire.ask(request) == {"rx1": {"mute": False}, "osc": {"xid": 1}}
    assert rx.subscriptions == 1
    await asyncio.sleep(0.2)
    assert rx.subscriptions == 1
    assert await wire.recv() == {"osc": {"error": [{"rx1": {"mute": TERMINATES}}]}}
    assert rx.subscriptions == 0
    rx.rename_channel(1, "LATE")
    assert await wire.silence()
    # Without "#" the default lifetime (10 s) applies.
    await wire.ask(subscribe({"rx1": {"name": None}}))
    assert rx.subscriptions == 1
    listing = await wire.ask({"osc": {"state": {"subscribe": None}}})
    assert listing["osc"]["state"]["subscribe"] == [
        {"#": {"min": 0, "max": 0, "count": 1000, "lifetime": 10.0}, "rx1": {"name": None}}
    ]
    await wire.ask({"osc": {"state": {"~subscribe": [{"rx1": {"name": None}}]}}})
    assert rx.subscriptions == 0


async def test_subscription_count(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    await wire.ask(subscribe({"rx1": {"name": None}}, lifetime=5, count=2))
    rx.rename_channel(1, "A")
    rx.rename_channel(1, "B")
    received = [json.loads(d) for d in await wire.collect(0.15)]
    assert received == [
        {"rx1": {"name": "A"}},
        {"rx1": {"name": "B"}},
        {"osc": {"error": [{"rx1": {"name": TERMINATES}}]}},
    ]


async def test_subscription_errors(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    reply = await wire.ask(subscribe({"rx9": {"name": None}, "rx1": {"mute": None}}, lifetime=5))
    assert reply == {"rx1": {"mute": False}, "osc": {"xid": 1, "error": [{"rx9": NOT_FOUND}]}}
    bad = await wire.ask({"osc": {"state": {"subscribe": [{"#": {"lifetime": -1}, "rx1": None}]}}})
    assert bad == {"osc": {"error": [{"osc": {"state": {"subscribe": NOT_ACCEPTABLE}}}]}}
    assert rx.subscriptions == 1


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (SscOptions(resubscribe="add"), 2),
        (SscOptions(resubscribe="renew"), 1),
    ],
)
async def test_resubscribe_readings(ssc_to: ConnectSsc, options: SscOptions, expected: int) -> None:
    async with Simulator(seed=1, noise=False, battery_drain=0, ssc_options=options) as sim:
        rx = await sim.add_sennheiser("EW-DX-EM2")
        wire = await ssc_to(rx)
        for _ in range(2):
            await wire.ask(subscribe({"rx1": {"name": None}}, lifetime=5))
        rx.rename_channel(1, "TWICE")
        pushes = await wire.collect(0.15)
        assert len(pushes) == expected


async def test_ack_readings(ssc_to: ConnectSsc) -> None:
    request = subscribe({"rx1": {"mute": None}}, xid=5, lifetime=5)
    filled = {"#": {"min": 0, "max": 0, "count": 1000, "lifetime": 5}, "rx1": {"mute": None}}
    async with Simulator(seed=1, noise=False, battery_drain=0) as sim:
        bundled = await sim.add_sennheiser("EW-DX-EM2", options=SscOptions(ack="bundled"))
        separate = await sim.add_sennheiser("EW-DX-EM2", options=SscOptions(ack="separate"))
        wire = await ssc_to(bundled)
        assert await wire.ask(request) == {
            "rx1": {"mute": False},
            "osc": {"xid": 5, "state": {"subscribe": [filled]}},
        }
        wire = await ssc_to(separate)
        assert await wire.ask(request) == {"osc": {"state": {"subscribe": [filled]}, "xid": 5}}
        assert await wire.recv() == {"rx1": {"mute": False}, "osc": {"xid": 5}}


async def test_newline_reading(ssc_to: ConnectSsc) -> None:
    async with Simulator(seed=1, noise=False, battery_drain=0) as sim:
        rx = await sim.add_sennheiser("EW-DX-EM2", name="EM", options=SscOptions(newline=True))
        wire = await ssc_to(rx)
        wire.send({"device": {"name": None}})
        assert await wire.raw() == b'{"device":{"name":"EM"}}\n'


# --- fault switches ------------------------------------------------------------------------


async def test_silent(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    await wire.ask(subscribe({"rx1": {"name": None}, "m": {"rx1": {"rsqi": None}}}, lifetime=5))
    rx.go_silent()
    await wire.collect(0.1)
    wire.send({"device": {"name": None}})
    rx.rename_channel(1, "HUSH")
    assert await wire.silence(0.2)
    assert rx.received[-1] == '{"device": {"name": null}}'
    rx.resume()
    assert await wire.ask({"device": {"name": None}}) == {"device": {"name": "RX 1"}}


async def test_refuse_and_power(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2", name="EM")
    wire = await ssc_to(rx)
    await wire.ask(subscribe({"rx1": {"name": None}}, lifetime=5))
    await rx.refuse_connections(True)
    wire.send({"device": {"name": None}})
    await eventually(lambda: any(isinstance(e, ConnectionRefusedError) for e in wire.errors))
    assert await wire.silence()
    await rx.refuse_connections(False)
    assert await wire.ask({"device": {"name": None}}) == {"device": {"name": "EM"}}
    # Refusing keeps subscriptions (the device is up, its port shut); power off loses them.
    assert rx.subscriptions == 1
    await rx.power_off()
    assert rx.subscriptions == 0
    wire.errors.clear()
    wire.send({"device": {"name": None}})
    await eventually(lambda: bool(wire.errors))
    await rx.power_on()
    assert await wire.ask({"device": {"name": None}}) == {"device": {"name": "EM"}}


async def test_drop_forgets_subscriptions(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2")
    wire = await ssc_to(rx)
    await wire.ask(subscribe({"rx1": {"name": None}}, lifetime=5))
    await rx.drop()
    rx.rename_channel(1, "GONE")
    assert await wire.silence()
    assert rx.connection_count == 0


async def test_loss_duplicate_reorder(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2", name="EM")
    wire = await ssc_to(rx)
    rx.set_faults(loss=1.0)
    wire.send({"device": {"name": None}})
    assert await wire.silence()
    rx.set_faults(loss=0.0, duplicate=1.0)
    wire.send({"osc": {"xid": 1}})
    assert [json.loads(d) for d in await wire.collect(0.15)] == [{"osc": {"xid": 1}}] * 2
    rx.set_faults(duplicate=0.0, reorder=1.0)
    wire.send({"osc": {"xid": 2}})
    await asyncio.sleep(0.01)
    rx.set_faults(reorder=0.0)
    wire.send({"osc": {"xid": 3}})
    order = [json.loads(d)["osc"]["xid"] for d in await wire.collect(0.2)]
    assert order == [3, 2]
    with pytest.raises(ValueError, match="between 0 and 1"):
        rx.set_faults(loss=2.0)


async def test_garbage(sim: Simulator, ssc_to: ConnectSsc) -> None:
    rx = await sim.add_sennheiser("EW-DX-EM2", name="EM")
    wire = await ssc_to(rx)
    assert await wire.ask({"device": {"name": None}}) == {"device": {"name": "EM"}}
    await rx.send_garbage(b"\x00\xffnot json")
    assert await wire.raw() == b"\x00\xffnot json"
    rx.set_faults(garbage=True)
    wire.send({"device": {"name": None}})
    junk, real = await wire.raw(), await wire.raw()
    assert junk is not None
    # Junk is no JSON (nor even UTF-8).
    with pytest.raises(UnicodeDecodeError):
        junk.decode()
    assert json.loads(real or b"") == {"device": {"name": "EM"}}
    rx.set_faults(garbage=False)
    assert await wire.ask({"device": {"name": None}}) == {"device": {"name": "EM"}}


async def test_fast_fixture_options(sim: Simulator) -> None:
    rx = await sim.add_sennheiser()
    assert rx.options is FAST_SSC
    assert rx.model == "EW-DX-EM4-DANTE"
    assert rx.describe()["protocol"] == "sennheiser_ssc"
    assert rx.describe()["subscriptions"] == 0
