"""Mutable per-receiver state that REP and SAMPLE messages are applied to.

The public models in ``base`` are frozen; this is where values accumulate between snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..base import Channel, Transmitter


@dataclass(slots=True)
class ChannelState:
    """One channel as last reported, with its transmitter values kept even while unlinked.

    Transmitter values are kept apart because a GET ALL burst may report battery values
    before the transmitter model; the transmitter is published only while a model is known.
    """

    channel: Channel
    transmitter: Transmitter = field(default_factory=Transmitter)
    # Per-antenna RF levels from ``REP x RSSI a v`` (Axient, SLX-D), combined into one level.
    rssi_dbm: dict[int, int] = field(default_factory=dict)

    def build(self) -> Channel:
        """The frozen channel, with its transmitter only while one is linked."""
        linked = self.transmitter.model is not None
        return replace(self.channel, transmitter=self.transmitter if linked else None)


@dataclass(slots=True)
class DeviceState:
    """Device-level values and the channels of one receiver."""

    model: str | None = None
    firmware: str | None = None
    name: str | None = None
    rf_band: str | None = None
    mac_address: str | None = None
    channels: dict[int, ChannelState] = field(default_factory=dict)

    def ensure_channels(self, channel_count: int) -> None:
        """Create channels 1..channel_count that are not there yet."""
        for index in range(1, channel_count + 1):
            if index not in self.channels:
                self.channels[index] = ChannelState(Channel(index=index))

    def built_channels(self) -> tuple[Channel, ...]:
        """Every channel, frozen, sorted by index."""
        return tuple(self.channels[index].build() for index in sorted(self.channels))
