"""Helpers of the Sennheiser library tests (no Home Assistant): fast client timings.

The fake device is ``fake_device.py``; waiting is ``tests.waiting.eventually``.
"""

from __future__ import annotations

from custom_components.micboard.manufacturers.sennheiser.client import ClientOptions

# Small timings keep the suite fast; tests of the defaults say so.
FAST = ClientOptions(
    request_timeout=0.3,
    attempts=2,
    liveness_timeout=0.8,
    keepalive_after=0.3,
    subscription_lifetime=2,
    renew_interval=0.6,
    reconnect_min=0.05,
    reconnect_max=0.2,
)
