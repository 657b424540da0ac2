"""Keyed listeners: a change wakes only the listeners of its key."""

from __future__ import annotations

from custom_components.micboard.fanout import KeyedListeners


def test_call_wakes_only_that_key_in_order() -> None:
    """Listeners of a key run in the order added; other keys are left alone."""
    calls: list[str] = []
    listeners: KeyedListeners[tuple[str, int]] = KeyedListeners()
    listeners.add(("rx", 1), lambda: calls.append("a"))
    listeners.add(("rx", 1), lambda: calls.append("b"))
    listeners.add(("rx", 2), lambda: calls.append("c"))
    listeners.call(("rx", 1))
    assert calls == ["a", "b"]
    listeners.call(("nobody", 0))
    assert calls == ["a", "b"]
    assert ("rx", 2) in listeners
    assert ("nobody", 0) not in listeners
    assert set(listeners) == {("rx", 1), ("rx", 2)}


def test_arguments_are_passed() -> None:
    """Event listeners get the event."""
    seen: list[tuple[str, str]] = []
    listeners: KeyedListeners[str, str] = KeyedListeners()
    listeners.add("a", lambda event: seen.append(("a", event)))
    listeners.add("b", lambda event: seen.append(("b", event)))
    listeners.call("a", "online")
    listeners.call_all("synced")
    assert seen == [("a", "online"), ("a", "synced"), ("b", "synced")]


def test_remove() -> None:
    """Removing the last listener forgets the key; removing twice or unknown is harmless."""
    calls: list[int] = []
    listeners: KeyedListeners[str] = KeyedListeners()

    def first() -> None:
        calls.append(1)

    def second() -> None:
        calls.append(2)

    listeners.add("k", first)
    listeners.add("k", second)
    listeners.remove("k", first)
    listeners.call("k")
    assert calls == [2]
    listeners.remove("k", second)
    assert "k" not in listeners
    listeners.remove("k", second)
    listeners.remove("other", first)
    listeners.call("k")
    assert calls == [2]


def test_listener_may_remove_itself_during_call_all() -> None:
    """call_all works on a copy: a listener leaving (entity removed) does not skip others."""
    calls: list[str] = []
    listeners: KeyedListeners[str] = KeyedListeners()

    def leaving() -> None:
        calls.append("leaving")
        listeners.remove("a", leaving)

    listeners.add("a", leaving)
    listeners.add("a", lambda: calls.append("staying"))
    listeners.add("b", lambda: calls.append("other"))
    listeners.call_all()
    assert calls == ["leaving", "staying", "other"]
    listeners.call_all()
    assert calls == ["leaving", "staying", "other", "staying", "other"]
