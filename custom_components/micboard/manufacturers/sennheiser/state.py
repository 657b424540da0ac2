"""What one SSC receiver has told us, and its neutral ``Receiver`` view.

Every leaf is decoded at the edge (the ``_DECODERS`` tables): an out-of-range value, a
wrong type or a sentinel is stored as "unknown", so nothing above this module knows that,
say, ``divi`` 0 means no antenna. Applying a reply reports what it changed, so the
connection can tell the fleet "meters only" without comparing models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import logging
import re

from ..errors import DeviceError
from ..limits import PRINTABLE_ASCII, GainRange, NameRule
from ..models import Capability, Channel, Receiver, Transmitter
from .codec import (
    FAILED_DEPENDENCY,
    NOT_FOUND,
    SUBSCRIPTION_TERMINATES,
    WRITE_REFUSALS,
    Path,
    Reply,
    as_bool,
    as_number,
    as_strings,
    clean_text,
)
from .paths import (
    DEVICE_NAME,
    FREQUENCY_CODE,
    MACS,
    MAX_CHANNELS,
    PRODUCT,
    SERIAL,
    TX_IDENTITY_LEAVES,
    VENDOR,
    VERSION,
    Area,
    ChannelLeaf,
    channel_path,
    split_channel_path,
)

_LOGGER = logging.getLogger(__name__)

MANUFACTURER = "sennheiser"
FAMILY = "ssc1"

_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$")
_ANTENNAS = {1: "A", 2: "B"}
# rxN/warnings words (EW-DX) and the SpeechLine spelling of "no link".
_NO_LINK = frozenset({"NoLink", "No Link"})
_AUDIO_PEAK = "AfPeak"
_ENCRYPTION_ERROR = "Aes256Error"
_LOW_SIGNAL = "LowSignal"
_RF_PEAK = "RfPeak"
_LOW_BATTERY = "LowBattery"
# Which meter leaf (or TX leaf) gives which capability; a 404 on it takes it away.
_CAPABILITY_LEAVES: Mapping[tuple[Area, Path], Capability] = {
    (Area.METER, ("rssi",)): Capability.RF_LEVEL,
    (Area.METER, ("af",)): Capability.AUDIO_LEVEL,
    (Area.METER, ("divi",)): Capability.ANTENNA,
    (Area.METER, ("rsqi",)): Capability.RF_QUALITY,
    (Area.TX, ("mute",)): Capability.TX_MUTE,
    (Area.RX, ("name",)): Capability.CHANNEL_NAME,
    (Area.RX, ("mute",)): Capability.RX_MUTE,
    (Area.RX, ("gain",)): Capability.AUDIO_GAIN,
}
# Identification (``device/identification/visual``, ``rxN/identification/visual``) is never
# read, so nothing takes it away.
_IDENTIFY = frozenset({Capability.IDENTIFY, Capability.CHANNEL_IDENTIFY})
# ``rxN/name`` takes at most 8 characters, SSC strings are printable ASCII (sheet part 2 §1,
# §5); other clients upper-case names before writing them, so whether the device keeps
# lower case is not known: a reply in another case still confirms.
NAME_RULE = NameRule(max_length=8, allowed=PRINTABLE_ASCII, case_insensitive=True)
# ``rxN/gain``: -3 to 42 dB in 3 dB steps (sheet part 2 §5).
GAIN_RANGE = GainRange(minimum_db=-3, maximum_db=42, step_db=3)


def mac_address(value: object) -> str | None:
    """The first MAC of ``device/network/ether/macs`` in lower-case colon form."""
    candidates = value if isinstance(value, list) else [value]
    for candidate in candidates:
        if isinstance(candidate, str) and _MAC.match(candidate.strip()):
            digits = candidate.strip().replace(":", "").replace("-", "").lower()
            return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
    return None


def _integer(low: float, high: float) -> Callable[[object], int | None]:
    def decode(value: object) -> int | None:
        number = as_number(value, low, high)
        return None if number is None else round(number)

    return decode


def _real(low: float, high: float) -> Callable[[object], float | None]:
    return lambda value: as_number(value, low, high)


def _name(limit: int) -> Callable[[object], str | None]:
    return lambda value: clean_text(value, limit=limit)


def _antenna(value: object) -> int | None:
    number = as_number(value, 0, 2)
    # 0 = no antenna active: unknown, not "antenna 0".
    return round(number) if number else None


_DEVICE_DECODERS: Mapping[Path, Callable[[object], object]] = {
    PRODUCT: _name(32),
    SERIAL: _name(32),
    VERSION: _name(32),
    VENDOR: _name(64),
    DEVICE_NAME: _name(18),
    MACS: mac_address,
    FREQUENCY_CODE: _name(16),
}
_CHANNEL_DECODERS: Mapping[tuple[Area, Path], Callable[[object], object]] = {
    (Area.RX, ("name",)): _name(16),
    # kHz; 0 or absurd values are "not tuned / unknown".
    (Area.RX, ("frequency",)): _integer(30_000, 6_000_000),
    (Area.RX, ("mute",)): as_bool,
    (Area.RX, ("gain",)): _integer(-60, 60),
    (Area.RX, ("warnings",)): as_strings,
    (Area.TX, ("battery", "gauge")): _integer(0, 100),
    # Minutes on EW-DX (the flat ``bat_lifetime`` of SpeechLine / ew D1 is seconds, but
    # those products are not accepted by ``probe``). Beyond 100 h is a sentinel.
    (Area.TX, ("battery", "lifetime")): _integer(0, 6000),
    (Area.TX, ("battery", "type")): _name(16),
    (Area.TX, ("type",)): _name(24),
    (Area.TX, ("name",)): _name(16),
    (Area.TX, ("mute",)): as_bool,
    (Area.TX, ("warnings",)): as_strings,
    (Area.METER, ("rssi",)): _real(-150, 20),
    (Area.METER, ("rsqi",)): _integer(0, 100),
    (Area.METER, ("divi",)): _antenna,
    (Area.METER, ("af",)): _real(-200, 20),
}


type _Decoder = Callable[[object], object]
# Which channel leaf a path is and how it is decoded, for every path Micboard uses (a
# meter datagram of 4 leaves arrives 5 times a second per channel: no re-parsing).
_PATH_INFO: dict[Path, tuple[ChannelLeaf | None, _Decoder]] = {
    **{path: (None, decoder) for path, decoder in _DEVICE_DECODERS.items()},
    **{
        channel_path(index, area, leaf): (ChannelLeaf(index, area, leaf), decoder)
        for index in range(1, MAX_CHANNELS + 1)
        for (area, leaf), decoder in _CHANNEL_DECODERS.items()
    },
}
_RX_WARNINGS = ("warnings",)
_RSQI = ("rsqi",)
_RX_WARNINGS_PATHS = {
    index: channel_path(index, Area.RX, _RX_WARNINGS) for index in range(1, MAX_CHANNELS + 1)
}


def _path_info(path: Path) -> tuple[ChannelLeaf | None, _Decoder | None]:
    info = _PATH_INFO.get(path)
    if info is not None:
        return info
    # An address Micboard does not use (or an error on one): parsed, never cached.
    return split_channel_path(path), None


@dataclass(frozen=True, slots=True)
class Applied:
    """What one reply did to the state."""

    changed: bool = False
    # Every changed leaf was a meter reading.
    meters_only: bool = False
    # The device ended a subscription (310).
    subscription_ended: bool = False


# Every possible outcome, built once (a meter datagram arrives 5 times a second a channel).
_APPLIED = {
    (changed, meters_only, ended): Applied(changed, meters_only, ended)
    for changed in (False, True)
    for meters_only in (False, True)
    for ended in (False, True)
}


class DeviceState:
    """Decoded leaves of one receiver, by full path, and the neutral view of them.

    The view is built incrementally: ``receiver()`` rebuilds only the channels whose leaves
    (or link) changed since the last call and hands back the very same ``Channel`` object
    for every other channel, and the same ``Receiver`` when nothing changed at all, so
    consumers can skip unchanged channels by identity.
    """

    def __init__(self) -> None:
        self._values: dict[Path, object] = {}
        # Addresses this model does not have (404): never asked for again.
        self.missing: set[Path] = set()
        self.channel_count = 0
        # Channels whose transmitter values are unknown or may belong to a previous
        # transmitter: read them again once the link is up.
        self.stale_transmitters: set[int] = set()
        # Paths already logged for a value that made no sense (meters repeat it 5x a second).
        self._logged: set[Path] = set()
        # The latest sign of the link per channel (see ``link_up``); unknown means "may be".
        self._link: dict[int, bool] = {}
        # The view: channels built so far, the ones to build again, the last receiver.
        self._built: dict[int, Channel] = {}
        self._dirty: set[int] = set()
        self._receiver: Receiver | None = None
        self._receiver_key: tuple[str, int, bool, DeviceError | None] | None = None

    def value(self, path: Path) -> object:
        """A decoded leaf, or None when unknown."""
        return self._values.get(path)

    def apply(self, reply: Reply) -> Applied:
        """Take in one reply's values and errors; say what changed."""
        changed: set[Path] = set()
        # Changed warnings leaves where only AfPeak came or went: a meter reading too.
        peak_only: set[Path] = set()
        # Only the channels this reply addresses can change their link.
        touched = {
            leaf.channel
            for path in (*reply.values, *reply.errors)
            if (leaf := _path_info(path)[0]) is not None and leaf.channel <= self.channel_count
        }
        linked_before = {index for index in touched if self.link_up(index)}
        missing_before = len(self.missing)
        for path, raw in reply.values.items():
            self._apply_value(path, raw, changed, peak_only)
        ended = False
        for path, code in reply.errors.items():
            ended = ended or code == SUBSCRIPTION_TERMINATES
            self._apply_error(path, code, changed)
        linked = {index for index in touched if self.link_up(index)}
        # Values kept through a link loss may belong to the previous transmitter.
        self.stale_transmitters |= linked_before - linked
        link_moved = linked != linked_before
        if link_moved:
            self._dirty |= linked ^ linked_before
        if changed or link_moved:
            self._receiver = None
        # A meter (RSQI 0) can take a transmitter away, and a 404 a capability: neither is
        # "only meters" for the consumers, whatever path carried it.
        meters_only = (
            bool(changed)
            and not link_moved
            and len(self.missing) == missing_before
            and all(
                path in peak_only
                or ((leaf := _path_info(path)[0]) is not None and leaf.area is Area.METER)
                for path in changed
            )
        )
        return _APPLIED[bool(changed) or link_moved, meters_only, ended]

    def _apply_value(
        self, path: Path, raw: object, changed: set[Path], peak_only: set[Path]
    ) -> None:
        leaf, decoder = _path_info(path)
        if decoder is None:
            return  # an address Micboard does not use
        value = decoder(raw)
        if value is None and raw is not None and path not in self._logged:
            self._logged.add(path)
            _LOGGER.debug("Ignoring unexpected value %r at %s", raw, "/".join(path))
        before = self._values.get(path)
        moved = self._set(path, value, changed)
        if leaf is not None:
            self._link_evidence(leaf, before, value, moved)
            if (
                moved
                and leaf.leaf == _RX_WARNINGS
                and isinstance(before, frozenset)
                and isinstance(value, frozenset)
                and before ^ value <= {_AUDIO_PEAK}
            ):
                peak_only.add(path)
            if leaf.area is Area.TX and value is not None:
                self.stale_transmitters.discard(leaf.channel)
        self.missing.discard(path)

    def _link_evidence(self, leaf: ChannelLeaf, before: object, value: object, moved: bool) -> None:
        """Record what a value says about the link of its channel (``link_up``)."""
        channel = leaf.channel
        if leaf.area is Area.TX:
            # Transmitter values only come while a transmitter is linked (424 otherwise).
            if value is not None:
                self._link[channel] = True
        elif leaf.area is Area.METER:
            # RSQI moving to or from 0 % (EW-DX's "no signal"); repeats of the same
            # reading say nothing newer than what came since.
            if leaf.leaf == _RSQI and moved and isinstance(value, int):
                self._link[channel] = value != 0
        elif (
            leaf.leaf == _RX_WARNINGS
            and moved
            and isinstance(value, frozenset)
            and not value & _NO_LINK
            and (not isinstance(before, frozenset) or before & _NO_LINK)
        ):
            # The receiver itself says the link is back: no need to wait for a meter.
            self._link[channel] = True

    def _apply_error(self, path: Path, code: int, changed: set[Path]) -> None:
        leaf = _path_info(path)[0]
        if code == NOT_FOUND:
            if path not in self.missing:
                self.missing.add(path)
                changed.add(path)
                if leaf is not None:
                    self._dirty.add(leaf.channel)
            self._set(path, None, changed)
        elif code == FAILED_DEPENDENCY and leaf is not None and leaf.area is Area.TX:
            if leaf.leaf in TX_IDENTITY_LEAVES:
                self._forget_transmitter(leaf.channel, changed)
            else:
                self._set(path, None, changed)
        elif code == SUBSCRIPTION_TERMINATES:
            pass  # the value itself is still valid; the connection re-subscribes
        elif code in WRITE_REFUSALS:
            pass  # a refused write: the leaf keeps what the device last reported
        else:
            if path not in self._logged:
                self._logged.add(path)
                _LOGGER.debug("Device error %s at %s", code, "/".join(path))
            self._set(path, None, changed)

    def _forget_transmitter(self, channel: int, changed: set[Path]) -> None:
        prefix = channel_path(channel, Area.TX, ())
        for path in [path for path in self._values if path[: len(prefix)] == prefix]:
            self._set(path, None, changed)
        self.stale_transmitters.add(channel)

    def _set(self, path: Path, value: object, changed: set[Path]) -> bool:
        """Store (None: drop) one value; True, and ``path`` in ``changed``, if it moved."""
        if value is None:
            if self._values.pop(path, None) is None:
                return False
        elif self._values.get(path) != value:
            self._values[path] = value
        else:
            return False
        changed.add(path)
        leaf = _path_info(path)[0]
        if leaf is not None:
            self._dirty.add(leaf.channel)
        return True

    def count_channels(self, reply: Reply) -> int:
        """Channels of the model: the ``rxN`` subtrees that answered something but 404."""
        existing = 0
        for index in range(1, MAX_CHANNELS + 1):
            name = channel_path(index, Area.RX, ("name",))
            if name in reply.values or reply.errors.get(name, NOT_FOUND) != NOT_FOUND:
                existing = index
        if existing != self.channel_count:
            self._receiver = None
        self.channel_count = existing
        return existing

    # -- the neutral view ---------------------------------------------------------------

    def link_up(self, channel: int) -> bool:
        """False while the receiver says the channel has no link; True when it may have.

        ``NoLink`` in ``rxN/warnings`` means no link. Otherwise the latest sign wins: RSQI
        moving to 0 % (how EW-DX shows "no signal"; the companion module reads it so too)
        takes the link away; RSQI above 0, ``NoLink`` leaving the warnings, or transmitter
        values arriving bring it back at once, without waiting for the next meter reading.
        """
        warnings = self._values.get(_RX_WARNINGS_PATHS.get(channel, ()))
        if isinstance(warnings, frozenset) and warnings & _NO_LINK:
            return False
        return self._link.get(channel, True)

    def transmitters_to_read(self) -> list[int]:
        """Channels whose transmitter should be read again now that it may be linked."""
        return sorted(index for index in self.stale_transmitters if self.link_up(index))

    def capabilities(self) -> frozenset[Capability]:
        """What this model reports: everything but what answered 404 on some channel."""
        lost = {
            capability
            for (area, leaf), capability in _CAPABILITY_LEAVES.items()
            for index in range(1, self.channel_count + 1)
            if channel_path(index, area, leaf) in self.missing
        }
        return (frozenset(_CAPABILITY_LEAVES.values()) | _IDENTIFY) - lost

    def api_device_id(self, host: str, port: int) -> str:
        """The MAC when known (stable across address changes), else host:port."""
        mac = self.value(MACS)
        return mac if isinstance(mac, str) else f"{host}:{port}"

    def receiver(
        self,
        host: str,
        port: int,
        *,
        online: bool,
        error: DeviceError | None = None,
    ) -> Receiver:
        """The identified receiver as the neutral model (the same object if unchanged)."""
        key = (host, port, online, error)
        if self._receiver is not None and key == self._receiver_key:
            return self._receiver
        receiver = Receiver(
            manufacturer=MANUFACTURER,
            api_device_id=self.api_device_id(host, port),
            host=host,
            port=port,
            online=online,
            identified=True,
            model=self._text(PRODUCT),
            family=FAMILY,
            firmware=self._text(VERSION),
            name=self._text(DEVICE_NAME),
            rf_band=self._text(FREQUENCY_CODE),
            mac_address=self._text(MACS),
            capabilities=(capabilities := self.capabilities()),
            name_rule=NAME_RULE if Capability.CHANNEL_NAME in capabilities else None,
            gain_range=GAIN_RANGE if Capability.AUDIO_GAIN in capabilities else None,
            channels=self.channels(),
            error=error,
        )
        self._receiver, self._receiver_key = receiver, key
        return receiver

    def channels(self) -> tuple[Channel, ...]:
        """Every channel; only those whose leaves or link changed are built again."""
        built = self._built
        for index in self._dirty:
            fresh = self._build_channel(index)
            # Moved and moved back before anyone looked: the old object is still right.
            if built.get(index) != fresh:
                built[index] = fresh
        self._dirty.clear()
        channels = []
        for index in range(1, self.channel_count + 1):
            cached = built.get(index)
            if cached is None:
                cached = built[index] = self._build_channel(index)
            channels.append(cached)
        return tuple(channels)

    def _text(self, path: Path) -> str | None:
        value = self.value(path)
        return value if isinstance(value, str) else None

    def _channel(self, channel: int, area: Area, leaf: Path) -> object:
        return self._values.get(channel_path(channel, area, leaf))

    def _build_channel(self, index: int) -> Channel:
        def rx(*leaf: str) -> object:
            return self._channel(index, Area.RX, leaf)

        def meter(*leaf: str) -> object:
            return self._channel(index, Area.METER, leaf)

        warnings = rx("warnings")
        rx_warnings = warnings if isinstance(warnings, frozenset) else frozenset()
        transmitter = self._build_transmitter(index)
        tx_peak = transmitter is not None and _AUDIO_PEAK in self._tx_warnings(index)
        frequency = rx("frequency")
        rssi, af, rsqi, divi = meter("rssi"), meter("af"), meter("rsqi"), meter("divi")
        return Channel(
            index=index,
            name=_str(rx("name")),
            frequency_mhz=frequency / 1000 if isinstance(frequency, int) else None,
            audio_gain_db=_int(rx("gain")),
            audio_mute=_bool(rx("mute")),
            rf_level_dbm=round(rssi) if isinstance(rssi, float) else None,
            audio_level_dbfs=round(af) if isinstance(af, float) else None,
            audio_peak=_AUDIO_PEAK in rx_warnings or tx_peak,
            antenna=_ANTENNAS.get(divi) if isinstance(divi, int) else None,
            rf_quality_percent=_int(rsqi),
            encryption_error=(
                _ENCRYPTION_ERROR in rx_warnings if isinstance(warnings, frozenset) else None
            ),
            low_rf_signal=_LOW_SIGNAL in rx_warnings if isinstance(warnings, frozenset) else None,
            rf_peak=_RF_PEAK in rx_warnings if isinstance(warnings, frozenset) else None,
            transmitter=transmitter,
        )

    def _tx_warnings(self, index: int) -> frozenset[str]:
        warnings = self._channel(index, Area.TX, ("warnings",))
        return warnings if isinstance(warnings, frozenset) else frozenset()

    def _build_transmitter(self, index: int) -> Transmitter | None:
        # Present while its subtree answers (values, not 424) and the link is up.
        if not self._has_transmitter_values(index) or not self.link_up(index):
            return None

        def tx(*leaf: str) -> object:
            return self._channel(index, Area.TX, leaf)

        return Transmitter(
            model=_str(tx("type")),
            name=_str(tx("name")),
            battery_percent=_int(tx("battery", "gauge")),
            battery_runtime_minutes=_int(tx("battery", "lifetime")),
            battery_type=_str(tx("battery", "type")),
            mute=_bool(tx("mute")),
            battery_low=(
                _LOW_BATTERY in warnings
                if isinstance(warnings := tx("warnings"), frozenset)
                else None
            ),
        )

    def _has_transmitter_values(self, index: int) -> bool:
        prefix = channel_path(index, Area.TX, ())
        return any(path[: len(prefix)] == prefix for path in self._values)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None
