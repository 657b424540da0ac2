"""When a level sensor writes its state: a pure policy (no Home Assistant imports).

The recorder keeps every state written, and the board streams live meters on its own
websocket, so the level sensors serve history and automations, not a live meter. A reading
is written at once when it appears, goes or (for RF) fades or recovers by ``jump`` or more;
else at most once per ``interval``, and only when it moved past the ``deadband``.
"""

from __future__ import annotations

from dataclasses import dataclass

type Reading = tuple[bool, object]
"""(available, value) as the sensor would write it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PacingPolicy:
    """How one kind of level is paced."""

    # Seconds between two paced writes (the at-once cases do not wait for it).
    interval: float = 30.0
    # Moves smaller than this (in the value's unit) are noise and never written.
    deadband: float = 0.0
    # Moves of at least this are written at once; None: never at once (audio: speech moves
    # several dB many times a second).
    jump: float | None = None


def write_delay(
    policy: PacingPolicy, written: Reading | None, reading: Reading, elapsed: float
) -> float | None:
    """Seconds until ``reading`` should be written (0: now), or None when it should not be.

    ``written`` is what was last written (None: nothing yet) and ``elapsed`` the seconds since.
    """
    if written == reading:
        return None
    if written is None or written[0] != reading[0]:
        return 0.0
    before, now = written[1], reading[1]
    if before is None or now is None:
        return 0.0
    if isinstance(before, int | float) and isinstance(now, int | float):
        move = abs(now - before)
        if policy.jump is not None and move >= policy.jump:
            return 0.0
        if move < policy.deadband:
            return None
    return max(0.0, policy.interval - elapsed)
