"""First start of a running Home Assistant: the user, the Micboard entry, the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from .client import HAError, HomeAssistantAPI
from .const import DOMAIN
from .dashboard import ensure_dashboard
from .rig import Rig, wait_rig


async def ensure_entry(api: HomeAssistantAPI, hosts: list[str]) -> str:
    """The Micboard (Shure) entry, added through the real config flow if missing."""
    entries = await api.get("/api/config/config_entries/entry", domain=DOMAIN)
    if entries:
        return str(entries[0]["entry_id"])
    flow = await api.post("/api/config/config_entries/flow", {"handler": DOMAIN})
    steps = [{"manufacturer": "shure"}, {"hosts": "\n".join(hosts)}]
    for user_input in steps:
        if flow.get("type") != "form":
            break
        flow = await api.post(f"/api/config/config_entries/flow/{flow['flow_id']}", user_input)
    if flow.get("type") != "create_entry":
        raise HAError(f"Micboard config flow did not create the entry: {flow}")
    return str(flow["result"]["entry_id"])


@dataclass
class Bootstrapped:
    token: str
    entry_id: str
    rig: Rig
    dashboard_url: str


async def bootstrap(
    base_url: str, hosts: list[str], *, limit: float = 60, pid: int | None = None
) -> Bootstrapped:
    """User, Micboard entry, dashboard: everything a first start needs, idempotent."""
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantAPI(base_url, session)
        try:
            await api.wait_http(limit, pid)
            await api.login()
            await api.wait_running(limit)
            entry_id = await ensure_entry(api, hosts)
            rig = await wait_rig(api, entry_id, len(hosts))
            url = await ensure_dashboard(api, rig)
        finally:
            await api.close()
    return Bootstrapped(api.token, entry_id, rig, url)
