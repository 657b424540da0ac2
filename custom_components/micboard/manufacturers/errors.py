"""The library's errors: one base class, a few types, and the kind of each failure.

A kind is kept as data (``ErrorKind``) so that callers can react to it (translate it,
count it, decide whether a retry helps) without parsing message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    """Why talking to a device failed."""

    # No route, host unknown, or another OS-level failure to connect.
    UNREACHABLE = "unreachable"
    # The device's port refused the connection.
    REFUSED = "refused"
    # Connecting or waiting for an answer took too long.
    TIMED_OUT = "timed_out"
    # An open connection stopped answering (liveness).
    SILENT = "silent"
    # The device closed the connection, or a write failed.
    CLOSED = "closed"
    # Not started yet, or not contacted yet.
    NOT_CONNECTED = "not_connected"
    # Something answered, but it is not a device this backend supports.
    UNSUPPORTED = "unsupported"
    # The device sent something that cannot be understood.
    PROTOCOL = "protocol"
    # The device wants credentials, or refused the ones given.
    AUTH = "auth"
    # The device answers but has third-party control switched off.
    ACCESS_DISABLED = "access_disabled"


@dataclass(frozen=True, slots=True)
class DeviceError:
    """A failure as data: its kind and a human detail (without the host)."""

    kind: ErrorKind
    detail: str

    def __str__(self) -> str:
        return self.detail


class MicboardError(Exception):
    """Base class of every error raised by a manufacturer backend."""

    kind: ErrorKind = ErrorKind.PROTOCOL

    def __init__(self, detail: str, *, kind: ErrorKind | None = None, host: str | None = None):
        """``detail`` says what happened; ``host`` ("host:port") where it happened."""
        super().__init__(f"{host}: {detail}" if host else detail)
        if kind is not None:
            self.kind = kind
        self.detail = detail
        self.host = host

    @property
    def error(self) -> DeviceError:
        """The failure as data, for a model's ``error`` field."""
        return DeviceError(self.kind, self.detail)


class MicboardConnectionError(MicboardError):
    """A device could not be reached, or the connection was lost or timed out."""

    kind = ErrorKind.UNREACHABLE


class MicboardProtocolError(MicboardError):
    """A device sent something that cannot be understood."""

    kind = ErrorKind.PROTOCOL


class UnsupportedDeviceError(MicboardProtocolError):
    """A device answered, but it is not a model this backend supports."""

    kind = ErrorKind.UNSUPPORTED


class MicboardAuthError(MicboardError):
    """A device needs credentials, or refused the ones given."""

    kind = ErrorKind.AUTH
