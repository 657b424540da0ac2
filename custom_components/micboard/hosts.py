"""Parsing of the receiver host list users type into the setup form (no HA imports)."""

from __future__ import annotations

import ipaddress
import re

# RFC 1123 host name label.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_SEPARATORS = re.compile(r"[\s,;]+")


class InvalidHostError(ValueError):
    """A host entry is not a host name, IP address or host:port."""

    def __init__(self, entry: str) -> None:
        """Remember the offending entry, so the form can name it."""
        super().__init__(f"Invalid host: {entry}")
        self.entry = entry


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    if len(host) > 253 or host.replace(".", "").isdigit():
        return False
    return all(_LABEL.match(label) for label in host.rstrip(".").split("."))


def parse_host(entry: str, default_port: int) -> tuple[str, int]:
    """Parse ``host``, ``host:port`` or ``[v6]:port`` into (host, port)."""
    host, port = entry, default_port
    if entry.startswith("["):
        host, sep, rest = entry[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise InvalidHostError(entry)
        if rest:
            port = _parse_port(rest[1:], entry)
    elif entry.count(":") == 1:
        host, _, port_text = entry.partition(":")
        port = _parse_port(port_text, entry)
    if not host or not _valid_host(host):
        raise InvalidHostError(entry)
    return host.lower(), port


def _parse_port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InvalidHostError(entry)
    return int(text)


def parse_hosts(text: str, default_port: int) -> list[tuple[str, int]]:
    """Parse a list separated by commas, spaces or new lines; duplicates collapse, order kept."""
    hosts: list[tuple[str, int]] = []
    for entry in _SEPARATORS.split(text.strip()):
        if entry and (parsed := parse_host(entry, default_port)) not in hosts:
            hosts.append(parsed)
    return hosts


def format_host(host: str, port: int, default_port: int) -> str:
    """The canonical text of a host: ``host`` on the default port, else ``host:port``."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default_port else f"{shown}:{port}"
