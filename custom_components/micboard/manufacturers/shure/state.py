"""Mutable per-receiver state that REP and SAMPLE messages are applied to.

The public models in ``base`` are frozen; this is where values accumulate between snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..models import Channel, Transmitter


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
    # The last frozen channel and what it was built from: an unchanged channel is the same
    # object in the next snapshot, which makes comparing snapshots cheap.
    _built: Channel | None = field(default=None, init=False, repr=False, compare=False)
    _built_from: tuple[Channel, Transmitter] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def build(self) -> Channel:
        """The frozen channel, with its transmitter only while one is linked."""
        source = self._built_from
        if (
            self._built is not None
            and source is not None
            and source[0] is self.channel
            and source[1] is self.transmitter
        ):
            return self._built
        linked = self.transmitter.model is not None
        self._built = replace(self.channel, transmitter=self.transmitter if linked else None)
        self._built_from = (self.channel, self.transmitter)
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

    def ensure_channels(self, channel_count: int) -> None:
        """Create channels 1..channel_count that are not there yet."""
        for index in range(1, channel_count + 1):
            if index not in self.channels:
                self.channels[index] = ChannelState(Channel(index=index))

    def built_channels(self) -> tuple[Channel, ...]:
        """Every channel, frozen, sorted by index."""
        return tuple(self.channels[index].build() for index in sorted(self.channels))
