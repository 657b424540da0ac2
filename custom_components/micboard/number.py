"""Numbers: a channel's audio gain (with *Allow changes to receivers*).

Only where the model has ``Capability.AUDIO_GAIN``. Range and step are the model's, as the
library states them (``Receiver.gain_range``: one model takes -18 to +42 dB in 1 dB steps,
another -3 to +42 dB in 3 dB steps). A box, not a slider: a slider dragged by accident would
change the show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import SIGNAL_STRENGTH_DECIBELS, EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .control_entities import MicboardControlEntity, async_setup_channel_controls
from .controls import FIELD_GAIN, device_label
from .coordinator import MicboardConfigEntry
from .entity import MicboardEntityDescription
from .manufacturers import Capability, GainRange

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MicboardNumberDescription(MicboardEntityDescription, NumberEntityDescription):
    """A number of a channel."""


AUDIO_GAIN = MicboardNumberDescription(
    key="audio_gain",
    translation_key="audio_gain",
    entity_category=EntityCategory.CONFIG,
    native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS,
    mode=NumberMode.BOX,
    capability=Capability.AUDIO_GAIN,
    exists_fn=lambda receiver: receiver.gain_range is not None,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """An audio gain number for every channel whose receiver takes gain."""
    async_setup_channel_controls(
        entry, async_add_entities, Platform.NUMBER, AUDIO_GAIN, AudioGainNumber
    )


class AudioGainNumber(MicboardControlEntity, NumberEntity):
    """The channel's audio gain in dB, as the receiver reports it."""

    @property
    def _range(self) -> GainRange:
        receiver = self.receiver
        gain = receiver.gain_range if receiver is not None else None
        # Built only where the receiver has a range; remembered receivers keep theirs.
        return gain or GainRange(minimum_db=0, maximum_db=0)

    @property
    @override
    def native_value(self) -> float | None:
        """The gain as the receiver last reported it."""
        channel = self.channel
        return channel.audio_gain_db if channel is not None else None

    @property
    @override
    def native_min_value(self) -> float:
        """The model's lowest gain."""
        return self._range.minimum_db

    @property
    @override
    def native_max_value(self) -> float:
        """The model's highest gain."""
        return self._range.maximum_db

    @property
    @override
    def native_step(self) -> float:
        """The model's gain step."""
        return self._range.step_db

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Set the gain; the state changes when the receiver reports the new gain."""
        gain = round(value)
        if gain != value:
            gain_range = self._range
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_step",
                translation_placeholders={
                    "device": device_label(self.coordinator, self._listener_key),
                    "value": f"{value:g}",
                    "minimum": str(gain_range.minimum_db),
                    "maximum": str(gain_range.maximum_db),
                    "step": str(gain_range.step_db),
                },
            )
        backend = self.coordinator.backend
        await self._async_change(
            lambda: backend.set_audio_gain(self.receiver_id, self.channel_index, gain),
            fields=frozenset({FIELD_GAIN}),
            value=str(gain),
        )
