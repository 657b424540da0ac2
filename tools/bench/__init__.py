"""Scale benchmark: a 100-receiver show in one Home Assistant (run it with ``scripts/bench``).

Two processes:

* the simulator worker (``--simulator-worker``, :mod:`.worker`): the simulated receivers on
  127.0.0.1, plus a driver (:mod:`.driver`) that changes transmitters (battery, off/on swaps,
  renames) at a set rate and logs the system-wide CLOCK_MONOTONIC time of every change at the
  moment its REP is written;
* this process: a Home Assistant built with the test harness of
  pytest-homeassistant-custom-component (production event-loop settings, no debug mode,
  :mod:`.harness`), with the Micboard config entry watching every simulated receiver; the
  phases of :mod:`.phases` measure it.

Figures: set-up time, full resync time, event-loop CPU at steady state and Micboard's share
of it, state writes per second, REP-to-state latency, offline detection time, resident
memory, the recorder rows per hour, and with one board subscribed (:mod:`.board`, a client
of Home Assistant's real websocket API) its traffic and the CPU it adds. Each row prints
PASS or FAIL (:mod:`.report`; a figure without a target prints "-"); the exit status is 0
whenever every row was measured. ``Bench._browser`` is the hook for the Chromium rows.

Only :mod:`.rig` knows the simulator's Python API; only :mod:`.harness`, :mod:`.recorder`
and :mod:`.phases` import Home Assistant.
"""
