"""Developer tools behind ``scripts/``: the scale benchmark and the ``scripts/develop`` set-up.

Never shipped and never imported by the integration; run them through ``scripts/bench`` and
``scripts/develop`` (or ``python -m tools.bench`` / ``python -m tools.develop`` from the repo).
"""
