"""Diagnostics: the current snapshot, connection state and the last sync."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .coordinator import MicboardConfigEntry

# Nothing secret travels over today's protocols; API keys and passwords of later
# manufacturers must never leave the machine in a diagnostics download.
TO_REDACT = {"api_key", "password", "token"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MicboardConfigEntry
) -> dict[str, Any]:
    """Everything needed to understand a problem report."""
    coordinator = entry.runtime_data
    snapshot = coordinator.data
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "receivers": {
                api_id: {**asdict(receiver), "capabilities": sorted(receiver.capabilities)}
                for api_id, receiver in snapshot.receivers.items()
            },
            "chargers": {
                api_id: {**asdict(charger), "capabilities": sorted(charger.capabilities)}
                for api_id, charger in snapshot.chargers.items()
            },
            "connections": {
                api_id: asdict(stats)
                for api_id, stats in coordinator.backend.connection_stats.items()
            },
            "last_sync": (
                {**asdict(sync), "error_message": sync.error_message}
                if (sync := coordinator.last_sync)
                else None
            ),
            "last_sync_status": str(coordinator.last_sync.status)
            if coordinator.last_sync
            else None,
            "last_update_success": coordinator.last_update_success,
        },
        TO_REDACT,
    )
