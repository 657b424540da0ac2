"""Reading a device's full state over a session, telling what it is, and the one-shot probe.

A full read is ``GET 0 ALL`` (plus ``GET MODEL``), or ``GET n ALL`` per channel on SLX-D+,
which refuses the former. What comes back identifies the device: a receiver family, or a
charger model (``chargers``: SBC220/240, SBC840/840M, SBRC, SBC441 answer the same
commands). ``build_device`` turns the accumulated state into the public, frozen
``Receiver`` or ``Charger``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import DeviceError, ErrorKind, MicboardConnectionError, UnsupportedDeviceError
from ..fleet import placeholder_receiver
from ..models import Capability, Charger, Device, Receiver
from .chargers import (
    CHARGER_KEYS,
    CHARGER_ONLY_KEYS,
    FAMILY as CHARGER_FAMILY,
    ChargerModel,
    ChargerState,
    apply_charger_message,
    bays_implied,
    charger_model_of,
)
from .const import DEFAULT_PORT, MANUFACTURER
from .families import FAMILIES, GAIN_RANGE, NAME_RULE, apply_message
from .identification import Identity, identify
from .options import ClientOptions
from .parser import Message, Rep
from .session import Session
from .state import DeviceState

# Device-scoped keys asked for one by one where GET 0 ALL is refused (SLX-D+).
_PER_CHANNEL_DEVICE_KEYS = ("MODEL", "DEVICE_ID", "FW_VER", "RF_BAND")
CHARGER_CAPABILITIES = frozenset({Capability.IDENTIFY})
# Every channel key some supported family reports.
_SHURE_KEYS = frozenset(key for family in FAMILIES for key in family.channel_keys)


@dataclass(slots=True)
class Reading:
    """A receiver's state as read (and then kept current) in one session."""

    identity: Identity
    device: DeviceState

    def full_read(self) -> list[str]:
        """Commands that make the receiver report its whole state again."""
        return full_read_commands(self.identity)


@dataclass(slots=True)
class ChargerReading:
    """A charger's state as read (and then kept current) in one session."""

    model: ChargerModel
    device: ChargerState

    def full_read(self) -> list[str]:
        """Commands that make the charger report its whole state again."""
        return ["< GET 0 ALL >"]


def full_read_commands(identity: Identity | None) -> list[str]:
    """Commands that make a receiver report its whole state."""
    if identity is None:
        return ["< GET 0 ALL >"]
    return channel_read_commands(identity, range(1, identity.channel_count + 1))


def channel_read_commands(identity: Identity, channels: Iterable[int]) -> list[str]:
    """What reads these channels (and the receiver): the whole burst, or each channel's
    where the family refuses ``GET 0 ALL`` (SLX-D+)."""
    if not identity.family.per_channel_get_all:
        return ["< GET 0 ALL >"]
    commands = [f"< GET {key} >" for key in _PER_CHANNEL_DEVICE_KEYS]
    for index in channels:
        # An SLX-D+ channel without a transmitter leaves its name out of GET n ALL.
        commands += [f"< GET {index} ALL >", f"< GET {index} CHAN_NAME >"]
        commands.append(f"< GET {index} FREQUENCY >")
    return commands


def identify_answer(where: str, messages: Sequence[Message]) -> Identity | ChargerModel:
    """The receiver identity or charger model an answer to a full read shows.

    Raises MicboardConnectionError (TIMED_OUT) when the answer is only pushed values, and
    UnsupportedDeviceError when it is not a supported Shure receiver or charger.
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
    if (charger := charger_model_of(model)) is not None:
        return charger
    pushed_only = not device_keys and channel_keys
    if pushed_only and (channel_keys <= _SHURE_KEYS or channel_keys <= CHARGER_KEYS):
        # Only values a device pushes on its own (say a battery tick) came back before the
        # full read did: the device is busy or slow, not something else. Try again later.
        raise MicboardConnectionError("no full answer yet", kind=ErrorKind.TIMED_OUT, host=where)
    if not model and channel_keys & CHARGER_ONLY_KEYS:
        # Charger keys (some of which receivers share, BATT_BARS ...) are never read as a
        # receiver family; a charger that does not name its model is not guessed either.
        raise UnsupportedDeviceError("a Shure charger that reports no model", host=where)
    identity = identify(model, channel_keys, channel_indexes)
    if identity is None:
        what = f"model {model!r}" if model else "no recognisable model or keys"
        raise UnsupportedDeviceError(
            f"not a supported Shure receiver or charger ({what})", host=where
        )
    return identity


# The connection opened but nothing answered the full read.
NO_ANSWER_AFTER_CONNECT = "no answer"


async def read_device(session: Session, known_mac: str | None = None) -> Reading | ChargerReading:
    """Read and identify a receiver's or charger's full state over a fresh session.

    Raises MicboardConnectionError when it does not answer, UnsupportedDeviceError when what
    answers is not a supported Shure receiver or charger.
    """
    # MODEL is asked for explicitly: SLX-D+ refuses GET 0 ALL but answers GET MODEL.
    messages = await session.exchange(["< GET 0 ALL >", "< GET MODEL >"])
    if not messages:
        raise MicboardConnectionError(
            NO_ANSWER_AFTER_CONNECT, kind=ErrorKind.TIMED_OUT, host=session.where
        )
    identity = identify_answer(session.where, messages)
    if isinstance(identity, ChargerModel):
        return await _read_charger(session, identity, messages, known_mac)
    if identity.family.per_channel_get_all and not any(
        isinstance(message, Rep) and message.channel for message in messages
    ):
        messages += await session.exchange(full_read_commands(identity))
        again = identify_answer(session.where, messages)
        if isinstance(again, ChargerModel):
            return await _read_charger(session, again, messages, known_mac)
        identity = again
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
    if unread := _unread_channels(device):
        # Every channel reports its name in a full read: a channel without one was cut
        # off (a receiver coming back from a hang answers the first requests only).
        # Asked once more; with no channel named at all, going online would announce every
        # transmitter as gone and every name as cleared, so the session tries again.
        for message in await session.exchange(channel_read_commands(identity, unread)):
            apply_message(identity.family, device, message)
        if len(_unread_channels(device)) == identity.channel_count:
            raise MicboardConnectionError(
                "no channel name in the full read", kind=ErrorKind.TIMED_OUT, host=session.where
            )
    if device.mac_address is None and identity.family.reports_net_settings:
        for message in await session.exchange(["< GET NET_SETTINGS SC >"]):
            apply_message(identity.family, device, message)
    if device.mac_address is None:
        device.mac_address = known_mac
    if device.model is None:
        device.model = identity.model
    return Reading(identity, device)


def _unread_channels(device: DeviceState) -> list[int]:
    return [index for index, state in device.channels.items() if state.channel.name is None]


async def _read_charger(
    session: Session, model: ChargerModel, messages: list[Message], known_mac: str | None
) -> ChargerReading:
    """The rest of a charger's first read: its bays, and its MAC from NET_SETTINGS."""
    if not any(isinstance(message, Rep) and message.channel for message in messages):
        # Whether a dump lists empty bays is not known (sheet §5): a burst without any bay
        # may be cut short, or a charger with nothing in it. Asked once more; then taken.
        messages = [*messages, *await session.exchange(["< GET 0 ALL >"])]
    device = ChargerState()
    for message in messages:
        apply_charger_message(device, message)
    device.ensure_bays(bays_implied(model, device))
    if device.mac_address is None:
        # The only place a charger's MAC appears on 2202 (sheet §2); REP ERR if not there.
        for message in await session.exchange(["< GET NET_SETTINGS SC >"]):
            apply_charger_message(device, message)
    if device.mac_address is None:
        device.mac_address = known_mac
    if device.model is None:
        device.model = model.code
    return ChargerReading(model, device)


def build_device(
    host: str,
    port: int,
    reading: Reading | ChargerReading | None,
    *,
    online: bool,
    error: DeviceError | None,
) -> Device:
    """The public, frozen view of whatever was read at ``host:port``."""
    if isinstance(reading, ChargerReading):
        return build_charger(host, port, reading, online=online, error=error)
    return build_receiver(host, port, reading, online=online, error=error)


def build_charger(
    host: str, port: int, reading: ChargerReading, *, online: bool, error: DeviceError | None
) -> Charger:
    """The public, frozen view of a charger that has been read."""
    device = reading.device
    return Charger(
        manufacturer=MANUFACTURER,
        api_device_id=device.mac_address or f"{host}:{port}",
        host=host,
        port=port,
        online=online,
        identified=True,
        model=device.model,
        family=CHARGER_FAMILY,
        firmware=device.firmware,
        name=device.name,
        mac_address=device.mac_address,
        storage_mode=device.storage_mode,
        # Chargers take SET FLASH ON as the receivers do (shure-chargers sheet §2).
        capabilities=CHARGER_CAPABILITIES,
        bays=device.built_bays(reading.model),
        modules=device.built_modules(),
        error=error,
    )


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
        name_rule=NAME_RULE if Capability.CHANNEL_NAME in family.capabilities else None,
        gain_range=GAIN_RANGE if Capability.AUDIO_GAIN in family.capabilities else None,
        channels=device.built_channels(),
        error=error,
    )


async def probe(
    host: str,
    port: int = DEFAULT_PORT,
    timeout: float = 5.0,  # noqa: ASYNC109 - one budget for connect, read and close
) -> Device:
    """Connect once, read and identify the receiver or charger, close politely.

    Raises MicboardConnectionError if unreachable or silent, UnsupportedDeviceError if what
    answers is not a supported Shure receiver or charger.
    """
    options = ClientOptions(connect_timeout=timeout, request_timeout=min(timeout, 2.0))
    reading: Reading | ChargerReading | None = None
    try:
        async with asyncio.timeout(timeout):
            session = await Session.open(host, port, options)
            try:
                reading = await read_device(session)
            finally:
                # SLX-D+ starts metering on its own when asked GET 0 ALL; chargers have none.
                await session.close(stop_metering=isinstance(reading, Reading))
    except TimeoutError as err:
        raise MicboardConnectionError(
            f"no answer within {timeout} s", kind=ErrorKind.TIMED_OUT, host=f"{host}:{port}"
        ) from err
    return build_device(host, port, reading, online=True, error=None)
