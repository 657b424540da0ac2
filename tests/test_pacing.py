"""The level-sensor write policy: what is written at once, later, or never."""

from __future__ import annotations

import random

from hypothesis import given, strategies as st
import pytest

from custom_components.micboard.pacing import PacingPolicy, Reading, write_delay
from custom_components.micboard.sensor import (
    ANTENNA_PACING,
    AUDIO_PACING,
    QUALITY_PACING,
    RF_PACING,
)

RF = PacingPolicy(interval=30.0, deadband=3.0, jump=8.0)
AUDIO = PacingPolicy(interval=30.0, deadband=6.0)
WORD = PacingPolicy(interval=30.0)
# The budget for a level entity (scripts/bench row 4).
WRITES_PER_S = 0.05


def test_sensor_policies() -> None:
    """RF fades are news; audio (speech) and antennas are paced only; 30 s between paced writes."""
    assert RF_PACING == RF
    assert AUDIO_PACING == AUDIO
    assert ANTENNA_PACING == WORD
    assert PacingPolicy(interval=30.0, deadband=5.0, jump=20.0) == QUALITY_PACING


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
        (AUDIO, (True, None), (True, -30), 0.1, 0.0),
        # A fade (or recovery) of 10 dB or more: at once, also right after a write.
        (RF, (True, -60), (True, -70), 0.0, 0.0),
        (RF, (True, -60), (True, -85), 0.5, 0.0),
        (RF, (True, -70), (True, -60), 0.1, 0.0),
        # 8 dB is enough: the written value itself may carry 2 dB of meter noise.
        (RF, (True, -60), (True, -68), 0.1, 0.0),
        (RF, (True, -60.5), (True, -52.5), 0.1, 0.0),
        # Just below the jump: waits for the interval.
        (RF, (True, -60), (True, -67), 1.0, 29.0),
        # Audio never at once, however far it moves.
        (AUDIO, (True, -30), (True, 0), 0.1, pytest.approx(29.9)),
        # Inside the deadband (meter noise): never.
        (RF, (True, -60), (True, -62), 100.0, None),
        (RF, (True, -60), (True, -57.5), 100.0, None),
        (AUDIO, (True, -30), (True, -25), 100.0, None),
        # At the deadband: written, paced.
        (RF, (True, -60), (True, -63), 2.0, 28.0),
        (AUDIO, (True, -30), (True, -36), 10.0, 20.0),
        # Interval already over: now.
        (RF, (True, -60), (True, -63), 31.0, 0.0),
        # A word (antenna) has no deadband: paced.
        (WORD, (True, "a"), (True, "b"), 1.0, 29.0),
        (WORD, (True, "a"), (True, "b"), 30.0, 0.0),
        # Link quality: a 20-point drop is news, smaller moves are paced.
        (QUALITY_PACING, (True, 90), (True, 70), 0.1, 0.0),
        (QUALITY_PACING, (True, 90), (True, 80), 0.1, pytest.approx(29.9)),
        (QUALITY_PACING, (True, 90), (True, 87), 100.0, None),
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
    assert isinstance(before, int | float)
    assert isinstance(now, int | float)
    return policy.jump is not None and abs(now - before) >= policy.jump


type Write = tuple[float, Reading, bool]
"""(when, what, whether it was an at-once case)."""


def _simulate(
    policy: PacingPolicy, first: Reading, steps: list[tuple[float, Reading]]
) -> list[Write]:
    """The policy applied as the sensor applies it, delayed writes included.

    ``first`` is written at 0; each step is (seconds since the previous reading, reading).
    """
    now = 0.0
    written: Reading = first
    written_at = 0.0
    trailing_at: float | None = None
    latest: Reading = first
    writes: list[Write] = []

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
    return writes


levels = st.one_of(st.none(), st.integers(min_value=-120, max_value=0))
readings = st.tuples(st.booleans(), levels).map(lambda r: r if r[0] else (False, None))
steps = st.lists(
    st.tuples(st.floats(min_value=0.0, max_value=12.0), readings), min_size=1, max_size=80
)


@given(policy=st.sampled_from([RF, AUDIO, QUALITY_PACING]), first=readings, steps=steps)
def test_never_two_writes_within_the_interval(
    policy: PacingPolicy, first: Reading, steps: list[tuple[float, Reading]]
) -> None:
    """Outside the at-once cases, two writes are always at least one interval apart (so a
    sensor makes at most one paced write per interval), and nothing inside the deadband is
    ever written."""
    previous_at = 0.0
    previous: Reading = first
    for at, reading, at_once in _simulate(policy, first, steps):
        if not at_once:
            assert at - previous_at >= policy.interval - 1e-9
            if isinstance(previous[1], int) and isinstance(reading[1], int):
                assert abs(reading[1] - previous[1]) >= policy.deadband
        previous_at, previous = at, reading


def _meter(rng: random.Random, level: float, noise: float, digits: int | None) -> Reading:
    """One meter reading as the simulator sends it: the level plus Gaussian noise."""
    return (True, round(level + rng.gauss(0, noise), digits))


@pytest.mark.parametrize(
    ("policy", "level", "noise", "digits"),
    [
        # The simulator's meters (scripts/bench): RF +-1.5 dB in whole dBm (Shure) or
        # tenths (Sennheiser), audio +-4 dB.
        (RF, -55.0, 1.5, None),
        (RF, -55.0, 1.5, 1),
        (AUDIO, -20.0, 4.0, 1),
    ],
)
@pytest.mark.parametrize("seed", range(5))
def test_rate_bound_under_meter_noise(
    policy: PacingPolicy, level: float, noise: float, digits: int | None, seed: int
) -> None:
    """An hour of one reading a second of a steady, noisy level stays within the budget."""
    rng = random.Random(seed)
    hour = [(1.0, _meter(rng, level, noise, digits)) for _ in range(3600)]
    writes = _simulate(policy, _meter(rng, level, noise, digits), hour)
    assert len(writes) / 3600 <= WRITES_PER_S
    # Noise rarely passes for a fade (8 dB is almost 4 sigma of two readings' difference).
    assert sum(at_once for _, _, at_once in writes) <= 10


def test_small_wobble_is_never_written() -> None:
    """A level wobbling inside the deadband for an hour writes nothing after its first value."""
    hour = [(1.0, (True, -60 + (second % 5) - 2)) for second in range(3600)]
    assert _simulate(RF, (True, -60), hour) == []


@pytest.mark.parametrize("fade", [10, 12, 25])
def test_fade_is_written_within_a_second(fade: int) -> None:
    """Paced mid-interval, a fade of 10 dB or more lands with the reading that shows it."""
    steady = [(1.0, (True, -60 + second % 2)) for second in range(10)]
    # A fade 0.4 s after the last reading; it lands then, not at the end of the interval.
    writes = _simulate(RF, (True, -60), [*steady, (0.4, (True, -60 - fade))])
    assert writes == [(pytest.approx(10.4), (True, -60 - fade), True)]


@pytest.mark.parametrize("policy", [RF, AUDIO, WORD, QUALITY_PACING])
def test_appearing_and_going_are_written_at_once(policy: PacingPolicy) -> None:
    """Transmitter off (value goes), on again (comes back), receiver lost: each at once."""
    value: object = "a" if policy is WORD else -60
    changes: list[tuple[float, Reading]] = [
        (1.0, (True, None)),
        (0.5, (True, value)),
        (0.5, (False, None)),
        (0.5, (True, value)),
    ]
    writes = _simulate(policy, (True, value), changes)
    assert [(at, reading) for at, reading, _ in writes] == [
        (1.0, (True, None)),
        (1.5, (True, value)),
        (2.0, (False, None)),
        (2.5, (True, value)),
    ]
    assert all(at_once for _, _, at_once in writes)
