"""Soak test (issue 14): a mixed rig under a seeded fault schedule (run it with ``scripts/soak``).

Two processes: the simulator (``python -m simulator`` with a rig file, driven over its control
port) and this one, a Home Assistant test instance (the bench's harness, with registries on
real storage so that a restart keeps them) with both Micboard entries. :mod:`.schedule` draws
the faults and the transmitter changes from ``--seed``; :mod:`.run` plays them and records
every ``micboard_device_*`` event, log line and resource sample; :mod:`.matching` compares the
simulator's transition log with the events (its docstring holds the rules); :mod:`.report`
prints the table. The exit status is 0 whenever every row was measured.
"""
