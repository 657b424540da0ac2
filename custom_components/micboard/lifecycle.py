"""Lifecycle events as a pure diff of two snapshots (no Home Assistant imports).

The coordinator turns the returned events into Home Assistant bus events; keeping the diff
pure makes "transitions only, never on an unchanged poll" easy to prove in plain unit tests.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from .const import (
    CHARGER_DEVICE_TYPES,
    DEVICE_TYPE_BATTERY,
    DEVICE_TYPE_CHARGER,
    DEVICE_TYPE_RECEIVER,
    DEVICE_TYPE_SERVICE,
    DEVICE_TYPE_TRANSMITTER,
    EVENT_DEVICE_DISCOVERED,
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_SYNCED,
    EVENT_DEVICE_UPDATED,
)
from .manufacturers import BatteryError, Bay, Channel, Charger, Receiver, Snapshot, SyncResult


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleEvent:
    """One lifecycle event, before the coordinator adds the HA device id."""

    event_type: str
    service_code: str
    api_device_id: str
    device_type: str
    name: str
    # Receiver api device id and channel index the event concerns (channel 0 = the receiver);
    # for a charger or a battery, the charger's api device id and the bay index.
    receiver_id: str
    channel_index: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def of_charger(self) -> bool:
        """Whether the event concerns a charger or a battery in one of its bays."""
        return self.device_type in CHARGER_DEVICE_TYPES


def receiver_name(receiver: Receiver) -> str:
    """The human name of a receiver: its own name, else model and host."""
    if receiver.name:
        return receiver.name
    return f"{receiver.model or 'Receiver'} {receiver.host}"


def channel_name(channel: Channel) -> str:
    """The human name of a channel: its own name, else its number."""
    return channel.name or f"Channel {channel.index}"


def transmitter_api_id(receiver_id: str, index: int) -> str:
    """Api device id of the transmitter slot of a channel, as the event contract defines it."""
    return f"{receiver_id}:{index}"


def receiver_tracked(receiver: Receiver) -> dict[str, Any]:
    """Identity and configuration of a receiver that ``device_updated`` reports on."""
    return {
        "name": receiver.name,
        "model": receiver.model,
        "firmware": receiver.firmware,
        "rf_band": receiver.rf_band,
        "ip_address": receiver.host,
        "port": receiver.port,
        "channel_count": len(receiver.channels),
    }


def channel_tracked(channel: Channel) -> dict[str, Any]:
    """Configuration of a channel and its transmitter; never metering or battery ticks."""
    transmitter = channel.transmitter
    return {
        "name": channel.name,
        "frequency": channel.frequency_mhz,
        "group_channel": channel.group_channel,
        "transmitter_model": transmitter.model if transmitter else None,
        "audio_gain": channel.audio_gain_db,
        "audio_mute": channel.audio_mute,
    }


# Settings a receiver may first tell some time after it was identified (or that an earlier
# run did not remember): their first value is learnt, not announced as a change.
_LEARNT_KEYS = frozenset({"audio_gain", "audio_mute"})


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [key for key in new if old.get(key) != new[key]]


def _event(
    event_type: str,
    receiver: Receiver,
    channel: Channel | None = None,
    **extra: Any,
) -> LifecycleEvent:
    if channel is None:
        return LifecycleEvent(
            event_type=event_type,
            service_code=receiver.manufacturer,
            api_device_id=receiver.api_device_id,
            device_type=DEVICE_TYPE_RECEIVER,
            name=receiver_name(receiver),
            receiver_id=receiver.api_device_id,
            extra=extra,
        )
    return LifecycleEvent(
        event_type=event_type,
        service_code=receiver.manufacturer,
        api_device_id=transmitter_api_id(receiver.api_device_id, channel.index),
        device_type=DEVICE_TYPE_TRANSMITTER,
        name=channel_name(channel),
        receiver_id=receiver.api_device_id,
        channel_index=channel.index,
        extra=extra,
    )


def discovered_event(receiver: Receiver) -> LifecycleEvent:
    """``device_discovered`` for a receiver seen for the first time."""
    return _event(
        EVENT_DEVICE_DISCOVERED,
        receiver,
        device_data={
            "id": receiver.api_device_id,
            "name": receiver_name(receiver),
            "type": DEVICE_TYPE_RECEIVER,
            "model": receiver.model,
            "ip_address": receiver.host,
        },
    )


def offline_event(receiver: Receiver) -> LifecycleEvent:
    """``device_offline`` for a receiver known from an earlier run that has not answered."""
    return _event(EVENT_DEVICE_OFFLINE, receiver)


def diff_receiver(
    old: Receiver | None, new: Receiver, *, known: bool = False
) -> list[LifecycleEvent]:
    """Events for one receiver between two observations.

    ``old`` is None (or never answered) when this run has not seen the receiver yet; ``known``
    says whether an earlier run already announced it, in which case it merely came online.
    """
    if not new.identified:
        return []
    if old is None or not old.identified:
        if not known:
            return [discovered_event(new)]
        return [_event(EVENT_DEVICE_ONLINE, new)] if new.online else []

    events: list[LifecycleEvent] = []
    if old.online != new.online:
        events.append(_event(EVENT_DEVICE_ONLINE if new.online else EVENT_DEVICE_OFFLINE, new))

    old_data, new_data = receiver_tracked(old), receiver_tracked(new)
    if changed := _changes(old_data, new_data):
        events.append(_updated(new, None, old_data, new_data, changed))

    for channel in new.channels:
        previous = old.channel(channel.index)
        if previous is None:
            continue
        old_data, new_data = channel_tracked(previous), channel_tracked(channel)
        # A transmitter's model coming and going is reported as online/offline, not updated.
        if (previous.transmitter is None) != (channel.transmitter is None):
            old_data.pop("transmitter_model")
            new_data.pop("transmitter_model")
        for key in _LEARNT_KEYS:
            if old_data[key] is None or new_data[key] is None:
                # Learnt (or no longer known, as while the receiver is offline): no change.
                old_data.pop(key)
                new_data.pop(key)
        if changed := _changes(old_data, new_data):
            events.append(_updated(new, channel, old_data, new_data, changed))
        # While the receiver is unreachable nothing new is known about its transmitters; when
        # it answers again, the net change since its last word is announced (a transmitter
        # switched off during the outage must not be lost).
        if new.online and (previous.transmitter is None) != (channel.transmitter is None):
            kind = EVENT_DEVICE_ONLINE if channel.transmitter else EVENT_DEVICE_OFFLINE
            events.append(_event(kind, new, channel))
    return events


def _updated(
    receiver: Receiver,
    channel: Channel | None,
    old_data: dict[str, Any],
    new_data: dict[str, Any],
    changed: list[str],
) -> LifecycleEvent:
    return _event(
        EVENT_DEVICE_UPDATED,
        receiver,
        channel,
        old_data={key: old_data.get(key) for key in changed},
        new_data={key: new_data[key] for key in changed},
        changed=changed,
    )


def diff_snapshots(
    previous: Snapshot,
    current: Snapshot,
    *,
    known: Container[str] = (),
    only: Iterable[str] | None = None,
) -> list[LifecycleEvent]:
    """Every lifecycle event between two snapshots, in receiver then channel order.

    ``known`` holds the api device ids announced before (they are never discovered again);
    ``only`` limits the diff to these receivers (a pushed change names the ones it touched).
    """
    ids = current.receivers.keys() if only is None else only
    events: list[LifecycleEvent] = []
    for api_id in ids:
        new = current.receivers.get(api_id)
        if new is not None:
            events.extend(diff_receiver(previous.receivers.get(api_id), new, known=api_id in known))
    return events


def charger_name(charger: Charger) -> str:
    """The human name of a charger: its own name, else model and host."""
    if charger.name:
        return charger.name
    return f"{charger.model or 'Charger'} {charger.host}"


def bay_name(charger: Charger, index: int) -> str:
    """'Bay 3 of Charger A': what a bay device and its battery events are called."""
    return f"Bay {index} of {charger_name(charger)}"


def battery_api_id(charger_id: str, index: int) -> str:
    """Api device id of the battery slot of a bay (as a transmitter's is of a channel)."""
    return f"{charger_id}:{index}"


def charger_tracked(charger: Charger) -> dict[str, Any]:
    """Identity and configuration of a charger that ``device_updated`` reports on."""
    return {
        "name": charger.name,
        "model": charger.model,
        "firmware": charger.firmware,
        "ip_address": charger.host,
        "port": charger.port,
        "bay_count": len(charger.bays),
        "storage_mode": charger.storage_mode,
    }


def battery_tracked(bay: Bay) -> dict[str, Any]:
    """What ``device_updated`` reports of a battery: its state and error, never its ticks."""
    battery = bay.battery
    error = battery.error if battery is not None else None
    return {
        "state": str(bay.state),
        # "No error" and "says nothing of errors" are the same to a crew.
        "error": str(error) if error not in (None, BatteryError.NONE) else None,
    }


def _charger_event(event_type: str, charger: Charger, bay: int = 0, **extra: Any) -> LifecycleEvent:
    if not bay:
        return LifecycleEvent(
            event_type=event_type,
            service_code=charger.manufacturer,
            api_device_id=charger.api_device_id,
            device_type=DEVICE_TYPE_CHARGER,
            name=charger_name(charger),
            receiver_id=charger.api_device_id,
            extra=extra,
        )
    return LifecycleEvent(
        event_type=event_type,
        service_code=charger.manufacturer,
        api_device_id=battery_api_id(charger.api_device_id, bay),
        device_type=DEVICE_TYPE_BATTERY,
        name=bay_name(charger, bay),
        receiver_id=charger.api_device_id,
        channel_index=bay,
        extra=extra,
    )


def charger_discovered_event(charger: Charger) -> LifecycleEvent:
    """``device_discovered`` for a charger seen for the first time."""
    return _charger_event(
        EVENT_DEVICE_DISCOVERED,
        charger,
        device_data={
            "id": charger.api_device_id,
            "name": charger_name(charger),
            "type": DEVICE_TYPE_CHARGER,
            "model": charger.model,
            "ip_address": charger.host,
        },
    )


def charger_offline_event(charger: Charger) -> LifecycleEvent:
    """``device_offline`` for a charger known from an earlier run that has not answered."""
    return _charger_event(EVENT_DEVICE_OFFLINE, charger)


def diff_charger(old: Charger | None, new: Charger, *, known: bool = False) -> list[LifecycleEvent]:
    """Events for one charger and the batteries in its bays between two observations.

    A battery put in is ``device_online``, taken out ``device_offline``; a change of its
    state (charging -> full, -> error) is ``device_updated``. Charge and minutes ticking
    are not events. While the charger is unreachable nothing is known of its bays; when it
    answers again, the net change since its last word is announced.
    """
    if not new.identified:
        return []
    if old is None or not old.identified:
        if not known:
            return [charger_discovered_event(new)]
        return [_charger_event(EVENT_DEVICE_ONLINE, new)] if new.online else []
    events: list[LifecycleEvent] = []
    if old.online != new.online:
        kind = EVENT_DEVICE_ONLINE if new.online else EVENT_DEVICE_OFFLINE
        events.append(_charger_event(kind, new))
    old_data, new_data = charger_tracked(old), charger_tracked(new)
    if changed := _changes(old_data, new_data):
        events.append(_charger_updated(new, 0, old_data, new_data, changed))
    if not new.online:
        return events
    for bay in new.bays:
        previous = old.bay(bay.index)
        if previous is None or previous is bay:
            continue
        if previous.occupied != bay.occupied:
            kind = EVENT_DEVICE_ONLINE if bay.occupied else EVENT_DEVICE_OFFLINE
            events.append(_charger_event(kind, new, bay.index))
            continue
        if not bay.occupied:
            continue
        old_data, new_data = battery_tracked(previous), battery_tracked(bay)
        if changed := _changes(old_data, new_data):
            events.append(_charger_updated(new, bay.index, old_data, new_data, changed))
    return events


def _charger_updated(
    charger: Charger,
    bay: int,
    old_data: dict[str, Any],
    new_data: dict[str, Any],
    changed: list[str],
) -> LifecycleEvent:
    extra: dict[str, Any] = {
        "old_data": {key: old_data.get(key) for key in changed},
        "new_data": {key: new_data[key] for key in changed},
        "changed": changed,
    }
    if bay and "state" in changed:
        # At the top level too, so a trigger can match it ("fully charged", "fault").
        extra["battery_state"] = new_data["state"]
    return _charger_event(EVENT_DEVICE_UPDATED, charger, bay, **extra)


def diff_chargers(
    previous: Snapshot,
    current: Snapshot,
    *,
    known: Container[str] = (),
    only: Iterable[str] | None = None,
) -> list[LifecycleEvent]:
    """Every charger and battery event between two snapshots, in charger then bay order."""
    ids = current.chargers.keys() if only is None else only
    events: list[LifecycleEvent] = []
    for api_id in ids:
        new = current.chargers.get(api_id)
        if new is not None:
            events.extend(diff_charger(previous.chargers.get(api_id), new, known=api_id in known))
    return events


def synced_event(manufacturer: str, name: str, result: SyncResult) -> LifecycleEvent:
    """``device_synced`` after a full poll; it concerns the whole manufacturer entry."""
    return LifecycleEvent(
        event_type=EVENT_DEVICE_SYNCED,
        service_code=manufacturer,
        api_device_id=manufacturer,
        device_type=DEVICE_TYPE_SERVICE,
        name=name,
        receiver_id="",
        extra={
            "sync_result": {
                "device_count": result.device_count,
                "online_count": result.online_count,
                "error_count": result.error_count,
                "status": str(result.status),
                "duration_seconds": round(result.duration_seconds, 3),
                "error_message": result.error_message,
            }
        },
    )
