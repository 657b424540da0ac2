"""Changes made from Home Assistant: allowed or not, sent, confirmed by the device, attributed.

A show must never change by accident. Controls exist only while the entry's *Allow changes
to receivers* option is on; every change goes to the library, which checks it against the
model's limits, sends it and returns only once the device reported the new value. Nothing
here is optimistic: the entities show what the snapshot says, and the snapshot changes when
the device says so. The lifecycle event the device's answer causes (``device_updated``) is
fired with the Home Assistant context of the call and the user's name (``changed_by``), so
the activity log says who made the change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .announcer import Attribution
from .const import CONF_ALLOW_CHANGES, DOMAIN
from .coordinator import MicboardCoordinator
from .identifiers import ChannelKey
from .lifecycle import channel_name, charger_name, receiver_name
from .manufacturers import (
    ControlNotSupportedError,
    InvalidValueError,
    MicboardConnectionError,
    MicboardError,
    NotConfirmedError,
    WriteRefusedError,
)

# The tracked keys (``lifecycle.channel_tracked``) each change shows up under.
FIELD_NAME = "name"
FIELD_MUTE = "audio_mute"
FIELD_GAIN = "audio_gain"


def changes_allowed(entry: ConfigEntry) -> bool:
    """Whether the entry's option allows changes to its devices (off by default)."""
    return bool(entry.options.get(CONF_ALLOW_CHANGES, False))


def not_allowed(title: str) -> ServiceValidationError:
    """The refusal while the option is off."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="changes_not_allowed",
        translation_placeholders={"entry": title},
    )


def device_label(coordinator: MicboardCoordinator, key: ChannelKey, *, bay: bool = False) -> str:
    """How the user knows the device: its name in Home Assistant, else the device's own."""
    device = coordinator.devices.async_device_entry(key, bay=bay)
    if device is not None and (name := device.name_by_user or device.name):
        return name
    api_id, index = key
    if bay:
        charger = coordinator.charger(api_id)
        return charger_name(charger) if charger is not None else api_id
    receiver = coordinator.receiver(api_id)
    if receiver is None:
        return api_id
    channel = receiver.channel(index) if index else None
    return channel_name(channel) if channel is not None else receiver_name(receiver)


async def async_user_name(hass: HomeAssistant, context: Context | None) -> str | None:
    """The name of the Home Assistant user a call came from, if it came from one."""
    if context is None or context.user_id is None:
        return None
    user = await hass.auth.async_get_user(context.user_id)
    return user.name if user is not None and user.name else None


def invalid_value(err: InvalidValueError, device: str, value: str) -> ServiceValidationError:
    """A value beyond the model's limits, in the user's words."""
    placeholders = {"device": device, "value": value, **err.limits}
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=f"invalid_{err.reason}",
        translation_placeholders=placeholders,
    )


def translated(err: MicboardError, device: str, value: str = "") -> HomeAssistantError:
    """A library failure of a change as a translated Home Assistant error naming the device."""
    if isinstance(err, InvalidValueError):
        return invalid_value(err, device, value)
    if isinstance(err, ControlNotSupportedError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_supported",
            translation_placeholders={"device": device, "detail": err.detail},
        )
    placeholders = {"device": device, "detail": err.detail}
    if isinstance(err, NotConfirmedError):
        key = "not_confirmed"
    elif isinstance(err, WriteRefusedError):
        key = "refused"
    elif isinstance(err, MicboardConnectionError):
        key = "unreachable"
    else:
        key = "change_failed"
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@contextmanager
def attributed(coordinator: MicboardCoordinator, change: Attribution) -> Iterator[None]:
    """While the change is under way, the event its confirmation causes names its author."""
    coordinator.announcer.async_expect(change)
    try:
        yield
    finally:
        coordinator.announcer.async_forget(change)


async def async_change[T](
    coordinator: MicboardCoordinator,
    call: Callable[[], Awaitable[T]],
    *,
    key: ChannelKey,
    device: str,
    context: Context | None,
    fields: frozenset[str] = frozenset(),
    value: str = "",
) -> T:
    """Run one library write (``call``); a failure becomes a translated error naming
    ``device``. Refused at once while the entry does not allow changes."""
    if not changes_allowed(coordinator.config_entry):
        raise not_allowed(coordinator.config_entry.title)
    user = await async_user_name(coordinator.hass, context)
    with attributed(coordinator, Attribution(key, fields, context, user)):
        try:
            return await call()
        except MicboardError as err:
            raise translated(err, device, value) from err
