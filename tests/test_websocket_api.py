"""The board's websocket stream ``micboard/subscribe``: picture, changes, meter ticks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from http import HTTPStatus
from typing import Any
from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryChange
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.micboard.const import DOMAIN
from custom_components.micboard.coordinator import MicboardCoordinator
from custom_components.micboard.fanout import KeyedListeners
from custom_components.micboard.manufacturers import MANUFACTURERS
from custom_components.micboard.websocket_api import BoardStream

from .helpers import (
    FakeNetwork,
    battery,
    channel,
    charger,
    receiver,
    setup_fake_entry,
    with_bay,
    with_channel,
    with_transmitter,
)

MAC = "00:0e:dd:00:00:01"


async def _event(client: MockHAClientWebSocket) -> dict[str, Any]:
    msg = await client.receive_json()
    assert msg["type"] == "event", msg
    event: dict[str, Any] = msg["event"]
    return event


async def _assert_quiet(client: MockHAClientWebSocket) -> None:
    """Nothing was sent: the next message is the answer to a ping."""
    await client.send_json_auto_id({"type": "ping"})
    msg = await client.receive_json()
    assert msg["type"] == "pong", msg


async def _subscribe_id(
    client: MockHAClientWebSocket, **options: Any
) -> tuple[int, dict[str, Any]]:
    """Subscribe: the subscription id and the picture that comes first."""
    await client.send_json_auto_id({"type": "micboard/subscribe", **options})
    result = await client.receive_json()
    assert result["success"], result
    picture = await _event(client)
    assert picture["type"] == "picture"
    return result["id"], picture


async def _subscribe(client: MockHAClientWebSocket, **options: Any) -> dict[str, Any]:
    """Subscribe; the picture that comes first."""
    return (await _subscribe_id(client, **options))[1]


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed_exact(hass)
    await hass.async_block_till_done()


def _count(listeners: KeyedListeners[Any]) -> int:
    return sum(len(listeners._table[key]) for key in listeners)


def _counts(coordinator: MicboardCoordinator) -> tuple[int, int, int]:
    return (
        _count(coordinator.links.listeners),
        _count(coordinator.links.meter_listeners),
        len(coordinator._listeners),
    )


def _rx() -> Any:
    return receiver(
        "Stage L",
        api_device_id=MAC,
        channels=[channel(1, "Vocal 1"), channel(2, "Vocal 2", transmitter=None)],
    )


async def test_picture(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The first message: every entry, receiver and channel, with device and entity ids."""
    network.add(_rx())
    entry = await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    picture = await _subscribe(client)

    def device_id(identifier: str) -> str:
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, identifier), entry.entry_id
        )
        assert device is not None
        return device.id

    (shure,) = picture["entries"]
    assert shure["entry_id"] == entry.entry_id
    assert shure["manufacturer"] == "shure"
    assert shure["title"] == "Shure"
    assert shure["device_id"] == device_id("shure")
    (rx,) = shure["receivers"]
    channels = rx.pop("channels")
    assert rx == {
        "id": MAC,
        "name": "Stage L",
        "model": "ULXD4D",
        "online": True,
        "identified": True,
        "device_id": device_id(f"shure:{MAC}"),
        "entity_ids": {"connectivity": "binary_sensor.stage_l_connectivity"},
    }
    assert channels[0] == {
        "index": 1,
        "name": "Vocal 1",
        "device_id": device_id(f"shure:{MAC}/ch1"),
        "status": "good",
        "transmitter": True,
        "transmitter_model": "ULXD2",
        "battery_percent": 100,
        "battery_bars": 5,
        "runtime_minutes": 480,
        "frequency": 470.4,
        "rf_level": -60,
        "audio_level": -30,
        "audio_peak": False,
        "quality": None,
        "rf_quality": None,
        "antenna": "A",
        "last_battery": {"bars": 5, "percent": 100, "runtime_minutes": 480},
        "entity_ids": {
            "battery": "sensor.vocal_1_battery",
            "battery_runtime": "sensor.vocal_1_battery_runtime",
            "rf_level": "sensor.vocal_1_rf_level",
            "status": "sensor.vocal_1_status",
        },
    }
    # No transmitter: its values and the meters are unknown.
    assert channels[1]["status"] == "unassigned"
    assert channels[1]["transmitter"] is False
    assert channels[1]["battery_percent"] is None
    assert channels[1]["rf_level"] is None
    assert channels[1]["last_battery"] is None
    assert channels[1]["entity_ids"]["status"] == "sensor.vocal_2_status"


async def test_picture_has_the_last_battery_of_a_transmitter_off(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """A board opened after a transmitter went off still has its last battery reading."""
    rx = _rx()
    network.add(rx)
    await setup_fake_entry(hass, network)
    backend = network.backend
    backend.push(
        with_transmitter(rx, 1, battery_bars=3, battery_percent=55, battery_runtime_minutes=95)
    )
    await hass.async_block_till_done()
    backend.push(with_channel(rx, 1, transmitter=None))
    await hass.async_block_till_done()

    # A page opened (or reloaded) now: a new subscription.
    client = await hass_ws_client(hass)
    picture = await _subscribe(client)
    vocal_1 = picture["entries"][0]["receivers"][0]["channels"][0]
    assert (vocal_1["status"], vocal_1["battery_bars"], vocal_1["battery_percent"]) == (
        "prev_replace",
        None,
        None,
    )
    assert vocal_1["last_battery"] == {"bars": 3, "percent": 55, "runtime_minutes": 95}

    # Changes carry the current battery only; the first one after the picture is not a
    # spurious resend of the picture's values.
    backend.push(with_channel(rx, 1, transmitter=None, name="Vocal 1 spare"))
    await hass.async_block_till_done()
    (renamed,) = (await _event(client))["channels"]
    assert renamed["name"] == "Vocal 1 spare"
    assert "last_battery" not in renamed
    await _assert_quiet(client)


async def test_changes_as_they_happen(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """A pushed change sends the new values of that channel, or of that receiver."""
    rx = _rx()
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    await _subscribe(client)
    backend = network.backend

    backend.push(with_transmitter(rx, 1, battery_bars=3, battery_percent=55))
    await hass.async_block_till_done()
    change = await _event(client)
    assert change["type"] == "change"
    assert change["receivers"] == []
    (ch,) = change["channels"]
    assert ch["entry_id"] == entry.entry_id
    assert (ch["receiver_id"], ch["index"]) == (MAC, 1)
    assert (ch["status"], ch["battery_percent"], ch["battery_bars"]) == ("replace", 55, 3)
    assert ch["rf_level"] == -60
    await _assert_quiet(client)

    # The receiver goes: its own values, and every channel's status.
    backend.go_offline("Stage L")
    await hass.async_block_till_done()
    change = await _event(client)
    (rx_change,) = change["receivers"]
    assert (rx_change["id"], rx_change["online"]) == (MAC, False)
    assert [(c["index"], c["status"]) for c in change["channels"]] == [
        (1, "rx_com_error"),
        (2, "rx_com_error"),
    ]
    await _assert_quiet(client)

    # A full poll that changes nothing sends nothing.
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    await _assert_quiet(client)


async def test_meters_are_batched_per_tick(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Many meter pushes within a tick: one message with only what changed; else none."""
    rx = _rx()
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    await _subscribe(client)
    backend = network.backend

    for level in range(-61, -66, -1):
        rx = with_channel(rx, 1, rf_level_dbm=level)
        backend.push(rx, meters_only=True)
    await hass.async_block_till_done()
    await _assert_quiet(client)

    await _tick(hass, freezer, 0.1)
    meters = await _event(client)
    assert meters == {
        "type": "meters",
        "channels": [{"entry_id": entry.entry_id, "receiver_id": MAC, "index": 1, "rf_level": -65}],
    }
    await _assert_quiet(client)

    # Nothing changed since: nothing is sent, at the next tick or later.
    await _tick(hass, freezer, 0.1)
    await _tick(hass, freezer, 1)
    await _assert_quiet(client)

    # A reading equal to the last one sent is no news.
    backend.push(with_channel(rx, 1, rf_level_dbm=-65), meters_only=True)
    await _tick(hass, freezer, 0.1)
    await _assert_quiet(client)

    # Two channels in one tick share one message.
    rx = with_channel(rx, 1, audio_level_dbfs=-12, antenna="B")
    backend.push(rx, meters_only=True)
    rx = with_channel(rx, 2, rf_level_dbm=-90)
    backend.push(rx, meters_only=True)
    await _tick(hass, freezer, 0.1)
    meters = await _event(client)
    assert [
        {k: v for k, v in c.items() if k not in ("entry_id", "receiver_id")}
        for c in meters["channels"]
    ] == [{"index": 1, "audio_level": -12, "antenna": "B"}]
    # Channel 2 has no transmitter: its RF level stays unknown, so nothing changed there.
    await _assert_quiet(client)


async def test_interval_option(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A slower interval waits longer; faster than 10 Hz is refused."""
    rx = _rx()
    network.add(rx)
    await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "micboard/subscribe", "interval": 0.05})
    refused = await client.receive_json()
    assert not refused["success"]
    await _subscribe(client, interval=0.5)

    network.backend.push(with_channel(rx, 1, rf_level_dbm=-70), meters_only=True)
    await _tick(hass, freezer, 0.2)
    await _assert_quiet(client)
    await _tick(hass, freezer, 0.3)
    assert (await _event(client))["channels"][0]["rf_level"] == -70


@pytest.mark.usefixtures("no_jitter")
async def test_meters_write_no_state(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Meters reach the board without a single state write."""
    rx = _rx()
    network.add(rx)
    await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    await _subscribe(client)
    writes: list[Event] = []

    @callback
    def count(event: Event) -> None:
        writes.append(event)

    hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    sent = []
    for step in range(10):
        # Within the RF sensor's deadband and no audio sensor: the entities write nothing.
        rx = with_channel(rx, 1, rf_level_dbm=-60 - step % 2, audio_level_dbfs=-29 + step)
        network.backend.push(rx, meters_only=True)
        await _tick(hass, freezer, 0.1)
        sent.append(await _event(client))
    assert [m["channels"][0]["audio_level"] for m in sent] == list(range(-29, -19))
    assert writes == []


async def test_audio_peak_status(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A peak in the meters changes the status at once, and its end 10 s later."""
    rx = _rx()
    network.add(rx)
    await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    await _subscribe(client)

    peak = with_channel(rx, 1, audio_peak=True, audio_level_dbfs=-1)
    network.backend.push(peak, meters_only=True)
    await hass.async_block_till_done()
    change = await _event(client)
    assert change["type"] == "change"
    assert change["channels"][0]["status"] == "audio_peak"
    assert change["channels"][0]["audio_peak"] is True
    network.backend.push(with_channel(peak, 1, audio_peak=False), meters_only=True)
    await _tick(hass, freezer, 0.1)
    assert (await _event(client))["channels"][0] == {
        "entry_id": change["channels"][0]["entry_id"],
        "receiver_id": MAC,
        "index": 1,
        "audio_peak": False,
    }
    await _tick(hass, freezer, 10)
    change = await _event(client)
    assert change["channels"][0]["status"] == "good"


async def test_unsubscribe_and_close_stop_everything(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    network: FakeNetwork,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No listener, flush or timer is left once the client unsubscribes or goes."""
    rx = _rx()
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    coordinator = entry.runtime_data
    before = _counts(coordinator)
    client = await hass_ws_client(hass)
    subscription, _picture = await _subscribe_id(client)
    # One listener per receiver and channel, one meter listener per channel, and one
    # coordinator listener (for the list of receivers and channels).
    assert _counts(coordinator) == (before[0] + 3, before[1] + 2, before[2] + 1)

    # A meter tick is pending when the client unsubscribes.
    network.backend.push(with_channel(rx, 1, rf_level_dbm=-80), meters_only=True)
    await client.send_json_auto_id({"type": "unsubscribe_events", "subscription": subscription})
    assert (await client.receive_json())["success"]
    assert _counts(coordinator) == before
    network.backend.push(with_transmitter(rx, 1, battery_bars=1, battery_percent=10))
    await _tick(hass, freezer, 0.2)
    await _assert_quiet(client)

    # Closing the socket does the same.
    await _subscribe(client)
    network.backend.push(with_channel(rx, 1, rf_level_dbm=-70), meters_only=True)
    await client.close()
    await hass.async_block_till_done()
    assert _counts(coordinator) == before
    await _tick(hass, freezer, 0.2)


async def test_entries_and_structure(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """Entries loaded or unloaded, receivers added: the client gets a new picture."""
    rx = _rx()
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    assert await hass.config_entries.async_unload(entry.entry_id)
    client = await hass_ws_client(hass)
    assert (await _subscribe(client))["entries"] == []
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    picture = await _event(client)
    assert picture["type"] == "picture"
    assert [e["entry_id"] for e in picture["entries"]] == [entry.entry_id]
    assert [c["index"] for c in picture["entries"][0]["receivers"][0]["channels"]] == [1, 2]

    # A receiver gains a channel (a structure change).
    grown = replace(rx, channels=(*rx.channels, channel(3, "Vocal 3")))
    network.backend.push(grown, structure=True)
    await hass.async_block_till_done()
    picture = await _event(client)
    assert picture["type"] == "picture"
    assert [c["index"] for c in picture["entries"][0]["receivers"][0]["channels"]] == [1, 2, 3]

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    picture = await _event(client)
    assert picture == {"type": "picture", "entries": []}
    # A change of the unloaded entry's backend reaches nobody.
    network.backend.push(with_transmitter(grown, 1, battery_bars=1))
    await hass.async_block_till_done()
    await _assert_quiet(client)


async def test_activity_needs_the_recorder(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
    network: FakeNetwork,
) -> None:
    """Without the recorder there is no activity log to read."""
    assert await async_setup_component(hass, "http", {})
    network.add(_rx())
    await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "micboard/activity"})
    msg = await client.receive_json()
    assert msg["error"]["code"] == "recorder_unavailable"
    http = await hass_client()
    response = await http.get("/api/micboard/activity")
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE


async def test_stream_ignores_what_it_does_not_follow(
    hass: HomeAssistant, network: FakeNetwork, freezer: FrozenDateTimeFactory
) -> None:
    """Other domains' entries, gone receivers and channels, a flush pending at stop."""
    rx = _rx()
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    connection = MagicMock()
    stream = BoardStream(hass, connection, 1, 0.1)
    stream.start()
    assert connection.send_message.call_count == 1

    stream._async_entry_changed(ConfigEntryChange.UPDATED, MockConfigEntry(domain="other"))
    for key in ((entry.entry_id, ("gone", 0)), (entry.entry_id, (MAC, 9)), ("nope", (MAC, 1))):
        stream._async_changed(key)
        stream._async_metered(key)
    await _tick(hass, freezer, 0.1)
    assert connection.send_message.call_count == 1

    # A channel whose status has no memory yet reads no status.
    entry.runtime_data.status.memory.pop((MAC, 1))
    stream._async_send_picture()
    picture = connection.send_message.call_args[0][0]["event"]
    assert picture["entries"][0]["receivers"][0]["channels"][0]["status"] is None

    stream._async_changed((entry.entry_id, (MAC, 1)))
    stream.stop()
    await hass.async_block_till_done()
    assert connection.send_message.call_count == 2


async def test_chargers_on_the_board(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """Chargers and their bays: in the picture, then their changes (no meters)."""
    dock = charger("Docks", api_device_id="00:0e:dd:cc:00:01", bays=[battery(), None])
    network.add(_rx(), dock)
    entry = await setup_fake_entry(hass, network)
    client = await hass_ws_client(hass)
    picture = await _subscribe(client)
    (shure,) = picture["entries"]
    (board_dock,) = shure["chargers"]
    bays = board_dock.pop("bays")
    assert board_dock["id"] == dock.api_device_id
    assert (board_dock["name"], board_dock["model"], board_dock["online"]) == (
        "Docks",
        "SBC220",
        True,
    )
    assert board_dock["entity_ids"]["connectivity"] == "binary_sensor.docks_connectivity"
    assert [(b["index"], b["state"], b["charge_percent"]) for b in bays] == [
        (1, "charging", 62),
        (2, "empty", None),
    ]
    assert bays[0]["time_to_full_minutes"] == 83
    assert bays[0]["entity_ids"]["battery_state"] == "sensor.bay_1_of_docks_battery_state"
    assert bays[0]["device_id"] is not None

    backend = network.backend
    backend.push(with_bay(dock, 2, battery(charge_percent=10)))
    await hass.async_block_till_done()
    change = await _event(client)
    assert (change["receivers"], change["channels"], change["chargers"]) == ([], [], [])
    (bay,) = change["bays"]
    assert (bay["entry_id"], bay["charger_id"], bay["index"]) == (
        entry.entry_id,
        dock.api_device_id,
        2,
    )
    assert (bay["state"], bay["charge_percent"]) == ("charging", 10)
    await _assert_quiet(client)

    backend.push(replace(with_bay(dock, 2, battery(charge_percent=10)), online=False))
    await hass.async_block_till_done()
    change = await _event(client)
    (gone,) = change["chargers"]
    assert (gone["id"], gone["online"]) == (dock.api_device_id, False)
    await _assert_quiet(client)


async def test_manufacturers(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> None:
    """The registry's manufacturers, code and name, before any entry is set up."""
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "micboard/manufacturers"})
    msg = await client.receive_json()
    assert msg["success"], msg
    assert msg["result"] == {
        "manufacturers": [
            {"code": "shure", "name": "Shure"},
            {"code": "sennheiser", "name": "Sennheiser"},
        ]
    }
    assert msg["result"]["manufacturers"] == [
        {"code": spec.code, "name": spec.name} for spec in MANUFACTURERS.values()
    ]
