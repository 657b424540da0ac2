"""The SLX-D SAMPLE field order, decided per receiver from what it sends (sheet §4.4, §14).

Shure's document says peak, RMS, RSSI; a real SLXD4DE was captured sending RSSI, peak, RMS.
"""

from __future__ import annotations

import logging

import pytest

from custom_components.micboard.manufacturers.fleet import Change
from custom_components.micboard.manufacturers.shure.families import (
    SLXD,
    SLXD_PLUS,
    OrderDecision,
    SlxReadings,
    apply_message,
    decide_sample_order,
    slx_readings,
)
from custom_components.micboard.manufacturers.shure.parser import parse_message
from custom_components.micboard.manufacturers.shure.state import (
    ChannelState,
    DeviceState,
    SampleOrder,
)
from simulator import Simulator
from simulator.shure_tcp.dialects import (
    PEAK_RMS_RSSI,
    RSSI_PEAK_RMS,
    SlxdDialect,
    SlxdPlusDialect,
)

from ..waiting import eventually
from .helpers import MakeBackend, only, started
from .test_families import feed

DOC = SampleOrder.PEAK_RMS_RSSI
CAPTURE = SampleOrder.RSSI_PEAK_RMS
_LOGGER_NAME = "custom_components.micboard.manufacturers.shure.families"


def fields(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def channel_with(
    rssi: dict[int, int] | None = None, peak: int | None = None, rms: int | None = None
) -> ChannelState:
    device = DeviceState()
    device.ensure_channels(1)
    channel = device.channels[1]
    channel.reported_rssi_dbm = dict(rssi or {})
    channel.reported_peak_dbfs = peak
    channel.reported_rms_dbfs = rms
    return channel


def slxd(channels: int = 1) -> DeviceState:
    device = DeviceState(model="SLXD4D", name="Rack 3")
    device.ensure_channels(channels)
    return device


# --- the pure decision --------------------------------------------------------------------


def test_readings_in_each_order() -> None:
    assert slx_readings(fields("005 020 015"), DOC) == SlxReadings(-115, -100, -105)
    assert slx_readings(fields("005 020 015"), CAPTURE) == SlxReadings(-100, -105, -115)
    assert slx_readings(fields("255 102 086"), DOC) == SlxReadings(None, -18, -34)


@pytest.mark.parametrize(
    ("sample", "order"),
    [
        # The SLXD4DE capture: in the document's order peak (-115) would be below RMS (-100).
        ("005 020 015", CAPTURE),
        # RSSI first, a live channel: RF -60 dBm, peak -20, RMS -26 dBFS.
        ("060 100 094", CAPTURE),
        # The document's order: read RSSI first, peak (-40) would be below RMS (-34).
        ("102 080 086", DOC),
    ],
)
def test_peak_below_rms_rules_an_order_out(sample: str, order: SampleOrder) -> None:
    decision = decide_sample_order(channel_with(), fields(sample))
    assert decision == OrderDecision(order, certain=True, reason="peak >= RMS only in this order")


@pytest.mark.parametrize(
    "sample",
    [
        # The sheet's example: peak >= RMS either way round, and no REP level to compare.
        "102 102 086",
        "100 094 060",
        # Idle and equal fields read the same in both orders.
        "000 000 000",
        # Peak below RMS either way: no order explains it.
        "010 020 030",
        # Every level unknown.
        "255 255 255",
        # Too short.
        "102 096",
    ],
)
def test_ambiguous_samples_decide_nothing(sample: str) -> None:
    assert decide_sample_order(channel_with(), fields(sample)) is None


def test_rep_levels_decide_an_ambiguous_sample() -> None:
    sample = fields("100 094 060")  # peak >= RMS whichever way it is read
    # GET ALL reported RSSI -60 dBm: only the document's order reads RSSI near it.
    decision = decide_sample_order(channel_with(rssi={1: -60, 2: -75}), sample)
    assert decision == OrderDecision(DOC, certain=False, reason="levels match the REP levels")
    # Reported RSSI -20 dBm, peak -26 and RMS -60: the capture's order.
    decision = decide_sample_order(channel_with(rssi={0: -20}, peak=-26, rms=-60), sample)
    assert decision is not None
    assert decision.order is CAPTURE
    assert not decision.certain
    # The RMS REP alone decides too (RMS -26 in the document's order, -60 in the other).
    decision = decide_sample_order(channel_with(rms=-28), sample)
    assert decision is not None
    assert decision.order is DOC


@pytest.mark.parametrize(
    "channel",
    [
        # Both orders read an RSSI near the report (-34 vs -30 dBm).
        channel_with(rssi={1: -32}),
        # Neither order reads an RSSI near the report.
        channel_with(rssi={1: -90}),
        # The REPs agree with one order on RSSI and with the other on peak.
        channel_with(rssi={1: -34}, peak=-32),
    ],
)
def test_rep_levels_that_fit_both_or_neither_decide_nothing(channel: ChannelState) -> None:
    assert decide_sample_order(channel, fields("090 088 086")) is None


# --- applying samples ----------------------------------------------------------------------


def test_undecided_shows_only_what_both_orders_agree_on() -> None:
    device = slxd()
    assert feed(SLXD, "< SAMPLE 1 ALL 102 102 086 >", device).sample_order is None
    channel = device.built_channels()[0]
    # Peak is -18 in both orders; RSSI is -34 or -18: unknown.
    assert (channel.audio_level_dbfs, channel.rf_level_dbm, channel.audio_peak) == (
        -18,
        None,
        False,
    )
    # Peak -1 dBFS in both orders: the overload flag is shown.
    feed(SLXD, "< SAMPLE 1 ALL 119 119 100 >", device)
    assert device.built_channels()[0].audio_peak is True
    # Equal fields read the same either way.
    feed(SLXD, "< SAMPLE 1 ALL 090 090 090 >", device)
    assert device.sample_order is None
    channel = device.built_channels()[0]
    assert (channel.audio_level_dbfs, channel.rf_level_dbm, channel.audio_peak) == (-30, -30, False)
    # Peak -20 or -26 dBFS, RSSI -60 or -20 dBm: both unknown.
    feed(SLXD, "< SAMPLE 1 ALL 100 094 060 >", device)
    channel = device.built_channels()[0]
    assert (channel.audio_level_dbfs, channel.rf_level_dbm) == (None, None)


def test_capture_order_is_decided_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    device = slxd(2)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger=_LOGGER_NAME):
        feed(SLXD, "< SAMPLE 1 ALL 005 020 015 >< SAMPLE 2 ALL 060 100 094 >", device)
        feed(SLXD, "< SAMPLE 1 ALL 100 102 096 >< SAMPLE 2 ALL 005 020 015 >", device)
    assert (device.sample_order, device.sample_order_certain) == (CAPTURE, True)
    first, second = device.built_channels()
    assert (first.rf_level_dbm, first.audio_level_dbfs) == (-20, -18)
    assert (second.rf_level_dbm, second.audio_level_dbfs) == (-115, -100)
    decisions = [r for r in caplog.records if "SAMPLE fields" in r.getMessage()]
    assert len(decisions) == 1
    assert decisions[0].levelno == logging.DEBUG
    assert decisions[0].getMessage() == (
        "Rack 3: SLX-D SAMPLE fields read as rssi_peak_rms "
        "(peak >= RMS only in this order: < SAMPLE 1 ALL 005 020 015 >)"
    )


def test_document_order_from_get_all_levels() -> None:
    device = slxd()
    feed(
        SLXD,
        "< REP 1 AUDIO_LEVEL_PEAK 100 >< REP 1 AUDIO_LEVEL_RMS 094 >"
        "< REP 1 RSSI 1 060 >< REP 1 RSSI 2 060 >< SAMPLE 1 ALL 100 094 060 >",
        device,
    )
    assert (device.sample_order, device.sample_order_certain) == (DOC, False)
    channel = device.built_channels()[0]
    assert (channel.rf_level_dbm, channel.audio_level_dbfs) == (-60, -20)
    # A later sample that fits the document's order only makes it certain, silently.
    feed(SLXD, "< SAMPLE 1 ALL 102 080 086 >", device)
    assert (device.sample_order, device.sample_order_certain) == (DOC, True)


def test_a_level_based_decision_is_revised_by_peak_below_rms(
    caplog: pytest.LogCaptureFixture,
) -> None:
    device = slxd()
    # An RSSI-first receiver whose stale REP level points the wrong way ...
    feed(SLXD, "< REP 1 RSSI 1 060 >< SAMPLE 1 ALL 100 094 060 >", device)
    assert (device.sample_order, device.sample_order_certain) == (DOC, False)
    # ... another level-based reading does not flip it ...
    feed(SLXD, "< REP 1 RSSI 1 100 >< SAMPLE 1 ALL 100 094 060 >", device)
    assert device.sample_order is DOC
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger=_LOGGER_NAME):
        # ... but a sample whose peak would be below its RMS in that order does.
        feed(SLXD, "< SAMPLE 1 ALL 060 100 090 >", device)
    assert (device.sample_order, device.sample_order_certain) == (CAPTURE, True)
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "Rack 3: SLX-D SAMPLE fields now read as rssi_peak_rms"
    ]
    channel = device.built_channels()[0]
    assert (channel.rf_level_dbm, channel.audio_level_dbfs) == (-60, -20)
    # Once certain, a contradicting sample changes nothing about the order.
    feed(SLXD, "< SAMPLE 1 ALL 102 080 086 >", device)
    assert device.sample_order is CAPTURE


def test_change_kinds_stay_meters_only() -> None:
    device = slxd()
    assert "AUDIO_LEVEL_RMS" in SLXD.meter_rules

    def apply(text: str) -> Change | None:
        return apply_message(SLXD, device, parse_message(text))

    # RMS is evidence only: nothing shown changed.
    assert apply("< REP 1 AUDIO_LEVEL_RMS 094 >") is None
    assert device.channels[1].reported_rms_dbfs == -26
    assert apply("< REP 1 RSSI 1 060 >") is Change.METERS
    # Deciding the order is no state change: the sample is a meter reading like any other.
    assert apply("< SAMPLE 1 ALL 005 020 015 >") is Change.METERS
    assert apply("< SAMPLE 1 ALL 005 020 015 >") is None
    # A sample does not wipe the REP evidence.
    assert device.channels[1].reported_rssi_dbm == {1: -60}


def test_slxd_plus_uses_the_same_rule() -> None:
    device = slxd()
    feed(SLXD_PLUS, "< REP 1 RSSI 070 >< SAMPLE 1 ALL 102 096 070 >", device)
    assert (device.sample_order, device.sample_order_certain) == (DOC, False)
    assert device.built_channels()[0].rf_level_dbm == -50


# --- end to end: the client against the simulator -------------------------------------------


def test_simulator_sample_orders() -> None:
    with pytest.raises(ValueError, match="SAMPLE order"):
        SlxdDialect(sample_order="rms_first")
    assert SlxdDialect().sample_order == PEAK_RMS_RSSI
    assert SlxdPlusDialect(sample_order=RSSI_PEAK_RMS).sample_order == RSSI_PEAK_RMS


@pytest.mark.parametrize(
    ("model", "sample_order"),
    [
        ("SLXD4D", PEAK_RMS_RSSI),
        ("SLXD4D", RSSI_PEAK_RMS),
        ("SLXD4+", RSSI_PEAK_RMS),
    ],
)
async def test_client_reads_either_order(
    sim: Simulator, make_backend: MakeBackend, model: str, sample_order: str
) -> None:
    rx = await sim.add_receiver(model)
    dialect = SlxdDialect if model == "SLXD4D" else SlxdPlusDialect
    rx.dialect = dialect(sample_order=sample_order)
    rx.set_levels(1, rf_dbm=-60, audio_dbfs=-20)
    backend = await started(make_backend, rx)
    seen: list[tuple[int | None, int | None]] = []

    def settled() -> bool:
        channel = only(backend).channels[0]
        seen.append((channel.rf_level_dbm, channel.audio_level_dbfs))
        return seen[-1] == (-50, -10)

    # The order is decided from the first samples; later level changes follow it.
    await eventually(lambda: only(backend).channels[0].rf_level_dbm == -60)
    assert only(backend).channels[0].audio_level_dbfs == -20
    rx.set_levels(1, rf_dbm=-50, audio_dbfs=-10)
    await eventually(settled)
    # Never a level read in the wrong order on the way (-20 as RF, -60 as audio ...).
    assert all(rf in {None, -60, -50} and audio in {None, -20, -10} for rf, audio in seen)
