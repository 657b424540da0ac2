"""``micboard.set_channel_names``: rename many channels at once, for show preparation.

The list is checked as a whole first: every device must be a Micboard channel of an entry
that allows changes, listed once, whose receiver takes the name. If any is not, nothing is
sent and the error says which (all of them). Then every rename goes out at once, each
confirmed by its receiver; the response says, per channel, what happened.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio

from .const import DOMAIN, SERVICE_SET_CHANNEL_NAMES
from .controls import (
    FIELD_NAME,
    async_change,
    changes_allowed,
    device_label,
    not_allowed,
    translated,
)
from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .identifiers import parse_identifier
from .manufacturers import ControlNotSupportedError, InvalidValueError, check_channel_name

ATTR_CHANNELS = "channels"
ATTR_DEVICE_ID = "device_id"
ATTR_NAME = "name"

SET_CHANNEL_NAMES_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_CHANNELS): probatio.All(
            cv.ensure_list,
            [
                probatio.Schema(
                    {
                        probatio.Required(ATTR_DEVICE_ID): cv.string,
                        probatio.Required(ATTR_NAME): cv.string,
                    }
                )
            ],
            probatio.Length(min=1),
        )
    }
)


@dataclass(frozen=True, slots=True)
class _Rename:
    """One checked rename: the channel device, its coordinator and receiver key."""

    device_id: str
    name: str
    coordinator: MicboardCoordinator
    receiver_id: str
    channel: int
    label: str


def _unknown(device_id: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_channel",
        translation_placeholders={"device_id": device_id},
    )


@callback
def _checked(hass: HomeAssistant, device_id: str, name: str) -> _Rename:
    """The rename of one channel device, or the error that refuses it (nothing sent)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise _unknown(device_id)
    entries: list[MicboardConfigEntry] = list(hass.config_entries.async_loaded_entries(DOMAIN))
    for identifier in device.identifiers:
        ref = parse_identifier(identifier)
        if ref is None or not ref.is_channel:
            continue
        entry = next(
            (
                e
                for e in entries
                if e.entry_id in device.config_entries
                and e.runtime_data.manufacturer == ref.manufacturer
            ),
            None,
        )
        if entry is None:
            break
        if not changes_allowed(entry):
            raise not_allowed(entry.title)
        coordinator = entry.runtime_data
        receiver = coordinator.receiver(ref.receiver_id)
        if receiver is None or receiver.channel(ref.channel_index) is None:
            break
        label = device_label(coordinator, ref.key)
        try:
            check_channel_name(receiver, ref.channel_index, name)
        except (InvalidValueError, ControlNotSupportedError) as err:
            raise translated(err, label, name) from err
        return _Rename(device_id, name, coordinator, ref.receiver_id, ref.channel_index, label)
    raise _unknown(device_id)


async def _async_rename(call: ServiceCall, rename: _Rename) -> dict[str, Any]:
    backend = rename.coordinator.backend
    try:
        reported = await async_change(
            rename.coordinator,
            lambda: backend.set_channel_name(rename.receiver_id, rename.channel, rename.name),
            key=(rename.receiver_id, rename.channel),
            device=rename.label,
            context=call.context,
            fields=frozenset({FIELD_NAME}),
            value=rename.name,
        )
    except HomeAssistantError as err:
        return {
            ATTR_DEVICE_ID: rename.device_id,
            ATTR_NAME: rename.name,
            "renamed": False,
            "error": str(err),
        }
    return {ATTR_DEVICE_ID: rename.device_id, ATTR_NAME: reported, "renamed": True}


async def _async_set_channel_names(call: ServiceCall) -> ServiceResponse:
    """Check every rename, then send them all at once; report each channel's outcome."""
    hass = call.hass
    renames: list[_Rename] = []
    problems: list[HomeAssistantError] = []
    seen: set[str] = set()
    for item in call.data[ATTR_CHANNELS]:
        device_id, name = item[ATTR_DEVICE_ID], item[ATTR_NAME]
        if device_id in seen:
            problems.append(
                ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="duplicate_channel",
                    translation_placeholders={"device_id": device_id},
                )
            )
            continue
        seen.add(device_id)
        try:
            renames.append(_checked(hass, device_id, name))
        except HomeAssistantError as err:
            problems.append(err)
    if problems:
        refusal = next((p for p in problems if p.translation_key == "changes_not_allowed"), None)
        if refusal is not None:
            raise refusal
        if len(problems) == 1:
            raise problems[0]
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="names_invalid",
            translation_placeholders={
                "count": str(len(problems)),
                "problems": "; ".join(str(problem) for problem in problems),
            },
        )
    results = await asyncio.gather(*(_async_rename(call, rename) for rename in renames))
    if call.return_response:
        return {ATTR_CHANNELS: list(results)}
    if failed := [result for result in results if not result["renamed"]]:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="names_not_set",
            translation_placeholders={
                "count": str(len(failed)),
                "total": str(len(results)),
                "problems": "; ".join(str(result["error"]) for result in failed),
            },
        )
    return None


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register Micboard's actions (once per hass, whatever the entries)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_CHANNEL_NAMES,
        _async_set_channel_names,
        schema=SET_CHANNEL_NAMES_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
