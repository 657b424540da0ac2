"""Real sockets end to end: simulator -> Shure client -> coordinator -> Home Assistant.

Everything the HA layer decides is tested against the in-memory backend (``tests.helpers``);
these few check that the real pieces fit: a set-up through the config flow, a transmitter
switched off and on reaching the bus and the logbook, a silent receiver detected by the
client's liveness timer, and an SLP announcement. They wait in real time.
"""
