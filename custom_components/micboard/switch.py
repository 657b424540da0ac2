"""Switches: a channel's receiver output mute (with *Allow changes to receivers*).

Only where the model has a receiver output mute (``Capability.RX_MUTE``, as the library
declares it): not the transmitter's mute, which the transmitter reports and nobody sets from
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .control_entities import MicboardControlEntity, async_setup_channel_controls
from .controls import FIELD_MUTE
from .coordinator import MicboardConfigEntry
from .entity import MicboardEntityDescription
from .manufacturers import Capability

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MicboardSwitchDescription(MicboardEntityDescription, SwitchEntityDescription):
    """A switch of a channel."""


AUDIO_MUTE = MicboardSwitchDescription(
    key="audio_mute",
    translation_key="audio_mute",
    entity_category=EntityCategory.CONFIG,
    capability=Capability.RX_MUTE,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """An output mute switch for every channel whose receiver has one."""
    async_setup_channel_controls(
        entry, async_add_entities, Platform.SWITCH, AUDIO_MUTE, AudioMuteSwitch
    )


class AudioMuteSwitch(MicboardControlEntity, SwitchEntity):
    """On while the receiver mutes the channel's audio output."""

    @property
    @override
    def is_on(self) -> bool | None:
        """The mute as the receiver last reported it."""
        channel = self.channel
        return channel.audio_mute if channel is not None else None

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Mute; the state changes when the receiver reports it muted."""
        await self._async_set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Unmute; the state changes when the receiver reports it unmuted."""
        await self._async_set(False)

    async def _async_set(self, muted: bool) -> None:
        backend = self.coordinator.backend
        await self._async_change(
            lambda: backend.set_audio_mute(self.receiver_id, self.channel_index, muted),
            fields=frozenset({FIELD_MUTE}),
            value="on" if muted else "off",
        )
