"""REST and WebSocket access to a running Home Assistant, as its one admin user."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import time
from typing import Any

import aiohttp

from .const import USER, JSONObject
from .processes import alive


class HAError(RuntimeError):
    """Home Assistant answered something unexpected."""


@dataclass
class HomeAssistantAPI:
    """REST and WebSocket access to a running Home Assistant, as the one admin user."""

    base_url: str
    session: aiohttp.ClientSession
    token: str = ""
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _next_id: int = 1

    @property
    def client_id(self) -> str:
        return self.base_url + "/"

    async def wait_http(self, limit: float = 60, pid: int | None = None) -> None:
        """Until the HTTP server answers (a few seconds after the process starts)."""
        deadline = time.monotonic() + limit
        while True:
            if pid is not None and not alive(pid):
                raise HAError("hass exited during start-up; see its log")
            try:
                # Needs no token (an unauthenticated /api/ would count as a failed login);
                # answers 400 "onboarding_required" until the first user exists.
                async with self.session.get(f"{self.base_url}/auth/providers") as resp:
                    if resp.status in (200, 400):
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise HAError(f"Home Assistant did not answer at {self.base_url}")
            await asyncio.sleep(0.2)

    async def login(self) -> str:
        """Create the user on first start (onboarding), else log in through trusted networks."""
        # The onboarding views exist only until onboarding is complete.
        async with self.session.get(f"{self.base_url}/api/onboarding") as resp:
            steps = {s["step"]: s["done"] for s in await resp.json()} if resp.ok else {}
        if steps and not steps.get("user"):
            body = {**USER, "client_id": self.client_id, "language": "en"}
            data = await self.post("/api/onboarding/users", body)
            code = data["auth_code"]
        else:
            code = await self._trusted_networks_code()
        form = {"grant_type": "authorization_code", "code": code, "client_id": self.client_id}
        async with self.session.post(f"{self.base_url}/auth/token", data=form) as resp:
            if resp.status != 200:
                raise HAError(f"/auth/token: {resp.status} {await resp.text()}")
            self.token = (await resp.json())["access_token"]
        return self.token

    async def _trusted_networks_code(self) -> str:
        """An authorization code from the trusted-networks login flow, as our user."""
        flow = await self.post(
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["trusted_networks", None],
                "redirect_uri": self.client_id,
            },
        )
        if flow.get("type") == "form":  # several users: take ours
            users = flow["data_schema"][0]["options"]
            user_id = next(uid for uid, name in users if name == USER["name"])
            flow = await self.post(
                f"/auth/login_flow/{flow['flow_id']}",
                {"client_id": self.client_id, "user": user_id},
            )
        if flow.get("type") != "create_entry":
            raise HAError(f"trusted-networks login failed: {flow}")
        return str(flow["result"])

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def post(self, path: str, body: object) -> JSONObject:
        """POST a JSON body; the JSON object answered."""
        async with self.session.post(
            self.base_url + path, json=body, headers=self._headers
        ) as resp:
            if resp.status >= 400:
                raise HAError(f"POST {path}: {resp.status} {await resp.text()}")
            answer: JSONObject = await resp.json()
            return answer

    async def get(self, path: str, **params: str) -> Any:
        """GET; the JSON answered (an object or a list, depending on the path)."""
        async with self.session.get(
            self.base_url + path, headers=self._headers, params=params
        ) as resp:
            if resp.status >= 400:
                raise HAError(f"GET {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    async def wait_running(self, limit: float = 60) -> None:
        """Until Home Assistant reports RUNNING (every integration set up)."""
        deadline = time.monotonic() + limit
        while (await self.get("/api/config"))["state"] != "RUNNING":
            if time.monotonic() > deadline:
                raise HAError("Home Assistant did not reach RUNNING")
            await asyncio.sleep(0.2)

    # -- websocket

    async def ws(self) -> aiohttp.ClientWebSocketResponse:
        """The authenticated WebSocket (opened on first use)."""
        if self._ws is None or self._ws.closed:
            url = self.base_url.replace("http", "ws", 1) + "/api/websocket"
            ws = await self.session.ws_connect(url, max_msg_size=0)
            if (await ws.receive_json())["type"] != "auth_required":
                raise HAError("websocket: expected auth_required")
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (msg := await ws.receive_json())["type"] != "auth_ok":
                raise HAError(f"websocket auth: {msg}")
            self._ws = ws
        return self._ws

    async def call(self, type_: str, **fields: object) -> Any:
        """One websocket command; its result (events of other subscriptions are skipped)."""
        ws = await self.ws()
        msg_id = self._next_id
        self._next_id += 1
        await ws.send_json({"id": msg_id, "type": type_, **fields})
        while True:
            msg = await ws.receive_json()
            if msg.get("id") == msg_id and msg["type"] == "result":
                if not msg["success"]:
                    raise HAError(f"{type_}: {msg['error']}")
                return msg["result"]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
