"""The level-sensor write policy: what is written at once, later, or never."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.micboard.pacing import PacingPolicy, Reading, write_delay
from custom_components.micboard.sensor import AUDIO_PACING, QUALITY_PACING, RF_PACING

RF = PacingPolicy(interval=5.0, deadband=2.0, jump=6.0)
AUDIO = PacingPolicy(interval=5.0, deadband=2.0)


def test_sensor_policies() -> None:
    """RF jumps are news; audio (speech) and antennas are paced only."""
    assert RF_PACING == RF
    assert AUDIO_PACING == AUDIO
    assert PacingPolicy(interval=5.0, deadband=5.0) == QUALITY_PACING


@pytest.mark.parametrize(
    ("policy", "written", "reading", "elapsed", "expected"),
    [
        # Nothing written yet: at once.
        (RF, None, (True, -60), 0.0, 0.0),
        # Unchanged: never.
        (RF, (True, -60), (True, -60), 100.0, None),
        # Becomes unavailable, or available again: at once.
        (RF, (True, -60), (False, None), 0.1, 0.0),
        (RF, (False, None), (True, -60), 0.1, 0.0),
        # Appears (transmitter on) or goes (off): at once.
        (RF, (True, None), (True, -60), 0.1, 0.0),
        (RF, (True, -60), (True, None), 0.1, 0.0),
        (AUDIO, (True, -30), (True, None), 0.1, 0.0),
        # RF jump of at least 6 dB, either way: at once.
        (RF, (True, -60), (True, -66), 0.1, 0.0),
        (RF, (True, -60), (True, -54), 0.1, 0.0),
        # Just below the jump: waits for the interval.
        (RF, (True, -60), (True, -65), 1.0, 4.0),
        # Audio never at once, however far it moves.
        (AUDIO, (True, -30), (True, 0), 0.1, pytest.approx(4.9)),
        # Inside the deadband: never.
        (RF, (True, -60), (True, -61), 100.0, None),
        (AUDIO, (True, -30), (True, -28.5), 100.0, None),
        # At the deadband: written, paced.
        (RF, (True, -60), (True, -62), 2.0, 3.0),
        # Interval already over: now.
        (RF, (True, -60), (True, -63), 7.0, 0.0),
        # A word (antenna) has no deadband: paced.
        (AUDIO, (True, "a"), (True, "b"), 1.0, 4.0),
        (AUDIO, (True, "a"), (True, "b"), 5.0, 0.0),
    ],
)
def test_policy_table(
    policy: PacingPolicy,
    written: Reading | None,
    reading: Reading,
    elapsed: float,
    expected: float | None,
) -> None:
    """The documented cases, one per line."""
    assert write_delay(policy, written, reading, elapsed) == expected


def _at_once(policy: PacingPolicy, written: Reading, reading: Reading) -> bool:
    """The cases the policy writes without waiting: appear/go, availability, RF jump."""
    if written[0] != reading[0] or written[1] is None or reading[1] is None:
        return True
    before, now = written[1], reading[1]
    assert isinstance(before, int)
    assert isinstance(now, int)
    return policy.jump is not None and abs(now - before) >= policy.jump


levels = st.one_of(st.none(), st.integers(min_value=-120, max_value=0))
readings = st.tuples(st.booleans(), levels).map(lambda r: r if r[0] else (False, None))
steps = st.lists(
    st.tuples(st.floats(min_value=0.0, max_value=3.0), readings), min_size=1, max_size=60
)


@given(policy=st.sampled_from([RF, AUDIO]), first=readings, steps=steps)
def test_never_two_writes_within_the_interval(
    policy: PacingPolicy, first: Reading, steps: list[tuple[float, Reading]]
) -> None:
    """Simulated as the sensor applies it (delayed writes included): outside the at-once
    cases, two writes are always at least one interval apart, and nothing inside the
    deadband is ever written."""
    now = 0.0
    written: Reading = first
    written_at = 0.0
    trailing_at: float | None = None
    latest: Reading = first
    writes: list[tuple[float, Reading, bool]] = []

    def write(reading: Reading, at: float, at_once: bool) -> None:
        nonlocal written, written_at, trailing_at
        writes.append((at, reading, at_once))
        written, written_at, trailing_at = reading, at, None

    for gap, reading in steps:
        # A pending delayed write lands before the next reading if it is due.
        if trailing_at is not None and trailing_at <= now + gap:
            if write_delay(policy, written, latest, trailing_at - written_at) is not None:
                write(latest, trailing_at, False)
            trailing_at = None
        now += gap
        latest = reading
        delay = write_delay(policy, written, reading, now - written_at)
        if delay is None:
            continue
        if delay <= 0:
            write(reading, now, _at_once(policy, written, reading))
        elif trailing_at is None:
            trailing_at = now + delay

    previous_at = 0.0
    previous: Reading = first
    for at, reading, at_once in writes:
        if not at_once:
            assert at - previous_at >= policy.interval - 1e-9
            if isinstance(previous[1], int) and isinstance(reading[1], int):
                assert abs(reading[1] - previous[1]) >= policy.deadband
        previous_at, previous = at, reading
