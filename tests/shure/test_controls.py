"""Shure controls against the simulator: SET goes out, REP confirms, REP ERR refuses.

Every write returns only once the receiver (or charger) reported the new value, and the
snapshot shows it by then; nothing is sent for a value beyond the model's limits or for a
control the family lacks.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from custom_components.micboard.manufacturers import (
    Capability,
    Channel,
    ControlNotSupportedError,
    ErrorKind,
    InvalidReason,
    InvalidValueError,
    MicboardConnectionError,
    NotConfirmedError,
    Receiver,
    WriteRefusedError,
    check_audio_gain,
    check_channel_name,
)
from custom_components.micboard.manufacturers.shure import ShureBackend
from custom_components.micboard.manufacturers.shure.connection import DeviceConnection, _Write
from custom_components.micboard.manufacturers.shure.families import GAIN_OFFSET, NAME_RULE
from custom_components.micboard.manufacturers.shure.parser import offset_number
from simulator import SimulatedReceiver, Simulator

from ..waiting import eventually
from .helpers import MakeBackend, only, started


def sets(rx: SimulatedReceiver) -> list[str]:
    """The SET commands the simulated device received (METER_RATE aside)."""
    return [c for c in rx.received if c.startswith("< SET") and "METER_RATE" not in c]


async def test_rename_mute_gain_confirmed(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("ULXD4D", channel_names=["Vox 1", "Vox 2"])
    backend = await started(make_backend, rx)
    api_id = only(backend).api_device_id
    assert await backend.set_channel_name(api_id, 1, "Lead #1") == "Lead #1"
    # The snapshot shows the new value when the call returns.
    assert only(backend).channels[0].name == "Lead #1"
    assert rx.device.channel(1).name == "Lead #1"
    assert await backend.set_audio_mute(api_id, 2, True) is True
    assert only(backend).channels[1].audio_mute is True
    assert await backend.set_audio_gain(api_id, 2, -18) == -18
    assert await backend.set_audio_gain(api_id, 2, 42) == 42
    assert only(backend).channels[1].audio_gain_db == 42
    assert sets(rx) == [
        "< SET 1 CHAN_NAME {Lead #1} >",
        "< SET 2 AUDIO_MUTE ON >",
        "< SET 2 AUDIO_GAIN 000 >",
        "< SET 2 AUDIO_GAIN 060 >",
    ]


async def test_identify_receiver_and_channel(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("AD4Q")
    backend = await started(make_backend, rx)
    api_id = only(backend).api_device_id
    await backend.identify(api_id)
    await backend.identify(api_id, 3)
    assert rx.device.identify
    assert rx.device.channel(3).identify
    assert sets(rx) == ["< SET FLASH ON >", "< SET 3 FLASH ON >"]


@pytest.mark.parametrize(
    ("model", "capabilities"),
    [
        (
            "ULXD4",
            {"identify", "channel_identify", "channel_name", "rx_mute", "audio_gain"},
        ),
        ("QLXD4", {"channel_name", "audio_gain"}),
        ("SLXD4D", {"identify", "channel_identify", "channel_name", "audio_gain"}),
        ("SLXD4D+", {"identify", "channel_identify", "channel_name", "audio_gain"}),
        ("AD4D", {"identify", "channel_identify", "channel_name", "rx_mute", "audio_gain"}),
    ],
)
async def test_controls_per_family(
    sim: Simulator, make_backend: MakeBackend, model: str, capabilities: set[str]
) -> None:
    rx = await sim.add_receiver(model)
    backend = await started(make_backend, rx)
    receiver = only(backend)
    controls = {
        Capability.IDENTIFY,
        Capability.CHANNEL_IDENTIFY,
        Capability.CHANNEL_NAME,
        Capability.RX_MUTE,
        Capability.AUDIO_GAIN,
    }
    assert {str(c) for c in receiver.capabilities & controls} == capabilities
    assert receiver.name_rule is not None
    assert receiver.name_rule.max_length == 8
    assert receiver.gain_range is not None
    assert (receiver.gain_range.minimum_db, receiver.gain_range.maximum_db) == (-18, 42)
    assert receiver.gain_range.step_db == 1


async def test_what_a_family_lacks_is_never_sent(sim: Simulator, make_backend: MakeBackend) -> None:
    qlxd = await sim.add_receiver("QLXD4")
    slxd = await sim.add_receiver("SLXD4")
    backend = await started(make_backend, qlxd, slxd)
    by_model = {r.model: r.api_device_id for r in backend.snapshot.receivers.values()}
    with pytest.raises(ControlNotSupportedError, match="identify"):
        await backend.identify(by_model["QLXD4"])
    with pytest.raises(ControlNotSupportedError):
        await backend.set_audio_mute(by_model["QLXD4"], 1, True)
    with pytest.raises(ControlNotSupportedError):
        await backend.set_audio_mute(by_model["SLXD4"], 1, True)
    with pytest.raises(ControlNotSupportedError, match="no channel 2"):
        await backend.set_channel_name(by_model["SLXD4"], 2, "Lead")
    with pytest.raises(ControlNotSupportedError, match="no device"):
        await backend.identify("nowhere")
    assert sets(qlxd) == []
    assert sets(slxd) == []


@pytest.mark.parametrize(
    ("name", "reason", "limits"),
    [
        ("Lead Vox 1", InvalidReason.TOO_LONG, {"max_length": "8", "length": "10"}),
        ("", InvalidReason.TOO_SHORT, {"min_length": "1"}),
        ("a{b}|c", InvalidReason.CHARACTERS, {"characters": "{}|"}),
        ("Grüße", InvalidReason.CHARACTERS, {"characters": "üß"}),
        (" Lead", InvalidReason.EDGE_SPACE, {}),
    ],
)
async def test_invalid_names_are_refused_before_sending(
    sim: Simulator,
    make_backend: MakeBackend,
    name: str,
    reason: InvalidReason,
    limits: dict[str, str],
) -> None:
    rx = await sim.add_receiver("SLXD4", channel_names=["Vox 1"])
    backend = await started(make_backend, rx)
    with pytest.raises(InvalidValueError) as caught:
        await backend.set_channel_name(only(backend).api_device_id, 1, name)
    assert caught.value.reason is reason
    assert dict(caught.value.limits) == limits
    assert caught.value.kind is ErrorKind.INVALID
    # Never cut to fit, never sent.
    assert sets(rx) == []
    assert only(backend).channels[0].name == "Vox 1"


async def test_gain_out_of_range_is_refused_before_sending(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx)
    with pytest.raises(InvalidValueError, match="outside -18 to 42 dB") as caught:
        await backend.set_audio_gain(only(backend).api_device_id, 1, 43)
    assert caught.value.reason is InvalidReason.OUT_OF_RANGE
    assert dict(caught.value.limits) == {"minimum": "-18", "maximum": "42", "step": "1"}
    assert sets(rx) == []


async def test_rep_err_is_a_refusal(sim: Simulator, make_backend: MakeBackend) -> None:
    """A receiver that refuses (here: the simulator's locked switch) answers REP ERR."""
    rx = await sim.add_receiver("ULXD4", channel_names=["Vox 1"])
    backend = await started(make_backend, rx)
    rx.set_faults(locked=True)
    api_id = only(backend).api_device_id
    with pytest.raises(WriteRefusedError, match="REP ERR") as caught:
        await backend.set_channel_name(api_id, 1, "Lead")
    assert caught.value.host == f"{rx.host}:{rx.port}"
    assert caught.value.kind is ErrorKind.REJECTED
    assert only(backend).channels[0].name == "Vox 1"
    # The connection carries on: the next write works once the receiver takes it.
    rx.set_faults(locked=False)
    assert await backend.set_channel_name(api_id, 1, "Lead") == "Lead"


async def test_connection_level_write_refused_by_the_device(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    """Below the fleet's checks, what the device refuses comes back as WriteRefusedError."""
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx)
    connection = backend.connection(rx.host, rx.port)
    assert connection is not None
    with pytest.raises(WriteRefusedError):
        await connection.set_channel_name(1, "NINE CHAR")
    with pytest.raises(WriteRefusedError):
        await connection.set_audio_gain(1, 43)


async def test_a_silent_receiver_does_not_confirm(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("AD4D", channel_names=["Vox 1"])
    backend = await started(make_backend, rx, control_timeout=0.3, liveness_timeout=5.0)
    rx.go_silent()
    with pytest.raises(NotConfirmedError, match=r"no answer within 0\.3 s") as caught:
        await backend.set_audio_mute(only(backend).api_device_id, 1, True)
    assert caught.value.kind is ErrorKind.NOT_CONFIRMED
    # The SET arrived and nothing answered it: the snapshot keeps what it last reported.
    assert "< SET 1 AUDIO_MUTE ON >" in rx.received
    assert only(backend).channels[0].audio_mute is False


async def test_a_device_that_answers_another_value_refused(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    """The REP carries the value the device kept; a different one is no confirmation (the
    wait goes on, as it may be an older REP; when the asked value never comes, refused)."""
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx, control_timeout=0.3)
    connection = backend.connection(rx.host, rx.port)
    assert connection is not None
    # INC stops at the top: from +40 dB, "INC 5" is answered with +42 (060), not +45.
    rx.device.channel(1).gain_db = 40
    write = _Write(
        "< SET 1 AUDIO_GAIN INC 5 >",
        "AUDIO_GAIN",
        frozenset({1}),
        lambda value: offset_number(value, GAIN_OFFSET),
        lambda value: value == 45,
    )
    with pytest.raises(WriteRefusedError, match="kept '060'"):
        await connection._send_write(write)


async def test_an_older_rep_of_the_key_does_not_refuse(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    """A full read sent just before the SET reports the old name first: still confirmed."""
    rx = await sim.add_receiver("ULXD4D", channel_names=["Vox 1", "Vox 2"])
    backend = await started(make_backend, rx)
    api_id = only(backend).api_device_id
    connection = backend.connection(rx.host, rx.port)
    assert connection is not None
    refresh = asyncio.ensure_future(backend.refresh())
    rename = asyncio.ensure_future(backend.set_channel_name(api_id, 1, "Lead"))
    assert await rename == "Lead"
    assert (await refresh).error_count == 0
    assert only(backend).channels[0].name == "Lead"


async def test_writes_need_a_connected_receiver(sim: Simulator, make_backend: MakeBackend) -> None:
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx)
    api_id = only(backend).api_device_id
    await rx.power_off()
    await eventually(lambda: not only(backend).online)
    with pytest.raises(MicboardConnectionError) as caught:
        await backend.identify(api_id)
    assert caught.value.kind is ErrorKind.NOT_CONNECTED


async def test_lost_connection_fails_the_waiting_write(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4")
    backend = await started(make_backend, rx, control_timeout=5.0, liveness_timeout=5.0)
    api_id = only(backend).api_device_id
    rx.go_silent()
    write = asyncio.ensure_future(backend.set_audio_gain(api_id, 1, 3))
    await eventually(lambda: "< SET 1 AUDIO_GAIN 021 >" in rx.received)
    await rx.drop()
    with pytest.raises(MicboardConnectionError, match="connection"):
        await write


async def test_charger_identifies(sim: Simulator, make_backend: MakeBackend) -> None:
    docks = await sim.add_charger("SBC220", name="Docks")
    backend = await started(make_backend, docks)
    (charger,) = backend.snapshot.chargers.values()
    assert charger.capabilities == {Capability.IDENTIFY}
    await backend.identify(charger.api_device_id)
    assert "< SET FLASH ON >" in docks.received
    with pytest.raises(ControlNotSupportedError):
        await backend.set_channel_name(charger.api_device_id, 1, "Bay")


def test_name_rule_pattern_matches_what_the_checks_accept() -> None:
    pattern = re.compile(NAME_RULE.pattern)
    for name in ("Lead", "A", "Vox #1", "[a]-^\\_", "a b", "~`!?<>"):
        assert NAME_RULE.problem(name) is None, name
        assert pattern.fullmatch(name), name
    for name in (" Lead", "Lead ", "a|b", "{x}", "é"):
        assert NAME_RULE.problem(name) is not None, name
        assert not pattern.fullmatch(name), name


async def test_a_rep_of_the_key_for_another_channel_is_not_the_answer(
    sim: Simulator, make_backend: MakeBackend
) -> None:
    rx = await sim.add_receiver("ULXD4D", channel_names=["Vox 1", "Vox 2"])
    backend = await started(make_backend, rx, control_timeout=0.3, liveness_timeout=5.0)
    rx.go_silent()
    write = asyncio.ensure_future(backend.set_channel_name(only(backend).api_device_id, 1, "Lead"))
    await eventually(lambda: "< SET 1 CHAN_NAME {Lead} >" in rx.received)
    # Channel 2 renamed on the front panel meanwhile: pushed, but it answers nothing.
    rx.resume()
    rx.rename_channel(2, "Lead")
    with pytest.raises(NotConfirmedError):
        await write
    await eventually(lambda: only(backend).channels[1].name == "Lead")
    assert only(backend).channels[0].name == "Vox 1"


async def test_connection_writes_while_not_connected() -> None:
    backend = ShureBackend([("127.0.0.1", 9)])
    with pytest.raises(MicboardConnectionError, match="offline"):
        await backend.identify("127.0.0.1:9")
    lonely = DeviceConnection("127.0.0.1", 9, backend.options, lambda _change: None)
    with pytest.raises(MicboardConnectionError) as caught:
        await lonely.set_audio_mute(1, True)
    assert caught.value.kind is ErrorKind.NOT_CONNECTED


def test_checks_need_the_limits() -> None:
    """A receiver claiming the control without its limits is not sent anything."""
    receiver = Receiver(
        manufacturer="shure",
        api_device_id="x",
        host="10.0.0.5",
        port=2202,
        online=True,
        identified=True,
        capabilities=frozenset({Capability.CHANNEL_NAME, Capability.AUDIO_GAIN}),
        channels=(Channel(index=1),),
    )
    with pytest.raises(ControlNotSupportedError, match="name limits"):
        check_channel_name(receiver, 1, "Lead")
    with pytest.raises(ControlNotSupportedError, match="gain range"):
        check_audio_gain(receiver, 1, 0)
    assert not NAME_RULE.same("Lead", None)
