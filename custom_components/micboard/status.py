"""Micboard's channel status, computed as classic Micboard does (pure, no HA imports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import math

from .manufacturers import Channel, Transmitter

# How long a switched-off transmitter keeps showing its last battery band.
PREVIOUS_READING_WINDOW = timedelta(minutes=30)
# How long a channel shows ``audio_peak`` after the audio clipped.
AUDIO_PEAK_HOLD = timedelta(seconds=10)


class MicboardStatus(StrEnum):
    """The states of the Micboard status sensor."""

    GOOD = "good"
    REPLACE = "replace"
    CRITICAL = "critical"
    PREV_GOOD = "prev_good"
    PREV_REPLACE = "prev_replace"
    PREV_CRITICAL = "prev_critical"
    TX_COM_ERROR = "tx_com_error"
    RX_COM_ERROR = "rx_com_error"
    AUDIO_PEAK = "audio_peak"
    UNASSIGNED = "unassigned"


@dataclass(slots=True)
class ChannelMemory:
    """What a channel's status needs to remember between readings."""

    # Whether a transmitter has been linked at all since start, and at the last reading.
    ever_linked: bool = False
    linked: bool = False
    # The last battery reading (bars, percent as the battery sensor shows it, runtime) and
    # when it was taken: a switched-off transmitter's status band, and what the board
    # shows for it.
    last_battery_bars: int | None = None
    last_battery_percent: int | None = None
    last_battery_minutes: int | None = None
    last_battery_at: datetime | None = None
    peak_until: datetime | None = None

    def observe(self, channel: Channel, now: datetime) -> None:
        """Record a reading of the channel."""
        transmitter = channel.transmitter
        self.linked = transmitter is not None
        if transmitter is None:
            return
        self.ever_linked = True
        if (bars := battery_bars(transmitter)) is not None:
            self.last_battery_bars = bars
            self.last_battery_percent = battery_percent(transmitter)
            self.last_battery_minutes = transmitter.battery_runtime_minutes
            self.last_battery_at = now
        if channel.audio_peak:
            self.peak_until = now + AUDIO_PEAK_HOLD


def battery_bars(transmitter: Transmitter) -> int | None:
    """Battery bars 0-5, derived from the percentage where only that is reported."""
    if transmitter.battery_bars is not None:
        return transmitter.battery_bars
    if transmitter.battery_percent is not None:
        return min(5, math.ceil(transmitter.battery_percent / 20))
    return None


def battery_percent(transmitter: Transmitter) -> int | None:
    """Battery percent as reported, else bars as 0, 20, ... 100 %."""
    if transmitter.battery_percent is not None:
        return transmitter.battery_percent
    if transmitter.battery_bars is not None:
        return transmitter.battery_bars * 20
    return None


def _band(bars: int) -> tuple[MicboardStatus, MicboardStatus]:
    if bars >= 4:
        return MicboardStatus.GOOD, MicboardStatus.PREV_GOOD
    if bars == 3:
        return MicboardStatus.REPLACE, MicboardStatus.PREV_REPLACE
    return MicboardStatus.CRITICAL, MicboardStatus.PREV_CRITICAL


def channel_status(
    *, receiver_online: bool, channel: Channel, memory: ChannelMemory, now: datetime
) -> MicboardStatus:
    """The Micboard status of a channel at ``now``."""
    if not receiver_online:
        return MicboardStatus.RX_COM_ERROR
    transmitter = channel.transmitter
    if transmitter is not None:
        if memory.peak_until is not None and now < memory.peak_until:
            return MicboardStatus.AUDIO_PEAK
        bars = battery_bars(transmitter)
        if bars is None:
            return MicboardStatus.TX_COM_ERROR
        return _band(bars)[0]
    if not memory.ever_linked:
        return MicboardStatus.UNASSIGNED
    if (
        memory.last_battery_bars is not None
        and memory.last_battery_at is not None
        and now - memory.last_battery_at < PREVIOUS_READING_WINDOW
    ):
        return _band(memory.last_battery_bars)[1]
    return MicboardStatus.TX_COM_ERROR
