"""What each channel's status remembers, and waking it when a time-bound status runs out.

``status.py`` computes a status from a reading and a ``ChannelMemory``; this keeps one
memory per channel and a timer for each deadline (an audio peak's hold, a switched-off
transmitter's last reading growing too old), so the status sensor changes on time even
when nothing new arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time

from .identifiers import ChannelKey
from .manufacturers import Channel
from .status import PREVIOUS_READING_WINDOW, ChannelMemory


class StatusTracker:
    """Channel memories and their deadlines; ``wake(key)`` is called when one passes."""

    def __init__(self, hass: HomeAssistant, wake: Callable[[ChannelKey], None]) -> None:
        """Track nothing yet."""
        self._hass = hass
        self._wake = wake
        self.memory: dict[ChannelKey, ChannelMemory] = {}
        self._timers: dict[tuple[ChannelKey, str], CALLBACK_TYPE] = {}
        self._due: dict[tuple[ChannelKey, str], datetime] = {}

    @callback
    def observe(self, key: ChannelKey, channel: Channel, now: datetime) -> None:
        """A full reading of the channel (anything but a meter-only change)."""
        memory = self.memory.setdefault(key, ChannelMemory())
        had_transmitter = memory.linked
        memory.observe(channel, now)
        if channel.audio_peak and memory.peak_until is not None:
            self._schedule(key, "peak", memory.peak_until)
        if had_transmitter and channel.transmitter is None and memory.last_battery_at:
            # prev_* turns into tx_com_error when the last reading gets too old.
            self._schedule(key, "previous", memory.last_battery_at + PREVIOUS_READING_WINDOW)

    @callback
    def observe_meters(self, key: ChannelKey, channel: Channel, now: datetime) -> None:
        """A meter reading: only an audio peak matters to the status."""
        if channel.audio_peak and (memory := self.memory.get(key)) is not None:
            memory.observe(channel, now)
            if memory.peak_until is not None:
                self._schedule(key, "peak", memory.peak_until)

    @callback
    def async_move(self, old_id: str, new_id: str) -> None:
        """A receiver's id moved: its channels' memories follow."""
        for key in [key for key in self.memory if key[0] == old_id]:
            self.memory[(new_id, key[1])] = self.memory.pop(key)

    @callback
    def async_cancel(self) -> None:
        """Cancel every pending deadline."""
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
        self._due.clear()

    @callback
    def _schedule(self, key: ChannelKey, reason: str, when: datetime) -> None:
        """Wake the channel at ``when``.

        An audio peak renews its hold on every sample, so a pending timer is not replaced:
        when it fires early it simply waits for the latest deadline.
        """
        timer = (key, reason)
        self._due[timer] = when
        if timer in self._timers:
            return

        @callback
        def _recheck(now: datetime) -> None:
            self._timers.pop(timer, None)
            due = self._due.pop(timer)
            if due > now:
                self._schedule(key, reason, due)
                return
            self._wake(key)

        self._timers[timer] = async_track_point_in_utc_time(self._hass, _recheck, when)
