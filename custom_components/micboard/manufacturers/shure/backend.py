"""``ShureBackend``: every configured Shure receiver and charger, kept connected.

All the fleet work (coalesced publishing, change sets, placeholders, bounded refresh) is
``FleetBackend``'s; this only says how to talk to one Shure device.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import HostPort
from ..fleet import DEFAULT_RESYNC_CONCURRENCY, ChangeNotifier, FleetBackend
from .connection import DeviceConnection
from .const import MANUFACTURER
from .options import ClientOptions


class ShureBackend(FleetBackend[DeviceConnection]):
    """Keeps one TCP 2202 connection per receiver or charger; publishes every change."""

    def __init__(
        self,
        hosts: Iterable[HostPort],
        *,
        meter_rate_ms: int = 1000,
        liveness_timeout: float = 4.5,
        charger_liveness_timeout: float = 6.0,
        connect_timeout: float = 3.0,
        request_timeout: float = 2.0,
        burst_quiet_time: float = 0.1,
        reconnect_min: float = 1.0,
        reconnect_max: float = 5.0,
        control_timeout: float = 3.0,
        resync_concurrency: int = DEFAULT_RESYNC_CONCURRENCY,
    ) -> None:
        self.options = ClientOptions(
            meter_rate_ms=meter_rate_ms,
            liveness_timeout=liveness_timeout,
            charger_liveness_timeout=charger_liveness_timeout,
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
            burst_quiet_time=burst_quiet_time,
            reconnect_min=reconnect_min,
            reconnect_max=reconnect_max,
            control_timeout=control_timeout,
        )
        super().__init__(MANUFACTURER, hosts, self._connect, resync_concurrency=resync_concurrency)

    def _connect(self, host: str, port: int, notify: ChangeNotifier) -> DeviceConnection:
        return DeviceConnection(host, port, self.options, notify)
