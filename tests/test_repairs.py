"""Repair issues for devices whose third-party access is switched off."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.micboard.const import DOMAIN
from custom_components.micboard.manufacturers import DeviceError, ErrorKind

from .helpers import FakeNetwork, receiver, setup_fake_entry, unanswered

OFF = DeviceError(ErrorKind.ACCESS_DISABLED, "connected, but the receiver answers no command")


def _issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
    }


async def test_issue_names_the_device_and_clears_when_it_answers(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Raised from a full poll with the host; gone as soon as the receiver answers."""
    # What answers at 10.0.0.5:2203 is a receiver with third-party control switched off.
    network.add(receiver("Lectern", port=2202, channels=1), unanswered("10.0.0.5", 2203, OFF))
    entry = await setup_fake_entry(hass, network)
    (issue_id, issue) = next(iter(_issues(hass).items()))
    assert issue_id == f"access_disabled_{entry.entry_id}_10.0.0.5_2203"
    assert issue.translation_key == "access_disabled_shure"
    assert issue.translation_placeholders == {
        "name": "Receiver 10.0.0.5",
        "host": "10.0.0.5:2203",
    }
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable

    # The user allowed control: the receiver answers, the issue goes.
    network.backend.push(receiver("Band", port=2203, channels=1), structure=True)
    await hass.async_block_till_done()
    assert _issues(hass) == {}


async def test_other_failures_raise_no_issue(hass: HomeAssistant, network: FakeNetwork) -> None:
    """A receiver that is merely off or unreachable is no repair: nothing to change on it."""
    off = unanswered("10.0.0.5", 2203, DeviceError(ErrorKind.REFUSED, "connection refused"))
    network.add(receiver("Lectern", port=2202, channels=1), off)
    await setup_fake_entry(hass, network)
    assert _issues(hass) == {}


async def test_issue_survives_failed_set_ups_and_goes_with_the_entry(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """The only receiver is locked: set-up retries, the issue stays; deleting the entry ends it."""
    network.add(unanswered("10.0.0.5", 2202, OFF))
    entry = await setup_fake_entry(hass, network)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert list(_issues(hass)) == [f"access_disabled_{entry.entry_id}_10.0.0.5_2202"]
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(_issues(hass)) == 1
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert _issues(hass) == {}


async def test_issue_of_a_removed_host_is_dropped(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A set-up without the locked host (removed in the options) drops its issue."""
    network.add(receiver("Lectern", port=2202, channels=1), unanswered("10.0.0.5", 2203, OFF))
    entry = await setup_fake_entry(hass, network)
    assert len(_issues(hass)) == 1
    hass.config_entries.async_update_entry(entry, options={**entry.options, "hosts": ["10.0.0.5"]})
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _issues(hass) == {}
