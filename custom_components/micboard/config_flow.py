"""Set-up in the UI: manufacturer, receivers, options, reconfigure and discovery."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from functools import partial
from ipaddress import ip_address
from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
import probatio

from .const import (
    CONF_ALLOW_CHANGES,
    CONF_AUTO_ADD_DISCOVERED,
    CONF_DETAIL_ENTITIES,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
    LOGGER,
)
from .coordinator import MicboardConfigEntry
from .hosts import InvalidHostError, format_host, parse_host, parse_hosts
from .manufacturers import (
    MANUFACTURERS,
    Charger,
    DiscoveryKind,
    ManufacturerSpec,
    MicboardError,
    Receiver,
    UnsupportedDeviceError,
    get_manufacturer,
)

PROBE_TIMEOUT = 5.0


async def _probe_hosts(spec: ManufacturerSpec, hosts: list[tuple[str, int]]) -> dict[str, str]:
    """Contact every host at once; map the base error key to the hosts that failed it.

    Only the library's own errors mean "that host failed"; anything else is a bug and is
    raised, not shown as "cannot connect".
    """
    results = await asyncio.gather(
        *(spec.probe(host, port, PROBE_TIMEOUT) for host, port in hosts),
        return_exceptions=True,
    )
    failed: dict[str, list[str]] = {}
    for (host, port), result in zip(hosts, results, strict=True):
        if isinstance(result, UnsupportedDeviceError):
            key = "not_supported"
        elif isinstance(result, MicboardError):
            # Unreachable, timed out, or the connection broke mid-answer.
            key = "cannot_connect"
        elif isinstance(result, BaseException):
            raise result
        else:
            continue
        failed.setdefault(key, []).append(format_host(host, port, spec.default_port))
    return {key: ", ".join(names) for key, names in failed.items()}


async def _validate_hosts(
    spec: ManufacturerSpec, text: str, already_checked: Collection[str] = ()
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Parse and contact the hosts; returns (canonical hosts, errors, placeholders).

    Hosts in ``already_checked`` (the entry's current ones) are kept without contacting
    them again: a receiver switched off during the show must not block editing the list.
    """
    base = {"manufacturer": spec.name}
    try:
        parsed = parse_hosts(text, spec.default_port)
    except InvalidHostError as err:
        return [], {CONF_HOSTS: "invalid_host"}, {**base, "hosts": err.entry}
    if not parsed:
        return [], {CONF_HOSTS: "no_hosts"}, base
    canonical = [format_host(host, port, spec.default_port) for host, port in parsed]
    known = set(already_checked)
    to_check = [hp for hp, name in zip(parsed, canonical, strict=True) if name not in known]
    failed = await _probe_hosts(spec, to_check) if to_check else {}
    if failed:
        unreachable = failed.get("cannot_connect")
        unsupported = failed.get("not_supported")
        if unreachable and unsupported:
            key = "cannot_connect_not_supported"
        else:
            key = "cannot_connect" if unreachable else "not_supported"
        placeholders = {
            **base,
            "hosts": unreachable or unsupported or "",
            "unsupported": unsupported or "",
        }
        return canonical, {CONF_HOSTS: key}, placeholders
    return canonical, {}, base


@callback
def _async_forget_removed(
    spec: ManufacturerSpec, entry: MicboardConfigEntry, old: list[str], new: list[str]
) -> None:
    """Remove the devices of receivers whose host left the list."""
    removed = set(old) - set(new)
    coordinator = getattr(entry, "runtime_data", None)
    if not removed or coordinator is None or coordinator.data is None:
        return

    def gone(device: Receiver | Charger) -> bool:
        return format_host(device.host, device.port, spec.default_port) in removed

    coordinator.devices.async_remove(
        filter(gone, coordinator.data.receivers.values()),
        filter(gone, coordinator.data.chargers.values()),
    )


# The yes/no options, in the order the form shows them.
SWITCHES = (CONF_AUTO_ADD_DISCOVERED, CONF_DETAIL_ENTITIES, CONF_ALLOW_CHANGES)


async def _async_edit_hosts(
    entry: MicboardConfigEntry, user_input: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Options and reconfigure edit the same fields: the new options, or the form to show."""
    spec = get_manufacturer(entry.data[CONF_MANUFACTURER])
    current = entry.options.get(CONF_HOSTS, [])
    text = "\n".join(current)
    switches = {key: entry.options.get(key, False) for key in SWITCHES}
    errors: dict[str, str] = {}
    placeholders = _spec_placeholders(spec)
    if user_input is not None:
        text = user_input[CONF_HOSTS]
        switches = {key: user_input[key] for key in SWITCHES}
        hosts, errors, placeholders = await _validate_hosts(spec, text, current)
        placeholders = {**_spec_placeholders(spec), **placeholders}
        if not errors:
            _async_forget_removed(spec, entry, current, hosts)
            return {**entry.options, CONF_HOSTS: hosts, **switches}, {}
    return None, {
        "data_schema": _hosts_schema(text, switches),
        "errors": errors,
        "description_placeholders": placeholders,
    }


def _spec_placeholders(spec: ManufacturerSpec) -> dict[str, str]:
    return {"manufacturer": spec.name, "default_port": str(spec.default_port)}


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
    """One entry per manufacturer, holding the receivers to watch.

    Each manufacturer's hosts step has the manufacturer's code as its step id (so its
    texts are its own); ``__getattr__`` routes every registered code to the one generic
    step, so adding a manufacturer adds no code here.
    """

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing discovered."""
        self._discovered: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        """``async_step_<manufacturer code>``: that manufacturer's hosts step."""
        code = name.removeprefix("async_step_")
        if code != name and code in MANUFACTURERS:
            return partial(self._async_step_hosts, MANUFACTURERS[code])
        raise AttributeError(name)

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> MicboardOptionsFlow:
        """Options: receivers and discovery behaviour."""
        return MicboardOptionsFlow()

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick the manufacturer."""
        if user_input is not None:
            spec = get_manufacturer(user_input[CONF_MANUFACTURER])
            await self.async_set_unique_id(spec.code)
            self._abort_if_unique_id_configured()
            return await self._async_step_hosts(spec)
        codes = list(MANUFACTURERS)
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_MANUFACTURER, default=codes[0]): SelectSelector(
                        SelectSelectorConfig(
                            options=codes,
                            translation_key=CONF_MANUFACTURER,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def _async_step_hosts(
        self, spec: ManufacturerSpec, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """List the manufacturer's receivers; every one must answer before the entry exists."""
        errors: dict[str, str] = {}
        placeholders = _spec_placeholders(spec)
        text = ""
        if user_input is not None:
            text = user_input[CONF_HOSTS]
            hosts, errors, found = await _validate_hosts(spec, text)
            placeholders |= found
            if not errors:
                return self.async_create_entry(
                    title=spec.name,
                    data={CONF_MANUFACTURER: spec.code},
                    options={
                        CONF_HOSTS: hosts,
                        CONF_AUTO_ADD_DISCOVERED: False,
                        CONF_DETAIL_ENTITIES: False,
                        # A show must never change by accident: controls are opt-in.
                        CONF_ALLOW_CHANGES: False,
                    },
                )
        return self.async_show_form(
            step_id=spec.code,
            data_schema=_hosts_schema(text),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the receivers and discovery behaviour without deleting the entry."""
        entry = self._get_reconfigure_entry()
        options, form = await _async_edit_hosts(entry, user_input)
        if options is not None:
            return self.async_update_reload_and_abort(entry, options=options)
        return self.async_show_form(step_id="reconfigure", **form)

    @override
    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """A receiver announced itself (by the manufacturer's own listener)."""
        spec = get_manufacturer(discovery_info[CONF_MANUFACTURER])
        return await self._async_discovered(
            spec,
            host=discovery_info["host"],
            port=discovery_info["port"],
            name=discovery_info.get("name"),
            model=discovery_info.get("model"),
        )

    @override
    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A receiver announced itself by mDNS (the manifest lists the service types)."""
        spec = next(
            (
                spec
                for spec in MANUFACTURERS.values()
                if spec.discovery is DiscoveryKind.ZEROCONF
                and discovery_info.type in spec.zeroconf_types
            ),
            None,
        )
        if spec is None:
            return self.async_abort(reason="not_supported_device")
        # "<instance name>.<service type>" -> "<instance name>" (the name the device announces)
        name = discovery_info.name.removesuffix(f".{discovery_info.type}") or None
        return await self._async_discovered(
            spec,
            host=discovery_info.host,
            port=discovery_info.port or spec.default_port,
            name=name,
            model=discovery_info.properties.get("model") or None,
        )

    async def _async_discovered(
        self,
        spec: ManufacturerSpec,
        *,
        host: str,
        port: int,
        name: str | None,
        model: str | None,
    ) -> ConfigFlowResult:
        """A receiver that no entry watches yet: add it (auto-add on) or offer to (off)."""
        text = format_host(host, port, spec.default_port)
        await self.async_set_unique_id(f"{spec.code}-discovered-{text}")
        self._abort_if_unique_id_configured()
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, spec.code)
        if entry is None or text in entry.options.get(CONF_HOSTS, []):
            return self.async_abort(reason="already_configured")
        # Announcements say little (an SSC charger announces like a receiver): ask the
        # device itself before adding or offering it.
        try:
            receiver = await spec.probe(host, port, PROBE_TIMEOUT)
        except UnsupportedDeviceError:
            return self.async_abort(reason="not_supported_device")
        except MicboardError:
            return self.async_abort(reason="cannot_connect")
        name = receiver.name or name
        model = receiver.model or model
        if (moved_from := _watched_elsewhere(entry, receiver.api_device_id)) is not None:
            if not _is_ip_address(parse_host(moved_from, spec.default_port)[0]):
                # Watched by its name, which follows it wherever DHCP puts it.
                return self.async_abort(reason="already_configured")
            # The same device (by its MAC) at a new address: DHCP gave it another one.
            LOGGER.info(
                "%s %s moved from %s to %s", model or spec.name, name or "", moved_from, text
            )
            _async_move_host(self.hass, entry, moved_from, text)
            return self.async_abort(reason="receiver_moved")
        if entry.options.get(CONF_AUTO_ADD_DISCOVERED):
            LOGGER.info("Adding %s %s found at %s", model or spec.name, name or "", text)
            _async_add_host(self.hass, entry, text)
            return self.async_abort(reason="receiver_added")
        self._discovered = {"manufacturer": spec.code, "host": text, "name": name, "model": model}
        self.context["title_placeholders"] = {"name": name or text}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before adding a discovered receiver to the manufacturer's entry."""
        host = self._discovered["host"]
        if user_input is not None:
            entry = self.hass.config_entries.async_entry_for_domain_unique_id(
                DOMAIN, self._discovered["manufacturer"]
            )
            if entry is None:
                return self.async_abort(reason="not_set_up")
            _async_add_host(self.hass, entry, host)
            return self.async_abort(reason="receiver_added")
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "name": self._discovered["name"] or host,
                "model": self._discovered["model"] or "",
                "host": host,
            },
        )


def _is_ip_address(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _watched_elsewhere(entry: MicboardConfigEntry, api_id: str) -> str | None:
    """The configured host at which the entry watches this device, if another one.

    Only a device known by its MAC can be recognised at a new address: an id that is its
    ``host:port`` names the new address, which no watched device has.
    """
    if entry.state is not ConfigEntryState.LOADED:
        return None
    spec = get_manufacturer(entry.data[CONF_MANUFACTURER])
    snapshot = entry.runtime_data.data
    device = snapshot.receivers.get(api_id) or snapshot.chargers.get(api_id)
    if device is None:
        return None
    # Not ``host_text`` itself: a watched host's announcement was turned away before.
    return format_host(device.host, device.port, spec.default_port)


@callback
def _async_move_host(
    hass: HomeAssistant, entry: MicboardConfigEntry, old_text: str, new_text: str
) -> None:
    """Watch the device at its new address instead of the old one (a reload: its
    connection moves; its devices, entities and history stay, keyed by its MAC)."""
    hosts = [host for host in entry.options.get(CONF_HOSTS, []) if host != old_text]
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_HOSTS: [*hosts, new_text]}
    )
    hass.config_entries.async_schedule_reload(entry.entry_id)


@callback
def _async_add_host(hass: HomeAssistant, entry: MicboardConfigEntry, host_text: str) -> None:
    """Add a host to a manufacturer's entry and start watching it, without a reload.

    A reload would reconnect every receiver of the show; adding one leaves the others be.
    An entry that is not loaded watches the new host from its next set-up.
    """
    hosts = list(dict.fromkeys([*entry.options.get(CONF_HOSTS, []), host_text]))
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_HOSTS: hosts})
    if entry.state is not ConfigEntryState.LOADED:
        return
    spec = get_manufacturer(entry.data[CONF_MANUFACTURER])
    host, port = parse_host(host_text, spec.default_port)
    entry.async_create_background_task(
        hass, entry.runtime_data.backend.add_receiver(host, port), f"micboard add {host_text}"
    )


class MicboardOptionsFlow(OptionsFlowWithReload):
    """Add or remove receivers; choose whether discovered receivers are added by themselves."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The single options form."""
        options, form = await _async_edit_hosts(self.config_entry, user_input)
        if options is not None:
            return self.async_create_entry(data=options)
        return self.async_show_form(step_id="init", **form)
