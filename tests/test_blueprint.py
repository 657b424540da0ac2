"""The shipped blueprint is valid for Home Assistant and does what it says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml

BLUEPRINT = Path(__file__).parent.parent / "blueprints/automation/micboard/notify_on_offline.yaml"


def test_blueprint_schema() -> None:
    """The blueprint passes HA's blueprint schema for automations."""
    blueprint = models.Blueprint(
        load_yaml(BLUEPRINT),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert set(blueprint.inputs) == {"notify_service", "include_transmitters", "title"}


async def test_blueprint_notifies(hass: HomeAssistant, tmp_path: Path) -> None:
    """An automation from the blueprint calls the chosen action on micboard_device_offline."""
    folder = Path(hass.config.path("blueprints/automation/micboard"))

    def install() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "notify_on_offline.yaml").write_text(BLUEPRINT.read_text())

    await hass.async_add_executor_job(install)
    calls: list[dict[str, Any]] = []
    hass.services.async_register("notify", "crew", lambda call: calls.append(dict(call.data)))
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "micboard/notify_on_offline.yaml",
                    "input": {"notify_service": "notify.crew", "include_transmitters": False},
                }
            }
        },
    )
    hass.bus.async_fire(
        "micboard_device_offline", {"device_type": "transmitter", "name": "Vocal 1"}
    )
    hass.bus.async_fire("micboard_device_offline", {"device_type": "receiver", "name": "Stage L"})
    await hass.async_block_till_done()
    assert calls == [{"title": "Micboard", "message": "Receiver Stage L went offline"}]


PACKS = BLUEPRINT.parent / "notify_all_packs_charged.yaml"


def test_packs_blueprint_schema() -> None:
    """The packs blueprint passes HA's blueprint schema for automations."""
    blueprint = models.Blueprint(
        load_yaml(PACKS), expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    assert set(blueprint.inputs) == {"charging_sensor", "ready_sensor", "notify_service", "title"}


async def test_packs_blueprint_notifies_once_when_the_last_pack_is_full(
    hass: HomeAssistant,
) -> None:
    """Charging 2 -> 1 -> 0 with packs ready: one notification, at 0 only."""
    folder = Path(hass.config.path("blueprints/automation/micboard"))

    def install() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / PACKS.name).write_text(PACKS.read_text())

    await hass.async_add_executor_job(install)
    calls: list[dict[str, Any]] = []
    hass.services.async_register("notify", "crew", lambda call: calls.append(dict(call.data)))
    charging, ready = "sensor.shure_batteries_charging", "sensor.shure_batteries_ready"
    hass.states.async_set(charging, "2")
    hass.states.async_set(ready, "6")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"micboard/{PACKS.name}",
                    "input": {
                        "charging_sensor": charging,
                        "ready_sensor": ready,
                        "notify_service": "notify.crew",
                    },
                }
            }
        },
    )
    hass.states.async_set(charging, "1")
    hass.states.async_set(ready, "7")
    await hass.async_block_till_done()
    assert calls == []
    hass.states.async_set(ready, "8")
    hass.states.async_set(charging, "0")
    await hass.async_block_till_done()
    assert calls == [{"title": "Micboard", "message": "All packs charged: 8 ready"}]
    # Back from unavailable at 0 is not "the last pack got full".
    hass.states.async_set(charging, "unavailable")
    hass.states.async_set(charging, "0")
    await hass.async_block_till_done()
    assert len(calls) == 1
