"""The library's errors: one base class, a few types, and the kind of each failure.

A kind is kept as data (``ErrorKind``) so that callers can react to it (translate it,
count it, decide whether a retry helps) without parsing message text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import override


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
    # A change was not sent: the value is beyond what the device takes.
    INVALID = "invalid"
    # A change was not sent: the device (or channel) cannot be told this.
    NOT_SUPPORTED = "not_supported"
    # The device answered a change with an error.
    REJECTED = "rejected"
    # The device did not report the new value in time.
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True, slots=True)
class DeviceError:
    """A failure as data: its kind and a human detail (without the host)."""

    kind: ErrorKind
    detail: str

    @override
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


class MicboardControlError(MicboardError):
    """A change asked of a device (identify, name, mute, gain) did not happen."""

    kind = ErrorKind.REJECTED


class ControlNotSupportedError(MicboardControlError):
    """The device, channel or control does not exist: nothing was sent."""

    kind = ErrorKind.NOT_SUPPORTED


class InvalidReason(StrEnum):
    """Which limit a refused value is beyond."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    # Characters the device does not take in a name.
    CHARACTERS = "characters"
    # A name starting or ending with a space (devices pad names with spaces).
    EDGE_SPACE = "edge_space"
    OUT_OF_RANGE = "out_of_range"
    # Between the device's steps (Sennheiser gain moves in 3 dB steps).
    STEP = "step"


class InvalidValueError(MicboardControlError):
    """The value is beyond the device's limits: nothing was sent.

    ``reason`` says which limit (``InvalidReason``) and ``limits`` the limit's figures as
    text (``{"max_length": "8"}``), so a consumer can say it in its own words.
    """

    kind = ErrorKind.INVALID

    def __init__(
        self,
        detail: str,
        *,
        reason: InvalidReason,
        limits: Mapping[str, str] | None = None,
        host: str | None = None,
    ) -> None:
        """``detail`` says what is wrong, naming the limit."""
        super().__init__(detail, host=host)
        self.reason = reason
        self.limits: Mapping[str, str] = dict(limits or {})


class WriteRefusedError(MicboardControlError):
    """The device refused the change: it answered with an error (``REP ERR``, an SSC error
    code) or reported that it kept another value."""

    kind = ErrorKind.REJECTED


class NotConfirmedError(MicboardControlError):
    """The device did not report the new value in time: whether it took it is unknown."""

    kind = ErrorKind.NOT_CONFIRMED
