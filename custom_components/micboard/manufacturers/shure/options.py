"""``ClientOptions``: the timing of talking to one receiver or charger, in one place."""

from __future__ import annotations

from dataclasses import dataclass

_METER_RATE_MIN_MS = 100
_METER_RATE_MAX_MS = 65535


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientOptions:
    """Timing of one receiver connection (seconds unless the name says otherwise)."""

    # SAMPLE interval asked of the receiver; 0 leaves metering off.
    meter_rate_ms: int = 1000
    # A receiver that sends nothing for this long is offline; it is asked for METER_RATE
    # half-way through the silence, so a healthy receiver always has a reason to speak.
    # Below 5 s so that, counted from when the receiver fell silent (up to one meter
    # interval after its last word) plus the time to act on it, "offline" lands within 5 s.
    liveness_timeout: float = 4.5
    # The same for a charger, which has no metering and pushes little (a time-to-full tick a
    # minute): asked ``GET DEVICE_ID`` half-way through a silence, offline after this long,
    # so a charger that falls silent is offline well within 10 s.
    charger_liveness_timeout: float = 6.0
    connect_timeout: float = 3.0
    # Longest wait for the first reply to a command.
    request_timeout: float = 2.0
    # A GET ALL burst has no terminator: it is over after this long without a REP.
    burst_quiet_time: float = 0.1
    reconnect_min: float = 1.0
    # Capped low so a receiver that comes back is found again within seconds: it waits at
    # most one pause (2.5-5 s) plus a read. The soak's recovery target is 10 s at p99, and
    # with an 8 s cap a loaded machine came within 0.2 s of it; a refused connect is cheap.
    reconnect_max: float = 5.0
    # How long a change (SET) may take until the device reports the new value.
    control_timeout: float = 3.0

    def meter_rate_command(self, rate_ms: int | None = None) -> str:
        """``< SET 0 METER_RATE nnnnn >`` with the rate clamped to what receivers accept."""
        rate = self.meter_rate_ms if rate_ms is None else rate_ms
        if rate:
            rate = min(max(rate, _METER_RATE_MIN_MS), _METER_RATE_MAX_MS)
        return f"< SET 0 METER_RATE {rate:05d} >"
