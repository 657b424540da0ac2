"""Text: a channel's name, as the receiver reports it (with *Allow changes to receivers*).

Its length and pattern are the model's (``Receiver.name_rule``): what the receiver cannot
take is refused, never cut. Home Assistant's text entity insists that the state itself fits
them; a name set on the receiver's front panel that does not (say, longer than a network
client may set) is still shown as it is: the limits then widen to it, and the library
refuses such a name when it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import override

from homeassistant.components.text import TextEntity, TextEntityDescription, TextMode
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .control_entities import MicboardControlEntity, async_setup_channel_controls
from .controls import FIELD_NAME
from .coordinator import MicboardConfigEntry
from .entity import MicboardEntityDescription
from .manufacturers import Capability, NameRule

PARALLEL_UPDATES = 0
# Home Assistant's longest text state.
_STATE_MAX = 255


@dataclass(frozen=True, kw_only=True)
class MicboardTextDescription(MicboardEntityDescription, TextEntityDescription):
    """A text of a channel."""


CHANNEL_NAME = MicboardTextDescription(
    key="channel_name",
    translation_key="channel_name",
    entity_category=EntityCategory.CONFIG,
    mode=TextMode.TEXT,
    capability=Capability.CHANNEL_NAME,
    exists_fn=lambda receiver: receiver.name_rule is not None,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """A channel name text for every channel whose receiver takes names."""
    async_setup_channel_controls(
        entry, async_add_entities, Platform.TEXT, CHANNEL_NAME, ChannelNameText
    )


class ChannelNameText(MicboardControlEntity, TextEntity):
    """The channel's name; setting it renames the channel on the receiver."""

    @property
    def _rule(self) -> NameRule | None:
        receiver = self.receiver
        return receiver.name_rule if receiver is not None else None

    @property
    @override
    def native_value(self) -> str | None:
        """The name as the receiver last reported it."""
        channel = self.channel
        return channel.name if channel is not None else None

    @property
    @override
    def native_min(self) -> int:
        """The shortest name the receiver takes (none shown: no limit to meet)."""
        rule = self._rule
        name = self.native_value
        minimum = rule.min_length if rule is not None else 0
        return min(minimum, len(name)) if name is not None else minimum

    @property
    @override
    def native_max(self) -> int:
        """The longest name the receiver takes (or the one it shows, if longer)."""
        rule = self._rule
        maximum = rule.max_length if rule is not None else _STATE_MAX
        return max(maximum, len(self.native_value or ""))

    @property
    @override
    def pattern(self) -> str | None:
        """The characters the receiver takes (None while the name it shows has others)."""
        rule, name = self._rule, self.native_value
        if rule is None or (name is not None and not re.fullmatch(rule.pattern, name)):
            return None
        return rule.pattern

    @override
    async def async_set_value(self, value: str) -> None:
        """Rename the channel; the state changes when the receiver reports the new name."""
        backend = self.coordinator.backend
        await self._async_change(
            lambda: backend.set_channel_name(self.receiver_id, self.channel_index, value),
            fields=frozenset({FIELD_NAME}),
            value=value,
        )
