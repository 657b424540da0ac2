"""The clock both processes share, and progress lines."""

import sys
import time

_STARTED = time.monotonic()


def say(message: str) -> None:
    """Progress on stderr (the report itself goes to stdout at the end)."""
    print(f"bench: {time.monotonic() - _STARTED:5.1f} s  {message}", file=sys.stderr, flush=True)


def clock() -> float:
    """System-wide monotonic clock (the same in both processes on Linux)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)
