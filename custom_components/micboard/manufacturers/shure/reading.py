"""Reading a receiver's full state over a session, telling what it is, and the one-shot probe.

A full read is ``GET 0 ALL`` (plus ``GET MODEL``), or ``GET n ALL`` per channel on SLX-D+,
which refuses the former. What comes back identifies the family; ``build_receiver`` turns
the accumulated state into the public, frozen ``Receiver``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import DeviceError, ErrorKind, MicboardConnectionError, UnsupportedDeviceError
from ..fleet import placeholder_receiver
from ..models import Receiver
from .const import DEFAULT_PORT, MANUFACTURER
from .families import FAMILIES, apply_message
from .identification import Identity, identify
from .options import ClientOptions
from .parser import Message, Rep
from .session import Session
from .state import DeviceState

# Device-scoped keys asked for one by one where GET 0 ALL is refused (SLX-D+).
_PER_CHANNEL_DEVICE_KEYS = ("MODEL", "DEVICE_ID", "FW_VER", "RF_BAND")
# Every channel key some supported family reports.
_SHURE_KEYS = frozenset(key for family in FAMILIES for key in family.channel_keys)


@dataclass(slots=True)
class Reading:
    """A receiver's state as read (and then kept current) in one session."""

    identity: Identity
    device: DeviceState


def full_read_commands(identity: Identity | None) -> list[str]:
    """Commands that make a receiver report its whole state."""
    if identity is None or not identity.family.per_channel_get_all:
        return ["< GET 0 ALL >"]
    commands = [f"< GET {key} >" for key in _PER_CHANNEL_DEVICE_KEYS]
    for index in range(1, identity.channel_count + 1):
        # An SLX-D+ channel without a transmitter leaves its name out of GET n ALL.
        commands += [f"< GET {index} ALL >", f"< GET {index} CHAN_NAME >"]
        commands.append(f"< GET {index} FREQUENCY >")
    return commands


def identify_answer(where: str, messages: Sequence[Message]) -> Identity:
    """The identity an answer to a full read shows.

    Raises MicboardConnectionError (TIMED_OUT) when the answer is only pushed values, and
    UnsupportedDeviceError when it is not a supported Shure receiver.
    """
    model: str | None = None
    device_keys = 0
    channel_keys: set[str] = set()
    channel_indexes: set[int] = set()
    for message in messages:
        if not isinstance(message, Rep):
            continue
        if message.channel is None:
            device_keys += 1
            if message.key == "MODEL":
                model = message.value.strip() or None
        elif message.channel > 0:
            channel_keys.add(message.key)
            channel_indexes.add(message.channel)
    identity = identify(model, channel_keys, channel_indexes)
    if identity is None and not device_keys and channel_keys and channel_keys <= _SHURE_KEYS:
        # Only values a receiver pushes on its own (say a battery tick) came back before the
        # full read did: the receiver is busy or slow, not something else. Try again later.
        raise MicboardConnectionError("no full answer yet", kind=ErrorKind.TIMED_OUT, host=where)
    if identity is None:
        what = f"model {model!r}" if model else "no recognisable model or keys"
        raise UnsupportedDeviceError(f"not a supported Shure receiver ({what})", host=where)
    return identity


# The connection opened but nothing answered the full read.
NO_ANSWER_AFTER_CONNECT = "no answer"


async def read_receiver(session: Session, known_mac: str | None = None) -> Reading:
    """Read and identify a receiver's full state over a fresh session.

    Raises MicboardConnectionError when it does not answer, UnsupportedDeviceError when what
    answers is not a supported Shure receiver.
    """
    # MODEL is asked for explicitly: SLX-D+ refuses GET 0 ALL but answers GET MODEL.
    messages = await session.exchange(["< GET 0 ALL >", "< GET MODEL >"])
    if not messages:
        raise MicboardConnectionError(
            NO_ANSWER_AFTER_CONNECT, kind=ErrorKind.TIMED_OUT, host=session.where
        )
    identity = identify_answer(session.where, messages)
    if identity.family.per_channel_get_all and not any(
        isinstance(message, Rep) and message.channel for message in messages
    ):
        messages += await session.exchange(full_read_commands(identity))
        identity = identify_answer(session.where, messages)
    if not any(isinstance(message, Rep) and message.channel for message in messages):
        # Identified (say by MODEL) but no channel answered: the burst was cut short (a
        # link flapping mid-read). Going online with empty channels would announce every
        # transmitter as gone and every name as cleared; try again instead.
        raise MicboardConnectionError(
            "no channel in the full read", kind=ErrorKind.TIMED_OUT, host=session.where
        )
    device = DeviceState()
    device.ensure_channels(identity.channel_count)
    for message in messages:
        apply_message(identity.family, device, message)
    if device.mac_address is None and identity.family.reports_net_settings:
        for message in await session.exchange(["< GET NET_SETTINGS SC >"]):
            apply_message(identity.family, device, message)
    if device.mac_address is None:
        device.mac_address = known_mac
    if device.model is None:
        device.model = identity.model
    return Reading(identity, device)


def build_receiver(
    host: str,
    port: int,
    reading: Reading | None,
    *,
    online: bool,
    error: DeviceError | None,
) -> Receiver:
    """The public, frozen view of a receiver; identified once it has been read."""
    if reading is None:
        return placeholder_receiver(MANUFACTURER, host, port, error)
    device = reading.device
    family = reading.identity.family
    return Receiver(
        manufacturer=MANUFACTURER,
        api_device_id=device.mac_address or f"{host}:{port}",
        host=host,
        port=port,
        online=online,
        identified=True,
        model=device.model,
        family=family.code,
        firmware=device.firmware,
        name=device.name,
        rf_band=device.rf_band,
        mac_address=device.mac_address,
        capabilities=family.capabilities,
        channels=device.built_channels(),
        error=error,
    )


async def probe(
    host: str,
    port: int = DEFAULT_PORT,
    timeout: float = 5.0,  # noqa: ASYNC109 - one budget for connect, read and close
) -> Receiver:
    """Connect once, read and identify the receiver, close politely.

    Raises MicboardConnectionError if unreachable or silent, UnsupportedDeviceError if what
    answers is not a supported Shure receiver.
    """
    options = ClientOptions(connect_timeout=timeout, request_timeout=min(timeout, 2.0))
    reading: Reading | None = None
    try:
        async with asyncio.timeout(timeout):
            session = await Session.open(host, port, options)
            try:
                reading = await read_receiver(session)
            finally:
                # SLX-D+ starts metering on its own when asked GET 0 ALL.
                await session.close(stop_metering=reading is not None)
    except TimeoutError as err:
        raise MicboardConnectionError(
            f"no answer within {timeout} s", kind=ErrorKind.TIMED_OUT, host=f"{host}:{port}"
        ) from err
    return build_receiver(host, port, reading, online=True, error=None)
