"""The config dir ``hass`` starts from: written before it starts, state kept between runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .const import DOMAIN, LOOPBACK, REPO

CONFIGURATION_YAML = """\
# Written by tools/develop (scripts/develop) for the simulated rig. Kept small on purpose:
# no default_config, only what the UI and Micboard need.
homeassistant:
  name: Micboard demo
  unit_system: metric
  time_zone: UTC
  country: US  # else a repair issue asks for it
  currency: USD
  auth_providers:
    # From this machine a browser lands straight on the dashboard (one user, no login).
    - type: trusted_networks
      trusted_networks:
        - 127.0.0.1
        - ::1
      allow_bypass_login: true
    - type: homeassistant

frontend:
config:
history:
logbook:
automation: !include automations.yaml
recorder:
  purge_keep_days: 2
  commit_interval: 1

logger:
  default: warning
  logs:
    homeassistant.core: info
    custom_components.micboard: info
    # HA 2026.10 always loads its default integrations; two of them look for system
    # programs this config never uses (ffmpeg for tts/cameras, libturbojpeg for cameras).
    haffmpeg: critical
    homeassistant.components.camera.img_util: critical
"""


def _store(key: str, data: object, version: int, minor_version: int = 1) -> str:
    """A ``.storage`` file as Home Assistant's ``Store`` writes it."""
    doc = {"version": version, "minor_version": minor_version, "key": key, "data": data}
    return json.dumps(doc, indent=2) + "\n"


def write_config(config_dir: Path, *, port: int = 8123, repo: Path = REPO) -> Path:
    """Create (or refresh) a config dir; existing state (.storage, database) is kept."""
    config_dir = config_dir.resolve()
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    automations = config_dir / "automations.yaml"
    if not automations.exists():
        automations.write_text("[]\n", encoding="utf-8")
    _link_integration(config_dir, repo)

    # Every onboarding step done but the user; onboarding.bootstrap() creates the user.
    onboarding = storage / "onboarding"
    if not onboarding.exists():
        done = {"done": ["core_config", "analytics", "integration"]}
        onboarding.write_text(_store("onboarding", done, 4), encoding="utf-8")

    # HTTP server on 127.0.0.1 only. Written in the store's version-1 shape: HA migrates
    # it through its own schema (all defaults filled in) and takes it as the confirmed,
    # "stable" config, so no pending-change trial and no revert to 8123.
    http = {"server_host": [LOOPBACK], "server_port": port}
    (storage / "http").write_text(_store("http", http, 1), encoding="utf-8")
    return config_dir


def _link_integration(config_dir: Path, repo: Path) -> None:
    """This repo's integration, live: edits show up on the next restart of hass."""
    target = (repo / "custom_components" / DOMAIN).resolve()
    link = config_dir / "custom_components" / DOMAIN
    link.parent.mkdir(exist_ok=True)
    try:
        link_to: str | Path = os.path.relpath(target, link.parent)
    except ValueError:  # another drive (Windows); absolute then
        link_to = target
    if link.is_symlink() and link.resolve() != target:
        link.unlink()
    if not link.is_symlink():
        link.symlink_to(link_to, target_is_directory=True)
