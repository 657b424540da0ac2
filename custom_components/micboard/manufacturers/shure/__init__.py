"""Shure wireless receivers over the TCP 2202 command-string protocol (no Home Assistant)."""

from .backend import ConnectionStats, ShureBackend
from .client import DEFAULT_PORT, MANUFACTURER, ClientOptions, probe
from .families import FAMILIES, Family

__all__ = [
    "DEFAULT_PORT",
    "FAMILIES",
    "MANUFACTURER",
    "ClientOptions",
    "ConnectionStats",
    "Family",
    "ShureBackend",
    "probe",
]
