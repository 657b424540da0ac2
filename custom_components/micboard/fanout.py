"""Listeners by key: who to wake when one receiver or channel changed (no HA imports).

A show has thousands of entities; each registers a bound method here, under its receiver or
channel, so a change wakes only the entities it concerns (and a meter reading only those
that show meters), with no closure or coordinator listener per entity.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator


class KeyedListeners[K: Hashable, *Ts]:
    """Callables grouped by key; calling a key calls its callables in the order added."""

    __slots__ = ("_table",)

    def __init__(self) -> None:
        """Start empty."""
        self._table: dict[K, list[Callable[[*Ts], None]]] = {}

    def add(self, key: K, listener: Callable[[*Ts], None]) -> None:
        """Call ``listener`` whenever ``key`` is called."""
        self._table.setdefault(key, []).append(listener)

    def remove(self, key: K, listener: Callable[[*Ts], None]) -> None:
        """Stop calling ``listener`` for ``key`` (nothing happens if it was not added)."""
        if (listeners := self._table.get(key)) is not None and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del self._table[key]

    def pop(self, key: K) -> list[Callable[[*Ts], None]]:
        """Take every listener of ``key`` out (they may add themselves elsewhere)."""
        return self._table.pop(key, [])

    def call(self, key: K, *args: *Ts) -> None:
        """Call every listener of ``key``."""
        for listener in self._table.get(key, ()):
            listener(*args)

    def call_all(self, *args: *Ts) -> None:
        """Call every listener of every key (a copy: listeners may remove themselves)."""
        for listeners in list(self._table.values()):
            for listener in list(listeners):
                listener(*args)

    def __contains__(self, key: object) -> bool:
        """Whether any listener waits on ``key``."""
        return key in self._table

    def __iter__(self) -> Iterator[K]:
        """The keys that have listeners."""
        return iter(self._table)
