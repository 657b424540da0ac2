"""The checks made before a change is sent to a device: its controls and their limits.

A write (identify, channel name, receiver mute, audio gain) goes out only when the device
has the control (``Capability``) and the value is within its limits (``limits``);
otherwise it fails at once, naming the limit (``InvalidValueError``) or the missing
control (``ControlNotSupportedError``). Every backend checks with these, and a consumer
may too (a batch of names is checked as a whole before any of it is sent).
"""

from __future__ import annotations

from .errors import ControlNotSupportedError
from .models import Capability, Device, Receiver


def check_control(device: Device, capability: Capability, channel: int = 0) -> None:
    """Raise ``ControlNotSupportedError`` unless ``device`` has this control on ``channel``.

    ``channel`` 0 is the device itself (identify); channel controls need a channel the
    receiver has.
    """
    where = f"{device.host}:{device.port}"
    if capability not in device.capabilities:
        raise ControlNotSupportedError(
            f"{device.model or 'the device'} has no {capability} control", host=where
        )
    if capability is Capability.IDENTIFY:
        return
    if not isinstance(device, Receiver) or channel < 1 or device.channel(channel) is None:
        raise ControlNotSupportedError(f"no channel {channel}", host=where)


def check_identify(device: Device, channel: int = 0) -> None:
    """Raise unless the device (channel 0) or the channel can be told to identify."""
    check_control(
        device, Capability.IDENTIFY if channel == 0 else Capability.CHANNEL_IDENTIFY, channel
    )


def check_channel_name(device: Device, channel: int, name: str) -> None:
    """Raise unless the channel can be renamed to ``name`` (nothing is sent either way)."""
    check_control(device, Capability.CHANNEL_NAME, channel)
    rule = device.name_rule if isinstance(device, Receiver) else None
    if rule is None:
        raise ControlNotSupportedError("the device's name limits are not known")
    rule.check(name)


def check_audio_mute(device: Device, channel: int) -> None:
    """Raise unless the channel's receiver output can be muted."""
    check_control(device, Capability.RX_MUTE, channel)


def check_audio_gain(device: Device, channel: int, gain_db: int) -> None:
    """Raise unless the channel takes ``gain_db``."""
    check_control(device, Capability.AUDIO_GAIN, channel)
    gain = device.gain_range if isinstance(device, Receiver) else None
    if gain is None:
        raise ControlNotSupportedError("the device's gain range is not known")
    gain.check(gain_db)
