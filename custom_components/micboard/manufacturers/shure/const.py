"""Names and numbers every part of the Shure package shares."""

from __future__ import annotations

MANUFACTURER = "shure"
# The command-string protocol's TCP port; it is not configurable on the receivers.
DEFAULT_PORT = 2202
