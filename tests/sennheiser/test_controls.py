"""Sennheiser controls against the SSC simulator: a write, and the reply that carries the value.

The reply to a write mirrors the leaf with the value the device took, or an error at it;
every write returns only once that came (the snapshot showing the value by then).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from custom_components.micboard.manufacturers import (
    Capability,
    ControlNotSupportedError,
    ErrorKind,
    InvalidReason,
    InvalidValueError,
    MicboardConnectionError,
    NotConfirmedError,
    Receiver,
    WriteRefusedError,
)
from custom_components.micboard.manufacturers.sennheiser import SennheiserBackend
from custom_components.micboard.manufacturers.sennheiser.client import ReceiverConnection
from custom_components.micboard.manufacturers.sennheiser.codec import Reply
from custom_components.micboard.manufacturers.sennheiser.state import NAME_RULE, DeviceState
from simulator import Simulator, SscOptions
from simulator.sennheiser_ssc import SscReceiver

from ..waiting import eventually
from .helpers import FAST

CONTROLS = replace(FAST, control_timeout=0.4, identify_seconds=0.3)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    options = SscOptions(meter_interval=0.05)
    async with Simulator(seed=3, noise=False, battery_drain=0, ssc_options=options) as simulator:
        yield simulator


@pytest.fixture
async def em4(sim: Simulator) -> SscReceiver:
    return await sim.add_sennheiser(
        "EW-DX-EM4-DANTE", name="Theatre", channel_names=["LEAD", "VOX 2", "VOX 3", "VOX 4"]
    )


@pytest.fixture
async def backend(em4: SscReceiver) -> AsyncIterator[SennheiserBackend]:
    started = SennheiserBackend([(em4.host, em4.port)], options=CONTROLS)
    await started.start()
    yield started
    await started.stop()


def only(backend: SennheiserBackend) -> Receiver:
    (receiver,) = backend.snapshot.receivers.values()
    return receiver


def writes(rx: SscReceiver) -> list[object]:
    """Every request that wrote a value (no null leaf, no subscription)."""

    def has_value(node: object) -> bool:
        if isinstance(node, dict):
            return any(has_value(child) for key, child in node.items() if key != "osc")
        return node is not None

    return [r for r in rx.received if isinstance(r, dict) and "osc" in r and has_value(r)]


async def test_rename_mute_gain_confirmed(em4: SscReceiver, backend: SennheiserBackend) -> None:
    api_id = only(backend).api_device_id
    assert await backend.set_channel_name(api_id, 2, "Choir") == "Choir"
    assert only(backend).channels[1].name == "Choir"
    assert em4.device.channel(2).name == "Choir"
    assert await backend.set_audio_mute(api_id, 3, True) is True
    assert only(backend).channels[2].audio_mute is True
    assert await backend.set_audio_gain(api_id, 4, 42) == 42
    assert only(backend).channels[3].audio_gain_db == 42
    assert em4.device.channel(4).gain_db == 42


async def test_identify_switches_itself_off(em4: SscReceiver, backend: SennheiserBackend) -> None:
    api_id = only(backend).api_device_id
    await backend.identify(api_id)
    await backend.identify(api_id, 2)
    assert em4.device.identify
    assert em4.device.channel(2).identify
    # The device is not known to stop by itself: the client switches it off again.
    await eventually(lambda: not em4.device.identify and not em4.device.channel(2).identify)


async def test_controls_and_limits(backend: SennheiserBackend) -> None:
    receiver = only(backend)
    assert {
        Capability.IDENTIFY,
        Capability.CHANNEL_IDENTIFY,
        Capability.CHANNEL_NAME,
        Capability.RX_MUTE,
        Capability.AUDIO_GAIN,
    } <= receiver.capabilities
    assert receiver.gain_range is not None
    assert receiver.gain_range.step_db == 3


@pytest.mark.parametrize(
    ("gain", "reason"),
    [(45, InvalidReason.OUT_OF_RANGE), (-6, InvalidReason.OUT_OF_RANGE), (4, InvalidReason.STEP)],
)
async def test_gain_beyond_the_steps_is_not_sent(
    em4: SscReceiver, backend: SennheiserBackend, gain: int, reason: InvalidReason
) -> None:
    before = len(writes(em4))
    with pytest.raises(InvalidValueError) as caught:
        await backend.set_audio_gain(only(backend).api_device_id, 1, gain)
    assert caught.value.reason is reason
    assert dict(caught.value.limits) == {"minimum": "-3", "maximum": "42", "step": "3"}
    assert len(writes(em4)) == before


async def test_names_ssc_cannot_carry_are_not_sent(
    em4: SscReceiver, backend: SennheiserBackend
) -> None:
    api_id = only(backend).api_device_id
    with pytest.raises(InvalidValueError) as caught:
        await backend.set_channel_name(api_id, 1, "NINE CHRS")
    assert caught.value.reason is InvalidReason.TOO_LONG
    with pytest.raises(InvalidValueError) as caught:
        await backend.set_channel_name(api_id, 1, "Ärger")
    assert caught.value.reason is InvalidReason.CHARACTERS
    assert writes(em4) == []
    assert only(backend).channels[0].name == "LEAD"


async def test_an_error_at_the_leaf_is_a_refusal(
    em4: SscReceiver, backend: SennheiserBackend
) -> None:
    em4.set_faults(locked=True)
    api_id = only(backend).api_device_id
    with pytest.raises(WriteRefusedError, match="rx1/name: error 423") as caught:
        await backend.set_channel_name(api_id, 1, "HOST")
    assert caught.value.kind is ErrorKind.REJECTED
    # A refused write leaves the name as the device last reported it.
    assert only(backend).channels[0].name == "LEAD"
    em4.set_faults(locked=False)
    assert await backend.set_channel_name(api_id, 1, "HOST") == "HOST"


async def test_a_silent_device_does_not_confirm(
    em4: SscReceiver, backend: SennheiserBackend
) -> None:
    api_id = only(backend).api_device_id
    em4.go_silent()
    with pytest.raises(NotConfirmedError, match=r"rx1/mute: no answer within 0\.4 s"):
        await backend.set_audio_mute(api_id, 1, True)
    # Sent twice (a datagram may be lost); nothing answered.
    assert sum(1 for r in em4.received if isinstance(r, str) and '"mute":true' in r) == 2


async def test_offline_device(em4: SscReceiver, backend: SennheiserBackend) -> None:
    api_id = only(backend).api_device_id
    await em4.power_off()
    await eventually(lambda: not only(backend).online)
    with pytest.raises(MicboardConnectionError):
        await backend.set_audio_gain(api_id, 1, 3)


async def test_lower_case_reported_back_in_upper_case_confirms() -> None:
    """Whether EW-DX keeps lower case is not known: a reply differing in case confirms."""
    assert NAME_RULE.same("Lead", "LEAD")
    assert not NAME_RULE.same("Lead", "LEAF")


async def test_a_404_on_a_control_leaf_takes_the_control_away() -> None:
    state = DeviceState()
    state.apply(Reply(values={("rx1", "name"): "LEAD", ("rx2", "name"): "VOX"}))
    state.count_channels(Reply(values={("rx1", "name"): "LEAD", ("rx2", "name"): "VOX"}))
    state.apply(Reply(errors={("rx2", "gain"): 404, ("rx1", "mute"): 404}))
    receiver = state.receiver("h", 45, online=True)
    assert Capability.AUDIO_GAIN not in receiver.capabilities
    assert Capability.RX_MUTE not in receiver.capabilities
    assert receiver.gain_range is None
    assert Capability.CHANNEL_NAME in receiver.capabilities
    assert receiver.name_rule is NAME_RULE


async def test_charger_identifies(sim: Simulator) -> None:
    chg = await sim.add_charger("CHG70N", name="EW Packs")
    backend = SennheiserBackend([(chg.host, chg.port)], options=CONTROLS)
    await backend.start()
    try:
        (charger,) = backend.snapshot.chargers.values()
        assert charger.capabilities == {Capability.IDENTIFY}
        await backend.identify(charger.api_device_id)
        assert chg.device.identify
        with pytest.raises(ControlNotSupportedError):
            await backend.identify(charger.api_device_id, 1)
    finally:
        await backend.stop()


async def test_an_answer_that_does_not_mention_the_leaf_confirms_nothing() -> None:
    """The device answered the request (its xid) without a word about the leaf, twice."""
    asked: list[object] = []

    class Answering:
        where = "10.0.0.5:45"

        async def request(self, tree: object, paths: object, **_wait: float) -> Reply:
            asked.append(tree)
            return Reply(xid=1)

    connection = ReceiverConnection("10.0.0.5", 45, lambda _change: None, CONTROLS)
    connection._online = True
    connection._session = Answering()  # type: ignore[assignment]
    with pytest.raises(NotConfirmedError, match="rx1/gain: no answer"):
        await connection.set_audio_gain(1, 3)
    assert asked == [{"rx1": {"gain": 3}}] * 2


async def test_a_reply_with_another_value_is_a_refusal() -> None:
    class Answering:
        where = "10.0.0.5:45"

        async def request(self, tree: object, paths: object, **_wait: float) -> Reply:
            return Reply(values={("rx1", "gain"): 6}, xid=1)

    connection = ReceiverConnection("10.0.0.5", 45, lambda _change: None, CONTROLS)
    connection._online = True
    connection._session = Answering()  # type: ignore[assignment]
    with pytest.raises(WriteRefusedError, match="rx1/gain: the device kept 6"):
        await connection.set_audio_gain(1, 3)
    connection._online = False
    with pytest.raises(MicboardConnectionError, match="offline"):
        await connection.identify(0)
