"""Decoding leaves and mapping a device's state to the neutral model."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, strategies as st

from custom_components.micboard.manufacturers import Capability, Transmitter
from custom_components.micboard.manufacturers.sennheiser.codec import Reply, decode
from custom_components.micboard.manufacturers.sennheiser.paths import (
    METER_LEAVES,
    RX_LEAVES,
    TX_LEAVES,
)
from custom_components.micboard.manufacturers.sennheiser.state import DeviceState, mac_address

from .fake_device import em2_leaves, tree


def em2_state(**overrides: Any) -> DeviceState:
    state = DeviceState()
    leaves = em2_leaves()
    state.count_channels(Reply(values={("rx1", "name"): "A", ("rx2", "name"): "B"}))
    state.apply(Reply(values={**leaves, **overrides}))
    # Channel 2's transmitter is off.
    state.apply(Reply(errors={("mates", "tx2", "type"): 424}))
    return state


def test_receiver_identity_and_api_id() -> None:
    receiver = em2_state().receiver("10.0.0.5", 45, online=True)
    assert receiver.api_device_id == "00:1b:66:7d:f8:99"
    assert receiver.mac_address == "00:1b:66:7d:f8:99"
    assert (receiver.model, receiver.firmware, receiver.name) == ("EWDX EM 2", "3.0.3", "EWDXEM2")
    assert receiver.rf_band == "Q1-9"
    assert receiver.identified
    assert receiver.online
    assert receiver.capabilities == {
        Capability.RF_LEVEL,
        Capability.AUDIO_LEVEL,
        Capability.ANTENNA,
        Capability.RF_QUALITY,
        Capability.TX_MUTE,
        # Controls: every SSC v1 address below is writable on EW-DX (sheet part 2 §5).
        Capability.IDENTIFY,
        Capability.CHANNEL_IDENTIFY,
        Capability.CHANNEL_NAME,
        Capability.RX_MUTE,
        Capability.AUDIO_GAIN,
    }
    assert Capability.WEB_UI not in receiver.capabilities
    assert receiver.name_rule is not None
    assert receiver.name_rule.max_length == 8
    assert receiver.gain_range is not None
    assert (receiver.gain_range.minimum_db, receiver.gain_range.maximum_db) == (-3, 42)
    assert receiver.gain_range.step_db == 3


def test_without_mac_the_id_is_host_port() -> None:
    state = DeviceState()
    state.apply(Reply(values={("device", "network", "ether", "macs"): ["nonsense"]}))
    assert state.api_device_id("10.0.0.5", 45) == "10.0.0.5:45"


def test_channel_mapping() -> None:
    channel = em2_state().receiver("h", 45, online=True).channels[0]
    assert channel.name == "VOX1"
    assert channel.frequency_mhz == 470.2
    assert channel.audio_mute is False
    assert channel.audio_gain_db == 12
    assert channel.rf_level_dbm == -60
    assert channel.audio_level_dbfs == -32  # -32.5 rounds to even
    assert channel.rf_quality_percent == 96
    assert channel.antenna == "A"
    assert channel.audio_peak is False
    assert channel.encryption_error is False
    assert channel.transmitter == Transmitter(
        model="SKM",
        name="SKM1",
        battery_percent=65,
        battery_runtime_minutes=300,
        battery_type="Battery",
        mute=False,
        # Its warnings list is empty: no low battery.
        battery_low=False,
    )


def test_no_transmitter_on_424_or_no_link() -> None:
    channel = em2_state().receiver("h", 45, online=True).channels[1]
    assert channel.transmitter is None
    assert channel.rf_quality_percent == 0


def test_no_link_warning_hides_the_transmitter_and_keeps_it_stale() -> None:
    state = em2_state()
    applied = state.apply(Reply(values={("rx1", "warnings"): ["NoLink"]}))
    assert applied.changed
    assert not applied.meters_only
    assert state.receiver("h", 45, online=True).channels[0].transmitter is None
    # Values kept through a link loss are read again when the link returns.
    state.apply(Reply(values={("rx1", "warnings"): []}))
    assert state.transmitters_to_read() == [1]
    state.apply(Reply(values={("mates", "tx1", "battery", "gauge"): 50}))
    assert state.transmitters_to_read() == []


def test_rsqi_zero_means_no_link() -> None:
    state = em2_state()
    state.apply(Reply(values={("m", "rx1", "rsqi"): 0}))
    assert state.receiver("h", 45, online=True).channels[0].transmitter is None


def test_lifetime_424_alone_keeps_the_transmitter() -> None:
    # A pack still calibrating (or a primary cell) may have no lifetime yet.
    state = em2_state()
    state.apply(Reply(errors={("mates", "tx1", "battery", "lifetime"): 424}))
    transmitter = state.receiver("h", 45, online=True).channels[0].transmitter
    assert transmitter is not None
    assert transmitter.battery_runtime_minutes is None
    assert transmitter.battery_percent == 65


def test_meters_only_change() -> None:
    state = em2_state()
    applied = state.apply(decode(b'{"m":{"rx1":{"rssi":-70.0,"af":-20.1}}}'))
    assert applied.changed
    assert applied.meters_only
    assert not state.apply(decode(b'{"m":{"rx1":{"rssi":-70.0}}}')).changed


def test_warnings_map_to_flags() -> None:
    state = em2_state()
    state.apply(Reply(values={("rx1", "warnings"): ["Aes256Error", "AfPeak"]}))
    channel = state.receiver("h", 45, online=True).channels[0]
    assert channel.encryption_error is True
    assert channel.audio_peak is True
    assert (channel.low_rf_signal, channel.rf_peak) == (False, False)
    state.apply(Reply(values={("rx1", "warnings"): [], ("mates", "tx1", "warnings"): ["AfPeak"]}))
    assert state.receiver("h", 45, online=True).channels[0].audio_peak is True
    state.apply(
        Reply(
            values={
                ("rx1", "warnings"): ["LowSignal", "RfPeak"],
                ("mates", "tx1", "warnings"): ["LowBattery"],
            }
        )
    )
    channel = state.receiver("h", 45, online=True).channels[0]
    assert (channel.low_rf_signal, channel.rf_peak) == (True, True)
    assert channel.transmitter is not None
    assert channel.transmitter.battery_low is True


def test_sentinels_and_wrong_types_are_unknown() -> None:
    state = em2_state()
    state.apply(
        Reply(
            values={
                ("rx1", "frequency"): 0,
                ("rx1", "name"): 12,
                ("rx1", "mute"): "yes",
                ("m", "rx1", "divi"): 0,
                ("m", "rx1", "rssi"): float("nan"),
                ("m", "rx1", "rsqi"): 255,
                ("mates", "tx1", "battery", "gauge"): 255,
                ("mates", "tx1", "battery", "lifetime"): -1,
                ("mates", "tx1", "name"): "\u00e9\u00e9",
            }
        )
    )
    channel = state.receiver("h", 45, online=True).channels[0]
    assert channel.frequency_mhz is None
    assert channel.name is None
    assert channel.audio_mute is None
    assert channel.antenna is None
    assert channel.rf_level_dbm is None
    assert channel.rf_quality_percent is None
    assert channel.transmitter is not None
    assert channel.transmitter.battery_percent is None
    assert channel.transmitter.battery_runtime_minutes is None
    assert channel.transmitter.name is None


def test_404_takes_a_capability_away() -> None:
    state = em2_state()
    state.apply(decode(encode_error(("m", "rx1", "af"), 404)))
    assert Capability.AUDIO_LEVEL not in state.capabilities()
    assert ("m", "rx1", "af") in state.missing


def test_channel_count_from_answering_rx() -> None:
    state = DeviceState()
    reply = Reply(
        values={("rx1", "name"): "A", ("rx2", "name"): "B", ("rx3", "name"): "C"},
        errors={("rx4", "name"): 424},
    )
    assert state.count_channels(reply) == 4
    assert state.count_channels(Reply(errors={("rx1", "name"): 404})) == 0


def test_subscription_end() -> None:
    applied = em2_state().apply(decode(encode_error(("m", "rx1", "rssi"), 310)))
    assert applied.subscription_ended
    assert not applied.changed


def test_mac_forms() -> None:
    assert mac_address(["00-1B-66-7D-F8-99"]) == "00:1b:66:7d:f8:99"
    assert mac_address("001B667DF899") == "00:1b:66:7d:f8:99"
    assert mac_address([None, "x"]) is None


def encode_error(path: tuple[str, ...], code: int) -> bytes:
    return json.dumps({"osc": {"error": [tree({path: [code, {"desc": "x"}]})]}}).encode()


json_leaf = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
known_paths = st.sampled_from(
    [
        *(("rx1", *leaf) for leaf in RX_LEAVES),
        *(("mates", "tx1", *leaf) for leaf in TX_LEAVES),
        *(("m", "rx1", *leaf) for leaf in METER_LEAVES),
        ("device", "name"),
        ("device", "network", "ether", "macs"),
        ("rx9", "name"),
        ("mates", "txx"),
    ]
)


@given(
    st.dictionaries(known_paths, json_value, max_size=8),
    st.dictionaries(known_paths, st.integers(min_value=0, max_value=999), max_size=4),
)
def test_any_reply_maps_without_crashing(
    values: dict[tuple[str, ...], object], errors: dict[tuple[str, ...], int]
) -> None:
    state = em2_state()
    state.apply(Reply(values=values, errors=errors))
    receiver = state.receiver("h", 45, online=True)
    assert len(receiver.channels) == 2


def test_a_meter_that_drops_the_link_is_not_meters_only() -> None:
    state = em2_state()
    applied = state.apply(Reply(values={("m", "rx1", "rsqi"): 0}))
    assert applied.changed
    assert not applied.meters_only
    assert not state.apply(Reply(values={("m", "rx1", "rsqi"): 60})).meters_only
    assert state.apply(Reply(values={("m", "rx1", "rsqi"): 70})).meters_only


def test_a_meter_404_is_not_meters_only() -> None:
    applied = em2_state().apply(Reply(errors={("m", "rx1", "af"): 404}))
    assert applied.changed
    assert not applied.meters_only


def test_audio_peak_alone_is_a_meter_change() -> None:
    state = em2_state()
    assert state.apply(Reply(values={("rx1", "warnings"): ["AfPeak"]})).meters_only
    assert state.apply(Reply(values={("mates", "tx1", "warnings"): ["AfPeak"]})).meters_only
    applied = state.apply(Reply(values={("rx1", "warnings"): ["AfPeak", "Aes256Error"]}))
    assert applied.changed
    assert not applied.meters_only
    assert not state.apply(Reply(values={("mates", "tx1", "warnings"): ["LowBattery"]})).meters_only
