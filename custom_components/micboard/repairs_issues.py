"""Repair issues where the user must act on a device (third-party control switched off).

The library tells the situation apart (``ErrorKind.ACCESS_DISABLED``); the issue names the
device and the setting, and clears itself once the device answers.
"""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .lifecycle import receiver_name
from .manufacturers import ErrorKind, Receiver


class AccessIssues:
    """One manufacturer entry's "third-party access is off" issues."""

    def __init__(self, hass: HomeAssistant, entry_id: str, manufacturer: str) -> None:
        """Track nothing yet."""
        self._hass = hass
        self._entry_id = entry_id
        self._manufacturer = manufacturer
        self._open: set[str] = set()

    def _issue_id(self, receiver: Receiver) -> str:
        return f"{self._prefix}{receiver.host}_{receiver.port}"

    @callback
    def async_update(self, receivers: Iterable[Receiver], *, create: bool) -> None:
        """Clear the issues of devices that answer; with ``create``, raise new ones.

        Issues are raised only from a full poll (``create``), so a device that is merely
        slow while it boots does not flash one; they clear as soon as it answers.
        """
        for receiver in receivers:
            issue_id = self._issue_id(receiver)
            disabled = receiver.error is not None and (
                receiver.error.kind is ErrorKind.ACCESS_DISABLED
            )
            if disabled and create and issue_id not in self._open:
                self._open.add(issue_id)
                ir.async_create_issue(
                    self._hass,
                    DOMAIN,
                    issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key=f"access_disabled_{self._manufacturer}",
                    translation_placeholders={
                        "name": receiver_name(receiver),
                        "host": f"{receiver.host}:{receiver.port}",
                    },
                )
            elif receiver.online and issue_id in self._open:
                self._open.discard(issue_id)
                ir.async_delete_issue(self._hass, DOMAIN, issue_id)

    @callback
    def async_start(self, receivers: Iterable[Receiver]) -> None:
        """Take over the issues an earlier set-up raised; drop those of removed hosts.

        Issues outlive a set-up that fails (nothing answered yet) and its retries, so a
        receiver whose access is off keeps its issue until it answers or leaves the entry.
        """
        wanted = {self._issue_id(receiver) for receiver in receivers}
        prefix = self._prefix
        for domain, issue_id in list(ir.async_get(self._hass).issues):
            if domain != DOMAIN or not issue_id.startswith(prefix):
                continue
            if issue_id in wanted:
                self._open.add(issue_id)
            else:
                ir.async_delete_issue(self._hass, DOMAIN, issue_id)

    @property
    def _prefix(self) -> str:
        return f"access_disabled_{self._entry_id}_"


@callback
def async_remove_access_issues(hass: HomeAssistant, entry_id: str) -> None:
    """The entry was deleted: its issues go with it."""
    prefix = f"access_disabled_{entry_id}_"
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.startswith(prefix):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
