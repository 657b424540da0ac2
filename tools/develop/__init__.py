"""A ready Home Assistant for scripts/develop and tests/e2e, without a single click.

Two halves:

* ``write`` (before ``hass`` starts, :mod:`.config`): ``configuration.yaml`` with only what
  the UI and the integration need, a symlink to this repo's ``custom_components/micboard``,
  onboarding pre-seeded except for the user step, and the HTTP server bound to 127.0.0.1 on
  the port asked for (seeded into ``.storage/http`` rather than YAML, which HA would stage as
  a *pending* change and revert after five minutes).
* ``bootstrap`` (after ``hass`` answers, :mod:`.onboarding`): creates the one user through
  the onboarding API (or logs in through trusted networks when it exists), adds one Micboard
  entry per manufacturer through the real config flow (the simulator's hosts grouped by the
  manufacturer of the model it printed, :mod:`.processes`), waits for every entry's
  entities (:mod:`.rig`) and builds the "Micboard" dashboard from the registries
  (:mod:`.dashboard`: each manufacturer's sync log, the activity feed, every receiver),
  then makes it the default dashboard.

Run as ``python -m tools.develop write|bootstrap|wait-simulator|check-ports ...`` (what
``scripts/develop`` does) or import it (the end-to-end tests do).
"""

from .client import HAError, HomeAssistantAPI
from .config import write_config
from .const import DASHBOARD_URL, DOMAIN, USER
from .dashboard import build_dashboard, ensure_dashboard
from .onboarding import Bootstrapped, bootstrap, ensure_entry
from .processes import (
    charger_counts,
    charger_hosts,
    group_hosts,
    host_words,
    manufacturer_of,
    parse_host_words,
    port_free,
    read_simulator_devices,
    read_simulator_hosts,
    wait_simulator,
    wait_simulator_devices,
)
from .rig import Rig, entity_key, read_rig, wait_rig

__all__ = [
    "DASHBOARD_URL",
    "DOMAIN",
    "USER",
    "Bootstrapped",
    "HAError",
    "HomeAssistantAPI",
    "Rig",
    "bootstrap",
    "build_dashboard",
    "charger_counts",
    "charger_hosts",
    "ensure_dashboard",
    "ensure_entry",
    "entity_key",
    "group_hosts",
    "host_words",
    "manufacturer_of",
    "parse_host_words",
    "port_free",
    "read_rig",
    "read_simulator_devices",
    "read_simulator_hosts",
    "wait_rig",
    "wait_simulator",
    "wait_simulator_devices",
    "write_config",
]
