"""``ShureBackend``: every configured Shure receiver, kept connected, as one Snapshot.

All the fleet work (coalesced publishing, change sets, placeholders, bounded refresh) is
``FleetBackend``'s; this only says how to talk to one Shure receiver.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import HostPort
from ..fleet import DEFAULT_RESYNC_CONCURRENCY, ChangeNotifier, FleetBackend
from .connection import ReceiverConnection
from .const import MANUFACTURER
from .options import ClientOptions


class ShureBackend(FleetBackend[ReceiverConnection]):
    """Keeps one TCP 2202 connection per receiver and publishes a Snapshot on every change."""

    def __init__(
        self,
        hosts: Iterable[HostPort],
        *,
        meter_rate_ms: int = 1000,
        liveness_timeout: float = 4.5,
        connect_timeout: float = 3.0,
        request_timeout: float = 2.0,
        burst_quiet_time: float = 0.1,
        reconnect_min: float = 1.0,
        reconnect_max: float = 8.0,
        resync_concurrency: int = DEFAULT_RESYNC_CONCURRENCY,
    ) -> None:
        self.options = ClientOptions(
            meter_rate_ms=meter_rate_ms,
            liveness_timeout=liveness_timeout,
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
            burst_quiet_time=burst_quiet_time,
            reconnect_min=reconnect_min,
            reconnect_max=reconnect_max,
        )
        super().__init__(MANUFACTURER, hosts, self._connect, resync_concurrency=resync_concurrency)

    def _connect(self, host: str, port: int, notify: ChangeNotifier) -> ReceiverConnection:
        return ReceiverConnection(host, port, self.options, notify)
