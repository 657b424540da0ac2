"""The soak's matching rules (tools/soak/matching.py) on hand-made logs and events."""

from __future__ import annotations

from tools.soak.matching import BusEvent, Inputs, Outcome, SimEntry, match

PORT = 2202
RX = "00:0e:dd:00:00:01"


def _run(log: list[SimEntry], events: list[BusEvent], **extra: object) -> Outcome:
    inputs = Inputs(
        log=log,
        events=events,
        api_ids={PORT: RX},
        initial_tx={PORT: {1: True, 2: True}},
        initial_names={PORT: {0: "RX01", 1: "A", 2: "B"}},
        ha_blind=list(extra.get("ha_blind", [])),  # type: ignore[call-overload]
        lossy={},
        start=0.0,
        end=200.0,
    )
    return match(inputs)


def _sim(at: float, kind: str, channel: int | None = None, value: str = "") -> SimEntry:
    return SimEntry(at, "ulxd-1", PORT, channel, kind, value)


def _rx(at: float, kind: str) -> BusEvent:
    return BusEvent(at, kind, RX, "receiver")


def _tx(at: float, kind: str, channel: int = 1) -> BusEvent:
    return BusEvent(at, kind, f"{RX}:{channel}", "transmitter")


def test_power_off_with_transmitters_on_is_one_receiver_offline() -> None:
    """R3: no transmitter offlines are expected, and none may come."""
    out = _run(
        [_sim(10, "rx-off"), _sim(30, "rx-on")],
        [_rx(10.1, "offline"), _rx(31.0, "online")],
    )
    assert (out.lost, out.duplicated, out.unexplained, out.out_of_order) == ([], [], [], [])
    assert [round(d, 2) for d in out.detection] == [0.1]
    assert [round(r, 1) for r in out.recovery] == [1.0]


def test_transmitter_off_while_receiver_off_expects_the_net_change() -> None:
    """R4: tx off during the outage, still off at the return: one offline after it."""
    log = [_sim(10, "rx-off"), _sim(15, "tx-off", 1), _sim(30, "rx-on")]
    events = [_rx(10.1, "offline"), _rx(31.0, "online")]
    assert _run(log, events).lost == [f"transmitter {RX}:1 -> offline (net, after 10.0-31.0)"]
    assert _run(log, [*events, _tx(31.0, "offline")]).lost == []


def test_net_change_read_between_two_flaps_is_matched() -> None:
    """R4: a flapping receiver read between two flaps may report the net change early."""
    log = [
        _sim(10, "rx-off"),
        _sim(11, "rx-on"),
        _sim(11.5, "tx-off", 1),
        _sim(12, "rx-off"),
        _sim(13, "rx-on"),
    ]
    online_between = [_rx(10.1, "offline"), _rx(11.6, "online"), _rx(12.1, "offline")]
    events = [*online_between, _tx(11.7, "offline"), _rx(13.5, "online")]
    out = _run(log, events)
    assert (out.lost, out.unexplained, out.out_of_order) == ([], [], [])
    # Not before the transition that made it: that would be an event nobody caused.
    early = [*online_between[:2], _tx(11.0, "offline"), online_between[2], _rx(13.5, "online")]
    out = _run(log, early)
    assert out.lost == [f"transmitter {RX}:1 -> offline (net, after 10.0-13.5)"]
    assert out.unexplained == [f"transmitter {RX}:1: offline at 11.0 with no transition"]


def test_off_and_on_during_an_outage_collapses() -> None:
    """R4: off -> on while unobservable is no change at all."""
    log = [_sim(10, "rx-off"), _sim(15, "tx-off", 1), _sim(20, "tx-on", 1), _sim(30, "rx-on")]
    out = _run(log, [_rx(10.1, "offline"), _rx(31.0, "online")])
    assert (out.lost, out.unexplained) == ([], [])
    assert out.folded == 2


def test_missing_and_repeated_transmitter_events() -> None:
    """R6: a direct change without its event is lost; the same event twice is a duplicate."""
    log = [_sim(10, "tx-off", 1), _sim(12, "tx-on", 1), _sim(50, "tx-off", 2)]
    out = _run(log, [_tx(10.01, "offline"), _tx(12.01, "online"), _tx(12.5, "online")])
    assert out.lost == [f"transmitter {RX}:2 -> offline at 50.0"]
    assert out.duplicated == [f"transmitter {RX}:1: online again at 12.5"]


def test_silent_receiver_must_be_reported() -> None:
    """R2: a 10 s hang without an offline is lost (offline and online)."""
    out = _run([_sim(10, "fault", value="silent"), _sim(20, "fault", value="resume")], [])
    assert out.lost == [
        f"receiver {RX}: offline at 10.0 (10 s down)",
        f"receiver {RX}: online after 20.0",
    ]


def test_offline_without_a_fault_is_unexplained() -> None:
    out = _run([], [_rx(40, "offline"), _rx(42, "online")])
    assert out.unexplained == [
        f"receiver {RX}: offline at 40.0 with no outage injected (online at 42.0)"
    ]


def test_change_across_a_restart_is_expected_after_it() -> None:
    """R5: a change while Home Assistant is down is announced by the first read after it."""
    log = [_sim(10, "tx-off", 1)]
    blind = [(5.0, 20.0, frozenset({PORT}))]
    out = _run(log, [], ha_blind=blind)
    assert out.lost == [
        f"transmitter {RX}:1 -> offline (net, across a restart or reload after 5.0-20.0)"
    ]
    out = _run(log, [_tx(20.4, "offline")], ha_blind=blind)
    assert (out.lost, out.unexplained, out.duplicated) == ([], [], [])
    # Switched off and on again meanwhile: nothing to announce, and nothing may come.
    out = _run([*log, _sim(12, "tx-on", 1)], [_tx(20.4, "online")], ha_blind=blind)
    assert out.lost == []
    assert out.unexplained == [f"transmitter {RX}:1: online at 20.4 with no transition"]


def test_late_offline_still_reports_the_outage() -> None:
    """R2: an offline 1.5 s after the receiver resumed is a late detection, not a loss."""
    log = [_sim(10, "fault", value="silent"), _sim(16, "fault", value="resume")]
    out = _run(log, [_rx(17.5, "offline"), _rx(18.1, "online")])
    assert (out.lost, out.unexplained) == ([], [])
    assert [round(d, 1) for d in out.detection] == [7.5]


def test_outage_across_a_restart_announces_the_change_when_it_returns() -> None:
    """R5: a receiver off across a restart tells what changed when it answers again."""
    log = [_sim(10, "rx-off"), _sim(40, "rename", 1, "NEW"), _sim(60, "rx-on")]
    blind = [(20.0, 21.0, frozenset({PORT}))]
    events = [_rx(10.0, "offline"), _rx(61.0, "online")]
    out = _run(log, events, ha_blind=blind)
    assert out.lost == [f"name of {RX}:1 -> NEW (net, across a restart or reload after 10.0-61.0)"]
    renamed = BusEvent(61.0, "updated", f"{RX}:1", "transmitter", "NEW")
    out = _run(log, [*events, renamed], ha_blind=blind)
    assert (out.lost, out.unexplained, out.duplicated) == ([], [], [])
