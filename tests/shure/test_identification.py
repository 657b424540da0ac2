"""Telling a receiver's family, model and channel count from MODEL or a GET ALL burst."""

from __future__ import annotations

import pytest

from custom_components.micboard.manufacturers.shure.families import (
    AXIENT,
    QLXD,
    SLXD,
    SLXD_PLUS,
    ULXD,
    Family,
)
from custom_components.micboard.manufacturers.shure.identification import (
    family_of_model,
    identify,
)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("ULXD4", (ULXD, 1)),
        ("ULXD4D", (ULXD, 2)),
        ("ULXD4Q", (ULXD, 4)),
        ("QLXD4", (QLXD, 1)),
        ("QLXD4-G50", (QLXD, 1)),
        ("SLXD4", (SLXD, 1)),
        ("SLXD4DE", (SLXD, 2)),
        ("SLXD4+", (SLXD_PLUS, 1)),
        ("SLXD4D+", (SLXD_PLUS, 2)),
        ("SLXD4QDAN+", (SLXD_PLUS, 4)),
        ("AD4D", (AXIENT, 2)),
        ("ad4q-a", (AXIENT, 4)),
        ("AD4", None),
        ("UR4D", None),
        ("MXWAPT8", None),
    ],
)
def test_family_of_model(model: str, expected: tuple[Family, int] | None) -> None:
    assert family_of_model(model) == expected


def test_identify() -> None:
    by_model = identify("ULXD4Q", {"CHAN_NAME"}, {1, 2})
    assert by_model is not None
    assert (by_model.family, by_model.model, by_model.channel_count) == (ULXD, "ULXD4Q", 4)
    assert identify("UR4D", {"TX_TYPE"}, {1}) is None
    # Older firmware without MODEL: the burst's keys and channel indexes tell.
    ulx = identify(None, {"TX_TYPE", "AUDIO_MUTE"}, {1, 2})
    assert ulx is not None
    assert (ulx.family, ulx.model, ulx.channel_count) == (ULXD, "ULXD4D", 2)
    qlx = identify(None, {"TX_TYPE", "BATT_BARS"}, {1})
    assert qlx is not None
    assert (qlx.family, qlx.model) == (QLXD, "QLXD4")
    # Never guessed: two channels without ULX-D keys, three channels, nothing known.
    assert identify(None, {"TX_TYPE"}, {1, 2}) is None
    assert identify(None, {"TX_TYPE", "AUDIO_MUTE"}, {1, 2, 3}) is None
    assert identify(None, {"CHAN_NAME"}, {1}) is None
    assert identify(None, set(), set()) is None
