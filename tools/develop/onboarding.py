"""First start of a running Home Assistant: the user, the Micboard entries, the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from .client import HAError, HomeAssistantAPI
from .const import DOMAIN, JSONObject
from .dashboard import ensure_dashboard
from .rig import Rig, wait_rig


async def _entries_by_manufacturer(api: HomeAssistantAPI) -> dict[str, str]:
    """Micboard's entries by manufacturer code, told by their service device's identifier.

    The REST entry list carries no unique id or data; the service device of an entry is
    identified as ``(micboard, <code>)`` (see ``identifiers.py``).
    """
    entries = await api.get("/api/config/config_entries/entry", domain=DOMAIN)
    ids = {str(e["entry_id"]) for e in entries}
    found: dict[str, str] = {}
    device: JSONObject
    for device in await api.call("config/device_registry/list"):
        if device.get("entry_type") != "service":
            continue
        for entry_id in device.get("config_entries", []):
            if entry_id in ids:
                for domain, code in device.get("identifiers", []):
                    if domain == DOMAIN:
                        found[code] = entry_id
    return found


async def ensure_entry(api: HomeAssistantAPI, hosts: list[str], manufacturer: str = "shure") -> str:
    """The manufacturer's Micboard entry, added through the real config flow if missing."""
    if entry_id := (await _entries_by_manufacturer(api)).get(manufacturer):
        return entry_id
    flow = await api.post("/api/config/config_entries/flow", {"handler": DOMAIN})
    # The user step picks the manufacturer; its hosts step has the manufacturer's code as id.
    steps = [{"manufacturer": manufacturer}, {"hosts": "\n".join(hosts)}]
    for user_input in steps:
        if flow.get("type") != "form":
            break
        flow = await api.post(f"/api/config/config_entries/flow/{flow['flow_id']}", user_input)
    if flow.get("type") == "abort" and flow.get("reason") == "already_configured":
        # An entry that has not set up its service device yet (set-up failed last run).
        entries = await api.get("/api/config/config_entries/entry", domain=DOMAIN)
        known = set((await _entries_by_manufacturer(api)).values())
        rest = [e for e in entries if e["entry_id"] not in known]
        if len(rest) == 1:
            return str(rest[0]["entry_id"])
    if flow.get("type") != "create_entry":
        raise HAError(f"Micboard config flow ({manufacturer}) did not create the entry: {flow}")
    return str(flow["result"]["entry_id"])


@dataclass
class Bootstrapped:
    token: str
    # By manufacturer code, in the order the hosts named them.
    entry_ids: dict[str, str] = field(default_factory=dict)
    rigs: dict[str, Rig] = field(default_factory=dict)
    dashboard_url: str = ""

    @property
    def receivers(self) -> list[JSONObject]:
        """Every manufacturer's receivers, manufacturer by manufacturer."""
        return [r for rig in self.rigs.values() for r in rig.receivers]


async def bootstrap(
    base_url: str,
    hosts: dict[str, list[str]],
    *,
    limit: float = 60,
    pid: int | None = None,
    chargers: dict[str, int] | None = None,
) -> Bootstrapped:
    """User, one Micboard entry per manufacturer, dashboard: what a first start needs.

    ``chargers``: how many of each code's hosts are chargers. They join the entry like the
    receivers; the receivers and their channels, the chargers and their bays are waited
    for. Idempotent: an existing user, entry or dashboard is reused (the dashboard
    refreshed).
    """
    chargers = chargers or {}
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantAPI(base_url, session)
        done = Bootstrapped("")
        try:
            await api.wait_http(limit, pid)
            done.token = await api.login()
            await api.wait_running(limit)
            # One flow after the other: each entry starts polling as soon as it exists.
            for code, code_hosts in hosts.items():
                done.entry_ids[code] = await ensure_entry(api, code_hosts, code)
            for code, entry_id in done.entry_ids.items():
                count = chargers.get(code, 0)
                receivers = len(hosts[code]) - count
                done.rigs[code] = await wait_rig(api, entry_id, receivers, chargers=count)
            done.dashboard_url = await ensure_dashboard(api, list(done.rigs.values()))
        finally:
            await api.close()
    return done
