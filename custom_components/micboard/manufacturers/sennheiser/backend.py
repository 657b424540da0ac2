"""``SennheiserBackend``: every configured SSC v1 receiver and charger, kept subscribed."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import HostPort
from ..fleet import DEFAULT_RESYNC_CONCURRENCY, ChangeNotifier, FleetBackend
from .client import ClientOptions, ReceiverConnection
from .state import MANUFACTURER


class SennheiserBackend(FleetBackend[ReceiverConnection]):
    """One UDP session per device (``FleetBackend`` does the rest); options in one place."""

    def __init__(
        self,
        hosts: Iterable[HostPort],
        *,
        options: ClientOptions | None = None,
        resync_concurrency: int = DEFAULT_RESYNC_CONCURRENCY,
    ) -> None:
        self._options = options or ClientOptions()
        super().__init__(MANUFACTURER, hosts, self._connect, resync_concurrency=resync_concurrency)

    @property
    def options(self) -> ClientOptions:
        """The timings every receiver connection uses."""
        return self._options

    def _connect(self, host: str, port: int, notify: ChangeNotifier) -> ReceiverConnection:
        return ReceiverConnection(host, port, notify, self._options)
