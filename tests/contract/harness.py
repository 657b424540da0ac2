"""The contract suite's harness: a simulator device, the real backend, what it published."""

from __future__ import annotations

from dataclasses import dataclass, field

from custom_components.micboard.manufacturers import (
    MANUFACTURERS,
    Backend,
    ChangeSet,
    Channel,
    Receiver,
    Snapshot,
)
from simulator import Simulator
from simulator.frontend import FrontEnd

from .pairs import Pair


@dataclass
class Rig:
    """One pair under test: simulator devices, the started backend, every publish."""

    pair: Pair
    sim: Simulator
    devices: list[FrontEnd]
    backend: Backend
    published: list[tuple[Snapshot, ChangeSet]] = field(default_factory=list)

    @property
    def device(self) -> FrontEnd:
        """The first (usually the only) simulated device."""
        return self.devices[0]

    def receiver(self, index: int = 0) -> Receiver:
        """The backend's view of the ``index``-th device (found by port: ids may move)."""
        port = self.devices[index].port
        (receiver,) = (r for r in self.backend.snapshot.receivers.values() if r.port == port)
        return receiver

    def channel(self, index: int) -> Channel:
        """Channel ``index`` (1-based) of the first device, as published."""
        channel = self.receiver().channel(index)
        assert channel is not None
        return channel

    def mark(self) -> int:
        """A position in ``published``, for ``since``."""
        return len(self.published)

    def since(self, mark: int) -> list[tuple[Snapshot, ChangeSet]]:
        """What was published after ``mark``."""
        return self.published[mark:]

    def state_changes(self, mark: int) -> list[ChangeSet]:
        """Change sets after ``mark`` that changed the first device in more than meters."""
        api_id = self.receiver().api_device_id
        return [
            change
            for _, change in self.since(mark)
            if api_id in change.receivers and api_id not in change.meters_only
        ]

    def was_offline(self, mark: int) -> bool:
        """Whether any snapshot published after ``mark`` showed the first device offline."""
        port = self.device.port
        return any(
            not receiver.online
            for snapshot, _ in self.since(mark)
            for receiver in snapshot.receivers.values()
            if receiver.port == port
        )


async def start_rig(pair: Pair, sim: Simulator, devices: list[FrontEnd]) -> Rig:
    """Build the pair's backend from the registry for ``devices``, listen, start it."""
    spec = MANUFACTURERS[pair.manufacturer]
    backend = spec.create_backend([(device.host, device.port) for device in devices])
    rig = Rig(pair=pair, sim=sim, devices=devices, backend=backend)
    backend.add_listener(lambda snapshot, change: rig.published.append((snapshot, change)))
    await backend.start()
    return rig
