"""Set-up in the UI: manufacturer, receivers, options, reconfigure and discovery."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import probatio

from .const import (
    CONF_AUTO_ADD_DISCOVERED,
    CONF_DETAIL_ENTITIES,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
    MANUFACTURER_NAMES,
    MANUFACTURER_SHURE,
    MANUFACTURERS,
    SHURE_DEFAULT_PORT,
)
from .coordinator import channel_identifier, receiver_identifier
from .hosts import InvalidHostError, format_host, parse_hosts
from .manufacturers import UnsupportedDeviceError
from .manufacturers.shure import probe

PROBE_TIMEOUT = 5.0


async def _probe_hosts(hosts: list[tuple[str, int]]) -> dict[str, str]:
    """Contact every host at once; map the base error key to the hosts that failed it."""
    results = await asyncio.gather(
        *(probe(host, port, timeout=PROBE_TIMEOUT) for host, port in hosts),
        return_exceptions=True,
    )
    failed: dict[str, list[str]] = {}
    for (host, port), result in zip(hosts, results, strict=True):
        if isinstance(result, UnsupportedDeviceError):
            key = "not_supported"
        elif isinstance(result, BaseException):
            # Unreachable, timed out, or the connection broke mid-answer.
            key = "cannot_connect"
        else:
            continue
        failed.setdefault(key, []).append(format_host(host, port, SHURE_DEFAULT_PORT))
    return {key: ", ".join(names) for key, names in failed.items()}


async def _validate_hosts(
    text: str, already_checked: Collection[str] = ()
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Parse and contact the hosts; returns (canonical hosts, errors, placeholders).

    Hosts in ``already_checked`` (the entry's current ones) are kept without contacting
    them again: a receiver switched off during the show must not block editing the list.
    """
    try:
        parsed = parse_hosts(text, SHURE_DEFAULT_PORT)
    except InvalidHostError as err:
        return [], {CONF_HOSTS: "invalid_host"}, {"hosts": err.entry}
    if not parsed:
        return [], {CONF_HOSTS: "no_hosts"}, {}
    canonical = [format_host(host, port, SHURE_DEFAULT_PORT) for host, port in parsed]
    known = set(already_checked)
    to_check = [hp for hp, name in zip(parsed, canonical, strict=True) if name not in known]
    failed = await _probe_hosts(to_check) if to_check else {}
    if failed:
        unreachable = failed.get("cannot_connect")
        unsupported = failed.get("not_supported")
        if unreachable and unsupported:
            key = "cannot_connect_not_supported"
        else:
            key = "cannot_connect" if unreachable else "not_supported"
        placeholders = {"hosts": unreachable or unsupported or "", "unsupported": unsupported or ""}
        return canonical, {CONF_HOSTS: key}, placeholders
    return canonical, {}, {}


@callback
def _async_forget_removed(
    hass: HomeAssistant, entry: ConfigEntry, old: list[str], new: list[str]
) -> None:
    """Remove the devices of receivers whose host left the list."""
    removed = set(old) - set(new)
    coordinator = getattr(entry, "runtime_data", None)
    if not removed or coordinator is None or coordinator.data is None:
        return
    registry = dr.async_get(hass)
    for receiver in coordinator.data.receivers.values():
        if format_host(receiver.host, receiver.port, SHURE_DEFAULT_PORT) not in removed:
            continue
        idents = {receiver_identifier(coordinator.manufacturer, receiver.api_device_id)}
        idents |= {
            channel_identifier(coordinator.manufacturer, receiver.api_device_id, channel.index)
            for channel in receiver.channels
        }
        for device in registry.async_get_devices(
            identifiers=idents, config_entry_id=entry.entry_id
        ):
            registry.async_remove_device(device.id)


# The yes/no options, in the order the form shows them.
SWITCHES = (CONF_AUTO_ADD_DISCOVERED, CONF_DETAIL_ENTITIES)


async def _async_edit_hosts(
    hass: HomeAssistant, entry: ConfigEntry, user_input: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Options and reconfigure edit the same fields: the new options, or the form to show."""
    current = entry.options.get(CONF_HOSTS, [])
    text = "\n".join(current)
    switches = {key: entry.options.get(key, False) for key in SWITCHES}
    errors: dict[str, str] = {}
    placeholders: dict[str, str] = {}
    if user_input is not None:
        text = user_input[CONF_HOSTS]
        switches = {key: user_input[key] for key in SWITCHES}
        hosts, errors, placeholders = await _validate_hosts(text, current)
        if not errors:
            _async_forget_removed(hass, entry, current, hosts)
            return {**entry.options, CONF_HOSTS: hosts, **switches}, {}
    return None, {
        "data_schema": _hosts_schema(text, switches),
        "errors": errors,
        "description_placeholders": placeholders,
    }


def _hosts_schema(hosts: str, switches: dict[str, bool] | None = None) -> probatio.Schema:
    fields: dict[Any, Any] = {
        probatio.Required(CONF_HOSTS, default=hosts): TextSelector(
            TextSelectorConfig(multiline=True)
        )
    }
    for key, value in (switches or {}).items():
        fields[probatio.Required(key, default=value)] = BooleanSelector()
    return probatio.Schema(fields)


class MicboardConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per manufacturer, holding the receivers to watch."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing discovered."""
        self._discovered: dict[str, Any] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> MicboardOptionsFlow:
        """Options: receivers and discovery behaviour."""
        return MicboardOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick the manufacturer."""
        if user_input is not None:
            manufacturer = user_input[CONF_MANUFACTURER]
            await self.async_set_unique_id(manufacturer)
            self._abort_if_unique_id_configured()
            return await self.async_step_shure()
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_MANUFACTURER, default=MANUFACTURER_SHURE
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=list(MANUFACTURERS),
                            translation_key=CONF_MANUFACTURER,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_shure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """List the Shure receivers; every one must answer before the entry is created."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        text = ""
        if user_input is not None:
            text = user_input[CONF_HOSTS]
            hosts, errors, placeholders = await _validate_hosts(text)
            if not errors:
                return self.async_create_entry(
                    title=MANUFACTURER_NAMES[MANUFACTURER_SHURE],
                    data={CONF_MANUFACTURER: MANUFACTURER_SHURE},
                    options={
                        CONF_HOSTS: hosts,
                        CONF_AUTO_ADD_DISCOVERED: False,
                        CONF_DETAIL_ENTITIES: False,
                    },
                )
        return self.async_show_form(
            step_id="shure",
            data_schema=_hosts_schema(text),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the receivers and discovery behaviour without deleting the entry."""
        entry = self._get_reconfigure_entry()
        options, form = await _async_edit_hosts(self.hass, entry, user_input)
        if options is not None:
            return self.async_update_reload_and_abort(entry, options=options)
        return self.async_show_form(step_id="reconfigure", **form)

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """A receiver announced itself that no entry watches yet."""
        host = format_host(discovery_info["host"], discovery_info["port"], SHURE_DEFAULT_PORT)
        await self.async_set_unique_id(f"{MANUFACTURER_SHURE}-discovered-{host}")
        self._abort_if_unique_id_configured()
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, MANUFACTURER_SHURE
        )
        if entry is None or host in entry.options.get(CONF_HOSTS, []):
            return self.async_abort(reason="already_configured")
        self._discovered = {**discovery_info, "host_text": host}
        self.context["title_placeholders"] = {"name": discovery_info.get("name") or host}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before adding a discovered receiver to the manufacturer's entry."""
        host = self._discovered["host_text"]
        if user_input is not None:
            entry = self.hass.config_entries.async_entry_for_domain_unique_id(
                DOMAIN, MANUFACTURER_SHURE
            )
            if entry is None:
                return self.async_abort(reason="not_set_up")
            hosts = [*entry.options.get(CONF_HOSTS, []), host]
            self.hass.config_entries.async_update_entry(
                entry, options={**entry.options, CONF_HOSTS: list(dict.fromkeys(hosts))}
            )
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
            return self.async_abort(reason="receiver_added")
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "name": self._discovered.get("name") or host,
                "model": self._discovered.get("model") or "",
                "host": host,
            },
        )


class MicboardOptionsFlow(OptionsFlowWithReload):
    """Add or remove receivers; choose whether discovered receivers are added by themselves."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The single options form."""
        options, form = await _async_edit_hosts(self.hass, self.config_entry, user_input)
        if options is not None:
            return self.async_create_entry(data=options)
        return self.async_show_form(step_id="init", **form)
