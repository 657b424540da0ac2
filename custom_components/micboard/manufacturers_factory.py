"""Build the backend a config entry asks for."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry

from .const import CONF_HOSTS, SHURE_DEFAULT_PORT
from .hosts import parse_host
from .manufacturers import Backend
from .manufacturers.shure import ShureBackend


def create_backend(entry: ConfigEntry) -> Backend:
    """The manufacturer backend for the entry's receivers (Shure is the only one yet)."""
    hosts = [parse_host(host, SHURE_DEFAULT_PORT) for host in entry.options.get(CONF_HOSTS, [])]
    return ShureBackend(hosts)
