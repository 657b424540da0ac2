"""Names shared by the config writer, the onboarding and the dashboard."""

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DOMAIN = "micboard"
DASHBOARD_URL = "dashboard-micboard"
USER = {"name": "Micboard", "username": "micboard", "password": "micboard"}
LOOPBACK = "127.0.0.1"

# A JSON object as Home Assistant's REST and WebSocket APIs send it.
type JSONObject = dict[str, Any]
