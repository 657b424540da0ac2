"""The receiver families: their key maps, SAMPLE layouts, encodings and capabilities.

Families (see the protocol sheet, sections 2-5): ULX-D, QLX-D, SLX-D, SLX-D+, Axient Digital.
Telling which family a receiver is lives in ``identification``.

Every rule says whether it changed anything, and each key is either a setting (``channel_rules``)
or a meter reading (``meter_rules``, and every SAMPLE). So applying a message tells the
connection exactly what it touched (``apply_message``): nothing, meters only, or more.

Audio peak (``Channel.audio_peak``) is taken from what each family reports best:
- Axient: bit 7 (overload LED) of the audio LED bitmap;
- ULX-D/QLX-D: the SAMPLE audio value at or above 48, i.e. -2 dBFS or louder;
- SLX-D/SLX-D+: the peak level at or above -2 dBFS.
Audio level (``audio_level_dbfs``) is the peak level where a family reports peak and RMS.

The SLX-D SAMPLE field order is disputed (sheet §4.4: the document says peak, RMS, RSSI; a
real SLXD4DE sent RSSI, peak, RMS), so it is decided per receiver from what it sends
(``decide_sample_order``), and until then only readings both orders agree on are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
import logging
from typing import Any

from ..fleet import Change
from ..limits import SHURE_NAME_CHARACTERS, GainRange, NameRule
from ..models import Capability
from .parser import (
    Message,
    Rep,
    Sample,
    antennas,
    count,
    frequency_mhz,
    group_channel,
    mac_address,
    number,
    offset_number,
    on_off,
    runtime_minutes,
    temperature_c,
    text,
    word,
)
from .state import ChannelState, DeviceState, SampleOrder

_LOGGER = logging.getLogger(__name__)

type Decoder = Callable[[str], Any]
# Each rule returns True when it changed the state.
type ChannelRule = Callable[[ChannelState, Rep], bool]
type DeviceRule = Callable[[DeviceState, Rep], bool]
# A SAMPLE layout sees the whole receiver: the SLX-D field order is decided per receiver.
type SampleRule = Callable[[DeviceState, ChannelState, tuple[str, ...]], bool]

# Audio at or above this is shown as peaking (ULX-D/QLX-D raw 48 = -2 dBFS).
PEAK_DBFS = -2
_ULX_AUDIO_OFFSET = 50
_ULX_RF_OFFSET = 128
_SLX_AD_OFFSET = 120
_OVERLOAD_BIT = 0x80
# A SAMPLE reading within this many dB of the level the receiver reported by REP (a moment
# earlier, in GET ALL) counts as the same reading when telling the SLX-D field order.
ORDER_TOLERANCE_DB = 6

# What every family can show: its RF and audio meters.
_METERS = frozenset({Capability.RF_LEVEL, Capability.AUDIO_LEVEL})
# Transmitter details the ULX-D, QLX-D and Axient receivers relay.
_TX_DETAILS = frozenset({Capability.POWER_LOCK, Capability.TX_OFFSET})

# Controls (sheet §1.4, §1.7, §2.2, §3, §4, §5). Every family takes CHAN_NAME and AUDIO_GAIN
# (000-060, dB = value - 18, 1 dB steps). FLASH (identify) with a channel index identifies
# the channel; QLX-D has no FLASH at all. Receiver output mute (AUDIO_MUTE) is ULX-D's and
# Axient's only.
_RENAME_AND_GAIN = frozenset({Capability.CHANNEL_NAME, Capability.AUDIO_GAIN})
_IDENTIFY = frozenset({Capability.IDENTIFY, Capability.CHANNEL_IDENTIFY})
# A name SET takes at most 8 characters on every family: ULX-D and QLX-D report 8, SLX-D
# reports 31 but "SET accepts only up to 8"; the SLX-D+ sheet gives no SET limit and the
# Axient one is uncertain (Companion uses 8), so the strictest documented reading holds.
NAME_RULE = NameRule(max_length=8, allowed=SHURE_NAME_CHARACTERS)
GAIN_RANGE = GainRange(minimum_db=-18, maximum_db=42, step_db=1)
# AUDIO_GAIN is sent as dB + 18 (sheet §2.2).
GAIN_OFFSET = 18


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """What differs between receiver families."""

    code: str
    label: str
    device_rules: Mapping[str, DeviceRule]
    # Channel keys that carry settings or transmitter values.
    channel_rules: Mapping[str, ChannelRule]
    # Channel keys that carry meter readings only (levels, peak, antenna, quality).
    meter_rules: Mapping[str, ChannelRule]
    apply_sample: SampleRule
    # What its receivers' channels report or can be told, for consumers.
    capabilities: frozenset[Capability]
    # Model names by channel count, for firmware that does not answer MODEL.
    models_by_channels: Mapping[int, str]
    # SLX-D+ answers GET 0 ALL with REP ERR: ask GET n ALL per channel instead.
    per_channel_get_all: bool = False
    # The MAC is read with GET NET_SETTINGS SC (ULX-D, SLX-D+).
    reports_net_settings: bool = False

    @property
    def channel_keys(self) -> frozenset[str]:
        """Every channel key this family's receivers report."""
        return frozenset(self.channel_rules) | frozenset(self.meter_rules)


# --- rule builders ------------------------------------------------------------------------


def _device(attribute: str, decode: Decoder) -> DeviceRule:
    def rule(state: DeviceState, rep: Rep) -> bool:
        return state.set(attribute, decode(rep.value))

    return rule


def _channel(attribute: str, decode: Decoder) -> ChannelRule:
    def rule(state: ChannelState, rep: Rep) -> bool:
        return state.set_setting(attribute, decode(rep.value))

    return rule


def _meter(attribute: str, decode: Decoder) -> ChannelRule:
    def rule(state: ChannelState, rep: Rep) -> bool:
        return state.set_meter(attribute, decode(rep.value))

    return rule


def _transmitter(attribute: str, decode: Decoder) -> ChannelRule:
    def rule(state: ChannelState, rep: Rep) -> bool:
        return state.set_transmitter(attribute, decode(rep.value))

    return rule


def _net_settings(state: DeviceState, rep: Rep) -> bool:
    # "if mode ip mask gw mac": the MAC is the last field; a MAC once known is kept.
    fields = rep.value.split()
    if fields and (mac := mac_address(fields[-1])):
        return state.set("mac_address", mac)
    return False


def _rssi(state: ChannelState, rep: Rep) -> bool:
    level = offset_number(rep.value, _SLX_AD_OFFSET)
    antenna = rep.index or 0
    if level is None:
        state.rssi_dbm.pop(antenna, None)
        state.reported_rssi_dbm.pop(antenna, None)
    else:
        state.rssi_dbm[antenna] = level
        state.reported_rssi_dbm[antenna] = level
    return state.set_meter("rf_level_dbm", max(state.rssi_dbm.values(), default=None))


def _slx_peak(state: ChannelState, rep: Rep) -> bool:
    level = offset_number(rep.value, _SLX_AD_OFFSET)
    state.reported_peak_dbfs = level
    # "|", not "or": both values are set whatever the first one did.
    return state.set_meter("audio_level_dbfs", level) | state.set_meter(
        "audio_peak", level is not None and level >= PEAK_DBFS
    )


def _slx_rms(state: ChannelState, rep: Rep) -> bool:
    # Evidence for the SAMPLE field order only: RMS is not shown, so nothing changed.
    state.reported_rms_dbfs = offset_number(rep.value, _SLX_AD_OFFSET)
    return False


def _overload(value: str) -> bool:
    return bool((number(value, unknown=frozenset()) or 0) & _OVERLOAD_BIT)


def _is(*true_words: str) -> Decoder:
    """Decode a status word to True when it is one of ``true_words``; UNKN is None."""

    def decode(value: str) -> bool | None:
        known = word(value)
        return None if known is None else known.upper() in true_words

    return decode


def _mute_mode(value: str) -> bool | None:
    # Axient TX_MUTE_MODE_STATUS: ON means *not* muted, MUTE means muted.
    known = word(value)
    return None if known is None else known.upper() == "MUTE"


def _power_lock(value: str) -> bool | None:
    # Axient TX_LOCK ALL/POWER lock the power switch; MENU/NONE/OFF do not.
    known = word(value)
    return None if known is None else known.upper() in {"ALL", "POWER", "LOCKED"}


def _milliwatts(value: str) -> str | None:
    raw = number(value)
    return None if raw is None else f"{raw} mW"


def _gain_db(value: str) -> int | None:
    return offset_number(value, GAIN_OFFSET)


def _ad_offset_db(value: str) -> int | None:
    return offset_number(value, 12)


def _ad_level(value: str) -> int | None:
    return offset_number(value, _SLX_AD_OFFSET)


def _ad_antennas(value: str) -> str | None:
    return antennas(value, active_marker="B")


# --- SAMPLE layouts -------------------------------------------------------------------------
# A SAMPLE arrives for every channel at every meter interval, mostly unchanged: each layout
# only assigns the readings, and says whether any of them differed.


def _ulx_sample(device: DeviceState, state: ChannelState, fields: tuple[str, ...]) -> bool:
    # antenna flags, RF (dBm + 128), audio (dBFS + 50)
    if len(fields) < 3:
        return False
    audio_raw = number(fields[2])
    return (
        state.set_meter("antenna", antennas(fields[0]))
        | state.set_meter("rf_level_dbm", offset_number(fields[1], _ULX_RF_OFFSET))
        | state.set_meter(
            "audio_level_dbfs", None if audio_raw is None else audio_raw - _ULX_AUDIO_OFFSET
        )
        | state.set_meter(
            "audio_peak", audio_raw is not None and audio_raw >= _ULX_AUDIO_OFFSET + PEAK_DBFS
        )
    )


@dataclass(frozen=True, slots=True)
class SlxReadings:
    """The three SLX-D SAMPLE levels as read in one field order (None: 255, unknown)."""

    peak_dbfs: int | None
    rms_dbfs: int | None
    rssi_dbm: int | None

    @property
    def audio_possible(self) -> bool:
        """Peak >= RMS, as it must be for audio (an unknown level contradicts nothing)."""
        return self.peak_dbfs is None or self.rms_dbfs is None or self.peak_dbfs >= self.rms_dbfs


@dataclass(frozen=True, slots=True)
class OrderDecision:
    """Which SLX-D SAMPLE field order a receiver uses, and why."""

    order: SampleOrder
    # True when peak >= RMS holds in this order only; False when it rests on REP levels.
    certain: bool
    reason: str


def slx_readings(fields: tuple[str, ...], order: SampleOrder) -> SlxReadings:
    """The SAMPLE's three fields (all value - 120) read in ``order``."""
    first, second, third = (offset_number(value, _SLX_AD_OFFSET) for value in fields[:3])
    if order is SampleOrder.PEAK_RMS_RSSI:
        return SlxReadings(first, second, third)
    return SlxReadings(second, third, first)


def _near(value: int | None, reported: Iterable[int]) -> bool | None:
    """Whether ``value`` is within tolerance of a reported level; None: nothing to compare."""
    levels = list(reported)
    if value is None or not levels:
        return None
    return any(abs(value - level) <= ORDER_TOLERANCE_DB for level in levels)


def _matches_reports(readings: SlxReadings, state: ChannelState) -> bool | None:
    """True when every reading that has a REP to compare with is near it; None: none has."""
    checks = [
        _near(readings.rssi_dbm, state.reported_rssi_dbm.values()),
        _near(
            readings.peak_dbfs,
            [] if state.reported_peak_dbfs is None else [state.reported_peak_dbfs],
        ),
        _near(
            readings.rms_dbfs, [] if state.reported_rms_dbfs is None else [state.reported_rms_dbfs]
        ),
    ]
    known = [check for check in checks if check is not None]
    return all(known) if known else None


def decide_sample_order(state: ChannelState, fields: tuple[str, ...]) -> OrderDecision | None:
    """Tell the SLX-D SAMPLE field order from one sample, or None while it is ambiguous.

    1. Peak >= RMS must hold for audio: when it holds in one order only, that order it is
       (certain).
    2. Otherwise the order whose readings all lie within ``ORDER_TOLERANCE_DB`` of the levels
       the receiver reported by REP (RSSI, AUDIO_LEVEL_PEAK, AUDIO_LEVEL_RMS), while the
       other order's readings contradict them (not certain: the REPs are a moment older).
    """
    if len(fields) < 3:
        return None
    readings = {order: slx_readings(fields, order) for order in SampleOrder}
    possible = [order for order, read in readings.items() if read.audio_possible]
    if len(possible) == 1:
        return OrderDecision(possible[0], certain=True, reason="peak >= RMS only in this order")
    if not possible:
        return None
    matches = {order: _matches_reports(readings[order], state) for order in possible}
    for order, other in (tuple(SampleOrder), tuple(reversed(SampleOrder))):
        if matches[order] is True and matches[other] is False:
            return OrderDecision(order, certain=False, reason="levels match the REP levels")
    return None


def _undecided_readings(fields: tuple[str, ...]) -> SlxReadings:
    """What both orders agree on; the rest is unknown until the order is decided."""
    first, second = (slx_readings(fields, order) for order in SampleOrder)
    return SlxReadings(
        first.peak_dbfs if first.peak_dbfs == second.peak_dbfs else None,
        None,
        first.rssi_dbm if first.rssi_dbm == second.rssi_dbm else None,
    )


def _decide(device: DeviceState, state: ChannelState, fields: tuple[str, ...]) -> None:
    """Decide, confirm or revise the receiver's SLX-D SAMPLE order with this sample."""
    order = device.sample_order
    if order is None:
        decision = decide_sample_order(state, fields)
        if decision is None:
            return
        device.sample_order, device.sample_order_certain = decision.order, decision.certain
        _log_order(device, state, fields, decision, revised=False)
        return
    if device.sample_order_certain:
        return
    # Decided by the REP levels: only peak >= RMS can confirm or overturn that.
    other = next(candidate for candidate in SampleOrder if candidate is not order)
    here_possible = slx_readings(fields, order).audio_possible
    other_possible = slx_readings(fields, other).audio_possible
    if here_possible == other_possible:
        return
    device.sample_order_certain = True
    if other_possible:
        device.sample_order = other
        decision = OrderDecision(other, certain=True, reason="peak >= RMS only in this order")
        _log_order(device, state, fields, decision, revised=True)


def _log_order(
    device: DeviceState,
    state: ChannelState,
    fields: tuple[str, ...],
    decision: OrderDecision,
    *,
    revised: bool,
) -> None:
    _LOGGER.debug(
        "%s: SLX-D SAMPLE fields %s as %s (%s: < SAMPLE %d ALL %s >)",
        device.name or device.model or "receiver",
        "now read" if revised else "read",
        decision.order.value,
        decision.reason,
        state.channel.index,
        " ".join(fields),
    )


def _slx_sample(device: DeviceState, state: ChannelState, fields: tuple[str, ...]) -> bool:
    # audio peak, audio RMS, RSSI in the document's order, all value - 120; see _decide.
    if len(fields) < 3:
        return False
    _decide(device, state, fields)
    order = device.sample_order
    readings = _undecided_readings(fields) if order is None else slx_readings(fields, order)
    peak = readings.peak_dbfs
    # The SAMPLE's single RF level replaces per-antenna RSSI reports.
    state.rssi_dbm.clear()
    return (
        state.set_meter("audio_level_dbfs", peak)
        | state.set_meter("audio_peak", peak is not None and peak >= PEAK_DBFS)
        | state.set_meter("rf_level_dbm", readings.rssi_dbm)
    )


def _axient_sample(device: DeviceState, state: ChannelState, fields: tuple[str, ...]) -> bool:
    # quality, audio LED bitmap, peak, RMS, antenna status, then (RF bitmap, RSSI) per antenna
    if len(fields) < 5:
        return False
    status = fields[4].strip().upper()
    levels = [offset_number(value, _SLX_AD_OFFSET) for value in fields[6 : 6 + 2 * len(status) : 2]]
    known = [level for level in levels if level is not None]
    active = [
        level
        for flag, level in zip(status, levels, strict=False)
        if flag == "B" and level is not None
    ]
    state.rssi_dbm.clear()
    return (
        state.set_meter("quality", number(fields[0]))
        | state.set_meter("audio_peak", _overload(fields[1]))
        | state.set_meter("audio_level_dbfs", offset_number(fields[2], _SLX_AD_OFFSET))
        | state.set_meter("antenna", antennas(status, active_marker="B"))
        | state.set_meter("rf_level_dbm", max(active or known, default=None))
    )


# --- key maps ---------------------------------------------------------------------------------

_COMMON_DEVICE: dict[str, DeviceRule] = {
    "DEVICE_ID": _device("name", text),
    # Kept as reported: a trailing "*" (failed self-test / incomplete update) is worth seeing.
    "FW_VER": _device("firmware", text),
    "MODEL": _device("model", text),
    "RF_BAND": _device("rf_band", text),
    "MAC_ADDR": _device("mac_address", mac_address),
    "NET_SETTINGS": _net_settings,
}

_COMMON_CHANNEL: dict[str, ChannelRule] = {
    "CHAN_NAME": _channel("name", text),
    "FREQUENCY": _channel("frequency_mhz", frequency_mhz),
    "AUDIO_GAIN": _channel("audio_gain_db", _gain_db),
}

# QLX-D keys; ULX-D reports the same and transmitter mute (sheet §3: "same list as ULX-D").
_QLX_CHANNEL: dict[str, ChannelRule] = {
    **_COMMON_CHANNEL,
    "GROUP_CHAN": _channel("group_channel", group_channel),
    "AUDIO_MUTE": _channel("audio_mute", on_off),
    "ENCRYPTION_WARNING": _channel("encryption_error", on_off),
    "RF_INT_DET": _channel("interference", _is("CRITICAL", "DETECTED")),
    "TX_TYPE": _transmitter("model", word),
    "TX_DEVICE_ID": _transmitter("name", text),
    # Raw dB for ULX-D/QLX-D: the -12 encoding is documented for Axient only (sheet §14.3).
    "TX_OFFSET": _transmitter("tx_offset_db", number),
    "TX_RF_PWR": _transmitter("rf_power", word),
    "TX_PWR_LOCK": _transmitter("power_lock", on_off),
    "BATT_BARS": _transmitter("battery_bars", number),
    "BATT_CHARGE": _transmitter("battery_percent", number),
    "BATT_HEALTH": _transmitter("battery_health_percent", number),
    "BATT_CYCLE": _transmitter("battery_cycles", count),
    "BATT_RUN_TIME": _transmitter("battery_runtime_minutes", runtime_minutes),
    "BATT_TEMP_C": _transmitter("battery_temperature_c", temperature_c),
    "BATT_TYPE": _transmitter("battery_type", word),
}

_ULX_CHANNEL: dict[str, ChannelRule] = {
    **_QLX_CHANNEL,
    # The mute state of a ULXD6/ULXD8 (sheet §2.3). A QLX-D receiver sends the key too, but
    # only ever as UNKN: its QLXD1/QLXD2 transmitters have no mute to report.
    "TX_MUTE_STATUS": _transmitter("mute", on_off),
}

_SLX_CHANNEL: dict[str, ChannelRule] = {
    **_COMMON_CHANNEL,
    "GROUP_CHANNEL": _channel("group_channel", group_channel),
    "TX_MODEL": _transmitter("model", word),
    "TX_BATT_BARS": _transmitter("battery_bars", number),
    "TX_BATT_MINS": _transmitter("battery_runtime_minutes", runtime_minutes),
}

_SLX_METERS: dict[str, ChannelRule] = {
    "AUDIO_LEVEL_PEAK": _slx_peak,
    "AUDIO_LEVEL_RMS": _slx_rms,
    "RSSI": _rssi,
}

_SLX_PLUS_CHANNEL: dict[str, ChannelRule] = {
    **_SLX_CHANNEL,
    "ENCRYPTION_STATUS": _channel("encryption_error", _is("ERROR")),
    "INTERFERENCE_STATUS": _channel("interference", _is("DETECTED", "CRITICAL")),
}

_SLX_PLUS_METERS: dict[str, ChannelRule] = {
    **_SLX_METERS,
    "ANTENNA_STATUS": _meter("antenna", antennas),
}

_AXIENT_CHANNEL: dict[str, ChannelRule] = {
    **_COMMON_CHANNEL,
    "GROUP_CHANNEL": _channel("group_channel", group_channel),
    "AUDIO_MUTE": _channel("audio_mute", on_off),
    "ENCRYPTION_STATUS": _channel("encryption_error", _is("ERROR")),
    "INTERFERENCE_STATUS": _channel("interference", _is("DETECTED", "CRITICAL")),
    "TX_MODEL": _transmitter("model", word),
    "TX_DEVICE_ID": _transmitter("name", text),
    "TX_OFFSET": _transmitter("tx_offset_db", _ad_offset_db),
    "TX_POWER_LEVEL": _transmitter("rf_power", _milliwatts),
    "TX_MUTE_MODE_STATUS": _transmitter("mute", _mute_mode),
    "TX_LOCK": _transmitter("power_lock", _power_lock),
    "TX_BATT_BARS": _transmitter("battery_bars", number),
    "TX_BATT_CHARGE_PERCENT": _transmitter("battery_percent", number),
    "TX_BATT_HEALTH_PERCENT": _transmitter("battery_health_percent", number),
    "TX_BATT_CYCLE_COUNT": _transmitter("battery_cycles", count),
    "TX_BATT_MINS": _transmitter("battery_runtime_minutes", runtime_minutes),
    "TX_BATT_TEMP_C": _transmitter("battery_temperature_c", temperature_c),
    "TX_BATT_TYPE": _transmitter("battery_type", word),
}

_AXIENT_METERS: dict[str, ChannelRule] = {
    "CHAN_QUALITY": _meter("quality", number),
    "AUDIO_LED_BITMAP": _meter("audio_peak", _overload),
    "AUDIO_LEVEL_PEAK": _meter("audio_level_dbfs", _ad_level),
    "ANTENNA_STATUS": _meter("antenna", _ad_antennas),
    "RSSI": _rssi,
}

ULXD = Family(
    code="ulxd",
    label="ULX-D",
    device_rules=_COMMON_DEVICE,
    channel_rules=_ULX_CHANNEL,
    # The ULX-D and QLX-D meters arrive by SAMPLE only (sheet §2.2).
    meter_rules={},
    apply_sample=_ulx_sample,
    capabilities=_METERS
    | _TX_DETAILS
    | _RENAME_AND_GAIN
    | _IDENTIFY
    | {Capability.TX_MUTE, Capability.ANTENNA, Capability.WEB_UI, Capability.RX_MUTE},
    models_by_channels={1: "ULXD4", 2: "ULXD4D", 4: "ULXD4Q"},
    reports_net_settings=True,
)
QLXD = Family(
    code="qlxd",
    label="QLX-D",
    device_rules=_COMMON_DEVICE,
    channel_rules=_QLX_CHANNEL,
    meter_rules={},
    apply_sample=_ulx_sample,
    # No TX_MUTE: see _ULX_CHANNEL. No FLASH and no AUDIO_MUTE (sheet §1.7, §3).
    capabilities=_METERS | _TX_DETAILS | _RENAME_AND_GAIN | {Capability.ANTENNA},
    models_by_channels={1: "QLXD4"},
)
SLXD = Family(
    code="slxd",
    label="SLX-D",
    device_rules=_COMMON_DEVICE,
    channel_rules=_SLX_CHANNEL,
    meter_rules=_SLX_METERS,
    apply_sample=_slx_sample,
    # No mute of any kind (sheet §4.3).
    capabilities=_METERS | _RENAME_AND_GAIN | _IDENTIFY,
    models_by_channels={},
)
SLXD_PLUS = Family(
    code="slxdplus",
    label="SLX-D+",
    device_rules=_COMMON_DEVICE,
    channel_rules=_SLX_PLUS_CHANNEL,
    meter_rules=_SLX_PLUS_METERS,
    apply_sample=_slx_sample,
    # The SLX-D+ sheet lists only what it adds to SLX-D: FLASH and CHAN_NAME as on SLX-D.
    capabilities=_METERS | _RENAME_AND_GAIN | _IDENTIFY | {Capability.ANTENNA, Capability.WEB_UI},
    models_by_channels={},
    per_channel_get_all=True,
    reports_net_settings=True,
)
AXIENT = Family(
    code="axient",
    label="Axient Digital",
    device_rules=_COMMON_DEVICE,
    channel_rules=_AXIENT_CHANNEL,
    meter_rules=_AXIENT_METERS,
    apply_sample=_axient_sample,
    capabilities=_METERS
    | _TX_DETAILS
    | _RENAME_AND_GAIN
    | _IDENTIFY
    | {
        Capability.TX_MUTE,
        Capability.ANTENNA,
        Capability.QUALITY,
        Capability.WEB_UI,
        Capability.RX_MUTE,
    },
    models_by_channels={},
)

FAMILIES = (ULXD, QLXD, SLXD, SLXD_PLUS, AXIENT)


def apply_message(family: Family, device: DeviceState, message: Message) -> Change | None:
    """Apply one REP or SAMPLE to the receiver's state; say what it changed.

    Returns None when it changed nothing (unknown, ignored, or the value was already so),
    ``Change.METERS`` when only meter readings changed, ``Change.STATE`` otherwise.
    """
    if isinstance(message, Sample):
        channel = device.channels.get(message.channel)
        if channel is not None and family.apply_sample(device, channel, message.fields):
            return Change.METERS
        return None
    if not isinstance(message, Rep):
        return None
    if message.channel is None:
        device_rule = family.device_rules.get(message.key)
        if device_rule is not None and device_rule(device, message):
            return Change.STATE
        return None
    change = Change.STATE
    rule = family.channel_rules.get(message.key)
    if rule is None:
        rule = family.meter_rules.get(message.key)
        change = Change.METERS
    if rule is None:
        return None
    # Channel 0 addresses every channel (a reply to SET 0 may come back that way).
    if message.channel == 0:
        targets = list(device.channels.values())
    else:
        target = device.channels.get(message.channel)
        targets = [] if target is None else [target]
    changed = False
    for channel in targets:
        changed |= rule(channel, message)
    return change if changed else None
