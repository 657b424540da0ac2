"""Mutable per-receiver state that REP and SAMPLE messages are applied to.

The public models are frozen; this is where values accumulate between snapshots. Every
setter says whether the value really changed, so that a re-read that finds everything as it
was changes nothing, and an unchanged channel is the same frozen object in the next
snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ..models import Channel, Transmitter


class SampleOrder(StrEnum):
    """The order of the three SLX-D ``SAMPLE n ALL`` fields (protocol sheet §4.4)."""

    # Shure's SLX-D command strings document: audio peak, audio RMS, RSSI.
    PEAK_RMS_RSSI = "peak_rms_rssi"
    # A capture from a real SLXD4DE: RSSI, audio peak, audio RMS.
    RSSI_PEAK_RMS = "rssi_peak_rms"


@dataclass(slots=True)
class ChannelState:
    """One channel as last reported, with its transmitter values kept even while unlinked.

    Settings live in a frozen ``Channel`` (they change rarely); meter readings, which change
    with almost every SAMPLE, are plain attributes so that applying one costs a few
    assignments, not a new frozen object. The frozen channel is built at most once per
    publish (``build``), and not at all while nothing changed.

    Transmitter values are kept apart because a GET ALL burst may report battery values
    before the transmitter model; the transmitter is published only while a model is known.
    """

    # Settings only; its meter fields stay at their defaults (the attributes below rule).
    channel: Channel
    transmitter: Transmitter = field(default_factory=Transmitter)
    rf_level_dbm: int | None = None
    audio_level_dbfs: int | None = None
    audio_peak: bool = False
    antenna: str | None = None
    quality: int | None = None
    # Per-antenna RF levels from ``REP x RSSI a v`` (Axient, SLX-D), combined into one level.
    rssi_dbm: dict[int, int] = field(default_factory=dict)
    # What the receiver last answered for the metered REP keys (RSSI per antenna,
    # AUDIO_LEVEL_PEAK, AUDIO_LEVEL_RMS), in dBm/dBFS. Kept apart from the readings above
    # (a SAMPLE does not overwrite them): they are the evidence for telling an SLX-D's
    # SAMPLE field order, and never published.
    reported_rssi_dbm: dict[int, int] = field(default_factory=dict)
    reported_peak_dbfs: int | None = None
    reported_rms_dbfs: int | None = None
    # The last frozen channel; None once anything changed since it was built.
    _built: Channel | None = field(default=None, init=False, repr=False, compare=False)

    def set_setting(self, attribute: str, value: Any) -> bool:
        """Set one ``Channel`` setting; True if it changed."""
        if getattr(self.channel, attribute) == value:
            return False
        self.channel = replace(self.channel, **{attribute: value})
        self._built = None
        return True

    def set_transmitter(self, attribute: str, value: Any) -> bool:
        """Set one ``Transmitter`` value; True if it changed."""
        if getattr(self.transmitter, attribute) == value:
            return False
        self.transmitter = replace(self.transmitter, **{attribute: value})
        self._built = None
        return True

    def set_meter(self, attribute: str, value: Any) -> bool:
        """Set one meter reading (an attribute of this state); True if it changed."""
        if getattr(self, attribute) == value:
            return False
        setattr(self, attribute, value)
        self._built = None
        return True

    def build(self) -> Channel:
        """The frozen channel, with its transmitter only while one is linked."""
        if self._built is None:
            linked = self.transmitter.model is not None
            self._built = replace(
                self.channel,
                rf_level_dbm=self.rf_level_dbm,
                audio_level_dbfs=self.audio_level_dbfs,
                audio_peak=self.audio_peak,
                antenna=self.antenna,
                quality=self.quality,
                transmitter=self.transmitter if linked else None,
            )
        return self._built


@dataclass(slots=True)
class DeviceState:
    """Device-level values and the channels of one receiver."""

    model: str | None = None
    firmware: str | None = None
    name: str | None = None
    rf_band: str | None = None
    mac_address: str | None = None
    channels: dict[int, ChannelState] = field(default_factory=dict)
    # SLX-D/SLX-D+ SAMPLE field order, decided from what this receiver sends; None while
    # undecided. ``sample_order_certain`` when peak >= RMS held in that order only (no later
    # sample can overturn that); otherwise it rests on the REP levels and a sample that is
    # possible only in the other order revises it.
    sample_order: SampleOrder | None = None
    sample_order_certain: bool = False

    def set(self, attribute: str, value: Any) -> bool:
        """Set one device value; True if it changed."""
        if getattr(self, attribute) == value:
            return False
        setattr(self, attribute, value)
        return True

    def ensure_channels(self, channel_count: int) -> None:
        """Create channels 1..channel_count that are not there yet."""
        for index in range(1, channel_count + 1):
            if index not in self.channels:
                self.channels[index] = ChannelState(Channel(index=index))

    def built_channels(self) -> tuple[Channel, ...]:
        """Every channel, frozen, sorted by index."""
        return tuple(self.channels[index].build() for index in sorted(self.channels))
