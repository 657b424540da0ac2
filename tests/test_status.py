"""Micboard status, computed as classic Micboard does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.micboard.manufacturers import Channel, Transmitter
from custom_components.micboard.status import (
    ChannelMemory,
    MicboardStatus,
    battery_bars,
    battery_percent,
    channel_status,
)

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def _channel(bars: int | None = None, percent: int | None = None, peak: bool = False) -> Channel:
    return Channel(
        index=1,
        audio_peak=peak,
        transmitter=Transmitter(model="ULXD2", battery_bars=bars, battery_percent=percent),
    )


@pytest.mark.parametrize(
    ("bars", "expected"),
    [
        (5, MicboardStatus.GOOD),
        (4, MicboardStatus.GOOD),
        (3, MicboardStatus.REPLACE),
        (2, MicboardStatus.CRITICAL),
        (1, MicboardStatus.CRITICAL),
        (0, MicboardStatus.CRITICAL),
        (None, MicboardStatus.TX_COM_ERROR),
    ],
)
def test_battery_bands(bars: int | None, expected: MicboardStatus) -> None:
    """4-5 bars good, 3 replace, 0-2 critical; unknown battery is a transmitter error."""
    memory = ChannelMemory()
    channel = _channel(bars)
    memory.observe(channel, NOW)
    assert channel_status(receiver_online=True, channel=channel, memory=memory, now=NOW) == expected


@pytest.mark.parametrize(
    ("percent", "bars", "expected"),
    [
        (0, 0, MicboardStatus.CRITICAL),
        (1, 1, MicboardStatus.CRITICAL),
        (20, 1, MicboardStatus.CRITICAL),
        (21, 2, MicboardStatus.CRITICAL),
        (40, 2, MicboardStatus.CRITICAL),
        (41, 3, MicboardStatus.REPLACE),
        (60, 3, MicboardStatus.REPLACE),
        (61, 4, MicboardStatus.GOOD),
        (80, 4, MicboardStatus.GOOD),
        (81, 5, MicboardStatus.GOOD),
        (100, 5, MicboardStatus.GOOD),
    ],
)
def test_percent_only_bars_are_the_percent_over_20_rounded_up(
    percent: int, bars: int, expected: MicboardStatus
) -> None:
    """bars = ceil(percent / 20) at each band's edges; the status bands follow those bars."""
    memory = ChannelMemory()
    channel = _channel(percent=percent)
    assert channel.transmitter is not None
    assert battery_bars(channel.transmitter) == bars
    memory.observe(channel, NOW)
    assert memory.last_battery_bars == bars
    assert memory.last_battery_percent == percent
    assert channel_status(receiver_online=True, channel=channel, memory=memory, now=NOW) == expected


def test_percent_only_transmitter_uses_percent_bands() -> None:
    """Percent maps onto bars when bars are not reported."""
    assert battery_bars(Transmitter(battery_percent=61)) == 4
    assert battery_bars(Transmitter(battery_percent=100)) == 5
    assert battery_bars(Transmitter()) is None
    assert battery_percent(Transmitter(battery_bars=3)) == 60
    assert battery_percent(Transmitter(battery_bars=3, battery_percent=47)) == 47
    assert battery_percent(Transmitter()) is None


def test_receiver_offline_wins() -> None:
    """An unreachable receiver says so, whatever the transmitter last said."""
    memory = ChannelMemory()
    status = channel_status(receiver_online=False, channel=_channel(5), memory=memory, now=NOW)
    assert status == MicboardStatus.RX_COM_ERROR


def test_transmitter_off_shows_previous_band_then_error() -> None:
    """prev_* for 30 minutes after the last valid reading, then tx_com_error."""
    memory = ChannelMemory()
    memory.observe(_channel(3), NOW)
    off = Channel(index=1)
    memory.observe(off, NOW + timedelta(minutes=1))
    at = NOW + timedelta(minutes=29, seconds=59)
    assert (
        channel_status(receiver_online=True, channel=off, memory=memory, now=at)
        == MicboardStatus.PREV_REPLACE
    )
    later = NOW + timedelta(minutes=30)
    assert (
        channel_status(receiver_online=True, channel=off, memory=memory, now=later)
        == MicboardStatus.TX_COM_ERROR
    )


def test_memory_keeps_the_last_battery_reading() -> None:
    """Bars, percent (as the battery sensor shows it) and runtime outlive the transmitter."""
    memory = ChannelMemory()
    memory.observe(
        Channel(index=1, transmitter=Transmitter(battery_bars=3, battery_runtime_minutes=95)),
        NOW,
    )
    memory.observe(Channel(index=1), NOW + timedelta(minutes=1))
    assert (
        memory.last_battery_bars,
        memory.last_battery_percent,
        memory.last_battery_minutes,
        memory.last_battery_at,
    ) == (3, 60, 95, NOW)
    # A reading without a battery leaves the last one as it was.
    memory.observe(Channel(index=1, transmitter=Transmitter()), NOW + timedelta(minutes=2))
    assert (memory.last_battery_percent, memory.last_battery_at) == (60, NOW)


def test_never_linked_is_unassigned() -> None:
    """A channel that never had a transmitter is unassigned."""
    status = channel_status(
        receiver_online=True, channel=Channel(index=2), memory=ChannelMemory(), now=NOW
    )
    assert status == MicboardStatus.UNASSIGNED


def test_audio_peak_holds_ten_seconds() -> None:
    """A peak shows for 10 s, then the battery band returns."""
    memory = ChannelMemory()
    memory.observe(_channel(5, peak=True), NOW)
    calm = _channel(5)
    memory.observe(calm, NOW + timedelta(seconds=1))
    assert (
        channel_status(
            receiver_online=True, channel=calm, memory=memory, now=NOW + timedelta(seconds=9)
        )
        == MicboardStatus.AUDIO_PEAK
    )
    assert (
        channel_status(
            receiver_online=True, channel=calm, memory=memory, now=NOW + timedelta(seconds=10)
        )
        == MicboardStatus.GOOD
    )
