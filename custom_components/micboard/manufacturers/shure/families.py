"""Per-family key maps and encodings, and telling the family from what a receiver reports.

Families (see the protocol sheet, sections 2-5): ULX-D, QLX-D, SLX-D, SLX-D+, Axient Digital.
Audio peak (``Channel.audio_peak``) is taken from what each family reports best:
- Axient: bit 7 (overload LED) of the audio LED bitmap;
- ULX-D/QLX-D: the SAMPLE audio value at or above 48, i.e. -2 dBFS or louder;
- SLX-D/SLX-D+: the peak level at or above -2 dBFS.
Audio level (``audio_level_dbfs``) is the peak level where a family reports peak and RMS.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

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
from .state import ChannelState, DeviceState

type Decoder = Callable[[str], Any]
type ChannelRule = Callable[[ChannelState, Rep], None]
type DeviceRule = Callable[[DeviceState, Rep], None]
type SampleRule = Callable[[ChannelState, tuple[str, ...]], bool]

# Audio at or above this is shown as peaking (ULX-D/QLX-D raw 48 = -2 dBFS).
PEAK_DBFS = -2
_ULX_AUDIO_OFFSET = 50
_ULX_RF_OFFSET = 128
_SLX_AD_OFFSET = 120
_OVERLOAD_BIT = 0x80


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """What differs between receiver families."""

    code: str
    label: str
    device_rules: Mapping[str, DeviceRule]
    channel_rules: Mapping[str, ChannelRule]
    apply_sample: SampleRule
    # Model names by channel count, for firmware that does not answer MODEL.
    models_by_channels: Mapping[int, str]
    # SLX-D+ answers GET 0 ALL with REP ERR: ask GET n ALL per channel instead.
    per_channel_get_all: bool = False
    # The MAC is read with GET NET_SETTINGS SC (ULX-D, SLX-D+).
    reports_net_settings: bool = False


# --- rule builders ------------------------------------------------------------------------


def _device(attribute: str, decode: Decoder) -> DeviceRule:
    def rule(state: DeviceState, rep: Rep) -> None:
        setattr(state, attribute, decode(rep.value))

    return rule


def _channel(attribute: str, decode: Decoder) -> ChannelRule:
    def rule(state: ChannelState, rep: Rep) -> None:
        changes: dict[str, Any] = {attribute: decode(rep.value)}
        state.channel = replace(state.channel, **changes)

    return rule


def _transmitter(attribute: str, decode: Decoder) -> ChannelRule:
    def rule(state: ChannelState, rep: Rep) -> None:
        changes: dict[str, Any] = {attribute: decode(rep.value)}
        state.transmitter = replace(state.transmitter, **changes)

    return rule


def _net_settings(state: DeviceState, rep: Rep) -> None:
    # "if mode ip mask gw mac": the MAC is the last field.
    fields = rep.value.split()
    if fields and (mac := mac_address(fields[-1])):
        state.mac_address = mac


def _rssi(state: ChannelState, rep: Rep) -> None:
    level = offset_number(rep.value, _SLX_AD_OFFSET)
    if level is None:
        state.rssi_dbm.pop(rep.index or 0, None)
    else:
        state.rssi_dbm[rep.index or 0] = level
    strongest = max(state.rssi_dbm.values(), default=None)
    state.channel = replace(state.channel, rf_level_dbm=strongest)


def _slx_peak(state: ChannelState, rep: Rep) -> None:
    level = offset_number(rep.value, _SLX_AD_OFFSET)
    state.channel = replace(
        state.channel,
        audio_level_dbfs=level,
        audio_peak=level is not None and level >= PEAK_DBFS,
    )


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
    return offset_number(value, 18)


def _ad_offset_db(value: str) -> int | None:
    return offset_number(value, 12)


# --- SAMPLE layouts -------------------------------------------------------------------------


def _ulx_sample(state: ChannelState, fields: tuple[str, ...]) -> bool:
    # antenna flags, RF (dBm + 128), audio (dBFS + 50)
    if len(fields) < 3:
        return False
    audio_raw = number(fields[2])
    state.channel = replace(
        state.channel,
        antenna=antennas(fields[0]),
        rf_level_dbm=offset_number(fields[1], _ULX_RF_OFFSET),
        audio_level_dbfs=None if audio_raw is None else audio_raw - _ULX_AUDIO_OFFSET,
        audio_peak=audio_raw is not None and audio_raw >= _ULX_AUDIO_OFFSET + PEAK_DBFS,
    )
    return True


def _slx_sample(state: ChannelState, fields: tuple[str, ...]) -> bool:
    # audio peak, audio RMS, RSSI; all value - 120
    if len(fields) < 3:
        return False
    peak = offset_number(fields[0], _SLX_AD_OFFSET)
    state.rssi_dbm.clear()
    state.channel = replace(
        state.channel,
        audio_level_dbfs=peak,
        audio_peak=peak is not None and peak >= PEAK_DBFS,
        rf_level_dbm=offset_number(fields[2], _SLX_AD_OFFSET),
    )
    return True


def _axient_sample(state: ChannelState, fields: tuple[str, ...]) -> bool:
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
    state.channel = replace(
        state.channel,
        quality=number(fields[0]),
        audio_peak=_overload(fields[1]),
        audio_level_dbfs=offset_number(fields[2], _SLX_AD_OFFSET),
        antenna=antennas(status, active_marker="B"),
        rf_level_dbm=max(active or known, default=None),
    )
    return True


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

_ULX_QLX_CHANNEL: dict[str, ChannelRule] = {
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
    "TX_MUTE_STATUS": _transmitter("mute", on_off),
    "TX_PWR_LOCK": _transmitter("power_lock", on_off),
    "BATT_BARS": _transmitter("battery_bars", number),
    "BATT_CHARGE": _transmitter("battery_percent", number),
    "BATT_HEALTH": _transmitter("battery_health_percent", number),
    "BATT_CYCLE": _transmitter("battery_cycles", count),
    "BATT_RUN_TIME": _transmitter("battery_runtime_minutes", runtime_minutes),
    "BATT_TEMP_C": _transmitter("battery_temperature_c", temperature_c),
    "BATT_TYPE": _transmitter("battery_type", word),
}

_SLX_CHANNEL: dict[str, ChannelRule] = {
    **_COMMON_CHANNEL,
    "GROUP_CHANNEL": _channel("group_channel", group_channel),
    "AUDIO_LEVEL_PEAK": _slx_peak,
    "RSSI": _rssi,
    "TX_MODEL": _transmitter("model", word),
    "TX_BATT_BARS": _transmitter("battery_bars", number),
    "TX_BATT_MINS": _transmitter("battery_runtime_minutes", runtime_minutes),
}

_SLX_PLUS_CHANNEL: dict[str, ChannelRule] = {
    **_SLX_CHANNEL,
    "ANTENNA_STATUS": _channel("antenna", antennas),
    "ENCRYPTION_STATUS": _channel("encryption_error", _is("ERROR")),
    "INTERFERENCE_STATUS": _channel("interference", _is("DETECTED", "CRITICAL")),
}

_AXIENT_CHANNEL: dict[str, ChannelRule] = {
    **_COMMON_CHANNEL,
    "GROUP_CHANNEL": _channel("group_channel", group_channel),
    "AUDIO_MUTE": _channel("audio_mute", on_off),
    "ENCRYPTION_STATUS": _channel("encryption_error", _is("ERROR")),
    "INTERFERENCE_STATUS": _channel("interference", _is("DETECTED", "CRITICAL")),
    "CHAN_QUALITY": _channel("quality", number),
    "AUDIO_LED_BITMAP": _channel("audio_peak", _overload),
    "AUDIO_LEVEL_PEAK": _channel("audio_level_dbfs", lambda v: offset_number(v, _SLX_AD_OFFSET)),
    "ANTENNA_STATUS": _channel("antenna", lambda v: antennas(v, active_marker="B")),
    "RSSI": _rssi,
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

ULXD = Family(
    code="ulxd",
    label="ULX-D",
    device_rules=_COMMON_DEVICE,
    channel_rules=_ULX_QLX_CHANNEL,
    apply_sample=_ulx_sample,
    models_by_channels={1: "ULXD4", 2: "ULXD4D", 4: "ULXD4Q"},
    reports_net_settings=True,
)
QLXD = Family(
    code="qlxd",
    label="QLX-D",
    device_rules=_COMMON_DEVICE,
    channel_rules=_ULX_QLX_CHANNEL,
    apply_sample=_ulx_sample,
    models_by_channels={1: "QLXD4"},
)
SLXD = Family(
    code="slxd",
    label="SLX-D",
    device_rules=_COMMON_DEVICE,
    channel_rules=_SLX_CHANNEL,
    apply_sample=_slx_sample,
    models_by_channels={},
)
SLXD_PLUS = Family(
    code="slxdplus",
    label="SLX-D+",
    device_rules=_COMMON_DEVICE,
    channel_rules=_SLX_PLUS_CHANNEL,
    apply_sample=_slx_sample,
    models_by_channels={},
    per_channel_get_all=True,
    reports_net_settings=True,
)
AXIENT = Family(
    code="axient",
    label="Axient Digital",
    device_rules=_COMMON_DEVICE,
    channel_rules=_AXIENT_CHANNEL,
    apply_sample=_axient_sample,
    models_by_channels={},
)

FAMILIES = (ULXD, QLXD, SLXD, SLXD_PLUS, AXIENT)

# Keys only the ULX-D/QLX-D key set has, and the ones only ULX-D has (sheet §3).
_ULX_QLX_KEYS = frozenset({"TX_TYPE", "BATT_BARS", "GROUP_CHAN"})
_ULX_ONLY_KEYS = frozenset({"AUDIO_MUTE", "RF_INT_DET"})
_CHANNELS_BY_SUFFIX = {"D": 2, "Q": 4}


@dataclass(frozen=True, slots=True)
class Identity:
    """What a receiver is: family, model name and channel count."""

    family: Family
    model: str
    channel_count: int


def family_of_model(model: str) -> tuple[Family, int] | None:
    """Family and channel count named by a MODEL string (``AD4Q-A`` -> Axient, 4)."""
    normalised = model.strip().upper()
    for prefix, family in (("ULXD4", ULXD), ("QLXD4", QLXD), ("SLXD4", SLXD), ("AD4", AXIENT)):
        if not normalised.startswith(prefix):
            continue
        suffix = normalised[len(prefix) : len(prefix) + 1]
        if family is QLXD:
            return QLXD, 1
        if family is AXIENT and suffix not in _CHANNELS_BY_SUFFIX:
            return None
        plus = family is SLXD and "+" in normalised
        return (SLXD_PLUS if plus else family), _CHANNELS_BY_SUFFIX.get(suffix, 1)
    return None


def identify(
    model: str | None, channel_keys: Collection[str], channel_indexes: Collection[int]
) -> Identity | None:
    """Tell the family from MODEL or, for firmware without MODEL, from a GET ALL burst.

    Returns None when the family cannot be told for certain: it is never guessed.
    """
    highest = max(channel_indexes, default=0)
    if model:
        found = family_of_model(model)
        if found is None:
            return None
        family, channels = found
        return Identity(family, model.strip(), max(channels, highest))
    keys = set(channel_keys)
    if not keys & _ULX_QLX_KEYS:
        return None
    family = ULXD if keys & _ULX_ONLY_KEYS else QLXD
    derived = family.models_by_channels.get(highest)
    return None if derived is None else Identity(family, derived, highest)


def apply_message(family: Family, device: DeviceState, message: Message) -> bool:
    """Apply one REP or SAMPLE to the receiver's state; False when it meant nothing to us."""
    if isinstance(message, Sample):
        channel = device.channels.get(message.channel)
        return channel is not None and family.apply_sample(channel, message.fields)
    if not isinstance(message, Rep):
        return False
    if message.channel is None:
        device_rule = family.device_rules.get(message.key)
        if device_rule is not None:
            device_rule(device, message)
        return device_rule is not None
    channel_rule = family.channel_rules.get(message.key)
    if channel_rule is None:
        return False
    # Channel 0 addresses every channel (a reply to SET 0 may come back that way).
    if message.channel == 0:
        targets = list(device.channels.values())
    else:
        target = device.channels.get(message.channel)
        targets = [] if target is None else [target]
    for channel in targets:
        channel_rule(channel, message)
    return bool(targets)
