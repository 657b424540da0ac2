"""Warnings and errors logged during a run, kept for the report."""

from __future__ import annotations

import logging


class LogCollector(logging.Handler):
    """Keeps warnings and errors for the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "homeassistant.loader" and "custom integration" in str(record.msg):
            return
        self.records.append(f"{record.levelname} {record.name}: {record.getMessage()[:300]}")
