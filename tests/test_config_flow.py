"""The config flow: set-up, errors, options, reconfigure and discovery (100 % of the flow)."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.micboard.config_flow import MicboardConfigFlow
from custom_components.micboard.const import (
    CONF_ALLOW_CHANGES,
    CONF_AUTO_ADD_DISCOVERED,
    CONF_DETAIL_ENTITIES,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
)
from custom_components.micboard.manufacturers import Charger, DiscoveryKind, Receiver

from .helpers import (
    FakeNetwork,
    channel,
    patch_manufacturer,
    receiver,
    setup_fake_entry,
    state_of,
    unanswered,
)

# What every Shure hosts form fills into its texts.
SHURE_TEXTS = {"manufacturer": "Shure", "default_port": "2202"}
DEAD = "10.0.0.99"
NOT_SHURE = "10.0.0.98"


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"manufacturer": "shure"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "shure"
    assert result["description_placeholders"] == SHURE_TEXTS
    return result["flow_id"]


def _discovery(rx: Receiver, name: str | None = None) -> dict[str, object]:
    return {
        CONF_MANUFACTURER: "shure",
        "host": rx.host,
        "port": rx.port,
        "name": name if name is not None else rx.name,
        "model": rx.model,
        "mac": None,
    }


async def test_user_flow_creates_entry_with_devices(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """Two receivers answer: the entry, its devices and entities exist without a restart."""
    ulxd = receiver("Stage L", host="10.0.0.5", channels=2)
    axient = receiver("Stage R", host="10.0.0.6", port=2300, channels=4, model="AD4Q")
    network.add(ulxd, axient)
    flow_id = await _start(hass)
    # Comma, new line and a duplicate: two receivers.
    hosts = "10.0.0.5, 10.0.0.6:2300\n10.0.0.5:2202"
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: hosts})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Shure"
    assert result["data"] == {"manufacturer": "shure"}
    assert result["options"] == {
        CONF_HOSTS: ["10.0.0.5", "10.0.0.6:2300"],
        CONF_AUTO_ADD_DISCOVERED: False,
        CONF_DETAIL_ENTITIES: False,
        CONF_ALLOW_CHANGES: False,
    }
    assert network.probed == [("10.0.0.5", 2202), ("10.0.0.6", 2300)]
    entry = result["result"]
    assert entry.unique_id == "shure"
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    names = sorted(device.name or "" for device in devices)
    # Service device, two receivers, 2 + 4 channels.
    assert len(devices) == 9
    assert "Stage L" in names
    assert "Stage R" in names
    assert state_of(hass, "binary_sensor.stage_l_connectivity") == "on"
    assert network.backend.live.keys() == {("10.0.0.5", 2202), ("10.0.0.6", 2300)}


async def test_user_flow_errors_then_recovers(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Invalid syntax, an unreachable host and a non-Shure host are named; then it works."""
    good = receiver("Lectern", channels=1)
    network.add(good)
    network.unsupported.add((NOT_SHURE, 2202))
    flow_id = await _start(hass)

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: "bad_host!"})
    assert result["errors"] == {CONF_HOSTS: "invalid_host"}
    assert result["description_placeholders"] == {"hosts": "bad_host!", **SHURE_TEXTS}

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: " , "})
    assert result["errors"] == {CONF_HOSTS: "no_hosts"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOSTS: f"10.0.0.5 {DEAD}"}
    )
    assert result["errors"] == {CONF_HOSTS: "cannot_connect"}
    assert result["description_placeholders"]["hosts"] == DEAD

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOSTS: f"10.0.0.5 {NOT_SHURE}"}
    )
    assert result["errors"] == {CONF_HOSTS: "not_supported"}
    assert result["description_placeholders"]["hosts"] == NOT_SHURE

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOSTS: f"{DEAD} {NOT_SHURE}"}
    )
    assert result["errors"] == {CONF_HOSTS: "cannot_connect_not_supported"}
    assert result["description_placeholders"] == {
        "hosts": DEAD,
        "unsupported": NOT_SHURE,
        **SHURE_TEXTS,
    }
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: "10.0.0.5"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_probe_bug_is_raised_not_shown(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Only the library's errors mean "that host failed"; anything else is a bug."""

    async def broken(host: str, port: int, _timeout: float) -> Receiver:
        raise RuntimeError("bug")

    with patch_manufacturer(replace(network.spec(), probe=broken)):
        flow_id = await _start(hass)
        with pytest.raises(RuntimeError, match="bug"):
            await hass.config_entries.flow.async_configure(flow_id, {CONF_HOSTS: "10.0.0.5"})


async def test_second_entry_for_manufacturer_aborts(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """One entry per manufacturer."""
    network.add(receiver("Choir"))
    await setup_fake_entry(hass, network)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"manufacturer": "shure"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_options_add_and_remove_hosts(
    hass: HomeAssistant,
    network: FakeNetwork,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Options add a receiver (checked first) and remove one (its devices go too)."""
    first = receiver("Rack A", host="10.0.0.5", channels=1)
    second = receiver("Rack B", host="10.0.0.6", channels=2)
    network.add(first, second)
    entry = await setup_fake_entry(hass, network, first)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: f"10.0.0.5\n{DEAD}", CONF_AUTO_ADD_DISCOVERED: True}
    )
    assert result["errors"] == {CONF_HOSTS: "cannot_connect"}
    assert result["description_placeholders"] == {"hosts": DEAD, "unsupported": "", **SHURE_TEXTS}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_HOSTS: "10.0.0.5\n10.0.0.6", CONF_AUTO_ADD_DISCOVERED: True},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_HOSTS: ["10.0.0.5", "10.0.0.6"],
        CONF_AUTO_ADD_DISCOVERED: True,
        CONF_DETAIL_ENTITIES: False,
        CONF_ALLOW_CHANGES: False,
    }
    # The entry's own hosts are not contacted again: only the new one was.
    assert network.probed == [(DEAD, 2202), ("10.0.0.6", 2202)]
    assert state_of(hass, "binary_sensor.rack_b_connectivity") == "on"
    rack_a = device_registry.async_get_device_by_identifier(
        (DOMAIN, "shure:10.0.0.5:2202"), entry.entry_id
    )
    assert rack_a is not None

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: "10.0.0.6", CONF_AUTO_ADD_DISCOVERED: True}
    )
    await hass.async_block_till_done()
    assert entry.options[CONF_HOSTS] == ["10.0.0.6"]
    assert device_registry.async_get(rack_a.id) is None
    assert entity_registry.async_get("binary_sensor.rack_a_connectivity") is None
    assert hass.states.get("binary_sensor.rack_a_connectivity") is None


async def test_options_of_entry_not_loaded(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Removing a host of an entry that is not running only edits the list."""
    network.add(receiver("Rack A", host="10.0.0.5"), receiver("Rack B", host="10.0.0.6"))
    entry = await setup_fake_entry(hass, network)
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: "10.0.0.6", CONF_AUTO_ADD_DISCOVERED: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_HOSTS] == ["10.0.0.6"]


async def test_options_remove_host_no_longer_watched(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """A host with no receiver in the snapshot just leaves the list; the others stay."""
    first = receiver("Rack A", host="10.0.0.5")
    second = receiver("Rack B", host="10.0.0.6")
    network.add(first, second)
    entry = await setup_fake_entry(hass, network)
    await network.backend.remove_receiver(second.host, second.port)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HOSTS: "10.0.0.5", CONF_AUTO_ADD_DISCOVERED: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_HOSTS] == ["10.0.0.5"]
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, "shure:10.0.0.5:2202"), entry.entry_id
    )


async def test_reconfigure(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Reconfigure changes hosts and auto-add without deleting the entry."""
    first = receiver("Band", host="10.0.0.5", channels=4)
    second = receiver("Spare", host="10.0.0.6", channels=1)
    network.add(first, second)
    entry = await setup_fake_entry(hass, network, first)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOSTS: "nope!", CONF_AUTO_ADD_DISCOVERED: False}
    )
    assert result["errors"] == {CONF_HOSTS: "invalid_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOSTS: "10.0.0.6", CONF_AUTO_ADD_DISCOVERED: True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.options == {
        CONF_HOSTS: ["10.0.0.6"],
        CONF_AUTO_ADD_DISCOVERED: True,
        CONF_DETAIL_ENTITIES: False,
        CONF_ALLOW_CHANGES: False,
    }
    assert state_of(hass, "binary_sensor.spare_connectivity") == "on"


async def test_options_switch_detail_entities(
    hass: HomeAssistant, network: FakeNetwork, entity_registry: er.EntityRegistry
) -> None:
    """Detail entities come with the option and leave the registry without it."""
    network.add(receiver("Stage L", channels=[channel(1, "Vox")]))
    entry = await setup_fake_entry(hass, network)
    assert entity_registry.async_get("sensor.vox_frequency") is None

    async def set_detail(on: bool) -> None:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_HOSTS: "10.0.0.5", CONF_AUTO_ADD_DISCOVERED: False, CONF_DETAIL_ENTITIES: on},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()

    await set_detail(True)
    assert entry.options[CONF_DETAIL_ENTITIES] is True
    assert hass.states.get("sensor.vox_frequency") is not None
    assert hass.states.get("sensor.stage_l_firmware") is not None
    # Disabled by default even with the option: the user enables them one by one.
    power_lock = entity_registry.async_get("binary_sensor.vox_transmitter_power_lock")
    assert power_lock is not None
    assert power_lock.disabled_by is er.RegistryEntryDisabler.INTEGRATION

    await set_detail(False)
    for entity_id in (
        "sensor.vox_frequency",
        "sensor.stage_l_firmware",
        "binary_sensor.vox_transmitter_power_lock",
    ):
        assert entity_registry.async_get(entity_id) is None, entity_id
        assert hass.states.get(entity_id) is None, entity_id
    # The essentials stay, with their history.
    assert hass.states.get("sensor.vox_battery") is not None
    assert entity_registry.async_get("sensor.vox_status") is not None


CONTROL_ENTITIES = (
    "button.stage_l_identify",
    "button.vox_identify",
    "text.vox_channel_name",
    "switch.vox_output_mute",
    "number.vox_audio_gain",
)


async def test_options_and_reconfigure_switch_allow_changes(
    hass: HomeAssistant, network: FakeNetwork, entity_registry: er.EntityRegistry
) -> None:
    """Controls come with the option (options or reconfigure) and leave without it."""
    network.add(receiver("Stage L", channels=[channel(1, "Vox")]))
    entry = await setup_fake_entry(hass, network)
    assert entry.options.get(CONF_ALLOW_CHANGES) is None
    for entity_id in CONTROL_ENTITIES:
        assert entity_registry.async_get(entity_id) is None, entity_id

    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"].schema
    assert [str(key) for key in schema] == [
        CONF_HOSTS,
        CONF_AUTO_ADD_DISCOVERED,
        CONF_DETAIL_ENTITIES,
        CONF_ALLOW_CHANGES,
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_HOSTS: "10.0.0.5",
            CONF_AUTO_ADD_DISCOVERED: False,
            CONF_DETAIL_ENTITIES: False,
            CONF_ALLOW_CHANGES: True,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_ALLOW_CHANGES] is True
    for entity_id in CONTROL_ENTITIES:
        assert hass.states.get(entity_id) is not None, entity_id

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOSTS: "10.0.0.5",
            CONF_AUTO_ADD_DISCOVERED: False,
            CONF_DETAIL_ENTITIES: False,
            CONF_ALLOW_CHANGES: False,
        },
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert entry.options[CONF_ALLOW_CHANGES] is False
    for entity_id in CONTROL_ENTITIES:
        assert entity_registry.async_get(entity_id) is None, entity_id
        assert hass.states.get(entity_id) is None, entity_id
    # The watching entities stay.
    assert hass.states.get("sensor.vox_status") is not None


async def test_discovery_offers_receiver_when_auto_add_off(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Auto-add off: an announced receiver becomes a discovery flow to confirm."""
    known = receiver("Known", host="10.0.0.5", channels=1)
    new = receiver("New", host="10.0.0.7", channels=1, model="SLXD4")
    network.add(known)
    entry = await setup_fake_entry(hass, network)
    network.add(new)
    network.announce(new)
    await hass.async_block_till_done()
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["step_id"] == "discovery_confirm"
    assert flow["context"]["title_placeholders"] == {"name": "New"}

    # The same receiver announcing again does not stack up flows; a watched one offers nothing.
    network.announce(new)
    network.announce(known)
    await hass.async_block_till_done()
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1

    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_added"
    assert "10.0.0.7" in entry.options[CONF_HOSTS]
    assert state_of(hass, "binary_sensor.new_connectivity") == "on"


async def test_discovery_confirm_form_without_name(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A receiver with no name (announced or reported) is offered by its address."""
    network.add(receiver("Known", channels=1))
    await setup_fake_entry(hass, network)
    network.add(receiver("", host="10.0.0.8", port=2300, model=None))
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={CONF_MANUFACTURER: "shure", "host": "10.0.0.8", "port": 2300},
    )
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "name": "10.0.0.8:2300",
        "model": "",
        "host": "10.0.0.8:2300",
    }


async def test_discovery_of_configured_host_aborts(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A discovery flow for a host already watched, or with no entry, ends at once."""
    known = receiver("Known", channels=1, model="QLXD4")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(known, "X")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"

    network.add(known)
    await setup_fake_entry(hass, network)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(known)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_discovery_confirm_after_entry_removed(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Confirming a stale offer after the entry was deleted explains why nothing happened."""
    network.add(receiver("Known", channels=1))
    entry = await setup_fake_entry(hass, network)
    gone = receiver("Gone", host="10.0.0.9", port=1, model="QLXD4")
    network.add(gone)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(gone)
    )
    assert result["step_id"] == "discovery_confirm"
    await hass.config_entries.async_remove(entry.entry_id)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_set_up"


async def test_discovery_probes_before_offering(hass: HomeAssistant, network: FakeNetwork) -> None:
    """An announced device that does not answer, or is no supported receiver, is not offered."""
    network.add(receiver("Known", channels=1))
    await setup_fake_entry(hass, network)
    silent = receiver("Silent", host="10.0.0.20", channels=1)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(silent)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"

    charger = receiver("Charger", host="10.0.0.21", channels=1)
    network.unsupported.add((charger.host, charger.port))
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(charger)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported_device"
    assert (charger.host, charger.port) in network.probed
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_discovered_charger_is_added_like_a_receiver(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A device the probe identifies as a charger is watched too (auto-add on)."""
    network.add(receiver("Known", channels=1))
    entry = await setup_fake_entry(hass, network, auto_add_discovered=True)
    sbc = Charger(
        manufacturer="shure",
        api_device_id="10.0.0.22:2202",
        host="10.0.0.22",
        port=2202,
        online=True,
        identified=True,
        model="SBC220",
        name="Docks",
    )
    network.add(sbc)
    announced = receiver("Docks", host=sbc.host, channels=1)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(announced)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert (sbc.host, sbc.port) in network.probed
    assert network.host(announced) in entry.options[CONF_HOSTS]
    assert network.backend.calls["add_receiver"] == 1


async def test_discovery_auto_adds_receiver(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Auto-add on: the announced receiver is watched at once and announced as discovered."""
    known = receiver("Known", host="10.0.0.5", channels=1)
    found = receiver("Found", host="10.0.0.7", channels=2, model="AD4D")
    network.add(known)
    entry = await setup_fake_entry(hass, network, auto_add_discovered=True)
    events = async_capture_events(hass, "micboard_device_discovered")
    network.add(found)
    network.announce(found)
    await hass.async_block_till_done()
    # Already watched now: a second announcement changes nothing.
    network.announce(found)
    await hass.async_block_till_done()
    assert entry.options[CONF_HOSTS] == ["10.0.0.5", "10.0.0.7"]
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert [event.data["name"] for event in events] == ["Found"]
    assert events[0].data["device_data"]["model"] == "AD4D"
    assert state_of(hass, "binary_sensor.found_connectivity") == "on"
    assert network.backend.calls["add_receiver"] == 1


def test_only_registered_manufacturers_have_a_step() -> None:
    """Every registered code has a hosts step; anything else is no step at all."""
    flow = MicboardConfigFlow()
    assert callable(flow.async_step_shure)
    with pytest.raises(AttributeError):
        _ = flow.async_step_nobody
    with pytest.raises(AttributeError):
        _ = flow.shure


async def test_manufacturer_without_listener_discovers_nothing(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Without a discovery listener of its own, the entry starts none."""
    network.add(receiver("Known", channels=1))
    with patch_manufacturer(replace(network.spec(), discovery=DiscoveryKind.NONE)):
        entry = await setup_fake_entry(hass, network)
        assert network.listeners == []
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_discovery_confirm_while_entry_retries(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """An entry waiting to retry its set-up takes the host into its options for next time."""
    entry = await setup_fake_entry(hass, network, unanswered("10.0.0.5", 2202))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    built = len(network.backends)
    found = receiver("Found", host="10.0.0.7", channels=1)
    network.add(found)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(found)
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_added"
    assert entry.options[CONF_HOSTS] == ["10.0.0.5", "10.0.0.7"]
    # Nothing was started outside a set-up.
    assert len(network.backends) == built


@pytest.mark.parametrize("auto_add", [True, False])
async def test_discovery_of_a_watched_device_at_a_new_address_moves_it(
    hass: HomeAssistant, network: FakeNetwork, auto_add: bool
) -> None:
    """The same MAC announced from another address: watched there, same devices, no offer."""
    mac = "00:0e:dd:00:00:42"
    stage = receiver("Stage", host="10.0.0.5", channels=1, api_device_id=mac, mac_address=mac)
    other = receiver("Other", host="10.0.0.6", channels=1)
    network.add(stage, other)
    entry = await setup_fake_entry(hass, network, auto_add_discovered=auto_add)
    device_registry = dr.async_get(hass)
    (before,) = [
        d
        for d in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if d.name == "Stage"
    ]
    events = async_capture_events(hass, "micboard_device_discovered")

    # DHCP gave it another address.
    del network.receivers[stage.host, stage.port]
    moved = replace(stage, host="10.0.0.9")
    network.add(moved)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=_discovery(moved)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_moved"
    await hass.async_block_till_done()
    assert entry.options[CONF_HOSTS] == ["10.0.0.6", "10.0.0.9"]
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.data.receivers[mac].host == "10.0.0.9"
    assert state_of(hass, "binary_sensor.stage_connectivity") == "on"
    (after,) = [
        d
        for d in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if d.name == "Stage"
    ]
    assert after.id == before.id
    assert events == []
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_device_watched_by_name_is_not_moved_to_an_address(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Watched by its host name: the name follows the device, the entry is left as it is."""
    mac = "00:0e:dd:00:00:43"
    stage = receiver("Stage", host="stage-l.local", channels=1, api_device_id=mac, mac_address=mac)
    network.add(stage)
    entry = await setup_fake_entry(hass, network, auto_add_discovered=True)
    network.add(replace(stage, host="10.0.0.9"))
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data=_discovery(replace(stage, host="10.0.0.9")),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.options[CONF_HOSTS] == ["stage-l.local"]
