"""Sennheiser EW-DX / EW-D receivers and the CHG 70N charger over SSC v1 (JSON, UDP 45).

No Home Assistant here. SSC v2 (HTTPS with a password, EW-DX firmware 4 "Secure" mode) is
not spoken; on such firmware the user switches third-party access to Legacy (SSC v1).
"""

from ..spec import DiscoveryKind, ManufacturerSpec
from .backend import SennheiserBackend
from .client import DEFAULT_PORT, ClientOptions, ReceiverConnection, probe
from .state import MANUFACTURER
from .transport import ACCESS_HINT

SENNHEISER = ManufacturerSpec(
    code=MANUFACTURER,
    name="Sennheiser",
    default_port=DEFAULT_PORT,
    probe=probe,
    create_backend=SennheiserBackend,
    discovery=DiscoveryKind.ZEROCONF,
    # Every SSC device publishes _ssc._udp under its device/name (chargers too: probe
    # tells them apart).
    zeroconf_types=("_ssc._udp.local.",),
)

__all__ = [
    "ACCESS_HINT",
    "DEFAULT_PORT",
    "MANUFACTURER",
    "SENNHEISER",
    "ClientOptions",
    "ReceiverConnection",
    "SennheiserBackend",
    "probe",
]
