"""Progress lines on stderr (the table goes to stdout at the end)."""

import sys
import time

_STARTED = time.monotonic()


def say(message: str) -> None:
    """One progress line, stamped with the seconds since the soak started."""
    print(f"soak: {time.monotonic() - _STARTED:6.1f} s  {message}", file=sys.stderr, flush=True)
